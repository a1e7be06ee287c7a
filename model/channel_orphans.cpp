// channel_orphans: values nobody can receive any more are destroyed when the
// last receiver goes (nexus/channel/channel.hpp ORPHANS), not when the last
// sender does. Two threads: the sender sends 1, 2, 3 (try_send: a value not
// taken is the sender's and is destroyed with its temporary); the receiver
// receives one value and drops its handle. Whatever the interleaving, once
// both threads are done no value may be alive although the sender still
// holds its handle (tracked counts, checked in after() before the channel
// is freed). The sender's re-check after a push (sender_drains) and the
// store-buffering fences on both sides (drain_fence; the waitset's
// notify_fence, which the sender's re-check follows) must each be needed;
// so must the orphan lock's orders when the sender drains after the
// receiver (a DATA RACE on the kept ring handle's slots).
//  * orphans: SPSC channel, capacity 2, context bound 3.
//  * orphans_mpmc: the same on an MPMC channel, context bound 2.
#include "channel_common.hpp"

using namespace nexus::model;
using namespace nexus::model::channel_model;
namespace kind = nexus::channel::kind;
using nexus::status;

template <class Kind, class CO = channel_orders, class WO = waitset_orders>
struct orphans : scenario<orphans<Kind, CO, WO>, 2> {
  chan<tracked, Kind, CO, WO>* c = nullptr;
  int live = 0;  // tracked values alive anywhere (plain: fibers run one at a time)
  void before() { c = this->template own_endpoints<chan<tracked, Kind, CO, WO>>(open_chan<tracked, Kind, CO, WO>(2)); }
  void thread(unsigned id) {
    if (id == 0) {
      for (int v = 1; v <= 3; ++v) {
        const status st = c->tx.try_send(tracked(v, &live));
        relacy_sync::verify(st == status::ok || st == status::full || st == status::disconnected,
                            "try_send: unexpected status");
      }
    } else {
      auto r = c->rx.recv();
      relacy_sync::verify(r && r->value == 1, "the first value");
      auto gone = std::move(c->rx);
    }
  }
  void check() {
    relacy_sync::verify(live == 0, "a value outlived the last receiver (the sender still holds its handle)");
  }
};

// The MPMC ring's claims and waits: bound 3 takes minutes, bound 2 seconds.
constexpr search bound2{rl::sched_bound, 2};

int main(int argc, char** argv) {
  return run(argc, argv, "channel_orphans", {rl::sched_bound, 3},
             {
                 NEXUS_VARIANT("orphans", pass, orphans<kind::spsc>),
                 NEXUS_VARIANT_SEARCH("orphans_mpmc", pass, bound2, orphans<kind::mpmc>),
                 NEXUS_VARIANT("orphans_no_sender_drain", fail, orphans<kind::spsc, no_sender_drain<channel_orders>>),
                 NEXUS_VARIANT("orphans_drain_fence_acq_rel", fail, orphans<kind::spsc, drain_fence_acq_rel<channel_orders>>),
                 NEXUS_VARIANT("orphans_notify_fence_acq_rel", fail,
                               orphans<kind::spsc, channel_orders, notify_fence_acq_rel<waitset_orders>>),
                 NEXUS_VARIANT("orphans_drain_lock_relaxed", fail, orphans<kind::spsc, drain_lock_relaxed<channel_orders>>),
                 NEXUS_VARIANT("orphans_drain_unlock_relaxed", fail,
                               orphans<kind::spsc, drain_unlock_relaxed<channel_orders>>),
             });
}
