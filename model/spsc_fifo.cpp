// spsc_fifo: FIFO across laps at capacity 1 and 2; the payload lives in a
// model slot, so an unordered access to it is a DATA RACE. The producer
// pushes 1..N+scale (one retry on full) and disconnects; the consumer pops a
// bounded number of times and, if it sees the producer gone, must then drain
// everything pushed. after() drains the rest and checks nothing was lost.
#include "relacy_sync.hpp"
#include "runner.hpp"
#include "spsc_common.hpp"

using namespace nexus::model;
using namespace nexus::model::spsc_model;

template <std::uint64_t Cap, int N, class O>
struct fifo : rl::test_suite<fifo<Cap, N, O>, 2> {
  ring<int, O>* r = nullptr;
  relacy_sync::cell<int> pushed;  // written by the producer before it disconnects
  int next = 1;                   // consumer-only
  const int n = N + static_cast<int>(scale);  // items: N, more with --scale

  void before() {
    r = make_ring<int, O>(Cap);
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

int main(int argc, char** argv) {
  return run(argc, argv, "spsc_fifo", {rl::sched_full},
             {
                 NEXUS_VARIANT("cap1", pass, fifo<1, 2, spsc_orders>),
                 NEXUS_VARIANT("cap2", pass, fifo<2, 3, spsc_orders>),
                 NEXUS_VARIANT("publish_relaxed", fail, fifo<2, 3, publish_relaxed>),
                 NEXUS_VARIANT("observe_relaxed", fail, fifo<2, 3, observe_relaxed>),
                 NEXUS_VARIANT("free_slot_relaxed", fail, fifo<1, 2, free_slot_relaxed>),
                 NEXUS_VARIANT("see_free_relaxed", fail, fifo<1, 2, see_free_relaxed>),
             });
}
