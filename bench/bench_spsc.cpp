// bench_spsc: nexus::queue::spsc against every SPSC ring in Debian, each
// configuration its own row (bench/peers.hpp):
//   atomic_queue   AtomicQueue / AtomicQueue2 with MINIMIZE_CONTENTION false
//                  and true, AtomicQueueB / AtomicQueueB2, all SPSC=true,
//                  push/pop (spin on the slot); AtomicQueue try_push/try_pop
//   boost::lockfree::spsc_queue, moodycamel::ReaderWriterQueue,
//   cds::container::WeakRingBuffer<u64>, Concurrency Kit ck_ring spsc
// and the physical floor (one cache line bounced between the two CPUs).
// 8-byte values, capacity 4096, producer / side A on cpus()[0], consumer /
// side B on cpus()[1]. Scenarios (bench/scenarios.hpp):
//   spsc_stream/...   1P -> 1C throughput, 2^20 values per iteration
//   spsc_rtt/...      ping-pong, 20000 round trips per iteration
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
  for_each_aq<true>(
      [&]<template <unsigned> class A>(const char* name) { f.template operator()<A<kCap>>("peer", name); });
  f.template operator()<boost_spsc<kCap>>("peer", "boost_spsc_queue");
  f.template operator()<mc_rwq<kCap>>("peer", "moodycamel_ReaderWriterQueue");
  f.template operator()<cds_weakring<kCap>>("peer", "cds_WeakRingBuffer");
  f.template operator()<ck_spsc<kCap>>("peer", "ck_ring_spsc");
}

void register_all() {
  for_each_ring([]<class A>(const char* role, const char* impl) {
    reg("spsc_stream", role, impl, [](benchmark::State& st) { stream<A>(st, kStreamChunk); });
  });
  reg("spsc_rtt", "ref", "floor_1line", [](benchmark::State& st) { floor_rtt(st, kRttChunk); });
  for_each_ring([]<class A>(const char* role, const char* impl) {
    reg("spsc_rtt", role, impl, [](benchmark::State& st) { round_trip<A>(st, kRttChunk); });
  });
}

}  // namespace

int main(int argc, char** argv) { return bench::run_main(argc, argv, register_all); }
