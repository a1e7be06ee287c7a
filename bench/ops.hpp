// bench/ops.hpp -- single-threaded operation costs, one struct per
// operation and implementation, measured two ways from the same code:
//   time_op<Op>      a Google Benchmark body (bench_notify, bench_logbuf):
//                    each iteration times one sample of Op::ops operations
//                    between two lfence;rdtsc;lfence reads, the timer's own
//                    cost subtracted (the seeds' method); counters
//                    ticks_p50, ticks_p99 (per operation), ns_p50
//   bench_ops        the same bodies under valgrind --tool=callgrind, which
//                    counts the instructions executed between two client
//                    requests: exact, and repeatable on a noisy machine
// An Op provides ops (operations per sample), label(), a constructor (the
// set-up), setup() (untimed, before each sample), body() (the operations),
// check() (untimed, after each sample: verifies what they did, aborts on a
// mismatch).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"
#include "nexus/notify/event_queue.hpp"
#include "peers.hpp"

namespace bench {

// ---- the Google Benchmark body -------------------------------------------------------

inline double g_timer_overhead = -1;

template <class Op>
void time_op(benchmark::State& st) {
  st.SetLabel(Op::label());
  if (g_timer_overhead < 0) g_timer_overhead = timer_overhead();
  Op op;
  samples s;
  s.reserve(static_cast<std::size_t>(st.max_iterations));
  guard g(false, {cpus()[0]});
  for (auto _ : st) {
    op.setup();
    const u64 t0 = ticks();
    op.body();
    const u64 t1 = ticks();
    op.check();
    const double dt = std::max(1.0, double(t1 - t0) - g_timer_overhead);
    s.add(dt / double(Op::ops));
    st.SetIterationTime(dt * tick_ns() * 1e-9);
  }
  s.finish();
  st.counters["ticks_p50"] = s.pct(0.5);
  st.counters["ticks_p99"] = s.pct(0.99);
  st.counters["ns_p50"] = s.pct(0.5) * tick_ns();
  st.SetItemsProcessed(static_cast<int64_t>(u64(st.iterations()) * Op::ops));
  g.finish(st);
}

// ---- push + pop on any value ring (peers.hpp / channels.hpp adapters) ----------------------

// 64 pushes then 64 pops per sample: one operation = one push + one pop.
template <class A>
struct push_pop {
  static constexpr u64 ops = 64;
  static std::string label() { return label_of<A>(); }
  push_pop() : r(A::make()) { A::prepare(*r, 0); }
  void setup() {}
  void body() {
    auto& q = *r;
    for (u64 k = 0; k < ops; ++k) bad |= !A::push(q, 0, next + k);
    for (u64 k = 0; k < ops; ++k) {
      u64 v = 0;
      bad |= !A::pop(q, 0, v);
      sum += v;
    }
  }
  void check() {
    const u64 want = ops * next + ops * (ops - 1) / 2;
    if (bad || sum != want) fail("push_pop: lost or wrong values (sum, want)", sum, want);
    next += ops;
    sum = 0;
  }
  decltype(A::make()) r;
  u64 next = 1, sum = 0;
  bool bad = false;
};

// ---- notify -------------------------------------------------------------------------------

namespace nn = nexus::notify;
inline constexpr std::size_t kTokens = 4096;
inline constexpr u64 kNotifyOps = 128;

inline auto make_event_queue() {
  auto q = nn::event_queue(kTokens);
  if (!q) fail("event_queue()");
  return std::make_unique<nn::queue_endpoints<>>(std::move(*q));
}

// The peer: the same conflating protocol built from a flag per token and
// atomic_queue's runtime-sized MPMC ring (the best Debian MPSC ring in this
// suite's runs) as a user would write it: notify = flag exchange(true) (+
// push when it was clear); poll = pop, flag exchange(false), append.
// Tokens travel as t + 1 (atomic_queue's NIL is 0).
struct aq_conflating {
  explicit aq_conflating(std::size_t n) : flags(new std::atomic<bool>[n]), q(unsigned(n)) {
    for (std::size_t i = 0; i < n; ++i) flags[i].store(false, std::memory_order_relaxed);
  }
  bool notify(u64 t) {
    if (flags[t].exchange(true, std::memory_order_acq_rel)) return true;  // conflated
    return q.try_push(t + 1);
  }
  void poll_limit(std::vector<u64>& ev, std::size_t limit) {
    ev.clear();
    u64 v = 0;
    while (ev.size() < limit && q.try_pop(v)) {
      flags[v - 1].exchange(false, std::memory_order_acq_rel);
      ev.push_back(v - 1);
    }
  }
  std::unique_ptr<std::atomic<bool>[]> flags;
  atomic_queue::AtomicQueueB<u64> q;
};
inline constexpr const char* kAqConflatingLabel =
    "peer: flag per token + atomic_queue::AtomicQueueB<u64> MPMC ring (try_push/try_pop), the same protocol";

// Which implementation an op runs on.
struct on_nexus {
  static constexpr bool nexus = true;
};
struct on_aq {
  static constexpr bool nexus = false;
};

template <class Impl>
struct notify_base {
  notify_base() : nq(make_event_queue()), aq(kTokens), ev(nn::events::with_capacity(kTokens)) { aev.reserve(kTokens); }
  bool notify(u64 t) {
    if constexpr (Impl::nexus)
      return nq->tx.notify(nn::token(t)) == nexus::status::ok;
    else
      return aq.notify(t);
  }
  std::size_t poll_limit(std::size_t n) {
    if constexpr (Impl::nexus) {
      nq->rx.poll_limit(ev, n);
      return ev.size();
    } else {
      aq.poll_limit(aev, n);
      return aev.size();
    }
  }
  u64 at(std::size_t i) const {
    if constexpr (Impl::nexus)
      return ev[i].index();
    else
      return aev[i];
  }
  // Polls everything; checks it is tokens first .. first+n-1 in order.
  void expect(std::size_t first, std::size_t n) {
    const std::size_t got = poll_limit(kTokens);
    if (got != n) fail("poll count (got, want)", got, n);
    for (std::size_t i = 0; i < n; ++i)
      if (at(i) != (first + i) % kTokens) fail("poll order", at(i), first + i);
  }
  static std::string name(const char* what) {
    return std::string(what) +
           (Impl::nexus ? ": nexus::notify::event_queue(4096)" : std::string(": ") + kAqConflatingLabel);
  }
  std::unique_ptr<nn::queue_endpoints<>> nq;
  aq_conflating aq;
  nn::events ev;
  std::vector<u64> aev;
  bool bad = false;
};

// notify of a token already queued: one flag exchange.
template <class Impl>
struct notify_conflated : notify_base<Impl> {
  static constexpr u64 ops = kNotifyOps;
  static std::string label() { return notify_base<Impl>::name("notify, token already queued"); }
  notify_conflated() {
    for (u64 t = 0; t < ops; ++t)
      if (!this->notify(t)) fail("notify");
  }
  void setup() {}
  void body() {
    for (u64 t = 0; t < ops; ++t) this->bad |= !this->notify(t);
  }
  void check() {
    if (this->bad) fail("conflated notify");
  }
  ~notify_conflated() { this->expect(0, ops); }  // conflation: each token once
};

// notify of a token not queued: exchange + push.
template <class Impl>
struct notify_new : notify_base<Impl> {
  static constexpr u64 ops = kNotifyOps;
  static std::string label() { return notify_base<Impl>::name("notify, token not queued"); }
  void setup() {}
  void body() {
    for (u64 t = 0; t < ops; ++t) this->bad |= !this->notify(t);
  }
  void check() {
    if (this->bad) fail("new notify");
    this->expect(0, ops);
  }
};

// One poll draining 128 ready tokens; per token.
template <class Impl>
struct poll_per_token : notify_base<Impl> {
  static constexpr u64 ops = 128;
  static std::string label() { return notify_base<Impl>::name("poll of 128 ready tokens, per token"); }
  void setup() {
    for (u64 t = 0; t < ops; ++t)
      if (!this->notify(t)) fail("notify");
  }
  void body() { got = this->poll_limit(kTokens); }
  void check() {
    if (got != ops) fail("poll count", got, ops);
    for (std::size_t i = 0; i < ops; ++i)
      if (this->at(i) != i) fail("poll order", this->at(i), i);
  }
  std::size_t got = 0;
};

// One poll_limit(32) with all 4096 tokens ready; per call. The 32 tokens
// taken are notified again untimed, so 4096 stay ready.
template <class Impl>
struct poll_limit32 : notify_base<Impl> {
  static constexpr u64 ops = 1;
  static constexpr std::size_t limit = 32;
  static std::string label() { return notify_base<Impl>::name("poll_limit(32) with 4096 ready, per call"); }
  poll_limit32() {
    for (u64 t = 0; t < kTokens; ++t)
      if (!this->notify(t)) fail("notify");
  }
  void setup() {}
  void body() { got = this->poll_limit(limit); }
  void check() {
    if (got != limit) fail("poll_limit count", got, limit);
    for (std::size_t i = 0; i < limit; ++i) {
      if (this->at(i) != oldest) fail("poll_limit order", this->at(i), oldest);
      if (!this->notify(this->at(i))) fail("re-notify");
      oldest = (oldest + 1) % kTokens;
    }
  }
  std::size_t got = 0;
  u64 oldest = 0;  // FIFO makes the drain order cyclic
};

// poll() on an empty queue.
template <class Impl>
struct poll_empty : notify_base<Impl> {
  static constexpr u64 ops = kNotifyOps;
  static std::string label() { return notify_base<Impl>::name("poll, nothing ready"); }
  void setup() {}
  void body() {
    for (u64 k = 0; k < ops; ++k) got += this->poll_limit(kTokens);
  }
  void check() {
    if (got != 0) fail("an empty poll returned tokens", got);
  }
  std::size_t got = 0;
};

// The floor of a conflated notify: one exchange on an already-set flag.
struct bare_exchange {
  static constexpr u64 ops = kNotifyOps;
  static std::string label() { return "reference: atomic<bool>::exchange(true, acq_rel) on a set flag"; }
  bare_exchange() {
    for (auto& f : flags) f.store(true, std::memory_order_relaxed);
  }
  void setup() {}
  void body() {
    for (auto& f : flags) all &= f.exchange(true, std::memory_order_acq_rel);
  }
  void check() {
    if (!all) fail("a set flag read false");
  }
  std::array<std::atomic<bool>, kNotifyOps> flags;
  bool all = true;
};

}  // namespace bench
