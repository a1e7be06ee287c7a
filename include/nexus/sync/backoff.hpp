// nexus/sync/backoff.hpp -- exponential backoff for spin-then-park waits,
// with crossbeam-utils' Backoff semantics (nexus-inventory.md 2.2):
//   snooze(): 2^step relax hints while step <= 6, a thread yield after that;
//             step grows up to 11.
//   spin():   2^min(step, 6) relax hints; step grows up to 7.
//   is_completed(): step > 10 (after 11 snoozes): time to park.
// Waiters use it between polls; it makes no syscall until the yield phase.
//
// poll_backoff: the wait of a spinning ring end between two looks at the
// other side's index (queue/spsc.hpp pop_spin / push_spin). It never yields
// or parks. Each look reads a line the other side writes on every call;
// a consumer that looks after every value it takes ("tight following")
// pulls that line away from the producer once per value, and the producer's
// index store waits for it back. The wait adapts to how much a look finds:
//   found(n), n values (or free slots) found after the wait:
//             n <  batch:     wait = min(2 wait + 1, max_wait)
//             n >  4 batch:   wait = wait / 2
//   missed(): the look found nothing: wait = wait / 2 (the other side is
//             idle, so looking costs it nothing; and a lone value, as in a
//             ping-pong, is seen within a few hints)
// so a stream settles where each look finds about `batch` values, and a
// ping-pong (one value per look, after looks that found nothing) stays at a
// wait of 0-1 hints. The cost: under a stream a value may wait up to
// max_wait hints (PAUSE: 10-140 cycles each, by CPU) before it is seen.
#pragma once

#include <cstdint>

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

template <class Sync = std_sync>
class poll_backoff {
 public:
  static constexpr std::uint32_t batch = 64, max_wait = 256;

  // The wait before the next look: `wait()` relax hints.
  void pause() const {
    for (std::uint32_t i = 0; i < w_; ++i) Sync::spin_pause();
  }
  void found(std::uint64_t n) noexcept {
    if (n < batch)
      w_ = 2 * w_ + 1 < max_wait ? 2 * w_ + 1 : max_wait;
    else if (n > 4 * batch)
      w_ /= 2;
  }
  void missed() noexcept { w_ /= 2; }
  std::uint32_t wait() const noexcept { return w_; }

 private:
  std::uint32_t w_ = 0;
};

}  // namespace nexus
