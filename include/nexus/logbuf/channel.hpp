// nexus/logbuf/channel.hpp -- blocking channels of variable-length byte
// records: nexus::logbuf::channel::spsc (one sender) and ::mpsc (cloneable
// senders), on the rings of logbuf/spsc.hpp and logbuf/mpsc.hpp.
//
// LAYOUT
//   the ring's producer handle in each sender, its consumer handle in the
//   receiver; a channel block (freed by the last handle): refs, senders,
//   receivers (1 while the receiver lives), receiver_parked (own cache line)
//   with the receiver's parker, and not_full (a waitset, own cache line)
//   where blocked senders sleep.
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
//   Each publication of the head (format.hpp PUBLICATION: a freed record
//   that completes a batch of capacity/16 bytes, or an attempt that finds
//   the ring empty) is followed by not_full.notify_all(): every blocked
//   sender re-checks (they may wait for different sizes). A receiver's last
//   attempt before it parks finds the ring empty, so it never sleeps on
//   freed space the senders cannot see.
//   Dropping the last sender: release its ring handle, senders -= 1 (leave),
//   unpark the receiver unconditionally (the parker keeps the token: no lost
//   wakeup, H1). Dropping the receiver: release its ring handle, receivers =
//   0 (leave), not_full.notify_all() (H1).
//
// NO LOST WAKEUP (F2). "set parked, re-check the ring" against "commit, check
//   parked" is the store-buffering pattern: a seq_cst fence on both sides
//   (park_fence, wake_fence) makes one of the two reads see the other's
//   write. The senders' side is the waitset's handshake (waitset.hpp).
//   Model driver: model/logbuf_channel (removing a wake or weakening a fence
//   is reported as DEADLOCK).
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
#include <new>
#include <type_traits>
#include <utility>

#include "nexus/logbuf/format.hpp"
#include "nexus/logbuf/mpsc.hpp"
#include "nexus/logbuf/spsc.hpp"
#include "nexus/result.hpp"
#include "nexus/sync/backoff.hpp"
#include "nexus/sync/parker.hpp"
#include "nexus/sync/block.hpp"
#include "nexus/sync/std_sync.hpp"
#include "nexus/sync/waitset.hpp"

namespace nexus::logbuf::channel {

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

template <class Sync, class CO, class WO>
struct block {
  typename Sync::template atomic<std::uint32_t> refs{2};
  typename Sync::template atomic<std::uint32_t> senders{1};
  typename Sync::template atomic<std::uint32_t> receivers{1};
  alignas(cache_line) typename Sync::template atomic<bool> receiver_parked{false};
  parker<Sync> wake;                                // the receiver parks here
  alignas(cache_line) waitset<Sync, WO> not_full;  // senders sleep here

  // Throws std::bad_alloc.
  static block* create() { return nexus::detail::new_block<Sync, block>(); }
  static void release(block* b) noexcept {
    if (b->refs.fetch_sub(1, CO::release_ref) == 1) {  // acq_rel: the last handle frees
      nexus::detail::delete_block<Sync>(b);
    }
  }
};

// Runs after a sender's claim is committed or aborted: wakes a parked receiver.
template <class Sync, class CO, class WO>
struct wake_receiver {
  block<Sync, CO, WO>* b = nullptr;
  void operator()() const noexcept {
    Sync::fence(CO::wake_fence);  // seq_cst: pairs with park_fence in the receiver (F2)
    if (CO::wake && b->receiver_parked.load(std::memory_order_relaxed))  // relaxed: ordered by the fences
      b->wake.unpark();
  }
};

// Runs after the receiver publishes the head: wakes every blocked sender.
template <class Sync, class CO, class WO>
struct wake_senders {
  block<Sync, CO, WO>* b = nullptr;
  void operator()() const noexcept { b->not_full.notify_all(); }
};

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
  detail::block<Sync, CO, WO>* b;
  try {
    b = detail::block<Sync, CO, WO>::create();
  } catch (const std::bad_alloc&) {
    return error::out_of_memory;
  }
  return endpoints<Kind, Sync, O, CO, WO>{sender<Kind, Sync, O, CO, WO>(b, std::move(q->tx), spins),
                                          receiver<Kind, Sync, O, CO, WO>(b, std::move(q->rx), spins)};
}

namespace spsc {
// One sender, one receiver.
template <class Sync = std_sync>
auto channel(std::uint64_t capacity, unsigned spins = default_spins) {
  return make<kind::spsc, Sync>(capacity, spins);
}
template <class Sync = std_sync>
using sender = ::nexus::logbuf::channel::sender<kind::spsc, Sync>;
template <class Sync = std_sync>
using receiver = ::nexus::logbuf::channel::receiver<kind::spsc, Sync>;
}  // namespace spsc

namespace mpsc {
// Cloneable senders; dropping every sender is the shutdown signal.
template <class Sync = std_sync>
auto channel(std::uint64_t capacity, unsigned spins = default_spins) {
  return make<kind::mpsc, Sync>(capacity, spins);
}
template <class Sync = std_sync>
using sender = ::nexus::logbuf::channel::sender<kind::mpsc, Sync>;
template <class Sync = std_sync>
using receiver = ::nexus::logbuf::channel::receiver<kind::mpsc, Sync>;
}  // namespace mpsc

// A sending end. Move-only (MPSC: clone() makes another); one thread at a time.
template <class Kind, class Sync, class O, class CO, class WO>
class sender {
  using block_t = detail::block<Sync, CO, WO>;
  using ring_t = std::remove_reference_t<decltype(Kind::template make<Sync, O>(1)->tx)>;
  using time_point = typename Sync::clock::time_point;

 public:
  // The claim send() hands out: commit() or abort() wakes the receiver.
  using claim = write_claim<Sync, O, detail::wake_receiver<Sync, CO, WO>>;

  sender(sender&& o) noexcept : b_(std::exchange(o.b_, nullptr)), q_(std::move(o.q_)), spins_(o.spins_) {}
  sender& operator=(sender&& o) noexcept {
    if (this != &o) {
      reset();
      b_ = std::exchange(o.b_, nullptr);
      q_ = std::move(o.q_);
      spins_ = o.spins_;
    }
    return *this;
  }
  sender(const sender&) = delete;
  sender& operator=(const sender&) = delete;
  ~sender() { reset(); }

  // Another sender (MPSC channels). Precondition: valid().
  sender clone() const
    requires Kind::clone_senders
  {
    b_->senders.fetch_add(1, std::memory_order_relaxed);  // relaxed (join): we hold a reference
    b_->refs.fetch_add(1, std::memory_order_relaxed);     // relaxed (join): we hold a reference
    return sender(b_, q_.clone(), spins_);
  }

  // Blocks until `len` bytes can be claimed: an open claim, or an empty one
  // with status::disconnected (the receiver is gone), status::zero_length or
  // status::too_large (at once: those never succeed).
  claim send(std::size_t len) { return send_impl(len, nullptr); }
  // As send, giving up at `deadline` (status::timeout).
  claim send_until(std::size_t len, time_point deadline) { return send_impl(len, &deadline); }
  template <class Rep, class Period>
  claim send_timeout(std::size_t len, std::chrono::duration<Rep, Period> d) {
    return send_until(len, Sync::clock::now() + d);
  }
  // Never blocks: an open claim, or status::full, status::disconnected,
  // status::zero_length, status::too_large.
  claim try_send(std::size_t len) {
    if (const status st = check_len(len); st != status::ok) return st;
    return attempt(len);
  }

  // True once the receiver is gone.
  bool is_disconnected() const noexcept {
    return b_ == nullptr || b_->receivers.load(CO::see_leave) == 0;  // acquire: pairs with leave
  }
  std::uint64_t capacity() const noexcept { return q_.capacity(); }
  std::uint64_t max_payload() const noexcept { return q_.max_payload(); }
  bool valid() const noexcept { return b_ != nullptr; }

 private:
  friend result<endpoints<Kind, Sync, O, CO, WO>> make<Kind, Sync, O, CO, WO>(std::uint64_t, unsigned);
  sender(block_t* b, ring_t q, unsigned spins) noexcept : b_(b), q_(std::move(q)), spins_(spins) {}

  status check_len(std::size_t len) const noexcept {
    if (len == 0) [[unlikely]] return status::zero_length;                 // H4: before any state
    if (len > q_.max_payload()) [[unlikely]] return status::too_large;     // F9: never an endless wait
    return status::ok;
  }
  claim attempt(std::size_t len) {
    if (b_->receivers.load(CO::see_leave) == 0) return status::disconnected;  // acquire: pairs with leave
    return q_.try_claim_with(len, detail::wake_receiver<Sync, CO, WO>{b_});
  }
  claim send_impl(std::size_t len, const time_point* deadline) {
    if (const status st = check_len(len); st != status::ok) return st;
    return nexus::detail::block_on(b_->not_full, spins_, deadline, status::full, [&] { return attempt(len); });
  }
  void reset() noexcept {
    if (b_ == nullptr) return;
    block_t* b = std::exchange(b_, nullptr);
    { auto gone = std::move(q_); }                    // the ring handle first (H1)
    if (b->senders.fetch_sub(1, CO::leave) == 1) {  // release: pairs with see_leave in the receiver
      if (CO::wake) b->wake.unpark();               // the parker keeps the token: never lost (H1)
    }
    block_t::release(b);
  }

  block_t* b_;
  ring_t q_;
  unsigned spins_;
};

// The receiving end: one owner, one thread at a time.
template <class Kind, class Sync, class O, class CO, class WO>
class receiver {
  using block_t = detail::block<Sync, CO, WO>;
  using ring_t = std::remove_reference_t<decltype(Kind::template make<Sync, O>(1)->rx)>;
  using time_point = typename Sync::clock::time_point;

 public:
  // The claim recv() hands out: freeing the record wakes blocked senders
  // when that publishes the head.
  using claim = read_claim<Sync, O, detail::wake_senders<Sync, CO, WO>>;

  receiver(receiver&& o) noexcept : b_(std::exchange(o.b_, nullptr)), q_(std::move(o.q_)), spins_(o.spins_) {}
  receiver& operator=(receiver&& o) noexcept {
    if (this != &o) {
      reset();
      b_ = std::exchange(o.b_, nullptr);
      q_ = std::move(o.q_);
      spins_ = o.spins_;
    }
    return *this;
  }
  receiver(const receiver&) = delete;
  receiver& operator=(const receiver&) = delete;
  ~receiver() { reset(); }

  // Blocks until a record (an open claim) or every sender is gone and the
  // channel is drained (status::disconnected); status::busy at once while
  // the previous claim is open.
  claim recv() { return recv_impl(nullptr); }
  // As recv, giving up at `deadline` (status::timeout): a true deadline, not
  // one park (F12); a past deadline still tries once.
  claim recv_until(time_point deadline) { return recv_impl(&deadline); }
  template <class Rep, class Period>
  claim recv_timeout(std::chrono::duration<Rep, Period> d) {
    return recv_until(Sync::clock::now() + d);
  }
  // Never blocks: a record, status::empty, status::disconnected, status::busy.
  claim try_recv() { return attempt(); }

  // True once every sender is gone (records may still be waiting).
  bool is_disconnected() const noexcept {
    return b_ == nullptr || b_->senders.load(CO::see_leave) == 0;  // acquire: pairs with leave
  }
  std::uint64_t capacity() const noexcept { return q_.capacity(); }
  bool valid() const noexcept { return b_ != nullptr; }

 private:
  friend result<endpoints<Kind, Sync, O, CO, WO>> make<Kind, Sync, O, CO, WO>(std::uint64_t, unsigned);
  receiver(block_t* b, ring_t q, unsigned spins) noexcept : b_(b), q_(std::move(q)), spins_(spins) {}

  // A record; or, when the ring is empty: status::empty while senders
  // remain, else one more try (F1) and status::disconnected.
  claim attempt() {
    claim c = q_.try_claim_with(detail::wake_senders<Sync, CO, WO>{b_});
    if (c.code() != status::empty) return c;
    if (b_->senders.load(CO::see_leave) != 0) return status::empty;  // acquire: pairs with leave
    if (!CO::final_try) return status::disconnected;
    c = q_.try_claim_with(detail::wake_senders<Sync, CO, WO>{b_});  // F1: committed just before the last leave
    return c.code() == status::empty ? claim(status::disconnected) : std::move(c);
  }
  claim recv_impl(const time_point* deadline) {
    claim c = attempt();
    if (c.code() != status::empty) return c;
    backoff<Sync> bo;
    for (unsigned i = 0; i < spins_; ++i) {
      if (deadline != nullptr && Sync::clock::now() >= *deadline) break;
      bo.snooze();
      if ((c = attempt()).code() != status::empty) return c;
    }
    for (;;) {
      b_->receiver_parked.store(true, std::memory_order_relaxed);  // relaxed: ordered by park_fence
      Sync::fence(CO::park_fence);  // seq_cst: pairs with wake_fence in the claims' wake (F2)
      c = attempt();                // the re-check
      if (c.code() != status::empty) {
        b_->receiver_parked.store(false, std::memory_order_relaxed);  // relaxed: only this thread reads it next
        return c;
      }
      if (deadline == nullptr) {
        b_->wake.park();
      } else if (!b_->wake.park_until(*deadline)) {
        b_->receiver_parked.store(false, std::memory_order_relaxed);  // relaxed: as above
        c = attempt();
        return c.code() == status::empty ? claim(status::timeout) : std::move(c);
      }
      b_->receiver_parked.store(false, std::memory_order_relaxed);  // relaxed: as above
      if ((c = attempt()).code() != status::empty) return c;
      // Woken with nothing to take (an abort, a stale token): park again.
    }
  }
  void reset() noexcept {
    if (b_ == nullptr) return;
    block_t* b = std::exchange(b_, nullptr);
    { auto gone = std::move(q_); }                  // the ring handle first (H1)
    b->receivers.fetch_sub(1, CO::leave);           // release: pairs with see_leave in the senders
    b->not_full.notify_all();                       // every sleeping sender re-checks
    block_t::release(b);
  }

  block_t* b_;
  ring_t q_;
  unsigned spins_;
};

}  // namespace nexus::logbuf::channel
