// model/mpmc_common.hpp -- nexus::queue::mpmc under the model policy, and one
// negative twin per named order and per weakening step.
#pragma once

#include "common.hpp"  // first: relacy_sync.hpp
#include "nexus/queue/mpmc.hpp"
#include "scenarios.hpp"

namespace nexus::model::mpmc_model {

using nexus::queue::mpmc::mpmc_orders;

template <class T, class O = mpmc_orders>
struct queue {
  using endpoints = nexus::queue::mpmc::endpoints<T, relacy_sync, O>;
  static auto make(std::uint64_t cap) { return nexus::queue::mpmc::ring_buffer<T, relacy_sync, O>(cap); }
};

constexpr auto acq_rel = std::memory_order_acq_rel;
struct publish_relaxed : mpmc_orders { static constexpr auto publish = relaxed; };
struct observe_relaxed : mpmc_orders { static constexpr auto observe = relaxed; };
struct free_slot_relaxed : mpmc_orders { static constexpr auto free_slot = relaxed; };
struct see_free_relaxed : mpmc_orders { static constexpr auto see_free = relaxed; };
struct claim_load_relaxed : mpmc_orders { static constexpr auto claim_load = relaxed; };
struct claim_release : mpmc_orders { static constexpr auto claim = release; };
struct claim_acquire : mpmc_orders { static constexpr auto claim = acquire; };
struct claim_relaxed : mpmc_orders { static constexpr auto claim = relaxed; };
struct take_load_relaxed : mpmc_orders { static constexpr auto take_load = relaxed; };
struct take_relaxed : mpmc_orders { static constexpr auto take = relaxed; };
struct leave_relaxed : mpmc_orders { static constexpr auto leave = relaxed; };
struct see_leave_relaxed : mpmc_orders { static constexpr auto see_leave = relaxed; };
struct release_ref_release : mpmc_orders { static constexpr auto release_ref = release; };
struct release_ref_acquire : mpmc_orders { static constexpr auto release_ref = acquire; };
struct release_ref_relaxed : mpmc_orders { static constexpr auto release_ref = relaxed; };

}  // namespace nexus::model::mpmc_model
