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
// PROTOCOL
//   push(v): if tail - cached_head == capacity, refresh cached_head from head
//            (see_free); still full -> status::full, v untouched.
//            construct v in slots[tail & mask]; tail.store(tail+1, publish).
//   pop():   if head == cached_tail, refresh cached_tail from tail (observe);
//            still equal -> empty. take slots[head & mask];
//            head.store(head+1, free_slot).
//   Both are wait-free; most calls touch only the caller's own line and the
//   slot, because the cached index is refreshed only on apparent full/empty.
//
// ATOMIC ACCESSES (named orders: `spsc_orders`, weakened one at a time by the
//   negative model drivers and by verify/mutation)
//   publish        tail store in push       release: pairs with `observe`; makes
//                                           the constructed slot visible.
//   observe        tail load in pop         acquire: pairs with `publish`.
//   free_slot      head store in pop        release: pairs with `see_free`; the
//                                           slot's read happens before its reuse.
//   see_free       head load in push        acquire: pairs with `free_slot`.
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
// INVARIANTS
//   0 <= tail - head <= capacity; slots [head, tail) hold live values;
//   cached_head <= head and cached_tail <= tail (stale only in the safe
//   direction). The last handle destroys exactly the values in [head, tail).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "nexus/result.hpp"
#include "nexus/sync/block.hpp"
#include "nexus/sync/std_sync.hpp"

namespace nexus::queue::spsc {

struct spsc_orders {
  static constexpr std::memory_order publish = std::memory_order_release;         // pairs with observe
  static constexpr std::memory_order observe = std::memory_order_acquire;         // pairs with publish
  static constexpr std::memory_order free_slot = std::memory_order_release;       // pairs with see_free
  static constexpr std::memory_order see_free = std::memory_order_acquire;        // pairs with free_slot
  static constexpr std::memory_order release_handle = std::memory_order_acq_rel;  // pairs with see_disconnect / itself
  static constexpr std::memory_order see_disconnect = std::memory_order_acquire;  // pairs with release_handle
};

template <class T, class Sync = std_sync, class O = spsc_orders>
class producer;
template <class T, class Sync = std_sync, class O = spsc_orders>
class consumer;

namespace detail {

template <class T, class Sync, class O>
struct shared {
  using slot_t = typename Sync::template slot<T>;

  alignas(cache_line) typename Sync::template atomic<std::uint64_t> tail{0};  // producer-written
  alignas(cache_line) typename Sync::template atomic<std::uint64_t> head{0};  // consumer-written
  alignas(cache_line) typename Sync::template atomic<std::uint32_t> handles{2};
  slot_t* slots;
  std::uint64_t mask;

  explicit shared(std::uint64_t capacity)
      : slots(static_cast<slot_t*>(Sync::allocate(sizeof(slot_t) * capacity, alignof(slot_t)))),
        mask(capacity - 1) {
    std::uninitialized_default_construct_n(slots, capacity);  // no code for the production slot
  }
  ~shared() {
    // Relaxed: the caller's acquire RMW on `handles` ordered both indices.
    const std::uint64_t h = head.load(std::memory_order_relaxed);
    const std::uint64_t t = tail.load(std::memory_order_relaxed);  // relaxed: see above
    for (std::uint64_t i = h; i != t; ++i) slots[i & mask].destroy();
    std::destroy_n(slots, mask + 1);
    Sync::deallocate(slots, sizeof(slot_t) * (mask + 1), alignof(slot_t));
  }

  // Throws std::bad_alloc.
  static shared* create(std::uint64_t capacity) { return nexus::detail::new_block<Sync, shared>(capacity); }

  static void release(shared* s) noexcept {
    // acq_rel: see release_handle in the header comment.
    if (s->handles.fetch_sub(1, O::release_handle) == 1) {
      nexus::detail::delete_block<Sync>(s);
    }
  }
  bool peer_gone() const noexcept {
    // acquire: pairs with the peer's release_handle RMW (F3).
    return handles.load(O::see_disconnect) == 1;
  }
};

}  // namespace detail

template <class T, class Sync = std_sync, class O = spsc_orders>
struct endpoints {
  producer<T, Sync, O> tx;
  consumer<T, Sync, O> rx;
};

// Largest capacity accepted: its slot array must be addressable.
template <class T, class Sync = std_sync>
constexpr std::uint64_t max_capacity() noexcept {
  constexpr std::uint64_t by_size =
      std::numeric_limits<std::size_t>::max() / sizeof(typename Sync::template slot<T>);
  constexpr std::uint64_t top = std::uint64_t{1} << 63;
  std::uint64_t p = top;
  while (p > by_size) p >>= 1;
  return p;
}

// Creates a ring of at least `capacity` slots (rounded up to a power of two).
// Errors: capacity_zero, capacity_too_large (rounding or the allocation size
// overflows), out_of_memory.
template <class T, class Sync = std_sync, class O = spsc_orders>
result<endpoints<T, Sync, O>> ring_buffer(std::uint64_t capacity) {
  static_assert(std::is_move_constructible_v<T>, "T must be move-constructible");
  if (capacity == 0) return error::capacity_zero;
  const std::uint64_t cap = nexus::detail::checked_pow2(capacity);
  if (cap == 0 || cap > max_capacity<T, Sync>()) return error::capacity_too_large;
  detail::shared<T, Sync, O>* s;
  try {
    s = detail::shared<T, Sync, O>::create(cap);
  } catch (const std::bad_alloc&) {
    return error::out_of_memory;
  }
  return endpoints<T, Sync, O>{producer<T, Sync, O>(s), consumer<T, Sync, O>(s)};
}

// The producing end. Move-only; one thread at a time.
// Aligned to a cache line: the handle's index is written on every call, and
// a handle stored next to its peer (in one struct) must not share its line.
template <class T, class Sync, class O>
class alignas(cache_line) producer {
  using shared_t = detail::shared<T, Sync, O>;

 public:
  producer(producer&& o) noexcept
      : s_(std::exchange(o.s_, nullptr)), slots_(o.slots_), mask_(o.mask_), tail_(o.tail_),
        cached_head_(o.cached_head_) {}
  producer& operator=(producer&& o) noexcept {
    if (this != &o) {
      reset();
      s_ = std::exchange(o.s_, nullptr);
      slots_ = o.slots_;
      mask_ = o.mask_;
      tail_ = o.tail_;
      cached_head_ = o.cached_head_;
    }
    return *this;
  }
  producer(const producer&) = delete;
  producer& operator=(const producer&) = delete;
  ~producer() { reset(); }

  // Moves `v` into the ring: status::ok, or status::full with `v` untouched.
  [[nodiscard]] status push(T&& v) { return emplace_impl(std::move(v)); }
  [[nodiscard]] status push(const T& v) { return emplace_impl(v); }
  template <class... Args>
  [[nodiscard]] status emplace(Args&&... args) {
    return emplace_impl(std::forward<Args>(args)...);
  }

  std::uint64_t capacity() const noexcept { return mask_ + 1; }
  // True once the consumer is gone. Pushes still succeed until the ring is
  // full (disconnect is advisory for the raw queue).
  bool is_disconnected() const noexcept { return s_ == nullptr || s_->peer_gone(); }
  // False for a moved-from handle.
  bool valid() const noexcept { return s_ != nullptr; }

 private:
  friend result<endpoints<T, Sync, O>> ring_buffer<T, Sync, O>(std::uint64_t);
  explicit producer(shared_t* s) noexcept : s_(s), slots_(s->slots), mask_(s->mask) {}

  template <class... Args>
  status emplace_impl(Args&&... args) {
    const std::uint64_t t = tail_;
    if (t - cached_head_ > mask_) [[unlikely]] {
      if (!refresh_head(t)) return status::full;
    }
    slots_[t & mask_].construct(std::forward<Args>(args)...);
    s_->tail.store(t + 1, O::publish);  // release: pairs with observe in consumer::pop
    tail_ = t + 1;
    return status::ok;
  }
  [[gnu::noinline]] bool refresh_head(std::uint64_t t) noexcept {
    cached_head_ = s_->head.load(O::see_free);  // acquire: pairs with free_slot in consumer::pop
    return t - cached_head_ <= mask_;
  }
  void reset() noexcept {
    if (s_ != nullptr) shared_t::release(std::exchange(s_, nullptr));
  }

  shared_t* s_;
  typename shared_t::slot_t* slots_;
  std::uint64_t mask_;
  std::uint64_t tail_ = 0;
  std::uint64_t cached_head_ = 0;
};

// The consuming end. Move-only; one thread at a time.
// Aligned to a cache line: the handle's index is written on every call, and
// a handle stored next to its peer (in one struct) must not share its line.
template <class T, class Sync, class O>
class alignas(cache_line) consumer {
  using shared_t = detail::shared<T, Sync, O>;

 public:
  consumer(consumer&& o) noexcept
      : s_(std::exchange(o.s_, nullptr)), slots_(o.slots_), mask_(o.mask_), head_(o.head_),
        cached_tail_(o.cached_tail_) {}
  consumer& operator=(consumer&& o) noexcept {
    if (this != &o) {
      reset();
      s_ = std::exchange(o.s_, nullptr);
      slots_ = o.slots_;
      mask_ = o.mask_;
      head_ = o.head_;
      cached_tail_ = o.cached_tail_;
    }
    return *this;
  }
  consumer(const consumer&) = delete;
  consumer& operator=(const consumer&) = delete;
  ~consumer() { reset(); }

  // The oldest value, or nullopt when the ring is empty.
  [[nodiscard]] std::optional<T> pop() {
    const std::uint64_t h = head_;
    if (h == cached_tail_) [[unlikely]] {
      if (!refresh_tail(h)) return std::nullopt;
    }
    std::optional<T> v(slots_[h & mask_].take());
    s_->head.store(h + 1, O::free_slot);  // release: pairs with see_free in producer::push
    head_ = h + 1;
    return v;
  }

  std::uint64_t capacity() const noexcept { return mask_ + 1; }
  // True once the producer is gone. Everything it pushed before that is still
  // poppable, and (acquire) visible: "disconnected and pop() empty" means done.
  bool is_disconnected() const noexcept { return s_ == nullptr || s_->peer_gone(); }
  bool valid() const noexcept { return s_ != nullptr; }

 private:
  friend result<endpoints<T, Sync, O>> ring_buffer<T, Sync, O>(std::uint64_t);
  explicit consumer(shared_t* s) noexcept : s_(s), slots_(s->slots), mask_(s->mask) {}

  [[gnu::noinline]] bool refresh_tail(std::uint64_t h) noexcept {
    cached_tail_ = s_->tail.load(O::observe);  // acquire: pairs with publish in producer::push
    return h != cached_tail_;
  }
  void reset() noexcept {
    if (s_ != nullptr) shared_t::release(std::exchange(s_, nullptr));
  }

  shared_t* s_;
  typename shared_t::slot_t* slots_;
  std::uint64_t mask_;
  std::uint64_t head_ = 0;
  std::uint64_t cached_tail_ = 0;
};

}  // namespace nexus::queue::spsc
