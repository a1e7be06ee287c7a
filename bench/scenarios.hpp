// bench/scenarios.hpp -- one templated body per scenario for every value
// queue (bench/peers.hpp adapters; the blocking channels of bench_channel
// use the same shape, their push/pop wait), and the registration helper.
//
// Benchmark names are "<scenario>/<role>/<impl>", role one of
//   nexus        the implementation judged
//   peer         a peer (a Debian package, at one of its configurations)
//   peer-nofifo  a peer that gives no FIFO order across producers
//                (moodycamel::ConcurrentQueue); left out where a target
//                asks for a FIFO peer
//   ref          a reference that is no queue (floor, handoff, memcpy, ...)
// bench/report groups rows by scenario and judges nexus against the best
// peer of the same run. Every run reports counters other_cpu_s, disturbed
// (harness.hpp guard) and, for cross-thread runs, probe_ns.
//
//   stream       1 producer (cpus()[0]) -> 1 consumer (cpus()[1]); an
//                iteration streams `chunk` values 1, 2, ... through the ring
//                and ends when the consumer has the last one (strict FIFO
//                checked on every value); items_per_second.
//   round_trip   ping-pong over two rings; an iteration is `chunk` round
//                trips; counters p50_ns, p99_ns, p999_ns, parked_pct.
//   enqueue      1 or 2 producers (cpus()[0], cpus()[1]) and no concurrent
//                consumer (a 2-CPU machine has no CPU for it): an iteration
//                pushes kBatch values in all into a 65536-slot ring; drained
//                and checked (count, per-producer order) untimed.
//   dequeue      1 or 2 consumers, no concurrent producer: the ring holds
//                kBatch values, the consumers take them (never waiting);
//                refilled and checked (count, sum) untimed.
#pragma once

#include <string>

#include "harness.hpp"

namespace bench {

// Registers body as "<scenario>/<role>/<impl>" (manual time: each body
// times its iterations with the TSC).
template <class Body>
benchmark::internal::Benchmark* reg(const std::string& scenario, const std::string& role, const std::string& impl,
                                    Body body) {
  const std::string name = scenario + "/" + role + "/" + impl;
  return benchmark::RegisterBenchmark(name.c_str(), body)->UseManualTime();
}

template <class A>
void stream(benchmark::State& st, u64 chunk) {
  st.SetLabel(label_of<A>());
  auto r = A::make();
  A::prepare(*r, 0);
  guard g(true);
  const u64 n = static_cast<u64>(st.max_iterations);
  std::atomic<u64> done{0};
  u64 end = 0;  // the consumer's last tick of a chunk; read after `done` (acquire)
  {
    pinned_thread consumer(cpus()[1], [&, n, chunk] {
      auto& q = *r;
      u64 v = 0, want = 1;
      for (u64 k = 1; k <= n; ++k) {
        for (u64 i = 0; i < chunk; ++i, ++want) {
          while (!A::pop(q, 0, v)) {
          }
          if (v != want) [[unlikely]]
            fail("FIFO order (got, want)", v, want);
        }
        end = ticks();
        done.store(k, std::memory_order_release);  // release: publishes `end`
      }
    });
    auto& q = *r;
    u64 next = 1, k = 0;
    for (auto _ : st) {
      const u64 t0 = ticks();
      for (u64 i = 0; i < chunk; ++i, ++next)
        while (!A::push(q, 0, next)) {
        }
      ++k;
      while (done.load(std::memory_order_acquire) < k) cpu_relax();  // acquire: pairs with the consumer's release
      st.SetIterationTime(seconds(end - t0));
    }
  }
  st.SetItemsProcessed(static_cast<int64_t>(n * chunk));
  g.finish(st);
}

template <class A>
void round_trip(benchmark::State& st, u64 chunk) {
  st.SetLabel(label_of<A>());
  auto a2b = A::make(), b2a = A::make();
  A::prepare(*a2b, 0);
  const u64 n = static_cast<u64>(st.max_iterations) * chunk;
  samples s;
  s.reserve(n);
  guard g(true);
  {
    std::atomic<bool> ready{false};
    pinned_thread echo(cpus()[1], [&, n] {
      auto &in = *a2b, &out = *b2a;
      A::prepare(out, 0);
      ready.store(true, std::memory_order_release);
      u64 v = 0;
      for (u64 i = 0; i < n; ++i) {
        while (!A::pop(in, 0, v)) {
        }
        while (!A::push(out, 0, v)) {
        }
      }
    });
    while (!ready.load(std::memory_order_acquire)) cpu_relax();
    auto &out = *a2b, &in = *b2a;
    u64 i = 0, v = 0;
    for (auto _ : st) {
      const u64 c0 = ticks();
      for (u64 k = 0; k < chunk; ++k) {
        ++i;
        const u64 t0 = ticks();
        while (!A::push(out, 0, i)) {
        }
        while (!A::pop(in, 0, v)) {
        }
        s.add(double(ticks() - t0));
        if (v != i) [[unlikely]]
          fail("echo (got, want)", v, i);
      }
      st.SetIterationTime(seconds(ticks() - c0));
    }
  }
  st.SetItemsProcessed(static_cast<int64_t>(n));
  rtt_counters(st, s);
  g.finish(st);
}

inline constexpr u64 kBatch = 32768;          // values per enqueue / dequeue batch
inline constexpr unsigned kBatchCap = 65536;  // the batch scenarios' ring

template <class A>
void enqueue(benchmark::State& st, int producers) {
  st.SetLabel(label_of<A>());
  auto r = A::make();
  const u64 per = kBatch / u64(producers);
  u64 seq[2] = {1, 1}, want[2] = {1, 1};
  guard g(producers > 1);
  timed_batches(
      st, producers, [&](int i) { A::prepare(*r, i); },
      [&](int i) {
        auto& q = *r;
        u64 s = seq[i];
        const u64 tag = u64(i + 1) << 40;
        for (u64 k = 0; k < per; ++k, ++s)
          if (!A::push(q, i, tag | s)) fail("ring full inside a producer batch", u64(i), s);
        seq[i] = s;
      },
      [&] {
        u64 v = 0, got = 0;
        while (A::try_pop(*r, 0, v)) {
          const u64 p = (v >> 40) - 1;
          if (p >= u64(producers) || (v & ((u64(1) << 40) - 1)) != want[p]) fail("per-producer order", v, p);
          ++want[p];
          ++got;
        }
        if (got != per * u64(producers)) fail("batch count (got, want)", got, per * u64(producers));
      });
  st.SetItemsProcessed(static_cast<int64_t>(u64(st.iterations()) * per * u64(producers)));
  g.finish(st);
}

template <class A>
void dequeue(benchmark::State& st, int consumers) {
  st.SetLabel(label_of<A>());
  auto r = A::make();
  u64 next = 1, taken = 0;
  struct alignas(128) tally {
    u64 n = 0, sum = 0;
  } t[2];
  u64 want_sum = 0;
  auto refill = [&] {
    want_sum = 0;
    for (u64 k = 0; k < kBatch; ++k, ++next) {
      if (!A::push(*r, 0, next)) fail("refill: ring full", next);
      want_sum += next;
    }
  };
  guard g(consumers > 1);
  A::prepare(*r, 0);
  refill();
  timed_batches(
      st, consumers, [](int) {},
      [&](int i) {
        auto& q = *r;
        u64 v = 0, n = 0, sum = 0;
        while (A::try_pop(q, i, v)) ++n, sum += v;
        t[i].n = n, t[i].sum = sum;
      },
      [&] {
        u64 v = 0, n = t[0].n + t[1].n, sum = t[0].sum + t[1].sum;
        taken += n;
        while (A::try_pop(*r, 0, v)) ++n, sum += v;  // a spurious empty leaves values: counted, not timed
        if (n != kBatch || sum != want_sum) fail("dequeue batch (count, want)", n, kBatch);
        t[0] = t[1] = tally{};
        refill();
      });
  st.SetItemsProcessed(static_cast<int64_t>(taken));
  g.finish(st);
}

}  // namespace bench

namespace bench {

// The physical floors of a round trip as benchmarks: `chunk` round trips per
// iteration, the RTT counters as round_trip's. `bounce` is harness.hpp's
// line_ping_pong (one cache line: the floor of any round trip) or
// two_line_ping_pong (a data line and an index line each way: the floor of
// a ring whose index is apart from its slots).
inline void floor_rtt(benchmark::State& st, u64 chunk, u64 (*bounce)(u64, int, samples&) = line_ping_pong,
                      const char* label = "one cache line bounced between the two CPUs (the floor of any round trip)") {
  st.SetLabel(label);
  samples s;
  s.reserve(static_cast<std::size_t>(st.max_iterations) * chunk);
  guard g(true);
  for (auto _ : st) st.SetIterationTime(seconds(bounce(chunk, cpus()[1], s)));
  st.SetItemsProcessed(static_cast<int64_t>(u64(st.iterations()) * chunk));
  rtt_counters(st, s);
  g.finish(st);
}
inline void floor_2line_rtt(benchmark::State& st, u64 chunk) {
  floor_rtt(st, chunk, two_line_ping_pong,
            "a data line and an index line each way (the floor of a ring whose index is apart from its slots)");
}

}  // namespace bench
