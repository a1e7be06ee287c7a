// rapidcheck concurrent properties of nexus::channel (production build):
// random producer/consumer counts, capacities, spin budgets, item counts and
// receive timeouts. Every value is delivered exactly once, each producer's
// values arrive in order at each consumer, and every thread ends once the
// senders are gone (clean shutdown, nothing left behind).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "nexus/channel/channel.hpp"

namespace ch = nexus::channel;
using nexus::status;

namespace {

RC_GTEST_PROP(ChannelProperty, MpmcExactlyOncePerProducerOrderCleanShutdown, ()) {
  const auto cap = *rc::gen::inRange<std::uint64_t>(1, 64);
  const auto producers = *rc::gen::inRange<int>(1, 4);
  const auto consumers = *rc::gen::inRange<int>(1, 4);
  const auto per = *rc::gen::inRange<int>(0, 2000);
  const auto spins = *rc::gen::inRange<unsigned>(0, 10);
  const auto timeout_us = *rc::gen::inRange<int>(0, 2000);  // 0: blocking recv
  auto c = ch::mpmc_channel<std::uint64_t>(cap, spins);
  RC_ASSERT(c.has_value());
  std::vector<std::vector<std::uint64_t>> got(static_cast<std::size_t>(consumers));
  std::vector<std::thread> ts;
  for (int k = 0; k < consumers; ++k)
    ts.emplace_back([rx = c->rx.clone(), &mine = got[static_cast<std::size_t>(k)], timeout_us]() mutable {
      for (;;) {
        auto r = timeout_us ? rx.recv_timeout(std::chrono::microseconds(timeout_us)) : rx.recv();
        if (r) {
          mine.push_back(*r);
        } else if (r.code() == status::disconnected) {
          return;
        }  // timeout: try again
      }
    });
  { auto gone = std::move(c->rx); }
  for (int p = 0; p < producers; ++p)
    ts.emplace_back([tx = c->tx.clone(), p, per]() mutable {
      for (int i = 0; i < per; ++i)
        if (tx.send(std::uint64_t(p) << 32 | std::uint64_t(i)) != status::ok) return;
    });
  { auto gone = std::move(c->tx); }
  for (auto& t : ts) t.join();
  std::vector<std::uint64_t> all;
  for (auto& g : got) {
    std::vector<std::int64_t> last(static_cast<std::size_t>(producers), -1);
    for (auto v : g) {
      RC_ASSERT(static_cast<std::int64_t>(v & 0xffffffffu) > last[v >> 32]);
      last[v >> 32] = static_cast<std::int64_t>(v & 0xffffffffu);
    }
    all.insert(all.end(), g.begin(), g.end());
  }
  RC_ASSERT(all.size() == static_cast<std::size_t>(producers * per));
  std::sort(all.begin(), all.end());
  RC_ASSERT(std::unique(all.begin(), all.end()) == all.end());
}

RC_GTEST_PROP(ChannelProperty, SpscFifoWithTimedSends, ()) {
  const auto cap = *rc::gen::inRange<std::uint64_t>(1, 32);
  const auto n = *rc::gen::inRange<std::uint64_t>(0, 5000);
  const auto spins = *rc::gen::inRange<unsigned>(0, 10);
  auto c = ch::channel<std::uint64_t>(cap, spins);
  std::thread t([tx = std::move(c->tx), n]() mutable {
    for (std::uint64_t i = 0; i < n;) {
      std::uint64_t v = i;
      const status st = tx.send_timeout(std::move(v), std::chrono::microseconds(50));
      if (st == status::ok) ++i;  // on timeout the value is still ours: send it again
    }
  });
  std::uint64_t want = 0;
  for (auto v : c->rx) RC_ASSERT(v == want++);
  t.join();
  RC_ASSERT(want == n);
}

}  // namespace
