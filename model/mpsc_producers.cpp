// mpsc_producers: two producer handles (one cloned) and the consumer, three
// threads, context-bound search.
//  * "two_producers": P0 pushes a1, a2; P1 pushes b1 (capacity 2, one retry
//    on full); the consumer pops a bounded number of times, after() drains.
//    Every successful push is delivered exactly once, each producer's values
//    in its own order, and the consumer that sees every producer gone has
//    already got everything.
//  * "no_spurious_full": the cross-producer regression (model/scenarios.hpp).
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

int main(int argc, char** argv) {
  return run(argc, argv, "mpsc_producers", {rl::sched_bound, 2},
             {
                 NEXUS_VARIANT("two_producers", pass, two_producers<mpsc_orders>),
                 NEXUS_VARIANT("no_spurious_full", pass, no_spurious_full<queue<int, mpsc_orders>>),
                 NEXUS_VARIANT("claim_load_relaxed", fail, no_spurious_full<queue<int, claim_load_relaxed>>),
                 NEXUS_VARIANT("claim_release", fail, no_spurious_full<queue<int, claim_release>>),
                 NEXUS_VARIANT("claim_acquire", fail, no_spurious_full<queue<int, claim_acquire>>),
                 NEXUS_VARIANT("claim_relaxed", fail, no_spurious_full<queue<int, claim_relaxed>>),
                 NEXUS_VARIANT("two_producers_publish_relaxed", fail, two_producers<publish_relaxed>),
                 NEXUS_VARIANT("two_producers_leave_relaxed", fail, two_producers<leave_relaxed>),
             });
}
