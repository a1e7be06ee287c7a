// bench_notify: nexus::notify::event_queue(4096) (the conflating
// readiness queue) against the same protocol built from a flag per token and
// atomic_queue's MPMC ring (no Debian package offers a conflating queue;
// bench/ops.hpp aq_conflating), and the floors.
//   notify_op/...   single-thread operation costs on cpus()[0], the seeds'
//                   method (bench/ops.hpp time_op: ticks_p50 per operation,
//                   TSC ticks): notify of a queued token (conflated), of a
//                   new one, poll per token (128 ready), poll_limit(32) per
//                   call (4096 ready), poll of an empty queue; reference:
//                   one atomic exchange on a set flag (the conflated floor)
//   notify_rtt/...  A notifies token t on queue a2b and polls b2a until t
//                   comes back; B polls a2b and notifies what it got on b2a;
//                   10000 round trips per iteration (p50/p99/p999); the
//                   floor: one cache line bounced between the CPUs
//
//   bench_notify [--cpus A,B] [--idle-wait S] [Google Benchmark flags]
#include "ops.hpp"
#include "scenarios.hpp"

namespace {

using namespace bench;
constexpr u64 kRttChunk = 10'000;
constexpr std::size_t kRttTokens = 64;

// The conflating queues behind one shape for the round trip.
struct nexus_nq {
  static constexpr const char* label = "nexus::notify::event_queue(64): notify / poll";
  struct ring {
    std::unique_ptr<nn::queue_endpoints<>> q;
    nn::events ev = nn::events::with_capacity(kRttTokens);
  };
  static std::unique_ptr<ring> make() {
    auto q = nn::event_queue(kRttTokens);
    if (!q) fail("event_queue()");
    auto r = std::make_unique<ring>();
    r->q = std::make_unique<nn::queue_endpoints<>>(std::move(*q));
    return r;
  }
  static bool notify(ring& r, u64 t) { return r.q->tx.notify(nn::token(t)) == nexus::status::ok; }
  static std::size_t poll(ring& r, u64& first) {
    r.q->rx.poll(r.ev);
    if (!r.ev.empty()) first = r.ev[0].index();
    return r.ev.size();
  }
};
struct aq_nq {
  static constexpr const char* label = kAqConflatingLabel;
  struct ring {
    aq_conflating q{kRttTokens};
    std::vector<u64> ev;
  };
  static std::unique_ptr<ring> make() {
    auto r = std::make_unique<ring>();
    r->ev.reserve(kRttTokens);
    return r;
  }
  static bool notify(ring& r, u64 t) { return r.q.notify(t); }
  static std::size_t poll(ring& r, u64& first) {
    r.q.poll_limit(r.ev, kRttTokens);
    if (!r.ev.empty()) first = r.ev[0];
    return r.ev.size();
  }
};

template <class Q>
void notify_rtt(benchmark::State& st) {
  st.SetLabel(Q::label);
  auto a2b = Q::make(), b2a = Q::make();
  const u64 n = static_cast<u64>(st.max_iterations) * kRttChunk;
  samples s;
  s.reserve(n);
  guard g(true);
  {
    pinned_thread echo(cpus()[1], [&, n] {
      u64 t = 0;
      for (u64 i = 0; i < n; ++i) {
        std::size_t got = 0;
        while ((got = Q::poll(*a2b, t)) == 0) {
        }
        if (got != 1 || t != i % kRttTokens) fail("rtt forward", got, t);
        if (!Q::notify(*b2a, t)) fail("rtt echo notify");
      }
    });
    u64 i = 0, t = 0;
    for (auto _ : st) {
      const u64 c0 = ticks();
      for (u64 k = 0; k < kRttChunk; ++k, ++i) {
        const u64 t0 = ticks();
        if (!Q::notify(*a2b, i % kRttTokens)) fail("rtt notify");
        std::size_t got = 0;
        while ((got = Q::poll(*b2a, t)) == 0) {
        }
        s.add(double(ticks() - t0));
        if (got != 1 || t != i % kRttTokens) fail("rtt echo", got, t);
      }
      st.SetIterationTime(seconds(ticks() - c0));
    }
  }
  st.SetItemsProcessed(static_cast<int64_t>(n));
  rtt_counters(st, s);
  g.finish(st);
}

void register_all() {
  reg("notify_op", "nexus", "notify_conflated", time_op<notify_conflated<on_nexus>>);
  reg("notify_op", "peer", "notify_conflated_aq", time_op<notify_conflated<on_aq>>);
  reg("notify_op", "ref", "bare_exchange", time_op<bare_exchange>);
  reg("notify_op", "nexus", "notify_new", time_op<notify_new<on_nexus>>);
  reg("notify_op", "peer", "notify_new_aq", time_op<notify_new<on_aq>>);
  reg("notify_op", "nexus", "poll_per_token", time_op<poll_per_token<on_nexus>>);
  reg("notify_op", "peer", "poll_per_token_aq", time_op<poll_per_token<on_aq>>);
  reg("notify_op", "nexus", "poll_limit32", time_op<poll_limit32<on_nexus>>);
  reg("notify_op", "peer", "poll_limit32_aq", time_op<poll_limit32<on_aq>>);
  reg("notify_op", "nexus", "poll_empty", time_op<poll_empty<on_nexus>>);
  reg("notify_op", "peer", "poll_empty_aq", time_op<poll_empty<on_aq>>);
  reg("notify_rtt", "ref", "floor_1line", [](benchmark::State& st) { floor_rtt(st, kRttChunk); });
  reg("notify_rtt", "nexus", "event_queue", notify_rtt<nexus_nq>);
  reg("notify_rtt", "peer", "aq_conflating", notify_rtt<aq_nq>);
}

}  // namespace

int main(int argc, char** argv) { return bench::run_main(argc, argv, register_all); }
