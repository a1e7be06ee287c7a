// bench_notify: nexus::notify (the conflating event queue) and the ring it
// is built on, nexus::queue::mpsc, against the Debian-packaged MPMC/MPSC
// peers.
//
// Part 1, nexus::notify::event_queue (max_tokens 4096). Single-threaded
// operation costs on CPU 0, the seeds' method (nexus-inventory.md 5.6): each
// sample times a batch of back-to-back operations between two
// lfence;rdtsc;lfence reads, the timer's own cost is subtracted, and the
// p50 over the samples is reported in TSC ticks and ns, next to the seed's
// figure (shared/seeds/004_*: "Performance (p50 cycles, measured)"; the
// seeds' "cycles" are rdtsc ticks too, but of another machine's TSC):
//   notify conflated   the token's flag is already set: one flag exchange
//                      (seed: 16, "flag swap only")
//   notify new         the token is not queued: exchange + CAS push
//                      (seed: 16, "flag swap + CAS push")
//   poll empty         poll() on an empty queue: one failed pop
//                      (seed: 2, "single failed pop")
//   poll N ready       one poll() draining N = 8 / 128 / 4096 tokens, per
//                      token (seed: 48 / 684 / 17236 per poll, ~5 per token)
//   poll_limit(32)     one poll_limit(ev, 32) with all 4096 tokens ready,
//                      per call (seed: 162); the 32 drained tokens are
//                      re-notified untimed so 4096 stay ready
//   cross-thread RTT   A notifies token t on queue a2b; B polls a2b and
//                      notifies t on b2a; A polls b2a until t arrives. The
//                      seed's 362 is "cross-thread roundtrip ~100ns @
//                      3.5GHz" in lib.rs (004), but "roundtrip/2" in
//                      upstream BENCHMARKS.md (inventory 5.6): shown next to
//                      our RTT/2.
// plus two in-tree floors: a bare std::atomic<bool>::exchange(acq_rel) (what
// a conflated notify cannot beat) and one cache line bounced between the
// CPUs (what a round trip cannot beat). Every measurement checks what it
// did: the tokens polled, their FIFO order, conflation (one event per
// token), the echoed token.
//
// Part 2, nexus::queue::mpsc<u64> (capacity 4096) used by 1 producer (CPU 0)
// and 1 consumer (CPU 1): throughput (values 1..n, strict FIFO checked) and
// ping-pong RTT, against
//   atomic_queue::AtomicQueue<u64, 4096> (MPMC) push/pop (spins on the slot)
//   and try_push/try_pop, moodycamel::ConcurrentQueue<u64> with tokens
//   (try_enqueue/try_dequeue; one sub-queue per producer, so no FIFO order
//   across producers), boost::lockfree::queue<u64, capacity<4096>>.
// And the enqueue rate of 1 and of 2 producers (CPU 0 and CPU 1): with 2
// CPUs there is none left for a concurrent consumer, so producers fill a
// larger ring (65536 slots) in timed batches of 32768 values in all, and
// CPU 0 drains and checks each batch untimed (count, per-producer order).
//
//   bench_notify [--rounds N] [--items N] [--rtt-samples N] [--quick] [--csv FILE]
//                [--pause] [--idle-wait S] [--retries N]
//   --items: values per queue throughput run and per producer-batch run;
//   --rtt-samples: round trips per RTT run; micro samples are a quarter of it.
#include <atomic_queue/atomic_queue.h>
#include <concurrentqueue/concurrentqueue.h>

#include <array>
#include <boost/lockfree/queue.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"
#include "nexus/notify/event_queue.hpp"
#include "nexus/queue/mpsc.hpp"

namespace {

namespace nn = nexus::notify;
using u64 = std::uint64_t;

[[noreturn]] void fail(const char* what, unsigned long long a = 0, unsigned long long b = 0) {
  std::fprintf(stderr, "bench_notify: verification failed: %s (%llu, %llu)\n", what, a, b);
  std::abort();
}

// ---- part 1: notify ------------------------------------------------------------------

constexpr std::size_t kTokens = 4096;
constexpr u64 kOps = 128;  // operations per sample for the per-op figures

auto make_queue(std::size_t n) {
  auto q = nn::event_queue(n);
  if (!q) fail("event_queue()");
  return std::make_unique<nn::queue_endpoints<>>(std::move(*q));
}

// Polls everything and checks it is exactly tokens first..first+n-1 in order.
void expect_poll(nn::poller<>& rx, nn::events& ev, std::size_t first, std::size_t n) {
  rx.poll(ev);
  if (ev.size() != n) fail("poll returned the wrong number of tokens", ev.size(), n);
  for (std::size_t i = 0; i < n; ++i)
    if (ev[i].index() != (first + i) % kTokens) fail("poll order", ev[i].index(), first + i);
}

bench::op_cost notify_conflated(u64 samples, double ovh) {
  auto q = make_queue(kTokens);
  auto ev = nn::events::with_capacity(kTokens);
  for (u64 t = 0; t < kOps; ++t)
    if (q->tx.notify(nn::token(t)) != nexus::status::ok) fail("notify");
  bool bad = false;
  auto c = bench::time_ops(
      samples, kOps, ovh, [] {},
      [&] {
        for (u64 t = 0; t < kOps; ++t) bad |= q->tx.notify(nn::token(t)) != nexus::status::ok;
      },
      [] {});
  if (bad) fail("conflated notify status");
  expect_poll(q->rx, ev, 0, kOps);  // conflation: each token once, first-notified order
  return c;
}

bench::op_cost notify_new(u64 samples, double ovh) {
  auto q = make_queue(kTokens);
  auto ev = nn::events::with_capacity(kTokens);
  bool bad = false;
  return bench::time_ops(
      samples, kOps, ovh, [] {},
      [&] {
        for (u64 t = 0; t < kOps; ++t) bad |= q->tx.notify(nn::token(t)) != nexus::status::ok;
      },
      [&] {
        if (bad) fail("new notify status");
        expect_poll(q->rx, ev, 0, kOps);
      });
}

bench::op_cost poll_empty(u64 samples, double ovh) {
  auto q = make_queue(kTokens);
  auto ev = nn::events::with_capacity(kTokens);
  std::size_t got = 0;
  auto c = bench::time_ops(
      samples, kOps, ovh, [] {},
      [&] {
        for (u64 k = 0; k < kOps; ++k) {
          q->rx.poll(ev);
          got += ev.size();
        }
      },
      [] {});
  if (got != 0) fail("an empty poll returned tokens", got);
  return c;
}

// One poll() draining n ready tokens; per token.
bench::op_cost poll_n(std::size_t n, u64 samples, double ovh) {
  auto q = make_queue(kTokens);
  auto ev = nn::events::with_capacity(kTokens);
  return bench::time_ops(
      samples, n, ovh,
      [&] {
        for (std::size_t t = 0; t < n; ++t)
          if (q->tx.notify(nn::token(t)) != nexus::status::ok) fail("notify");
      },
      [&] { q->rx.poll(ev); },
      [&] {
        if (ev.size() != n) fail("poll N count", ev.size(), n);
        for (std::size_t i = 0; i < n; ++i)
          if (ev[i].index() != i) fail("poll N order", ev[i].index(), i);
      });
}

// One poll_limit(ev, 32) with all 4096 tokens ready; per call.
bench::op_cost poll_limit32(u64 samples, double ovh) {
  constexpr std::size_t limit = 32;
  auto q = make_queue(kTokens);
  auto ev = nn::events::with_capacity(kTokens);
  for (std::size_t t = 0; t < kTokens; ++t)
    if (q->tx.notify(nn::token(t)) != nexus::status::ok) fail("notify");
  std::size_t next = 0;  // the oldest ready token: FIFO makes the drain order cyclic
  return bench::time_ops(
      samples, 1, ovh, [] {}, [&] { q->rx.poll_limit(ev, limit); },
      [&] {
        if (ev.size() != limit) fail("poll_limit count", ev.size(), limit);
        for (std::size_t i = 0; i < limit; ++i) {
          if (ev[i].index() != next) fail("poll_limit order", ev[i].index(), next);
          bool queued = false;
          if (q->tx.notify(ev[i], queued) != nexus::status::ok || !queued) fail("re-notify");
          next = (next + 1) % kTokens;
        }
      });
}

// The floor of a conflated notify: one exchange on an already-set flag.
bench::op_cost bare_exchange(u64 samples, double ovh) {
  auto flags = std::make_unique<std::array<std::atomic<bool>, kOps>>();
  for (auto& f : *flags) f.store(true, std::memory_order_relaxed);
  bool all = true;
  return bench::time_ops(
      samples, kOps, ovh, [] {},
      [&] {
        for (auto& f : *flags) all &= f.exchange(true, std::memory_order_acq_rel);  // as notify's admit
      },
      [&] {
        if (!all) fail("a set flag read false");
      });
}

// Cross-thread round trip: A (cpus[0]) notifies t on a2b and polls b2a until
// t comes back; B (cpus[1]) polls a2b and notifies what it got on b2a.
bench::rtt notify_rtt(u64 n, const std::vector<int>& cpus) {
  constexpr std::size_t tokens = 64;
  auto a2b = make_queue(tokens), b2a = make_queue(tokens);
  bench::latencies lat(n);
  bench::run_pinned(cpus, {[&, n] {
                             auto& tx = a2b->tx;
                             auto& rx = b2a->rx;
                             auto ev = nn::events::with_capacity(tokens);
                             for (u64 i = 0; i < n; ++i) {
                               const nn::token t(i % tokens);
                               const u64 t0 = bench::ticks();
                               if (tx.notify(t) != nexus::status::ok) fail("rtt notify");
                               do rx.poll(ev);
                               while (ev.empty());
                               lat.add(bench::ticks() - t0);
                               if (ev.size() != 1 || ev[0] != t) fail("rtt echo", ev.size(), ev[0].index());
                             }
                           },
                           [&, n] {
                             auto& tx = b2a->tx;
                             auto& rx = a2b->rx;
                             auto ev = nn::events::with_capacity(tokens);
                             for (u64 i = 0; i < n; ++i) {
                               do rx.poll(ev);
                               while (ev.empty());
                               if (ev.size() != 1 || ev[0].index() != i % tokens) fail("rtt forward", ev.size(), i);
                               if (tx.notify(ev[0]) != nexus::status::ok) fail("rtt echo notify");
                             }
                           }});
  lat.finish();
  return lat.summary();
}

// ---- part 2: MPSC ring vs MPMC peers ------------------------------------------------------

constexpr unsigned kCap = 4096;        // 1P/1C runs
constexpr unsigned kBatchCap = 65536;  // producer batches
constexpr u64 kBatchValues = 32768;    // values per batch, all producers together
constexpr int kMaxProducers = 2;

// An MP adapter: make<cap>() -> ring* (delete frees it), push(ring&,
// producer i, v), pop(ring&, v) (may wait, as the peer's fastest mode does),
// take(ring&, v) (never waits: the batch drain). Producer i is used by one
// thread at a time.
struct nexus_mpsc {
  struct ring {
    std::vector<nexus::queue::mpsc::producer<u64>> tx;
    nexus::queue::mpsc::consumer<u64> rx;
  };
  template <unsigned C>
  static ring* make() {
    auto r = nexus::queue::mpsc::ring_buffer<u64>(C);
    if (!r) fail("mpsc ring_buffer()");
    auto* x = new ring{{}, std::move(r->rx)};
    x->tx.push_back(std::move(r->tx));
    for (int i = 1; i < kMaxProducers; ++i) x->tx.push_back(x->tx[0].clone());
    return x;
  }
  static bool push(ring& r, int i, u64 v) { return r.tx[std::size_t(i)].push(v) == nexus::status::ok; }
  static bool pop(ring& r, u64& v) {
    auto x = r.rx.pop();
    if (!x) return false;
    v = *x;
    return true;
  }
  static bool take(ring& r, u64& v) { return pop(r, v); }
};

// MPMC, NIL = 0 (values are never 0), its defaults otherwise
// (MINIMIZE_CONTENTION, MAXIMIZE_THROUGHPUT, no TOTAL_ORDER, not SPSC).
template <unsigned C>
using aq_ring = atomic_queue::AtomicQueue<u64, C>;

struct aq_spin {  // push/pop: fetch_add the index, then spin on the slot
  template <unsigned C>
  using ring_t = aq_ring<C>;
  template <unsigned C>
  static ring_t<C>* make() {
    return new ring_t<C>;
  }
  template <class R>
  static bool push(R& r, int, u64 v) {
    r.push(v);
    return true;
  }
  template <class R>
  static bool pop(R& r, u64& v) {
    v = r.pop();
    return true;
  }
  template <class R>
  static bool take(R& r, u64& v) {  // never waits (the drain)
    return r.try_pop(v);
  }
};

struct aq_try {  // try_push/try_pop: check the other side's index, then CAS
  template <unsigned C>
  using ring_t = aq_ring<C>;
  template <unsigned C>
  static ring_t<C>* make() {
    return new ring_t<C>;
  }
  template <class R>
  static bool push(R& r, int, u64 v) {
    return r.try_push(v);
  }
  template <class R>
  static bool pop(R& r, u64& v) {
    return r.try_pop(v);
  }
  template <class R>
  static bool take(R& r, u64& v) {
    return pop(r, v);
  }
};

struct mc_cq {  // explicit producer tokens; try_enqueue never allocates
  struct ring {
    // try_enqueue fails rather than allocate, and an explicit producer's
    // block index starts at 32 blocks: warm each producer up with `cap`
    // values (enqueue may allocate), then drain, so that `cap` values fit
    // without allocating afterwards.
    explicit ring(std::size_t cap) : q(cap) {
      for (auto& p : pt) {
        p = std::make_unique<moodycamel::ProducerToken>(q);
        for (std::size_t i = 1; i <= cap; ++i)
          if (!q.enqueue(*p, i)) fail("moodycamel warm-up enqueue");
        u64 v = 0;
        std::size_t n = 0;
        while (q.try_dequeue(ct, v)) ++n;
        if (n != cap) fail("moodycamel warm-up drain", n, cap);
      }
    }
    moodycamel::ConcurrentQueue<u64> q;
    std::array<std::unique_ptr<moodycamel::ProducerToken>, kMaxProducers> pt;
    moodycamel::ConsumerToken ct{q};
  };
  template <unsigned C>
  static ring* make() {
    return new ring(C);
  }
  static bool push(ring& r, int i, u64 v) { return r.q.try_enqueue(*r.pt[std::size_t(i)], v); }
  static bool pop(ring& r, u64& v) { return r.q.try_dequeue(r.ct, v); }
  static bool take(ring& r, u64& v) { return pop(r, v); }
};

struct boost_q {  // capacity<> makes the node pool fixed: push fails when it is used up
  template <unsigned C>
  using ring_t = boost::lockfree::queue<u64, boost::lockfree::capacity<(C < 65534 ? C : 65534)>>;
  template <unsigned C>
  static ring_t<C>* make() {
    return new ring_t<C>;
  }
  template <class R>
  static bool push(R& r, int, u64 v) {
    return r.push(v);
  }
  template <class R>
  static bool pop(R& r, u64& v) {
    return r.pop(v);
  }
  template <class R>
  static bool take(R& r, u64& v) {
    return pop(r, v);
  }
};

// The 1P/1C view of an MP adapter, for bench::throughput / bench::round_trip.
template <class A>
struct one_to_one {
  using ring = std::remove_pointer_t<decltype(A::template make<kCap>())>;
  static ring* make() { return A::template make<kCap>(); }
  static void destroy(ring* r) { delete r; }
  static bool push(ring& r, u64 v) { return A::push(r, 0, v); }
  static bool pop(ring& r, u64& v) { return A::pop(r, v); }
};

// Producer-only batches: `producers` threads push kBatchValues values in
// all per batch into one ring; CPU 0 drains and checks each batch. M values/s.
template <class A>
double enqueue_rate(int producers, u64 items, const std::vector<int>& cpus) {
  auto* r = A::template make<kBatchCap>();
  const u64 per = kBatchValues / u64(producers);
  const u64 batches = std::max<u64>(1, items / kBatchValues);
  std::array<u64, kMaxProducers> seq{};  // next value per producer (batches continue the sequence)
  std::array<u64, kMaxProducers> want{};
  for (int i = 0; i < kMaxProducers; ++i) seq[std::size_t(i)] = want[std::size_t(i)] = 1;
  const u64 ticks = bench::run_batches(
      cpus, producers, batches,
      [&](int i) {
        u64 s = seq[std::size_t(i)];
        const u64 tag = u64(i + 1) << 40;
        for (u64 k = 0; k < per; ++k, ++s)
          if (!A::push(*r, i, tag | s)) fail("push failed in a producer batch (ring full)", u64(i), s);
        seq[std::size_t(i)] = s;
      },
      [&] {
        u64 v = 0, n = 0;
        while (A::take(*r, v)) {  // never waits
          const u64 p = (v >> 40) - 1;
          if (p >= u64(producers) || (v & ((u64(1) << 40) - 1)) != want[p]) fail("per-producer order", v, p);
          ++want[p];
          ++n;
        }
        if (n != per * u64(producers)) fail("batch count", n, per * u64(producers));
      });
  delete r;
  return double(per * u64(producers) * batches) / (double(ticks) * bench::tick_ns()) * 1e3;
}

const char* const kFloor = "floor";

}  // namespace

int main(int argc, char** argv) {
  bench::defaults d;
  d.items = 10'000'000;  // several MP peers run at 5-15 M/s here (perf-anchors.md)
  const bench::options o = bench::parse(argc, argv, d);
  bench::preamble("bench_notify", o);
  const u64 micro = std::max<u64>(100, o.rtt_samples / 4);
  const double ovh = bench::timer_overhead();
  std::printf(
      "  part 1: %llu samples per operation figure (%llu for poll 4096), %llu round trips per RTT run;\n"
      "  timer overhead %.0f ticks per sample, subtracted\n",
      (unsigned long long)micro, (unsigned long long)std::max<u64>(20, micro / 50), (unsigned long long)o.rtt_samples,
      ovh);
  std::printf(
      "  part 2: %llu values per throughput run, capacity %u; producer batches of %llu values into %u slots\n\n",
      (unsigned long long)o.items, kCap, (unsigned long long)kBatchValues, kBatchCap);
  std::fflush(stdout);

  bench::recorder rec;
  struct micro_row {
    const char* impl;
    const char* label;
    const char* per;
    double seed;  // ticks; < 0: none
    const char* seed_says;
  };
  const std::vector<micro_row> rows = {
      {"notify_conflated", "notify, conflated (flag already set)", "op", 16, "16: flag swap only"},
      {"notify_new", "notify, new (token not queued)", "op", 16, "16: flag swap + CAS push"},
      {"poll_empty", "poll, empty", "poll", 2, "2: single failed pop"},
      {"poll_8", "poll, 8 ready", "token", 48.0 / 8, "48 per poll of 8"},
      {"poll_128", "poll, 128 ready", "token", 684.0 / 128, "684 per poll of 128 (5.3/token)"},
      {"poll_4096", "poll, 4096 ready", "token", 17236.0 / 4096, "17236 per poll of 4096"},
      {"poll_limit32", "poll_limit(32), 4096 ready", "call", 162, "162: O(limit)"},
      {"bare_exchange", "floor: atomic<bool>::exchange(acq_rel)", "op", -1, "-"},
  };

  for (int round = 1; round <= o.rounds; ++round) {
    bench::pin(o.cpus[0]);
    auto op = [&](const char* impl, auto f) {
      bench::gated g;
      const bench::op_cost c = bench::measure(o, f, g);
      rec.add(round, impl, {{"ticks", c.p50}, {"ns", c.p50 * bench::tick_ns()}, {"ticks_p99", c.p99}}, g);
      std::printf("  round %d %-17s %8.2f ticks/op p50 (%7.2f ns)  p99 %8.2f%s (other %.2fs, try %d)\n", round, impl,
                  c.p50, c.p50 * bench::tick_ns(), c.p99, g.disturbed ? "!" : " ", g.other_cpu_s, g.attempts);
      std::fflush(stdout);
    };
    op("notify_conflated", [&] { return notify_conflated(micro, ovh); });
    op("notify_new", [&] { return notify_new(micro, ovh); });
    op("poll_empty", [&] { return poll_empty(micro, ovh); });
    op("poll_8", [&] { return poll_n(8, micro, ovh); });
    op("poll_128", [&] { return poll_n(128, micro, ovh); });
    op("poll_4096", [&] { return poll_n(4096, std::max<u64>(20, micro / 50), ovh); });
    op("poll_limit32", [&] { return poll_limit32(micro, ovh); });
    op("bare_exchange", [&] { return bare_exchange(micro, ovh); });

    auto rt = [&](const char* impl, auto f) {
      bench::gated g;
      const bench::rtt l = bench::measure(o, f, g);
      rec.add(round, impl, {{"rtt_p50_ns", l.p50}, {"rtt_p99_ns", l.p99}, {"rtt_p50_ticks", l.p50 / bench::tick_ns()}},
              g);
      std::printf("  round %d %-17s RTT p50 %6.0f ns  p99 %6.0f ns%s (other %.2fs, try %d)\n", round, impl, l.p50,
                  l.p99, g.disturbed ? "!" : " ", g.other_cpu_s, g.attempts);
      std::fflush(stdout);
    };
    rt("notify_rtt", [&] { return notify_rtt(o.rtt_samples, o.cpus); });
    rt(kFloor, [&] { return bench::line_ping_pong(o.rtt_samples, o.cpus); });

    auto q = [&](const std::string& name, auto tag) {
      using A = decltype(tag);
      using Q = one_to_one<A>;
      bench::gated gt, gl, g1, g2;
      const double t = bench::measure(
          o, [&] { return bench::throughput<Q>(o.items, o.cpus); }, gt);
      const bench::rtt l = bench::measure(
          o, [&] { return bench::round_trip<Q>(o.rtt_samples, o.cpus); }, gl);
      const double e1 = bench::measure(
          o, [&] { return enqueue_rate<A>(1, o.items, o.cpus); }, g1);
      const double e2 = bench::measure(
          o, [&] { return enqueue_rate<A>(2, o.items, o.cpus); }, g2);
      rec.add(round, name, {{"tput_mps", t}}, gt);
      rec.add(round, name, {{"rtt_p50_ns", l.p50}, {"rtt_p99_ns", l.p99}}, gl);
      rec.add(round, name, {{"enq1_mps", e1}}, g1);
      rec.add(round, name, {{"enq2_mps", e2}}, g2);
      std::printf("  round %d %-17s 1P1C %6.1f M/s%s  RTT p50 %5.0f ns%s  enqueue 1P %6.1f M/s%s  2P %6.1f M/s%s\n",
                  round, name.c_str(), t, gt.disturbed ? "!" : " ", l.p50, gl.disturbed ? "!" : " ", e1,
                  g1.disturbed ? "!" : " ", e2, g2.disturbed ? "!" : " ");
      std::fflush(stdout);
    };
    q("nexus_mpsc", nexus_mpsc{});
    q("aq_mpmc", aq_spin{});
    q("aq_mpmc_try", aq_try{});
    q("moodycamel_cq", mc_cq{});
    q("boost_queue", boost_q{});
  }

  // ---- part 1 table ----
  std::printf(
      "\nnexus::notify::event_queue(4096), CPU %d; p50 per operation, median [min-max] over %d round(s).\n"
      "Seed figures are upstream's p50 rdtsc ticks on another machine (seeds/004_*, lib.rs table).\n\n",
      o.cpus[0], o.rounds);
  {
    std::vector<std::vector<std::string>> cells = {
        {"operation", "per", "ticks p50", "ns p50", "ticks p99", "seed ticks", "seed says", "runs disturbed"}};
    auto cell = [&](const char* impl, const char* metric, int prec) -> std::string {
      if (rec.values(impl, metric).empty()) return "-";
      bool dirty = false;
      const auto s = rec.get(impl, metric, &dirty);
      return bench::fmt(s, prec) + (dirty ? "*" : "");
    };
    for (const auto& r : rows) {
      char seed[32] = "-";
      if (r.seed >= 0) std::snprintf(seed, sizeof seed, "%.1f", r.seed);
      cells.push_back({r.label, r.per, cell(r.impl, "ticks", 1), cell(r.impl, "ns", 2), cell(r.impl, "ticks_p99", 1),
                       seed, r.seed_says,
                       std::to_string(rec.disturbed(r.impl)) + " of " + std::to_string(rec.runs(r.impl))});
    }
    const double rtt_ticks = bench::med(rec, "notify_rtt", "rtt_p50_ticks");
    char half[64];
    std::snprintf(half, sizeof half, "%.0f (RTT/2)", rtt_ticks / 2);
    cells.push_back({"cross-thread round trip", "RTT", cell("notify_rtt", "rtt_p50_ticks", 0),
                     cell("notify_rtt", "rtt_p50_ns", 0), "-", "362",
                     "362: 'roundtrip' (lib.rs) / 'roundtrip/2' (BENCHMARKS.md)",
                     std::to_string(rec.disturbed("notify_rtt")) + " of " + std::to_string(rec.runs("notify_rtt"))});
    cells.push_back({"cross-thread round trip, half", "RTT/2", half, "-", "-", "362", "see above", "-"});
    cells.push_back({"floor: 1 cache line ping-pong", "RTT", "-", cell(kFloor, "rtt_p50_ns", 0), "-", "-", "-",
                     std::to_string(rec.disturbed(kFloor)) + " of " + std::to_string(rec.runs(kFloor))});
    std::vector<std::size_t> w(cells[0].size(), 0);
    for (const auto& r : cells)
      for (std::size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], r[i].size());
    for (std::size_t k = 0; k < cells.size(); ++k) {
      std::printf("|");
      for (std::size_t i = 0; i < cells[k].size(); ++i) std::printf(" %-*s |", int(w[i]), cells[k][i].c_str());
      std::printf("\n");
      if (k == 0) {
        std::printf("|");
        for (auto x : w) std::printf("%s|", std::string(x + 2, '-').c_str());
        std::printf("\n");
      }
    }
  }

  // ---- part 2 table ----
  std::printf(
      "\nnexus::queue::mpsc<u64> vs MPMC peers: 1P1C capacity %u (CPU %d -> CPU %d); enqueue-only\n"
      "producer batches (1P on CPU %d; 2P on CPUs %d and %d, total rate), %d round(s)\n\n",
      kCap, o.cpus[0], o.cpus[1], o.cpus[0], o.cpus[0], o.cpus[1], o.rounds);
  bench::print_table(rec, "implementation",
                     {{"nexus::queue::mpsc", "nexus_mpsc"},
                      {"atomic_queue MPMC push/pop (spin)", "aq_mpmc"},
                      {"atomic_queue MPMC try_push/try_pop", "aq_mpmc_try"},
                      {"moodycamel::ConcurrentQueue (tokens)", "moodycamel_cq"},
                      {"boost::lockfree::queue", "boost_queue"}},
                     {{"1P1C M values/s", "tput_mps", 1},
                      {"RTT p50 ns", "rtt_p50_ns", 0},
                      {"RTT p99 ns", "rtt_p99_ns", 0},
                      {"enqueue 1P M/s", "enq1_mps", 1},
                      {"enqueue 2P total M/s", "enq2_mps", 1}});

  // ---- verdicts ----
  std::printf("\n");
  bench::print_check_header();
  bench::tally t;
  auto m = [&](const char* impl, const char* metric) { return bench::med(rec, impl, metric); };
  t(bench::check("notify, conflated: ns per op", m("notify_conflated", "ns"), "ns", "<=", 8.0));
  t(bench::check("poll, empty: ns per poll", m("poll_empty", "ns"), "ns", "<=", 2.0));
  bench::check("notify conflated / bare exchange floor (ticks)",
               m("notify_conflated", "ticks") / m("bare_exchange", "ticks"), "x", nullptr, 0);
  bench::check("notify new / seed (ticks, different TSCs)", m("notify_new", "ticks") / 16.0, "x", nullptr, 0);
  bench::check("poll 128 per token / seed (ticks)", m("poll_128", "ticks") / (684.0 / 128), "x", nullptr, 0);
  bench::check("poll_limit(32) / seed (ticks)", m("poll_limit32", "ticks") / 162.0, "x", nullptr, 0);
  bench::check("notify RTT p50 / 1-line floor RTT p50", m("notify_rtt", "rtt_p50_ns") / m(kFloor, "rtt_p50_ns"), "x",
               nullptr, 0);
  const double nt = m("nexus_mpsc", "tput_mps");
  t(bench::ratio_check("mpsc 1P1C / atomic_queue MPMC (spin) throughput", nt / m("aq_mpmc", "tput_mps"), ">=", 1.0));
  bench::ratio_check("mpsc 1P1C / atomic_queue MPMC (try) throughput", nt / m("aq_mpmc_try", "tput_mps"), nullptr, 0);
  bench::ratio_check("mpsc 1P1C / moodycamel CQ throughput", nt / m("moodycamel_cq", "tput_mps"), nullptr, 0);
  bench::ratio_check("mpsc 1P1C / boost queue throughput", nt / m("boost_queue", "tput_mps"), nullptr, 0);
  bench::ratio_check("mpsc RTT p50 / atomic_queue MPMC (spin) RTT p50",
                     m("nexus_mpsc", "rtt_p50_ns") / m("aq_mpmc", "rtt_p50_ns"), nullptr, 0);
  const double n2 = m("nexus_mpsc", "enq2_mps");
  bench::ratio_check("mpsc 2P enqueue / atomic_queue MPMC (spin) 2P", n2 / m("aq_mpmc", "enq2_mps"), nullptr, 0);
  bench::ratio_check("mpsc 2P enqueue / atomic_queue MPMC (try) 2P", n2 / m("aq_mpmc_try", "enq2_mps"), nullptr, 0);
  bench::ratio_check("mpsc 2P enqueue / moodycamel CQ 2P", n2 / m("moodycamel_cq", "enq2_mps"), nullptr, 0);
  bench::ratio_check("mpsc 2P enqueue / boost queue 2P", n2 / m("boost_queue", "enq2_mps"), nullptr, 0);
  bench::ratio_check("mpsc 2P enqueue total / mpsc 1P enqueue", n2 / m("nexus_mpsc", "enq1_mps"), nullptr, 0);
  return bench::finish("bench_notify", o, rec, t);
}
