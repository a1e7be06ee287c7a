// bench_mpsc: the multi-producer / multi-consumer rings nexus::queue::mpsc,
// spmc and mpmc against the Debian-packaged MPMC rings, each configuration
// its own row (bench/peers.hpp):
//   atomic_queue   AtomicQueue / AtomicQueue2 with MINIMIZE_CONTENTION false
//                  and true, AtomicQueueB / AtomicQueueB2 (MPMC mode),
//                  push/pop (spin on the slot); AtomicQueue try_push/try_pop
//   moodycamel::ConcurrentQueue with and without tokens (peer-nofifo: one
//                  sub-queue per producer), boost::lockfree::queue,
//   ck_ring mpsc, spmc and mpmc, tbb::concurrent_bounded_queue try_*.
// bench/report judges each nexus ring against the peers that allow its use
// (a ck_ring spmc cannot stand in for an MPSC ring, nor ck_ring mpsc for an
// SPMC one). 8-byte values; producer / side A on cpus()[0], consumer /
// side B on cpus()[1]. Scenarios (bench/scenarios.hpp):
//   mp_stream/...     1P -> 1C throughput, capacity 4096, 2^18 values per iteration;
//                     also the references mpsc_no_f11 / spmc_no_f11 (the rings
//                     without the F11 wait, not shipped: what it costs)
//   mp_rtt/...        ping-pong, capacity 4096, 10000 round trips per iteration
//   mp_enqueue1/2/... 1 and 2 producers, no consumer, 32768 values per batch
//                     into 65536 slots (total rate)
//   mp_dequeue1/2/... 1 and 2 consumers, no producer, 32768 values per batch
//
//   bench_mpsc [--cpus A,B] [--idle-wait S] [Google Benchmark flags]
#include "peers.hpp"
#include "scenarios.hpp"

namespace {

using namespace bench;
constexpr unsigned kCap = 4096;
constexpr u64 kStreamChunk = u64(1) << 18;
constexpr u64 kRttChunk = 10'000;

// The rings, with what they allow: f.template operator()<A<Cap>>(role, impl, mp, mc).
template <unsigned Cap, class F>
void for_each_ring(F&& f) {
  f.template operator()<nexus_mpsc<Cap>>("nexus", "mpsc", true, false);
  f.template operator()<nexus_spmc<Cap>>("nexus", "spmc", false, true);
  f.template operator()<nexus_mpmc<Cap>>("nexus", "mpmc", true, true);
  for_each_aq<false>(
      [&]<template <unsigned> class A>(const char* name) { f.template operator()<A<Cap>>("peer", name, true, true); });
  f.template operator()<mc_cq_tokens<Cap>>("peer-nofifo", "moodycamel_ConcurrentQueue_tokens", true, true);
  f.template operator()<mc_cq_notokens<Cap>>("peer-nofifo", "moodycamel_ConcurrentQueue", true, true);
  f.template operator()<boost_queue<Cap>>("peer", "boost_lockfree_queue", true, true);
  f.template operator()<ck_mpsc<Cap>>("peer", "ck_ring_mpsc", true, false);
  f.template operator()<ck_spmc<Cap>>("peer", "ck_ring_spmc", false, true);
  f.template operator()<ck_mpmc<Cap>>("peer", "ck_ring_mpmc", true, true);
  f.template operator()<tbb_bounded_try<Cap>>("peer", "tbb_concurrent_bounded_queue_try", true, true);
}

void register_all() {
  for_each_ring<kCap>([]<class A>(const char* role, const char* impl, bool, bool) {
    reg("mp_stream", role, impl, [](benchmark::State& st) { stream<A>(st, kStreamChunk); });
  });
  // What the F11 wait costs the single-index rings (bench/peers.hpp).
  reg("mp_stream", "ref", "mpsc_no_f11", [](benchmark::State& st) { stream<nexus_no_f11<true, kCap>>(st, kStreamChunk); });
  reg("mp_stream", "ref", "spmc_no_f11", [](benchmark::State& st) { stream<nexus_no_f11<false, kCap>>(st, kStreamChunk); });
  for_each_ring<kCap>([]<class A>(const char* role, const char* impl, bool, bool) {
    reg("mp_rtt", role, impl, [](benchmark::State& st) { round_trip<A>(st, kRttChunk); });
  });
  for (int n : {1, 2}) {
    for_each_ring<kBatchCap>([n]<class A>(const char* role, const char* impl, bool mp, bool) {
      if (mp || n == 1)
        reg("mp_enqueue" + std::to_string(n), role, impl, [n](benchmark::State& st) { enqueue<A>(st, n); });
    });
    for_each_ring<kBatchCap>([n]<class A>(const char* role, const char* impl, bool, bool mc) {
      if (mc || n == 1)
        reg("mp_dequeue" + std::to_string(n), role, impl, [n](benchmark::State& st) { dequeue<A>(st, n); });
    });
  }
}

}  // namespace

int main(int argc, char** argv) { return bench::run_main(argc, argv, register_all); }
