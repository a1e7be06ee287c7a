// nexus/queue/mpsc.hpp -- bounded multi-producer single-consumer ring of T.
//
// LAYOUT
//   shared block, freed by the last handle:
//     tail       atomic u64, own line: producers claim an index by CAS
//     head       u64 (cell), own line: the consumer's index, published only
//                when the consumer goes (for the last handle's cleanup)
//     producers  atomic u32: live producer handles (0 = consumer disconnected)
//     consumer_alive atomic u32: 1 while the consumer handle lives (F4)
//     refs       atomic u32: all live handles; the last one frees the block
//     slots[c]   {atomic u64 seq; Sync::slot<T> value}
//   Indices and stamps are 64-bit on every platform (F5: no wedge on wrap).
//
// STAMPS (Vyukov's sequence numbers, doubled so that capacity 1 works: with
// plain i / i+1 stamps, "holds index i" and "free for index i+1" coincide
// when capacity is 1). For index i in slot i & mask:
//   seq == 2i             writable for index i (lap i-cap was taken)
//   seq == 2i + 1         holds the value pushed at index i
//   seq == 2(i + cap)     the consumer took it: writable for index i+cap
//   Slot k starts at 2k. Indices stay below 2^62, so stamps never wrap.
//
// PROTOCOL
//   push(v): pos = tail (claim_load); loop: seq = slots[pos].seq (see_free);
//     seq == 2pos: CAS tail pos -> pos+1 (claim); on success write the value,
//       seq = 2pos+1 (publish), done; on failure pos = the current tail.
//     seq <  2pos: the slot still holds lap pos-cap: status::full (never
//       spurious: see claim_load).
//     seq >  2pos: another producer claimed pos; pos = tail (claim_load).
//   pop(): seq = slots[head].seq (observe); seq != 2head+1 -> empty (a producer
//     that claimed head but has not published yet blocks the consumer there:
//     head-of-line blocking). Take the value; seq = head+capacity (free_slot).
//   A producer never waits after winning its CAS; push is lock-free, pop is
//   wait-free. FIFO follows CAS order; each producer's own order is kept.
//
// ATOMIC ACCESSES (named orders: `mpsc_orders`)
//   publish      seq store in push        release: pairs with observe.
//   observe      seq load in pop          acquire: pairs with publish.
//   free_slot    seq store in pop         release: pairs with see_free.
//   see_free     seq load in push         acquire: pairs with free_slot, so
//                                         the old value's take happens before
//                                         the new construct.
//   claim_load   tail load in push        acquire: pairs with the release half
//                                         of other producers' claim CAS. A
//                                         producer that reads a tail another
//                                         producer advanced after *it* saw a
//                                         slot freed also sees that free:
//                                         without it a producer can read a
//                                         stale seq and report a spurious full
//                                         (verify-toolchain.md section 3: a
//                                         conflating notifier relies on "a push
//                                         after a flag clear never fails").
//   claim        tail CAS in push         acq_rel (a failed CAS reloads with
//                                         acquire): the same chain, through
//                                         successful and failed CASes.
//   leave        producers/consumer RMW   release: publishes the leaving
//                                         side's pushes/pops to the peer's
//                                         see_leave (the RMW chain on the count
//                                         carries every earlier producer's).
//   see_leave    producers/consumer load  acquire: pairs with leave, so a
//                in is_disconnected()     consumer that sees every producer
//                                         gone also sees every push (F3).
//   release_ref  refs RMW in ~handle      acq_rel: the last handle sees every
//                                         slot's final stamp before cleanup.
//   join         refs/producers increment relaxed: the caller already holds a
//                in clone()               reference (as shared_ptr copies).
//   Cleanup loads in the last handle are relaxed (ordered by release_ref).
//
// INVARIANTS
//   head <= tail <= head + capacity; a slot's seq is in {i, i+1} for the
//   index i it currently serves, doubled; every index in [head, tail) is claimed by
//   exactly one producer; the last handle destroys exactly the values whose
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

#include "nexus/result.hpp"
#include "nexus/sync/block.hpp"
#include "nexus/sync/std_sync.hpp"

namespace nexus::queue::mpsc {

struct mpsc_orders {
  static constexpr std::memory_order publish = std::memory_order_release;      // pairs with observe
  static constexpr std::memory_order observe = std::memory_order_acquire;      // pairs with publish
  static constexpr std::memory_order free_slot = std::memory_order_release;    // pairs with see_free
  static constexpr std::memory_order see_free = std::memory_order_acquire;     // pairs with free_slot
  static constexpr std::memory_order claim_load = std::memory_order_acquire;   // pairs with claim (release half)
  static constexpr std::memory_order claim = std::memory_order_acq_rel;        // pairs with claim_load / itself
  static constexpr std::memory_order leave = std::memory_order_release;        // pairs with see_leave
  static constexpr std::memory_order see_leave = std::memory_order_acquire;    // pairs with leave
  static constexpr std::memory_order release_ref = std::memory_order_acq_rel;  // pairs with itself
};

template <class T, class Sync = std_sync, class O = mpsc_orders>
class producer;
template <class T, class Sync = std_sync, class O = mpsc_orders>
class consumer;

namespace detail {

template <class T, class Sync>
struct alignas(T) stamped_slot {
  typename Sync::template atomic<std::uint64_t> seq;
  typename Sync::template slot<T> value;
};

// The producer side shared by mpsc and mpmc: claim the tail index whose
// stamp says writable (orders: O::claim_load, O::see_free, O::claim,
// O::publish; see the header comment), construct, publish.
template <class Sync, class O, class Slot, class... Args>
status claim_push(typename Sync::template atomic<std::uint64_t>& tail, Slot* slots, std::uint64_t mask,
                  Args&&... args) {
  std::uint64_t pos = tail.load(O::claim_load);  // acquire: pairs with other producers' claim
  for (;;) {
    Slot& slot = slots[pos & mask];
    const std::uint64_t seq = slot.seq.load(O::see_free);  // acquire: pairs with free_slot in pop
    if (seq == 2 * pos) {
      // acq_rel (failure: acquire): pairs with claim_load and other claims (see header).
      if (tail.compare_exchange_weak(pos, pos + 1, O::claim)) {
        slot.value.construct(std::forward<Args>(args)...);
        slot.seq.store(2 * pos + 1, O::publish);  // release: pairs with observe in pop
        return status::ok;
      }
      Sync::spin_pause();  // lost the race (or a spurious CAS failure); pos was reloaded
    } else if (static_cast<std::int64_t>(seq - 2 * pos) < 0) {
      return status::full;
    } else {
      Sync::spin_pause();
      pos = tail.load(O::claim_load);  // acquire: as above; another producer took pos
    }
  }
}

template <class T, class Sync, class O>
struct shared {
  using slot_t = stamped_slot<T, Sync>;

  alignas(cache_line) typename Sync::template atomic<std::uint64_t> tail{0};  // producers' CAS target
  alignas(cache_line) typename Sync::template cell<std::uint64_t> head{0};    // written by the consumer at drop
  alignas(cache_line) typename Sync::template atomic<std::uint32_t> producers{1};
  typename Sync::template atomic<std::uint32_t> consumer_alive{1};
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
    // Relaxed: release_ref's acquire ordered every stamp and head.
    const std::uint64_t t = tail.load(std::memory_order_relaxed);
    for (std::uint64_t i = head.load(); i != t; ++i) {
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

template <class T, class Sync = std_sync, class O = mpsc_orders>
struct endpoints {
  producer<T, Sync, O> tx;
  consumer<T, Sync, O> rx;
};

template <class T, class Sync = std_sync>
constexpr std::uint64_t max_capacity() noexcept {
  constexpr std::uint64_t by_size =
      std::numeric_limits<std::size_t>::max() / sizeof(detail::stamped_slot<T, Sync>);
  std::uint64_t p = std::uint64_t{1} << 62;  // keeps seq = i + capacity far from wrapping
  while (p > by_size) p >>= 1;
  return p;
}

// Creates a ring of at least `capacity` slots (rounded up to a power of two).
// Errors: capacity_zero, capacity_too_large, out_of_memory.
template <class T, class Sync = std_sync, class O = mpsc_orders>
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

// A producing end. Move-only; clone() makes another, independent one. Each
// handle is used by one thread at a time.
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

  // Another producer on the same ring. Precondition: valid().
  producer clone() const noexcept {
    s_->producers.fetch_add(1, std::memory_order_relaxed);  // relaxed (join): we hold a reference
    s_->refs.fetch_add(1, std::memory_order_relaxed);       // relaxed (join): we hold a reference
    return producer(s_);
  }

  // status::ok, or status::full with `v` untouched. Never spurious: full
  // means every slot held a value not yet taken when this push looked.
  [[nodiscard]] status push(T&& v) { return emplace_impl(std::move(v)); }
  [[nodiscard]] status push(const T& v) { return emplace_impl(v); }
  template <class... Args>
  [[nodiscard]] status emplace(Args&&... args) {
    return emplace_impl(std::forward<Args>(args)...);
  }

  std::uint64_t capacity() const noexcept { return mask_ + 1; }
  // True once the consumer is gone (F4: seen by every producer). Pushes still
  // succeed until the ring is full.
  bool is_disconnected() const noexcept {
    return s_ == nullptr || s_->consumer_alive.load(O::see_leave) == 0;  // acquire: pairs with leave
  }
  bool valid() const noexcept { return s_ != nullptr; }

 private:
  friend result<endpoints<T, Sync, O>> ring_buffer<T, Sync, O>(std::uint64_t);
  explicit producer(shared_t* s) noexcept : s_(s), slots_(s->slots), mask_(s->mask) {}

  template <class... Args>
  status emplace_impl(Args&&... args) {
    return detail::claim_push<Sync, O>(s_->tail, slots_, mask_, std::forward<Args>(args)...);
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

// The consuming end. Move-only; one thread at a time.
// Aligned to a cache line: the handle's index is written on every call, and
// a handle stored next to its peer (in one struct) must not share its line.
template <class T, class Sync, class O>
class alignas(cache_line) consumer {
  using shared_t = detail::shared<T, Sync, O>;

 public:
  consumer(consumer&& o) noexcept
      : s_(std::exchange(o.s_, nullptr)), slots_(o.slots_), mask_(o.mask_), head_(o.head_) {}
  consumer& operator=(consumer&& o) noexcept {
    if (this != &o) {
      reset();
      s_ = std::exchange(o.s_, nullptr);
      slots_ = o.slots_;
      mask_ = o.mask_;
      head_ = o.head_;
    }
    return *this;
  }
  consumer(const consumer&) = delete;
  consumer& operator=(const consumer&) = delete;
  ~consumer() { reset(); }

  // The oldest published value, or nullopt (empty, or the oldest claimed
  // index is not published yet).
  [[nodiscard]] std::optional<T> pop() {
    auto& slot = slots_[head_ & mask_];
    if (slot.seq.load(O::observe) != 2 * head_ + 1) return std::nullopt;  // acquire: pairs with publish
    std::optional<T> v(slot.value.take());
    slot.seq.store(2 * (head_ + mask_ + 1), O::free_slot);  // release: pairs with see_free in push
    ++head_;
    return v;
  }

  std::uint64_t capacity() const noexcept { return mask_ + 1; }
  // True once every producer is gone; everything they pushed is then visible
  // (acquire): "disconnected and pop() empty" means done.
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
    s->head.store(head_);                // for the last handle's cleanup; ordered by release_ref
    s->consumer_alive.fetch_sub(1, O::leave);  // release: pairs with see_leave in producer::is_disconnected
    shared_t::release(s);
  }

  shared_t* s_;
  typename shared_t::slot_t* slots_;
  std::uint64_t mask_;
  std::uint64_t head_ = 0;
};

}  // namespace nexus::queue::mpsc
