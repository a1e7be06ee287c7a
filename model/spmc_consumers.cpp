// spmc_consumers: the producer and two consumer handles (one cloned), three
// threads, context-bound search. The producer pushes 1, 2, 3 (capacity 2,
// one retry on full) and leaves; each consumer pops a bounded number of
// times, draining after it sees the producer gone; after() drains the rest.
// Every successful push is delivered to exactly one consumer, each consumer
// sees increasing values, and the CAS on head never hands one index to both.
#include "spmc_common.hpp"

using namespace nexus::model;
using namespace nexus::model::spmc_model;

template <class O>
struct two_consumers : rl::test_suite<two_consumers<O>, 3> {
  using ep = typename queue<int, O>::endpoints;
  using consumer = nexus::queue::spmc::consumer<int, relacy_sync, O>;
  ep* r = nullptr;
  consumer* second = nullptr;
  relacy_sync::cell<int> pushed;  // successful pushes, written before the producer leaves
  int seen[4] = {0, 0, 0, 0};     // deliveries per value (plain: fibers run one at a time)
  int last[2] = {0, 0};           // per-consumer last value

  void before() {
    r = make_endpoints<ep>(queue<int, O>::make(2));
    second = new consumer(r->rx.clone());
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
      for (int v = 1; v <= 3; ++v) {
        nexus::status st = r->tx.push(v);
        if (st == nexus::status::full) {
          relacy_sync::spin_pause();
          st = r->tx.push(v);
        }
        if (st != nexus::status::ok) break;
        n = v;
      }
      pushed.store(n);
      auto gone = std::move(r->tx);
    } else {
      consumer& c = id == 1 ? r->rx : *second;
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
  void after() {
    while (auto v = r->rx.pop()) take(0, *v);
    const int n = pushed.load();
    for (int v = 1; v <= 3; ++v)
      relacy_sync::verify(seen[v] == (v <= n ? 1 : 0), "a value was lost or delivered twice");
    delete second;
    delete r;
  }
};

int main(int argc, char** argv) {
  return run(argc, argv, "spmc_consumers", {rl::sched_bound, 2},
             {
                 NEXUS_VARIANT("two_consumers", pass, two_consumers<spmc_orders>),
                 NEXUS_VARIANT("observe_relaxed", fail, two_consumers<observe_relaxed>),
                 NEXUS_VARIANT("free_slot_relaxed", fail, two_consumers<free_slot_relaxed>),
             });
}
