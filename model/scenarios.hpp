// model/scenarios.hpp -- the two-thread scenarios every queue shares, written
// once over a `Q` adapter (Q::endpoints, Q::make(capacity)):
//
//  fifo<Q, Cap, N>   FIFO across laps at capacity Cap with N (+ --scale)
//                    items; the payload lives in a model slot (a race on it is
//                    a DATA RACE). The producer pushes 1..n with one retry on
//                    full and disconnects; the consumer pops a bounded number
//                    of times and, if it sees the producer gone, must then
//                    drain everything pushed. after() drains the rest.
//  disconnect<Q>     disconnect while values are in flight, in both drop
//                    orders: the last handle must destroy exactly the values
//                    never popped (tracked counts), touching only slots it
//                    owns, and free the block (no leak).
#pragma once

#include "common.hpp"

namespace nexus::model {

template <class Q, std::uint64_t Cap, int N>
struct fifo : rl::test_suite<fifo<Q, Cap, N>, 2> {
  typename Q::endpoints* r = nullptr;
  relacy_sync::cell<int> pushed;  // written by the producer before it disconnects
  int next = 1;                   // consumer-only
  const int n = N + static_cast<int>(scale);

  void before() {
    r = make_endpoints<typename Q::endpoints>(Q::make(Cap));
    pushed.store(0);
  }
  void take(int v) {
    relacy_sync::verify(v == next, "FIFO order broken");
    ++next;
  }
  void thread(unsigned id) {
    if (id == 0) {
      int done = 0;
      for (int v = 1; v <= n; ++v) {
        nexus::status st = r->tx.push(v);
        if (st == nexus::status::full) {
          relacy_sync::spin_pause();
          st = r->tx.push(v);
        }
        if (st != nexus::status::ok) break;
        done = v;
      }
      pushed.store(done);
      auto gone = std::move(r->tx);  // disconnect while items may be in flight
    } else {
      for (int k = 0; k < n; ++k) {
        if (auto v = r->rx.pop())
          take(*v);
        else
          relacy_sync::spin_pause();
      }
      if (r->rx.is_disconnected()) {
        // Producer gone: everything it pushed must be visible now.
        while (auto v = r->rx.pop()) take(*v);
        relacy_sync::verify(next - 1 == pushed.load(), "disconnected but an item is missing");
      }
    }
  }
  void after() {
    while (auto v = r->rx.pop()) take(*v);
    relacy_sync::verify(next - 1 == pushed.load(), "item lost");
    delete r;  // the last handle frees the shared block (relacy reports leaks)
  }
};

template <class Q>
struct disconnect : rl::test_suite<disconnect<Q>, 2> {
  typename Q::endpoints* r = nullptr;
  int live = 0;    // tracked values alive anywhere (plain: fibers run one at a time)
  int popped = 0;  // consumer-only
  const int n = 2 + static_cast<int>(scale);

  void before() { r = make_endpoints<typename Q::endpoints>(Q::make(static_cast<std::uint64_t>(n))); }
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
  void after() {
    relacy_sync::verify(live == 0, "the last handle did not destroy exactly the values left");
    delete r;
  }
};

// no_spurious_full<Q> (3 threads): the cross-producer regression from
// verify-toolchain.md section 3. P0 pushes x0; the consumer pops it and
// raises a flag (release); P0, having seen the flag (acquire), pushes x1,
// moving the tail past the freed slot. The ring (capacity 2) never holds more
// than one value before P1's single push, so P1 must never see `full`,
// whatever tail it reads. With a relaxed tail load or CAS, P1 can read the
// tail P0 advanced but a stale stamp of the freed slot.
template <class Q>
struct no_spurious_full : rl::test_suite<no_spurious_full<Q>, 3> {
  using ep = typename Q::endpoints;
  using producer = std::remove_reference_t<decltype(std::declval<ep&>().tx)>;
  ep* r = nullptr;
  producer* second = nullptr;
  relacy_sync::atomic<int>* freed = nullptr;  // the consumer popped x0

  void before() {
    r = make_endpoints<ep>(Q::make(2));
    second = new producer(r->tx.clone());
    freed = new relacy_sync::atomic<int>(0);
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
  void after() {
    delete freed;
    delete second;
    delete r;
  }
};

}  // namespace nexus::model
