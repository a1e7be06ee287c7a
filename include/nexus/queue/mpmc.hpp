// nexus/queue/mpmc.hpp -- bounded multi-producer multi-consumer ring of T:
// the producer side of mpsc.hpp and the consumer side of spmc.hpp on one
// ring (Vyukov's bounded MPMC queue with doubled 64-bit stamps).
//
// LAYOUT
//   tail (own line, producers' CAS), head (own line, consumers' CAS),
//   producers / consumers (live handle counts), refs, slots[c] {seq, value}.
//
// STAMPS: 2i writable for index i; 2i+1 holds index i's value; 2(i+cap)
//   after the take (capacity 1 works; 64-bit: no wrap).
//
// PROTOCOL
//   push: as mpsc.hpp (claim the tail by CAS when the stamp says writable;
//     `full` when the slot still holds the previous lap).
//   pop:  as spmc.hpp (claim the head by CAS when the stamp says readable;
//     empty when it does not yet).
//   Each value goes to exactly one consumer; FIFO by claim order.
//
// ATOMIC ACCESSES (named orders: `mpmc_orders`): publish/observe (value
//   handoff), free_slot/see_free (slot reuse), claim_load/claim on the tail
//   (producers) and take_load/take on the head (consumers) with the same
//   reasons as in mpsc.hpp and spmc.hpp; leave/see_leave for disconnect;
//   release_ref for the last handle. Clone increments and cleanup loads are
//   relaxed (the caller holds a reference / release_ref ordered them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "nexus/queue/mpsc.hpp"  // detail::stamped_slot, claim_push, max_capacity
#include "nexus/queue/spmc.hpp"  // detail::claim_pop
#include "nexus/result.hpp"
#include "nexus/sync/block.hpp"
#include "nexus/sync/std_sync.hpp"

namespace nexus::queue::mpmc {

struct mpmc_orders {
  static constexpr std::memory_order publish = std::memory_order_release;      // pairs with observe
  static constexpr std::memory_order observe = std::memory_order_acquire;      // pairs with publish
  static constexpr std::memory_order free_slot = std::memory_order_release;    // pairs with see_free
  static constexpr std::memory_order see_free = std::memory_order_acquire;     // pairs with free_slot
  static constexpr std::memory_order claim_load = std::memory_order_acquire;   // pairs with claim (no spurious full)
  static constexpr std::memory_order claim = std::memory_order_acq_rel;        // pairs with claim_load / itself
  // mutation-survives: as spmc.hpp claim_load: orders the view of other consumers' claims; no scenario observes it without an application-level invariant
  static constexpr std::memory_order take_load = std::memory_order_acquire;    // pairs with take
  // mutation-survives: as take_load, for the CAS that advances head
  static constexpr std::memory_order take = std::memory_order_acq_rel;         // pairs with take_load / itself
  static constexpr std::memory_order leave = std::memory_order_release;        // pairs with see_leave
  static constexpr std::memory_order see_leave = std::memory_order_acquire;    // pairs with leave
  static constexpr std::memory_order release_ref = std::memory_order_acq_rel;  // pairs with itself
};

template <class T, class Sync = std_sync, class O = mpmc_orders>
class producer;
template <class T, class Sync = std_sync, class O = mpmc_orders>
class consumer;

namespace detail {

template <class T, class Sync, class O>
struct shared {
  using slot_t = nexus::queue::mpsc::detail::stamped_slot<T, Sync>;

  alignas(cache_line) typename Sync::template atomic<std::uint64_t> tail{0};
  alignas(cache_line) typename Sync::template atomic<std::uint64_t> head{0};
  alignas(cache_line) typename Sync::template atomic<std::uint32_t> producers{1};
  typename Sync::template atomic<std::uint32_t> consumers{1};
  typename Sync::template atomic<std::uint32_t> refs{2};
  slot_t* slots;
  std::uint64_t mask;

  explicit shared(std::uint64_t capacity)
      : slots(static_cast<slot_t*>(Sync::allocate(sizeof(slot_t) * capacity, alignof(slot_t)))),
        mask(capacity - 1) {
    std::uninitialized_default_construct_n(slots, capacity);
    // Relaxed: the block is published to other threads by the handles' transfer.
    for (std::uint64_t i = 0; i < capacity; ++i) slots[i].seq.store(2 * i, std::memory_order_relaxed);
  }
  ~shared() {
    // Relaxed: release_ref's acquire ordered every stamp, head and tail.
    const std::uint64_t t = tail.load(std::memory_order_relaxed);
    for (std::uint64_t i = head.load(std::memory_order_relaxed); i != t; ++i) {  // relaxed: see above
      slot_t& s = slots[i & mask];
      if (s.seq.load(std::memory_order_relaxed) == 2 * i + 1) s.value.destroy();  // relaxed: see above
    }
    std::destroy_n(slots, mask + 1);
    Sync::deallocate(slots, sizeof(slot_t) * (mask + 1), alignof(slot_t));
  }
  // Throws std::bad_alloc.
  static shared* create(std::uint64_t capacity) { return nexus::detail::new_block<Sync, shared>(capacity); }
  static void release(shared* s) noexcept {
    if (s->refs.fetch_sub(1, O::release_ref) == 1) {  // acq_rel: the last handle sees every stamp
      nexus::detail::delete_block<Sync>(s);
    }
  }
};

}  // namespace detail

template <class T, class Sync = std_sync, class O = mpmc_orders>
struct endpoints {
  producer<T, Sync, O> tx;
  consumer<T, Sync, O> rx;
};

// Errors: capacity_zero, capacity_too_large, out_of_memory.
template <class T, class Sync = std_sync, class O = mpmc_orders>
result<endpoints<T, Sync, O>> ring_buffer(std::uint64_t capacity) {
  static_assert(std::is_move_constructible_v<T>, "T must be move-constructible");
  if (capacity == 0) return error::capacity_zero;
  const std::uint64_t cap = nexus::detail::checked_pow2(capacity);
  if (cap == 0 || cap > nexus::queue::mpsc::max_capacity<T, Sync>()) return error::capacity_too_large;
  detail::shared<T, Sync, O>* s;
  try {
    s = detail::shared<T, Sync, O>::create(cap);
  } catch (const std::bad_alloc&) {
    return error::out_of_memory;
  }
  return endpoints<T, Sync, O>{producer<T, Sync, O>(s), consumer<T, Sync, O>(s)};
}

// A producing end: cloneable, one thread at a time per handle.
template <class T, class Sync, class O>
class producer {
  using shared_t = detail::shared<T, Sync, O>;

 public:
  producer(producer&& o) noexcept : s_(std::exchange(o.s_, nullptr)), slots_(o.slots_), mask_(o.mask_) {}
  producer& operator=(producer&& o) noexcept {
    if (this != &o) {
      reset();
      s_ = std::exchange(o.s_, nullptr);
      slots_ = o.slots_;
      mask_ = o.mask_;
    }
    return *this;
  }
  producer(const producer&) = delete;
  producer& operator=(const producer&) = delete;
  ~producer() { reset(); }

  producer clone() const noexcept {
    s_->producers.fetch_add(1, std::memory_order_relaxed);  // relaxed (join): we hold a reference
    s_->refs.fetch_add(1, std::memory_order_relaxed);       // relaxed (join): we hold a reference
    return producer(s_);
  }

  [[nodiscard]] status push(T&& v) { return emplace_impl(std::move(v)); }
  [[nodiscard]] status push(const T& v) { return emplace_impl(v); }
  template <class... Args>
  [[nodiscard]] status emplace(Args&&... args) {
    return emplace_impl(std::forward<Args>(args)...);
  }

  std::uint64_t capacity() const noexcept { return mask_ + 1; }
  // True once every consumer is gone.
  bool is_disconnected() const noexcept {
    return s_ == nullptr || s_->consumers.load(O::see_leave) == 0;  // acquire: pairs with leave
  }
  bool valid() const noexcept { return s_ != nullptr; }

 private:
  friend result<endpoints<T, Sync, O>> ring_buffer<T, Sync, O>(std::uint64_t);
  explicit producer(shared_t* s) noexcept : s_(s), slots_(s->slots), mask_(s->mask) {}

  template <class... Args>
  status emplace_impl(Args&&... args) {
    return nexus::queue::mpsc::detail::claim_push<Sync, O>(s_->tail, slots_, mask_, std::forward<Args>(args)...);
  }
  void reset() noexcept {
    if (s_ == nullptr) return;
    shared_t* s = std::exchange(s_, nullptr);
    s->producers.fetch_sub(1, O::leave);  // release: pairs with see_leave in consumer::is_disconnected
    shared_t::release(s);
  }

  shared_t* s_;
  typename shared_t::slot_t* slots_;
  std::uint64_t mask_;
};

// A consuming end: cloneable, one thread at a time per handle.
template <class T, class Sync, class O>
class consumer {
  using shared_t = detail::shared<T, Sync, O>;

 public:
  consumer(consumer&& o) noexcept : s_(std::exchange(o.s_, nullptr)), slots_(o.slots_), mask_(o.mask_) {}
  consumer& operator=(consumer&& o) noexcept {
    if (this != &o) {
      reset();
      s_ = std::exchange(o.s_, nullptr);
      slots_ = o.slots_;
      mask_ = o.mask_;
    }
    return *this;
  }
  consumer(const consumer&) = delete;
  consumer& operator=(const consumer&) = delete;
  ~consumer() { reset(); }

  consumer clone() const noexcept {
    s_->consumers.fetch_add(1, std::memory_order_relaxed);  // relaxed (join): we hold a reference
    s_->refs.fetch_add(1, std::memory_order_relaxed);       // relaxed (join): we hold a reference
    return consumer(s_);
  }

  [[nodiscard]] std::optional<T> pop() {
    return nexus::queue::spmc::detail::claim_pop<Sync, O::take_load, O::take, O>(s_->head, slots_, mask_);
  }

  std::uint64_t capacity() const noexcept { return mask_ + 1; }
  // True once every producer is gone; everything they pushed is then visible.
  bool is_disconnected() const noexcept {
    return s_ == nullptr || s_->producers.load(O::see_leave) == 0;  // acquire: pairs with leave
  }
  bool valid() const noexcept { return s_ != nullptr; }

 private:
  friend result<endpoints<T, Sync, O>> ring_buffer<T, Sync, O>(std::uint64_t);
  explicit consumer(shared_t* s) noexcept : s_(s), slots_(s->slots), mask_(s->mask) {}

  void reset() noexcept {
    if (s_ == nullptr) return;
    shared_t* s = std::exchange(s_, nullptr);
    s->consumers.fetch_sub(1, O::leave);  // release: pairs with see_leave in producer::is_disconnected
    shared_t::release(s);
  }

  shared_t* s_;
  typename shared_t::slot_t* slots_;
  std::uint64_t mask_;
};

}  // namespace nexus::queue::mpmc
