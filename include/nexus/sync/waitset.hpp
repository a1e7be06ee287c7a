// nexus/sync/waitset.hpp -- an event count: any number of threads sleep until
// a condition they re-check may have changed; wakers make no syscall unless
// someone may be asleep. The blocking channels keep one per side where
// several threads may block (their senders; the MPMC receivers), and sleep
// on it through block_on (sync/blocking.hpp).
//
// PROTOCOL
//   waiter:  key = prepare()      (key = seq; waiters += 1; fence)
//            re-check the condition; if it holds: cancel() and go on
//            wait(key) / wait_until(key, deadline): sleep while seq == key
//            cancel()             (waiters -= 1)
//   waker:   make the condition true (publish), then notify_one/notify_all:
//            fence; if waiters != 0: seq += 1, futex wake.
//   The fences are the store-buffering handshake (F2): the waiter writes
//   `waiters` then reads the condition; the waker writes the condition then
//   reads `waiters`. With a seq_cst fence between each pair, at least one side
//   sees the other: either the re-check finds the condition, or the waker sees
//   the waiter and bumps seq, so the waiter's futex wait returns (seq != key).
//
// ATOMIC ACCESSES (named orders: `waitset_orders`)
//   prepare_fence  fence after waiters += 1   seq_cst: pairs with notify_fence.
//                                             The heavy side of an asymmetric
//                                             pair (std_sync.hpp fence_heavy:
//                                             a membarrier where available).
//   notify_fence   fence before reading       seq_cst: pairs with prepare_fence.
//                  waiters                    The light side (fence_light: a
//                                             compiler barrier where the heavy
//                                             side is a membarrier), so a
//                                             notify that wakes nobody costs
//                                             no fence instruction.
//   waiters, seq   increments/loads           relaxed: ordered by the fences;
//                                             the woken waiter re-checks the
//                                             condition through its own
//                                             acquire loads.
#pragma once

#include <climits>
#include <cstdint>

#include "nexus/sync/std_sync.hpp"

namespace nexus {

struct waitset_orders {
  static constexpr std::memory_order prepare_fence = std::memory_order_seq_cst;  // pairs with notify_fence
  static constexpr std::memory_order notify_fence = std::memory_order_seq_cst;   // pairs with prepare_fence
  static constexpr bool wake = true;  // false only in the model's negative twin
};

template <class Sync = std_sync, class O = waitset_orders>
class waitset {
 public:
  waitset() = default;
  waitset(const waitset&) = delete;
  waitset& operator=(const waitset&) = delete;

  // Announces a waiter and returns the key to wait on. The key is read
  // first: a notify that bumps seq after it makes the wait return at once.
  // (Reading it after the fence loses a wakeup: the notify may bump seq in
  // between, after the re-check missed its condition; the model found this.)
  int prepare() noexcept {
    const int key = seq_.load(std::memory_order_relaxed);  // relaxed: compared by the futex only
    waiters_.fetch_add(1, std::memory_order_relaxed);      // relaxed: ordered by prepare_fence
    Sync::fence_heavy(O::prepare_fence);                   // seq_cst (heavy): pairs with notify_fence
    return key;
  }
  void cancel() noexcept {
    waiters_.fetch_sub(1, std::memory_order_relaxed);  // relaxed: a stale count costs one extra wake
  }
  // Sleeps while no notify happened since prepare() (may return spuriously).
  void wait(int key) { Sync::futex_wait(seq_, key); }
  // As wait; false once the deadline has passed.
  bool wait_until(int key, typename Sync::clock::time_point deadline) {
    return Sync::futex_wait_until(seq_, key, deadline);
  }

  // After making the condition true: wake one sleeper, if any may sleep.
  void notify_one() noexcept { notify(false); }
  // After a change every sleeper must see (a disconnect): wake them all.
  void notify_all() noexcept { notify(true); }

 private:
  void notify(bool all) noexcept {
    Sync::fence_light(O::notify_fence);  // seq_cst (light): pairs with prepare_fence
    if (O::wake && waiters_.load(std::memory_order_relaxed) != 0) {  // relaxed: ordered by the fences
      seq_.fetch_add(1, std::memory_order_relaxed);  // relaxed: the futex word only
      if (all)
        Sync::futex_wake_all(seq_);
      else
        Sync::futex_wake_one(seq_);
    }
  }

  typename Sync::futex_word seq_{0};
  typename Sync::template atomic<std::uint32_t> waiters_{0};
};

}  // namespace nexus
