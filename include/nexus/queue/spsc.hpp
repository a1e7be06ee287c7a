// nexus/queue/spsc.hpp -- bounded single-producer single-consumer ring of T.
//
// LAYOUT
//   One shared block, freed by the last of the two handles:
//     tail     atomic u64, own cache line, written by the producer only
//     head     atomic u64, own cache line, written by the consumer only
//     handles  atomic u32, own cache line: 2, 1 after the first handle goes
//     slots    capacity x Sync::slot<T>, uninitialised; no per-slot metadata
//   producer handle: tail (its own copy), cached_head, slots, mask
//   consumer handle: head (its own copy), cached_tail, slots, mask
//   Indices are free-running 64-bit counters on every platform (no wrap in
//   practice: 2^64 pushes); slot = index & mask; capacity is a power of two.
//
// BOUND
//   The ring holds at most `bound` values: its slot count (mask + 1) from
//   ring_buffer, the exact request from ring_buffer_exact (the channels'
//   choice: at most n in flight for channel(n)). Only the full check uses
//   it; slots are still indexed by mask, and bound <= mask + 1 keeps live
//   values in distinct slots. capacity() returns bound. `spsc_orders::
//   bound_check` is false only in the model twin (model: spsc_fifo
//   `bounded`, twin `bounded_no_check`).
//
// PROTOCOL
//   push(v): if tail - cached_head == bound, refresh cached_head from head
//            (see_free); still full -> status::full, v untouched.
//            construct v in slots[tail & mask]; tail.store(tail+1, publish).
//   pop():   if head == cached_tail, refresh cached_tail from tail (observe);
//            still equal -> empty. take slots[head & mask];
//            head.store(head+1, free_slot).
//   Both are wait-free; most calls touch only the caller's own line and the
//   slot, because the cached index is refreshed only on apparent full/empty.
//   Dropping the consumer destroys every value still in the ring (values
//   nobody can pop any more go with the last receiver); values pushed after
//   that are destroyed by the last handle.
//
// EXCEPTIONS
//   Any T that is move- or copy-constructible (a copy-only T is copied in
//   and out; T need not be assignable). push / emplace construct the value
//   in the producer's own slot before publishing it: if T's constructor
//   throws, nothing is published, the ring is unchanged and push(const T&)
//   leaves the caller's value untouched (push(T&&): as the throwing move
//   left it). pop() moves the value into its result before freeing the
//   slot: if that move (copy) throws, the value is still at the head and
//   the ring unchanged. noexcept is conditional on the constructor used
//   (static_assert-checked in tests/unit).
//
// ATOMIC ACCESSES (named orders: `spsc_orders`, weakened one at a time by the
//   negative model drivers and by verify/mutation)
//   publish        tail store in push       release: pairs with `observe`; makes
//                                           the constructed slot visible.
//   observe        tail load in pop         acquire: pairs with `publish`.
//                  (pop_n, pop_spin: the same refresh)
//   free_slot      head store in pop        release: pairs with `see_free`; the
//                                           slot's read happens before its reuse.
//   see_free       head load in push        acquire: pairs with `free_slot`.
//                  (push_n, push_spin: the same refresh)
//   release_handle handles RMW in ~handle   acq_rel: release publishes this side's
//                                           last index store to the peer's
//                                           `see_disconnect` and to the last
//                                           handle; acquire lets the last handle
//                                           see the peer's final indices before
//                                           destroying [head, tail).
//   see_disconnect handles load in          acquire: pairs with `release_handle`,
//                  is_disconnected()        so a consumer that sees the producer
//                                           gone also sees every pushed item (F3).
//   Own-index loads in the last handle's cleanup are relaxed: the acquire RMW
//   on `handles` already ordered them.
//
// BATCHES
//   push_n(first, last) / push_n(range): constructs as many values as there
//     are free slots (refreshing cached_head once if the cache shows too few),
//     then one tail store (publish) for all of them; returns how many.
//   pop_n(out, max): takes up to max values (refreshing cached_tail once if
//     the cache shows fewer), assigning each to *out++, then one head store
//     (free_slot) for all of them; returns how many.
//   A throw (T's constructor in push_n, the hand-over to `out` in pop_n) is
//   exactly the single-op guarantee at the value that threw: the values
//   before it are published (pushed, or taken and freed), that value and
//   the rest are not, and the exception propagates. Model driver:
//   model/spsc_fifo batch variants (twins: each order weakened).
//
// SPINNING
//   pop_spin(): waits by spinning until a value is there, then is pop():
//     the value, or nullopt once the producer is gone and every value it
//     pushed has been taken (the last look follows the see_disconnect
//     acquire, so it sees every push: nothing sent before a disconnect is
//     lost).
//   push_spin(v): waits by spinning until there is room, then is push():
//     status::ok, or status::disconnected (v untouched) when the consumer
//     is gone and the ring is full. (A consumer that leaves frees every
//     slot, so a push_spin after it succeeds until the ring is full again,
//     as push does.)
//   `spsc_orders::last_look` is false only in the model twins (spsc_fifo
//   `spin_no_last_look`, `spin_consumer_leaves_no_last_look`): without the
//   look after the disconnect, pop_spin loses values pushed before it and
//   push_spin reports a ring the consumer's leave emptied as full.
//   Between two looks at the other side's index they wait as
//   sync/backoff.hpp's poll_backoff says (0 to 256 relax hints, adapting to
//   how much the last look found), and never yield, park or make a
//   syscall: for a thread that owns its core. The looks are the same
//   refresh as pop's / push's (observe / see_free), so the orders and their
//   evidence are the ones above (model: spsc_fifo `spin*`). Why wait at
//   all: a consumer that re-reads `tail` after every value it takes pulls
//   that line from the producer once per value, and the producer's next
//   tail store waits for it; with the wait, one look finds tens of values.
//   Cost: under a stream a value may wait up to 256 hints before it is seen;
//   a lone value (ping-pong) is seen within a hint or two. Precondition of
//   both: valid(). The wait's state is the handle's own (no shared memory).
//
// SNAPSHOTS (LEN)
//   len(), is_empty(), is_full() on either handle: tail - head, with the
//   caller's own index exact and the peer's read relaxed (a snapshot; it
//   orders nothing and pairs with nothing). Every push and pop that happens
//   before the call is counted (coherence); one running concurrently on the
//   peer may or may not be. The result is always in [0, capacity]: the
//   peer's index only moves one way and is read no older than the caller's
//   cached copy. Exact when the peer is idle. Precondition: valid().
//
// INVARIANTS
//   0 <= tail - head <= bound <= mask + 1; slots [head, tail) hold live values;
//   cached_head <= head and cached_tail <= tail (stale only in the safe
//   direction). The last handle destroys exactly the values in [head, tail).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <ranges>
#include <type_traits>
#include <utility>

#include "nexus/queue/detail/ring.hpp"
#include "nexus/result.hpp"
#include "nexus/sync/backoff.hpp"
#include "nexus/sync/block.hpp"
#include "nexus/sync/std_sync.hpp"

namespace nexus::queue::spsc {

// This algorithm's named orders, here and nowhere else: the twins and the
// mutation audit weaken them one at a time, in this algorithm only. Other
// components' orders have the same shape; sharing them would weaken two at
// once (a deliberate repetition: issue 18).
struct spsc_orders {
  static constexpr std::memory_order publish = std::memory_order_release;         // pairs with observe
  static constexpr std::memory_order observe = std::memory_order_acquire;         // pairs with publish
  static constexpr std::memory_order free_slot = std::memory_order_release;       // pairs with see_free
  static constexpr std::memory_order see_free = std::memory_order_acquire;        // pairs with free_slot
  static constexpr std::memory_order release_handle = std::memory_order_acq_rel;  // pairs with see_disconnect / itself
  static constexpr std::memory_order see_disconnect = std::memory_order_acquire;  // pairs with release_handle
  static constexpr bool bound_check = true;  // false only in a model twin: full at the slots, not the bound (BOUND)
  static constexpr bool last_look = true;  // false only in a model twin: no look after the disconnect (SPINNING)
};

template <class T, class Sync = std_sync, class O = spsc_orders>
class producer;
template <class T, class Sync = std_sync, class O = spsc_orders>
class consumer;

namespace detail {

template <class T, class Sync, class O>
struct shared {
  static_assert(queue::detail::storable<T>, "a ring's T must be destructible and move- or copy-constructible");
  using slot_t = typename Sync::template slot<T>;
  using orders = O;

  alignas(cache_line) typename Sync::template atomic<std::uint64_t> tail{0};  // producer-written
  alignas(cache_line) typename Sync::template atomic<std::uint64_t> head{0};  // consumer-written
  alignas(cache_line) typename Sync::template atomic<std::uint32_t> handles{2};
  slot_t* slots;
  std::uint64_t mask;
  std::uint64_t bound;  // the most values it holds (BOUND): mask + 1, or the exact request

  shared(std::uint64_t capacity, std::uint64_t limit)
      : slots(queue::detail::new_slots<Sync, slot_t>(capacity)), mask(capacity - 1), bound(limit) {}
  ~shared() {
    // Relaxed: the caller's acquire RMW on `handles` ordered both indices.
    const std::uint64_t h = head.load(std::memory_order_relaxed);
    const std::uint64_t t = tail.load(std::memory_order_relaxed);  // relaxed: see above
    for (std::uint64_t i = h; i != t; ++i) slots[i & mask].destroy();
    queue::detail::delete_slots<Sync>(slots, mask + 1);
  }
  static void release(shared* s) noexcept {
    // acq_rel: see release_handle in the header comment.
    nexus::detail::release_ref<Sync, O::release_handle>(s, s->handles);
  }
  bool peer_gone() const noexcept {
    // acquire: pairs with the peer's release_handle RMW (F3).
    return handles.load(O::see_disconnect) == 1;
  }
};

// A side's cached view: the slots, the mask, its own index and its cache of
// the other side's.
template <class Slot>
struct view {
  Slot* slots;
  std::uint64_t mask;
  std::uint64_t index;
  std::uint64_t cached;
  std::uint64_t bound;  // shared::bound
};

struct producer_side {
  template <class S, class V>
  static void leave(S&, V&) noexcept {}  // the handle count is the disconnect signal
};
struct consumer_side {
  // Values nobody can pop any more are destroyed now, in place (see the header).
  template <class S, class V>
  static void leave(S& s, V& v) noexcept {
    const std::uint64_t t = s.tail.load(S::orders::observe);  // acquire: pairs with publish in push
    for (std::uint64_t i = v.index; i != t; ++i) v.slots[i & v.mask].destroy();
    s.head.store(t, S::orders::free_slot);  // release: pairs with see_free in push
  }
};

template <class T, class Sync, class O, class Side>
using handle = nexus::detail::handle<shared<T, Sync, O>, view<typename Sync::template slot<T>>, Side>;

}  // namespace detail

template <class T, class Sync = std_sync, class O = spsc_orders>
using endpoints = nexus::detail::endpoints<producer<T, Sync, O>, consumer<T, Sync, O>>;

// Largest capacity accepted: its slot array must be addressable.
template <class T, class Sync = std_sync>
constexpr std::uint64_t max_capacity() noexcept {
  return queue::detail::max_slots<typename Sync::template slot<T>>(std::uint64_t{1} << 63);
}

// Creates a ring of at least `capacity` slots (rounded up to a power of two;
// capacity() says how many). Errors: capacity_zero, capacity_too_large
// (rounding or the allocation size overflows), out_of_memory.
template <class T, class Sync = std_sync, class O = spsc_orders>
result<endpoints<T, Sync, O>> ring_buffer(std::uint64_t capacity) {
  return queue::detail::make_ring<endpoints<T, Sync, O>, detail::shared<T, Sync, O>, Sync>(
      capacity, max_capacity<T, Sync>());
}
// As ring_buffer, but it holds at most `capacity` values, exactly (the
// slots are still the power of two at or above it; capacity() says
// `capacity`). The bound the channels use (BOUND). Errors: ring_buffer's.
template <class T, class Sync = std_sync, class O = spsc_orders>
result<endpoints<T, Sync, O>> ring_buffer_exact(std::uint64_t capacity) {
  return queue::detail::make_ring<endpoints<T, Sync, O>, detail::shared<T, Sync, O>, Sync>(
      capacity, max_capacity<T, Sync>(), true);
}

// The producing end. Move-only; one thread at a time.
// Aligned to a cache line: the handle's index is written on every call, and
// a handle stored next to its peer (in one struct) must not share its line.
template <class T, class Sync, class O>
class alignas(cache_line) producer : public detail::handle<T, Sync, O, detail::producer_side> {
 public:
  // internal: from the factory
  explicit producer(detail::shared<T, Sync, O>* s) noexcept
      : producer::handle(s, {s->slots, s->mask, 0, 0, s->bound}) {}

  // Moves `v` into the ring: status::ok, or status::full with `v` untouched.
  [[nodiscard]] status push(T&& v) noexcept(queue::detail::nothrow_relocatable<T>) {
    return emplace_impl(queue::detail::relocate(v));
  }
  [[nodiscard]] status push(const T& v) noexcept(std::is_nothrow_copy_constructible_v<T>) { return emplace_impl(v); }
  template <class... Args>
  [[nodiscard]] status emplace(Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args&&...>) {
    return emplace_impl(std::forward<Args>(args)...);
  }

  // Waits (spinning) for room, then pushes (SPINNING): status::ok, or
  // status::disconnected with `v` untouched once the consumer is gone and
  // the ring is full.
  [[nodiscard]] status push_spin(T&& v) noexcept(queue::detail::nothrow_relocatable<T>) {
    if (!wait_room()) return status::disconnected;
    return emplace_impl(queue::detail::relocate(v));
  }
  [[nodiscard]] status push_spin(const T& v) noexcept(std::is_nothrow_copy_constructible_v<T>) {
    if (!wait_room()) return status::disconnected;
    return emplace_impl(v);
  }

  // Pushes the values of [first, last) in order while there is room, with
  // one publication for the batch (BATCHES): how many it pushed, 0 when
  // full. Each is constructed from *it: pass move iterators to move.
  template <std::input_iterator It, std::sentinel_for<It> S>
    requires std::constructible_from<T, std::iter_reference_t<It>>
  std::size_t push_n(It first, S last) {
    auto& l = this->l_;
    const std::uint64_t t = l.index;
    std::uint64_t room = bound() - (t - l.cached);
    std::uint64_t want = bound();
    if constexpr (std::sized_sentinel_for<S, It>) want = static_cast<std::uint64_t>(last - first);
    if (room < want) {
      refresh_head(t);
      room = bound() - (t - l.cached);
    }
    std::uint64_t n = 0;
    try {
      for (; n < room && first != last; ++first, ++n) l.slots[(t + n) & l.mask].construct(*first);
    } catch (...) {
      publish_to(t + n);  // the values built before the throw (BATCHES)
      throw;
    }
    if (n != 0) publish_to(t + n);
    return n;
  }
  template <std::ranges::input_range R>
    requires std::constructible_from<T, std::ranges::range_reference_t<R>>
  std::size_t push_n(R&& r) {
    return push_n(std::ranges::begin(r), std::ranges::end(r));
  }

  // The most values the ring holds: the slots (a power of two), or the
  // exact request of ring_buffer_exact (BOUND).
  std::uint64_t capacity() const noexcept { return this->l_.bound; }
  // Values in the ring (SNAPSHOTS): exact but for pops running now.
  std::uint64_t len() const noexcept {
    // relaxed: a snapshot (SNAPSHOTS); pairs with nothing.
    return this->l_.index - this->s_->head.load(std::memory_order_relaxed);
  }
  bool is_empty() const noexcept { return len() == 0; }
  bool is_full() const noexcept { return len() == capacity(); }
  // True once the consumer is gone. Pushes still succeed until the ring is
  // full (disconnect is advisory for the raw queue).
  bool is_disconnected() const noexcept { return this->s_ == nullptr || this->s_->peer_gone(); }

 private:
  template <class... Args>
  status emplace_impl(Args&&... args) {
    auto& l = this->l_;
    const std::uint64_t t = l.index;
    if (t - l.cached >= bound()) [[unlikely]] {
      if (!refresh_head(t)) return status::full;
    }
    l.slots[t & l.mask].construct(std::forward<Args>(args)...);  // a throw publishes nothing
    this->s_->tail.store(t + 1, O::publish);  // release: pairs with observe in consumer::pop
    l.index = t + 1;
    return status::ok;
  }
  std::uint64_t bound() const noexcept { return O::bound_check ? this->l_.bound : this->l_.mask + 1; }
  void publish_to(std::uint64_t t) noexcept {
    this->s_->tail.store(t, O::publish);  // release: pairs with observe in consumer::pop / pop_n
    this->l_.index = t;
  }
  [[gnu::noinline]] bool refresh_head(std::uint64_t t) noexcept {
    this->l_.cached = this->s_->head.load(O::see_free);  // acquire: pairs with free_slot in consumer::pop
    return t - this->l_.cached < bound();
  }
  // push_spin's wait (SPINNING): true once there is room, false when the
  // consumer is gone and the ring is still full.
  bool wait_room() noexcept {
    const std::uint64_t t = this->l_.index;
    return t - this->l_.cached < bound() || wait_head(t);
  }
  [[gnu::noinline]] bool wait_head(std::uint64_t t) noexcept {
    for (;;) {
      wait_.pause();
      if (refresh_head(t)) {
        wait_.found(bound() - (t - this->l_.cached));
        return true;
      }
      wait_.missed();
      // see_disconnect (acquire) before the last look: the consumer's final
      // head store is visible to it.
      if (this->s_->peer_gone()) return O::last_look && refresh_head(t);
      Sync::spin_pause();
    }
  }
  poll_backoff<Sync> wait_;  // push_spin's wait between looks at head
};

// The consuming end. Move-only; one thread at a time.
// Aligned to a cache line: the handle's index is written on every call, and
// a handle stored next to its peer (in one struct) must not share its line.
template <class T, class Sync, class O>
class alignas(cache_line) consumer : public detail::handle<T, Sync, O, detail::consumer_side> {
 public:
  // internal: from the factory
  explicit consumer(detail::shared<T, Sync, O>* s) noexcept
      : consumer::handle(s, {s->slots, s->mask, 0, 0, s->bound}) {}

  // The oldest value, or nullopt when the ring is empty. If moving it out
  // throws, it stays at the head.
  [[nodiscard]] std::optional<T> pop() noexcept(queue::detail::nothrow_relocatable<T>) {
    if constexpr (std::is_nothrow_move_constructible_v<T>)
      return pop_value();
    else
      return pop_in_place();
  }
  // Waits (spinning) for a value, then pops it (SPINNING): the value, or
  // nullopt once the producer is gone and every value it pushed is taken.
  [[nodiscard]] std::optional<T> pop_spin() noexcept(queue::detail::nothrow_relocatable<T>) {
    auto& l = this->l_;
    if (l.index == l.cached && !wait_tail(l.index)) [[unlikely]]
      return std::nullopt;
    return pop();
  }

  // As pop, into the empty `out` (no move of T after the take; T need not
  // be assignable): true if a value was taken.
  bool pop_into(std::optional<T>& out) noexcept(queue::detail::nothrow_relocatable<T>) {
    auto& l = this->l_;
    const std::uint64_t h = l.index;
    if (h == l.cached) [[unlikely]] {
      if (!refresh_tail(h)) return false;
    }
    l.slots[h & l.mask].take_into(out);  // a throw leaves the value at the head
    free_front(h);
    return true;
  }

  // Takes up to `max` values, oldest first, assigning each to *out++, with
  // one head store for the batch (BATCHES): how many it took, 0 when empty.
  template <std::output_iterator<T&&> Out>
  std::size_t pop_n(Out out, std::size_t max) {
    auto& l = this->l_;
    const std::uint64_t h = l.index;
    std::uint64_t avail = l.cached - h;
    if (avail < max) {
      refresh_tail(h);
      avail = l.cached - h;
    }
    const std::uint64_t k = avail < max ? avail : max;
    std::uint64_t n = 0;
    try {
      for (; n < k; ++n, ++out) l.slots[(h + n) & l.mask].take_with([&out](T&& v) { *out = std::move(v); });
    } catch (...) {
      if (n != 0) free_to(h + n);  // the values handed over before the throw (BATCHES)
      throw;
    }
    if (n != 0) free_to(h + n);
    return n;
  }

  // The most values the ring holds: the slots (a power of two), or the
  // exact request of ring_buffer_exact (BOUND).
  std::uint64_t capacity() const noexcept { return this->l_.bound; }
  // Values in the ring (SNAPSHOTS): exact but for pushes running now.
  std::uint64_t len() const noexcept {
    // relaxed: a snapshot (SNAPSHOTS); pairs with nothing.
    return this->s_->tail.load(std::memory_order_relaxed) - this->l_.index;
  }
  bool is_empty() const noexcept { return len() == 0; }
  bool is_full() const noexcept { return len() == capacity(); }
  // True once the producer is gone. Everything it pushed before that is still
  // poppable, and (acquire) visible: "disconnected and pop() empty" means done.
  bool is_disconnected() const noexcept { return this->s_ == nullptr || this->s_->peer_gone(); }

 private:
  // pop_into's steps, returning the value directly (the codegen check's form).
  std::optional<T> pop_value() noexcept {
    auto& l = this->l_;
    const std::uint64_t h = l.index;
    if (h == l.cached) [[unlikely]] {
      if (!refresh_tail(h)) return std::nullopt;
    }
    return std::optional<T>(take_front(h));
  }
  // One named result, filled in place (no move of T after the take: a throw
  // leaves the value at the head).
  std::optional<T> pop_in_place() noexcept(queue::detail::nothrow_relocatable<T>) {
    std::optional<T> out;
    pop_into(out);
    return out;
  }
  T take_front(std::uint64_t h) noexcept {
    T v = this->l_.slots[h & this->l_.mask].take();
    free_front(h);
    return v;
  }
  void free_front(std::uint64_t h) noexcept { free_to(h + 1); }
  void free_to(std::uint64_t h) noexcept {
    this->s_->head.store(h, O::free_slot);  // release: pairs with see_free in producer::push / push_n
    this->l_.index = h;
  }
  [[gnu::noinline]] bool refresh_tail(std::uint64_t h) noexcept {
    this->l_.cached = this->s_->tail.load(O::observe);  // acquire: pairs with publish in producer::push
    return h != this->l_.cached;
  }
  // pop_spin's wait (SPINNING): true once a value is there, false when the
  // producer is gone and the ring is empty.
  [[gnu::noinline]] bool wait_tail(std::uint64_t h) noexcept {
    for (;;) {
      wait_.pause();
      if (refresh_tail(h)) {
        wait_.found(this->l_.cached - h);
        return true;
      }
      wait_.missed();
      // see_disconnect (acquire) before the last look: every push is
      // visible to it (F3), so nothing pushed before the disconnect is lost.
      if (this->s_->peer_gone()) return O::last_look && refresh_tail(h);
      Sync::spin_pause();
    }
  }
  poll_backoff<Sync> wait_;  // pop_spin's wait between looks at tail
};

}  // namespace nexus::queue::spsc
