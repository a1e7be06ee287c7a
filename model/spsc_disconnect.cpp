// spsc_disconnect: the disconnect scenario (model/scenarios.hpp) on
// nexus::queue::spsc, full search; one negative twin per handle order.
#include "relacy_sync.hpp"
#include "runner.hpp"
#include "spsc_common.hpp"

using namespace nexus::model;
using namespace nexus::model::spsc_model;

template <class O>
using scenario = disconnect<queue<tracked, O>>;

int main(int argc, char** argv) {
  return run(argc, argv, "spsc_disconnect", {rl::sched_full},
             {
                 NEXUS_VARIANT("correct", pass, scenario<spsc_orders>),
                 NEXUS_VARIANT("publish_relaxed", fail, scenario<publish_relaxed>),
                 NEXUS_VARIANT("release_handle_release", fail, scenario<release_handle_release>),
                 NEXUS_VARIANT("release_handle_acquire", fail, scenario<release_handle_acquire>),
                 NEXUS_VARIANT("release_handle_relaxed", fail, scenario<release_handle_relaxed>),
                 NEXUS_VARIANT("see_disconnect_relaxed", fail, scenario<see_disconnect_relaxed>),
             });
}
