// mpmc_fifo: the two-thread fifo and disconnect scenarios (model/scenarios.hpp)
// on nexus::queue::mpmc (one handle per side), context bound 3, and a negative
// twin per order they exercise; and the cross-producer no_spurious_full
// regression (3 threads, context bound 2) for the producers' claim orders.
#include "mpmc_common.hpp"

using namespace nexus::model;
using namespace nexus::model::mpmc_model;

template <std::uint64_t Cap, int N, class O>
using ordered = fifo<queue<int, O>, Cap, N>;
template <class O>
using leaving = disconnect<queue<tracked, O>>;

constexpr search bound2{rl::sched_bound, 2};

int main(int argc, char** argv) {
  // Both sides retry a CAS (with injected spurious failures): full search does
  // not finish even for two threads; context bound 3 does, in under a second.
  return run(argc, argv, "mpmc_fifo", {rl::sched_bound, 3},
             {
                 NEXUS_VARIANT("cap1", pass, ordered<1, 2, mpmc_orders>),
                 NEXUS_VARIANT("cap2", pass, ordered<2, 2, mpmc_orders>),
                 NEXUS_VARIANT("disconnect", pass, leaving<mpmc_orders>),
                 NEXUS_VARIANT_SEARCH("no_spurious_full", pass, bound2, no_spurious_full<queue<int, mpmc_orders>>),
                 NEXUS_VARIANT_SEARCH("claim_load_relaxed", fail, bound2, no_spurious_full<queue<int, claim_load_relaxed>>),
                 NEXUS_VARIANT_SEARCH("claim_release", fail, bound2, no_spurious_full<queue<int, claim_release>>),
                 NEXUS_VARIANT("publish_relaxed", fail, ordered<2, 2, publish_relaxed>),
                 NEXUS_VARIANT("observe_relaxed", fail, ordered<2, 2, observe_relaxed>),
                 NEXUS_VARIANT("free_slot_relaxed", fail, ordered<1, 2, free_slot_relaxed>),
                 NEXUS_VARIANT("see_free_relaxed", fail, ordered<1, 2, see_free_relaxed>),
                 NEXUS_VARIANT("leave_relaxed", fail, leaving<leave_relaxed>),
                 NEXUS_VARIANT("see_leave_relaxed", fail, leaving<see_leave_relaxed>),
                 NEXUS_VARIANT("release_ref_release", fail, leaving<release_ref_release>),
                 NEXUS_VARIANT("release_ref_acquire", fail, leaving<release_ref_acquire>),
             });
}
