// rapidcheck properties of nexus::notify (production build):
//  * event_queue and local against a sequential model (a pending set plus
//    the FIFO of first notification), with random notify/mark, poll_limit and
//    out-of-range tokens;
//  * concurrent: producers bump a per-token version and notify; the poller
//    records the version it reads after each event. After the producers stop,
//    a final drain must have seen, for every token, the last version written
//    (no lost update: data written before notify is visible to the event).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "nexus/notify/event_queue.hpp"
#include "nexus/notify/local.hpp"

using namespace nexus::notify;
using nexus::status;

namespace {

struct op {
  int kind;        // 0: notify, 1: poll_limit
  std::size_t arg;  // token or limit
};

struct seq_model {
  std::size_t tokens;
  std::deque<std::size_t> fifo;
  std::vector<bool> pending;
  status notify(std::size_t t) {
    if (t >= tokens) return status::invalid_token;
    if (!pending[t]) {
      pending[t] = true;
      fifo.push_back(t);
    }
    return status::ok;
  }
  std::vector<std::size_t> poll(std::size_t limit) {
    std::vector<std::size_t> out;
    while (out.size() < limit && !fifo.empty()) {
      out.push_back(fifo.front());
      pending[fifo.front()] = false;
      fifo.pop_front();
    }
    return out;
  }
};

rc::Gen<std::vector<op>> ops(std::size_t tokens) {
  return rc::gen::container<std::vector<op>>(rc::gen::build<op>(
      rc::gen::set(&op::kind, rc::gen::inRange(0, 2)),
      rc::gen::set(&op::arg, rc::gen::inRange<std::size_t>(0, tokens + 2))));
}

RC_GTEST_PROP(NotifyProperty, EventQueueMatchesASetPlusFifoModel, ()) {
  const auto tokens = *rc::gen::inRange<std::size_t>(1, 40);
  auto q = event_queue(tokens);
  RC_ASSERT(q.has_value());
  seq_model m{tokens, {}, std::vector<bool>(tokens, false)};
  events ev;
  for (const op& o : *ops(tokens)) {
    if (o.kind == 0) {
      RC_ASSERT(q->tx.notify(token(o.arg)) == m.notify(o.arg));
    } else {
      q->rx.poll_limit(ev, o.arg);
      const auto want = m.poll(o.arg);
      RC_ASSERT(ev.size() == want.size());
      for (std::size_t i = 0; i < want.size(); ++i) RC_ASSERT(ev[i].index() == want[i]);
    }
  }
}

RC_GTEST_PROP(NotifyProperty, LocalMatchesTheSameModel, ()) {
  const auto tokens = *rc::gen::inRange<std::size_t>(1, 200);
  local l = local::with_capacity(*rc::gen::inRange<std::size_t>(0, 300));
  l.ensure_capacity(tokens - 1);
  seq_model m{tokens, {}, std::vector<bool>(tokens, false)};
  events ev;
  for (const op& o : *ops(tokens)) {
    if (o.kind == 0) {
      RC_ASSERT(l.mark(token(o.arg)) == m.notify(o.arg));
    } else {
      l.poll_limit(ev, o.arg);
      const auto want = m.poll(o.arg);
      RC_ASSERT(ev.size() == want.size());
      for (std::size_t i = 0; i < want.size(); ++i) RC_ASSERT(ev[i].index() == want[i]);
    }
    RC_ASSERT(l.notified_count() == m.fifo.size());
  }
}

RC_GTEST_PROP(NotifyProperty, FinalDrainSeesEveryLastWrite, ()) {
  const auto tokens = *rc::gen::inRange<std::size_t>(1, 16);
  const auto producers = *rc::gen::inRange<int>(1, 4);
  const auto rounds = *rc::gen::inRange<int>(1, 3000);
  auto q = event_queue(tokens);
  RC_ASSERT(q.has_value());
  // version[t]: written by producers (relaxed), published by notify.
  std::unique_ptr<std::atomic<std::uint64_t>[]> version(new std::atomic<std::uint64_t>[tokens]);
  for (std::size_t t = 0; t < tokens; ++t) version[t].store(0, std::memory_order_relaxed);  // relaxed: before the threads start
  std::vector<std::uint64_t> seen(tokens, 0);
  std::vector<std::thread> ts;
  for (int p = 0; p < producers; ++p)
    ts.emplace_back([n = q->tx.clone(), &version, tokens, rounds, p]() mutable {
      for (int r = 0; r < rounds; ++r) {
        const std::size_t t = static_cast<std::size_t>(r * 7 + p) % tokens;
        version[t].fetch_add(1, std::memory_order_relaxed);  // relaxed: published by notify (admit is acq_rel)
        ASSERT_EQ(n.notify(token(t)), status::ok);
      }
    });
  { auto gone = std::move(q->tx); }
  events ev = events::with_capacity(tokens);
  auto drain = [&] {
    q->rx.poll(ev);
    for (token t : ev) seen[t.index()] = version[t.index()].load(std::memory_order_relaxed);  // relaxed: ordered by clear
    return !ev.empty();
  };
  while (!q->rx.is_disconnected()) drain();
  while (drain()) {
  }
  for (auto& t : ts) t.join();
  for (std::size_t t = 0; t < tokens; ++t)
    RC_ASSERT(seen[t] == version[t].load(std::memory_order_relaxed));  // relaxed: after join
}

}  // namespace
