// spsc_fifo: the fifo scenario (model/scenarios.hpp) on nexus::queue::spsc,
// at capacity 1 (2 items) and 2 (3 items), full search; one negative twin
// per order the scenario exercises.
#include "relacy_sync.hpp"
#include "runner.hpp"
#include "spsc_common.hpp"

using namespace nexus::model;
using namespace nexus::model::spsc_model;

template <std::uint64_t Cap, int N, class O>
using scenario = fifo<queue<int, O>, Cap, N>;

int main(int argc, char** argv) {
  return run(argc, argv, "spsc_fifo", {rl::sched_full},
             {
                 NEXUS_VARIANT("cap1", pass, scenario<1, 2, spsc_orders>),
                 NEXUS_VARIANT("cap2", pass, scenario<2, 3, spsc_orders>),
                 NEXUS_VARIANT("publish_relaxed", fail, scenario<2, 3, publish_relaxed>),
                 NEXUS_VARIANT("observe_relaxed", fail, scenario<2, 3, observe_relaxed>),
                 NEXUS_VARIANT("free_slot_relaxed", fail, scenario<1, 2, free_slot_relaxed>),
                 NEXUS_VARIANT("see_free_relaxed", fail, scenario<1, 2, see_free_relaxed>),
             });
}
