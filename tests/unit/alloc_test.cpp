// Allocation failure at every allocation point (issue 17): this executable
// replaces the global operator new / delete with counting versions whose
// k-th allocation from an armed point throws std::bad_alloc. Every factory
// (the four typed rings, the three channels, both byte rings and their
// channels, event_queue, event_channel) is called with the failure armed
// at its 1st, 2nd, ... allocation until a call makes no more allocations
// than that: each failing call must return error::out_of_memory and leave
// no allocation behind; the call that succeeds must free everything it
// allocated once its endpoints go. (The shared blocks and slot arrays come
// through the seam's Sync::allocate, the byte rings' buffers through
// std_sync::word_buffer: both end in operator new, so both are covered.)
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>

#include "nexus/channel/channel.hpp"
#include "nexus/logbuf/channel.hpp"
#include "nexus/logbuf/mpsc.hpp"
#include "nexus/logbuf/spsc.hpp"
#include "nexus/notify/event_channel.hpp"
#include "nexus/notify/event_queue.hpp"
#include "nexus/queue/mpmc.hpp"
#include "nexus/queue/mpsc.hpp"
#include "nexus/queue/spmc.hpp"
#include "nexus/queue/spsc.hpp"

namespace {

std::atomic<long> countdown{0};  // the n-th allocation from now throws; 0: never
std::atomic<long> live{0};       // allocations not yet freed
std::atomic<bool> fired{false};

void* take(std::size_t n, std::size_t align) {
  if (countdown.load(std::memory_order_relaxed) > 0 && countdown.fetch_sub(1, std::memory_order_relaxed) == 1) {
    fired.store(true, std::memory_order_relaxed);
    throw std::bad_alloc();
  }
  if (n == 0) n = 1;
  void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, (n + align - 1) / align * align)
                                               : std::malloc(n);
  if (p == nullptr) throw std::bad_alloc();
  live.fetch_add(1, std::memory_order_relaxed);
  return p;
}
void give(void* p) noexcept {
  if (p == nullptr) return;
  live.fetch_sub(1, std::memory_order_relaxed);
  std::free(p);
}

// Calls make() with the k-th allocation failing, for k = 1, 2, ... until
// make() no longer reaches the armed allocation.
template <class Make>
void every_allocation_point(const char* what, Make make) {
  for (long k = 1;; ++k) {
    ASSERT_LT(k, 64) << what << ": more allocations than expected";
    const long before = live.load();
    fired = false;
    countdown = k;
    {
      auto r = make();
      countdown = 0;
      if (!fired) {
        ASSERT_TRUE(r) << what << ": the unarmed call failed";
        EXPECT_GT(k, 1) << what << ": made no allocation at all (this test could not fail)";
        break;  // r goes now: its endpoints free what it allocated
      }
      ASSERT_FALSE(r) << what << ": allocation " << k << " failed but the factory succeeded";
      EXPECT_EQ(r.error_code(), nexus::error::out_of_memory) << what << ", allocation " << k;
    }
    EXPECT_EQ(live.load(), before) << what << ": allocation " << k << " failed and left memory behind";
  }
}

TEST(AllocationFailure, EveryFactoryReturnsOutOfMemoryAndLeaksNothing) {
  const long start = live.load();
  every_allocation_point("queue::spsc", [] { return nexus::queue::spsc::ring_buffer<std::string>(64); });
  every_allocation_point("queue::mpsc", [] { return nexus::queue::mpsc::ring_buffer<std::string>(64); });
  every_allocation_point("queue::spmc", [] { return nexus::queue::spmc::ring_buffer<std::string>(64); });
  every_allocation_point("queue::mpmc", [] { return nexus::queue::mpmc::ring_buffer<std::string>(64); });
  every_allocation_point("channel", [] { return nexus::channel::channel<std::string>(64); });
  every_allocation_point("mpsc_channel", [] { return nexus::channel::mpsc_channel<std::string>(64); });
  every_allocation_point("mpmc_channel", [] { return nexus::channel::mpmc_channel<std::string>(64); });
  every_allocation_point("logbuf::spsc", [] { return nexus::logbuf::spsc::ring_buffer(4096); });
  every_allocation_point("logbuf::mpsc", [] { return nexus::logbuf::mpsc::ring_buffer(4096); });
  every_allocation_point("logbuf::channel::spsc", [] { return nexus::logbuf::channel::spsc::channel(4096); });
  every_allocation_point("logbuf::channel::mpsc", [] { return nexus::logbuf::channel::mpsc::channel(4096); });
  every_allocation_point("notify::event_queue", [] { return nexus::notify::event_queue(64); });
  every_allocation_point("notify::event_channel", [] { return nexus::notify::event_channel(64); });
  EXPECT_EQ(live.load(), start) << "something outlived its endpoints";
}

// A value whose copy allocates: a failure inside push(const T&) is the
// copy's, thrown before anything is published (the contract's strong
// guarantee), and the ring keeps working.
TEST(AllocationFailure, AFailedCopyInPushChangesNothing) {
  auto r = nexus::queue::mpsc::ring_buffer<std::string>(4);
  auto& [tx, rx] = *r;
  const std::string big(1000, 'x');  // beyond the small-string buffer: its copy allocates
  countdown = 1;
  EXPECT_THROW((void)tx.push(big), std::bad_alloc);
  countdown = 0;
  EXPECT_FALSE(rx.pop().has_value()) << "a failed copy published something";
  ASSERT_EQ(tx.push(big), nexus::status::ok);
  EXPECT_EQ(*rx.pop(), big);
}

}  // namespace

void* operator new(std::size_t n) { return take(n, 0); }
void* operator new[](std::size_t n) { return take(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) { return take(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return take(n, static_cast<std::size_t>(a)); }
void operator delete(void* p) noexcept { give(p); }
void operator delete[](void* p) noexcept { give(p); }
void operator delete(void* p, std::size_t) noexcept { give(p); }
void operator delete[](void* p, std::size_t) noexcept { give(p); }
void operator delete(void* p, std::align_val_t) noexcept { give(p); }
void operator delete[](void* p, std::align_val_t) noexcept { give(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { give(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { give(p); }
