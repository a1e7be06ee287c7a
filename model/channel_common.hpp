// model/channel_common.hpp -- nexus::channel under the model policy, and the
// negative twins of its orders and of the waitset handshake.
#pragma once

#include "common.hpp"  // first: relacy_sync.hpp
#include "nexus/channel/channel.hpp"

namespace nexus::model::channel_model {

using nexus::channel::channel_orders;
using nexus::waitset_orders;
constexpr auto acq_rel = std::memory_order_acq_rel;

struct prepare_fence_acq_rel : waitset_orders { static constexpr auto prepare_fence = acq_rel; };
struct notify_fence_acq_rel : waitset_orders { static constexpr auto notify_fence = acq_rel; };
struct no_wake : waitset_orders { static constexpr bool wake = false; };
struct see_leave_relaxed : channel_orders { static constexpr auto see_leave = relaxed; };

template <class T, class Kind, class CO = channel_orders, class WO = waitset_orders>
using chan = nexus::channel::endpoints<T, Kind, relacy_sync, CO, WO>;

template <class T, class Kind, class CO = channel_orders, class WO = waitset_orders>
chan<T, Kind, CO, WO>* make_chan(std::uint64_t cap, unsigned spins = 0) {
  return make_endpoints<chan<T, Kind, CO, WO>>(nexus::channel::make<T, Kind, relacy_sync, CO, WO>(cap, spins));
}

}  // namespace nexus::model::channel_model
