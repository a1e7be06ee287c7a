// nexus/queue/spmc.hpp -- bounded single-producer multi-consumer ring of T.
//
// LAYOUT
//   shared block, freed by the last handle:
//     head       atomic u64, own line: consumers claim an index by CAS
//     tail       u64 (cell), own line: the producer's index, published only
//                when the producer goes (for the last handle's cleanup)
//     producer_alive atomic u32: 1 while the producer handle lives
//     consumers  atomic u32: live consumer handles
//     refs       atomic u32: all live handles; the last one frees the block
//     slots[c]   {atomic u64 seq; Sync::slot<T> value}
//   The producer keeps its tail locally; consumers keep no index cache.
//
// STAMPS: as in mpsc.hpp (doubled Vyukov sequence numbers; 64-bit, F5):
//   2i writable for index i; 2i+1 holds index i's value; 2(i+cap) after take.
//
// PROTOCOL
//   push(v), wait-free: seq = slots[tail].seq (see_free); seq != 2tail ->
//     status::full at once (the slot's previous value is not taken yet);
//     write the value; seq = 2tail+1 (publish); ++tail.
//   pop(), lock-free: pos = head (claim_load); loop: seq = slots[pos].seq
//     (observe); seq == 2pos+1: CAS head pos -> pos+1 (claim); on success
//     take the value, seq = 2(pos+cap) (free_slot); on failure retry with the
//     reloaded head. seq < 2pos+1: empty. seq > 2pos+1: another consumer took
//     pos; reload head and retry. Empty is reported only for an index whose
//     value was not yet published when this pop looked (no F11 false empty
//     from a stale head: a stale head finds a taken slot and retries).
//   Each value goes to exactly one consumer (not a broadcast).
//
// ATOMIC ACCESSES (named orders: `spmc_orders`)
//   publish      seq store in push        release: pairs with observe.
//   observe      seq load in pop          acquire: pairs with publish.
//   free_slot    seq store in pop         release: pairs with see_free.
//   see_free     seq load in push         acquire: pairs with free_slot.
//   claim_load   head load in pop         acquire: pairs with other consumers'
//                                         claim (release half).
//   claim        head CAS in pop          acq_rel (failed CAS reloads with
//                                         acquire): pairs with claim_load.
//   leave        producer/consumers RMW   release: pairs with see_leave.
//   see_leave    in is_disconnected()     acquire: pairs with leave, so a
//                                         consumer that sees the producer gone
//                                         also sees every push (F3).
//   release_ref  refs RMW in ~handle      acq_rel: the last handle sees every
//                                         stamp before cleanup.
//   clone() increments are relaxed (the caller holds a reference); cleanup
//   loads are relaxed (ordered by release_ref).
//
// INVARIANTS
//   head <= tail <= head + capacity; every index in [head, tail) is taken by
//   at most one consumer; the last handle destroys exactly the values whose
//   seq says "holds a value" in [head, tail).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "nexus/queue/mpsc.hpp"  // detail::stamped_slot, max_capacity
#include "nexus/result.hpp"
#include "nexus/sync/block.hpp"
#include "nexus/sync/std_sync.hpp"

namespace nexus::queue::spmc {

struct spmc_orders {
  static constexpr std::memory_order publish = std::memory_order_release;      // pairs with observe
  static constexpr std::memory_order observe = std::memory_order_acquire;      // pairs with publish
  static constexpr std::memory_order free_slot = std::memory_order_release;    // pairs with see_free
  static constexpr std::memory_order see_free = std::memory_order_acquire;     // pairs with free_slot
  // mutation-survives: orders a consumer's view of other consumers' claims so that an index whose publish a claimer had seen is never reported empty; no single-ring scenario can observe it without an application-level invariant (the MPSC twin is caught by model/mpsc_producers no_spurious_full); free on x86
  static constexpr std::memory_order claim_load = std::memory_order_acquire;   // pairs with claim (release half)
  // mutation-survives: as claim_load, for the CAS that advances head
  static constexpr std::memory_order claim = std::memory_order_acq_rel;        // pairs with claim_load / itself
  static constexpr std::memory_order leave = std::memory_order_release;        // pairs with see_leave
  static constexpr std::memory_order see_leave = std::memory_order_acquire;    // pairs with leave
  static constexpr std::memory_order release_ref = std::memory_order_acq_rel;  // pairs with itself
};

template <class T, class Sync = std_sync, class O = spmc_orders>
class producer;
template <class T, class Sync = std_sync, class O = spmc_orders>
class consumer;

namespace detail {

// The consumer side shared by spmc and mpmc: claim the head index whose
// stamp says readable, take, free (orders: Load/Cas on head, O::observe,
// O::free_slot; see the header comment).
template <class Sync, std::memory_order Load, std::memory_order Cas, class O, class Slot>
auto claim_pop(typename Sync::template atomic<std::uint64_t>& head, Slot* slots, std::uint64_t mask)
    -> std::optional<decltype(slots->value.take())> {
  std::uint64_t pos = head.load(Load);  // acquire: pairs with other consumers' claim
  for (;;) {
    Slot& slot = slots[pos & mask];
    const std::uint64_t seq = slot.seq.load(O::observe);  // acquire: pairs with publish in push
    if (seq == 2 * pos + 1) {
      // acq_rel (failure: acquire): pairs with the Load and other claims.
      if (head.compare_exchange_weak(pos, pos + 1, Cas)) {
        std::optional<decltype(slots->value.take())> v(slot.value.take());
        slot.seq.store(2 * (pos + mask + 1), O::free_slot);  // release: pairs with see_free in push
        return v;
      }
      Sync::spin_pause();  // another consumer won (or a spurious failure); pos was reloaded
    } else if (static_cast<std::int64_t>(seq - (2 * pos + 1)) < 0) {
      return std::nullopt;
    } else {
      Sync::spin_pause();
      pos = head.load(Load);  // acquire: as above; pos was taken by another consumer
    }
  }
}

template <class T, class Sync, class O>
struct shared {
  using slot_t = nexus::queue::mpsc::detail::stamped_slot<T, Sync>;

  alignas(cache_line) typename Sync::template atomic<std::uint64_t> head{0};  // consumers' CAS target
  alignas(cache_line) typename Sync::template cell<std::uint64_t> tail{0};    // written by the producer at drop
  alignas(cache_line) typename Sync::template atomic<std::uint32_t> producer_alive{1};
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
    const std::uint64_t t = tail.load();
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
    // acq_rel: see release_ref in the header comment.
    if (s->refs.fetch_sub(1, O::release_ref) == 1) {
      nexus::detail::delete_block<Sync>(s);
    }
  }
};

}  // namespace detail

template <class T, class Sync = std_sync, class O = spmc_orders>
struct endpoints {
  producer<T, Sync, O> tx;
  consumer<T, Sync, O> rx;
};

// Creates a ring of at least `capacity` slots (rounded up to a power of two).
// Errors: capacity_zero, capacity_too_large, out_of_memory.
template <class T, class Sync = std_sync, class O = spmc_orders>
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

// The producing end. Move-only; one thread at a time.
// Aligned to a cache line: the handle's index is written on every call, and
// a handle stored next to its peer (in one struct) must not share its line.
template <class T, class Sync, class O>
class alignas(cache_line) producer {
  using shared_t = detail::shared<T, Sync, O>;

 public:
  producer(producer&& o) noexcept
      : s_(std::exchange(o.s_, nullptr)), slots_(o.slots_), mask_(o.mask_), tail_(o.tail_) {}
  producer& operator=(producer&& o) noexcept {
    if (this != &o) {
      reset();
      s_ = std::exchange(o.s_, nullptr);
      slots_ = o.slots_;
      mask_ = o.mask_;
      tail_ = o.tail_;
    }
    return *this;
  }
  producer(const producer&) = delete;
  producer& operator=(const producer&) = delete;
  ~producer() { reset(); }

  // status::ok, or status::full with `v` untouched. Wait-free.
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
    auto& slot = slots_[tail_ & mask_];
    if (slot.seq.load(O::see_free) != 2 * tail_) return status::full;  // acquire: pairs with free_slot
    slot.value.construct(std::forward<Args>(args)...);
    slot.seq.store(2 * tail_ + 1, O::publish);  // release: pairs with observe in pop
    ++tail_;
    return status::ok;
  }
  void reset() noexcept {
    if (s_ == nullptr) return;
    shared_t* s = std::exchange(s_, nullptr);
    s->tail.store(tail_);               // for the last handle's cleanup; ordered by leave/release_ref
    s->producer_alive.fetch_sub(1, O::leave);  // release: pairs with see_leave in consumer::is_disconnected
    shared_t::release(s);
  }

  shared_t* s_;
  typename shared_t::slot_t* slots_;
  std::uint64_t mask_;
  std::uint64_t tail_ = 0;
};

// A consuming end. Move-only; clone() makes another, independent one. Each
// handle is used by one thread at a time.
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

  // Another consumer on the same ring. Precondition: valid().
  consumer clone() const noexcept {
    s_->consumers.fetch_add(1, std::memory_order_relaxed);  // relaxed (join): we hold a reference
    s_->refs.fetch_add(1, std::memory_order_relaxed);       // relaxed (join): we hold a reference
    return consumer(s_);
  }

  // The oldest published value not taken by another consumer, or nullopt.
  [[nodiscard]] std::optional<T> pop() {
    return detail::claim_pop<Sync, O::claim_load, O::claim, O>(s_->head, slots_, mask_);
  }

  std::uint64_t capacity() const noexcept { return mask_ + 1; }
  // True once the producer is gone; everything it pushed is then visible.
  bool is_disconnected() const noexcept {
    return s_ == nullptr || s_->producer_alive.load(O::see_leave) == 0;  // acquire: pairs with leave
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

}  // namespace nexus::queue::spmc
