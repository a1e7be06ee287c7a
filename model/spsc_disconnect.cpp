// spsc_disconnect: disconnect while items are in flight, in both drop orders.
// The producer pushes 2+scale tracked values (capacity 2+scale) and disconnects. The consumer pops a
// bounded number of times; if it sees the producer gone it must then drain
// every value (F3); otherwise it disconnects with values still queued. The
// last handle must destroy exactly the values never popped (tracked counts),
// touching only slots it owns (model slots), and free the block (no leak).
#include "relacy_sync.hpp"
#include "runner.hpp"
#include "spsc_common.hpp"

using namespace nexus::model;
using namespace nexus::model::spsc_model;

template <class O>
struct disconnect : rl::test_suite<disconnect<O>, 2> {
  const int n = 2 + static_cast<int>(scale);  // more with --scale
  ring<tracked, O>* r = nullptr;
  int live = 0;    // tracked values alive anywhere (plain: fibers run one at a time)
  int popped = 0;  // consumer-only

  void before() { r = make_ring<tracked, O>(static_cast<std::uint64_t>(n)); }
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

int main(int argc, char** argv) {
  return run(argc, argv, "spsc_disconnect", {rl::sched_full},
             {
                 NEXUS_VARIANT("correct", pass, disconnect<spsc_orders>),
                 NEXUS_VARIANT("publish_relaxed", fail, disconnect<publish_relaxed>),
                 NEXUS_VARIANT("release_handle_release", fail, disconnect<release_handle_release>),
                 NEXUS_VARIANT("release_handle_acquire", fail, disconnect<release_handle_acquire>),
                 NEXUS_VARIANT("release_handle_relaxed", fail, disconnect<release_handle_relaxed>),
                 NEXUS_VARIANT("see_disconnect_relaxed", fail, disconnect<see_disconnect_relaxed>),
             });
}
