// model/spsc_common.hpp -- what the SPSC drivers share: the queue under the
// model policy, a tracked payload, and one negative twin per named order.
#pragma once

#include "nexus/queue/spsc.hpp"

namespace nexus::model::spsc_model {

using nexus::queue::spsc::spsc_orders;
constexpr auto relaxed = std::memory_order_relaxed;
constexpr auto acquire = std::memory_order_acquire;
constexpr auto release = std::memory_order_release;

// One negative twin per named order and per weakening step
// (acq_rel -> release | acquire -> relaxed; release/acquire -> relaxed).
struct publish_relaxed : spsc_orders { static constexpr auto publish = relaxed; };
struct observe_relaxed : spsc_orders { static constexpr auto observe = relaxed; };
struct free_slot_relaxed : spsc_orders { static constexpr auto free_slot = relaxed; };
struct see_free_relaxed : spsc_orders { static constexpr auto see_free = relaxed; };
struct release_handle_release : spsc_orders { static constexpr auto release_handle = release; };
struct release_handle_acquire : spsc_orders { static constexpr auto release_handle = acquire; };
struct release_handle_relaxed : spsc_orders { static constexpr auto release_handle = relaxed; };
struct see_disconnect_relaxed : spsc_orders { static constexpr auto see_disconnect = relaxed; };

// A payload that counts its live copies, so the drivers can check that the
// last handle destroys exactly what was never popped.
struct tracked {
  int value = 0;
  int* live = nullptr;
  tracked(int v, int* l) : value(v), live(l) { ++*live; }
  tracked(tracked&& o) noexcept : value(o.value), live(o.live) { ++*live; }
  tracked(const tracked&) = delete;
  tracked& operator=(const tracked&) = delete;
  ~tracked() { --*live; }
};

template <class T, class O>
using ring = nexus::queue::spsc::endpoints<T, relacy_sync, O>;

template <class T, class O>
ring<T, O>* make_ring(std::uint64_t cap) {
  auto r = nexus::queue::spsc::ring_buffer<T, relacy_sync, O>(cap);
  relacy_sync::verify(r.has_value(), "ring_buffer failed");
  return new ring<T, O>(std::move(*r));
}

}  // namespace nexus::model::spsc_model
