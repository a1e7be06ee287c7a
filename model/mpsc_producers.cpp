// mpsc_producers: two producer handles (one cloned) and the consumer, three
// threads, context-bound search.
//  * "two_producers": P0 pushes a1, a2; P1 pushes b1 (capacity 2, one retry
//    on full); the consumer pops a bounded number of times, after() drains.
//    Every successful push is delivered exactly once, each producer's values
//    in its own order, and the consumer that sees every producer gone has
//    already got everything.
//  * "no_spurious_full": the cross-producer regression from
//    verify-toolchain.md section 3. P0 pushes x0; the consumer pops it and
//    raises a flag (release); P0, having seen the flag (acquire), pushes x1,
//    moving the tail past the freed slot. The ring (capacity 2) never holds
//    more than one value before P1's single push, so P1 must never see
//    `full`, whatever tail it reads. With a relaxed tail load or CAS, P1 can
//    read the tail P0 advanced but a stale stamp of the freed slot.
#include "mpsc_common.hpp"

using namespace nexus::model;
using namespace nexus::model::mpsc_model;

template <class O>
struct two_producers : rl::test_suite<two_producers<O>, 3> {
  using ep = typename queue<int, O>::endpoints;
  using producer = nexus::queue::mpsc::producer<int, relacy_sync, O>;
  ep* r = nullptr;
  producer* second = nullptr;
  relacy_sync::cell<int> pushed_a, pushed_b;  // successful pushes, written before each producer leaves
  int got_a = 0, got_b = 0;                   // consumer-only

  void before() {
    r = make_endpoints<ep>(queue<int, O>::make(2));
    second = new producer(r->tx.clone());
    pushed_a.store(0);
    pushed_b.store(0);
  }
  static bool push_retry(producer& p, int v) {
    if (p.push(v) == nexus::status::ok) return true;
    relacy_sync::spin_pause();
    return p.push(v) == nexus::status::ok;
  }
  void take(int v) {
    if (v >= 100) {
      relacy_sync::verify(v - 100 == got_b + 1, "producer b's order broken");
      ++got_b;
    } else {
      relacy_sync::verify(v == got_a + 1, "producer a's order broken");
      ++got_a;
    }
  }
  void thread(unsigned id) {
    if (id == 0) {
      int n = 0;
      for (int v = 1; v <= 2 && push_retry(r->tx, v); ++v) n = v;
      pushed_a.store(n);
      auto gone = std::move(r->tx);
    } else if (id == 1) {
      pushed_b.store(push_retry(*second, 101) ? 1 : 0);
      auto gone = std::move(*second);
    } else {
      for (int k = 0; k < 3; ++k) {
        if (auto v = r->rx.pop())
          take(*v);
        else
          relacy_sync::spin_pause();
      }
      if (r->rx.is_disconnected()) {
        while (auto v = r->rx.pop()) take(*v);
        relacy_sync::verify(got_a == pushed_a.load() && got_b == pushed_b.load(),
                            "every producer gone but a pushed value is not visible");
      }
    }
  }
  void after() {
    while (auto v = r->rx.pop()) take(*v);
    relacy_sync::verify(got_a == pushed_a.load() && got_b == pushed_b.load(), "a value was lost or duplicated");
    delete second;
    delete r;
  }
};

template <class O>
struct no_spurious_full : rl::test_suite<no_spurious_full<O>, 3> {
  using ep = typename queue<int, O>::endpoints;
  using producer = nexus::queue::mpsc::producer<int, relacy_sync, O>;
  ep* r = nullptr;
  producer* second = nullptr;
  relacy_sync::atomic<int>* freed = nullptr;  // the consumer popped x0

  void before() {
    r = make_endpoints<ep>(queue<int, O>::make(2));
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

int main(int argc, char** argv) {
  return run(argc, argv, "mpsc_producers", {rl::sched_bound, 2},
             {
                 NEXUS_VARIANT("two_producers", pass, two_producers<mpsc_orders>),
                 NEXUS_VARIANT("no_spurious_full", pass, no_spurious_full<mpsc_orders>),
                 NEXUS_VARIANT("claim_load_relaxed", fail, no_spurious_full<claim_load_relaxed>),
                 NEXUS_VARIANT("claim_release", fail, no_spurious_full<claim_release>),
                 NEXUS_VARIANT("claim_acquire", fail, no_spurious_full<claim_acquire>),
                 NEXUS_VARIANT("claim_relaxed", fail, no_spurious_full<claim_relaxed>),
                 NEXUS_VARIANT("two_producers_publish_relaxed", fail, two_producers<publish_relaxed>),
                 NEXUS_VARIANT("two_producers_leave_relaxed", fail, two_producers<leave_relaxed>),
             });
}
