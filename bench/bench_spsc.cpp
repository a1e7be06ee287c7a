// bench_spsc: nexus::queue::spsc against every SPSC ring in Debian, each
// configuration its own row (bench/peers.hpp):
//   atomic_queue   AtomicQueue / AtomicQueue2 with MINIMIZE_CONTENTION false
//                  and true, AtomicQueueB / AtomicQueueB2, all SPSC=true,
//                  push/pop (spin on the slot); AtomicQueue try_push/try_pop
//   boost::lockfree::spsc_queue, moodycamel::ReaderWriterQueue,
//   cds::container::WeakRingBuffer<u64>, Concurrency Kit ck_ring spsc
// and the physical floors: one cache line bounced between the two CPUs
// (floor_1line), and a data line plus an index line each way (floor_2line:
// the least any ring with its index apart from its slots can do, since the
// reader sees the index move and then fetches the slot).
// 8-byte values, capacity 4096, producer / side A on cpus()[0], consumer /
// side B on cpus()[1]. Scenarios (bench/scenarios.hpp):
//   spsc_stream/...   1P -> 1C throughput, 2^20 values per iteration
//   spsc_rtt/...      ping-pong, 20000 round trips per iteration
//   spsc_stream_batch/...  the stream through push_n / pop_n of 32, against
//                     the same body with single push / pop (issue 16 item 5)
//
//   bench_spsc [--cpus A,B] [--idle-wait S] [Google Benchmark flags]
#include "peers.hpp"
#include "scenarios.hpp"

namespace {

using namespace bench;
constexpr unsigned kCap = 4096;
constexpr u64 kStreamChunk = u64(1) << 20;
constexpr u64 kRttChunk = 20'000;

// Every SPSC ring: f.template operator()<Adapter>(role, impl).
template <class F>
void for_each_ring(F&& f) {
  f.template operator()<nexus_spsc<kCap>>("nexus", "spsc");
  f.template operator()<nexus_spsc_spin<kCap>>("nexus", "spsc_spin");
  for_each_aq<true>(
      [&]<template <unsigned> class A>(const char* name) { f.template operator()<A<kCap>>("peer", name); });
  f.template operator()<boost_spsc<kCap>>("peer", "boost_spsc_queue");
  f.template operator()<mc_rwq<kCap>>("peer", "moodycamel_ReaderWriterQueue");
  f.template operator()<cds_weakring<kCap>>("peer", "cds_WeakRingBuffer");
  f.template operator()<ck_spsc<kCap>>("peer", "ck_ring_spsc");
}

// The stream through the batch operations: the producer push_n's up to
// `B` values at a time (one tail store each), the consumer pop_n's up to B
// (one head store each); strict FIFO checked on every value. Row
// "ref/spsc_single" is the same ring with single push / pop in this body.
template <unsigned B>
void stream_batch(benchmark::State& st, u64 chunk) {
  using A = nexus_spsc<kCap>;
  st.SetLabel(B == 1 ? A::label() + ", push / pop" : A::label() + ", push_n / pop_n of " + std::to_string(B));
  auto r = A::make();
  guard g(true);
  const u64 n = static_cast<u64>(st.max_iterations);
  std::atomic<u64> done{0};
  u64 end = 0;  // read after `done` (acquire)
  {
    pinned_thread consumer(cpus()[1], [&, n, chunk] {
      auto& rx = r->rx[0];
      u64 got[B];
      u64 want = 1;
      for (u64 k = 1; k <= n; ++k) {
        for (u64 i = 0; i < chunk;) {
          std::size_t t;
          if constexpr (B == 1) {
            auto x = rx.pop();
            t = x ? 1 : 0;
            if (x) got[0] = *x;
          } else {
            t = rx.pop_n(got, B);
          }
          for (std::size_t j = 0; j < t; ++j, ++want)
            if (got[j] != want) [[unlikely]]
              fail("FIFO order (got, want)", got[j], want);
          i += t;
        }
        end = ticks();
        done.store(k, std::memory_order_release);  // release: publishes `end`
      }
    });
    auto& tx = r->tx[0];
    u64 next = 1, k = 0;
    u64 buf[B];
    for (auto _ : st) {
      const u64 t0 = ticks();
      for (u64 i = 0; i < chunk;) {
        const unsigned m = static_cast<unsigned>(chunk - i < B ? chunk - i : B);
        for (unsigned j = 0; j < m; ++j) buf[j] = next + j;
        std::size_t t;
        if constexpr (B == 1)
          t = tx.push(buf[0]) == nexus::status::ok ? 1 : 0;
        else
          t = tx.push_n(buf, buf + m);
        next += t;
        i += t;
      }
      ++k;
      while (done.load(std::memory_order_acquire) < k) cpu_relax();  // acquire: pairs with the consumer's release
      st.SetIterationTime(seconds(end - t0));
    }
  }
  st.SetItemsProcessed(static_cast<int64_t>(n * chunk));
  g.finish(st);
}

void register_all() {
  reg("spsc_stream_batch", "ref", "spsc_single", [](benchmark::State& st) { stream_batch<1>(st, kStreamChunk); });
  reg("spsc_stream_batch", "nexus", "spsc_batch32", [](benchmark::State& st) { stream_batch<32>(st, kStreamChunk); });
  for_each_ring([]<class A>(const char* role, const char* impl) {
    reg("spsc_stream", role, impl, [](benchmark::State& st) { stream<A>(st, kStreamChunk); });
  });
  reg("spsc_rtt", "ref", "floor_1line", [](benchmark::State& st) { floor_rtt(st, kRttChunk); });
  reg("spsc_rtt", "ref", "floor_2line", [](benchmark::State& st) { floor_2line_rtt(st, kRttChunk); });
  for_each_ring([]<class A>(const char* role, const char* impl) {
    reg("spsc_rtt", role, impl, [](benchmark::State& st) { round_trip<A>(st, kRttChunk); });
  });
}

}  // namespace

int main(int argc, char** argv) { return bench::run_main(argc, argv, register_all); }
