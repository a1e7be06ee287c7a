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

template <class O = notify_orders, class QO = mpsc_orders>
using queue_endpoints = nexus::notify::queue_endpoints<relacy_sync, O, QO>;


inline void must_not_fail(nexus::status st) {
  relacy_sync::verify(st == nexus::status::ok, "notify failed: the token queue overflowed");
}

}  // namespace nexus::model::notify_model
