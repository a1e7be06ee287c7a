// model/spsc_common.hpp -- nexus::queue::spsc under the model policy, and one
// negative twin per named order and per weakening step.
#pragma once

#include "common.hpp"  // first: relacy_sync.hpp
#include "nexus/queue/spsc.hpp"
#include "scenarios.hpp"

namespace nexus::model::spsc_model {

using nexus::queue::spsc::spsc_orders;

template <class T, class O = spsc_orders>
struct queue {
  using endpoints = nexus::queue::spsc::endpoints<T, relacy_sync, O>;
  static auto make(std::uint64_t cap) { return nexus::queue::spsc::ring_buffer<T, relacy_sync, O>(cap); }
};

struct publish_relaxed : spsc_orders { static constexpr auto publish = relaxed; };
struct observe_relaxed : spsc_orders { static constexpr auto observe = relaxed; };
struct free_slot_relaxed : spsc_orders { static constexpr auto free_slot = relaxed; };
struct see_free_relaxed : spsc_orders { static constexpr auto see_free = relaxed; };
struct release_handle_release : spsc_orders { static constexpr auto release_handle = release; };
struct release_handle_acquire : spsc_orders { static constexpr auto release_handle = acquire; };
struct release_handle_relaxed : spsc_orders { static constexpr auto release_handle = relaxed; };
struct see_disconnect_relaxed : spsc_orders { static constexpr auto see_disconnect = relaxed; };

}  // namespace nexus::model::spsc_model
