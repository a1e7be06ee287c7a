// nexus/notify/event_channel.hpp -- the blocking event queue: cloneable
// senders, one receiver that spins, backs off, then parks; with a disconnect
// (F7: upstream has none, so its recv blocks forever once senders stop).
//
// LAYOUT
//   an event_queue (notifier per sender, the poller in the receiver), plus a
//   channel block: refs, senders (live sender handles), receiver_parked (own
//   cache line) and the receiver's parker (unparked by senders).
//
// PROTOCOL
//   sender.notify(t): queue notify; if it queued t (not conflated):
//     fence(seq_cst) [wake_fence]; if receiver_parked: unpark. A conflated
//     notify needs no wake: the notify that queued t does it.
//   receiver.recv_limit(ev, n): poll; spins x (snooze, poll); then loop:
//     receiver_parked = true; fence(seq_cst) [park_fence]; poll (the
//     re-check); if events or disconnected: parked = false, return; park();
//     parked = false; poll; return if events (a spurious or stale-token wake
//     parks again).
//   last sender's drop: senders -= 1 (leave); fence(seq_cst); unpark
//   unconditionally (H1: after the count drops, so the woken receiver sees it).
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
#include "nexus/sync/backoff.hpp"
#include "nexus/sync/parker.hpp"

namespace nexus::notify {

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
struct channel_block {
  typename Sync::template atomic<std::uint32_t> refs{2};
  typename Sync::template atomic<std::uint32_t> senders{1};
  alignas(cache_line) typename Sync::template atomic<bool> receiver_parked{false};
  alignas(cache_line) parker<Sync> wake;

  // Throws std::bad_alloc.
  static channel_block* create() { return nexus::detail::new_block<Sync, channel_block>(); }
  static void release(channel_block* b) noexcept {
    if (b->refs.fetch_sub(1, CO::release_ref) == 1) {  // acq_rel: the last handle frees
      nexus::detail::delete_block<Sync>(b);
    }
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
  detail::channel_block<Sync, CO>* b;
  try {
    b = detail::channel_block<Sync, CO>::create();
  } catch (const std::bad_alloc&) {
    return error::out_of_memory;
  }
  return channel_endpoints<Sync, CO, O, QO>{sender<Sync, CO, O, QO>(b, std::move(q->tx)),
                                            receiver<Sync, CO, O, QO>(b, std::move(q->rx), spins)};
}

// A sending end: cloneable; each handle is used by one thread at a time.
template <class Sync, class CO, class O, class QO>
class sender {
  using block_t = detail::channel_block<Sync, CO>;

 public:
  sender(sender&& o) noexcept : b_(std::exchange(o.b_, nullptr)), n_(std::move(o.n_)) {}
  sender& operator=(sender&& o) noexcept {
    if (this != &o) {
      reset();
      b_ = std::exchange(o.b_, nullptr);
      n_ = std::move(o.n_);
    }
    return *this;
  }
  sender(const sender&) = delete;
  sender& operator=(const sender&) = delete;
  ~sender() { reset(); }

  sender clone() const {
    b_->senders.fetch_add(1, std::memory_order_relaxed);  // relaxed (join): we hold a reference
    b_->refs.fetch_add(1, std::memory_order_relaxed);     // relaxed (join): we hold a reference
    return sender(b_, n_.clone());
  }

  // As notifier::notify, and wakes the receiver if it is parked.
  [[nodiscard]] status notify(token t) {
    bool queued;
    const status st = n_.notify(t, queued);
    if (!queued) return st;       // conflated (the notify that queued t wakes) or an error
    Sync::fence(CO::wake_fence);  // seq_cst: pairs with park_fence in the receiver (F2)
    if (CO::wake && b_->receiver_parked.load(std::memory_order_relaxed))  // relaxed: ordered by the fences
      b_->wake.unpark();
    return st;
  }

  std::size_t capacity() const noexcept { return n_.capacity(); }
  bool valid() const noexcept { return b_ != nullptr; }

 private:
  friend result<channel_endpoints<Sync, CO, O, QO>> event_channel<Sync, CO, O, QO>(std::size_t, unsigned);
  sender(block_t* b, notifier<Sync, O, QO> n) noexcept : b_(b), n_(std::move(n)) {}
  void reset() noexcept {
    if (b_ == nullptr) return;
    block_t* b = std::exchange(b_, nullptr);
    { auto gone = std::move(n_); }  // release the queue handle first (H1)
    if (b->senders.fetch_sub(1, CO::leave) == 1) {  // release: pairs with see_leave in the receiver
      Sync::fence(CO::wake_fence);  // seq_cst: pairs with park_fence (the disconnect is a wake, too)
      if (CO::wake) b->wake.unpark();
    }
    block_t::release(b);
  }

  block_t* b_;
  notifier<Sync, O, QO> n_;
};

// The receiving end: one owner.
template <class Sync, class CO, class O, class QO>
class receiver {
  using block_t = detail::channel_block<Sync, CO>;

 public:
  receiver(receiver&& o) noexcept : b_(std::exchange(o.b_, nullptr)), p_(std::move(o.p_)), spins_(o.spins_) {}
  receiver& operator=(receiver&& o) noexcept {
    if (this != &o) {
      reset();
      b_ = std::exchange(o.b_, nullptr);
      p_ = std::move(o.p_);
      spins_ = o.spins_;
    }
    return *this;
  }
  receiver(const receiver&) = delete;
  receiver& operator=(const receiver&) = delete;
  ~receiver() { reset(); }

  // Blocks until at least one event (status::ok, `ev` non-empty) or every
  // sender is gone and nothing is pending (status::disconnected).
  [[nodiscard]] status recv(events& ev) { return recv_limit(ev, std::numeric_limits<std::size_t>::max()); }

  // As recv, delivering at most `limit` events. limit 0 returns status::ok at
  // once with `ev` empty (upstream blocks forever: F7).
  [[nodiscard]] status recv_limit(events& ev, std::size_t limit) {
    return wait(ev, limit, nullptr);
  }

  // As recv_limit, but gives up at `deadline` (steady clock): status::timeout
  // with `ev` empty. A past deadline still polls once, and a disconnected,
  // drained channel reports disconnected rather than timeout (F8).
  [[nodiscard]] status recv_until(events& ev, std::size_t limit, typename Sync::clock::time_point deadline) {
    return wait(ev, limit, &deadline);
  }
  template <class Rep, class Period>
  [[nodiscard]] status recv_timeout(events& ev, std::chrono::duration<Rep, Period> d) {
    return recv_until(ev, std::numeric_limits<std::size_t>::max(), Sync::clock::now() + d);
  }

  // Non-blocking: poll / poll_limit. status::ok (events), status::empty or
  // status::disconnected (no senders and nothing pending).
  [[nodiscard]] status try_recv(events& ev) { return try_recv_limit(ev, std::numeric_limits<std::size_t>::max()); }
  [[nodiscard]] status try_recv_limit(events& ev, std::size_t limit) {
    p_.poll_limit(ev, limit);
    if (!ev.empty() || limit == 0) return status::ok;
    return after_empty_poll(ev, limit);
  }

  std::size_t capacity() const noexcept { return p_.capacity(); }
  bool is_disconnected() const noexcept {
    return b_ == nullptr || b_->senders.load(CO::see_leave) == 0;  // acquire: pairs with leave
  }
  bool valid() const noexcept { return b_ != nullptr; }

 private:
  friend result<channel_endpoints<Sync, CO, O, QO>> event_channel<Sync, CO, O, QO>(std::size_t, unsigned);
  receiver(block_t* b, poller<Sync, O, QO> p, unsigned spins) noexcept : b_(b), p_(std::move(p)), spins_(spins) {}

  // After an empty poll: status::empty while senders remain; otherwise poll
  // once more (F1: a notify that raced the disconnect is still delivered):
  // status::ok with events, or status::disconnected.
  status after_empty_poll(events& ev, std::size_t limit) {
    if (b_->senders.load(CO::see_leave) != 0) return status::empty;  // acquire: pairs with leave
    p_.poll_limit(ev, limit);
    return ev.empty() ? status::disconnected : status::ok;
  }

  status wait(events& ev, std::size_t limit, const typename Sync::clock::time_point* deadline) {
    p_.poll_limit(ev, limit);
    if (!ev.empty() || limit == 0) return status::ok;
    backoff<Sync> b;
    for (unsigned i = 0; i < spins_; ++i) {
      if (deadline != nullptr && Sync::clock::now() >= *deadline) break;
      b.snooze();
      p_.poll_limit(ev, limit);
      if (!ev.empty()) return status::ok;
    }
    for (;;) {
      b_->receiver_parked.store(true, std::memory_order_relaxed);  // relaxed: ordered by park_fence
      Sync::fence(CO::park_fence);  // seq_cst: pairs with wake_fence in notify and ~sender (F2)
      p_.poll_limit(ev, limit);     // the re-check
      if (!ev.empty()) break;
      if (const status st = after_empty_poll(ev, limit); st != status::empty) {
        b_->receiver_parked.store(false, std::memory_order_relaxed);  // relaxed: only this thread reads it next
        return st;
      }
      if (deadline == nullptr) {
        b_->wake.park();
      } else if (!b_->wake.park_until(*deadline)) {
        b_->receiver_parked.store(false, std::memory_order_relaxed);  // relaxed: as above
        p_.poll_limit(ev, limit);
        if (!ev.empty()) return status::ok;
        const status st = after_empty_poll(ev, limit);
        return st == status::empty ? status::timeout : st;
      }
      b_->receiver_parked.store(false, std::memory_order_relaxed);  // relaxed: as above
      p_.poll_limit(ev, limit);
      if (!ev.empty()) return status::ok;
    }
    b_->receiver_parked.store(false, std::memory_order_relaxed);  // relaxed: as above
    return status::ok;
  }

  void reset() noexcept {
    if (b_ == nullptr) return;
    { auto gone = std::move(p_); }
    block_t::release(std::exchange(b_, nullptr));
  }

  block_t* b_;
  poller<Sync, O, QO> p_;
  unsigned spins_;
};

}  // namespace nexus::notify
