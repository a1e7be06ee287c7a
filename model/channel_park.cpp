// channel_park: the blocking channels' park protocol (model/channel_common.hpp).
// The futex wait is modelled, so a lost wakeup is a DEADLOCK. Spins 0: every
// blocked call parks at once.
//  * pingpong (2 threads): SPSC capacity 1; the sender sends 1 and 2 (the
//    second blocks on full), the receiver receives twice: 1 then 2. Removing
//    the wake or weakening either fence of the waitset handshake (F2) must
//    be reported.
//  * last_item (2 threads; F1): send(x) then drop the sender; the receiver
//    must get x, then disconnected.
//  * recv_drop (2 threads; H1): the receiver blocks on an empty channel, the
//    sender drops: recv must return disconnected.
//  * send_drop (2 threads; H1): the sender blocks on a full channel, the
//    receiver drops: send must return (disconnected with the value kept, or
//    ok if its push raced the drop and the value went with the orphans).
//  * timed (2 threads; F12): SPSC capacity 1; the sender sends 1, then
//    send_until(2); the receiver takes two values with recv_until. The
//    model's timed waits may expire at any point: a timed-out send keeps its
//    value (then sent with send), a timed-out recv took nothing (then recv):
//    both values arrive once, in order, and a wait that follows a timeout
//    is still woken (the waitset's cancel leaves it consistent). Removing
//    the wake or weakening either handshake fence must be reported.
//  * shutdown (3 threads; seed 002; random search): two MPSC senders send
//    one value each and drop; the receiver receives until disconnected and
//    gets both.
#include "channel_common.hpp"

using namespace nexus::model;
using namespace nexus::model::channel_model;
namespace kind = nexus::channel::kind;
using nexus::status;

template <class WO>
struct pingpong : scenario<pingpong<WO>, 2> {
  chan<int, kind::spsc, channel_orders, WO>* c = nullptr;
  void before() { c = this->template own_endpoints<chan<int, kind::spsc, channel_orders, WO>>(open_chan<int, kind::spsc, channel_orders, WO>(1)); }
  void thread(unsigned id) {
    if (id == 0) {
      relacy_sync::verify(c->tx.send(1) == status::ok, "send 1");
      relacy_sync::verify(c->tx.send(2) == status::ok, "send 2");
    } else {
      for (int want = 1; want <= 2; ++want) {
        auto r = c->rx.recv();
        relacy_sync::verify(r && *r == want, "recv lost or reordered a value");
      }
    }
  }
};

template <class CO>
struct last_item : scenario<last_item<CO>, 2> {
  chan<int, kind::spsc, CO>* c = nullptr;
  void before() { c = this->template own_endpoints<chan<int, kind::spsc, CO>>(open_chan<int, kind::spsc, CO>(2)); }
  void thread(unsigned id) {
    if (id == 0) {
      relacy_sync::verify(c->tx.send(7) == status::ok, "send");
      auto gone = std::move(c->tx);
    } else {
      auto r = c->rx.recv();
      relacy_sync::verify(r && *r == 7, "the last value sent before the disconnect was lost");
      relacy_sync::verify(c->rx.recv().code() == status::disconnected, "no disconnect after the sender left");
    }
  }
};

template <class WO>
struct recv_drop : scenario<recv_drop<WO>, 2> {
  chan<int, kind::spsc, channel_orders, WO>* c = nullptr;
  void before() { c = this->template own_endpoints<chan<int, kind::spsc, channel_orders, WO>>(open_chan<int, kind::spsc, channel_orders, WO>(1)); }
  void thread(unsigned id) {
    if (id == 0)
      auto gone = std::move(c->tx);
    else
      relacy_sync::verify(c->rx.recv().code() == status::disconnected, "recv did not see the disconnect");
  }
};

template <class WO>
struct send_drop : scenario<send_drop<WO>, 2> {
  chan<int, kind::spsc, channel_orders, WO>* c = nullptr;
  void before() {
    c = this->template own_endpoints<chan<int, kind::spsc, channel_orders, WO>>(open_chan<int, kind::spsc, channel_orders, WO>(1));
    relacy_sync::verify(c->tx.try_send(1) == status::ok, "fill");
  }
  void thread(unsigned id) {
    if (id == 0) {
      int v = 2;
      const status st = c->tx.send(std::move(v));
      // ok only when the push raced the drop (then the value went with the
      // receiver's orphans: model/channel_orphans); never a hang, never a
      // value lost with disconnected.
      relacy_sync::verify(st == status::ok || (st == status::disconnected && v == 2),
                          "send did not see the disconnect, or lost the value");
    } else {
      auto gone = std::move(c->rx);
    }
  }
};

template <class WO>
struct timed : scenario<timed<WO>, 2> {
  chan<int, kind::spsc, channel_orders, WO>* c = nullptr;
  void before() { c = this->template own_endpoints<chan<int, kind::spsc, channel_orders, WO>>(open_chan<int, kind::spsc, channel_orders, WO>(1)); }
  void thread(unsigned id) {
    const auto deadline = relacy_sync::clock::now() + std::chrono::seconds(1);
    if (id == 0) {
      relacy_sync::verify(c->tx.send(1) == status::ok, "send 1");
      int v = 2;
      const status s = c->tx.send_until(std::move(v), deadline);
      if (s != status::ok) {
        relacy_sync::verify(s == status::timeout && v == 2, "send_until: neither sent nor a timeout with the value kept");
        relacy_sync::verify(c->tx.send(std::move(v)) == status::ok, "send 2 after a timeout");
      }
    } else {
      for (int want = 1; want <= 2; ++want) {
        auto r = c->rx.recv_until(deadline);
        if (!r) {
          relacy_sync::verify(r.code() == status::timeout, "recv_until: neither a value nor a timeout");
          r = c->rx.recv();
        }
        relacy_sync::verify(r && *r == want, "a timed call lost, duplicated or reordered a value");
      }
    }
  }
  void check() {
    relacy_sync::verify(!c->rx.try_recv(), "a value arrived twice");
  }
};

template <class CO>
struct shutdown : scenario<shutdown<CO>, 3> {
  chan<int, kind::mpsc, CO>* c = nullptr;
  nexus::channel::sender<int, kind::mpsc, relacy_sync, CO>* second = nullptr;
  void before() {
    c = this->template own_endpoints<chan<int, kind::mpsc, CO>>(open_chan<int, kind::mpsc, CO>(2));
    second = this->template own<nexus::channel::sender<int, kind::mpsc, relacy_sync, CO>>(c->tx.clone());
  }
  void thread(unsigned id) {
    if (id < 2) {
      auto& s = id == 0 ? c->tx : *second;
      relacy_sync::verify(s.send(static_cast<int>(id) + 1) == status::ok, "send");
      auto gone = std::move(s);
    } else {
      int sum = 0;
      for (;;) {
        auto r = c->rx.recv();
        if (!r) break;
        sum += *r;
      }
      relacy_sync::verify(sum == 3, "disconnected before every sender's value arrived");
    }
  }
};

// Three threads with park loops and injected spurious wake-ups do not finish
// even at context bound 1: the shutdown scenario runs under the random
// scheduler (300k iterations in CI, 3M with --deeper 1).
constexpr search random300k{rl::sched_random, 0, 300000};
// timed: context bound 1 is 0.13 M iterations (~1 s); bound 2 (--deeper 1,
// verify/run --deep) 6.7 M (~55 s). Its twins are caught at bound 1.
constexpr search bound1{rl::sched_bound, 1};

int main(int argc, char** argv) {
  // Context bound 2 (park loops with injected spurious futex wake-ups do not
  // finish under full search); every lost wakeup found so far needs <= 2.
  return run(argc, argv, "channel_park", {rl::sched_bound, 2},
             {
                 NEXUS_VARIANT("pingpong", pass, pingpong<waitset_orders>),
                 NEXUS_VARIANT("last_item", pass, last_item<channel_orders>),
                 NEXUS_VARIANT("recv_drop", pass, recv_drop<waitset_orders>),
                 NEXUS_VARIANT("send_drop", pass, send_drop<waitset_orders>),
                 NEXUS_VARIANT_SEARCH("timed", pass, bound1, timed<waitset_orders>),
                 NEXUS_VARIANT_SEARCH("shutdown", pass, random300k, shutdown<channel_orders>),
                 NEXUS_VARIANT("pingpong_no_wake", fail, pingpong<no_wake<waitset_orders>>),
                 NEXUS_VARIANT("pingpong_prepare_fence_acq_rel", fail, pingpong<prepare_fence_acq_rel<waitset_orders>>),
                 NEXUS_VARIANT("pingpong_notify_fence_acq_rel", fail, pingpong<notify_fence_acq_rel<waitset_orders>>),
                 NEXUS_VARIANT_SEARCH("timed_no_wake", fail, bound1, timed<no_wake<waitset_orders>>),
                 NEXUS_VARIANT_SEARCH("timed_prepare_fence_acq_rel", fail, bound1, timed<prepare_fence_acq_rel<waitset_orders>>),
                 NEXUS_VARIANT_SEARCH("timed_notify_fence_acq_rel", fail, bound1, timed<notify_fence_acq_rel<waitset_orders>>),
                 NEXUS_VARIANT("recv_drop_no_wake", fail, recv_drop<no_wake<waitset_orders>>),
                 NEXUS_VARIANT("send_drop_no_wake", fail, send_drop<no_wake<waitset_orders>>),
                 NEXUS_VARIANT("last_item_see_leave_relaxed", fail, last_item<see_leave_relaxed<channel_orders>>),
             });
}
