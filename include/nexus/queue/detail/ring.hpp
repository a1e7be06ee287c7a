// nexus/queue/detail/ring.hpp -- what the four rings of T (spsc, mpsc, spmc,
// mpmc) share besides their algorithms: how a value moves in and out of a
// slot, the capacity rule, the slot array, and the factory.
//
// VALUES. A ring stores any T that is move- or copy-constructible (a
// copy-only T, with a deleted move constructor, is copied in and out). T
// need not be assignable or default-constructible: the rings only ever
// construct and destroy. `relocate(v)` is the constructor argument that
// moves v (or copies it, for a copy-only T); `nothrow_relocatable<T>` says
// that constructor cannot throw. The exception guarantee of each operation
// is stated in its ring's header; where it needs a nothrow relocation (a
// multi-producer ring moves the value into a slot it has already claimed
// from the other producers, a multi-consumer ring moves it out of a slot it
// has already claimed from the other consumers) the ring says so with a
// static_assert, rather than losing or wedging a value at run time.
//
// CAPACITY. Rings hold a power of two of slots (slot = index & mask):
// `ring_buffer(n)` rounds n up and capacity() says what it holds. Errors:
// capacity_zero, capacity_too_large (the rounding overflows, or the slot
// array would not be addressable, or the ring's index bound is passed),
// out_of_memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "nexus/result.hpp"
#include "nexus/sync/block.hpp"

namespace nexus::queue::detail {

template <class T>
inline constexpr bool storable =
    std::is_destructible_v<T> && (std::is_move_constructible_v<T> || std::is_copy_constructible_v<T>);

template <class T>
inline constexpr bool nothrow_relocatable = std::is_move_constructible_v<T>
                                                ? std::is_nothrow_move_constructible_v<T>
                                                : std::is_nothrow_copy_constructible_v<T>;

// The constructor argument that moves `v` into another object: an rvalue,
// or a const lvalue for a copy-only T.
template <class T>
constexpr decltype(auto) relocate(T& v) noexcept {
  if constexpr (std::is_move_constructible_v<T>)
    return std::move(v);
  else
    return static_cast<const T&>(v);
}

// The largest power of two <= `limit` whose array of Slot is addressable.
template <class Slot>
constexpr std::uint64_t max_slots(std::uint64_t limit) noexcept {
  const std::uint64_t by_size = std::numeric_limits<std::size_t>::max() / sizeof(Slot);
  std::uint64_t p = limit;
  while (p > by_size) p >>= 1;
  return p;
}

// `n` default-constructed (uninitialised, for the production slot) slots
// through the Sync policy's allocator. Throws std::bad_alloc.
template <class Sync, class Slot>
Slot* new_slots(std::uint64_t n) {
  auto* p = static_cast<Slot*>(Sync::allocate(sizeof(Slot) * n, alignof(Slot)));
  std::uninitialized_default_construct_n(p, n);  // no code for the production slot
  return p;
}
template <class Sync, class Slot>
void delete_slots(Slot* p, std::uint64_t n) noexcept {
  std::destroy_n(p, n);
  Sync::deallocate(p, sizeof(Slot) * n, alignof(Slot));
}

// The factory of every ring: rounds the capacity, allocates the shared
// block (`Shared(capacity)`), and hands its two first handles to
// `Endpoints{Producer(s), Consumer(s)}` (both constructible from Shared*).
//
// `exact`: the ring holds at most `request` values although it has `cap`
// slots (`Shared(cap, request)`: the bound the channels use, BOUND in
// spsc.hpp and stamped.hpp); otherwise it holds `cap` (`Shared(cap, cap)`).
template <class Endpoints, class Shared, class Sync>
result<Endpoints> make_ring(std::uint64_t request, std::uint64_t max, bool exact = false) {
  std::uint64_t cap = 0;
  if (const error e = nexus::detail::round_capacity(request, max, cap); e != error{}) return e;
  return nexus::detail::make_endpoints<Endpoints, Shared, Sync, result<Endpoints>>(cap, exact ? request : cap);
}

}  // namespace nexus::queue::detail
