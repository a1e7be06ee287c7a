// channel_rendezvous: capacity 0 on the typed channels (nexus/channel/
// channel.hpp RENDEZVOUS): a send completes only when a receiver takes the
// value. The payload `box` holds its value in a model cell and marks the
// source of every move (-1), so the sender can check, once send returns ok,
// that the receiver's move from its argument has happened (the rendezvous),
// and a move that is not ordered before the sender's next access is a DATA
// RACE. Spins 0: every blocked call parks at once; the futex wait is
// modelled, so a lost wakeup is a DEADLOCK.
//  * handoff (2 threads, SPSC): send(1), send(2) against recv, recv. Twins:
//    no_owner_wait (send returns at its offer), each of rv_offer, rv_take,
//    rv_hand relaxed, the waitsets' wake removed, either handshake fence
//    weakened. rv_see_taken has no twin: relaxed, the model still passes
//    (channel.hpp says why: the model's light fence is a full fence).
//  * two_senders (3 threads, MPSC, random search): two senders offer one
//    value each through the one slot, the receiver takes both. Twins:
//    rv_claim and rv_free relaxed (the second owner's write of the pointer
//    races the first handoff's read).
//  * timed (2 threads): send_until against recv_until, whose modelled
//    deadlines may expire at any point: the value is received exactly when
//    the send says ok, and a timed-out send keeps it.
//  * throw_retract (2 threads, SPSC): the receiver's first move throws after
//    touching the value; the sender's send_until may time out and take the
//    value back. Twin: rv_untake relaxed (DATA RACE on the value);
//    rv_retract, as rv_see_taken, has none.
//  * try_send (2 threads): recv_until (counted as waiting) against up to two
//    try_sends: ok exactly when received; a try_send never waits for ever
//    (twin no_done_wake: the receiver's timeout does not wake it, DEADLOCK).
//  * send_drop (2 threads): the receiver drops while the sender offers: the
//    send returns disconnected with its value. Twin: no wake (DEADLOCK).
#include "channel_common.hpp"

using namespace nexus::model;
using namespace nexus::model::channel_model;
namespace kind = nexus::channel::kind;
using nexus::status;

namespace {

// A value in a model cell; a move marks its source -1. basic_box<true>
// (fbox): with `*fail` set, a move writes -2 into its source, clears the
// flag and throws `injected` (only the SPSC channel takes a throwing move).
template <bool MayThrow>
struct basic_box {
  relacy_sync::cell<int> v;
  bool* fail = nullptr;
  explicit basic_box(int x, bool* f = nullptr) : v(x), fail(f) {}
  basic_box(basic_box&& o) noexcept(!MayThrow) : v(o.v.load()), fail(o.fail) {
    if (MayThrow && fail != nullptr && *fail) {
      *fail = false;
      o.v.store(-2);
      throw injected{};
    }
    o.v.store(-1);
  }
  int get() const { return v.load(); }
};
using box = basic_box<false>;
using fbox = basic_box<true>;

template <class Kind, class CO, class WO, class T = box>
using rchan = chan<T, Kind, CO, WO>;

// The sender's side of the contract: ok -> a receiver has moved from `b`
// (true); anything else must be `kept` with `b` still `v` (false).
template <class B>
bool handed(status st, const B& b, int v, status kept) {
  if (st == status::ok) {
    relacy_sync::verify(b.get() == -1, "ok before the receiver took the value");
    return true;
  }
  relacy_sync::verify(st == kept && b.get() == v, "a send that was not taken lost its value");
  return false;
}

template <class CO = channel_orders, class WO = waitset_orders>
struct handoff : scenario<handoff<CO, WO>, 2> {
  rchan<kind::spsc, CO, WO>* c = nullptr;
  void before() { c = this->template own_endpoints<rchan<kind::spsc, CO, WO>>(open_chan<box, kind::spsc, CO, WO>(0)); }
  void thread(unsigned id) {
    if (id == 0) {
      for (int i = 1; i <= 2; ++i) {
        box b(i);
        relacy_sync::verify(c->tx.send(std::move(b)) == status::ok, "send");
        relacy_sync::verify(b.get() == -1, "send returned before a receiver took the value");
      }
    } else {
      for (int want = 1; want <= 2; ++want) {
        auto r = c->rx.recv();
        relacy_sync::verify(r && r->get() == want, "recv lost or reordered a value");
      }
    }
  }
};

template <class CO = channel_orders, class WO = waitset_orders>
struct two_senders : scenario<two_senders<CO, WO>, 3> {
  rchan<kind::mpsc, CO, WO>* c = nullptr;
  nexus::channel::sender<box, kind::mpsc, relacy_sync, CO, WO>* second = nullptr;
  void before() {
    c = this->template own_endpoints<rchan<kind::mpsc, CO, WO>>(open_chan<box, kind::mpsc, CO, WO>(0));
    second = this->template own<nexus::channel::sender<box, kind::mpsc, relacy_sync, CO, WO>>(c->tx.clone());
  }
  void thread(unsigned id) {
    if (id < 2) {
      auto& s = id == 0 ? c->tx : *second;
      box b(static_cast<int>(id) + 1);
      relacy_sync::verify(s.send(std::move(b)) == status::ok, "send");
      relacy_sync::verify(b.get() == -1, "send returned before a receiver took the value");
    } else {
      int sum = 0;
      for (int k = 0; k < 2; ++k) {
        auto r = c->rx.recv();
        relacy_sync::verify(bool(r), "recv");
        sum += r->get();
      }
      relacy_sync::verify(sum == 3, "a value lost or received twice");
    }
  }
};

template <class CO = channel_orders, class WO = waitset_orders>
struct timed : scenario<timed<CO, WO>, 2> {
  rchan<kind::spsc, CO, WO>* c = nullptr;
  int sent = 0, got = 0;  // plain: fibers run one at a time; read in check()
  void before() { c = this->template own_endpoints<rchan<kind::spsc, CO, WO>>(open_chan<box, kind::spsc, CO, WO>(0)); }
  void thread(unsigned id) {
    const auto deadline = relacy_sync::clock::now() + std::chrono::seconds(1);
    if (id == 0) {
      box b(5);
      sent = handed(c->tx.send_until(std::move(b), deadline), b, 5, status::timeout) ? 1 : 0;
    } else {
      auto r = c->rx.recv_until(deadline);
      if (r) {
        relacy_sync::verify(r->get() == 5, "the value");
        got = 1;
      } else {
        relacy_sync::verify(r.code() == status::timeout, "recv_until: neither a value nor a timeout");
      }
    }
  }
  void check() { relacy_sync::verify(sent == got, "send and recv disagree on whether the value was handed over"); }
};

template <class CO = channel_orders, class WO = waitset_orders>
struct throw_retract : scenario<throw_retract<CO, WO>, 2> {
  rchan<kind::spsc, CO, WO, fbox>* c = nullptr;
  bool fail = true;  // the first move out throws
  int got = 0;
  bool sent = false;
  void before() { c = this->template own_endpoints<rchan<kind::spsc, CO, WO, fbox>>(open_chan<fbox, kind::spsc, CO, WO>(0)); }
  void thread(unsigned id) {
    const auto deadline = relacy_sync::clock::now() + std::chrono::seconds(1);
    if (id == 0) {
      fbox b(7, &fail);
      const status st = c->tx.send_until(std::move(b), deadline);
      const int left = b.get();  // races a receiver's move unless that move is ordered before
      if (st == status::ok) {
        relacy_sync::verify(left == -1, "ok before the receiver took the value");
        sent = true;
      } else {
        relacy_sync::verify(st == status::timeout && (left == 7 || left == -2), "a timed-out send lost its value");
      }
    } else {
      for (int k = 0; k < 2; ++k) {
        try {
          auto r = c->rx.recv_until(deadline);
          if (r) got = r->get();
          break;
        } catch (const injected&) {
        }
      }
    }
  }
  void check() { relacy_sync::verify(sent == (got != 0), "send and recv disagree on whether the value was handed over"); }
};

template <class CO = channel_orders, class WO = waitset_orders>
struct try_send : scenario<try_send<CO, WO>, 2> {
  rchan<kind::spsc, CO, WO>* c = nullptr;
  int sent = 0, got = 0;
  void before() { c = this->template own_endpoints<rchan<kind::spsc, CO, WO>>(open_chan<box, kind::spsc, CO, WO>(0)); }
  void thread(unsigned id) {
    if (id == 0) {
      box b(3);
      for (int k = 0; k < 2 && sent == 0; ++k) sent = handed(c->tx.try_send(std::move(b)), b, 3, status::full) ? 1 : 0;
    } else {
      auto r = c->rx.recv_until(relacy_sync::clock::now() + std::chrono::seconds(1));
      if (r) got = r->get() == 3 ? 1 : -1;
    }
  }
  void check() { relacy_sync::verify(sent == got, "try_send and recv disagree on whether the value was handed over"); }
};

template <class CO = channel_orders, class WO = waitset_orders>
struct send_drop : scenario<send_drop<CO, WO>, 2> {
  rchan<kind::spsc, CO, WO>* c = nullptr;
  void before() { c = this->template own_endpoints<rchan<kind::spsc, CO, WO>>(open_chan<box, kind::spsc, CO, WO>(0)); }
  void thread(unsigned id) {
    if (id == 0) {
      box b(4);
      relacy_sync::verify(c->tx.send(std::move(b)) == status::disconnected && b.get() == 4,
                          "send to a dropped receiver: not disconnected, or the value lost");
    } else {
      auto gone = std::move(c->rx);
    }
  }
};

// Three threads with park loops: the random scheduler, as channel_park's shutdown.
constexpr search random200k{rl::sched_random, 0, 200000};
// handoff (two handoffs through one slot) and throw_retract: context bound 2
// is 80 s and 250 s (2026-12-03); bound 1 in CI, 2 with --deeper 1.
constexpr search bound1{rl::sched_bound, 1};

}  // namespace

int main(int argc, char** argv) {
  using CO = channel_orders;
  using WO = waitset_orders;
  return run(argc, argv, "channel_rendezvous", {rl::sched_bound, 2},
             {
                 NEXUS_VARIANT_SEARCH("handoff", pass, bound1, handoff<>),
                 NEXUS_VARIANT_SEARCH("two_senders", pass, random200k, two_senders<>),
                 NEXUS_VARIANT("timed", pass, timed<>),
                 NEXUS_VARIANT_SEARCH("throw_retract", pass, bound1, throw_retract<>),
                 NEXUS_VARIANT("try_send", pass, try_send<>),
                 NEXUS_VARIANT("send_drop", pass, send_drop<>),
                 NEXUS_VARIANT("handoff_no_owner_wait", fail, handoff<no_owner_wait<CO>>),
                 NEXUS_VARIANT("handoff_offer_relaxed", fail, handoff<rv_offer_relaxed<CO>>),
                 NEXUS_VARIANT("handoff_take_relaxed", fail, handoff<rv_take_relaxed<CO>>),
                 NEXUS_VARIANT("handoff_hand_relaxed", fail, handoff<rv_hand_relaxed<CO>>),
                 NEXUS_VARIANT("handoff_no_wake", fail, handoff<CO, no_wake<WO>>),
                 NEXUS_VARIANT("handoff_prepare_fence_acq_rel", fail, handoff<CO, prepare_fence_acq_rel<WO>>),
                 NEXUS_VARIANT("handoff_notify_fence_acq_rel", fail, handoff<CO, notify_fence_acq_rel<WO>>),
                 NEXUS_VARIANT_SEARCH("two_senders_claim_relaxed", fail, random200k, two_senders<rv_claim_relaxed<CO>>),
                 NEXUS_VARIANT_SEARCH("two_senders_free_relaxed", fail, random200k, two_senders<rv_free_relaxed<CO>>),
                 NEXUS_VARIANT("throw_retract_untake_relaxed", fail, throw_retract<rv_untake_relaxed<CO>>),
                 NEXUS_VARIANT("try_send_no_done_wake", fail, try_send<no_done_wake<CO>>),
                 NEXUS_VARIANT("send_drop_no_wake", fail, send_drop<CO, no_wake<WO>>),
             });
}
