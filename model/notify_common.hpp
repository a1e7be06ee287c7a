// model/notify_common.hpp -- nexus::notify under the model policy, and the
// negative twins of its named orders.
#pragma once

#include "common.hpp"  // first: relacy_sync.hpp
#include "nexus/notify/event_channel.hpp"
#include "nexus/notify/event_queue.hpp"

namespace nexus::model::notify_model {

using nexus::notify::channel_orders;
using nexus::notify::events;
using nexus::notify::notify_orders;
using nexus::notify::token;
using nexus::queue::mpsc::mpsc_orders;
constexpr auto acq_rel = std::memory_order_acq_rel;

struct admit_acquire : notify_orders { static constexpr auto admit = acquire; };  // upstream's swap (F6)
struct admit_release : notify_orders { static constexpr auto admit = release; };
struct admit_relaxed : notify_orders { static constexpr auto admit = relaxed; };
struct clear_release : notify_orders { static constexpr auto clear = release; };  // upstream's store (F6)
struct clear_acquire : notify_orders { static constexpr auto clear = acquire; };
struct clear_relaxed : notify_orders { static constexpr auto clear = relaxed; };
struct queue_claim_load_relaxed : mpsc_orders { static constexpr auto claim_load = relaxed; };
struct queue_claim_relaxed : mpsc_orders { static constexpr auto claim = relaxed; };

struct park_fence_acq_rel : channel_orders { static constexpr auto park_fence = acq_rel; };
struct wake_fence_acq_rel : channel_orders { static constexpr auto wake_fence = acq_rel; };
struct no_wake : channel_orders { static constexpr bool wake = false; };
struct see_leave_relaxed : channel_orders { static constexpr auto see_leave = relaxed; };

template <class O = notify_orders, class QO = mpsc_orders>
using queue_endpoints = nexus::notify::queue_endpoints<relacy_sync, O, QO>;

template <class O = notify_orders, class QO = mpsc_orders>
queue_endpoints<O, QO>* make_queue(std::size_t tokens) {
  return make_endpoints<queue_endpoints<O, QO>>(nexus::notify::event_queue<relacy_sync, O, QO>(tokens));
}

inline void must_not_fail(nexus::status st) {
  relacy_sync::verify(st == nexus::status::ok, "notify failed: the token queue overflowed");
}

}  // namespace nexus::model::notify_model
