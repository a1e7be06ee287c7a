// nexus/sync/block.hpp -- allocation of the shared blocks every component's
// handles point to, through the Sync policy's allocator (std_sync: aligned
// operator new; the model: Relacy's allocator, which reports leaks and double
// frees). Each component keeps its own reference count and names the order
// of the decrement that decides who frees (release_ref / release_handle).
#pragma once

#include <new>
#include <utility>

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

// Destroys and frees a block made by new_block: called by the handle whose
// reference-count decrement read 1 (it is the last).
template <class Sync, class Block>
void delete_block(Block* b) noexcept {
  b->~Block();
  Sync::deallocate(b, sizeof(Block), alignof(Block));
}

}  // namespace nexus::detail
