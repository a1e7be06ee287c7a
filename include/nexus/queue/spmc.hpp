// nexus/queue/spmc.hpp -- bounded single-producer multi-consumer ring of T:
// the stamped-slot core (queue/detail/stamped.hpp) with one producer that
// keeps its tail in its handle and consumers that claim.
//
// LAYOUT
//   shared block, freed by the last handle:
//     head       atomic u64, own line: consumers take an index by CAS
//     tail       atomic u64, own line: a mirror of the producer's index (its
//                handle keeps the index it works from), stored relaxed after
//                each push for the consumers' len() and when the producer
//                goes for the last handle's cleanup
//     producers  1 while the producer handle lives
//     consumers  live consumer handles
//     refs       all live handles; the last one frees the block
//     slots[cap] {atomic u64 seq; Sync::slot<T> value}
//   STAMPS as in stamped.hpp (doubled Vyukov sequence numbers; 64-bit, F5).
//
// PROTOCOL (stamped.hpp, with a single producer, MC = consumers claim)
//   push(v): seq = stamp at tail (see_free); 2tail -> construct, seq =
//     2tail+1 (publish), ++tail. seq < 2tail: the previous lap's value is
//     still there: if the head is already past it, a consumer has taken it
//     and is moving it out, so wait for its free (`full` is never reported
//     while that pop is under way); else status::full.
//   pop(): pos = head (take_load); loop: seq = stamp (observe); 2pos+1 ->
//     CAS head pos -> pos+1 (take); on success move out, seq = 2(pos+cap)
//     (free_slot); on failure retry with the head it read. seq < 2pos+1:
//     empty (a stale head finds a taken slot and retries, so no F11 false
//     empty). seq > 2pos+1: another consumer took pos; reload the head.
//   Each value goes to exactly one consumer (not a broadcast). The last
//   consumer to go destroys every value still in the ring; values pushed
//   after that are destroyed by the last handle.
//
// EXCEPTIONS
//   T's move constructor (a copy-only T's copy) must be noexcept
//   (static_assert: a consumer moves the value out of a slot it has claimed
//   from the others; a throw there would lose it). push / emplace build the
//   value in the producer's own slot before publishing it: if T's
//   constructor throws, nothing is published and the ring is unchanged
//   (push(const T&): the caller's value untouched). noexcept is conditional
//   on the constructor used; pop() is noexcept.
//
// ATOMIC ACCESSES (named orders: `spmc_orders`)
//   publish      seq store in push        release: pairs with observe.
//   observe      seq load in pop          acquire: pairs with publish.
//   free_slot    seq store in pop         release: pairs with see_free.
//   see_free     seq load in push         acquire: pairs with free_slot.
//   take_load    head load in pop         acquire: pairs with other consumers'
//                                         take (release half).
//   take         head CAS in pop          acq_rel (failed CAS reloads with
//                                         acquire): pairs with take_load.
//   leave        producer/consumers RMW   release: pairs with see_leave.
//   see_leave    in is_disconnected()     acquire: pairs with leave, so a
//                                         consumer that sees the producer gone
//                                         also sees every push (F3).
//   release_ref  refs RMW in ~handle      acq_rel: the last handle sees every
//                                         stamp before cleanup.
//   clone() increments are relaxed (the caller holds a reference); the head
//   load of push's wait and the cleanup loads are relaxed (stamped.hpp).
//   The tail mirror's store and len()'s two loads: relaxed, a snapshot that
//   orders nothing (stamped.hpp SNAPSHOTS: len(), is_empty(), is_full()).
//
// INVARIANTS
//   head <= tail <= head + capacity; every index in [head, tail) is taken by
//   at most one consumer, and freed by it without a step that can fail; the
//   last handle destroys exactly the values whose seq says "holds a value"
//   in [head, tail).
#pragma once

#include <cstdint>

#include "nexus/queue/detail/stamped.hpp"
#include "nexus/result.hpp"
#include "nexus/sync/std_sync.hpp"

namespace nexus::queue::spmc {

// This algorithm's named orders, here and nowhere else: the twins and the
// mutation audit weaken them one at a time, in this algorithm only. Other
// components' orders have the same shape; sharing them would weaken two at
// once (a deliberate repetition: issue 18).
struct spmc_orders : queue::detail::stamped_rules {
  static constexpr std::memory_order publish = std::memory_order_release;      // pairs with observe
  static constexpr std::memory_order observe = std::memory_order_acquire;      // pairs with publish
  static constexpr std::memory_order free_slot = std::memory_order_release;    // pairs with see_free
  static constexpr std::memory_order see_free = std::memory_order_acquire;     // pairs with free_slot
  // mutation-survives: orders a consumer's view of other consumers' takes so that an index whose publish a taker had seen is never reported empty; no single-ring scenario can observe it without an application-level invariant (the MPSC twin is caught by model/mpsc_fifo no_spurious_full); free on x86
  static constexpr std::memory_order take_load = std::memory_order_acquire;    // pairs with take (release half)
  // mutation-survives: as take_load, for the CAS that advances head
  static constexpr std::memory_order take = std::memory_order_acq_rel;         // pairs with take_load / itself
  static constexpr std::memory_order leave = std::memory_order_release;        // pairs with see_leave
  static constexpr std::memory_order see_leave = std::memory_order_acquire;    // pairs with leave
  static constexpr std::memory_order release_ref = std::memory_order_acq_rel;  // pairs with itself
};

// The producing end: move-only; one thread at a time.
template <class T, class Sync = std_sync, class O = spmc_orders>
using producer = queue::detail::stamped_producer<T, Sync, O, false, true>;
// A consuming end: move-only; clone() makes another, independent one. Each
// handle is used by one thread at a time.
template <class T, class Sync = std_sync, class O = spmc_orders>
using consumer = queue::detail::stamped_consumer<T, Sync, O, false, true>;
template <class T, class Sync = std_sync, class O = spmc_orders>
using endpoints = queue::detail::stamped_endpoints<T, Sync, O, false, true>;

// Creates a ring of at least `capacity` slots (rounded up to a power of two).
// Errors: capacity_zero, capacity_too_large, out_of_memory.
template <class T, class Sync = std_sync, class O = spmc_orders>
result<endpoints<T, Sync, O>> ring_buffer(std::uint64_t capacity) {
  return queue::detail::make_stamped<T, Sync, O, false, true>(capacity);
}
// As ring_buffer, but it holds at most `capacity` values, exactly (slots
// still rounded up; capacity() says `capacity`): stamped.hpp BOUND.
template <class T, class Sync = std_sync, class O = spmc_orders>
result<endpoints<T, Sync, O>> ring_buffer_exact(std::uint64_t capacity) {
  return queue::detail::make_stamped<T, Sync, O, false, true>(capacity, true);
}

}  // namespace nexus::queue::spmc
