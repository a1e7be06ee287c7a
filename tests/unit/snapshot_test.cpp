// len(), is_empty(), is_full() on every typed ring and channel, from both
// ends (issue 16 item 3), and the receivers' try_iter() and owning
// into_iter() (item 4). Single-threaded the snapshots are exact; with the
// peer running they stay within [0, capacity] and count what happened
// before the call.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "contract.hpp"
#include "nexus/channel/channel.hpp"

using nexus::status;

namespace {

template <class K>
struct Snapshots : ::testing::Test {};
using kinds = ::testing::Types<contract::spsc_ring, contract::mpsc_ring, contract::spmc_ring, contract::mpmc_ring,
                               contract::spsc_chan, contract::mpsc_chan, contract::mpmc_chan>;
TYPED_TEST_SUITE(Snapshots, kinds);

template <class Rx>
bool take(Rx& rx) {
  if constexpr (contract::channel_end<Rx>)
    return static_cast<bool>(rx.try_recv());
  else
    return rx.pop().has_value();
}

TYPED_TEST(Snapshots, ExactFromBothEndsWhenNothingRunsConcurrently) {
  auto r = TypeParam::template make<int>(5);
  ASSERT_TRUE(r.has_value());
  auto& [tx, rx] = *r;
  const std::uint64_t cap = tx.capacity();
  ASSERT_EQ(cap, contract::channel_end<std::remove_reference_t<decltype(rx)>> ? 5u : 8u);  // channels: exact
  for (int lap = 0; lap < 3; ++lap) {  // across the wrap of the indices
    EXPECT_EQ(tx.len(), 0u);
    EXPECT_EQ(rx.len(), 0u);
    EXPECT_TRUE(tx.is_empty() && rx.is_empty());
    for (std::uint64_t i = 0; i < cap; ++i) {
      EXPECT_FALSE(tx.is_full());
      ASSERT_EQ(contract::put(tx, int(i)), status::ok);
      EXPECT_EQ(tx.len(), i + 1);
      EXPECT_EQ(rx.len(), i + 1);
      EXPECT_FALSE(rx.is_empty());
    }
    EXPECT_TRUE(tx.is_full() && rx.is_full());
    EXPECT_EQ(contract::put(tx, 99), status::full);
    EXPECT_EQ(tx.len(), cap);  // a refused push counts nothing
    for (std::uint64_t i = cap; i > 0; --i) {
      ASSERT_TRUE(take(rx));
      EXPECT_EQ(tx.len(), i - 1);
      EXPECT_EQ(rx.len(), i - 1);
    }
    EXPECT_FALSE(take(rx));
    EXPECT_EQ(rx.len(), 0u);
  }
}

// With the peer running: every snapshot is in [0, capacity], and what the
// caller itself did before the call is counted (the producer sees at least
// its own pushes less everything popped so far is impossible to know, so
// this checks the bounds and the end state).
TYPED_TEST(Snapshots, BoundedWhileThePeerRuns) {
  auto r = TypeParam::template make<int>(4);
  ASSERT_TRUE(r.has_value());
  auto& [tx, rx] = *r;
  const std::uint64_t cap = tx.capacity();
  constexpr int n = 20000;
  std::atomic<bool> bad{false};
  std::thread consumer([&rx = rx, &bad, cap] {
    int got = 0;
    while (got < n) {
      const std::uint64_t l = rx.len();
      if (l > cap) bad = true;
      if (take(rx)) ++got;
    }
  });
  for (int i = 0; i < n;) {
    const std::uint64_t l = tx.len();
    if (l > cap) bad = true;
    if (contract::put(tx, int(i)) == status::ok) ++i;
  }
  consumer.join();
  EXPECT_FALSE(bad.load());
  // Everything that happened is before these calls (the join): exact again.
  EXPECT_EQ(tx.len(), 0u);
  EXPECT_EQ(rx.len(), 0u);
}

TEST(Iteration, TryIterTakesWhatIsThereAndNeverBlocks) {
  auto c = nexus::channel::mpsc_channel<int>(8);
  ASSERT_TRUE(c.has_value());
  for (int i = 0; i < 5; ++i) ASSERT_EQ(c->tx.send(i), status::ok);
  std::vector<int> got;
  for (int& v : c->rx.try_iter()) got.push_back(v);
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
  // Empty and connected: the range is empty, at once.
  int more = 0;
  for (int& v : c->rx.try_iter()) more += v + 1;
  EXPECT_EQ(more, 0);
  // Values sent before the last sender goes are still taken, then it ends.
  ASSERT_EQ(c->tx.send(7), status::ok);
  { auto gone = std::move(c->tx); }
  got.clear();
  for (int& v : c->rx.try_iter()) got.push_back(v);
  EXPECT_EQ(got, (std::vector<int>{7}));
  EXPECT_EQ(c->rx.try_recv().code(), status::disconnected);
}

TEST(Iteration, TryIterOnEveryChannelKind) {
  auto check = [](auto c) {
    ASSERT_TRUE(c.has_value());
    ASSERT_EQ(c->tx.send(1), status::ok);
    ASSERT_EQ(c->tx.send(2), status::ok);
    int sum = 0, n = 0;
    for (int& v : c->rx.try_iter()) sum += v, ++n;
    EXPECT_EQ(n, 2);
    EXPECT_EQ(sum, 3);
    EXPECT_TRUE(c->rx.is_empty());
  };
  check(nexus::channel::channel<int>(4));
  check(nexus::channel::mpsc_channel<int>(4));
  check(nexus::channel::mpmc_channel<int>(4));
}

TEST(Iteration, IntoIterOwnsTheReceiverAndEndsWhenDisconnectedAndDrained) {
  auto c = nexus::channel::channel<int>(4);
  ASSERT_TRUE(c.has_value());
  auto tx = std::move(c->tx);
  std::thread producer([tx = std::move(tx)]() mutable {
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(tx.send(i), status::ok);
  });  // the sender goes when the thread ends
  int expect = 0;
  auto rx = std::move(c->rx);
  {
    auto range = std::move(rx).into_iter();
    EXPECT_FALSE(rx.valid());  // moved into the range
    for (int& v : range) EXPECT_EQ(v, expect++);
  }
  producer.join();
  EXPECT_EQ(expect, 1000);
}

TEST(Iteration, DroppingTheOwningRangeDisconnectsTheSenders) {
  auto c = nexus::channel::channel<int>(1);
  ASSERT_TRUE(c.has_value());
  ASSERT_EQ(c->tx.send(1), status::ok);
  {
    auto range = std::move(c->rx).into_iter();
    auto it = range.begin();
    EXPECT_EQ(*it, 1);
  }  // the range, and the receiver in it, are gone
  EXPECT_TRUE(c->tx.is_disconnected());
  EXPECT_EQ(c->tx.send(2), status::disconnected);
}

}  // namespace

// Exact capacity (issue 16 item 1): channel(n) holds at most n values for
// every n >= 1, as std's sync_channel(n) and crossbeam's bounded(n); the
// rings' ring_buffer_exact(n) likewise, and ring_buffer(n) rounds up.
namespace {

template <class Make>
void holds_exactly(Make make, std::uint64_t n) {
  SCOPED_TRACE(testing::Message() << "n = " << n);
  auto r = make(n);
  ASSERT_TRUE(r.has_value());
  auto& [tx, rx] = *r;
  EXPECT_EQ(tx.capacity(), n);
  EXPECT_EQ(rx.capacity(), n);
  for (int lap = 0; lap < 3; ++lap) {  // the bound holds across the slots' wrap
    for (std::uint64_t i = 0; i < n; ++i) ASSERT_EQ(contract::put(tx, int(i)), status::ok) << "at " << i;
    EXPECT_EQ(contract::put(tx, -1), status::full);
    EXPECT_TRUE(tx.is_full());
    EXPECT_EQ(tx.len(), n);
    for (std::uint64_t i = 0; i < n; ++i) {
      auto v = contract::get(rx);  // pop(), or try_recv()'s value
      ASSERT_TRUE(v);
      EXPECT_EQ(*v, int(i));
    }
    // One out, one in: never more than n.
    ASSERT_EQ(contract::put(tx, 7), status::ok);
    EXPECT_TRUE(take(rx));
  }
}

TEST(ExactCapacity, ChannelsHoldExactlyWhatTheyWereAskedFor) {
  for (std::uint64_t n : {1u, 2u, 3u, 5u, 7u, 8u, 9u, 15u, 17u, 100u}) {
    holds_exactly([](std::uint64_t c) { return nexus::channel::channel<int>(c); }, n);
    holds_exactly([](std::uint64_t c) { return nexus::channel::mpsc_channel<int>(c); }, n);
    holds_exactly([](std::uint64_t c) { return nexus::channel::mpmc_channel<int>(c); }, n);
  }
}

TEST(ExactCapacity, RingBufferExactOnEveryRing) {
  for (std::uint64_t n : {1u, 3u, 5u, 6u, 8u, 13u}) {
    holds_exactly([](std::uint64_t c) { return nexus::queue::spsc::ring_buffer_exact<int>(c); }, n);
    holds_exactly([](std::uint64_t c) { return nexus::queue::mpsc::ring_buffer_exact<int>(c); }, n);
    holds_exactly([](std::uint64_t c) { return nexus::queue::spmc::ring_buffer_exact<int>(c); }, n);
    holds_exactly([](std::uint64_t c) { return nexus::queue::mpmc::ring_buffer_exact<int>(c); }, n);
  }
  auto r = nexus::queue::mpsc::ring_buffer<int>(5);  // the plain factory rounds up, and says so
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->tx.capacity(), 8u);
}

// A blocking sender on channel(3): the 4th send waits until a receive.
TEST(ExactCapacity, TheSenderBlocksAtTheBound) {
  auto c = nexus::channel::mpsc_channel<int>(3);
  ASSERT_TRUE(c.has_value());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(c->tx.send(i), status::ok);
  using namespace std::chrono_literals;
  EXPECT_EQ(c->tx.send_timeout(3, 20ms), status::timeout);
  std::atomic<bool> sent{false};
  std::thread t([&] {
    EXPECT_EQ(c->tx.send(3), status::ok);
    sent = true;
  });
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(sent.load());
  EXPECT_EQ(*c->rx.recv(), 0);
  t.join();
  EXPECT_TRUE(sent.load());
  EXPECT_EQ(c->rx.len(), 3u);
}

}  // namespace
