// Stress for the sanitizer presets (tsan, asan): the production SPSC ring
// under 2 real threads, heap-allocated shared state (clang-14's TSan misses
// stack objects), many laps at several capacities, move-only payloads and
// disconnect with values in flight. Exits non-zero on any lost, duplicated or
// reordered value; TSan/ASan report races and memory errors themselves.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "nexus/queue/spsc.hpp"

namespace spsc = nexus::queue::spsc;
using nexus::status;

#define NEXUS_STRESS_NAME "stress_spsc"
#include "check.hpp"

static void stream(std::uint64_t cap, std::uint64_t n) {
  auto r = spsc::ring_buffer<std::unique_ptr<std::uint64_t>>(cap);
  CHECK(r.has_value(), "ring_buffer(%llu)", (unsigned long long)cap);
  std::thread prod([tx = std::move(r->tx), n]() mutable {
    for (std::uint64_t i = 0; i < n; ++i) {
      auto p = std::make_unique<std::uint64_t>(i);
      while (tx.push(std::move(p)) == status::full) std::this_thread::yield();
    }
  });
  std::uint64_t expect = 0;
  for (;;) {
    if (auto v = r->rx.pop()) {
      CHECK(**v == expect, "cap %llu: got %llu, expected %llu", (unsigned long long)cap,
            (unsigned long long)**v, (unsigned long long)expect);
      ++expect;
    } else if (r->rx.is_disconnected()) {
      while (auto w = r->rx.pop()) {
        CHECK(**w == expect, "final drain out of order");
        ++expect;
      }
      break;
    }
  }
  prod.join();
  CHECK(expect == n, "cap %llu: received %llu of %llu", (unsigned long long)cap, (unsigned long long)expect,
        (unsigned long long)n);
}

// The consumer leaves early: the producer's last handle destroys what is left.
static void early_consumer_exit(int rounds) {
  for (int k = 0; k < rounds; ++k) {
    auto r = spsc::ring_buffer<std::unique_ptr<int>>(8);
    std::atomic<bool> stop{false};
    std::thread prod([tx = std::move(r->tx), &stop]() mutable {
      int i = 0;
      while (!tx.is_disconnected() && !stop.load(std::memory_order_relaxed))  // relaxed: a test flag only
        (void)tx.push(std::make_unique<int>(i++));
    });
    for (int i = 0; i < k % 5; ++i) (void)r->rx.pop();
    { auto gone = std::move(r->rx); }
    stop.store(true, std::memory_order_relaxed);  // relaxed: a test flag only
    prod.join();
  }
}

int main() {
  for (std::uint64_t cap : {1u, 2u, 3u, 64u, 1024u}) stream(cap, 200000);
  early_consumer_exit(2000);
  std::printf("stress_spsc: OK\n");
  return 0;
}
