// Stress for the sanitizer presets: blocking channels with spins 0 (every
// wait parks) and 8, capacity 1 ping-pong, MPMC worker pools, and drops while
// the peer is parked. Exits non-zero on a lost, duplicated or reordered
// value; a lost wakeup shows as a hang (ctest's timeout).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "nexus/channel/channel.hpp"

namespace ch = nexus::channel;
using nexus::status;

#define NEXUS_STRESS_NAME "stress_channel"
#include "check.hpp"

static void ping_pong(unsigned spins, int rounds) {
  auto ab = ch::channel<std::unique_ptr<int>>(1, spins);
  auto ba = ch::channel<std::unique_ptr<int>>(1, spins);
  std::thread echo([rx = std::move(ab->rx), tx = std::move(ba->tx)]() mutable {
    for (auto& v : rx) CHECK(tx.send(std::move(v)) == status::ok, "echo");
  });
  for (int i = 0; i < rounds; ++i) {
    CHECK(ab->tx.send(std::make_unique<int>(i)) == status::ok, "ping");
    auto r = ba->rx.recv();
    CHECK(r && **r == i, "pong");
  }
  { auto gone = std::move(ab->tx); }
  echo.join();
}

static void pool(std::uint64_t cap, unsigned spins) {
  auto c = ch::mpmc_channel<std::uint64_t>(cap, spins);
  std::vector<std::vector<std::uint64_t>> got(3);
  std::vector<std::thread> ts;
  for (int k = 0; k < 3; ++k)
    ts.emplace_back([rx = c->rx.clone(), &mine = got[k]]() mutable {
      for (auto v : rx) mine.push_back(v);
    });
  { auto gone = std::move(c->rx); }
  for (std::uint64_t p = 0; p < 3; ++p)
    ts.emplace_back([tx = c->tx.clone(), p]() mutable {
      for (std::uint64_t i = 0; i < 5000; ++i) CHECK(tx.send(p << 32 | i) == status::ok, "send");
    });
  { auto gone = std::move(c->tx); }
  for (auto& t : ts) t.join();
  std::vector<std::uint64_t> all;
  for (auto& g : got) all.insert(all.end(), g.begin(), g.end());
  std::sort(all.begin(), all.end());
  CHECK(all.size() == 15000 && std::unique(all.begin(), all.end()) == all.end(), "exactly once");
}

static void drops(int rounds) {
  int raced_ok = 0;
  for (int k = 0; k < rounds; ++k) {
    auto c = ch::channel<int>(1, 0);
    CHECK(c->tx.send(1) == status::ok, "fill");
    std::thread t([rx = std::move(c->rx)]() mutable { std::this_thread::yield(); });
    // The blocked send ends when the receiver goes: disconnected, or ok when
    // the drop lands between its disconnect check and its push (the drop's
    // orphan drain frees the slot; the value is destroyed as an orphan:
    // channel.hpp ORPHANS, tests/unit/drop_test.cpp). Once the drop is
    // visible (after the join), every send is disconnected.
    const status raced = c->tx.send(2);
    CHECK(raced == status::disconnected || raced == status::ok, "a send blocked on a dropped receiver ends");
    if (raced == status::ok) ++raced_ok;
    t.join();
    CHECK(c->tx.send(3) == status::disconnected, "send on a dropped receiver");
    auto d = ch::channel<int>(1, 0);
    std::thread u([tx = std::move(d->tx), k]() mutable {
      if (k % 2) (void)tx.send(5);
    });
    int n = 0;
    for (int v : d->rx) n += v;
    CHECK(n == (k % 2) * 5, "the last value before the drop");
    u.join();
  }
  std::printf("stress_channel: %d of %d blocked sends raced the drop and completed\n", raced_ok, rounds);
}

int main() {
  ping_pong(0, 3000);
  ping_pong(8, 20000);
  for (std::uint64_t cap : {1u, 4u, 64u}) {
    pool(cap, 0);
    pool(cap, 8);
  }
  drops(300);
  std::printf("stress_channel: OK\n");
  return 0;
}
