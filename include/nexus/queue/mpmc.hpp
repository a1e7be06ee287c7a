// nexus/queue/mpmc.hpp -- bounded multi-producer multi-consumer ring of T
// (Vyukov's bounded MPMC queue with doubled 64-bit stamps): the stamped-slot
// core (queue/detail/stamped.hpp) with both sides claiming.
//
// LAYOUT
//   tail (own line, producers' CAS), head (own line, consumers' CAS),
//   producers / consumers (live handle counts), refs, slots[c] {seq, value}.
//
// STAMPS: 2i writable for index i; 2i+1 holds index i's value; 2(i+cap)
//   after the take (capacity 1 works; 64-bit: no wrap).
//
// PROTOCOL (stamped.hpp with MP and MC)
//   push: as mpsc.hpp (claim the tail by CAS when the stamp says writable);
//     when the slot still holds the previous lap and the head is already
//     past it, a consumer is moving that value out: wait for its free
//     instead of reporting `full`; otherwise `full`.
//   pop:  as spmc.hpp (take the head by CAS when the stamp says readable);
//     when the head slot is not published and the tail is already past it,
//     a producer is constructing that value: wait for its publish instead of
//     reporting empty (F11, crossbeam's `linearizable` test: a thread's pop
//     after its own completed push never reports empty); otherwise empty.
//   Each value goes to exactly one consumer; FIFO by claim order. The last
//   consumer to go destroys every value still in the ring.
//
// EXCEPTIONS
//   T's move constructor (a copy-only T's copy) must be noexcept
//   (static_assert). A push whose constructor may throw builds the value
//   before it claims a slot: a throw leaves the ring unchanged, never a
//   claimed slot that no one will publish (the wedge). noexcept is
//   conditional on the constructor used; pop() is noexcept.
//
// ATOMIC ACCESSES (named orders: `mpmc_orders`): publish/observe (value
//   handoff), free_slot/see_free (slot reuse), claim_load/claim on the tail
//   (producers) and take_load/take on the head (consumers) with the same
//   reasons as in mpsc.hpp and spmc.hpp; leave/see_leave for disconnect;
//   release_ref for the last handle. Clone increments, the other side's
//   index read before a wait, and cleanup loads are relaxed (stamped.hpp).
//   len(), is_empty(), is_full() on either side: two relaxed loads, a
//   snapshot (stamped.hpp SNAPSHOTS).
//
// INVARIANTS: those of stamped.hpp.
#pragma once

#include <cstdint>

#include "nexus/queue/detail/stamped.hpp"
#include "nexus/result.hpp"
#include "nexus/sync/std_sync.hpp"

namespace nexus::queue::mpmc {

// This algorithm's named orders, here and nowhere else: the twins and the
// mutation audit weaken them one at a time, in this algorithm only. Other
// components' orders have the same shape; sharing them would weaken two at
// once (a deliberate repetition: issue 18).
struct mpmc_orders : queue::detail::stamped_rules {
  static constexpr std::memory_order publish = std::memory_order_release;      // pairs with observe
  static constexpr std::memory_order observe = std::memory_order_acquire;      // pairs with publish
  static constexpr std::memory_order free_slot = std::memory_order_release;    // pairs with see_free
  static constexpr std::memory_order see_free = std::memory_order_acquire;     // pairs with free_slot
  static constexpr std::memory_order claim_load = std::memory_order_acquire;   // pairs with claim (no spurious full)
  static constexpr std::memory_order claim = std::memory_order_acq_rel;        // pairs with claim_load / itself
  // mutation-survives: as spmc.hpp take_load: orders the view of other consumers' takes; no scenario observes it without an application-level invariant
  static constexpr std::memory_order take_load = std::memory_order_acquire;    // pairs with take
  // mutation-survives: as take_load, for the CAS that advances head
  static constexpr std::memory_order take = std::memory_order_acq_rel;         // pairs with take_load / itself
  static constexpr std::memory_order leave = std::memory_order_release;        // pairs with see_leave
  static constexpr std::memory_order see_leave = std::memory_order_acquire;    // pairs with leave
  static constexpr std::memory_order release_ref = std::memory_order_acq_rel;  // pairs with itself
};

// A producing end: cloneable, one thread at a time per handle.
template <class T, class Sync = std_sync, class O = mpmc_orders>
using producer = queue::detail::stamped_producer<T, Sync, O, true, true>;
// A consuming end: cloneable, one thread at a time per handle.
template <class T, class Sync = std_sync, class O = mpmc_orders>
using consumer = queue::detail::stamped_consumer<T, Sync, O, true, true>;
template <class T, class Sync = std_sync, class O = mpmc_orders>
using endpoints = queue::detail::stamped_endpoints<T, Sync, O, true, true>;

// Creates a ring of at least `capacity` slots (rounded up to a power of two).
// Errors: capacity_zero, capacity_too_large, out_of_memory.
template <class T, class Sync = std_sync, class O = mpmc_orders>
result<endpoints<T, Sync, O>> ring_buffer(std::uint64_t capacity) {
  return queue::detail::make_stamped<T, Sync, O, true, true>(capacity);
}
// As ring_buffer, but it holds at most `capacity` values, exactly (slots
// still rounded up; capacity() says `capacity`): stamped.hpp BOUND.
template <class T, class Sync = std_sync, class O = mpmc_orders>
result<endpoints<T, Sync, O>> ring_buffer_exact(std::uint64_t capacity) {
  return queue::detail::make_stamped<T, Sync, O, true, true>(capacity, true);
}

}  // namespace nexus::queue::mpmc
