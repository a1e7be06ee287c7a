// spsc_fifo: the fifo scenario (model/scenarios.hpp) on nexus::queue::spsc,
// at capacity 1 (2 items) and 2 (3 items), and the disconnect scenario in
// both drop orders, the fifo through push_n / pop_n (batch_*), the exact
// bound (exact3, bounded, twin bounded_no_check), the fifo through the
// spinning calls (spin_*: push_spin / pop_spin wait inside, at capacity 1 so
// that both wait, and the consumer's nullopt must mean "producer gone and
// everything it pushed taken"; spin_consumer_leaves: the consumer leaves
// while the producer waits), full search; one negative twin per order
// they exercise.
#include "scenarios.hpp"

using namespace nexus::model;
using nexus::queue::spsc::spsc_orders;

template <std::uint64_t Cap, int N, class O>
using ordered = fifo<queue_of<spsc_ring, int, O>, Cap, N>;
template <std::uint64_t Cap, int N, int B, class O>
using batched = fifo_batch<queue_of<spsc_ring, int, O>, Cap, N, B>;
template <class O>
using leaving = disconnect<queue_of<spsc_ring, tracked, O>>;

// push_spin 1..n (each must succeed: the consumer is there), then
// disconnect; the consumer pop_spin's until nullopt, which must come only
// after the last value (queue/spsc.hpp SPINNING). The payload lives in a
// model slot: a race on it is a DATA RACE.
template <class Q, std::uint64_t Cap, int N>
struct fifo_spin : scenario<fifo_spin<Q, Cap, N>, 2> {
  typename Q::endpoints* r = nullptr;
  int next = 1;  // consumer-only
  const int n = N + static_cast<int>(scale);

  void before() { r = this->template own_endpoints<typename Q::endpoints>(Q::make(Cap)); }
  void thread(unsigned id) {
    if (id == 0) {
      for (int v = 1; v <= n; ++v)
        relacy_sync::verify(r->tx.push_spin(v) == nexus::status::ok, "push_spin failed with the consumer there");
      auto gone = std::move(r->tx);
    } else {
      while (auto v = r->rx.pop_spin()) {
        relacy_sync::verify(*v == next, "FIFO order broken");
        ++next;
      }
      relacy_sync::verify(next - 1 == n, "pop_spin ended before the last value pushed before the disconnect");
    }
  }
};
template <std::uint64_t Cap, int N, class O>
using spinning = fifo_spin<queue_of<spsc_ring, int, O>, Cap, N>;

// The consumer leaves (popping nothing) while the producer push_spin's 1, 2
// into a ring of capacity 1. The leave frees every slot pushed before it, so
// push_spin may report `disconnected` only when the ring is full after the
// leave (1 was pushed after it); a producer that gives up at the disconnect
// without a last look reports it while the leave has emptied the ring.
template <class Q>
struct spin_consumer_leaves : scenario<spin_consumer_leaves<Q>, 2> {
  typename Q::endpoints* r = nullptr;

  void before() { r = this->template own_endpoints<typename Q::endpoints>(Q::make(1)); }
  void thread(unsigned id) {
    if (id == 0) {
      for (int v = 1; v <= 2; ++v) {
        const nexus::status st = r->tx.push_spin(v);
        relacy_sync::verify(st == nexus::status::ok || (st == nexus::status::disconnected &&
                                                         r->tx.is_disconnected() && r->tx.is_full()),
                            "push_spin gave up on a ring the consumer's leave emptied");
      }
    } else {
      auto gone = std::move(r->rx);
    }
  }
};

// The spinning fifo at capacity 1 under a context bound of 4: each wait
// adds scheduling points (poll_backoff's relax hints), and the full search
// of 2 values takes 16M iterations (90 s); bound 4 covers 3 values in 0.2 s.
constexpr search bound4{rl::sched_bound, 4};

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
                 NEXUS_VARIANT_SEARCH("spin", pass, bound4, spinning<1, 3, spsc_orders>),
                 NEXUS_VARIANT("spin_cap2", pass, spinning<2, 2, spsc_orders>),
                 NEXUS_VARIANT_SEARCH("spin_publish_relaxed", fail, bound4, spinning<1, 3, publish_relaxed<spsc_orders>>),
                 NEXUS_VARIANT_SEARCH("spin_observe_relaxed", fail, bound4, spinning<1, 3, observe_relaxed<spsc_orders>>),
                 NEXUS_VARIANT_SEARCH("spin_free_slot_relaxed", fail, bound4, spinning<1, 3, free_slot_relaxed<spsc_orders>>),
                 NEXUS_VARIANT_SEARCH("spin_see_free_relaxed", fail, bound4, spinning<1, 3, see_free_relaxed<spsc_orders>>),
                 NEXUS_VARIANT("spin_see_disconnect_relaxed", fail, spinning<2, 2, see_disconnect_relaxed<spsc_orders>>),
                 NEXUS_VARIANT("spin_no_last_look", fail, spinning<2, 2, no_last_look<spsc_orders>>),
                 NEXUS_VARIANT("spin_consumer_leaves", pass, spin_consumer_leaves<queue_of<spsc_ring, int, spsc_orders>>),
                 NEXUS_VARIANT("spin_consumer_leaves_no_last_look", fail,
                               spin_consumer_leaves<queue_of<spsc_ring, int, no_last_look<spsc_orders>>>),
                 NEXUS_VARIANT("spin_consumer_leaves_see_disconnect_relaxed", fail,
                               spin_consumer_leaves<queue_of<spsc_ring, int, see_disconnect_relaxed<spsc_orders>>>),
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
