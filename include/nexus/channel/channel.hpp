// nexus/channel/channel.hpp -- blocking bounded channels of T: SPSC
// (`channel`), MPSC (`mpsc_channel`, cloneable senders) and MPMC
// (`mpmc_channel`, cloneable senders and receivers for worker pools, no
// mutex), on the lock-free rings of nexus/queue.
//
// LAYOUT
//   the ring's producer handle in each sender, its consumer handle in each
//   receiver; a channel block (freed by the last handle): refs, senders,
//   receivers, and two waitsets (event counts, own cache lines): not_empty
//   (receivers sleep there) and not_full (senders sleep there).
//
// PROTOCOL
//   send(v): attempt = { receivers == 0 (see_leave) -> disconnected, v kept;
//     push: ok -> not_empty.notify_one(); full -> retry }. Try once, then
//     `spins` backoff snoozes with an attempt after each, then the park loop:
//     key = not_full.prepare(); attempt (the re-check); wait(key); cancel;
//     attempt. recv() is the mirror (pop; on empty, senders == 0 ->
//     pop once more (F1) -> disconnected). Deadlines are checked before each
//     snooze and bound each wait; a past deadline still makes one attempt, so
//     a drained, disconnected channel reports disconnected, not timeout (F8).
//   The fast path makes no syscall: notify_one only wakes when the waitset
//   says someone may sleep (waitset.hpp: the seq_cst fence handshake, F2).
//   Dropping the last sender: release its ring handle, senders -= 1 (leave),
//   not_empty.notify_all() (H1: the woken receiver sees the count at 0).
//   Values sent and not received are destroyed by the last handle.
//
// ATOMIC ACCESSES (named orders: `channel_orders`; the waitsets' in
//   waitset.hpp, the rings' in queue/*.hpp)
//   leave       senders/receivers RMW in ~handle  release: pairs with
//                                                 see_leave; the last push
//                                                 happens before the count
//                                                 drops.
//   see_leave   count load in an attempt          acquire: pairs with leave,
//                                                 so the final pop sees every
//                                                 push (F1).
//   join        clone increments                  relaxed: the caller holds a
//                                                 reference.
//   release_ref refs RMW in ~handle               acq_rel: the last handle
//                                                 frees the block.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <new>
#include <optional>
#include <utility>

#include "nexus/queue/mpmc.hpp"
#include "nexus/queue/mpsc.hpp"
#include "nexus/queue/spsc.hpp"
#include "nexus/result.hpp"
#include "nexus/sync/backoff.hpp"
#include "nexus/sync/waitset.hpp"

namespace nexus::channel {

struct channel_orders {
  // mutation-survives: every push or pop that can precede a leave is followed by a waitset notify whose seq_cst fence is also a release fence, so a relaxed count drop is already ordered after it (model/channel_park last_item passes with leave relaxed); release is kept as the explicit pairing for see_leave (free on x86: the RMW is locked)
  static constexpr std::memory_order leave = std::memory_order_release;        // pairs with see_leave
  static constexpr std::memory_order see_leave = std::memory_order_acquire;    // pairs with leave
  // mutation-survives: the acquire half orders the peer handle's last accesses to this block (atomics only) before its destruction, the shared_ptr pattern; relacy does not model a free as racing with earlier atomic accesses, so no driver can fail (the rings' release_ref, whose blocks hold plain state, is killed)
  static constexpr std::memory_order release_ref = std::memory_order_acq_rel;  // pairs with itself
};

// The outcome of a receive: status::ok with the value, or the reason there
// is none (empty, timeout, disconnected).
template <class T>
class [[nodiscard]] recv_result {
 public:
  recv_result(status s) noexcept : st_(s) {}  // NOLINT: implicit by design
  recv_result(T&& v) : st_(status::ok), v_(std::move(v)) {}  // NOLINT
  status code() const noexcept { return st_; }
  explicit operator bool() const noexcept { return st_ == status::ok; }
  T& operator*() & noexcept { return *v_; }
  T&& operator*() && noexcept { return std::move(*v_); }
  T* operator->() noexcept { return &*v_; }
  std::optional<T>& value() & noexcept { return v_; }

 private:
  status st_;
  std::optional<T> v_;
};

// Which ring a channel runs on, and which sides may be cloned.
namespace kind {
struct spsc {
  static constexpr bool clone_senders = false, clone_receivers = false;
  template <class T, class Sync>
  static auto make(std::uint64_t cap) { return queue::spsc::ring_buffer<T, Sync>(cap); }
};
struct mpsc {
  static constexpr bool clone_senders = true, clone_receivers = false;
  template <class T, class Sync>
  static auto make(std::uint64_t cap) { return queue::mpsc::ring_buffer<T, Sync>(cap); }
};
struct mpmc {
  static constexpr bool clone_senders = true, clone_receivers = true;
  template <class T, class Sync>
  static auto make(std::uint64_t cap) { return queue::mpmc::ring_buffer<T, Sync>(cap); }
};
}  // namespace kind

template <class T, class Kind, class Sync = std_sync, class CO = channel_orders, class WO = waitset_orders>
class sender;
template <class T, class Kind, class Sync = std_sync, class CO = channel_orders, class WO = waitset_orders>
class receiver;

namespace detail {

template <class Sync, class CO, class WO>
struct block {
  typename Sync::template atomic<std::uint32_t> refs{2};
  typename Sync::template atomic<std::uint32_t> senders{1};
  typename Sync::template atomic<std::uint32_t> receivers{1};
  alignas(cache_line) waitset<Sync, WO> not_empty;  // receivers sleep here
  alignas(cache_line) waitset<Sync, WO> not_full;   // senders sleep here

  // Throws std::bad_alloc.
  static block* create() { return nexus::detail::new_block<Sync, block>(); }
  static void release(block* b) noexcept {
    if (b->refs.fetch_sub(1, CO::release_ref) == 1) {  // acq_rel: the last handle frees
      nexus::detail::delete_block<Sync>(b);
    }
  }
};

}  // namespace detail

template <class T, class Kind, class Sync = std_sync, class CO = channel_orders, class WO = waitset_orders>
struct endpoints {
  sender<T, Kind, Sync, CO, WO> tx;
  receiver<T, Kind, Sync, CO, WO> rx;
};

// Default number of backoff snoozes before a blocked side parks: 64 (the
// first 7 spin with 1..64 PAUSEs, the rest yield), so a blocked side waits
// tens of microseconds before it parks. Upstream's default is 8 (~4 us):
// shorter than one futex wake on this VM (~30 us), so a hiccup on one side
// makes both park in turn. Measured with bench/run --only channel
// (2026-11-22, 2-core VM): RTT p99 / mutex+condvar 0.40x with 8, 0.006x with
// 64, throughput 7.0x / 6.4x mutex+condvar. For mostly idle channels where
// the spinning CPU matters more, channel_with_config(cap, 1..8).
inline constexpr unsigned default_spins = 64;

template <class T, class Kind, class Sync = std_sync, class CO = channel_orders, class WO = waitset_orders>
result<endpoints<T, Kind, Sync, CO, WO>> make(std::uint64_t capacity, unsigned spins = default_spins) {
  auto q = Kind::template make<T, Sync>(capacity);
  if (!q) return q.error_code();
  detail::block<Sync, CO, WO>* b;
  try {
    b = detail::block<Sync, CO, WO>::create();
  } catch (const std::bad_alloc&) {
    return error::out_of_memory;
  }
  return endpoints<T, Kind, Sync, CO, WO>{sender<T, Kind, Sync, CO, WO>(b, std::move(q->tx), spins),
                                          receiver<T, Kind, Sync, CO, WO>(b, std::move(q->rx), spins)};
}

// SPSC: one sender, one receiver. `spins` backoff snoozes before parking
// (0: park right after the first attempt). Errors: the ring's.
template <class T, class Sync = std_sync>
auto channel(std::uint64_t capacity, unsigned spins = default_spins) {
  return make<T, kind::spsc, Sync>(capacity, spins);
}
template <class T, class Sync = std_sync>
auto channel_with_config(std::uint64_t capacity, unsigned spins) {
  return make<T, kind::spsc, Sync>(capacity, spins);
}
// MPSC: cloneable senders; dropping every sender is the shutdown signal.
template <class T, class Sync = std_sync>
auto mpsc_channel(std::uint64_t capacity, unsigned spins = default_spins) {
  return make<T, kind::mpsc, Sync>(capacity, spins);
}
// MPMC: cloneable senders and receivers; each value goes to one receiver.
template <class T, class Sync = std_sync>
auto mpmc_channel(std::uint64_t capacity, unsigned spins = default_spins) {
  return make<T, kind::mpmc, Sync>(capacity, spins);
}

template <class T, class Kind, class Sync, class CO, class WO>
class sender {
  using block_t = detail::block<Sync, CO, WO>;
  using ring_t = std::remove_reference_t<decltype(Kind::template make<T, Sync>(1)->tx)>;
  using time_point = typename Sync::clock::time_point;

 public:
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

  // Another sender (MPSC and MPMC channels). Precondition: valid().
  sender clone() const
    requires Kind::clone_senders
  {
    b_->senders.fetch_add(1, std::memory_order_relaxed);  // relaxed (join): we hold a reference
    b_->refs.fetch_add(1, std::memory_order_relaxed);     // relaxed (join): we hold a reference
    return sender(b_, q_.clone(), spins_);
  }

  // Blocks while the channel is full. status::ok, or status::disconnected
  // (every receiver is gone) with `v` untouched.
  [[nodiscard]] status send(T&& v) { return send_impl(v, nullptr); }
  [[nodiscard]] status send(const T& v) {
    T copy(v);
    return send_impl(copy, nullptr);
  }
  // As send, giving up at `deadline`: status::timeout with `v` untouched.
  [[nodiscard]] status send_until(T&& v, time_point deadline) { return send_impl(v, &deadline); }
  template <class Rep, class Period>
  [[nodiscard]] status send_timeout(T&& v, std::chrono::duration<Rep, Period> d) {
    return send_until(std::move(v), Sync::clock::now() + d);
  }
  // Never blocks: status::ok, status::full or status::disconnected; on
  // anything but ok `v` is untouched.
  [[nodiscard]] status try_send(T&& v) { return attempt(v); }

  bool is_disconnected() const noexcept {
    return b_ == nullptr || b_->receivers.load(CO::see_leave) == 0;  // acquire: pairs with leave
  }
  std::uint64_t capacity() const noexcept { return q_.capacity(); }
  bool valid() const noexcept { return b_ != nullptr; }

 private:
  friend result<endpoints<T, Kind, Sync, CO, WO>> make<T, Kind, Sync, CO, WO>(std::uint64_t, unsigned);
  sender(block_t* b, ring_t q, unsigned spins) noexcept : b_(b), q_(std::move(q)), spins_(spins) {}

  status attempt(T& v) {
    if (b_->receivers.load(CO::see_leave) == 0) return status::disconnected;  // acquire: pairs with leave
    const status st = q_.push(std::move(v));  // moves from v only on success
    if (st == status::ok) b_->not_empty.notify_one();
    return st;
  }
  status send_impl(T& v, const time_point* deadline) {
    return nexus::detail::block_on(b_->not_full, spins_, deadline, status::full, [&] { return attempt(v); });
  }
  void reset() noexcept {
    if (b_ == nullptr) return;
    block_t* b = std::exchange(b_, nullptr);
    { auto gone = std::move(q_); }                    // the ring handle first (H1)
    if (b->senders.fetch_sub(1, CO::leave) == 1)      // release: pairs with see_leave in the receivers
      b->not_empty.notify_all();                      // every sleeping receiver re-checks
    block_t::release(b);
  }

  block_t* b_;
  ring_t q_;
  unsigned spins_;
};

template <class T, class Kind, class Sync, class CO, class WO>
class receiver {
  using block_t = detail::block<Sync, CO, WO>;
  using ring_t = std::remove_reference_t<decltype(Kind::template make<T, Sync>(1)->rx)>;
  using time_point = typename Sync::clock::time_point;

 public:
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

  // Another receiver (MPMC channels). Precondition: valid().
  receiver clone() const
    requires Kind::clone_receivers
  {
    b_->receivers.fetch_add(1, std::memory_order_relaxed);  // relaxed (join): we hold a reference
    b_->refs.fetch_add(1, std::memory_order_relaxed);       // relaxed (join): we hold a reference
    return receiver(b_, q_.clone(), spins_);
  }

  // Blocks until a value (status::ok) or every sender is gone and the
  // channel is drained (status::disconnected).
  recv_result<T> recv() { return recv_impl(nullptr); }
  // As recv, giving up at `deadline` (status::timeout).
  recv_result<T> recv_until(time_point deadline) { return recv_impl(&deadline); }
  template <class Rep, class Period>
  recv_result<T> recv_timeout(std::chrono::duration<Rep, Period> d) {
    return recv_until(Sync::clock::now() + d);
  }
  // Never blocks: ok, status::empty or status::disconnected.
  recv_result<T> try_recv() {
    std::optional<T> out;
    const status st = attempt(out);
    if (st != status::ok) return st;
    return std::move(*out);
  }

  bool is_disconnected() const noexcept {
    return b_ == nullptr || b_->senders.load(CO::see_leave) == 0;  // acquire: pairs with leave
  }
  std::uint64_t capacity() const noexcept { return q_.capacity(); }
  bool valid() const noexcept { return b_ != nullptr; }

  // Iterates until the channel is disconnected and drained.
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = T*;
    using reference = T&;
    iterator() = default;
    explicit iterator(receiver* r) : r_(r) { ++*this; }
    T& operator*() noexcept { return *cur_; }
    T* operator->() noexcept { return &*cur_; }
    iterator& operator++() {
      auto x = r_->recv();
      if (x)
        cur_ = std::move(*x);
      else
        r_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.r_ == b.r_; }

   private:
    receiver* r_ = nullptr;
    std::optional<T> cur_;
  };
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  friend result<endpoints<T, Kind, Sync, CO, WO>> make<T, Kind, Sync, CO, WO>(std::uint64_t, unsigned);
  receiver(block_t* b, ring_t q, unsigned spins) noexcept : b_(b), q_(std::move(q)), spins_(spins) {}

  status attempt(std::optional<T>& out) {
    out = q_.pop();
    if (!out) {
      if (b_->senders.load(CO::see_leave) != 0) return status::empty;  // acquire: pairs with leave
      out = q_.pop();  // F1: a value sent just before the last sender left
      if (!out) return status::disconnected;
    }
    b_->not_full.notify_one();
    return status::ok;
  }
  recv_result<T> recv_impl(const time_point* deadline) {
    std::optional<T> out;
    const status st =
        nexus::detail::block_on(b_->not_empty, spins_, deadline, status::empty, [&] { return attempt(out); });
    if (st != status::ok) return st;
    return std::move(*out);
  }
  void reset() noexcept {
    if (b_ == nullptr) return;
    block_t* b = std::exchange(b_, nullptr);
    { auto gone = std::move(q_); }                  // the ring handle first (H1)
    if (b->receivers.fetch_sub(1, CO::leave) == 1)  // release: pairs with see_leave in the senders
      b->not_full.notify_all();                     // every sleeping sender re-checks
    block_t::release(b);
  }

  block_t* b_;
  ring_t q_;
  unsigned spins_;
};

}  // namespace nexus::channel
