// model/common.hpp -- helpers every queue driver uses.
#pragma once

// relacy_sync.hpp must come before any other header (it includes the
// standard headers, then relacy, then undoes relacy's macros).
#include "relacy_sync.hpp"
#include "runner.hpp"

namespace nexus::model {

constexpr auto relaxed = std::memory_order_relaxed;
constexpr auto acquire = std::memory_order_acquire;
constexpr auto release = std::memory_order_release;

// A payload that counts its live copies, so drivers can check that the last
// handle destroys exactly what was never popped.
struct tracked {
  int value = 0;
  int* live = nullptr;
  tracked(int v, int* l) : value(v), live(l) { ++*live; }
  tracked(tracked&& o) noexcept : value(o.value), live(o.live) { ++*live; }
  tracked(const tracked&) = delete;
  tracked& operator=(const tracked&) = delete;
  ~tracked() { --*live; }
};

// Creates a ring through `factory` inside the simulation and keeps both
// handles in one heap object (freed by the driver's after()).
template <class Endpoints, class Result>
Endpoints* make_endpoints(Result r) {
  relacy_sync::verify(r.has_value(), "ring_buffer failed");
  return new Endpoints(std::move(*r));
}

}  // namespace nexus::model
