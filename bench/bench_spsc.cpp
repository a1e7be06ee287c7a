// bench_spsc: nexus::queue::spsc against the Debian-packaged SPSC peers
//   atomic_queue::AtomicQueue<u64,4096,0,true,true,false,true>  (SPSC mode;
//       its spinning push/pop, its fastest mode, and try_push/try_pop)
//   boost::lockfree::spsc_queue<u64, capacity<4096>>
//   moodycamel::ReaderWriterQueue<u64>(4096)
// plus the physical floor (one cache line bounced between the two CPUs).
//
// 8-byte items, capacity 4096, producer / side A pinned to CPU 0, consumer /
// side B to CPU 1. Every round runs every implementation in the same order
// (A B C D E floor, A B C D E floor, ...) inside this one process. Each
// measurement waits (bounded) for idle CPUs and is repeated when other
// processes took CPU time during it (see harness.hpp). The final table gives
// median [min-max] over rounds, and the ratios against the targets are
// computed from those medians.
//
//   bench_spsc [--rounds N] [--items N] [--rtt-samples N] [--quick] [--csv FILE]
//              [--pause] [--idle-wait S] [--retries N]
#include <atomic_queue/atomic_queue.h>
#include <boost/lockfree/spsc_queue.hpp>
#include <readerwriterqueue/readerwriterqueue.h>

#include <cstdio>
#include <string>
#include <vector>

#include "harness.hpp"
#include "nexus/queue/spsc.hpp"

namespace {

constexpr unsigned cap = 4096;

struct nexus_q {
  using ring = nexus::queue::spsc::endpoints<std::uint64_t>;
  static ring* make() {
    auto r = nexus::queue::spsc::ring_buffer<std::uint64_t>(cap);
    return new ring(std::move(*r));
  }
  static void destroy(ring* r) { delete r; }
  static bool push(ring& r, std::uint64_t v) { return r.tx.push(v) == nexus::status::ok; }
  static bool pop(ring& r, std::uint64_t& v) {
    auto x = r.rx.pop();
    if (!x) return false;
    v = *x;
    return true;
  }
};

// SPSC=true, NIL=0 (the harness never sends 0), MINIMIZE_CONTENTION and
// MAXIMIZE_THROUGHPUT as in its defaults.
using aq_ring = atomic_queue::AtomicQueue<std::uint64_t, cap, 0, true, true, false, true>;

struct aq_spin_q {  // push/pop wait inside (on the slot itself): never fail
  using ring = aq_ring;
  static ring* make() { return new ring; }
  static void destroy(ring* r) { delete r; }
  static bool push(ring& r, std::uint64_t v) {
    r.push(v);
    return true;
  }
  static bool pop(ring& r, std::uint64_t& v) {
    v = r.pop();
    return true;
  }
};

struct aq_try_q {  // try_push/try_pop: read the peer's index on every call
  using ring = aq_ring;
  static ring* make() { return new ring; }
  static void destroy(ring* r) { delete r; }
  static bool push(ring& r, std::uint64_t v) { return r.try_push(v); }
  static bool pop(ring& r, std::uint64_t& v) { return r.try_pop(v); }
};

struct boost_q {  // holds capacity - 1 = 4095
  using ring = boost::lockfree::spsc_queue<std::uint64_t, boost::lockfree::capacity<cap>>;
  static ring* make() { return new ring; }
  static void destroy(ring* r) { delete r; }
  static bool push(ring& r, std::uint64_t v) { return r.push(v); }
  static bool pop(ring& r, std::uint64_t& v) { return r.pop(v); }
};

struct mc_q {  // try_enqueue never allocates once constructed with 4096
  using ring = moodycamel::ReaderWriterQueue<std::uint64_t>;
  static ring* make() { return new ring(cap); }
  static void destroy(ring* r) { delete r; }
  static bool push(ring& r, std::uint64_t v) { return r.try_enqueue(v); }
  static bool pop(ring& r, std::uint64_t& v) { return r.try_dequeue(v); }
};

const char* const kFloor = "floor";

}  // namespace

int main(int argc, char** argv) {
  const bench::options o = bench::parse(argc, argv);
  bench::require_cpus(o.cpus);
  const double tns = bench::calibrate(std::chrono::milliseconds(o.quick ? 10 : 100));
  const bench::rtt probe = bench::line_ping_pong(o.probe_samples);

  std::printf("bench_spsc: %d round(s), %llu items per throughput run, %llu round trips per RTT run, %s\n",
              o.rounds, (unsigned long long)o.items, (unsigned long long)o.rtt_samples,
              o.pause ? "PAUSE on a failed push/pop" : "tight spin on a failed push/pop");
  std::printf("  capacity %u, producer/A on CPU %d, consumer/B on CPU %d; TSC %.4f ns/tick (%.3f GHz)\n", cap,
              o.cpus[0], o.cpus[1], tns, 1.0 / tns);
  std::printf("  placement probe (1-line ping-pong, %llu round trips): p50 %.0f ns, p99 %.0f ns\n",
              (unsigned long long)o.probe_samples, probe.p50, probe.p99);
  std::printf("  runs marked '!' were disturbed by other processes even after %d retr%s (other CPU s shown)\n\n",
              o.retries, o.retries == 1 ? "y" : "ies");
  std::fflush(stdout);

  bench::recorder rec;
  const std::vector<std::string> impls = {"nexus", "atomic_queue", "atomic_queue_try", "boost", "moodycamel"};

  for (int round = 1; round <= o.rounds; ++round) {
    auto one = [&](const std::string& name, auto tag) {
      using Q = decltype(tag);
      bench::gated gt, gl;
      const double t = bench::measure(o, [&] { return bench::throughput<Q>(o.items, o.cpus); }, gt);
      const bench::rtt l = bench::measure(o, [&] { return bench::round_trip<Q>(o.rtt_samples, o.cpus); }, gl);
      rec.add(round, name, {{"tput_mps", t}}, gt);
      rec.add(round, name, {{"rtt_p50_ns", l.p50}, {"rtt_p99_ns", l.p99}}, gl);
      std::printf("  round %d %-17s %7.1f M/s%s (other %.2fs, try %d)   RTT p50 %5.0f ns  p99 %6.0f ns%s (other %.2fs, try %d)\n",
                  round, name.c_str(), t, gt.disturbed ? "!" : " ", gt.other_cpu_s, gt.attempts, l.p50, l.p99,
                  gl.disturbed ? "!" : " ", gl.other_cpu_s, gl.attempts);
      std::fflush(stdout);
    };
    one("nexus", nexus_q{});
    one("atomic_queue", aq_spin_q{});
    one("atomic_queue_try", aq_try_q{});
    one("boost", boost_q{});
    one("moodycamel", mc_q{});
    bench::gated gf;
    const bench::rtt f = bench::measure(o, [&] { return bench::line_ping_pong(o.rtt_samples, o.cpus); }, gf);
    rec.add(round, kFloor, {{"rtt_p50_ns", f.p50}, {"rtt_p99_ns", f.p99}}, gf);
    std::printf("  round %d %-17s %7s                            RTT p50 %5.0f ns  p99 %6.0f ns%s (other %.2fs, try %d)\n",
                round, "1-line floor", "-", f.p50, f.p99, gf.disturbed ? "!" : " ", gf.other_cpu_s, gf.attempts);
    std::fflush(stdout);
  }

  std::printf("\nSPSC, 8-byte items, capacity 4096, CPU %d -> CPU %d, %d round(s), %s\n", o.cpus[0], o.cpus[1],
              o.rounds, o.pause ? "PAUSE on fail" : "tight spin");
  std::printf("Median [min-max] over the runs that other processes did not disturb ('*': every run was\n"
              "disturbed, so all are used); the last column counts the disturbed runs left out.\n\n");
  std::printf("| %-34s | %-22s | %-16s | %-16s | %-14s |\n", "implementation", "throughput M items/s",
              "RTT p50 ns", "RTT p99 ns", "runs left out");
  std::printf("|%s|%s|%s|%s|%s|\n", std::string(36, '-').c_str(), std::string(24, '-').c_str(),
              std::string(18, '-').c_str(), std::string(18, '-').c_str(), std::string(16, '-').c_str());
  auto cell = [&](const std::string& impl, const char* metric, int prec) -> std::string {
    if (rec.values(impl, metric).empty()) return "-";
    bool dirty = false;
    const auto s = rec.get(impl, metric, &dirty);
    return bench::fmt(s, prec) + (dirty ? "*" : "");
  };
  auto row = [&](const char* label, const std::string& impl) {
    char d[32];
    std::snprintf(d, sizeof d, "%d of %d", rec.disturbed(impl), rec.runs(impl));
    std::printf("| %-34s | %-22s | %-16s | %-16s | %-14s |\n", label, cell(impl, "tput_mps", 1).c_str(),
                cell(impl, "rtt_p50_ns", 0).c_str(), cell(impl, "rtt_p99_ns", 0).c_str(), d);
  };
  const char* labels[] = {"nexus::queue::spsc", "atomic_queue SPSC push/pop (spin)", "atomic_queue SPSC try_push/try_pop",
                          "boost::lockfree::spsc_queue", "moodycamel::ReaderWriterQueue"};
  for (std::size_t i = 0; i < impls.size(); ++i) row(labels[i], impls[i]);
  row("1 cache line ping-pong (floor)", kFloor);

  const double nt = rec.get("nexus", "tput_mps").median;
  const double nl = rec.get("nexus", "rtt_p50_ns").median;
  auto t = [&](const char* impl) { return rec.get(impl, "tput_mps").median; };
  std::printf("\n");
  bench::print_check_header();
  int missed = 0;
  missed += !bench::ratio_check("nexus / atomic_queue (spin) throughput", nt / t("atomic_queue"), ">=", 1.0);
  bench::ratio_check("nexus / atomic_queue (try) throughput", nt / t("atomic_queue_try"), nullptr, 0);
  missed += !bench::ratio_check("nexus / boost throughput", nt / t("boost"), ">=", 1.5);
  bench::ratio_check("nexus / moodycamel throughput", nt / t("moodycamel"), nullptr, 0);
  missed += !bench::ratio_check("nexus RTT p50 / 1-line floor RTT p50", nl / rec.get(kFloor, "rtt_p50_ns").median, "<=",
                                1.25);
  bench::ratio_check("nexus RTT p50 / atomic_queue RTT p50", nl / rec.get("atomic_queue", "rtt_p50_ns").median,
                     nullptr, 0);
  std::printf("\ntargets: %d of 3 met%s\n", 3 - missed,
              o.quick ? " (--quick: too short to mean anything; a smoke test only)" : "");

  if (!o.csv.empty()) {
    if (!rec.write_csv(o.csv)) {
      std::fprintf(stderr, "bench_spsc: cannot write %s\n", o.csv.c_str());
      return 1;
    }
    std::printf("per-run figures written to %s\n", o.csv.c_str());
  }
  return 0;  // a benchmark reports; it does not fail on a missed target
}
