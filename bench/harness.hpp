// bench/harness.hpp -- what every nexus benchmark shares: two pinned threads,
// a start barrier, a throughput run (1 producer -> 1 consumer, strict FIFO
// check on every item), a ping-pong round-trip run over two queues, the
// one-cache-line ping-pong floor, and median [min-max] summaries.
//
// A queue adapter Q provides:  struct pair;  static pair* make();
//   static bool push(pair&, uint64_t)  (a→b direction, false when full)
//   static bool pop(pair&, uint64_t&)   (a→b direction, false when empty)
// For ping-pong the harness makes two pairs.
#pragma once

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace bench {

using clock_t_ = std::chrono::steady_clock;

inline void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

inline double seconds_since(clock_t_::time_point t0) {
  return std::chrono::duration<double>(clock_t_::now() - t0).count();
}

struct summary {
  double median, min, max;
};
inline summary summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return {0, 0, 0};
  const double med = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  return {med, v.front(), v.back()};
}
inline double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const std::size_t i = std::min(sorted.size() - 1, static_cast<std::size_t>(p * double(sorted.size())));
  return sorted[i];
}

// Millions of items per second, 1 producer (CPU 0) -> 1 consumer (CPU 1).
template <class Q>
double throughput(std::uint64_t n) {
  auto* q = Q::make();
  std::atomic<int> ready{0};
  double secs = 0;
  std::thread consumer([&] {
    pin(1);
    ready.fetch_add(1);
    while (ready.load() < 2) {
    }
    const auto t0 = clock_t_::now();
    std::uint64_t want = 1, v = 0;
    while (want <= n) {
      if (Q::pop(*q, v)) {
        if (v != want) {
          std::fprintf(stderr, "FIFO violated: got %llu, want %llu\n", (unsigned long long)v,
                       (unsigned long long)want);
          std::abort();
        }
        ++want;
      }
    }
    secs = seconds_since(t0);
  });
  pin(0);
  ready.fetch_add(1);
  while (ready.load() < 2) {
  }
  for (std::uint64_t i = 1; i <= n; ++i)
    while (!Q::push(*q, i)) {
    }
  consumer.join();
  Q::destroy(q);
  return double(n) / secs / 1e6;
}

// Round-trip time in ns (p50, p99): A (CPU 0) pushes into a2b and waits for
// the echo on b2a; B (CPU 1) echoes. The first 10% of samples are discarded.
template <class Q>
std::pair<double, double> round_trip(std::uint64_t n) {
  auto* a2b = Q::make();
  auto* b2a = Q::make();
  std::thread echo([&] {
    pin(1);
    std::uint64_t v = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      while (!Q::pop(*a2b, v)) {
      }
      while (!Q::push(*b2a, v)) {
      }
    }
  });
  pin(0);
  std::vector<double> ns;
  ns.reserve(n);
  std::uint64_t v = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const auto t0 = clock_t_::now();
    while (!Q::push(*a2b, i + 1)) {
    }
    while (!Q::pop(*b2a, v)) {
    }
    ns.push_back(std::chrono::duration<double, std::nano>(clock_t_::now() - t0).count());
  }
  echo.join();
  Q::destroy(a2b);
  Q::destroy(b2a);
  ns.erase(ns.begin(), ns.begin() + static_cast<std::ptrdiff_t>(n / 10));
  std::sort(ns.begin(), ns.end());
  return {percentile(ns, 0.50), percentile(ns, 0.99)};
}

// The physical floor: one cache line bounced between the two CPUs (each side
// waits for the other's value, then increments it). RTT p50/p99 in ns.
inline std::pair<double, double> line_ping_pong(std::uint64_t n) {
  alignas(128) static std::atomic<std::uint64_t> line{0};
  line.store(0);
  std::thread b([&] {
    pin(1);
    for (std::uint64_t i = 0; i < n; ++i) {
      while (line.load(std::memory_order_acquire) != 2 * i + 1) {  // acquire: pairs with A's release
      }
      line.store(2 * i + 2, std::memory_order_release);  // release: pairs with A's acquire
    }
  });
  pin(0);
  std::vector<double> ns;
  ns.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    const auto t0 = clock_t_::now();
    line.store(2 * i + 1, std::memory_order_release);  // release: pairs with B's acquire
    while (line.load(std::memory_order_acquire) != 2 * i + 2) {  // acquire: pairs with B's release
    }
    ns.push_back(std::chrono::duration<double, std::nano>(clock_t_::now() - t0).count());
  }
  b.join();
  ns.erase(ns.begin(), ns.begin() + static_cast<std::ptrdiff_t>(n / 10));
  std::sort(ns.begin(), ns.end());
  return {percentile(ns, 0.50), percentile(ns, 0.99)};
}

struct options {
  int rounds = 5;
  std::uint64_t items = 20'000'000;
  std::uint64_t rtt_samples = 200'000;
  bool quick = false;
};
inline options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      o.quick = true;
      o.rounds = 1;
      o.items = 200'000;
      o.rtt_samples = 5'000;
    } else if (a == "--rounds" && i + 1 < argc) {
      o.rounds = std::atoi(argv[++i]);
    } else if (a == "--items" && i + 1 < argc) {
      o.items = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--rtt-samples" && i + 1 < argc) {
      o.rtt_samples = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: %s [--quick] [--rounds N] [--items N] [--rtt-samples N]\n", argv[0]);
      std::exit(2);
    }
  }
  return o;
}

}  // namespace bench
