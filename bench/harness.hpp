// bench/harness.hpp -- what every nexus queue benchmark shares (SPSC, MPSC,
// channels, byte rings). No Google Benchmark: the runs need two threads
// pinned to two CPUs and a common start, which its fixtures do not give.
//
//   pin / run_pinned    threads pinned to CPUs, released by one start gate;
//                       spare_cpu: a third CPU, if the machine has one
//   ticks / tick_ns     TSC (lfence;rdtsc;lfence) calibrated against
//                       steady_clock; steady_clock itself off x86
//   latencies           per-sample round-trip times, warm-up cut, percentiles
//   summarize           median [min-max] of one figure over rounds
//   cpu_watch           CPU time that *other* processes (and the hypervisor,
//                       as steal) took on our CPUs during a run, from
//                       /proc/stat minus our own rusage
//   wait_idle           wait (bounded) until both CPUs are idle before a run
//   measure             wait_idle + cpu_watch + retry a disturbed run
//   line_ping_pong      the physical floor: one cache line bounced between
//                       the two CPUs (also the placement probe, per process
//                       and, with round_probe, per round)
//   throughput /        generic 1 producer -> 1 consumer stream (strict FIFO
//   round_trip          check of 1..n) and ping-pong over two queues, for any
//                       adapter Q (see below)
//   run_batches         several producers, no concurrent consumer (a 2-CPU
//                       machine has no CPU for it): timed producer-only
//                       batches, each drained and verified untimed
//   time_ops            single-threaded cost per operation (TSC, the timer's
//                       own cost subtracted), the seeds' method
//   recorder            every figure of every run; CSV; median [min-max]
//   options / parse     --rounds --items --rtt-samples --quick --csv --pause
//                       --idle-wait --retries (per-benchmark `defaults`)
//   check / ratio_check a computed value or ratio against its target:
//                       MET / NOT MET; print_table, preamble, finish
//
// A queue adapter Q (value queues, 1P/1C) provides
//   using ring = ...;                  what make() returns
//   static ring* make();  static void destroy(ring*);
//   static bool push(ring&, std::uint64_t v);   false when full (v not taken)
//   static bool pop(ring&, std::uint64_t& v);   false when empty
// A blocking adapter simply returns true after waiting.
#pragma once

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
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

using steady = std::chrono::steady_clock;

// ---- CPUs -------------------------------------------------------------------------

inline bool pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

// The CPUs the process may use, as it started (taskset/cgroup), captured
// before main: pin() later narrows the calling thread's own mask, and a
// sched_getaffinity after that would see one CPU only (it hid the third CPU
// of bench_logbuf's 2-producer stream).
inline const cpu_set_t g_start_affinity = [] {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    for (int c = 0; c < CPU_SETSIZE; ++c) CPU_SET(c, &set);
  return set;
}();

// Fails loudly if the process may not run on every CPU in `cpus`.
inline void require_cpus(const std::vector<int>& cpus) {
  const cpu_set_t& set = g_start_affinity;
  for (int c : cpus)
    if (!CPU_ISSET(c, &set)) {
      std::fprintf(stderr, "bench: CPU %d is not available to this process (taskset/cgroup)\n", c);
      std::exit(2);
    }
}

// A CPU this process may run on besides `cpus`, or -1 (a third thread's
// home: e.g. a second producer with its own CPU next to a consumer).
inline int spare_cpu(const std::vector<int>& cpus) {
  const cpu_set_t& set = g_start_affinity;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set) && std::find(cpus.begin(), cpus.end(), c) == cpus.end()) return c;
  return -1;
}

inline void cpu_relax() {
#if NEXUS_BENCH_TSC
  _mm_pause();
#endif
}

// A retry loop's wait: nothing (tight spin) or one PAUSE (`--pause`).
inline bool g_pause_on_fail = false;
inline void on_fail() {
  if (g_pause_on_fail) cpu_relax();
}

// Runs fs[i] on a thread pinned to cpus[i]; fs[0] runs on the calling thread.
// Every function starts after all threads are pinned and have arrived.
inline void run_pinned(const std::vector<int>& cpus, const std::vector<std::function<void()>>& fs) {
  std::atomic<std::size_t> arrived{0};
  const std::size_t n = fs.size();
  auto gate = [&] {
    arrived.fetch_add(1, std::memory_order_acq_rel);
    while (arrived.load(std::memory_order_acquire) < n) cpu_relax();
  };
  std::vector<std::thread> ts;
  for (std::size_t i = 1; i < n; ++i)
    ts.emplace_back([&, i] {
      pin(cpus[i % cpus.size()]);
      gate();
      fs[i]();
    });
  pin(cpus[0]);
  gate();
  fs[0]();
  for (auto& t : ts) t.join();
}

// ---- time -------------------------------------------------------------------------

inline std::uint64_t ticks() {
#if NEXUS_BENCH_TSC
  _mm_lfence();
  const std::uint64_t t = __rdtsc();
  _mm_lfence();
  return t;
#else
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now().time_since_epoch()).count());
#endif
}

// Nanoseconds per tick; calibrate() measures it against steady_clock.
inline double g_tick_ns = 1.0;
inline double calibrate(std::chrono::milliseconds span) {
#if NEXUS_BENCH_TSC
  const auto w0 = steady::now();
  const std::uint64_t t0 = ticks();
  while (steady::now() - w0 < span) {
  }
  const auto w1 = steady::now();
  const std::uint64_t t1 = ticks();
  g_tick_ns = std::chrono::duration<double, std::nano>(w1 - w0).count() / double(t1 - t0);
#else
  (void)span;
  g_tick_ns = 1.0;
#endif
  return g_tick_ns;
}
inline double tick_ns() { return g_tick_ns; }

// Round-trip percentiles in ns.
struct rtt {
  double p50 = 0, p99 = 0, p999 = 0;
  double over_10us = 0;  // fraction of the samples above 10 us (a blocking side parked)
};

// Per-sample times in ticks; percentiles in ns after the warm-up is cut.
class latencies {
 public:
  explicit latencies(std::size_t n) { v_.reserve(n); }
  void add(std::uint64_t dt) { v_.push_back(dt); }
  // Drops the first `frac` of the samples (warm-up) and sorts the rest.
  void finish(double warmup_frac = 0.10) {
    const auto cut = static_cast<std::ptrdiff_t>(double(v_.size()) * warmup_frac);
    v_.erase(v_.begin(), v_.begin() + cut);
    std::sort(v_.begin(), v_.end());
  }
  double pct_ns(double p) const {
    if (v_.empty()) return 0;
    const auto i = std::min(v_.size() - 1, static_cast<std::size_t>(p * double(v_.size())));
    return double(v_[i]) * tick_ns();
  }
  std::size_t size() const { return v_.size(); }
  // Fraction of the (kept) samples above `ns`.
  double frac_over_ns(double ns) const {
    if (v_.empty()) return 0;
    const auto lim = static_cast<std::uint64_t>(ns / tick_ns());
    return double(v_.end() - std::upper_bound(v_.begin(), v_.end(), lim)) / double(v_.size());
  }
  rtt summary() const { return {pct_ns(0.50), pct_ns(0.99), pct_ns(0.999), frac_over_ns(10'000)}; }

 private:
  std::vector<std::uint64_t> v_;
};

// ---- statistics -------------------------------------------------------------------

struct summary {
  double median = 0, min = 0, max = 0;
  std::size_t n = 0;
};
inline summary summarize(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  const double med = v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
  return {med, v.front(), v.back(), v.size()};
}

// ---- other processes on our CPUs -------------------------------------------------

// Busy jiffies (all but idle and iowait; steal included) summed over `cpus`.
inline double busy_seconds(const std::vector<int>& cpus) {
  std::ifstream f("/proc/stat");
  std::string line;
  double busy = 0;
  const double hz = double(sysconf(_SC_CLK_TCK));
  while (std::getline(f, line)) {
    if (line.rfind("cpu", 0) != 0 || line.size() < 4 || line[3] < '0' || line[3] > '9') continue;
    std::istringstream is(line.substr(3));
    int cpu = -1;
    is >> cpu;
    if (std::find(cpus.begin(), cpus.end(), cpu) == cpus.end()) continue;
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

// CPU seconds that others used on `cpus` between start() and stop(). /proc/stat
// counts in jiffies (10 ms), so small values are noise.
class cpu_watch {
 public:
  explicit cpu_watch(std::vector<int> cpus) : cpus_(std::move(cpus)) {}
  void start() {
    b0_ = busy_seconds(cpus_);
    s0_ = self_cpu_seconds();
    w0_ = steady::now();
  }
  void stop() {
    other_ = std::max(0.0, (busy_seconds(cpus_) - b0_) - (self_cpu_seconds() - s0_));
    wall_ = std::chrono::duration<double>(steady::now() - w0_).count();
  }
  double other_seconds() const { return other_; }
  double wall_seconds() const { return wall_; }
  // The perf-anchors rule: more than 0.05 s + 2% of the CPU time available.
  bool disturbed() const { return other_ > 0.05 + 0.02 * double(cpus_.size()) * wall_; }

 private:
  std::vector<int> cpus_;
  double b0_ = 0, s0_ = 0, other_ = 0, wall_ = 0;
  steady::time_point w0_;
};

// Waits until `cpus` are >= 97% idle over 100 ms, at most `max_wait`.
// Returns true if they were.
inline bool wait_idle(const std::vector<int>& cpus, double max_wait_s) {
  const auto deadline = steady::now() + std::chrono::duration<double>(max_wait_s);
  do {
    const double b0 = busy_seconds(cpus);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (busy_seconds(cpus) - b0 <= 0.03 * 0.1 * double(cpus.size())) return true;
  } while (steady::now() < deadline);
  return false;
}

// ---- options ----------------------------------------------------------------------

struct options {
  int rounds = 5;
  std::uint64_t items = 20'000'000;
  std::uint64_t rtt_samples = 200'000;
  std::uint64_t probe_samples = 20'000;
  bool quick = false;
  bool pause = false;
  double idle_wait_s = 1.0;  // per measurement, before giving up and running anyway
  int retries = 2;           // extra attempts for a run disturbed by other processes
  std::string csv;
  std::vector<int> cpus = {0, 1};
};

// A benchmark's own default sizes, normal and --quick (what "items" counts
// is the benchmark's to say: values, messages, round trips).
struct defaults {
  int rounds = 5;
  std::uint64_t items = 20'000'000;
  std::uint64_t rtt_samples = 200'000;
  std::uint64_t quick_items = 200'000;
  std::uint64_t quick_rtt_samples = 5'000;
};

inline void usage(const char* argv0, const defaults& d = {}) {
  std::fprintf(stderr,
               "usage: %s [--rounds N] [--items N] [--rtt-samples N] [--quick] [--csv FILE]\n"
               "          [--pause] [--idle-wait SECONDS] [--retries N] [--cpus A,B]\n"
               "  defaults: %d rounds, %llu items, %llu round trips, CPUs 0,1\n"
               "  --quick      tiny run for a CI smoke test (1 round, %llu items, %llu round trips)\n"
               "  --pause      PAUSE before retrying a failed push/pop (default: tight spin)\n"
               "  --idle-wait  wait up to this long for both CPUs to be idle before each run (default 1)\n"
               "  --retries    re-run a measurement disturbed by other processes up to N times (default 2)\n"
               "  --cpus A,B   the two CPUs the threads are pinned to (on a many-core machine: two physical\n"
               "               cores, not hyperthread siblings; a third thread, where one runs, takes the\n"
               "               first other CPU the process may use)\n",
               argv0, d.rounds, (unsigned long long)d.items, (unsigned long long)d.rtt_samples,
               (unsigned long long)d.quick_items, (unsigned long long)d.quick_rtt_samples);
}

inline options parse(int argc, char** argv, const defaults& d = {}) {
  options o;
  o.rounds = d.rounds;
  o.items = d.items;
  o.rtt_samples = d.rtt_samples;
  auto need = [&](int& i) -> const char* {
    if (i + 1 >= argc) {
      usage(argv[0], d);
      std::exit(2);
    }
    return argv[++i];
  };
  auto number = [&](const char* s) -> std::uint64_t {
    char* end = nullptr;
    const auto v = std::strtoull(s, &end, 10);
    if (end == s || *end != '\0') {
      std::fprintf(stderr, "bench: not a number: %s\n", s);
      std::exit(2);
    }
    return v;
  };
  bool rounds_set = false, items_set = false, rtt_set = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      o.quick = true;
    } else if (a == "--rounds") {
      o.rounds = static_cast<int>(number(need(i)));
      rounds_set = true;
    } else if (a == "--items") {
      o.items = number(need(i));
      items_set = true;
    } else if (a == "--rtt-samples") {
      o.rtt_samples = number(need(i));
      rtt_set = true;
    } else if (a == "--csv") {
      o.csv = need(i);
    } else if (a == "--pause") {
      o.pause = true;
    } else if (a == "--idle-wait") {
      o.idle_wait_s = std::strtod(need(i), nullptr);
    } else if (a == "--retries") {
      o.retries = static_cast<int>(number(need(i)));
    } else if (a == "--cpus") {
      const std::string v = need(i);
      const auto comma = v.find(',');
      if (comma == std::string::npos) {
        std::fprintf(stderr, "bench: --cpus wants two CPUs, A,B: %s\n", v.c_str());
        std::exit(2);
      }
      o.cpus = {static_cast<int>(number(v.substr(0, comma).c_str())),
                static_cast<int>(number(v.substr(comma + 1).c_str()))};
      if (o.cpus[0] == o.cpus[1]) {
        std::fprintf(stderr, "bench: --cpus wants two different CPUs: %s\n", v.c_str());
        std::exit(2);
      }
    } else if (a == "-h" || a == "--help") {
      usage(argv[0], d);
      std::exit(0);
    } else {
      std::fprintf(stderr, "bench: unknown argument: %s\n", a.c_str());
      usage(argv[0], d);
      std::exit(2);
    }
  }
  if (o.quick) {  // explicit values still win
    if (!rounds_set) o.rounds = 1;
    if (!items_set) o.items = d.quick_items;
    if (!rtt_set) o.rtt_samples = d.quick_rtt_samples;
    o.probe_samples = 2'000;
    o.idle_wait_s = 0;
    o.retries = 0;
  }
  if (o.rounds < 1 || o.items < 1 || o.rtt_samples < 10) {
    std::fprintf(stderr, "bench: need --rounds >= 1, --items >= 1, --rtt-samples >= 10\n");
    std::exit(2);
  }
  g_pause_on_fail = o.pause;
  return o;
}

// ---- one measurement, gated -----------------------------------------------------

struct gated {
  int attempts = 0;
  double other_cpu_s = 0;  // of the attempt kept
  bool disturbed = false;  // the attempt kept was still disturbed
};

// Runs f() (returning its figure) after waiting for idle CPUs; repeats a run
// that others disturbed, up to o.retries times, keeping the last attempt.
template <class F>
auto measure(const options& o, F&& f, gated& g) {
  cpu_watch w(o.cpus);
  for (g.attempts = 1;; ++g.attempts) {
    if (o.idle_wait_s > 0) wait_idle(o.cpus, o.idle_wait_s);
    w.start();
    auto r = f();
    w.stop();
    g.other_cpu_s = w.other_seconds();
    g.disturbed = w.disturbed();
    if (!g.disturbed || g.attempts > o.retries) return r;
  }
}

// ---- the generic runs -------------------------------------------------------------

// Millions of items per second, 1 producer (cpus[0]) -> 1 consumer (cpus[1]):
// n items from a common start until the consumer has popped the last one.
// Values are 1..n; the consumer aborts on any departure from strict FIFO.
template <class Q>
double throughput(std::uint64_t n, const std::vector<int>& cpus = {0, 1}) {
  auto* q = Q::make();
  std::uint64_t t0 = 0, t1 = 0;
  // The loops work on locals (ring reference, bound), not on the captures.
  run_pinned(cpus, {[&, n] {
                      auto& r = *q;
                      t0 = ticks();
                      for (std::uint64_t i = 1; i <= n; ++i)
                        while (!Q::push(r, i)) on_fail();
                    },
                    [&, n] {
                      auto& r = *q;
                      std::uint64_t v = 0;
                      for (std::uint64_t want = 1; want <= n; ++want) {
                        while (!Q::pop(r, v)) on_fail();
                        if (v != want) [[unlikely]] {
                          std::fprintf(stderr, "FIFO violated: got %llu, want %llu\n", (unsigned long long)v,
                                       (unsigned long long)want);
                          std::abort();
                        }
                      }
                      t1 = ticks();
                    }});
  Q::destroy(q);
  return double(n) / (double(t1 - t0) * tick_ns()) * 1e3;  // items per ns * 1e3 = M/s
}

// Ping-pong over two queues: A (cpus[0]) pushes i into a2b and waits for the
// echo on b2a; B (cpus[1]) pops from a2b and pushes it back. One sample per
// round trip; the first 10% are warm-up.
template <class Q>
rtt round_trip(std::uint64_t n, const std::vector<int>& cpus = {0, 1}) {
  auto* a2b = Q::make();
  auto* b2a = Q::make();
  latencies lat(n);
  run_pinned(cpus, {[&, n] {
                      auto &out = *a2b, &in = *b2a;
                      std::uint64_t v = 0;
                      for (std::uint64_t i = 1; i <= n; ++i) {
                        const std::uint64_t t0 = ticks();
                        while (!Q::push(out, i)) on_fail();
                        while (!Q::pop(in, v)) on_fail();
                        lat.add(ticks() - t0);
                        if (v != i) [[unlikely]] {
                          std::fprintf(stderr, "echo mismatch: got %llu, want %llu\n", (unsigned long long)v,
                                       (unsigned long long)i);
                          std::abort();
                        }
                      }
                    },
                    [&, n] {
                      auto &in = *a2b, &out = *b2a;
                      std::uint64_t v = 0;
                      for (std::uint64_t i = 1; i <= n; ++i) {
                        while (!Q::pop(in, v)) on_fail();
                        while (!Q::push(out, v)) on_fail();
                      }
                    }});
  Q::destroy(a2b);
  Q::destroy(b2a);
  lat.finish();
  return lat.summary();
}

// The physical floor: one cache line bounced between the two CPUs. A writes
// an odd value and waits for B's next even one; B waits for the odd value and
// writes the next. Round trip p50/p99 in ns (first 10% cut).
inline rtt line_ping_pong(std::uint64_t n, const std::vector<int>& cpus = {0, 1}) {
  struct alignas(128) line_t {
    std::atomic<std::uint64_t> v{0};
  };
  auto line = std::make_unique<line_t>();
  latencies lat(n);
  run_pinned(cpus, {[&, n] {
                      auto& l = *line;
                      for (std::uint64_t i = 0; i < n; ++i) {
                        const std::uint64_t t0 = ticks();
                        l.v.store(2 * i + 1, std::memory_order_release);            // release: pairs with B's acquire
                        while (l.v.load(std::memory_order_acquire) != 2 * i + 2) {  // acquire: pairs with B's release
                        }
                        lat.add(ticks() - t0);
                      }
                    },
                    [&, n] {
                      auto& l = *line;
                      for (std::uint64_t i = 0; i < n; ++i) {
                        while (l.v.load(std::memory_order_acquire) != 2 * i + 1) {  // acquire: pairs with A's release
                        }
                        l.v.store(2 * i + 2, std::memory_order_release);  // release: pairs with A's acquire
                      }
                    }});
  lat.finish();
  return lat.summary();
}

// ---- producer-only batches (more producers than spare CPUs) ------------------------

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

// `threads` producers pinned to cpus[0..threads) run produce(i) once per
// batch, all released by one barrier; a batch is timed from the earliest
// start to the latest end (TSC). After each batch thread 0 runs drain()
// untimed: it empties the structure and verifies what it took. Returns the
// timed ticks summed over the batches. This is how several producers are
// measured on a machine with no CPU left for a concurrent consumer.
template <class Produce, class Drain>
std::uint64_t run_batches(const std::vector<int>& cpus, int threads, std::uint64_t batches, Produce&& produce,
                          Drain&& drain) {
  struct alignas(128) stamp {
    std::uint64_t t0 = 0, t1 = 0;
  };
  std::vector<stamp> st(static_cast<std::size_t>(threads));
  spin_barrier bar(static_cast<unsigned>(threads));
  std::uint64_t total = 0;
  std::vector<std::function<void()>> fs;
  for (int i = 0; i < threads; ++i)
    fs.emplace_back([&, i] {
      for (std::uint64_t b = 0; b < batches; ++b) {
        bar.arrive_and_wait();
        st[i].t0 = ticks();
        produce(i);
        st[i].t1 = ticks();
        bar.arrive_and_wait();
        if (i == 0) {
          std::uint64_t lo = st[0].t0, hi = st[0].t1;
          for (const auto& s : st) lo = std::min(lo, s.t0), hi = std::max(hi, s.t1);
          total += hi - lo;
          drain();
        }
      }
    });
  std::vector<int> use(cpus.begin(), cpus.begin() + std::min<std::size_t>(cpus.size(), std::size_t(threads)));
  run_pinned(use, fs);
  return total;
}

// ---- single-threaded operation costs ----------------------------------------------

// Ticks per operation, p50 and p99 over the samples (warm-up cut).
struct op_cost {
  double p50 = 0, p99 = 0;
};

// The p50 cost of an empty sample (two back-to-back timer reads), in ticks.
inline double timer_overhead(std::size_t samples = 20'000) {
  std::vector<std::uint64_t> v(samples);
  for (auto& x : v) {
    const std::uint64_t t0 = ticks();
    x = ticks() - t0;
  }
  std::sort(v.begin(), v.end());
  return double(v[v.size() / 2]);
}

// The seed's method (nexus-inventory.md 5.6): each sample times `ops`
// back-to-back operations (body()) between two lfence;rdtsc;lfence reads;
// the timer's own cost `overhead` is subtracted and the rest divided by
// `ops`. setup() runs untimed before each sample and check() untimed after
// it (it verifies what the operations did and aborts on a mismatch). The
// first 10% of the samples are warm-up. Runs on the calling thread.
template <class Setup, class Body, class Check>
op_cost time_ops(std::uint64_t samples, std::uint64_t ops, double overhead, Setup&& setup, Body&& body, Check&& check) {
  std::vector<double> v;
  v.reserve(samples);
  for (std::uint64_t s = 0; s < samples; ++s) {
    setup();
    const std::uint64_t t0 = ticks();
    body();
    const std::uint64_t t1 = ticks();
    check();
    v.push_back((double(t1 - t0) - overhead) / double(ops));
  }
  v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 10));
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)]};
}

// ---- results ----------------------------------------------------------------------

// Every figure of every run. One run (one gated measurement) may give
// several figures (an RTT run gives p50 and p99).
class recorder {
 public:
  struct row {
    int round;
    int run;  // which measurement; figures of one run share it
    std::string impl, metric;
    double value;
    gated g;
  };
  void add(int round, const std::string& impl, const std::vector<std::pair<std::string, double>>& figures,
           const gated& g) {
    ++runs_;
    for (const auto& [metric, value] : figures) rows_.push_back({round, runs_, impl, metric, value, g});
  }
  std::vector<double> values(const std::string& impl, const std::string& metric, bool clean_only = false) const {
    std::vector<double> v;
    for (const auto& r : rows_)
      if (r.impl == impl && r.metric == metric && !(clean_only && r.g.disturbed)) v.push_back(r.value);
    return v;
  }
  // Median [min-max] over the runs that others did not disturb; over all runs
  // when every run was disturbed (then `all_disturbed` says so).
  summary get(const std::string& impl, const std::string& metric, bool* all_disturbed = nullptr) const {
    auto v = values(impl, metric, true);
    if (all_disturbed) *all_disturbed = v.empty() && !values(impl, metric).empty();
    return summarize(v.empty() ? values(impl, metric) : v);
  }
  // The figure per round (round -> value), for pairing two implementations
  // measured in the same rounds; undisturbed runs only, unless every run was
  // disturbed (as get()).
  std::map<int, double> by_round(const std::string& impl, const std::string& metric) const {
    std::map<int, double> m;
    const bool clean = !values(impl, metric, true).empty();
    for (const auto& r : rows_)
      if (r.impl == impl && r.metric == metric && !(clean && r.g.disturbed)) m[r.round] = r.value;
    return m;
  }
  // Runs of `impl` that were kept although still disturbed.
  int disturbed(const std::string& impl) const {
    int n = 0, last = 0;
    for (const auto& r : rows_)
      if (r.impl == impl && r.g.disturbed && r.run != last) ++n, last = r.run;
    return n;
  }
  int runs(const std::string& impl) const {
    int n = 0, last = 0;
    for (const auto& r : rows_)
      if (r.impl == impl && r.run != last) ++n, last = r.run;
    return n;
  }
  bool write_csv(const std::string& path) const {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return false;
    std::fprintf(f, "round,run,impl,metric,value,attempts,other_cpu_s,disturbed\n");
    for (const auto& r : rows_)
      std::fprintf(f, "%d,%d,%s,%s,%.3f,%d,%.3f,%d\n", r.round, r.run, r.impl.c_str(), r.metric.c_str(), r.value,
                   r.g.attempts, r.g.other_cpu_s, int(r.g.disturbed));
    return std::fclose(f) == 0;
  }

 private:
  std::vector<row> rows_;
  int runs_ = 0;
};

// "12.3 [4.5-67.8]" with the given precision.
inline std::string fmt(const summary& s, int prec) {
  char b[96];
  std::snprintf(b, sizeof b, "%.*f [%.*f-%.*f]", prec, s.median, prec, s.min, prec, s.max);
  return b;
}

// The verdict table: one row per target, computed from the medians.
inline void print_check_header() {
  std::printf("| %-56s | %-16s | %-18s | %-7s |\n", "measured (from the medians)", "value", "target", "result");
  std::printf("|%s|%s|%s|%s|\n", std::string(58, '-').c_str(), std::string(18, '-').c_str(),
              std::string(20, '-').c_str(), std::string(9, '-').c_str());
}

// One row: the measured value (with its unit; "x" for a ratio), the target,
// MET / NOT MET, or "-" when there is no target (op == nullptr). Returns
// whether it was met (true without a target). A NaN or infinite value (a
// missing figure) is NOT MET.
inline bool check(const char* what, double measured, const char* unit, const char* op, double target) {
  bool met = true;
  char t[40] = "-", m[40];
  if (op != nullptr) {
    met = std::isfinite(measured) && (std::string(op) == ">=" ? measured >= target : measured <= target);
    std::snprintf(t, sizeof t, "%s %.2f%s%s", op, target, unit[0] == 'x' ? "" : " ", unit);
  }
  const int prec = std::fabs(measured) < 0.995 ? 3 : 2;  // small ratios keep their digits
  std::snprintf(m, sizeof m, "%.*f%s%s", prec, measured, unit[0] == 'x' ? "" : " ", unit);
  std::printf("| %-56s | %16s | %-18s | %-7s |\n", what, m, t, op == nullptr ? "-" : met ? "MET" : "NOT MET");
  return met;
}

// One ratio row (see check).
inline bool ratio_check(const char* what, double measured, const char* op, double target) {
  return check(what, measured, "x", op, target);
}

// Counts the targets and the ones met.
struct tally {
  int met = 0, total = 0;
  void operator()(bool ok) {
    ++total;
    met += ok ? 1 : 0;
  }
};

// A results table over the recorder: one row per implementation, one column
// per metric, cells "median [min-max]" over the undisturbed runs ('*': every
// run was disturbed, all used; '-': not measured), and the disturbed runs.
struct column {
  std::string header, metric;
  int prec;
};
inline void print_table(const recorder& rec, const std::string& first,
                        const std::vector<std::pair<std::string, std::string>>& rows,  // label, impl
                        const std::vector<column>& cols) {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> head = {first};
  for (const auto& c : cols) head.push_back(c.header);
  head.push_back("runs disturbed");
  cells.push_back(head);
  for (const auto& [label, impl] : rows) {
    std::vector<std::string> r = {label};
    for (const auto& c : cols) {
      if (rec.values(impl, c.metric).empty()) {
        r.push_back("-");
        continue;
      }
      bool dirty = false;
      const auto s = rec.get(impl, c.metric, &dirty);
      r.push_back(fmt(s, c.prec) + (dirty ? "*" : ""));
    }
    r.push_back(std::to_string(rec.disturbed(impl)) + " of " + std::to_string(rec.runs(impl)));
    cells.push_back(r);
  }
  std::vector<std::size_t> w(head.size(), 0);
  for (const auto& r : cells)
    for (std::size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], r[i].size());
  auto line = [&](const std::vector<std::string>& r) {
    std::printf("|");
    for (std::size_t i = 0; i < r.size(); ++i) std::printf(" %-*s |", int(w[i]), r[i].c_str());
    std::printf("\n");
  };
  line(cells[0]);
  std::printf("|");
  for (auto x : w) std::printf("%s|", std::string(x + 2, '-').c_str());
  std::printf("\n");
  for (std::size_t i = 1; i < cells.size(); ++i) line(cells[i]);
}

// The median of one figure (NaN when it was never measured).
inline double med(const recorder& rec, const std::string& impl, const std::string& metric) {
  if (rec.values(impl, metric).empty()) return std::nan("");
  return rec.get(impl, metric).median;
}

// The common preamble: CPUs checked, TSC calibrated, placement probe.
inline void preamble(const char* name, const options& o) {
  require_cpus(o.cpus);
  const double tns = calibrate(std::chrono::milliseconds(o.quick ? 10 : 100));
  const rtt probe = line_ping_pong(o.probe_samples, o.cpus);
  std::printf("%s: %d round(s), %s; CPUs %d and %d; TSC %.4f ns/tick (%.3f GHz)\n", name, o.rounds,
              o.pause ? "PAUSE on a failed push/pop" : "tight spin on a failed push/pop", o.cpus[0], o.cpus[1], tns,
              1.0 / tns);
  std::printf("  placement probe (1-line ping-pong, %llu round trips): p50 %.0f ns, p99 %.0f ns\n",
              (unsigned long long)o.probe_samples, probe.p50, probe.p99);
  std::printf("  runs marked '!' were disturbed by other processes even after %d retr%s (other CPU s shown)\n",
              o.retries, o.retries == 1 ? "y" : "ies");
  if (o.quick) std::printf("  --quick: a smoke test; the figures mean nothing\n");
  std::printf("\n");
  std::fflush(stdout);
}

// The placement probe again at the start of a round (the host may move the
// vCPUs between rounds: perf-anchors.md section 2): recorded as impl
// "probe", metric "rtt_p50_ns", and printed.
inline void round_probe(const options& o, recorder& rec, int round) {
  const rtt p = line_ping_pong(o.probe_samples, o.cpus);
  rec.add(round, "probe", {{"rtt_p50_ns", p.p50}}, gated{1, 0, false});
  std::printf("  round %d placement probe: 1-line RTT p50 %.0f ns\n", round, p.p50);
  std::fflush(stdout);
}

// Writes the CSV if asked; returns the process exit code.
inline int finish(const char* name, const options& o, const recorder& rec, const tally& t) {
  std::printf("\ntargets: %d of %d met%s\n", t.met, t.total,
              o.quick ? " (--quick: too short to mean anything; a smoke test only)" : "");
  if (!o.csv.empty()) {
    if (!rec.write_csv(o.csv)) {
      std::fprintf(stderr, "%s: cannot write %s\n", name, o.csv.c_str());
      return 1;
    }
    std::printf("per-run figures written to %s\n", o.csv.c_str());
  }
  return 0;  // a benchmark reports; it does not fail on a missed target
}

}  // namespace bench
