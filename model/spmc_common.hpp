// model/spmc_common.hpp -- nexus::queue::spmc under the model policy, and one
// negative twin per named order and per weakening step.
#pragma once

#include "common.hpp"  // first: relacy_sync.hpp
#include "nexus/queue/spmc.hpp"
#include "scenarios.hpp"

namespace nexus::model::spmc_model {

using nexus::queue::spmc::spmc_orders;

template <class T, class O = spmc_orders>
struct queue {
  using endpoints = nexus::queue::spmc::endpoints<T, relacy_sync, O>;
  static auto make(std::uint64_t cap) { return nexus::queue::spmc::ring_buffer<T, relacy_sync, O>(cap); }
};

constexpr auto acq_rel = std::memory_order_acq_rel;
struct publish_relaxed : spmc_orders { static constexpr auto publish = relaxed; };
struct observe_relaxed : spmc_orders { static constexpr auto observe = relaxed; };
struct free_slot_relaxed : spmc_orders { static constexpr auto free_slot = relaxed; };
struct see_free_relaxed : spmc_orders { static constexpr auto see_free = relaxed; };
struct claim_load_relaxed : spmc_orders { static constexpr auto claim_load = relaxed; };
struct claim_release : spmc_orders { static constexpr auto claim = release; };
struct claim_acquire : spmc_orders { static constexpr auto claim = acquire; };
struct claim_relaxed : spmc_orders { static constexpr auto claim = relaxed; };
struct leave_relaxed : spmc_orders { static constexpr auto leave = relaxed; };
struct see_leave_relaxed : spmc_orders { static constexpr auto see_leave = relaxed; };
struct release_ref_release : spmc_orders { static constexpr auto release_ref = release; };
struct release_ref_acquire : spmc_orders { static constexpr auto release_ref = acquire; };
struct release_ref_relaxed : spmc_orders { static constexpr auto release_ref = relaxed; };

}  // namespace nexus::model::spmc_model
