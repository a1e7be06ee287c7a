// model/channel_common.hpp -- nexus::channel under the model policy, and the
// negative twins of its orders and of the waitset handshake.
#pragma once

#include "common.hpp"  // first: relacy_sync.hpp
#include "nexus/channel/channel.hpp"

namespace nexus::model::channel_model {

using nexus::channel::channel_orders;
using nexus::waitset_orders;

template <class T, class Kind, class CO = channel_orders, class WO = waitset_orders>
using chan = nexus::channel::endpoints<T, Kind, relacy_sync, CO, WO>;

// The factory's result, for a scenario's own_endpoints<chan<...>>(...).
// Spins 0: every blocked call parks right after its first attempt.
template <class T, class Kind, class CO = channel_orders, class WO = waitset_orders>
auto open_chan(std::uint64_t cap, unsigned spins = 0) {
  return nexus::channel::make<T, Kind, relacy_sync, CO, WO>(cap, spins);
}

}  // namespace nexus::model::channel_model
