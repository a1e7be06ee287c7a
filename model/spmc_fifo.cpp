// spmc_fifo: the two-thread fifo and disconnect scenarios (model/scenarios.hpp)
// on nexus::queue::spmc with one consumer handle, full search: capacity 1 and
// 2 (a wrap under context bound 3), disconnect in both drop orders; one
// negative twin per order these scenarios exercise.
#include "spmc_common.hpp"

using namespace nexus::model;
using namespace nexus::model::spmc_model;

template <std::uint64_t Cap, int N, class O>
using ordered = fifo<queue<int, O>, Cap, N>;
template <class O>
using leaving = disconnect<queue<tracked, O>>;

constexpr search bound3{rl::sched_bound, 3};

int main(int argc, char** argv) {
  return run(argc, argv, "spmc_fifo", {rl::sched_full},
             {
                 NEXUS_VARIANT("cap1", pass, ordered<1, 2, spmc_orders>),
                 NEXUS_VARIANT("cap2", pass, ordered<2, 2, spmc_orders>),
                 NEXUS_VARIANT_SEARCH("cap2_wrap", pass, bound3, ordered<2, 3, spmc_orders>),
                 NEXUS_VARIANT("disconnect", pass, leaving<spmc_orders>),
                 NEXUS_VARIANT("publish_relaxed", fail, ordered<2, 2, publish_relaxed>),
                 NEXUS_VARIANT("observe_relaxed", fail, ordered<2, 2, observe_relaxed>),
                 NEXUS_VARIANT("free_slot_relaxed", fail, ordered<1, 2, free_slot_relaxed>),
                 NEXUS_VARIANT("see_free_relaxed", fail, ordered<1, 2, see_free_relaxed>),
                 NEXUS_VARIANT("leave_relaxed", fail, leaving<leave_relaxed>),
                 NEXUS_VARIANT("see_leave_relaxed", fail, leaving<see_leave_relaxed>),
                 NEXUS_VARIANT("release_ref_release", fail, leaving<release_ref_release>),
                 NEXUS_VARIANT("release_ref_acquire", fail, leaving<release_ref_acquire>),
                 NEXUS_VARIANT("release_ref_relaxed", fail, leaving<release_ref_relaxed>),
             });
}
