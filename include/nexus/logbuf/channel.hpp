// nexus/logbuf/channel.hpp -- blocking channels of variable-length byte
// records: nexus::logbuf::channel::spsc (one sender) and ::mpsc (cloneable
// senders), on the rings of logbuf/spsc.hpp and logbuf/mpsc.hpp.
//
// LAYOUT
//   the ring's producer handle in each sender, its consumer handle in the
//   receiver (which tracks its position word: format.hpp WAITING
//   PRODUCERS); a channel block (freed by the last handle): refs, senders,
//   receivers (1 while the receiver lives), not_empty (a lone_waiter: the
//   receiver's parked flag and parker, sync/blocking.hpp) and not_full (a
//   waitset, own cache line) where blocked senders sleep. Both sides wait
//   through sync/blocking.hpp's block_on.
//
// PROTOCOL
//   send(len): len 0 -> status::zero_length, len > max_payload ->
//     status::too_large, before anything else (H4, F9: never an endless wait).
//     attempt = { receivers == 0 (see_leave) -> disconnected; try_claim ->
//     the claim, or full -> retry }. Try once, then `spins` backoff snoozes
//     with an attempt after each, then the park loop: key = not_full.prepare();
//     attempt (the re-check); not_full.wait(key); cancel; attempt. A deadline
//     (send_until) is checked before each snooze and bounds each wait.
//   The claim's commit() or abort() (or its destructor) publishes the header,
//   then wakes the receiver: fence(seq_cst) [wake_fence]; if receiver_parked:
//   unpark. Users cannot forget to notify.
//   recv(): attempt = { consumer try_claim -> the record; empty ->
//     senders == 0 (see_leave) ? try once more (F1: a record committed just
//     before the last sender left) : empty }. Try, `spins` snoozes, then:
//     receiver_parked = true; fence(seq_cst) [park_fence]; attempt (the
//     re-check); park (park_until with a deadline); parked = false; attempt;
//     a wake-up that finds nothing (an abort, a stale token) parks again
//     until the deadline really passes (F12: a true deadline loop). A past
//     deadline still attempts once, so a drained, disconnected channel
//     reports disconnected, not timeout.
//   Every free (the read claim's consume, or skips freed in an attempt)
//   stores the position word and is followed by not_full.notify_all():
//   every blocked sender re-checks (they may wait for different sizes). So
//   a sender blocked on a full channel is given freed space as soon as the
//   receiver frees it, even if the receiver then blocks elsewhere (a
//   receive-one-then-wait protocol: request/response over two channels).
//   recv_many / try_recv_many: the same attempt over the ring's read_n
//   (format.hpp BATCH READS): the batch's frees store the position word once
//   and are followed by one not_full.notify_all(), the same handshake as a
//   single free's, after the last record of the batch.
//   Dropping the last sender: release its ring handle, senders -= 1 (leave),
//   unpark the receiver unconditionally (the parker keeps the token: no lost
//   wakeup, H1). Dropping the receiver: release its ring handle, receivers =
//   0 (leave), not_full.notify_all() (H1).
//
// NO LOST WAKEUP (F2). "set parked, re-check the ring" against "commit, check
//   parked" is the store-buffering pattern: a seq_cst fence on both sides
//   (park_fence, wake_fence) makes one of the two reads see the other's
//   write. The senders' side is the waitset's handshake (waitset.hpp).
//   The receiver's free -> senders' re-check is the same pattern: the
//   position store, then notify_all's seq_cst notify_fence, then its read of
//   the waiter count; against the sender's prepare (waiters += 1,
//   prepare_fence), then its fresh claim's read of the position word.
//   Model driver: model/logbuf_channel (removing a wake or weakening a fence
//   is reported as DEADLOCK; so is a sender that judges by the head alone,
//   in reply_wait).
//
// DEADLINES. send_timeout / recv_timeout take any duration: zero or negative
//   attempts once, one the clock cannot represent waits for ever
//   (sync/blocking.hpp deadline_after); a time_point::max() deadline too.
//
// ATOMIC ACCESSES (named orders: `channel_orders`; the waitset's in
//   waitset.hpp, the parker's in parker.hpp, the rings' in spsc.hpp/mpsc.hpp)
//   park_fence  fence after setting parked    seq_cst: pairs with wake_fence.
//   wake_fence  fence in a claim's wake,      seq_cst: pairs with park_fence.
//               before reading parked
//   parked flag stores and loads              relaxed: ordered by the fences.
//   leave       senders/receivers RMW in      release: pairs with see_leave;
//               ~handle                       the last commit happens before
//                                             the count drops.
//   see_leave   count loads in the attempts   acquire: pairs with leave, so
//                                             the final try sees every commit
//                                             (F1).
//   join        clone increments              relaxed: the caller holds a
//                                             reference.
//   release_ref refs RMW in ~handle           acq_rel: the last handle frees.
//
// LIFETIME. Close every claim before its handle is moved or destroyed (the
//   claims point into the handle and the block).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "nexus/logbuf/format.hpp"
#include "nexus/logbuf/mpsc.hpp"
#include "nexus/logbuf/spsc.hpp"
#include "nexus/result.hpp"
#include "nexus/sync/block.hpp"
#include "nexus/sync/blocking.hpp"
#include "nexus/sync/ends.hpp"
#include "nexus/sync/std_sync.hpp"
#include "nexus/sync/waitset.hpp"

namespace nexus::logbuf::channel {

// This algorithm's named orders, here and nowhere else: the twins and the
// mutation audit weaken them one at a time, in this algorithm only. Other
// components' orders have the same shape; sharing them would weaken two at
// once (a deliberate repetition: issue 18).
struct channel_orders {
  static constexpr std::memory_order park_fence = std::memory_order_seq_cst;  // pairs with wake_fence
  static constexpr std::memory_order wake_fence = std::memory_order_seq_cst;  // pairs with park_fence
  // mutation-survives: every commit or abort a sender makes is followed by wake_fence (seq_cst, hence a release fence) before the sender can leave, so a relaxed count drop is already ordered after it; release is kept as the explicit pairing for see_leave (free on x86: the RMW is locked)
  static constexpr std::memory_order leave = std::memory_order_release;  // pairs with see_leave
  static constexpr std::memory_order see_leave = std::memory_order_acquire;  // pairs with leave
  // mutation-survives: the acquire half orders the peer handle's last accesses to this block (atomics only) before its destruction, the shared_ptr pattern; relacy does not model a free as racing with earlier atomic accesses, so no driver can fail
  static constexpr std::memory_order release_ref = std::memory_order_acq_rel;  // pairs with itself
  static constexpr bool wake = true;        // false only in the model's negative twin
  static constexpr bool final_try = true;   // false only in the model's negative twin (F1)
  static constexpr bool fresh_recheck = true;  // false only in the model's negative twin (reply_wait)
};

// Which ring a channel runs on.
namespace kind {
struct spsc {
  static constexpr bool clone_senders = false;
  using orders = logbuf::spsc::spsc_orders;
  template <class Sync, class O>
  static auto make(std::uint64_t cap) { return logbuf::spsc::ring_buffer<Sync, O>(cap); }
};
struct mpsc {
  static constexpr bool clone_senders = true;
  using orders = logbuf::mpsc::mpsc_orders;
  template <class Sync, class O>
  static auto make(std::uint64_t cap) { return logbuf::mpsc::ring_buffer<Sync, O>(cap); }
};
}  // namespace kind

template <class Kind, class Sync = std_sync, class O = typename Kind::orders, class CO = channel_orders,
          class WO = waitset_orders>
class sender;
template <class Kind, class Sync = std_sync, class O = typename Kind::orders, class CO = channel_orders,
          class WO = waitset_orders>
class receiver;

namespace detail {

template <class Kind, class Sync, class O>
using ring_endpoints = std::remove_reference_t<decltype(*Kind::template make<Sync, O>(1))>;

template <class Sync, class CO, class WO>
struct block : nexus::detail::end_counts<Sync> {
  alignas(cache_line) lone_waiter<Sync, CO> not_empty;  // the receiver parks here
  alignas(cache_line) waitset<Sync, WO> not_full;      // senders sleep here

  static void release(block* b) noexcept {
    nexus::detail::release_ref<Sync, CO::release_ref>(b, b->refs);  // acq_rel: the last handle frees
  }
  // The receiver's leave (sync/ends.hpp): its ring handle just goes.
  template <class Ring>
  void on_last_receiver(Ring& rx) noexcept {
    auto gone = std::move(rx);
  }
};

// Runs after a sender's claim is committed or aborted: wakes a parked receiver.
template <class Sync, class CO, class WO>
struct wake_receiver {
  block<Sync, CO, WO>* b = nullptr;
  void operator()() const noexcept { b->not_empty.notify_one(); }
};

// Runs after the receiver frees space: wakes every blocked sender.
template <class Sync, class CO, class WO>
struct wake_senders {
  block<Sync, CO, WO>* b = nullptr;
  void operator()() const noexcept { b->not_full.notify_all(); }
};

// The ends' bases (sync/ends.hpp): senders clone where Kind allows it.
template <class Kind, class Sync, class O, class CO, class WO>
using sender_base =
    nexus::detail::channel_end<block<Sync, CO, WO>, typename ring_endpoints<Kind, Sync, O>::producer_type,
                               nexus::detail::sender_side<CO>, sender<Kind, Sync, O, CO, WO>, &block<Sync, CO, WO>::senders,
                               Kind::clone_senders>;
template <class Kind, class Sync, class O, class CO, class WO>
using receiver_base =
    nexus::detail::channel_end<block<Sync, CO, WO>, typename ring_endpoints<Kind, Sync, O>::consumer_type,
                               nexus::detail::receiver_side<CO>, receiver<Kind, Sync, O, CO, WO>,
                               &block<Sync, CO, WO>::receivers, false>;

}  // namespace detail

template <class Kind, class Sync = std_sync, class O = typename Kind::orders, class CO = channel_orders,
          class WO = waitset_orders>
struct endpoints {
  sender<Kind, Sync, O, CO, WO> tx;
  receiver<Kind, Sync, O, CO, WO> rx;
};

// Backoff snoozes before a blocked side parks: until the backoff completes
// (127 relax hints, then 4 yields), as upstream's logbuf channels.
inline constexpr unsigned default_spins = 11;

// A channel over a ring of at least `capacity` bytes; `spins` snoozes before
// parking (0: park right after the first attempt). Errors: the ring's
// (capacity_zero, capacity_too_small, capacity_too_large, out_of_memory).
template <class Kind, class Sync = std_sync, class O = typename Kind::orders, class CO = channel_orders,
          class WO = waitset_orders>
result<endpoints<Kind, Sync, O, CO, WO>> make(std::uint64_t capacity, unsigned spins = default_spins) {
  auto q = Kind::template make<Sync, O>(capacity);
  if (!q) return q.error_code();
  auto* b = nexus::detail::try_new_block<Sync, detail::block<Sync, CO, WO>>();
  if (b == nullptr) return error::out_of_memory;
  q->rx.track_position();  // WAITING PRODUCERS: blocked senders judge by the exact position
  return endpoints<Kind, Sync, O, CO, WO>{sender<Kind, Sync, O, CO, WO>(b, {std::move(q->tx), spins}),
                                          receiver<Kind, Sync, O, CO, WO>(b, {std::move(q->rx), spins})};
}

namespace spsc {
// One sender, one receiver (the ends: sender<kind::spsc>, receiver<kind::spsc>).
template <class Sync = std_sync>
auto channel(std::uint64_t capacity, unsigned spins = default_spins) {
  return make<kind::spsc, Sync>(capacity, spins);
}
}  // namespace spsc

namespace mpsc {
// Cloneable senders; dropping every sender is the shutdown signal (the
// ends: sender<kind::mpsc>, receiver<kind::mpsc>).
template <class Sync = std_sync>
auto channel(std::uint64_t capacity, unsigned spins = default_spins) {
  return make<kind::mpsc, Sync>(capacity, spins);
}
}  // namespace mpsc

// A sending end. Move-only (MPSC: clone() makes another); one thread at a time.
template <class Kind, class Sync, class O, class CO, class WO>
class sender : public detail::sender_base<Kind, Sync, O, CO, WO> {
 public:
  using sender::channel_end::channel_end;

  // The claim send() hands out: commit() or abort() wakes the receiver.
  using claim = write_claim<Sync, O, detail::wake_receiver<Sync, CO, WO>>;


  // Blocks until `len` bytes can be claimed: an open claim, or an empty one
  // with status::disconnected (the receiver is gone), status::zero_length or
  // status::too_large (at once: those never succeed).
  claim send(std::size_t len) { return send_impl(len, nullptr); }
  // As send, giving up at `deadline` (status::timeout); time_point::max()
  // waits for ever.
  claim send_until(std::size_t len, typename Sync::clock::time_point deadline) { return send_impl(len, &deadline); }
  // As send_until(now + d), saturating: any duration (sync/blocking.hpp).
  template <class Rep, class Period>
  claim send_timeout(std::size_t len, std::chrono::duration<Rep, Period> d) {
    return send_until(len, deadline_after<typename Sync::clock>(d));
  }
  // Never blocks: an open claim, or status::full, status::disconnected,
  // status::zero_length, status::too_large.
  claim try_send(std::size_t len) {
    if (const status st = check_len(len); st != status::ok) return st;
    return attempt(len, false);
  }

  // True once the receiver is gone.
  bool is_disconnected() const noexcept {
    return this->s_ == nullptr || this->s_->receivers.load(CO::see_leave) == 0;  // acquire: pairs with leave
  }
  std::uint64_t max_payload() const noexcept { return this->l_.q.max_payload(); }

 private:

  status check_len(std::size_t len) const noexcept {
    return logbuf::detail::check_length(len, this->l_.q.capacity() - 1);  // H4, F9: never an endless wait
  }
  claim attempt(std::size_t len, bool parking) {
    if (this->s_->receivers.load(CO::see_leave) == 0) return status::disconnected;  // acquire: pairs with leave
    return this->l_.q.try_claim_with(len, detail::wake_receiver<Sync, CO, WO>{this->s_}, parking && CO::fresh_recheck);
  }
  claim send_impl(std::size_t len, const typename Sync::clock::time_point* deadline) {
    if (const status st = check_len(len); st != status::ok) return st;
    return block_on<Sync>(this->s_->not_full, this->l_.spins, deadline, status::full,
                          [&](bool parking) { return attempt(len, parking); });
  }
};

// The receiving end: one owner, one thread at a time.
template <class Kind, class Sync, class O, class CO, class WO>
class receiver : public detail::receiver_base<Kind, Sync, O, CO, WO> {
 public:
  using receiver::channel_end::channel_end;

  // The claim recv() hands out: freeing the record wakes blocked senders.
  using claim = read_claim<Sync, O, detail::wake_senders<Sync, CO, WO>>;

  // Blocks until a record (an open claim) or every sender is gone and the
  // channel is drained (status::disconnected); status::busy at once while
  // the previous claim is open.
  claim recv() { return recv_impl(nullptr); }
  // As recv, giving up at `deadline` (status::timeout): a true deadline, not
  // one park (F12); a past deadline still tries once; time_point::max()
  // waits for ever.
  claim recv_until(typename Sync::clock::time_point deadline) { return recv_impl(&deadline); }
  // As recv_until(now + d), saturating: any duration (sync/blocking.hpp).
  template <class Rep, class Period>
  claim recv_timeout(std::chrono::duration<Rep, Period> d) {
    return recv_until(deadline_after<typename Sync::clock>(d));
  }
  // Never blocks: a record, status::empty, status::disconnected, status::busy.
  claim try_recv() { return attempt(); }

  // Batches (Agrona's read(handler, limit)): up to `max` records, oldest
  // first, each handed to f(const record_view&) and freed after it returns,
  // the freed space published and the senders woken once for the batch
  // (format.hpp BATCH READS). try_recv_many never blocks; recv_many blocks
  // until at least one record, then takes what is there up to max.
  // {ok, n >= 1}, or {empty | timeout | disconnected | busy, 0}; max == 0 is
  // {ok, 0} at once. A throw from f: that record stays at the head, the ones
  // before it are consumed (and the senders woken), the exception propagates.
  template <class F>
    requires std::invocable<F&, const record_view<Sync>&>
  many_result try_recv_many(F&& f, std::size_t max) {
    many_result r{status::ok, 0};
    if (max != 0) r.code = attempt_many(f, max, r.count);
    return r;
  }
  template <class F>
    requires std::invocable<F&, const record_view<Sync>&>
  many_result recv_many(F&& f, std::size_t max) {
    return recv_many_impl(f, max, nullptr);
  }
  template <class F>
    requires std::invocable<F&, const record_view<Sync>&>
  many_result recv_many_until(F&& f, std::size_t max, typename Sync::clock::time_point deadline) {
    return recv_many_impl(f, max, &deadline);
  }
  template <class F, class Rep, class Period>
    requires std::invocable<F&, const record_view<Sync>&>
  many_result recv_many_timeout(F&& f, std::size_t max, std::chrono::duration<Rep, Period> d) {
    return recv_many_until(f, max, deadline_after<typename Sync::clock>(d));
  }

  // True once every sender is gone (records may still be waiting).
  bool is_disconnected() const noexcept {
    return this->s_ == nullptr || this->s_->senders.load(CO::see_leave) == 0;  // acquire: pairs with leave
  }

 private:

  // A record; or, when the ring is empty: status::empty while senders
  // remain, else one more try (F1) and status::disconnected.
  claim attempt() {
    auto& q = this->l_.q;
    claim c = q.try_claim_with(detail::wake_senders<Sync, CO, WO>{this->s_});
    if (c.code() != status::empty) return c;
    if (this->s_->senders.load(CO::see_leave) != 0) return status::empty;  // acquire: pairs with leave
    if (!CO::final_try) return status::disconnected;
    c = q.try_claim_with(detail::wake_senders<Sync, CO, WO>{this->s_});  // F1: committed just before the last leave
    return c.code() == status::empty ? claim(status::disconnected) : std::move(c);
  }
  // As attempt(), for a batch: n records, or empty / disconnected (F1's
  // final try included) / busy with n = 0.
  template <class F>
  status attempt_many(F& f, std::size_t max, std::size_t& n) {
    auto& q = this->l_.q;
    const detail::wake_senders<Sync, CO, WO> wake{this->s_};
    many_result r = q.read_n_with(f, max, wake);
    if (r.code == status::empty) {
      if (this->s_->senders.load(CO::see_leave) != 0) return status::empty;  // acquire: pairs with leave
      if (!CO::final_try) return status::disconnected;
      r = q.read_n_with(f, max, wake);  // F1: committed just before the last leave
      if (r.code == status::empty) r.code = status::disconnected;
    }
    n = r.count;
    return r.code;
  }
  template <class F>
  many_result recv_many_impl(F& f, std::size_t max, const typename Sync::clock::time_point* deadline) {
    many_result r{status::ok, 0};
    if (max == 0) return r;
    r.code = block_on<Sync>(this->s_->not_empty, this->l_.spins, deadline, status::empty,
                            [&](bool) { return attempt_many(f, max, r.count); });
    return r;
  }
  // A wake-up that finds nothing (an abort, a stale token) parks again until
  // the deadline really passes (F12: block_on's loop).
  claim recv_impl(const typename Sync::clock::time_point* deadline) {
    return block_on<Sync>(this->s_->not_empty, this->l_.spins, deadline, status::empty, [&](bool) { return attempt(); });
  }
};

}  // namespace nexus::logbuf::channel
