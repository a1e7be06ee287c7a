// tests/contract.hpp -- what the contract tests share (tests/unit/
// contract_test.cpp, tests/property/contract_prop.cpp): payload types whose
// constructors throw on demand and count what is alive, and one adapter per
// ring and channel so a test is written once for all of them.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <utility>

#include "nexus/channel/channel.hpp"
#include "nexus/queue/mpmc.hpp"
#include "nexus/queue/mpsc.hpp"
#include "nexus/queue/spmc.hpp"
#include "nexus/queue/spsc.hpp"

namespace contract {

// The exception an armed payload constructor throws.
struct injected : std::runtime_error {
  injected() : std::runtime_error("injected") {}
};

// A countdown shared by every fragile constructor: the n-th construction
// from now (n >= 1) throws; 0 disarms it. The counters are atomics (relaxed:
// they count, they order nothing) because the threaded tests construct and
// destroy payloads on two threads at once; what orders the values themselves
// is the ring under test, and TSan checks that separately.
struct fault {
  static inline std::atomic<long> countdown = 0;
  static inline std::atomic<long> constructions = 0;  // every construction attempted, armed or not
  static void arm(long n) noexcept { countdown = n; }
  static void disarm() noexcept { countdown = 0; }
  static void step() {
    constructions.fetch_add(1, std::memory_order_relaxed);
    if (countdown.load(std::memory_order_relaxed) > 0 &&
        countdown.fetch_sub(1, std::memory_order_relaxed) == 1)
      throw injected{};
  }
};

// A value type whose construction from an int and whose copy may throw (at
// the armed step); its move is noexcept (every ring accepts it). Counts live
// objects.
struct fragile {
  static inline std::atomic<long> live = 0;  // relaxed counts, see fault
  int v;
  explicit fragile(int x) : v(x) {
    fault::step();
    ++live;
  }
  fragile(const fragile& o) : v(o.v) {
    fault::step();
    ++live;
  }
  fragile(fragile&& o) noexcept : v(o.v) { ++live; }
  fragile& operator=(const fragile&) = delete;
  ~fragile() { --live; }
};

// The same, but its move may throw too (accepted by queue::spsc and the SPSC
// channel only: the others need a noexcept move).
struct fragile_move {
  static inline std::atomic<long> live = 0;  // relaxed counts, see fault
  int v;
  explicit fragile_move(int x) : v(x) {
    fault::step();
    ++live;
  }
  fragile_move(const fragile_move& o) : v(o.v) {
    fault::step();
    ++live;
  }
  fragile_move(fragile_move&& o) : v(o.v) {  // NOLINT: may throw, by design
    fault::step();
    ++live;
  }
  fragile_move& operator=(const fragile_move&) = delete;
  ~fragile_move() { --live; }
};

// A copy-only type: its move constructor is deleted, its copy noexcept.
struct copy_only {
  int v;
  explicit copy_only(int x) noexcept : v(x) {}
  copy_only(const copy_only&) noexcept = default;
  copy_only(copy_only&&) = delete;
  copy_only& operator=(const copy_only&) = delete;
};

// A type that is not assignable (a const member).
struct frozen {
  const int v;
  explicit frozen(int x) noexcept : v(x) {}
};

// ---- the rings and channels behind one interface ---------------------------------
// R::make<T>(cap) -> result; tx.push / emplace, rx.pop (the rings) or the
// channels' try_send / try_recv through put / get below.
struct spsc_ring {
  static constexpr const char* name = "queue::spsc";
  static constexpr bool any_move = true;  // accepts a T whose move may throw
  template <class T>
  static auto make(std::uint64_t c) { return nexus::queue::spsc::ring_buffer<T>(c); }
};
struct mpsc_ring {
  static constexpr const char* name = "queue::mpsc";
  static constexpr bool any_move = false;
  template <class T>
  static auto make(std::uint64_t c) { return nexus::queue::mpsc::ring_buffer<T>(c); }
};
struct spmc_ring {
  static constexpr const char* name = "queue::spmc";
  static constexpr bool any_move = false;
  template <class T>
  static auto make(std::uint64_t c) { return nexus::queue::spmc::ring_buffer<T>(c); }
};
struct mpmc_ring {
  static constexpr const char* name = "queue::mpmc";
  static constexpr bool any_move = false;
  template <class T>
  static auto make(std::uint64_t c) { return nexus::queue::mpmc::ring_buffer<T>(c); }
};
struct spsc_chan {
  static constexpr const char* name = "channel";
  static constexpr bool any_move = true;
  template <class T>
  static auto make(std::uint64_t c) { return nexus::channel::channel<T>(c); }
};
struct mpsc_chan {
  static constexpr const char* name = "mpsc_channel";
  static constexpr bool any_move = false;
  template <class T>
  static auto make(std::uint64_t c) { return nexus::channel::mpsc_channel<T>(c); }
};
struct mpmc_chan {
  static constexpr const char* name = "mpmc_channel";
  static constexpr bool any_move = false;
  template <class T>
  static auto make(std::uint64_t c) { return nexus::channel::mpmc_channel<T>(c); }
};

template <class E>
concept channel_end = requires(E& e) { e.try_recv(); };

// One non-blocking put / get for rings and channels.
template <class Tx, class T>
nexus::status put(Tx& tx, T&& v) {
  if constexpr (requires { tx.try_send(std::forward<T>(v)); })
    return tx.try_send(std::forward<T>(v));
  else
    return tx.push(std::forward<T>(v));
}
// push(const T&); for a channel, copy then try_send (what send(const T&)
// does, without blocking).
template <class Tx, class T>
nexus::status put_copy(Tx& tx, const T& v) {
  if constexpr (requires { tx.try_send(std::declval<T&&>()); }) {
    T copy(v);
    return tx.try_send(std::move(copy));
  } else {
    return tx.push(v);
  }
}
template <class Rx>
auto get(Rx& rx) {
  if constexpr (channel_end<Rx>) {
    auto r = rx.try_recv();
    return std::move(r.value());
  } else {
    return rx.pop();
  }
}

}  // namespace contract
