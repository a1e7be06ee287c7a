// Stress for the sanitizer presets: nexus::queue::mpsc with 3 producers and
// nexus::queue::spmc with 3 consumers, heap payloads, several capacities,
// disconnect with values in flight. Exits non-zero on any lost, duplicated
// or reordered value; TSan/ASan report races and memory errors themselves.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "nexus/queue/mpsc.hpp"
#include "nexus/queue/spmc.hpp"

using nexus::status;

#define NEXUS_STRESS_NAME "stress_mpmc"
#include "check.hpp"

static void mpsc_round(std::uint64_t cap, std::uint64_t per) {
  auto r = nexus::queue::mpsc::ring_buffer<std::unique_ptr<std::uint64_t>>(cap);
  std::vector<std::thread> ts;
  {
    auto tx = std::move(r->tx);
    for (std::uint64_t p = 0; p < 3; ++p)
      ts.emplace_back([q = tx.clone(), p, per]() mutable {
        for (std::uint64_t i = 0; i < per; ++i) {
          auto v = std::make_unique<std::uint64_t>(p << 32 | i);
          while (q.push(std::move(v)) == status::full) std::this_thread::yield();
        }
      });
  }
  std::uint64_t next[3] = {0, 0, 0}, total = 0;
  for (;;) {
    auto v = r->rx.pop();
    if (!v && r->rx.is_disconnected()) v = r->rx.pop();
    if (!v) {
      if (r->rx.is_disconnected()) break;
      std::this_thread::yield();  // 2 cores, 4 threads: let the producers run
      continue;
    }
    const auto p = **v >> 32;
    CHECK((**v & 0xffffffffu) == next[p], "mpsc: per-producer order");
    ++next[p];
    ++total;
  }
  for (auto& t : ts) t.join();
  CHECK(total == 3 * per, "mpsc: exactly once");
}

static void spmc_round(std::uint64_t cap, std::uint64_t n) {
  auto r = nexus::queue::spmc::ring_buffer<std::unique_ptr<std::uint64_t>>(cap);
  std::vector<std::vector<std::uint64_t>> got(3);
  std::vector<std::thread> ts;
  for (int c = 0; c < 3; ++c)
    ts.emplace_back([q = r->rx.clone(), &mine = got[c]]() mutable {
      for (;;) {
        if (auto v = q.pop()) {
          mine.push_back(**v);
        } else if (q.is_disconnected()) {
          while (auto w = q.pop()) mine.push_back(**w);
          return;
        } else {
          std::this_thread::yield();
        }
      }
    });
  { auto gone = std::move(r->rx); }
  {
    auto tx = std::move(r->tx);
    for (std::uint64_t i = 0; i < n; ++i) {
      auto v = std::make_unique<std::uint64_t>(i);
      while (tx.push(std::move(v)) == status::full) std::this_thread::yield();
    }
  }
  for (auto& t : ts) t.join();
  std::vector<std::uint64_t> all;
  for (auto& g : got) {
    CHECK(std::is_sorted(g.begin(), g.end()), "spmc: per-consumer order");
    all.insert(all.end(), g.begin(), g.end());
  }
  std::sort(all.begin(), all.end());
  CHECK(all.size() == n, "spmc: exactly once (count)");
  for (std::uint64_t i = 0; i < n; ++i) CHECK(all[i] == i, "spmc: exactly once (values)");
}

// Values left in flight when the last handle goes are destroyed (ASan: leaks).
static void abandon(int rounds) {
  for (int k = 0; k < rounds; ++k) {
    auto a = nexus::queue::mpsc::ring_buffer<std::unique_ptr<int>>(8);
    std::thread t([q = a->tx.clone()]() mutable {
      for (int i = 0; i < 20; ++i) (void)q.push(std::make_unique<int>(i));
    });
    for (int i = 0; i < k % 4; ++i) (void)a->rx.pop();
    { auto gone = std::move(a->rx); }
    t.join();
    auto b = nexus::queue::spmc::ring_buffer<std::unique_ptr<int>>(8);
    for (int i = 0; i < 5; ++i) (void)b->tx.push(std::make_unique<int>(i));
    std::thread u([q = b->rx.clone()]() mutable { (void)q.pop(); });
    { auto gone = std::move(b->tx); }
    u.join();
  }
}

int main() {
  for (std::uint64_t cap : {1u, 2u, 8u, 256u}) {
    mpsc_round(cap, 10000);
    spmc_round(cap, 20000);
  }
  abandon(500);
  std::printf("stress_mpmc: OK\n");
  return 0;
}
