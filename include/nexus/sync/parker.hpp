// nexus/sync/parker.hpp -- a one-token parker on the seam's futex wait.
//
// One thread owns the parker and parks; any thread may unpark it. The token
// semantics of std::thread::park / crossbeam's Parker:
//   * at most one pending wake-up: unpark() deposits the token, park()
//     consumes it; an unpark before the park is remembered, so the next park
//     returns at once;
//   * park() returns only with the token (spurious futex wake-ups re-wait);
//   * park_until(deadline) also returns (false) once the deadline passes.
//
// STATE (one futex word): EMPTY 0, NOTIFIED 1, PARKED -1.
//   park():   state.fetch_sub(1) (take): NOTIFIED -> EMPTY returns at once;
//             EMPTY -> PARKED, then wait while PARKED; leave when a CAS
//             NOTIFIED -> EMPTY (take) succeeds.
//   unpark(): state.exchange(NOTIFIED) (give); if it was PARKED, futex wake.
//   timeout:  exchange(EMPTY) (take): if the token arrived meanwhile, it is
//             consumed and park_until reports a wake-up.
//
// ATOMIC ACCESSES (named orders: `parker_orders`)
//   give   exchange in unpark          release: pairs with take; what the
//                                      unparker wrote before unpark() is
//                                      visible after park() returns.
//   take   fetch_sub / CAS / exchange  acquire: pairs with give.
//          in park
//   The futex syscall itself is a full barrier; the model's futex adds its
//   own seq_cst fence, like the kernel's.
#pragma once

#include "nexus/sync/std_sync.hpp"

namespace nexus {

struct parker_orders {
  static constexpr std::memory_order give = std::memory_order_release;  // pairs with take
  static constexpr std::memory_order take = std::memory_order_acquire;  // pairs with give
};

template <class Sync = std_sync, class O = parker_orders>
class parker {
 public:
  static constexpr int empty = 0, notified = 1, parked = -1;

  parker() = default;
  parker(const parker&) = delete;
  parker& operator=(const parker&) = delete;

  // Blocks until the token is available, then consumes it.
  void park() {
    if (state_.fetch_sub(1, O::take) == notified) return;  // acquire: pairs with give; NOTIFIED -> EMPTY
    for (;;) {
      Sync::futex_wait(state_, parked);
      int expected = notified;
      // acquire: pairs with give. A spurious wake finds PARKED and waits again.
      if (state_.compare_exchange_strong(expected, empty, O::take)) return;
    }
  }

  // As park(), but gives up at `deadline`: true if the token was consumed,
  // false on timeout (a zero or past deadline still takes a pending token).
  bool park_until(typename Sync::clock::time_point deadline) {
    if (state_.fetch_sub(1, O::take) == notified) return true;  // acquire: pairs with give
    for (;;) {
      const bool in_time = Sync::futex_wait_until(state_, parked, deadline);
      int expected = notified;
      if (state_.compare_exchange_strong(expected, empty, O::take)) return true;  // acquire: pairs with give
      if (!in_time) {
        // Deadline passed: leave PARKED; a token that raced in is still ours.
        return state_.exchange(empty, O::take) == notified;  // acquire: pairs with give
      }
    }
  }

  // Makes the token available and wakes the parked owner, if any.
  void unpark() {
    if (state_.exchange(notified, O::give) == parked)  // release: pairs with take in park
      Sync::futex_wake_one(state_);
  }

 private:
  typename Sync::futex_word state_{empty};
};

}  // namespace nexus
