// notify_channel: the blocking event channel's park protocol and the parker
// it rests on. The futex wait is modelled, so a lost wakeup is a DEADLOCK.
//  * wake (2 threads): the sender notifies token 0 once and keeps its
//    handle; the receiver (no spinning: it parks right after the first poll)
//    must receive token 0. Removing the wake, or weakening either seq_cst
//    fence of the "set parked, re-check" / "publish, check parked" handshake
//    (F2), must be reported (DEADLOCK).
//  * disconnect (2 threads; H1): the sender only leaves; the receiver must
//    return status::disconnected, never park forever.
//  * drain (2 threads; F1): notify then leave; try_recv must deliver the
//    event before it reports disconnected.
//  * parker (2 threads): unpark() hands over data written
//    before it (a model cell: a race is a DATA RACE); a token deposited
//    before park() is kept; park() never returns without the token.
#include "notify_common.hpp"

using namespace nexus::model;
using namespace nexus::model::notify_model;

template <class CO>
using chan = nexus::notify::channel_endpoints<relacy_sync, CO>;

// What both channel scenarios set up: a channel for token 0 whose receiver
// parks right after its first poll (spins 0), and the receiver's events.
template <class Self, class CO>
struct on_channel : scenario<Self, 2> {
  chan<CO>* c = nullptr;
  events* ev = nullptr;
  void before() {
    c = this->template own_endpoints<chan<CO>>(nexus::notify::event_channel<relacy_sync, CO>(1, 0));
    ev = this->template own<events>(events::with_capacity(1));
  }
};

// Notify == true: the sender notifies token 0 and keeps its handle (the
// notify's wake is the only one); the receiver's one recv must return it.
// Notify == false: the sender only leaves; recv must report disconnected.
template <class CO, bool Notify>
struct wake : on_channel<wake<CO, Notify>, CO> {
  using on_channel<wake<CO, Notify>, CO>::c;
  using on_channel<wake<CO, Notify>, CO>::ev;
  void thread(unsigned id) {
    if (id == 0) {
      if (Notify)
        must_not_fail(c->tx.notify(token(0)));
      else
        auto gone = std::move(c->tx);
    } else {
      const nexus::status st = c->rx.recv(*ev);
      if (Notify)
        relacy_sync::verify(st == nexus::status::ok && ev->size() == 1, "the event was lost");
      else
        relacy_sync::verify(st == nexus::status::disconnected, "no disconnect after the sender left");
    }
  }
};

// The sender notifies and leaves; the receiver polls with try_recv until it
// sees the disconnect, and must have the event by then (F1).
template <class CO>
struct drain : on_channel<drain<CO>, CO> {
  using on_channel<drain<CO>, CO>::c;
  using on_channel<drain<CO>, CO>::ev;
  void thread(unsigned id) {
    if (id == 0) {
      must_not_fail(c->tx.notify(token(0)));
      auto gone = std::move(c->tx);
    } else {
      bool got = false;
      for (int k = 0; k < 3; ++k) {
        const nexus::status st = c->rx.try_recv(*ev);
        if (st == nexus::status::ok) got = true;
        if (st == nexus::status::disconnected) {
          relacy_sync::verify(got, "disconnected before the last event was delivered");
          break;
        }
        relacy_sync::spin_pause();
      }
    }
  }
};

template <class PO>
struct handoff : scenario<handoff<PO>, 2> {
  nexus::parker<relacy_sync, PO>* p = nullptr;
  relacy_sync::cell<int> payload;
  void before() {
    p = this->template own<nexus::parker<relacy_sync, PO>>();
    payload.store(0);
  }
  void thread(unsigned id) {
    if (id == 0) {
      payload.store(42);
      p->unpark();
    } else {
      p->park();
      relacy_sync::verify(payload.load() == 42, "park returned before the unpark's data");
    }
  }
};


int main(int argc, char** argv) {
  // Context bound 2: full search does not finish (park loops and injected
  // spurious futex wake-ups); every lost wakeup found so far needs bound <= 2.
  return run(argc, argv, "notify_channel", {rl::sched_bound, 2},
             {
                 NEXUS_VARIANT("wake", pass, wake<channel_orders, true>),
                 NEXUS_VARIANT("disconnect", pass, wake<channel_orders, false>),
                 NEXUS_VARIANT("drain", pass, drain<channel_orders>),
                 NEXUS_VARIANT("parker", pass, handoff<nexus::parker_orders>),
                 NEXUS_VARIANT("wake_no_wake", fail, wake<no_wake<channel_orders>, true>),
                 NEXUS_VARIANT("wake_park_fence_acq_rel", fail, wake<park_fence_acq_rel<channel_orders>, true>),
                 NEXUS_VARIANT("wake_wake_fence_acq_rel", fail, wake<wake_fence_acq_rel<channel_orders>, true>),
                 NEXUS_VARIANT("disconnect_no_wake", fail, wake<no_wake<channel_orders>, false>),
                 NEXUS_VARIANT("drain_see_leave_relaxed", fail, drain<see_leave_relaxed<channel_orders>>),
                 NEXUS_VARIANT("parker_give_relaxed", fail, handoff<give_relaxed<nexus::parker_orders>>),
                 NEXUS_VARIANT("parker_take_relaxed", fail, handoff<take_relaxed<nexus::parker_orders>>),
             });
}
