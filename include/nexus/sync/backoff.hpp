// nexus/sync/backoff.hpp -- exponential backoff for spin-then-park waits,
// with crossbeam-utils' Backoff semantics (nexus-inventory.md 2.2):
//   snooze(): 2^step relax hints while step <= 6, a thread yield after that;
//             step grows up to 11.
//   spin():   2^min(step, 6) relax hints; step grows up to 7.
//   is_completed(): step > 10 (after 11 snoozes): time to park.
// Waiters use it between polls; it makes no syscall until the yield phase.
#pragma once

#include "nexus/sync/std_sync.hpp"

namespace nexus {

template <class Sync = std_sync>
class backoff {
 public:
  static constexpr unsigned spin_limit = 6, yield_limit = 10;

  void snooze() {
    if (step_ <= spin_limit) {
      for (unsigned i = 0; i < (1u << step_); ++i) Sync::spin_pause();
    } else {
      Sync::yield();
    }
    if (step_ <= yield_limit) ++step_;
  }
  void spin() {
    const unsigned s = step_ < spin_limit ? step_ : spin_limit;
    for (unsigned i = 0; i < (1u << s); ++i) Sync::spin_pause();
    if (step_ <= spin_limit) ++step_;
  }
  bool is_completed() const noexcept { return step_ > yield_limit; }
  void reset() noexcept { step_ = 0; }
  unsigned step() const noexcept { return step_; }

 private:
  unsigned step_ = 0;
};

}  // namespace nexus
