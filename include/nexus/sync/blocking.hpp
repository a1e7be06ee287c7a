// nexus/sync/blocking.hpp -- how every blocking call in nexus waits, written
// once: the typed channels (both sides), the byte channels (both sides) and
// the event channel's receiver.
//
//   deadline_after<Clock>(d)
//       now + d for any duration type, saturating: a zero or negative d is
//       "now" (one attempt, never a wait); a d whose deadline the clock
//       cannot represent is time_point::max(), which block_on treats as no
//       deadline at all (wait for ever, as std and crossbeam do). Never
//       overflows: nanoseconds::max(), hours::max() and floating durations
//       are all fine.
//   block_on(sleeper, spins, deadline, retry, attempt)
//       try; back off `spins` snoozes with an attempt after each; then the
//       park loop: key = sleeper.prepare(); attempt (the re-check of the
//       handshake); sleeper.wait(key) or wait_until(key, deadline); cancel;
//       attempt; until an attempt returns anything whose code is not
//       `retry`. A passed deadline makes one more attempt and then returns
//       status::timeout, without parking once it has passed before the
//       park loop (a zero timeout costs no heavy fence); a deadline already
//       past on entry still makes the first attempt, so a drained,
//       disconnected channel reports disconnected, not timeout (F8). `attempt(parking)` is told whether
//       it is the re-check after prepare() or the first attempt after a
//       wake-up (true), or a fast-path / spin attempt (false): the byte
//       channels' senders look at the consumer's exact position only then.
//   The sleepers: `waitset` (sync/waitset.hpp: any number of waiters) and
//   `lone_waiter` below (exactly one waiter: a parked flag and a parker).
//
// lone_waiter ATOMIC ACCESSES (the orders are the owning channel's `O`:
//   park_fence, wake_fence, wake; named in its header)
//   park_fence  fence after parked = true   seq_cst: pairs with wake_fence.
//   wake_fence  fence before reading parked seq_cst: pairs with park_fence.
//   parked flag stores and loads            relaxed: ordered by the fences.
//   "set parked, re-check" against "publish, check parked" is the
//   store-buffering pattern (F2): with a seq_cst fence on both sides one of
//   the two reads sees the other's write (park_fence is the heavy side of
//   an asymmetric pair, wake_fence the light side: std_sync.hpp fence_heavy
//   / fence_light), so either the re-check finds the
//   value or the waker sees the flag and unparks. The parker keeps one
//   token, so an unpark before the park is never lost.
#pragma once

#include <chrono>
#include <cstdint>

#include "nexus/result.hpp"
#include "nexus/sync/backoff.hpp"
#include "nexus/sync/parker.hpp"
#include "nexus/sync/std_sync.hpp"

namespace nexus {

// now + d, saturating (see the header comment).
template <class Clock, class Rep, class Period>
typename Clock::time_point deadline_after(std::chrono::duration<Rep, Period> d) noexcept {
  using time_point = typename Clock::time_point;
  using duration = typename Clock::duration;
  using wide = std::chrono::duration<long double, typename duration::period>;
  const time_point now = Clock::now();
  if (!(d > d.zero())) return now;  // zero, negative (and NaN): attempt once, never wait
  const duration room = time_point::max() - now;
  // Compared as long double, so neither d nor room is converted into a type
  // that cannot hold it; one tick of margin covers the rounding up below.
  if (wide(d) >= wide(room) - wide(duration(1))) return time_point::max();
  return now + std::chrono::ceil<duration>(d);
}

// One waiter (a channel's single receiver), any number of wakers. The
// sleeper interface of block_on, like waitset's. `O` names park_fence,
// wake_fence and wake (false only in the model's negative twins).
template <class Sync, class O>
class lone_waiter {  // not copyable: its members are not
 public:
  int prepare() noexcept {
    parked_.store(true, std::memory_order_relaxed);  // relaxed: ordered by park_fence
    Sync::fence_heavy(O::park_fence);                // seq_cst (heavy): pairs with wake_fence in notify (F2)
    return 0;
  }
  void cancel() noexcept {
    parked_.store(false, std::memory_order_relaxed);  // relaxed: only this thread reads it next
  }
  void wait(int) { p_.park(); }
  bool wait_until(int, typename Sync::clock::time_point deadline) { return p_.park_until(deadline); }

  // After publishing what the waiter waits for (a value, or the last
  // sender's leave): wake it if it may be parked. The parker keeps the
  // token, so a wake just before the park is not lost (H1).
  void notify_one() noexcept {
    Sync::fence_light(O::wake_fence);  // seq_cst (light): pairs with park_fence in prepare (F2)
    if (O::wake && parked_.load(std::memory_order_relaxed)) p_.unpark();  // relaxed: ordered by the fences
  }
  // The waitset's name for the same (there is only one waiter).
  void notify_all() noexcept { notify_one(); }

 private:
  alignas(cache_line) typename Sync::template atomic<bool> parked_{false};
  parker<Sync> p_;
};

namespace detail {

constexpr status code_of(status s) noexcept { return s; }
template <class R>
constexpr status code_of(const R& r) noexcept {
  return r.code();
}

}  // namespace detail

namespace detail {

// block_on after a first attempt that returned `retry` (in r): the backoff
// and the park loop. Out of line, so that block_on's fast path (one attempt
// that succeeds) inlines into every blocking call.
template <class Sync, class Sleeper, class Attempt, class R>
[[gnu::noinline]] R block_on_wait(Sleeper& sleeper, unsigned spins, const typename Sync::clock::time_point* deadline,
                                  status retry, Attempt& attempt, R r) {
  if (deadline != nullptr && *deadline == Sync::clock::time_point::max()) deadline = nullptr;  // unrepresentable: for ever
  // A passed deadline: one more attempt (the parking form, so a byte
  // channel's sender reads the consumer's exact position) and no park: an
  // expired or zero timeout never pays prepare()'s heavy fence.
  const auto expired = [&] {
    r = attempt(true);
    return code_of(r) == retry ? R(status::timeout) : std::move(r);
  };
  if (deadline != nullptr && Sync::clock::now() >= *deadline) return expired();
  // About to wait: push this thread's earlier stores (its last send, which
  // the peer may be waiting for) out of the store buffer now rather than
  // behind the polling loads. Performance only: the handshake's fences
  // are the light / heavy pair; with the light one a compiler barrier, a
  // ping-pong's round trip was 1.4x slower at p99 without this.
  // mutation-survives: orders nothing any protocol relies on (the waits' handshakes are prepare/notify and park/wake); it only makes a just-published value visible sooner
  Sync::fence(std::memory_order_seq_cst);
  backoff<Sync> b;
  for (unsigned i = 0; i < spins; ++i) {
    if (deadline != nullptr && Sync::clock::now() >= *deadline) return expired();
    b.snooze();
    if (code_of(r = attempt(false)) != retry) return r;
  }
  for (;;) {
    const int key = sleeper.prepare();
    if (code_of(r = attempt(true)) != retry) {
      sleeper.cancel();
      return r;
    }
    if (deadline == nullptr) {
      sleeper.wait(key);
      sleeper.cancel();
    } else {
      const bool in_time = sleeper.wait_until(key, *deadline);
      sleeper.cancel();
      if (!in_time) return expired();
    }
    if (code_of(r = attempt(true)) != retry) return r;
  }
}

}  // namespace detail

// The one wait of every blocking call (see the header comment). `attempt`
// returns a status or an object with code() (a byte-ring claim) that is
// constructible from a status; `deadline` nullptr (or time_point::max())
// waits for ever. The first attempt runs here, inline (a deadline is not
// looked at before it: F8); the rest in detail::block_on_wait.
template <class Sync, class Sleeper, class Attempt>
[[gnu::always_inline]] inline auto block_on(Sleeper& sleeper, unsigned spins,
                                            const typename Sync::clock::time_point* deadline, status retry,
                                            Attempt&& attempt) -> decltype(attempt(false)) {
  using R = decltype(attempt(false));
  R r = attempt(false);
  if (detail::code_of(r) != retry) [[likely]] return r;
  return detail::block_on_wait<Sync>(sleeper, spins, deadline, retry, attempt, std::move(r));
}

}  // namespace nexus
