// logbuf_channel: the blocking byte-record channels' park protocol
// (nexus/logbuf/channel.hpp). The futex wait is modelled, so a lost wakeup is
// a DEADLOCK. Spins 0: every blocked call parks at once. Two threads,
// context bound 2 (park loops with injected spurious futex wake-ups do not
// finish under full search).
//  * wake: the receiver blocks in recv on an empty channel; the sender sends
//    one record (commit wakes it). Removing the wake, or weakening either
//    seq_cst fence of the "set parked, re-check" / "commit, check parked"
//    handshake (F2), must be reported (DEADLOCK).
//  * blocked_send: 64 bytes hold two 16-byte records (footprint 24 each,
//    and the spsc ring keeps 8 bytes for the next header: format.hpp WHO
//    ZEROES); the sender sends a third of 8 bytes, which blocks until the
//    receiver frees one; the receiver receives three, in order, intact. Removing the senders' wake or weakening either
//    fence of the waitset handshake must be reported (DEADLOCK).
//  * blocked_send_lazy: the same over a ring that publishes freed space only
//    when the receiver finds it empty (format.hpp PUBLICATION, lazy<O>): 64
//    bytes, records of 24, 8, 16 bytes, the third needs the first's space
//    and the receiver frees two records without publishing. Not publishing
//    on empty, or publishing without waking the senders, must be reported
//    (DEADLOCK).
//  * blocked_send_many, reply_wait_many: blocked_send and reply_wait with
//    the receiver taking through recv_many (format.hpp BATCH READS: one
//    position store and one notify_all per batch); removing the senders'
//    wake, a relaxed position store or a sender that judges by the head
//    alone must be reported (DEADLOCK).
//  * head_of_line: one MPSC sender holds two claims and commits the second
//    first: that wake finds nothing deliverable, the receiver parks again and
//    the first commit's wake delivers both, in claim order.
//  * last_record (F1): send, commit, drop the sender; the receiver must get
//    the record, then status::disconnected. A relaxed see_leave, or upstream's
//    recv without the final try after seeing the disconnect, is reported.
//  * recv_drop / send_drop (H1): a receiver blocked on an empty channel, or
//    a sender blocked on a full one, must see the peer's drop.
//  * timed (F12): recv_until may time out (the model's timed waits expire at
//    any point), but never loses or duplicates the record: after a timeout
//    a blocking recv gets it, so that wait must still be woken. Removing
//    the wake or weakening either fence of the park handshake must be
//    reported (DEADLOCK).
//  * shutdown (3 threads, random search): two MPSC senders send one record
//    each and drop; the receiver receives until disconnected and gets both.
#include "logbuf_common.hpp"

using namespace nexus::model;
using namespace nexus::model::logbuf_model;

template <class CO>
struct wake : scenario<wake<CO>, 2> {
  chan<chan_kind::spsc, CO>* c = nullptr;
  void before() { c = this->template own_endpoints<chan<chan_kind::spsc, CO>>(open_chan<chan_kind::spsc, CO>(32)); }
  void thread(unsigned id) {
    if (id == 0) {
      relacy_sync::verify(send_record(c->tx, 1, 5), "send into an empty channel failed");
    } else {
      auto r = c->rx.recv();
      relacy_sync::verify(r && read_record(r) == 1, "the record was lost or torn");
    }
  }
};

// Many: the receiver takes with recv_many(f, 2): the batch's one position
// store and one notify_all must wake the blocked sender.
template <class WO, bool Many = false>
struct blocked_send : scenario<blocked_send<WO, Many>, 2> {
  chan<chan_kind::spsc, channel_orders, WO>* c = nullptr;
  static constexpr std::size_t lens[] = {16, 16, 8};
  void before() { c = this->template own_endpoints<chan<chan_kind::spsc, channel_orders, WO>>(open_chan<chan_kind::spsc, channel_orders, WO>(64)); }
  void thread(unsigned id) {
    if (id == 0) {
      for (int k = 1; k <= 3; ++k) relacy_sync::verify(send_record(c->tx, k, lens[k - 1]), "send failed");
    } else if constexpr (Many) {
      int k = 1;
      while (k <= 3) {
        const auto m = c->rx.recv_many(
            [&k](const auto& rec) { relacy_sync::verify(read_record(rec) == k++, "recv_many lost, reordered or tore a record"); },
            2);
        relacy_sync::verify(m.code == status::ok && m.count >= 1 && m.count <= 2, "recv_many: unexpected result");
      }
    } else {
      for (int k = 1; k <= 3; ++k) {
        auto r = c->rx.recv();
        relacy_sync::verify(r && read_record(r) == k, "recv lost, reordered or tore a record");
      }
    }
  }
};

// blocked_send over a lazily publishing ring (lazy<O>: freed space reaches
// the senders only when the receiver finds the ring empty). 64 bytes;
// records of 24, 8 and 16 bytes (footprints 32, 16, 24): the third wraps
// (16 bytes of padding, then 24 at 0 and the next header's 8: spsc keeps
// them, format.hpp WHO ZEROES) and needs the first one's space. The
// receiver frees records 1 and 2 without publishing; its next attempt finds
// the ring empty, publishes, and must wake the blocked sender.
template <class O>
struct blocked_send_lazy : scenario<blocked_send_lazy<O>, 2> {
  chan<chan_kind::spsc, channel_orders, waitset_orders, O>* c = nullptr;
  static constexpr std::size_t lens[] = {24, 8, 16};
  void before() { c = this->template own_endpoints<chan<chan_kind::spsc, channel_orders, waitset_orders, O>>(open_chan<chan_kind::spsc, channel_orders, waitset_orders, O>(64)); }
  void thread(unsigned id) {
    if (id == 0) {
      for (int k = 1; k <= 3; ++k) relacy_sync::verify(send_record(c->tx, k, lens[k - 1]), "send failed");
    } else {
      for (int k = 1; k <= 3; ++k) {
        auto r = c->rx.recv();
        relacy_sync::verify(r && r.size() == lens[k - 1] && read_record(r) == k,
                            "recv lost, reordered or tore a record");
      }
    }
  }
};

// The receive-one-then-wait protocol (request/response over two channels):
// the receiver takes one record and then sleeps until the sender replies (a
// futex word), freeing nothing more; the sender has filled the ring and must
// be given the freed space to send the record that precedes its reply.
// Over lazy<O> (freed space is published only when the receiver finds the
// ring empty, which it never does here), records 1 and 2 fill the ring and
// record 3 (8 bytes) needs record 1's space, over which it is written: mpsc
// 32 bytes, records of 8 (footprint 16); spsc 64 bytes, records of 24 and
// 16 (footprints 32, 24, and the next header's 8: format.hpp WHO ZEROES),
// so that record 3 wraps to 0 behind 8 bytes of padding. Skip = false: the
// receiver frees record 1. Skip = true: record 1 is an aborted claim (a skip);
// the receiver's attempt frees the skip and it keeps record 2 open until the
// reply has come, so the only space is the skip's, freed inside that attempt
// (claim_wakes). The sender's re-check must judge by the receiver's exact
// position (fresh_recheck, free_position/see_position) and be woken by the
// free (the waitset's handshake): otherwise DEADLOCK. reply_wait_mpsc: the
// same over the MPSC byte ring (its own position orders). Many: the receiver
// takes record 1 with recv_many(f, 1) (its batch's one flush frees it).
//
// The first record's claim is declared at the thread's level and checked to
// be open after the wait exactly when Skip: a claim closed earlier (it once
// lived in an inner block) frees record 2 before the wait, and that free
// wakes the sender by itself, so reply_skip_no_claim_wake passed (SUCCESS
// after 285248 iterations at bound 2, against DEADLOCK at iteration 514).
template <bool Skip, class CO = channel_orders, class WO = waitset_orders, class O = spsc_orders,
          class Kind = chan_kind::spsc, bool Many = false>
struct reply_wait : scenario<reply_wait<Skip, CO, WO, O, Kind, Many>, 2> {
  static_assert(!(Skip && Many), "the skip scenario holds a read claim; a batch holds none");
  chan<Kind, CO, WO, lazy<O>>* c = nullptr;
  relacy_sync::futex_word* reply = nullptr;
  static constexpr bool spsc = std::is_same_v<Kind, chan_kind::spsc>;
  static constexpr std::uint64_t cap = spsc ? 64 : 32;
  static constexpr std::size_t fill_lens[2] = {spsc ? 24u : 8u, spsc ? 16u : 8u};  // together they fill the ring
  void before() {
    c = this->template own_endpoints<chan<Kind, CO, WO, lazy<O>>>(open_chan<Kind, CO, WO, lazy<O>>(cap));
    reply = this->template own<relacy_sync::futex_word>(0);
    for (int k = 1; k <= 2; ++k) {
      auto w = c->tx.try_send(fill_lens[k - 1]);
      relacy_sync::verify(static_cast<bool>(w), "fill");
      write_record(w, k);
      if (Skip && k == 1)
        w.abort();
      else
        w.commit();
    }
  }
  void thread(unsigned id) {
    if (id == 0) {
      relacy_sync::verify(send_record(c->tx, 3, 8), "the send before the reply failed");
      reply->store(1, std::memory_order_release);  // release: pairs with the receiver's acquire
      relacy_sync::futex_wake_one(*reply);
    } else {
      decltype(c->rx.recv()) first = status::empty;  // the first record's claim, open across the wait with Skip
      if constexpr (Many) {  // a batch of one: record 1, freed by the batch's one flush
        const auto m = c->rx.recv_many([](const auto& rec) { relacy_sync::verify(read_record(rec) == 1, "the first record"); }, 1);
        relacy_sync::verify(m.code == status::ok && m.count == 1, "recv_many of one");
      } else {
        first = c->rx.recv();
        relacy_sync::verify(first && read_record(first) == (Skip ? 2 : 1), "the first record");
        if (!Skip) first.consume();  // frees 16 bytes; with Skip the record stays held
      }
      while (reply->load(std::memory_order_acquire) == 0)  // acquire: pairs with the sender's release
        relacy_sync::futex_wait(*reply, 0);
      relacy_sync::verify(static_cast<bool>(first) == Skip, "record 2 is held across the wait exactly when Skip");
      first.consume();  // Skip: frees record 2 now that the reply came; no effect on a closed claim
    }
  }
  void check() {
    for (int k = Skip ? 3 : 2; k <= 3; ++k) {
      auto r = c->rx.try_recv();
      relacy_sync::verify(r && read_record(r) == k, "a record after the reply");
    }
  }
};

struct head_of_line : scenario<head_of_line, 2> {
  chan<chan_kind::mpsc>* c = nullptr;
  void before() { c = this->template own_endpoints<chan<chan_kind::mpsc>>(open_chan<chan_kind::mpsc>(32)); }
  void thread(unsigned id) {
    if (id == 0) {
      auto a = c->tx.send(5);
      auto b = c->tx.send(4);
      relacy_sync::verify(a && b, "two claims in an empty channel");
      write_record(b, 2);
      b.commit();  // wakes the receiver, which must wait behind a
      write_record(a, 1);
      a.commit();
    } else {
      for (int k = 1; k <= 2; ++k) {
        auto r = c->rx.recv();
        relacy_sync::verify(r && read_record(r) == k, "records delivered out of claim order");
      }
    }
  }
};

template <class CO>
struct last_record : scenario<last_record<CO>, 2> {
  chan<chan_kind::spsc, CO>* c = nullptr;
  void before() { c = this->template own_endpoints<chan<chan_kind::spsc, CO>>(open_chan<chan_kind::spsc, CO>(32)); }
  void thread(unsigned id) {
    if (id == 0) {
      relacy_sync::verify(send_record(c->tx, 1, 5), "send");
      auto gone = std::move(c->tx);
    } else {
      {
        auto r = c->rx.recv();
        relacy_sync::verify(r && read_record(r) == 1, "the last record sent before the disconnect was lost");
      }
      relacy_sync::verify(c->rx.recv().code() == status::disconnected, "no disconnect after the sender left");
    }
  }
};

template <class CO>
struct recv_drop : scenario<recv_drop<CO>, 2> {
  chan<chan_kind::spsc, CO>* c = nullptr;
  void before() { c = this->template own_endpoints<chan<chan_kind::spsc, CO>>(open_chan<chan_kind::spsc, CO>(32)); }
  void thread(unsigned id) {
    if (id == 0)
      auto gone = std::move(c->tx);
    else
      relacy_sync::verify(c->rx.recv().code() == status::disconnected, "recv did not see the disconnect");
  }
};

template <class WO>
struct send_drop : scenario<send_drop<WO>, 2> {
  chan<chan_kind::spsc, channel_orders, WO>* c = nullptr;
  void before() {
    c = this->template own_endpoints<chan<chan_kind::spsc, channel_orders, WO>>(open_chan<chan_kind::spsc, channel_orders, WO>(32));
    // 32 bytes hold one 8-byte record (footprint 16) and the next header.
    auto w = c->tx.try_send(8);
    relacy_sync::verify(static_cast<bool>(w), "fill");
    w.commit();
    relacy_sync::verify(c->tx.try_send(8).code() == status::full, "one record fills the ring");
  }
  void thread(unsigned id) {
    if (id == 0)
      relacy_sync::verify(c->tx.send(8).code() == status::disconnected, "send did not see the disconnect");
    else
      auto gone = std::move(c->rx);
  }
};

template <class CO>
struct timed : scenario<timed<CO>, 2> {
  chan<chan_kind::spsc, CO>* c = nullptr;
  int got = 0;
  void before() { c = this->template own_endpoints<chan<chan_kind::spsc, CO>>(open_chan<chan_kind::spsc, CO>(32)); }
  void thread(unsigned id) {
    if (id == 0) {
      relacy_sync::verify(send_record(c->tx, 1, 5), "send");
    } else {
      auto r = c->rx.recv_until(relacy_sync::clock::now() + std::chrono::seconds(1));
      if (r) {
        relacy_sync::verify(read_record(r) == 1, "record torn");
        ++got;
      } else {
        relacy_sync::verify(r.code() == status::timeout, "recv_until: neither a record nor a timeout");
        auto b = c->rx.recv();
        relacy_sync::verify(b && read_record(b) == 1, "the record sent was not received after a timeout");
        ++got;
      }
    }
  }
  void check() {
    if (auto r = c->rx.try_recv()) {
      relacy_sync::verify(read_record(r) == 1, "record torn");
      ++got;
    }
    relacy_sync::verify(got == 1, "a timed recv lost or duplicated the record");
  }
};

struct shutdown : scenario<shutdown, 3> {
  chan<chan_kind::mpsc>* c = nullptr;
  nexus::logbuf::channel::sender<chan_kind::mpsc, relacy_sync>* second = nullptr;
  void before() {
    c = this->template own_endpoints<chan<chan_kind::mpsc>>(open_chan<chan_kind::mpsc>(32));
    second = this->template own<nexus::logbuf::channel::sender<chan_kind::mpsc, relacy_sync>>(c->tx.clone());
  }
  void thread(unsigned id) {
    if (id < 2) {
      auto& s = id == 0 ? c->tx : *second;
      relacy_sync::verify(send_record(s, static_cast<int>(id) + 1, 8), "send");
      auto gone = std::move(s);
    } else {
      int sum = 0;
      for (;;) {
        auto r = c->rx.recv();
        if (!r) {
          relacy_sync::verify(r.code() == status::disconnected, "recv: unexpected status");
          break;
        }
        sum += read_record(r);
      }
      relacy_sync::verify(sum == 3, "disconnected before every sender's record arrived");
    }
  }
};

// Three threads with park loops and injected spurious wake-ups do not finish
// even at context bound 1: shutdown runs under the random scheduler.
constexpr search random300k{rl::sched_random, 0, 300000};

int main(int argc, char** argv) {
  return run(argc, argv, "logbuf_channel", {rl::sched_bound, 2},
             {
                 NEXUS_VARIANT("wake", pass, wake<channel_orders>),
                 NEXUS_VARIANT("blocked_send", pass, blocked_send<waitset_orders>),
                 NEXUS_VARIANT("blocked_send_lazy", pass, blocked_send_lazy<lazy<spsc_orders>>),
                 NEXUS_VARIANT("reply_wait", pass, reply_wait<false>),
                 NEXUS_VARIANT("reply_skip", pass, reply_wait<true>),
                 NEXUS_VARIANT("reply_wait_mpsc", pass,
                               reply_wait<false, channel_orders, waitset_orders, mpsc_orders, chan_kind::mpsc>),
                 NEXUS_VARIANT("blocked_send_many", pass, blocked_send<waitset_orders, true>),
                 NEXUS_VARIANT("reply_wait_many", pass,
                               reply_wait<false, channel_orders, waitset_orders, spsc_orders, chan_kind::spsc, true>),
                 NEXUS_VARIANT("head_of_line", pass, head_of_line),
                 NEXUS_VARIANT("last_record", pass, last_record<channel_orders>),
                 NEXUS_VARIANT("recv_drop", pass, recv_drop<channel_orders>),
                 NEXUS_VARIANT("send_drop", pass, send_drop<waitset_orders>),
                 NEXUS_VARIANT("timed", pass, timed<channel_orders>),
                 NEXUS_VARIANT_SEARCH("shutdown", pass, random300k, shutdown),
                 NEXUS_VARIANT("wake_no_wake", fail, wake<no_wake<channel_orders>>),
                 NEXUS_VARIANT("wake_park_fence_acq_rel", fail, wake<park_fence_acq_rel<channel_orders>>),
                 NEXUS_VARIANT("wake_wake_fence_acq_rel", fail, wake<wake_fence_acq_rel<channel_orders>>),
                 NEXUS_VARIANT("blocked_send_no_notify", fail, blocked_send<no_wake<waitset_orders>>),
                 NEXUS_VARIANT("blocked_send_prepare_fence_acq_rel", fail, blocked_send<prepare_fence_acq_rel<waitset_orders>>),
                 NEXUS_VARIANT("blocked_send_notify_fence_acq_rel", fail, blocked_send<notify_fence_acq_rel<waitset_orders>>),
                 NEXUS_VARIANT("reply_wait_stale_recheck", fail, reply_wait<false, stale_recheck<channel_orders>>),
                 NEXUS_VARIANT("reply_wait_no_notify", fail, reply_wait<false, channel_orders, no_wake<waitset_orders>>),
                 NEXUS_VARIANT("reply_wait_prepare_fence_acq_rel", fail,
                               reply_wait<false, channel_orders, prepare_fence_acq_rel<waitset_orders>>),
                 NEXUS_VARIANT("reply_wait_notify_fence_acq_rel", fail,
                               reply_wait<false, channel_orders, notify_fence_acq_rel<waitset_orders>>),
                 NEXUS_VARIANT("reply_wait_free_position_relaxed", fail,
                               reply_wait<false, channel_orders, waitset_orders, free_position_relaxed<spsc_orders>>),
                 NEXUS_VARIANT("reply_wait_see_position_relaxed", fail,
                               reply_wait<false, channel_orders, waitset_orders, see_position_relaxed<spsc_orders>>),
                 NEXUS_VARIANT("reply_wait_mpsc_free_position_relaxed", fail,
                               reply_wait<false, channel_orders, waitset_orders, free_position_relaxed<mpsc_orders>,
                                          chan_kind::mpsc>),
                 NEXUS_VARIANT("reply_wait_mpsc_see_position_relaxed", fail,
                               reply_wait<false, channel_orders, waitset_orders, see_position_relaxed<mpsc_orders>,
                                          chan_kind::mpsc>),
                 NEXUS_VARIANT("blocked_send_many_no_notify", fail, blocked_send<no_wake<waitset_orders>, true>),
                 NEXUS_VARIANT("reply_wait_many_free_position_relaxed", fail,
                               reply_wait<false, channel_orders, waitset_orders, free_position_relaxed<spsc_orders>,
                                          chan_kind::spsc, true>),
                 NEXUS_VARIANT("reply_wait_many_stale_recheck", fail,
                               reply_wait<false, stale_recheck<channel_orders>, waitset_orders, spsc_orders,
                                          chan_kind::spsc, true>),
                 NEXUS_VARIANT("reply_skip_no_claim_wake", fail,
                               reply_wait<true, channel_orders, waitset_orders, no_claim_wake<spsc_orders>>),
                 NEXUS_VARIANT("last_record_see_leave_relaxed", fail, last_record<see_leave_relaxed<channel_orders>>),
                 NEXUS_VARIANT("last_record_no_final_try", fail, last_record<no_final_try<channel_orders>>),
                 NEXUS_VARIANT("recv_drop_no_wake", fail, recv_drop<no_wake<channel_orders>>),
                 NEXUS_VARIANT("timed_no_wake", fail, timed<no_wake<channel_orders>>),
                 NEXUS_VARIANT("timed_park_fence_acq_rel", fail, timed<park_fence_acq_rel<channel_orders>>),
                 NEXUS_VARIANT("timed_wake_fence_acq_rel", fail, timed<wake_fence_acq_rel<channel_orders>>),
                 NEXUS_VARIANT("send_drop_no_notify", fail, send_drop<no_wake<waitset_orders>>),
             });
}
