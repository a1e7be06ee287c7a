// bench/harness.hpp -- what the nexus benchmarks need beyond Google Benchmark
// (which runs them, repeats them, aggregates and writes the JSON and the
// console tables). Small on purpose:
//
//   pin / pinned_thread  the main (benchmark) thread on cpus()[0], a peer
//                        thread on cpus()[1] (spare_cpu(): a third one)
//   ticks / tick_ns      TSC (lfence;rdtsc;lfence), calibrated against
//                        steady_clock once per process; steady_clock off x86
//   samples              per-sample times (round trips, op batches) and
//                        their percentiles, which Google Benchmark lacks
//   line_ping_pong       the physical floor: one cache line bounced between
//                        the two CPUs; also the placement probe (context
//                        entry at start, counter `probe_ns` per run)
//   cpu_watch / guard    CPU time other processes took on our CPUs during a
//                        run (counters `other_cpu_s`, `disturbed`), after an
//                        optional bounded wait for idle CPUs (--idle-wait)
//   spin_barrier         for producer-only / consumer-only batches
//   run_main             main(): --cpus A,B and --idle-wait S, context
//                        entries (CPU model, CPUs, TSC, probe), then
//                        Google Benchmark with the remaining arguments
#pragma once

#include <benchmark/benchmark.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define NEXUS_BENCH_TSC 1
#endif

namespace bench {

using u64 = std::uint64_t;
using steady = std::chrono::steady_clock;

[[noreturn]] inline void fail(const char* what, unsigned long long a = 0, unsigned long long b = 0) {
  std::fprintf(stderr, "bench: verification failed: %s (%llu, %llu)\n", what, a, b);
  std::abort();
}

// ---- CPUs -------------------------------------------------------------------------

inline bool pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

// The CPUs the process may use as it started (taskset/cgroup), read before
// main: pinning narrows the main thread's mask later.
inline const cpu_set_t g_start_affinity = [] {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    for (int c = 0; c < CPU_SETSIZE; ++c) CPU_SET(c, &set);
  return set;
}();

inline std::vector<int> g_cpus = {0, 1};
inline double g_idle_wait_s = 0;
inline const std::vector<int>& cpus() { return g_cpus; }

// A CPU the process may use besides cpus(), or -1 (the second producer of a
// 2 -> 1 stream, which needs a third CPU).
inline int spare_cpu() {
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &g_start_affinity) && std::find(g_cpus.begin(), g_cpus.end(), c) == g_cpus.end()) return c;
  return -1;
}

inline void cpu_relax() {
#if NEXUS_BENCH_TSC
  _mm_pause();
#endif
}

// A thread pinned to `cpu` running f(); the destructor joins. started()
// returns once it is pinned and about to call f.
class pinned_thread {
 public:
  template <class F>
  pinned_thread(int cpu, F&& f)
      : t_([this, cpu, f = std::forward<F>(f)]() mutable {
          pin(cpu);
          up_.store(true, std::memory_order_release);
          f();
        }) {
    while (!up_.load(std::memory_order_acquire)) cpu_relax();
  }
  ~pinned_thread() { t_.join(); }
  pinned_thread(const pinned_thread&) = delete;
  pinned_thread& operator=(const pinned_thread&) = delete;

 private:
  std::atomic<bool> up_{false};
  std::thread t_;
};

// ---- time -------------------------------------------------------------------------

inline u64 ticks() {
#if NEXUS_BENCH_TSC
  _mm_lfence();
  const u64 t = __rdtsc();
  _mm_lfence();
  return t;
#else
  return static_cast<u64>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now().time_since_epoch()).count());
#endif
}

inline double g_tick_ns = 1.0;
inline double tick_ns() { return g_tick_ns; }
inline double seconds(u64 dt) { return double(dt) * g_tick_ns * 1e-9; }

inline void calibrate(std::chrono::milliseconds span) {
#if NEXUS_BENCH_TSC
  const auto w0 = steady::now();
  const u64 t0 = ticks();
  while (steady::now() - w0 < span) {
  }
  const auto w1 = steady::now();
  g_tick_ns = std::chrono::duration<double, std::nano>(w1 - w0).count() / double(ticks() - t0);
#else
  (void)span;
#endif
}

// The p50 cost of two back-to-back timer reads, in ticks (subtracted from
// each op-cost sample).
inline double timer_overhead() {
  std::vector<u64> v(20'000);
  for (auto& x : v) {
    const u64 t0 = ticks();
    x = ticks() - t0;
  }
  std::nth_element(v.begin(), v.begin() + long(v.size() / 2), v.end());
  return double(v[v.size() / 2]);
}

// ---- per-sample times and their percentiles ------------------------------------------

class samples {
 public:
  void reserve(std::size_t n) { v_.reserve(n); }
  void add(double x) { v_.push_back(x); }
  // Drops the first `frac` (warm-up: the run's first iteration on fresh
  // memory) and sorts the rest.
  void finish(double frac = 0.10) {
    v_.erase(v_.begin(), v_.begin() + static_cast<std::ptrdiff_t>(double(v_.size()) * frac));
    std::sort(v_.begin(), v_.end());
  }
  double pct(double p) const {
    return v_.empty() ? 0 : v_[std::min(v_.size() - 1, static_cast<std::size_t>(p * double(v_.size())))];
  }
  double frac_over(double x) const {
    if (v_.empty()) return 0;
    return double(v_.end() - std::upper_bound(v_.begin(), v_.end(), x)) / double(v_.size());
  }
  std::size_t size() const { return v_.size(); }

 private:
  std::vector<double> v_;
};

// Round-trip samples (ticks) as counters p50_ns, p99_ns, p999_ns and the
// share above 10 us (parked_pct: a blocking side slept).
inline void rtt_counters(benchmark::State& st, samples& s) {
  s.finish();
  st.counters["p50_ns"] = s.pct(0.50) * tick_ns();
  st.counters["p99_ns"] = s.pct(0.99) * tick_ns();
  st.counters["p999_ns"] = s.pct(0.999) * tick_ns();
  st.counters["parked_pct"] = 100 * s.frac_over(10'000 / tick_ns());
}

// ---- the physical floor / placement probe ---------------------------------------------

// One cache line bounced between `a` (the caller's CPU) and `b`: A writes an
// odd value and waits for B's next even one. Adds the round trips (ticks)
// to `out`; returns their sum.
inline u64 line_ping_pong(u64 n, int b, samples& out) {
  struct alignas(128) line_t {
    std::atomic<u64> v{0};
  };
  auto line = std::make_unique<line_t>();
  std::atomic<bool> go{false};
  pinned_thread peer(b, [&, n] {
    auto& l = *line;
    while (!go.load(std::memory_order_acquire)) cpu_relax();
    for (u64 i = 0; i < n; ++i) {
      while (l.v.load(std::memory_order_acquire) != 2 * i + 1) {  // acquire: pairs with A's release
      }
      l.v.store(2 * i + 2, std::memory_order_release);  // release: pairs with A's acquire
    }
  });
  go.store(true, std::memory_order_release);
  auto& l = *line;
  u64 sum = 0;
  for (u64 i = 0; i < n; ++i) {
    const u64 t0 = ticks();
    l.v.store(2 * i + 1, std::memory_order_release);            // release: pairs with B's acquire
    while (l.v.load(std::memory_order_acquire) != 2 * i + 2) {  // acquire: pairs with B's release
    }
    const u64 dt = ticks() - t0;
    sum += dt;
    out.add(double(dt));
  }
  return sum;
}

// The floor of a ring that keeps its index apart from its slots: each way
// a value goes into a data line, then an index on a line of its own is
// published (release); the other side waits on the index (acquire), then
// reads the data line, so a one-way trip is two line transfers in series.
// Same shape as line_ping_pong: A starts each round trip and times it.
inline u64 two_line_ping_pong(u64 n, int b, samples& out) {
  struct alignas(128) line_t {
    std::atomic<u64> v{0};
  };
  struct way {
    line_t data, index;
  };
  auto ab = std::make_unique<way>(), ba = std::make_unique<way>();
  std::atomic<bool> go{false};
  pinned_thread peer(b, [&, n] {
    auto &in = *ab, &out_ = *ba;
    while (!go.load(std::memory_order_acquire)) cpu_relax();
    for (u64 i = 1; i <= n; ++i) {
      while (in.index.v.load(std::memory_order_acquire) != i) {  // acquire: pairs with A's release
      }
      const u64 d = in.data.v.load(std::memory_order_relaxed);   // relaxed: ordered by the acquire above
      out_.data.v.store(d, std::memory_order_relaxed);            // relaxed: published by the release below
      out_.index.v.store(i, std::memory_order_release);           // release: pairs with A's acquire
    }
  });
  go.store(true, std::memory_order_release);
  auto &to = *ab, &from = *ba;
  u64 sum = 0;
  for (u64 i = 1; i <= n; ++i) {
    const u64 t0 = ticks();
    to.data.v.store(i * 3, std::memory_order_relaxed);           // relaxed: published by the release below
    to.index.v.store(i, std::memory_order_release);              // release: pairs with B's acquire
    while (from.index.v.load(std::memory_order_acquire) != i) {  // acquire: pairs with B's release
    }
    if (from.data.v.load(std::memory_order_relaxed) != i * 3) fail("two-line echo");  // relaxed: ordered by the acquire
    const u64 dt = ticks() - t0;
    sum += dt;
    out.add(double(dt));
  }
  return sum;
}

// The placement probe: p50 ns of 2000 one-line round trips on cpus().
inline double probe_ns() {
  samples s;
  s.reserve(2000);
  line_ping_pong(2000, cpus()[1], s);
  s.finish();
  return s.pct(0.5) * tick_ns();
}

// ---- other processes on our CPUs ----------------------------------------------------

// Busy seconds (all but idle and iowait; steal included) summed over `cs`.
inline double busy_seconds(const std::vector<int>& cs) {
  std::ifstream f("/proc/stat");
  std::string line;
  double busy = 0;
  const double hz = double(sysconf(_SC_CLK_TCK));
  while (std::getline(f, line)) {
    if (line.rfind("cpu", 0) != 0 || line.size() < 4 || line[3] < '0' || line[3] > '9') continue;
    std::istringstream is(line.substr(3));
    int cpu = -1;
    is >> cpu;
    if (std::find(cs.begin(), cs.end(), cpu) == cs.end()) continue;
    unsigned long long x[8] = {};
    for (auto& e : x) is >> e;  // user nice system idle iowait irq softirq steal
    busy += double(x[0] + x[1] + x[2] + x[5] + x[6] + x[7]) / hz;
  }
  return busy;
}
inline double self_cpu_seconds() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  auto s = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) * 1e-6; };
  return s(r.ru_utime) + s(r.ru_stime);
}

// Waits until cs are >= 97% idle over 100 ms, at most max_wait_s.
inline void wait_idle(const std::vector<int>& cs, double max_wait_s) {
  const auto deadline = steady::now() + std::chrono::duration<double>(max_wait_s);
  do {
    const double b0 = busy_seconds(cs);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (busy_seconds(cs) - b0 <= 0.03 * 0.1 * double(cs.size())) return;
  } while (steady::now() < deadline);
}

// One benchmark run's bookkeeping: (optionally) wait for idle CPUs, probe
// the placement (cross-thread runs), then watch the CPUs. finish() sets the
// counters other_cpu_s (CPU seconds others took on our CPUs during the run;
// /proc/stat counts 10 ms jiffies) and disturbed (1 when that exceeds
// 0.05 s + 2% of the CPU time available: the perf-anchors rule).
class guard {
 public:
  explicit guard(bool cross_thread, std::vector<int> cs = cpus()) : cs_(std::move(cs)), cross_(cross_thread) {
    if (g_idle_wait_s > 0) wait_idle(cs_, g_idle_wait_s);
    if (cross_) probe_ = probe_ns();
    b0_ = busy_seconds(cs_);
    s0_ = self_cpu_seconds();
    w0_ = steady::now();
  }
  void finish(benchmark::State& st) const {
    const double other = std::max(0.0, (busy_seconds(cs_) - b0_) - (self_cpu_seconds() - s0_));
    const double wall = std::chrono::duration<double>(steady::now() - w0_).count();
    st.counters["other_cpu_s"] = other;
    st.counters["disturbed"] = other > 0.05 + 0.02 * double(cs_.size()) * wall ? 1 : 0;
    if (cross_) st.counters["probe_ns"] = probe_;
  }

 private:
  std::vector<int> cs_;
  bool cross_;
  double probe_ = 0, b0_ = 0, s0_ = 0;
  steady::time_point w0_;
};

// ---- batches --------------------------------------------------------------------------

// A reusable spin barrier for a fixed number of threads (generation count).
class spin_barrier {
 public:
  explicit spin_barrier(unsigned n) : n_(n) {}
  void arrive_and_wait() {
    const unsigned g = gen_.load(std::memory_order_acquire);
    if (count_.fetch_add(1, std::memory_order_acq_rel) + 1 == n_) {
      count_.store(0, std::memory_order_relaxed);    // relaxed: published by the release below
      gen_.fetch_add(1, std::memory_order_release);  // release: pairs with the waiters' acquire
    } else {
      while (gen_.load(std::memory_order_acquire) == g) cpu_relax();
    }
  }

 private:
  alignas(128) std::atomic<unsigned> count_{0};
  alignas(128) std::atomic<unsigned> gen_{0};
  unsigned n_;
};

// Each of `threads` threads (0: the caller, on cpus()[0]; 1: cpus()[1])
// runs prepare(i) once (one after the other), then work(i) once per
// benchmark iteration, all released by one barrier; an iteration's time
// runs from the earliest start to the latest end. After each, thread 0 runs
// between() untimed (drain and check, or refill).
template <class Prepare, class Work, class Between>
void timed_batches(benchmark::State& st, int threads, Prepare&& prepare, Work&& work, Between&& between) {
  struct alignas(128) stamp {
    u64 t0 = 0, t1 = 0;
  };
  std::vector<stamp> at(static_cast<std::size_t>(threads));
  spin_barrier bar(static_cast<unsigned>(threads));
  const u64 n = static_cast<u64>(st.max_iterations);
  prepare(0);  // before the helper's prepare(1), never beside it
  std::unique_ptr<pinned_thread> helper;
  if (threads > 1)
    helper = std::make_unique<pinned_thread>(cpus()[1], [&, n] {
      prepare(1);
      for (u64 b = 0; b < n; ++b) {
        bar.arrive_and_wait();
        at[1].t0 = ticks();
        work(1);
        at[1].t1 = ticks();
        bar.arrive_and_wait();
      }
    });
  for (auto _ : st) {
    bar.arrive_and_wait();
    at[0].t0 = ticks();
    work(0);
    at[0].t1 = ticks();
    bar.arrive_and_wait();
    u64 lo = at[0].t0, hi = at[0].t1;
    for (const auto& s : at) lo = std::min(lo, s.t0), hi = std::max(hi, s.t1);
    st.SetIterationTime(seconds(hi - lo));
    between();
  }
}

// An adapter's or op's description (its `label`: a string constant or a
// function), for state.SetLabel.
template <class A>
std::string label_of() {
  if constexpr (requires { A::label(); })
    return A::label();
  else
    return A::label;
}

// ---- main -----------------------------------------------------------------------------

inline std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) {
      const auto c = line.find(':');
      return c == std::string::npos ? line : line.substr(c + 2);
    }
  return "unknown";
}

// Our own flags (taken out before Google Benchmark sees the rest):
//   --cpus A,B       the two CPUs (default 0,1; on a many-core machine two
//                    physical cores, not SMT siblings)
//   --idle-wait S    before each run, wait up to S seconds for idle CPUs
inline void parse_own_flags(int& argc, char** argv) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      const std::string n = name;
      if (a.rfind(n + "=", 0) == 0) return argv[i] + n.size() + 1;
      if (a == n && i + 1 < argc) return argv[++i];
      return nullptr;
    };
    if (a.rfind("--cpus", 0) == 0) {
      const char* v = value("--cpus");
      int x = -1, y = -1;
      if (v == nullptr || std::sscanf(v, "%d,%d", &x, &y) != 2 || x == y || x < 0 || y < 0) {
        std::fprintf(stderr, "bench: --cpus wants two different CPUs A,B\n");
        std::exit(2);
      }
      g_cpus = {x, y};
    } else if (a.rfind("--idle-wait", 0) == 0) {
      const char* v = value("--idle-wait");
      if (v == nullptr) {
        std::fprintf(stderr, "bench: --idle-wait wants seconds\n");
        std::exit(2);
      }
      g_idle_wait_s = std::strtod(v, nullptr);
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  for (int c : g_cpus)
    if (!CPU_ISSET(c, &g_start_affinity)) {
      std::fprintf(stderr, "bench: CPU %d is not available to this process (taskset/cgroup)\n", c);
      std::exit(2);
    }
}

// main() of every benchmark executable: flags, pinning, context, then the
// benchmarks that register() adds (registration order is run order).
inline int run_main(int argc, char** argv, const std::function<void()>& register_all) {
  parse_own_flags(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  pin(g_cpus[0]);
  calibrate(std::chrono::milliseconds(50));
  const double probe = probe_ns();
  char b[64];
  benchmark::AddCustomContext("cpu_model", cpu_model());
  benchmark::AddCustomContext("cpus", std::to_string(g_cpus[0]) + "," + std::to_string(g_cpus[1]));
  benchmark::AddCustomContext("third_cpu", std::to_string(spare_cpu()));
  std::snprintf(b, sizeof b, "%.4f", 1.0 / tick_ns());
  benchmark::AddCustomContext("tsc_ghz", b);
  std::snprintf(b, sizeof b, "%.0f", probe);
  benchmark::AddCustomContext("placement_probe_p50_ns", b);
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace bench
