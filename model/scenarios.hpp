// model/scenarios.hpp -- the scenarios every ring of T shares, written once
// over a `Q` adapter (Q::endpoints, Q::make(capacity): common.hpp queue_of),
// and the variant table the three stamped rings run (stamped_variants):
//
//  fifo<Q, Cap, N>   FIFO across laps at capacity Cap with N (+ --scale)
//                    items; the payload lives in a model slot (a race on it is
//                    a DATA RACE). The producer pushes 1..n with one retry on
//                    full and disconnects; the consumer pops a bounded number
//                    of times and, if it sees the producer gone, must then
//                    drain everything pushed. check() drains the rest.
//  disconnect<Q>     disconnect while values are in flight, in both drop
//                    orders: the last handle must destroy exactly the values
//                    never popped (tracked counts), touching only slots it
//                    owns, and free the block (no leak).
//  own_push<Q, Both> the emptiness rule (F11, crossbeam's `linearizable`): a
//                    thread's pop after its own completed push never reports
//                    empty. Thread 1 (producer clone + consumer) pushes then
//                    pops; thread 0 pushes (and, with Both, a consumer clone,
//                    pops too). With wait_for_claim off, a pop meets the
//                    other producer's claimed, unpublished slot at the head
//                    and reports empty: no_wait_for_claim must be reported.
//  throwing<Q>       a constructor that throws inside a push (exceptions):
//                    the producer emplaces 1, then a value whose constructor
//                    throws, then 3, while the consumer pops; exactly 1 and
//                    3 arrive, in order, nothing leaks, and the ring works
//                    afterwards (a push and a pop through every slot). With
//                    the value built after the claim (claim_then_build), the
//                    claimed slot is never published: the consumer waits at
//                    it for ever (LIVELOCK) or the values are lost.
//  two_producers<Q>  (3 threads) P0 pushes a1, a2; P1 (a clone) pushes b1
//                    (capacity 2, one retry on full); the consumer pops a
//                    bounded number of times, check() drains. Every push
//                    delivered exactly once, each producer's values in its
//                    order; a consumer that sees every producer gone has
//                    already got everything.
//  two_consumers<Q>  (3 threads) the producer pushes 1, 2, 3 (capacity 2, one
//                    retry on full) and leaves; each of two consumers (one
//                    cloned) pops a bounded number of times; every push is
//                    delivered to exactly one consumer, each consumer sees
//                    increasing values.
//  no_spurious_full<Q> (3 threads) the cross-producer regression of
//                    verify-toolchain.md section 3: P0 pushes x0; the
//                    consumer pops it and raises a flag (release); P0, having
//                    seen the flag (acquire), pushes x1, moving the tail past
//                    the freed slot. The ring (capacity 2) never holds more
//                    than one value before P1's single push, so P1 must never
//                    see `full`, whatever tail it reads. With a relaxed tail
//                    load or CAS, P1 can read the tail P0 advanced but a stale
//                    stamp of the freed slot.
#pragma once

#include "common.hpp"

#include <type_traits>

namespace nexus::model {

// A push with one retry on full (a scheduling point between).
template <class P, class V>
nexus::status push_retry(P& p, V&& v) {
  nexus::status st = p.push(v);
  if (st == nexus::status::full) {
    relacy_sync::spin_pause();
    st = p.push(std::forward<V>(v));
  }
  return st;
}

// The consumer of the ring scenarios: `tries` pops (a scheduling point
// after each miss); then, if the producers are gone, pops until empty.
// True when it drained (the caller checks that everything arrived).
template <class C, class Take>
bool pop_then_drain(C& rx, int tries, Take&& take) {
  for (int k = 0; k < tries; ++k) {
    if (auto v = rx.pop())
      take(*v);
    else
      relacy_sync::spin_pause();
  }
  if (!rx.is_disconnected()) return false;
  while (auto v = rx.pop()) take(*v);
  return true;
}

template <class Q>
using producer_of = std::remove_reference_t<decltype(std::declval<typename Q::endpoints&>().tx)>;
template <class Q>
using consumer_of = std::remove_reference_t<decltype(std::declval<typename Q::endpoints&>().rx)>;

template <class Q, std::uint64_t Cap, int N>
struct fifo : scenario<fifo<Q, Cap, N>, 2> {
  typename Q::endpoints* r = nullptr;
  relacy_sync::cell<int> pushed;  // written by the producer before it disconnects
  int next = 1;                   // consumer-only
  const int n = N + static_cast<int>(scale);

  void before() {
    r = this->template own_endpoints<typename Q::endpoints>(Q::make(Cap));
    pushed.store(0);
  }
  void take(int v) {
    relacy_sync::verify(v == next, "FIFO order broken");
    ++next;
  }
  void thread(unsigned id) {
    if (id == 0) {
      int done = 0;
      for (int v = 1; v <= n && push_retry(r->tx, v) == nexus::status::ok; ++v) done = v;
      pushed.store(done);
      auto gone = std::move(r->tx);  // disconnect while items may be in flight
    } else {
      if (pop_then_drain(r->rx, n, [this](int v) { take(v); }))  // producer gone: everything it pushed must be visible now
        relacy_sync::verify(next - 1 == pushed.load(), "disconnected but an item is missing");
    }
  }
  void check() {
    while (auto v = r->rx.pop()) take(*v);
    relacy_sync::verify(next - 1 == pushed.load(), "item lost");
  }
};

// fifo through the batch operations: the producer pushes 1..n with
// push_n in batches of up to B (one publication per batch), the consumer
// takes with pop_n up to B at a time (one free per batch); then as fifo: the
// producer leaves, the consumer drains once it sees it gone, and nothing
// may be lost, reordered or read unpublished.
template <class Q, std::uint64_t Cap, int N, int B>
struct fifo_batch : scenario<fifo_batch<Q, Cap, N, B>, 2> {
  typename Q::endpoints* r = nullptr;
  relacy_sync::cell<int> pushed;
  int next = 1;
  const int n = N + static_cast<int>(scale);

  void before() {
    r = this->template own_endpoints<typename Q::endpoints>(Q::make(Cap));
    pushed.store(0);
  }
  void take_all(const int* got, std::size_t k) {
    for (std::size_t i = 0; i < k; ++i) {
      relacy_sync::verify(got[i] == next, "FIFO order broken");
      ++next;
    }
  }
  void thread(unsigned id) {
    if (id == 0) {
      int done = 0;
      for (int round = 0; round < n + 1 && done < n; ++round) {
        int batch[B];
        int m = 0;
        for (; m < B && done + m < n; ++m) batch[m] = done + m + 1;
        const std::size_t k = r->tx.push_n(batch, batch + m);
        done += static_cast<int>(k);
        if (k == 0) relacy_sync::spin_pause();
      }
      pushed.store(done);
      auto gone = std::move(r->tx);
    } else {
      int got[B];
      for (int k = 0; k < n; ++k) {
        const std::size_t t = r->rx.pop_n(got, B);
        if (t == 0) relacy_sync::spin_pause();
        take_all(got, t);
      }
      if (r->rx.is_disconnected()) {
        for (std::size_t t; (t = r->rx.pop_n(got, B)) != 0;) take_all(got, t);
        relacy_sync::verify(next - 1 == pushed.load(), "disconnected but an item is missing");
      }
    }
  }
  void check() {
    int got[B];
    for (std::size_t t; (t = r->rx.pop_n(got, B)) != 0;) take_all(got, t);
    relacy_sync::verify(next - 1 == pushed.load(), "item lost");
  }
};

// The exact bound (BOUND): a ring made with ring_buffer_exact(3) has 4
// slots but takes 3 values. Two threads push (cloned producers where the
// ring allows, else the second thread only watches the count); no consumer,
// so every "full" is exact: together they must push exactly 3.
template <class Q, bool TwoProducers>
struct bounded : scenario<bounded<Q, TwoProducers>, 2> {
  typename Q::endpoints* r = nullptr;
  producer_of<Q>* second = nullptr;
  int ok[2] = {0, 0};  // per thread (plain: fibers run one at a time)

  void before() {
    r = this->template own_endpoints<typename Q::endpoints>(Q::make(3));
    if constexpr (TwoProducers) second = this->template own<producer_of<Q>>(r->tx.clone());
  }
  void thread(unsigned id) {
    if (id == 1 && !TwoProducers) return;
    auto& tx = id == 0 ? r->tx : *second;
    for (int k = 0; k < 4; ++k)
      if (tx.push(k) == nexus::status::ok) ++ok[id];
  }
  void check() {
    relacy_sync::verify(ok[0] + ok[1] == 3, "an exact ring of 3 took more or fewer than 3 values");
    relacy_sync::verify(r->rx.len() == 3 && r->rx.is_full(), "len() / is_full() at the bound");
  }
};

template <class Q>
struct disconnect : scenario<disconnect<Q>, 2> {
  typename Q::endpoints* r = nullptr;
  int live = 0;    // tracked values alive anywhere (plain: fibers run one at a time)
  int popped = 0;  // consumer-only
  const int n = 2 + static_cast<int>(scale);

  void before() { r = this->template own_endpoints<typename Q::endpoints>(Q::make(static_cast<std::uint64_t>(n))); }
  void thread(unsigned id) {
    if (id == 0) {
      for (int v = 1; v <= n; ++v)
        relacy_sync::verify(r->tx.push(tracked(v, &live)) == nexus::status::ok, "push into a free slot failed");
      auto gone = std::move(r->tx);
    } else {
      for (int k = 0; k < n; ++k) {
        if (auto v = r->rx.pop()) {
          relacy_sync::verify(v->value == popped + 1, "FIFO order broken");
          ++popped;
        } else if (r->rx.is_disconnected()) {
          while (auto w = r->rx.pop()) ++popped;  // the final drain after seeing disconnect
          relacy_sync::verify(popped == n, "producer gone but a pushed value is not visible");
          break;
        } else {
          relacy_sync::spin_pause();
        }
      }
      auto gone = std::move(r->rx);  // may leave values in flight
    }
  }
  void check() { relacy_sync::verify(live == 0, "the last handle did not destroy exactly the values left"); }
};

template <class Q, bool Both>
struct own_push : scenario<own_push<Q, Both>, 2> {
  typename Q::endpoints* r = nullptr;
  producer_of<Q>* second = nullptr;
  consumer_of<Q>* other = nullptr;  // thread 0's consumer clone (Both)
  int got = 0;                      // values popped in the threads (plain: fibers run one at a time)

  void before() {
    r = this->template own_endpoints<typename Q::endpoints>(Q::make(2));
    second = this->template own<producer_of<Q>>(r->tx.clone());
    if constexpr (Both) other = this->template own<consumer_of<Q>>(r->rx.clone());
  }
  void thread(unsigned id) {
    producer_of<Q>& p = id == 0 ? r->tx : *second;
    relacy_sync::verify(p.push(static_cast<int>(id) + 1) == nexus::status::ok, "push into a ring with room");
    if (id == 1 || Both) {
      consumer_of<Q>& c = id == 1 ? r->rx : *other;
      relacy_sync::verify(c.pop().has_value(), "empty although this thread's own push had completed (F11)");
      ++got;
    }
  }
  void check() {
    while (r->rx.pop()) ++got;
    relacy_sync::verify(got == 2, "a value was lost or delivered twice");
  }
};

template <class Q>
struct throwing : scenario<throwing<Q>, 2> {
  typename Q::endpoints* r = nullptr;
  int live = 0;  // fragile values alive anywhere (plain: fibers run one at a time)
  int next = 0;  // consumer-only: index into want
  static constexpr int want[] = {1, 3};
  relacy_sync::cell<int> pushed;  // successful emplaces, written before the producer ends

  void before() {
    r = this->template own_endpoints<typename Q::endpoints>(Q::make(2));
    pushed.store(0);
  }
  void take(int v) {
    relacy_sync::verify(next < 2 && v == want[next], "a value lost, duplicated or out of order around a throw");
    ++next;
  }
  void thread(unsigned id) {
    if (id == 0) {
      int done = 0;
      for (int v = 1; v <= 3; ++v) {
        try {
          nexus::status st = r->tx.emplace(v, &live, 2);
          if (st == nexus::status::full) {
            relacy_sync::spin_pause();
            st = r->tx.emplace(v, &live, 2);
          }
          if (st == nexus::status::ok) ++done;
        } catch (const injected&) {
          relacy_sync::verify(v == 2, "only value 2 throws");
        }
      }
      pushed.store(done);
    } else {
      for (int k = 0; k < 3; ++k) {
        if (auto v = r->rx.pop())
          take(v->value);
        else
          relacy_sync::spin_pause();
      }
    }
  }
  void check() {
    while (auto v = r->rx.pop()) take(v->value);
    relacy_sync::verify(next == pushed.load(), "a value pushed around a throw was lost");
    relacy_sync::verify(live == 0, "a value leaked or was destroyed twice around a throw");
    for (int v = 10; v < 13; ++v) {  // the ring still works: every slot, in turn
      relacy_sync::verify(r->tx.emplace(v, &live, 0) == nexus::status::ok, "push after a throw");
      auto w = r->rx.pop();
      relacy_sync::verify(w && w->value == v, "pop after a throw");
    }
  }
};

template <class Q>
struct two_producers : scenario<two_producers<Q>, 3> {
  typename Q::endpoints* r = nullptr;
  producer_of<Q>* second = nullptr;
  relacy_sync::cell<int> pushed_a, pushed_b;  // successful pushes, written before each producer leaves
  int got_a = 0, got_b = 0;                   // consumer-only

  void before() {
    r = this->template own_endpoints<typename Q::endpoints>(Q::make(2));
    second = this->template own<producer_of<Q>>(r->tx.clone());
    pushed_a.store(0);
    pushed_b.store(0);
  }
  void take(int v) {
    int& got = v >= 100 ? got_b : got_a;
    relacy_sync::verify(v % 100 == got + 1, "a producer's order broken");
    ++got;
  }
  bool all_arrived() const { return got_a == pushed_a.load() && got_b == pushed_b.load(); }
  void thread(unsigned id) {
    if (id == 0) {
      int n = 0;
      for (int v = 1; v <= 2 && push_retry(r->tx, v) == nexus::status::ok; ++v) n = v;
      pushed_a.store(n);
      auto gone = std::move(r->tx);
    } else if (id == 1) {
      pushed_b.store(push_retry(*second, 101) == nexus::status::ok ? 1 : 0);
      auto gone = std::move(*second);
    } else {
      if (pop_then_drain(r->rx, 3, [this](int v) { take(v); }))
        relacy_sync::verify(all_arrived(), "every producer gone but a pushed value is not visible");
    }
  }
  void check() {
    while (auto v = r->rx.pop()) take(*v);
    relacy_sync::verify(all_arrived(), "a value was lost or duplicated");
  }
};

template <class Q>
struct two_consumers : scenario<two_consumers<Q>, 3> {
  typename Q::endpoints* r = nullptr;
  consumer_of<Q>* second = nullptr;
  relacy_sync::cell<int> pushed;  // successful pushes, written before the producer leaves
  int seen[4] = {0, 0, 0, 0};     // deliveries per value (plain: fibers run one at a time)
  int last[2] = {0, 0};           // per-consumer last value

  void before() {
    r = this->template own_endpoints<typename Q::endpoints>(Q::make(2));
    second = this->template own<consumer_of<Q>>(r->rx.clone());
    pushed.store(0);
  }
  void take(unsigned c, int v) {
    relacy_sync::verify(v > last[c], "a consumer saw values out of order");
    last[c] = v;
    ++seen[v];
  }
  void thread(unsigned id) {
    if (id == 0) {
      int n = 0;
      for (int v = 1; v <= 3 && push_retry(r->tx, v) == nexus::status::ok; ++v) n = v;
      pushed.store(n);
      auto gone = std::move(r->tx);
    } else {
      consumer_of<Q>& c = id == 1 ? r->rx : *second;
      for (int k = 0; k < 2; ++k) {
        if (auto v = c.pop())
          take(id - 1, *v);
        else if (c.is_disconnected())
          break;
        else
          relacy_sync::spin_pause();
      }
    }
  }
  void check() {
    while (auto v = r->rx.pop()) take(0, *v);
    for (int v = 1; v <= 3; ++v)
      relacy_sync::verify(seen[v] == (v <= pushed.load() ? 1 : 0), "a value was lost or delivered twice");
  }
};

template <class Q>
struct no_spurious_full : scenario<no_spurious_full<Q>, 3> {
  typename Q::endpoints* r = nullptr;
  producer_of<Q>* second = nullptr;
  relacy_sync::atomic<int>* freed = nullptr;  // the consumer popped x0

  void before() {
    r = this->template own_endpoints<typename Q::endpoints>(Q::make(2));
    second = this->template own<producer_of<Q>>(r->tx.clone());
    freed = this->template own<relacy_sync::atomic<int>>(0);
  }
  void thread(unsigned id) {
    if (id == 0) {
      relacy_sync::verify(r->tx.push(1) == nexus::status::ok, "the first push failed");
      for (int k = 0; k < 2; ++k) {
        if (freed->load(acquire) == 1) {  // acquire: pairs with the consumer's release below
          relacy_sync::verify(r->tx.push(2) == nexus::status::ok, "push into a freed ring failed");
          break;
        }
        relacy_sync::spin_pause();
      }
    } else if (id == 1) {
      relacy_sync::verify(second->push(3) != nexus::status::full,
                          "spurious full: the ring never held more than one value");
    } else {
      for (int k = 0; k < 2; ++k) {
        if (auto v = r->rx.pop()) {
          if (*v == 1) freed->store(1, release);  // release: pairs with P0's acquire
          break;
        }
        relacy_sync::spin_pause();
      }
    }
  }
};

// The variants every stamped ring runs (mpsc_fifo, spmc_fifo, mpmc_fifo):
// FIFO at capacities 1 and 2 (with a wrap), the FIFO through push_n /
// pop_n (batch_cap2), the exact bound (exact3: FIFO through a ring of 4
// slots that holds 3; bounded: two producers at the bound, twin
// bounded_no_check), disconnect in both drop orders,
// a throwing constructor, the emptiness rule where it can fail (a ring
// whose producers claim), the three-thread scenarios of the side that
// claims (context bound 2), and one negative twin per order and switch
// these scenarios exercise.
template <class Ring>
variants stamped_variants() {
  using O = typename Ring::orders;
  // Three threads: context bound 2, or 1 where both sides claim and wait
  // (mpmc: bound 2 is minutes; --deeper 1 is verify/run --deep).
  constexpr search bound2{rl::sched_bound, Ring::mp && Ring::mc ? 1u : 2u};
  constexpr search bound_exact{rl::sched_bound, Ring::mp && Ring::mc ? 1u : 2u};
  variants v = {
      NEXUS_VARIANT("cap1", pass, fifo<queue_of<Ring, int>, 1, 2>),
      NEXUS_VARIANT("cap2", pass, fifo<queue_of<Ring, int>, 2, 2>),
      NEXUS_VARIANT("cap2_wrap", pass, fifo<queue_of<Ring, int>, 2, 3>),
      NEXUS_VARIANT("batch_cap2", pass, fifo_batch<queue_of<Ring, int>, 2, 2, 2>),
      // The bound's variants at context bound 2 (1 for mpmc; 5 is minutes; --deeper raises it).
      NEXUS_VARIANT_SEARCH("exact3", pass, bound_exact, fifo<exact_of<Ring, int>, 3, 4>),
      NEXUS_VARIANT_SEARCH("bounded", pass, bound_exact, bounded<exact_of<Ring, int>, Ring::mp>),
      NEXUS_VARIANT_SEARCH("bounded_no_check", fail, bound_exact,
                           bounded<exact_of<Ring, int, no_bound_check<O>>, Ring::mp>),
      NEXUS_VARIANT("disconnect", pass, disconnect<queue_of<Ring, tracked>>),
      NEXUS_VARIANT("throwing", pass, throwing<queue_of<Ring, fragile>>),
      NEXUS_VARIANT("publish_relaxed", fail, fifo<queue_of<Ring, int, publish_relaxed<O>>, 2, 2>),
      NEXUS_VARIANT("observe_relaxed", fail, fifo<queue_of<Ring, int, observe_relaxed<O>>, 2, 2>),
      NEXUS_VARIANT("free_slot_relaxed", fail, fifo<queue_of<Ring, int, free_slot_relaxed<O>>, 1, 2>),
      NEXUS_VARIANT("see_free_relaxed", fail, fifo<queue_of<Ring, int, see_free_relaxed<O>>, 1, 2>),
      NEXUS_VARIANT("batch_publish_relaxed", fail, fifo_batch<queue_of<Ring, int, publish_relaxed<O>>, 2, 2, 2>),
      NEXUS_VARIANT("batch_free_slot_relaxed", fail, fifo_batch<queue_of<Ring, int, free_slot_relaxed<O>>, 1, 2, 2>),
      NEXUS_VARIANT("leave_relaxed", fail, disconnect<queue_of<Ring, tracked, leave_relaxed<O>>>),
      NEXUS_VARIANT("see_leave_relaxed", fail, disconnect<queue_of<Ring, tracked, see_leave_relaxed<O>>>),
      NEXUS_VARIANT("release_ref_release", fail, disconnect<queue_of<Ring, tracked, release_ref_release<O>>>),
      NEXUS_VARIANT("release_ref_acquire", fail, disconnect<queue_of<Ring, tracked, release_ref_acquire<O>>>),
      NEXUS_VARIANT("release_ref_relaxed", fail, disconnect<queue_of<Ring, tracked, release_ref_relaxed<O>>>),
  };
  if constexpr (Ring::mp) {
    v = v + variants{
                NEXUS_VARIANT("own_push", pass, own_push<queue_of<Ring, int>, Ring::mc>),
                NEXUS_VARIANT("own_push_no_wait_for_claim", fail,
                              own_push<queue_of<Ring, int, no_wait_for_claim<O>>, Ring::mc>),
                NEXUS_VARIANT("throwing_claim_then_build", fail, throwing<queue_of<Ring, fragile, claim_then_build<O>>>),
                NEXUS_VARIANT_SEARCH("two_producers", pass, bound2, two_producers<queue_of<Ring, int>>),
                NEXUS_VARIANT_SEARCH("two_producers_publish_relaxed", fail, bound2,
                                     two_producers<queue_of<Ring, int, publish_relaxed<O>>>),
                NEXUS_VARIANT_SEARCH("two_producers_leave_relaxed", fail, bound2,
                                     two_producers<queue_of<Ring, int, leave_relaxed<O>>>),
                NEXUS_VARIANT_SEARCH("no_spurious_full", pass, bound2, no_spurious_full<queue_of<Ring, int>>),
                NEXUS_VARIANT_SEARCH("claim_load_relaxed", fail, bound2,
                                     no_spurious_full<queue_of<Ring, int, claim_load_relaxed<O>>>),
                NEXUS_VARIANT_SEARCH("claim_release", fail, bound2, no_spurious_full<queue_of<Ring, int, claim_release<O>>>),
                NEXUS_VARIANT_SEARCH("claim_acquire", fail, bound2, no_spurious_full<queue_of<Ring, int, claim_acquire<O>>>),
                NEXUS_VARIANT_SEARCH("claim_relaxed", fail, bound2, no_spurious_full<queue_of<Ring, int, claim_relaxed<O>>>),
            };
  } else {
    v = v + variants{
                NEXUS_VARIANT_SEARCH("two_consumers", pass, bound2, two_consumers<queue_of<Ring, int>>),
                NEXUS_VARIANT_SEARCH("two_consumers_observe_relaxed", fail, bound2,
                                     two_consumers<queue_of<Ring, int, observe_relaxed<O>>>),
                NEXUS_VARIANT_SEARCH("two_consumers_free_slot_relaxed", fail, bound2,
                                     two_consumers<queue_of<Ring, int, free_slot_relaxed<O>>>),
            };
  }
  return v;
}

}  // namespace nexus::model
