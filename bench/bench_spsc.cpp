// bench_spsc: nexus::queue::spsc against atomic_queue (SPSC, spinning
// push/pop), boost::lockfree::spsc_queue and moodycamel::ReaderWriterQueue,
// plus the one-cache-line floor: 8-byte items, capacity 4096, producer on
// CPU 0, consumer on CPU 1. Implementations alternate within every round
// (A B C D, A B C D, ...); the table reports median [min-max] over rounds
// and the ratios against the targets of issue 2 (computed, never typed).
#include <atomic_queue/atomic_queue.h>
#include <boost/lockfree/spsc_queue.hpp>
#include <readerwriterqueue/readerwriterqueue.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "harness.hpp"
#include "nexus/queue/spsc.hpp"

namespace {

constexpr unsigned cap = 4096;

struct nexus_q {
  using ring = nexus::queue::spsc::endpoints<std::uint64_t>;
  static ring* make() { return new ring(std::move(*nexus::queue::spsc::ring_buffer<std::uint64_t>(cap))); }
  static void destroy(ring* r) { delete r; }
  static bool push(ring& r, std::uint64_t v) { return r.tx.push(v) == nexus::status::ok; }
  static bool pop(ring& r, std::uint64_t& v) {
    auto x = r.rx.pop();
    if (!x) return false;
    v = *x;
    return true;
  }
};

struct aq_q {  // SPSC mode with its own spinning push/pop: its fastest mode (perf-anchors.md)
  using ring = atomic_queue::AtomicQueue<std::uint64_t, cap, 0, true, true, false, true>;
  static ring* make() { return new ring; }
  static void destroy(ring* r) { delete r; }
  static bool push(ring& r, std::uint64_t v) {
    r.push(v);  // spins inside until there is room
    return true;
  }
  static bool pop(ring& r, std::uint64_t& v) {
    v = r.pop();  // spins inside until there is a value
    return true;
  }
};

struct boost_q {
  using ring = boost::lockfree::spsc_queue<std::uint64_t, boost::lockfree::capacity<cap>>;
  static ring* make() { return new ring; }
  static void destroy(ring* r) { delete r; }
  static bool push(ring& r, std::uint64_t v) { return r.push(v); }
  static bool pop(ring& r, std::uint64_t& v) { return r.pop(v); }
};

struct mc_q {
  using ring = moodycamel::ReaderWriterQueue<std::uint64_t>;
  static ring* make() { return new ring(cap); }
  static void destroy(ring* r) { delete r; }
  static bool push(ring& r, std::uint64_t v) { return r.try_enqueue(v); }
  static bool pop(ring& r, std::uint64_t& v) { return r.try_dequeue(v); }
};

struct series {
  std::vector<double> tput, p50, p99;
};

}  // namespace

int main(int argc, char** argv) {
  const bench::options o = bench::parse(argc, argv);
  std::map<std::string, series> s;
  const std::vector<std::string> order = {"nexus", "atomic_queue", "boost", "moodycamel"};
  std::printf("bench_spsc: %d rounds, %llu items per throughput run, %llu round trips per RTT run\n", o.rounds,
              (unsigned long long)o.items, (unsigned long long)o.rtt_samples);
  for (int r = 0; r < o.rounds; ++r) {
    auto one = [&](const std::string& name, auto tag) {
      using Q = decltype(tag);
      const double t = bench::throughput<Q>(o.items);
      const auto [p50, p99] = bench::round_trip<Q>(o.rtt_samples);
      s[name].tput.push_back(t);
      s[name].p50.push_back(p50);
      s[name].p99.push_back(p99);
      std::printf("  round %d %-13s %8.1f M/s   RTT p50 %6.0f ns  p99 %6.0f ns\n", r + 1, name.c_str(), t, p50, p99);
    };
    one("nexus", nexus_q{});
    one("atomic_queue", aq_q{});
    one("boost", boost_q{});
    one("moodycamel", mc_q{});
    const auto [f50, f99] = bench::line_ping_pong(o.rtt_samples);
    s["floor"].p50.push_back(f50);
    s["floor"].p99.push_back(f99);
    std::printf("  round %d %-13s %8s       RTT p50 %6.0f ns  p99 %6.0f ns\n", r + 1, "1-line floor", "-", f50, f99);
  }
  std::printf("\n| implementation | throughput M items/s median [min-max] | RTT p50 ns median [min-max] | RTT p99 ns median |\n");
  std::printf("|---|---|---|---|\n");
  for (const auto& name : {"nexus", "atomic_queue", "boost", "moodycamel", "floor"}) {
    const auto& x = s[name];
    const auto t = bench::summarize(x.tput), a = bench::summarize(x.p50), b = bench::summarize(x.p99);
    if (x.tput.empty())
      std::printf("| 1-line ping-pong floor | - | %.0f [%.0f-%.0f] | %.0f |\n", a.median, a.min, a.max, b.median);
    else
      std::printf("| %s | %.1f [%.1f-%.1f] | %.0f [%.0f-%.0f] | %.0f |\n", name, t.median, t.min, t.max, a.median,
                  a.min, a.max, b.median);
  }
  const double n_t = bench::summarize(s["nexus"].tput).median;
  const double n_rtt = bench::summarize(s["nexus"].p50).median;
  auto ratio_row = [](const char* what, double r, double target, bool at_most) {
    const bool met = at_most ? r <= target : r >= target;
    std::printf("| %s | %.2fx | %s %.2fx | %s |\n", what, r, at_most ? "<=" : ">=", target, met ? "MET" : "NOT MET");
  };
  std::printf("\n| ratio (medians) | measured | target | |\n|---|---|---|---|\n");
  ratio_row("nexus / atomic_queue throughput", n_t / bench::summarize(s["atomic_queue"].tput).median, 1.0, false);
  ratio_row("nexus / boost throughput", n_t / bench::summarize(s["boost"].tput).median, 1.5, false);
  ratio_row("nexus / moodycamel throughput", n_t / bench::summarize(s["moodycamel"].tput).median, 1.0, false);
  ratio_row("nexus RTT p50 / 1-line floor p50", n_rtt / bench::summarize(s["floor"].p50).median, 1.25, true);
  return 0;
}
