// spsc_fifo: the fifo scenario (model/scenarios.hpp) on nexus::queue::spsc,
// at capacity 1 (2 items) and 2 (3 items), and the disconnect scenario in
// both drop orders, the fifo through push_n / pop_n (batch_*), the exact
// bound (exact3, bounded, twin bounded_no_check), full
// search; one negative twin per order they exercise.
#include "scenarios.hpp"

using namespace nexus::model;
using nexus::queue::spsc::spsc_orders;

template <std::uint64_t Cap, int N, class O>
using ordered = fifo<queue_of<spsc_ring, int, O>, Cap, N>;
template <std::uint64_t Cap, int N, int B, class O>
using batched = fifo_batch<queue_of<spsc_ring, int, O>, Cap, N, B>;
template <class O>
using leaving = disconnect<queue_of<spsc_ring, tracked, O>>;

int main(int argc, char** argv) {
  return run(argc, argv, "spsc_fifo", {rl::sched_full},
             {
                 NEXUS_VARIANT("cap1", pass, ordered<1, 2, spsc_orders>),
                 NEXUS_VARIANT("cap2", pass, ordered<2, 3, spsc_orders>),
                 NEXUS_VARIANT("disconnect", pass, leaving<spsc_orders>),
                 NEXUS_VARIANT("batch_cap2", pass, batched<2, 3, 2, spsc_orders>),
                 NEXUS_VARIANT("batch_cap4", pass, batched<4, 5, 3, spsc_orders>),
                 NEXUS_VARIANT("exact3", pass, fifo<exact_of<spsc_ring, int>, 3, 4>),
                 NEXUS_VARIANT("bounded", pass, bounded<exact_of<spsc_ring, int>, false>),
                 NEXUS_VARIANT("bounded_no_check", fail, bounded<exact_of<spsc_ring, int, no_bound_check<spsc_orders>>, false>),
                 NEXUS_VARIANT("throwing", pass, throwing<queue_of<spsc_ring, fragile>>),
                 NEXUS_VARIANT("publish_relaxed", fail, ordered<2, 3, publish_relaxed<spsc_orders>>),
                 NEXUS_VARIANT("observe_relaxed", fail, ordered<2, 3, observe_relaxed<spsc_orders>>),
                 NEXUS_VARIANT("free_slot_relaxed", fail, ordered<1, 2, free_slot_relaxed<spsc_orders>>),
                 NEXUS_VARIANT("see_free_relaxed", fail, ordered<1, 2, see_free_relaxed<spsc_orders>>),
                 NEXUS_VARIANT("batch_publish_relaxed", fail, batched<2, 3, 2, publish_relaxed<spsc_orders>>),
                 NEXUS_VARIANT("batch_observe_relaxed", fail, batched<2, 3, 2, observe_relaxed<spsc_orders>>),
                 NEXUS_VARIANT("batch_free_slot_relaxed", fail, batched<2, 3, 2, free_slot_relaxed<spsc_orders>>),
                 NEXUS_VARIANT("batch_see_free_relaxed", fail, batched<2, 3, 2, see_free_relaxed<spsc_orders>>),
                 NEXUS_VARIANT("disconnect_publish_relaxed", fail, leaving<publish_relaxed<spsc_orders>>),
                 NEXUS_VARIANT("release_handle_release", fail, leaving<release_handle_release<spsc_orders>>),
                 NEXUS_VARIANT("release_handle_acquire", fail, leaving<release_handle_acquire<spsc_orders>>),
                 NEXUS_VARIANT("release_handle_relaxed", fail, leaving<release_handle_relaxed<spsc_orders>>),
                 NEXUS_VARIANT("see_disconnect_relaxed", fail, leaving<see_disconnect_relaxed<spsc_orders>>),
             });
}
