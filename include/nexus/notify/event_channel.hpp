// nexus/notify/event_channel.hpp -- the blocking event queue: cloneable
// senders, one receiver that spins, backs off, then parks; with a disconnect
// (F7: upstream has none, so its recv blocks forever once senders stop).
//
// LAYOUT
//   an event_queue (notifier per sender, the poller in the receiver), plus a
//   channel block: refs, senders (live sender handles) and not_empty: a
//   lone_waiter (sync/blocking.hpp: the receiver's parked flag, own cache
//   line, and its parker, unparked by senders).
//
// PROTOCOL
//   sender.notify(t): queue notify; if it queued t (not conflated):
//     fence(seq_cst) [wake_fence]; if receiver_parked: unpark. A conflated
//     notify needs no wake: the notify that queued t does it.
//   receiver.recv_limit(ev, n): sync/blocking.hpp's block_on over try_recv:
//     poll; spins x (snooze, poll); then loop: receiver_parked = true;
//     fence(seq_cst) [park_fence]; poll (the re-check); if events or
//     disconnected: parked = false, return; park(); parked = false; poll;
//     return if events (a spurious or stale-token wake parks again).
//   last sender's drop: senders -= 1 (leave); unpark unconditionally (H1:
//   after the count drops, so the woken receiver sees it; the parker keeps
//   the token, and its give/take pair orders the count).
//   recv_timeout takes any duration (sync/blocking.hpp deadline_after: one
//   the clock cannot represent waits for ever).
//   A receiver that sees senders == 0 polls once more before reporting
//   status::disconnected (F1): nothing notified before the disconnect is lost.
//
// NO LOST WAKEUP (F2, fixed). "set parked, re-check the queue" against
//   "publish to the queue, check parked" is the store-buffering pattern: with
//   release/acquire alone both sides can read the other's old value and the
//   receiver parks forever. A seq_cst fence on both sides (park_fence,
//   wake_fence) rules that out: one of the two reads must see the other's
//   write. The disconnect path is the same handshake (leave + wake_fence).
//   Model driver: model/notify_channel (removing the wake or either fence is
//   reported as DEADLOCK).
//
// ATOMIC ACCESSES (named orders: `channel_orders`)
//   park_fence  fence after setting parked   seq_cst: pairs with wake_fence.
//   wake_fence  fence before reading parked  seq_cst: pairs with park_fence.
//   parked flag stores and loads             relaxed: ordered by the fences.
//   leave       senders RMW in ~sender       release: pairs with see_leave.
//   see_leave   senders load in the receiver acquire: pairs with leave; the
//                                            final poll then sees every notify.
//   join        refs/senders increments      relaxed: the caller holds a ref.
//   release_ref refs RMW in ~handle          acq_rel: the last handle frees.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>

#include "nexus/notify/event_queue.hpp"
#include "nexus/sync/block.hpp"
#include "nexus/sync/blocking.hpp"
#include "nexus/sync/ends.hpp"

namespace nexus::notify {

// This algorithm's named orders, here and nowhere else: the twins and the
// mutation audit weaken them one at a time, in this algorithm only. Other
// components' orders have the same shape; sharing them would weaken two at
// once (a deliberate repetition: issue 18).
struct channel_orders {
  static constexpr std::memory_order park_fence = std::memory_order_seq_cst;   // pairs with wake_fence
  static constexpr std::memory_order wake_fence = std::memory_order_seq_cst;   // pairs with park_fence
  // mutation-survives: every notify that queued a token is followed by wake_fence (seq_cst, hence a release fence) before the sender can leave, so a relaxed leave is already ordered after it; release is kept as the explicit pairing for see_leave (free on x86: the RMW is locked)
  static constexpr std::memory_order leave = std::memory_order_release;        // pairs with see_leave
  static constexpr std::memory_order see_leave = std::memory_order_acquire;    // pairs with leave
  // mutation-survives: the acquire half orders the peer handle's last accesses to this block (atomics only) before its destruction, the shared_ptr pattern; relacy does not model a free as racing with earlier atomic accesses, so no driver can fail (the rings' release_ref, whose blocks hold plain state, is killed)
  static constexpr std::memory_order release_ref = std::memory_order_acq_rel;  // pairs with itself
  static constexpr bool wake = true;  // false only in the model's negative twin
};

template <class Sync = std_sync, class CO = channel_orders, class O = notify_orders,
          class QO = queue::mpsc::mpsc_orders>
class sender;
template <class Sync = std_sync, class CO = channel_orders, class O = notify_orders,
          class QO = queue::mpsc::mpsc_orders>
class receiver;

namespace detail {

template <class Sync, class CO>
struct channel_block : nexus::detail::end_counts<Sync> {  // (receivers stays 1: one receiver)
  alignas(cache_line) lone_waiter<Sync, CO> not_empty;  // the receiver parks here

  static void release(channel_block* b) noexcept {
    nexus::detail::release_ref<Sync, CO::release_ref>(b, b->refs);  // acq_rel: the last handle frees
  }
};

}  // namespace detail

template <class Sync = std_sync, class CO = channel_orders, class O = notify_orders,
          class QO = queue::mpsc::mpsc_orders>
struct channel_endpoints {
  sender<Sync, CO, O, QO> tx;
  receiver<Sync, CO, O, QO> rx;
};

// Default number of backoff snoozes before the receiver parks.
inline constexpr unsigned default_spins = 8;

// Creates a blocking event channel for tokens [0, max_tokens); the receiver
// snoozes `spins` times (0: park right after the first poll) before parking.
// Errors: capacity_zero, capacity_too_large, out_of_memory.
template <class Sync = std_sync, class CO = channel_orders, class O = notify_orders,
          class QO = queue::mpsc::mpsc_orders>
result<channel_endpoints<Sync, CO, O, QO>> event_channel(std::size_t max_tokens, unsigned spins = default_spins) {
  auto q = event_queue<Sync, O, QO>(max_tokens);
  if (!q) return q.error_code();
  auto* b = nexus::detail::try_new_block<Sync, detail::channel_block<Sync, CO>>();
  if (b == nullptr) return error::out_of_memory;
  return channel_endpoints<Sync, CO, O, QO>{sender<Sync, CO, O, QO>(b, {std::move(q->tx), spins}),
                                            receiver<Sync, CO, O, QO>(b, {std::move(q->rx), spins})};
}

// A sending end: cloneable; each handle is used by one thread at a time.
template <class Sync, class CO, class O, class QO>
class sender : public nexus::detail::channel_end<detail::channel_block<Sync, CO>, notifier<Sync, O, QO>,
                                                nexus::detail::sender_side<CO>, sender<Sync, CO, O, QO>,
                                                &detail::channel_block<Sync, CO>::senders, true> {
 public:
  using sender::channel_end::channel_end;  // and clone()

  // As notifier::notify, and wakes the receiver if it is parked.
  [[nodiscard]] status notify(token t) {
    bool queued;
    const status st = this->l_.q.notify(t, queued);
    if (queued) this->s_->not_empty.notify_one();  // conflated: the notify that queued t woke it
    return st;
  }

};

// The receiving end: one owner.
template <class Sync, class CO, class O, class QO>
class receiver : public nexus::detail::channel_end<detail::channel_block<Sync, CO>, poller<Sync, O, QO>,
                                                  notify::detail::ring_side, receiver<Sync, CO, O, QO>,
                                                  &detail::channel_block<Sync, CO>::receivers, false> {
 public:
  using receiver::channel_end::channel_end;

  // Blocks until at least one event (status::ok, `ev` non-empty) or every
  // sender is gone and nothing is pending (status::disconnected).
  [[nodiscard]] status recv(events& ev) { return recv_limit(ev, std::numeric_limits<std::size_t>::max()); }

  // As recv, delivering at most `limit` events. limit 0 returns status::ok at
  // once with `ev` empty (upstream blocks forever: F7).
  [[nodiscard]] status recv_limit(events& ev, std::size_t limit) { return wait(ev, limit, nullptr); }

  // As recv_limit, but gives up at `deadline` (steady clock): status::timeout
  // with `ev` empty. A past deadline still polls once, and a disconnected,
  // drained channel reports disconnected rather than timeout (F8);
  // time_point::max() waits for ever.
  [[nodiscard]] status recv_until(events& ev, std::size_t limit, typename Sync::clock::time_point deadline) {
    return wait(ev, limit, &deadline);
  }
  // recv_until(now + d), saturating: any duration (sync/blocking.hpp).
  template <class Rep, class Period>
  [[nodiscard]] status recv_timeout(events& ev, std::chrono::duration<Rep, Period> d) {
    return recv_until(ev, std::numeric_limits<std::size_t>::max(), deadline_after<typename Sync::clock>(d));
  }

  // Non-blocking: poll / poll_limit. status::ok (events), status::empty or
  // status::disconnected (no senders and nothing pending).
  [[nodiscard]] status try_recv(events& ev) { return try_recv_limit(ev, std::numeric_limits<std::size_t>::max()); }
  // Every receive refuses a buffer part-way through a drain():
  // status::undrained, nothing received (see events).
  [[nodiscard]] status try_recv_limit(events& ev, std::size_t limit) {
    if (ev.draining()) return status::undrained;
    auto& p = this->l_.q;
    p.poll_limit(ev, limit);
    if (!ev.empty() || limit == 0) return status::ok;
    if (this->s_->senders.load(CO::see_leave) != 0) return status::empty;  // acquire: pairs with leave
    p.poll_limit(ev, limit);  // F1: a notify that raced the disconnect is still delivered
    return ev.empty() ? status::disconnected : status::ok;
  }

  bool is_disconnected() const noexcept {
    return this->s_ == nullptr || this->s_->senders.load(CO::see_leave) == 0;  // acquire: pairs with leave
  }

 private:
  status wait(events& ev, std::size_t limit, const typename Sync::clock::time_point* deadline) {
    if (ev.draining()) return status::undrained;
    if (limit == 0) return status::ok;
    return block_on<Sync>(this->s_->not_empty, this->l_.spins, deadline, status::empty,
                          [&](bool) { return try_recv_limit(ev, limit); });
  }
};

}  // namespace nexus::notify
