// nexus/queue/mpsc.hpp -- bounded multi-producer single-consumer ring of T:
// the stamped-slot core (queue/detail/stamped.hpp) with claiming producers
// and one consumer that keeps its head in its handle.
//
// LAYOUT
//   shared block, freed by the last handle:
//     tail       atomic u64, own line: producers claim an index by CAS
//     head       atomic u64, own line: a mirror of the consumer's index (its
//                handle keeps the index it works from), stored relaxed after
//                each pop for the producers' len() and when the consumer goes
//                for the last handle's cleanup
//     producers  live producer handles (0: every producer gone)
//     consumers  1 while the consumer lives (F4: every producer sees it go)
//     refs       all live handles; the last one frees the block
//     slots[cap] {atomic u64 seq; Sync::slot<T> value}, doubled Vyukov stamps
//   Indices and stamps are 64-bit on every platform (F5: no wedge on wrap).
//
// PROTOCOL (stamped.hpp, with MP = producers claim, single consumer)
//   push(v): pos = tail (claim_load); loop: seq = stamp (see_free);
//     seq == 2pos: CAS tail pos -> pos+1 (claim); on success construct,
//       seq = 2pos+1 (publish); on failure retry with the tail it read.
//     seq <  2pos: the slot still holds lap pos-cap: status::full (never
//       spurious: see claim_load). seq > 2pos: reload the tail.
//   pop(): seq = stamp at head (observe); 2head+1 -> take, seq =
//     2(head+cap) (free_slot). Otherwise, if the tail is past head, a
//     producer has claimed head and is constructing: wait for its publish
//     (F11: a pop that follows a completed push never reports empty);
//     else empty. Waiting at the oldest claim is head-of-line blocking.
//   Push is lock-free; pop waits only for a producer between its CAS and
//   its publish. FIFO follows CAS order; each producer's own order is kept.
//   Dropping the consumer destroys every value it can still pop; values
//   pushed after that are destroyed by the last handle.
//
// EXCEPTIONS AND DEADLOCK-FREEDOM
//   T's move constructor (a copy-only T's copy) must be noexcept
//   (static_assert: it runs inside a claimed slot). push(T&&) and
//   push(const T&) and emplace are noexcept when the constructor they use
//   is; one that may throw builds the value before claiming a slot, so a
//   throw leaves the ring unchanged and the caller's value as that
//   constructor left it (push(const T&): untouched). A claimed slot is
//   therefore always published: the ring never wedges. pop() is noexcept.
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
//   leave        producers/consumers RMW  release: publishes the leaving
//                                         side's pushes/pops to the peer's
//                                         see_leave (the RMW chain on the count
//                                         carries every earlier producer's).
//   see_leave    producers/consumers load acquire: pairs with leave, so a
//                in is_disconnected()     consumer that sees every producer
//                                         gone also sees every push (F3).
//   release_ref  refs RMW in ~handle      acq_rel: the last handle sees every
//                                         slot's final stamp before cleanup.
//   join         refs/producers increment relaxed: the caller already holds a
//                in clone()               reference (as shared_ptr copies).
//   The tail load of pop's wait, the cleanup loads: relaxed (stamped.hpp).
//   The head mirror's store and len()'s two loads: relaxed, a snapshot that
//   orders nothing (stamped.hpp SNAPSHOTS: len(), is_empty(), is_full() on
//   either side, what they count and what they can be off by).
//
// INVARIANTS
//   head <= tail <= head + capacity; a slot's seq is in {2i, 2i+1} for the
//   index i it currently serves; every index in [head, tail) is claimed by
//   exactly one producer, and published by it without a step that can fail;
//   the last handle destroys exactly the values whose seq says "holds a
//   value" in [head, tail).
#pragma once

#include <cstdint>

#include "nexus/queue/detail/stamped.hpp"
#include "nexus/result.hpp"
#include "nexus/sync/std_sync.hpp"

namespace nexus::queue::mpsc {

// This algorithm's named orders, here and nowhere else: the twins and the
// mutation audit weaken them one at a time, in this algorithm only. Other
// components' orders have the same shape; sharing them would weaken two at
// once (a deliberate repetition: issue 18).
struct mpsc_orders : queue::detail::stamped_rules {
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

// A producing end: move-only; clone() makes another, independent one. Each
// handle is used by one thread at a time. push / emplace: status::ok, or
// status::full with the value untouched; never a spurious full.
template <class T, class Sync = std_sync, class O = mpsc_orders>
using producer = queue::detail::stamped_producer<T, Sync, O, true, false>;
// The consuming end: move-only; one thread at a time. pop(): the oldest
// value, or nullopt when the ring holds none (never while a value whose push
// completed before this pop is in the ring).
template <class T, class Sync = std_sync, class O = mpsc_orders>
using consumer = queue::detail::stamped_consumer<T, Sync, O, true, false>;
template <class T, class Sync = std_sync, class O = mpsc_orders>
using endpoints = queue::detail::stamped_endpoints<T, Sync, O, true, false>;

template <class T, class Sync = std_sync>
constexpr std::uint64_t max_capacity() noexcept {
  return queue::detail::stamped_max_capacity<T, Sync>();
}

// Creates a ring of at least `capacity` slots (rounded up to a power of two;
// capacity() says how many). Errors: capacity_zero, capacity_too_large,
// out_of_memory.
template <class T, class Sync = std_sync, class O = mpsc_orders>
result<endpoints<T, Sync, O>> ring_buffer(std::uint64_t capacity) {
  return queue::detail::make_stamped<T, Sync, O, true, false>(capacity);
}
// As ring_buffer, but it holds at most `capacity` values, exactly (slots
// still rounded up; capacity() says `capacity`): stamped.hpp BOUND.
template <class T, class Sync = std_sync, class O = mpsc_orders>
result<endpoints<T, Sync, O>> ring_buffer_exact(std::uint64_t capacity) {
  return queue::detail::make_stamped<T, Sync, O, true, false>(capacity, true);
}

}  // namespace nexus::queue::mpsc
