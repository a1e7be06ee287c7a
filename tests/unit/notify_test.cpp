// API contract and errors of nexus::notify: event_queue, event_channel, local.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <unordered_set>
#include <vector>

#include "nexus/notify/event_channel.hpp"
#include "nexus/notify/event_queue.hpp"
#include "nexus/notify/local.hpp"

using namespace nexus::notify;
using nexus::status;
using namespace std::chrono_literals;

namespace {

std::vector<std::size_t> indices(const events& ev) {
  std::vector<std::size_t> v;
  for (token t : ev) v.push_back(t.index());
  return v;
}

TEST(Token, RoundTripEqualityHash) {
  token t(42);
  EXPECT_EQ(t.index(), 42u);
  EXPECT_EQ(t, token(42));
  EXPECT_FALSE(t == token(41));
  std::unordered_set<token> s{token(1), token(1), token(2)};
  EXPECT_EQ(s.size(), 2u);
}

TEST(EventQueue, NotifyThenPoll) {
  auto q = event_queue(64);
  ASSERT_TRUE(q);
  auto& [n, p] = *q;
  events ev = events::with_capacity(64);
  EXPECT_EQ(p.capacity(), 64u);
  EXPECT_EQ(n.notify(token(0)), status::ok);
  p.poll(ev);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].index(), 0u);
  p.poll(ev);
  EXPECT_TRUE(ev.empty()) << "every poll clears the buffer first";
}

TEST(EventQueue, FifoAndConflation) {
  auto q = event_queue(64);
  auto& [n, p] = *q;
  events ev;
  for (std::size_t t : {63u, 0u, 3u}) ASSERT_EQ(n.notify(token(t)), status::ok);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(n.notify(token(3)), status::ok);
  p.poll(ev);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{63, 0, 3}));
  ASSERT_EQ(n.notify(token(3)), status::ok);  // re-armed after the poll
  p.poll(ev);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{3}));
}

TEST(EventQueue, OutOfRangeTokenIsAnErrorAndChangesNothing) {
  auto q = event_queue(64);
  auto& [n, p] = *q;
  events ev;
  EXPECT_EQ(n.notify(token(64)), status::invalid_token);
  EXPECT_EQ(n.notify(token(~std::size_t{0})), status::invalid_token);
  p.poll(ev);
  EXPECT_TRUE(ev.empty());
  EXPECT_EQ(n.notify(token(63)), status::ok);
  p.poll(ev);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{63}));
}

TEST(EventQueue, CapacityErrors) {
  EXPECT_EQ(event_queue(0).error_code(), nexus::error::capacity_zero);
  EXPECT_EQ(event_queue(max_tokens_limit + 1).error_code(), nexus::error::capacity_too_large);
}

TEST(EventQueue, PollLimitDrainsOldestFirstAndKeepsTheRest) {
  auto q = event_queue(128);
  auto& [n, p] = *q;
  events ev;
  for (std::size_t t = 0; t < 100; ++t) ASSERT_EQ(n.notify(token(t)), status::ok);
  p.poll_limit(ev, 10);
  ASSERT_EQ(ev.size(), 10u);
  EXPECT_EQ(ev[0].index(), 0u);
  EXPECT_EQ(ev[9].index(), 9u);
  p.poll_limit(ev, 0);
  EXPECT_TRUE(ev.empty()) << "limit 0 clears the buffer and leaves the queue alone";
  ASSERT_EQ(n.notify(token(50)), status::ok);  // still pending: conflated across the boundary
  p.poll(ev);
  ASSERT_EQ(ev.size(), 90u);
  EXPECT_EQ(ev[0].index(), 10u);
  EXPECT_EQ(ev[89].index(), 99u);
}

TEST(EventQueue, FillToCapacityDrainRefillReversed) {
  auto q = event_queue(4);
  auto& [n, p] = *q;
  events ev;
  for (std::size_t t = 0; t < 4; ++t) ASSERT_EQ(n.notify(token(t)), status::ok);
  p.poll(ev);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{0, 1, 2, 3}));
  for (std::size_t t = 4; t-- > 0;) ASSERT_EQ(n.notify(token(t)), status::ok);
  p.poll(ev);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{3, 2, 1, 0}));
}

TEST(EventQueue, TwoThreadsSameTokenConflate) {
  auto q = event_queue(1);
  auto n2 = q->tx.clone();
  std::thread a([n = std::move(q->tx)]() mutable {
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(n.notify(token(0)), status::ok);
  });
  std::thread b([n = std::move(n2)]() mutable {
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(n.notify(token(0)), status::ok);
  });
  a.join();
  b.join();
  events ev;
  q->rx.poll(ev);
  EXPECT_EQ(ev.size(), 1u);
  EXPECT_TRUE(q->rx.is_disconnected());
}

TEST(EventQueue, ConcurrentNotifyAndPollNeverOverflowAndLoseNothing) {  // H2 at capacity == tokens
  auto q = event_queue(8);
  std::atomic<bool> done{false};
  std::vector<std::thread> ts;
  for (int k = 0; k < 2; ++k)
    ts.emplace_back([n = q->tx.clone(), k]() mutable {
      for (int r = 0; r < 20000; ++r) ASSERT_EQ(n.notify(token((r + k) % 8)), status::ok);
    });
  { auto gone = std::move(q->tx); }
  std::set<std::size_t> seen;
  events ev = events::with_capacity(8);
  for (;;) {
    q->rx.poll(ev);
    for (token t : ev) seen.insert(t.index());
    if (ev.empty() && q->rx.is_disconnected()) {
      q->rx.poll(ev);
      for (token t : ev) seen.insert(t.index());
      break;
    }
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(seen.size(), 8u);
  (void)done;
}

TEST(EventChannel, RecvReturnsAtOnceWhenReady) {
  auto c = event_channel(8);
  events ev;
  ASSERT_EQ(c->tx.notify(token(5)), status::ok);
  EXPECT_EQ(c->rx.recv(ev), status::ok);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{5}));
  EXPECT_EQ(c->rx.try_recv(ev), status::empty);
}

TEST(EventChannel, RecvBlocksUntilNotified) {
  auto c = event_channel(8, 0);
  std::thread t([s = c->tx.clone()]() mutable {
    std::this_thread::sleep_for(30ms);
    ASSERT_EQ(s.notify(token(2)), status::ok);
  });
  events ev;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(c->rx.recv(ev), status::ok);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 20ms);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{2}));
  t.join();
}

TEST(EventChannel, RecvLimitZeroReturnsAtOnce) {  // F7
  auto c = event_channel(8);
  events ev;
  EXPECT_EQ(c->rx.recv_limit(ev, 0), status::ok);
  EXPECT_TRUE(ev.empty());
}

TEST(EventChannel, RecvLimitIsBounded) {
  auto c = event_channel(8);
  events ev;
  for (std::size_t t = 0; t < 5; ++t) ASSERT_EQ(c->tx.notify(token(t)), status::ok);
  EXPECT_EQ(c->rx.recv_limit(ev, 2), status::ok);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(c->rx.try_recv_limit(ev, 10), status::ok);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{2, 3, 4}));
}

TEST(EventChannel, TimeoutAndWakeBeforeTimeout) {
  auto c = event_channel(8, 0);
  events ev;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(c->rx.recv_timeout(ev, 20ms), status::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 20ms);
  EXPECT_TRUE(ev.empty());
  EXPECT_EQ(c->rx.recv_timeout(ev, 0ms), status::timeout) << "a zero timeout is one poll";
  std::thread t([s = c->tx.clone()]() mutable {
    std::this_thread::sleep_for(10ms);
    ASSERT_EQ(s.notify(token(1)), status::ok);
  });
  EXPECT_EQ(c->rx.recv_timeout(ev, 5s), status::ok);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{1}));
  t.join();
}

TEST(EventChannel, DisconnectAfterDrainNeverLosesTheLastEvent) {  // F1, F7, F8
  auto c = event_channel(8, 0);
  auto rx = std::move(c->rx);
  events ev;
  {
    auto tx = std::move(c->tx);
    ASSERT_EQ(tx.notify(token(7)), status::ok);
  }
  EXPECT_TRUE(rx.is_disconnected());
  EXPECT_EQ(rx.recv_timeout(ev, 0ms), status::ok);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{7}));
  EXPECT_EQ(rx.recv(ev), status::disconnected);
  EXPECT_EQ(rx.recv_timeout(ev, 0ms), status::disconnected) << "F8: a drained, disconnected channel";
  EXPECT_EQ(rx.try_recv(ev), status::disconnected);
}

TEST(EventChannel, ParkedReceiverWakesOnLastSenderDrop) {  // H1
  auto c = event_channel(8, 0);
  auto s2 = c->tx.clone();
  std::thread t([a = std::move(c->tx), b = std::move(s2)]() mutable {
    std::this_thread::sleep_for(20ms);
    { auto gone = std::move(a); }
    std::this_thread::sleep_for(10ms);
    { auto gone = std::move(b); }
  });
  events ev;
  EXPECT_EQ(c->rx.recv(ev), status::disconnected);
  t.join();
}

TEST(EventChannel, PingPongManyRounds) {
  auto ab = event_channel(1, 4);
  auto ba = event_channel(1, 4);
  std::thread echo([rx = std::move(ab->rx), tx = std::move(ba->tx)]() mutable {
    events ev;
    while (rx.recv(ev) == status::ok) ASSERT_EQ(tx.notify(token(0)), status::ok);
  });
  events ev;
  for (int i = 0; i < 20000; ++i) {
    ASSERT_EQ(ab->tx.notify(token(0)), status::ok);
    ASSERT_EQ(ba->rx.recv(ev), status::ok);
  }
  { auto gone = std::move(ab->tx); }
  echo.join();
}

// Issue 16, item 6: the events read cursor (as upstream nexus-notify 1.1.0).
TEST(Events, DrainTakesOneTokenAtATimeAndTheViewsCoverTheRest) {
  auto q = event_queue(16);
  auto& [n, p] = *q;
  events ev = events::with_capacity(16);
  for (std::size_t t : {5u, 1u, 9u}) ASSERT_EQ(n.notify(token(t)), status::ok);
  ASSERT_EQ(p.poll(ev), status::ok);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_FALSE(ev.draining());
  auto first = ev.drain();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->index(), 5u);
  EXPECT_TRUE(ev.draining());
  EXPECT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].index(), 1u);
  EXPECT_EQ(ev.data()->index(), 1u);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{1, 9}));
  EXPECT_EQ(ev.drain()->index(), 1u);
  EXPECT_EQ(ev.drain()->index(), 9u);
  EXPECT_FALSE(ev.drain());
  EXPECT_TRUE(ev.empty());
  EXPECT_FALSE(ev.draining()) << "drained to the end: the next poll may clear it";
  ASSERT_EQ(n.notify(token(2)), status::ok);
  ASSERT_EQ(p.poll(ev), status::ok);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{2}));
}

TEST(Events, EveryPollRefusesABufferPartWayThroughADrain) {
  auto q = event_queue(16);
  auto& [n, p] = *q;
  events ev;
  for (std::size_t t : {3u, 4u}) ASSERT_EQ(n.notify(token(t)), status::ok);
  ASSERT_EQ(p.poll(ev), status::ok);
  ASSERT_EQ(ev.drain()->index(), 3u);
  ASSERT_EQ(n.notify(token(7)), status::ok);
  // Refused, nothing polled, nothing changed: token 4 is still there, and 7
  // still queued.
  EXPECT_EQ(p.poll(ev), status::undrained);
  EXPECT_EQ(p.poll_limit(ev, 0), status::undrained);
  EXPECT_EQ(p.poll_limit(ev, 5), status::undrained);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{4}));
  EXPECT_STREQ(nexus::to_string(status::undrained), "the events buffer still holds undrained tokens");
  EXPECT_EQ(ev.drain()->index(), 4u);
  ASSERT_EQ(p.poll(ev), status::ok);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{7}));
}

TEST(Events, IterationWithoutDrainLeavesTheBufferPollable) {
  auto q = event_queue(4);
  auto& [n, p] = *q;
  events ev;
  ASSERT_EQ(n.notify(token(1)), status::ok);
  ASSERT_EQ(p.poll(ev), status::ok);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{1}));  // read, not drained
  ASSERT_EQ(n.notify(token(2)), status::ok);
  ASSERT_EQ(p.poll(ev), status::ok) << "a buffer read by iteration is handled";
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{2}));
}

TEST(Events, EventChannelAndLocalRefuseAPartlyDrainedBuffer) {
  auto c = event_channel(8, 0);
  ASSERT_TRUE(c);
  events ev;
  for (std::size_t t : {1u, 2u}) ASSERT_EQ(c->tx.notify(token(t)), status::ok);
  ASSERT_EQ(c->rx.try_recv(ev), status::ok);
  ASSERT_EQ(ev.drain()->index(), 1u);
  EXPECT_EQ(c->rx.try_recv(ev), status::undrained);
  EXPECT_EQ(c->rx.try_recv_limit(ev, 1), status::undrained);
  EXPECT_EQ(c->rx.recv(ev), status::undrained) << "refused at once, never blocking";
  EXPECT_EQ(c->rx.recv_limit(ev, 0), status::undrained);
  EXPECT_EQ(c->rx.recv_timeout(ev, 1h), status::undrained);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{2}));
  { auto gone = std::move(c->tx); }
  EXPECT_EQ(c->rx.recv(ev), status::undrained) << "even once disconnected: the token is still there";
  EXPECT_EQ(ev.drain()->index(), 2u);
  EXPECT_EQ(c->rx.recv(ev), status::disconnected);

  local l;
  l.ensure_capacity(3);
  for (std::size_t t : {0u, 3u}) ASSERT_EQ(l.mark(token(t)), status::ok);
  ASSERT_EQ(l.poll(ev), status::ok);
  ASSERT_EQ(ev.drain()->index(), 0u);
  EXPECT_EQ(l.poll(ev), status::undrained);
  EXPECT_EQ(l.poll_limit(ev, 1), status::undrained);
  EXPECT_EQ(ev.drain()->index(), 3u);
  EXPECT_EQ(l.poll(ev), status::ok);
  EXPECT_TRUE(ev.empty());
}

TEST(Local, DedupOrderAndWordBoundaries) {
  local l = local::with_capacity(0);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(l.register_token().index(), std::size_t(i));
  EXPECT_EQ(l.capacity(), 200u);
  events ev;
  for (int cycle = 0; cycle < 2; ++cycle) {
    for (std::size_t t : {128u, 0u, 63u, 64u, 127u, 0u, 63u}) ASSERT_EQ(l.mark(token(t)), status::ok);
    EXPECT_EQ(l.notified_count(), 5u);
    EXPECT_TRUE(l.has_notified());
    l.poll(ev);
    EXPECT_EQ(indices(ev), (std::vector<std::size_t>{128, 0, 63, 64, 127}));
    EXPECT_FALSE(l.has_notified());
  }
}

TEST(Local, UnregisteredTokenIsAnError) {
  local l;
  EXPECT_EQ(l.mark(token(0)), status::invalid_token);
  l.ensure_capacity(9);
  EXPECT_EQ(l.capacity(), 10u);
  EXPECT_EQ(l.mark(token(9)), status::ok);
  EXPECT_EQ(l.mark(token(10)), status::invalid_token);
}

TEST(Local, PartialPollKeepsTheRestInOrder) {
  local l;
  l.ensure_capacity(9);
  events ev;
  for (std::size_t t : {4u, 2u, 9u, 1u, 0u}) ASSERT_EQ(l.mark(token(t)), status::ok);
  l.poll_limit(ev, 2);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{4, 2}));
  ASSERT_EQ(l.mark(token(4)), status::ok);  // drained: marks again, at the back
  ASSERT_EQ(l.mark(token(9)), status::ok);  // still pending: conflated
  l.poll_limit(ev, 100);
  EXPECT_EQ(indices(ev), (std::vector<std::size_t>{9, 1, 0, 4}));
}

TEST(Local, LongRunningPartialDrainsStayBounded) {
  local l;
  l.ensure_capacity(1023);
  events ev;
  for (int round = 0; round < 10000; ++round) {
    for (std::size_t t = 0; t < 4; ++t) ASSERT_EQ(l.mark(token((round * 4 + t) % 1024)), status::ok);
    l.poll_limit(ev, 3);
  }
  EXPECT_LE(l.notified_count(), 1024u);
}

}  // namespace
