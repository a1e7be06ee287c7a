// bench_ops: instructions per operation, single thread, under
//   valgrind --tool=callgrind --collect-atstart=no bench_ops [--samples N]
// (bench/run does this). Each op (bench/ops.hpp, bench/bytes.hpp) runs
// `samples` samples; callgrind collects only inside body() (a client request
// toggles collection on and off around it), and after the op the counts are
// dumped under the description "nexus-op <name> ops=<operations> samples=<N>".
// bench/report divides each dump's instruction count, less `samples` times
// the cost of an empty toggle pair (the "toggle" op), by the operations.
// Outside valgrind the client requests do nothing and it only checks the ops.
// Names are "<category>/<role>/<impl>" as in the Google Benchmark suites.
//
//   bench_ops [--samples N] [--list] [NAME-SUBSTRING...]
#include <valgrind/callgrind.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bytes.hpp"
#include "channels.hpp"
#include "ops.hpp"

namespace {

using namespace bench;
constexpr unsigned kCap = 4096;

struct entry {
  std::string name;
  std::function<void(u64)> run;
};
std::vector<entry> g_ops;

template <class Op>
void count(const std::string& name, u64 samples) {
  Op op;
  CALLGRIND_ZERO_STATS;
  for (u64 s = 0; s < samples; ++s) {
    op.setup();
    CALLGRIND_TOGGLE_COLLECT;
    op.body();
    CALLGRIND_TOGGLE_COLLECT;
    op.check();
  }
  const std::string desc =
      "nexus-op " + name + " ops=" + std::to_string(samples * Op::ops) + " samples=" + std::to_string(samples);
  CALLGRIND_DUMP_STATS_AT(desc.c_str());
}

template <class Op>
void add(const std::string& category, const std::string& role, const std::string& impl) {
  const std::string name = category + "/" + role + "/" + impl;
  g_ops.push_back({name, [name](u64 samples) { count<Op>(name, samples); }});
}

struct toggle_only {  // the cost of the two client requests themselves
  static constexpr u64 ops = 1;
  void setup() {}
  void body() {}
  void check() {}
};

void register_all() {
  add<toggle_only>("toggle", "ref", "empty");
  // push + pop, SPSC rings
  add<push_pop<nexus_spsc<kCap>>>("push_pop_spsc", "nexus", "spsc");
  for_each_aq<true>(
      []<template <unsigned> class A>(const char* name) { add<push_pop<A<kCap>>>("push_pop_spsc", "peer", name); });
  add<push_pop<boost_spsc<kCap>>>("push_pop_spsc", "peer", "boost_spsc_queue");
  add<push_pop<mc_rwq<kCap>>>("push_pop_spsc", "peer", "moodycamel_ReaderWriterQueue");
  add<push_pop<cds_weakring<kCap>>>("push_pop_spsc", "peer", "cds_WeakRingBuffer");
  add<push_pop<ck_spsc<kCap>>>("push_pop_spsc", "peer", "ck_ring_spsc");
  // push + pop, MP / MC rings (bench/report picks the peers allowed per ring, as for mp_stream)
  add<push_pop<nexus_mpsc<kCap>>>("push_pop_mp", "nexus", "mpsc");
  add<push_pop<nexus_spmc<kCap>>>("push_pop_mp", "nexus", "spmc");
  add<push_pop<nexus_mpmc<kCap>>>("push_pop_mp", "nexus", "mpmc");
  for_each_aq<false>(
      []<template <unsigned> class A>(const char* name) { add<push_pop<A<kCap>>>("push_pop_mp", "peer", name); });
  add<push_pop<mc_cq_tokens<kCap>>>("push_pop_mp", "peer-nofifo", "moodycamel_ConcurrentQueue_tokens");
  add<push_pop<mc_cq_notokens<kCap>>>("push_pop_mp", "peer-nofifo", "moodycamel_ConcurrentQueue");
  add<push_pop<boost_queue<kCap>>>("push_pop_mp", "peer", "boost_lockfree_queue");
  add<push_pop<ck_mpsc<kCap>>>("push_pop_mp", "peer", "ck_ring_mpsc");
  add<push_pop<ck_spmc<kCap>>>("push_pop_mp", "peer", "ck_ring_spmc");
  add<push_pop<ck_mpmc<kCap>>>("push_pop_mp", "peer", "ck_ring_mpmc");
  add<push_pop<tbb_bounded_try<kCap>>>("push_pop_mp", "peer", "tbb_concurrent_bounded_queue_try");
  // send + recv on the blocking channels (neither side has to wait)
  add<push_pop<nexus_channel_spsc<kCap>>>("send_recv", "nexus", "channel");
  add<push_pop<nexus_channel_mpsc<kCap>>>("send_recv", "nexus", "mpsc_channel");
  add<push_pop<nexus_channel_mpmc<kCap>>>("send_recv", "nexus", "mpmc_channel");
  add<push_pop<mutex_cv<kCap>>>("send_recv", "peer", "mutex_condvar");
  add<push_pop<mc_brwcb<kCap>>>("send_recv", "peer", "moodycamel_BlockingReaderWriterCircularBuffer");
  add<push_pop<mc_bcq_tokens<kCap>>>("send_recv", "peer-nofifo", "moodycamel_BlockingConcurrentQueue_tokens");
  add<push_pop<mc_bcq_notokens<kCap>>>("send_recv", "peer-nofifo", "moodycamel_BlockingConcurrentQueue");
  add<push_pop<tbb_bounded<kCap>>>("send_recv", "peer", "tbb_concurrent_bounded_queue");
  // notify
  add<notify_conflated<on_nexus>>("notify_conflated", "nexus", "event_queue");
  add<notify_conflated<on_aq>>("notify_conflated", "peer", "aq_conflating");
  add<bare_exchange>("notify_conflated", "ref", "bare_exchange");
  add<notify_new<on_nexus>>("notify_new", "nexus", "event_queue");
  add<notify_new<on_aq>>("notify_new", "peer", "aq_conflating");
  add<poll_per_token<on_nexus>>("poll_per_token", "nexus", "event_queue");
  add<poll_per_token<on_aq>>("poll_per_token", "peer", "aq_conflating");
  add<poll_limit32<on_nexus>>("poll_limit32", "nexus", "event_queue");
  add<poll_limit32<on_aq>>("poll_limit32", "peer", "aq_conflating");
  add<poll_empty<on_nexus>>("poll_empty", "nexus", "event_queue");
  add<poll_empty<on_aq>>("poll_empty", "peer", "aq_conflating");
  // byte rings
  add<claim_commit<nexus_bytes_spsc>>("claim_commit", "nexus", "spsc");
  add<claim_commit<nexus_bytes_mpsc>>("claim_commit", "nexus", "mpsc");
  add<claim_commit<cds_bytes>>("claim_commit", "peer", "cds_WeakRingBuffer");
  add<read_consume<nexus_bytes_spsc>>("read_consume", "nexus", "spsc");
  // The SPSC byte ring in the consumer-zeroing format (reference, not shipped: bytes.hpp).
  add<claim_commit<nexus_bytes_spsc_czero>>("claim_commit", "ref", "spsc_consumer_zeroes");
  add<read_consume<nexus_bytes_spsc_czero>>("read_consume", "ref", "spsc_consumer_zeroes");
  add<read_consume<nexus_bytes_mpsc>>("read_consume", "nexus", "mpsc");
  add<read_consume<cds_bytes>>("read_consume", "peer", "cds_WeakRingBuffer");
  add<read_n_consume<nexus_bytes_spsc, 32>>("read_n32_consume", "nexus", "spsc");
  add<read_consume<nexus_bytes_channel>>("read_consume", "nexus", "channel");
  add<read_n_consume<nexus_bytes_channel, 32>>("read_n32_consume", "nexus", "channel");
}

}  // namespace

int main(int argc, char** argv) {
  u64 samples = 2000;
  bool list = false;
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--samples" && i + 1 < argc) {
      samples = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--list") {
      list = true;
    } else if (a.rfind("--", 0) == 0) {
      std::fprintf(stderr, "usage: bench_ops [--samples N] [--list] [NAME-SUBSTRING...]\n");
      return 2;
    } else {
      only.push_back(a);
    }
  }
  if (samples == 0) samples = 1;
  register_all();
  for (const auto& e : g_ops) {
    bool pick = only.empty() || e.name.rfind("toggle/", 0) == 0;
    for (const auto& o : only) pick |= e.name.find(o) != std::string::npos;
    if (!pick) continue;
    if (list) {
      std::printf("%s\n", e.name.c_str());
      continue;
    }
    e.run(samples);
  }
  return 0;
}
