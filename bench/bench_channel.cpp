// bench_channel: the blocking channels nexus::channel::channel (SPSC),
// mpsc_channel and mpmc_channel against the blocking queues a C++ user would
// otherwise pick (bench/channels.hpp): the textbook mutex + condvar ring,
// moodycamel BlockingReaderWriterCircularBuffer (bounded SPSC, the direct
// peer of the SPSC channel), moodycamel BlockingConcurrentQueue with and
// without tokens (unbounded), tbb::concurrent_bounded_queue (bounded MPMC).
// Reference: nexus's own SPSC ring (non-blocking) in the same run, for the
// target "the channel keeps >= 0.5x its ring"; and the SPSC channel with
// symmetric seq_cst fences (channel_symmetric_fences), the same-run measure
// of the asymmetric (membarrier) handshake. All used 1 sender
// (cpus()[0]) -> 1 receiver (cpus()[1]), capacity 4096, 8-byte values.
//   ch_stream/...   throughput with the blocking calls, 2^18 values per
//                   iteration, strict FIFO checked
//   ch_rtt/...      ping-pong over two channels, blocking calls on both
//                   sides, 2000 round trips per iteration; p50/p99/p999 and
//                   parked_pct (share of round trips above 10 us: a side
//                   slept; a futex wake costs tens of us on a VM)
//
//   bench_channel [--cpus A,B] [--idle-wait S] [Google Benchmark flags]
#include "channels.hpp"
#include "scenarios.hpp"

namespace {

using namespace bench;
constexpr unsigned kCap = 4096;
constexpr u64 kStreamChunk = u64(1) << 18;
constexpr u64 kRttChunk = 2'000;

template <class F>
void for_each_channel(F&& f) {
  f.template operator()<nexus_channel_spsc<kCap>>("nexus", "channel");
  f.template operator()<nexus_channel_mpsc<kCap>>("nexus", "mpsc_channel");
  f.template operator()<nexus_channel_mpmc<kCap>>("nexus", "mpmc_channel");
  f.template operator()<mutex_cv<kCap>>("peer", "mutex_condvar");
  f.template operator()<mc_brwcb<kCap>>("peer", "moodycamel_BlockingReaderWriterCircularBuffer");
  f.template operator()<mc_bcq_tokens<kCap>>("peer-nofifo", "moodycamel_BlockingConcurrentQueue_tokens");
  f.template operator()<mc_bcq_notokens<kCap>>("peer-nofifo", "moodycamel_BlockingConcurrentQueue");
  f.template operator()<tbb_bounded<kCap>>("peer", "tbb_concurrent_bounded_queue");
}

void register_all() {
  reg("ch_stream", "ref", "nexus_spsc_ring", [](benchmark::State& st) { stream<nexus_spsc<kCap>>(st, kStreamChunk); });
  reg("ch_stream", "ref", "channel_symmetric_fences",
      [](benchmark::State& st) { stream<nexus_channel_symmetric<kCap>>(st, kStreamChunk); });
  reg("ch_rtt", "ref", "channel_symmetric_fences",
      [](benchmark::State& st) { round_trip<nexus_channel_symmetric<kCap>>(st, kRttChunk); });
  for_each_channel([]<class A>(const char* role, const char* impl) {
    reg("ch_stream", role, impl, [](benchmark::State& st) { stream<A>(st, kStreamChunk); });
  });
  for_each_channel([]<class A>(const char* role, const char* impl) {
    reg("ch_rtt", role, impl, [](benchmark::State& st) { round_trip<A>(st, kRttChunk); });
  });
}

}  // namespace

int main(int argc, char** argv) { return bench::run_main(argc, argv, register_all); }
