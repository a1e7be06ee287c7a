// nexus/sync/block.hpp -- the shared blocks every component's handles point
// to, and the handle that points to one. Written once for the rings, the
// byte rings, the channels and notify (crossbeam's counter.rs plays this
// part there):
//
//   endpoints, make_endpoints
//       the two first handles every ring factory returns, and the
//       factory's last step (the block, then the handles).
//   new_block / try_new_block / delete_block
//       allocation through the Sync policy's allocator (std_sync: aligned
//       operator new; the model: Relacy's allocator, which reports leaks and
//       double frees). try_new_block turns std::bad_alloc into nullptr, which
//       the factories report as error::out_of_memory.
//   join(side, block)
//       a clone's increments of its side's count and of the references.
//   release_ref<Sync, Order>(block)
//       the reference-count decrement that decides who frees. `Order` is the
//       caller's named order (each component's `release_ref` or
//       `release_handle`), so weakening it in one component weakens it there
//       only.
//   handle<Shared, Local, Side>
//       a move-only reference to a block plus the handle's own state
//       (`Local`: cached indices and pointers, or the ring handles a channel
//       end holds). Moving transfers both; destroying (or assigning over) a valid handle runs
//       `Side::leave(shared, local)` -- the side's own disconnect bookkeeping,
//       with its own named orders -- and then `Shared::release(shared)`.
#pragma once

#include <atomic>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include "nexus/result.hpp"

namespace nexus::detail {

// Allocates and constructs a Block. Throws std::bad_alloc; if the
// constructor throws, the memory is returned before the exception leaves.
template <class Sync, class Block, class... Args>
Block* new_block(Args&&... args) {
  void* mem = Sync::allocate(sizeof(Block), alignof(Block));
  try {
    return ::new (mem) Block(std::forward<Args>(args)...);
  } catch (...) {
    Sync::deallocate(mem, sizeof(Block), alignof(Block));
    throw;
  }
}

// As new_block, but nullptr when the allocator refuses (std::bad_alloc from
// the block or from its constructor's own allocation): the factories'
// error::out_of_memory.
template <class Sync, class Block, class... Args>
Block* try_new_block(Args&&... args) noexcept {
  try {
    return new_block<Sync, Block>(std::forward<Args>(args)...);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

// Destroys and frees a block made by new_block.
template <class Sync, class Block>
void delete_block(Block* b) noexcept {
  b->~Block();
  Sync::deallocate(b, sizeof(Block), alignof(Block));
}

// Drops one reference to `b` (`refs`: its reference count); the handle whose
// decrement read 1 is the last and frees the block. `Order` is the caller's named order
// (acq_rel everywhere: the release half publishes this handle's accesses, the
// acquire half lets the last handle see every other handle's before cleanup).
template <class Sync, std::memory_order Order, class Block, class Count>
void release_ref(Block* b, Count& refs) noexcept {
  if (refs.fetch_sub(1, Order) == 1) delete_block<Sync>(b);
}

// The two first handles of a ring: what every factory returns inside its
// result (auto& [tx, rx] = *ring).
template <class Producer, class Consumer>
struct endpoints {
  using producer_type = Producer;
  using consumer_type = Consumer;
  Producer tx;
  Consumer rx;
};

// The factory's last step for every ring: the shared block (`Shared(cap,
// extra...)`, cap already rounded and checked) and its two first handles,
// or out_of_memory.
template <class Endpoints, class Shared, class Sync, class Result, class... Extra>
Result make_endpoints(std::uint64_t cap, Extra... extra) {
  Shared* s = try_new_block<Sync, Shared>(cap, extra...);
  if (s == nullptr) return error::out_of_memory;
  return Endpoints{typename Endpoints::producer_type(s), typename Endpoints::consumer_type(s)};
}

// A clone's join: one more live handle of its side (`side`) and one more
// reference to `b`. Relaxed: the caller holds a reference, so the block
// cannot go meanwhile (as shared_ptr copies).
template <class Count, class Block>
Block* join(Count& side, Block* b) noexcept {
  side.fetch_add(1, std::memory_order_relaxed);     // relaxed (join): see above
  b->refs.fetch_add(1, std::memory_order_relaxed);  // relaxed (join): see above
  return b;
}

// A move-only reference to a shared block with the handle's cached state.
// `Side::leave(Shared&, Local&)` runs when a valid handle lets go (before
// `Shared::release`). Not used from two threads at once.
template <class Shared, class Local, class Side>
class handle {
  static_assert(std::is_nothrow_move_constructible_v<Local> && std::is_nothrow_move_assignable_v<Local>);

 public:
  handle(handle&& o) noexcept : s_(std::exchange(o.s_, nullptr)), l_(std::move(o.l_)) {}
  handle& operator=(handle&& o) noexcept {
    if (this != &o) {
      reset();
      s_ = std::exchange(o.s_, nullptr);
      l_ = std::move(o.l_);
    }
    return *this;
  }
  handle(const handle&) = delete;
  handle& operator=(const handle&) = delete;
  ~handle() { reset(); }

  // False for a moved-from handle.
  bool valid() const noexcept { return s_ != nullptr; }

 protected:
  handle(Shared* s, Local l) noexcept : s_(s), l_(std::move(l)) {}
  void reset() noexcept {
    if (s_ == nullptr) return;
    Shared* s = std::exchange(s_, nullptr);
    Side::leave(*s, l_);
    Shared::release(s);
  }

  Shared* s_;
  Local l_;
};

}  // namespace nexus::detail
