// Batches (issue 16 item 5): push_n / pop_n on every typed ring,
// try_recv_many / recv_many on every channel. The results match a sequence
// of single operations; a throw at any value (T's constructor in push_n,
// the hand-over to the output in pop_n) keeps exactly the values before it
// and leaves the rest where they were.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <memory>
#include <numeric>
#include <thread>
#include <vector>

#include "contract.hpp"
#include "nexus/channel/channel.hpp"

using nexus::status;
using namespace std::chrono_literals;

namespace {

template <class K>
struct RingBatches : ::testing::Test {};
using ring_kinds = ::testing::Types<contract::spsc_ring, contract::mpsc_ring, contract::spmc_ring, contract::mpmc_ring>;
TYPED_TEST_SUITE(RingBatches, ring_kinds);

TYPED_TEST(RingBatches, AsManyAsFitInOrderAcrossTheWrap) {
  auto r = TypeParam::template make<int>(8);
  ASSERT_TRUE(r.has_value());
  auto& [tx, rx] = *r;
  int next_in = 0, next_out = 0;
  for (int round = 0; round < 6; ++round) {
    std::vector<int> in(5 + round % 3);
    std::iota(in.begin(), in.end(), next_in);
    const std::size_t room = tx.capacity() - tx.len();
    const std::size_t pushed = tx.push_n(in);
    EXPECT_EQ(pushed, std::min(room, in.size()));
    next_in += static_cast<int>(pushed);
    std::array<int, 16> out{};
    const std::size_t want = 3 + round % 4;
    const std::size_t had = rx.len();
    const std::size_t got = rx.pop_n(out.data(), want);
    EXPECT_EQ(got, std::min(had, want));
    for (std::size_t i = 0; i < got; ++i) EXPECT_EQ(out[i], next_out++);
  }
  std::array<int, 16> out{};
  const std::size_t rest = rx.pop_n(out.begin(), out.size());
  for (std::size_t i = 0; i < rest; ++i) EXPECT_EQ(out[i], next_out++);
  EXPECT_EQ(next_out, next_in);
  EXPECT_EQ(rx.pop_n(out.begin(), 4), 0u);  // empty
  EXPECT_EQ(tx.push_n(std::vector<int>{}), 0u);
  EXPECT_EQ(rx.pop_n(out.begin(), 0), 0u);
}

TYPED_TEST(RingBatches, FullRingTakesNothingAndAnInputRangeStopsAtTheRoom) {
  auto r = TypeParam::template make<int>(4);
  ASSERT_TRUE(r.has_value());
  auto& [tx, rx] = *r;
  std::vector<int> in{1, 2, 3, 4, 5, 6};
  EXPECT_EQ(tx.push_n(in.begin(), in.end()), 4u);
  EXPECT_EQ(tx.push_n(in.begin(), in.end()), 0u);
  EXPECT_TRUE(tx.is_full());
  int out[4];
  EXPECT_EQ(rx.pop_n(out, 4), 4u);
  EXPECT_EQ(out[3], 4);
}

// An output whose k-th assignment throws.
struct flaky_out {
  using difference_type = std::ptrdiff_t;
  std::vector<int>* to;
  int* left;  // assignments before the throw
  flaky_out& operator*() { return *this; }
  flaky_out& operator++() { return *this; }
  flaky_out operator++(int) { return *this; }
  template <class V>
  flaky_out& operator=(V&& v) {
    if ((*left)-- == 0) throw contract::injected{};
    to->push_back(v.v);
    return *this;
  }
};

// spsc and mpsc hand the value over in place: a throw leaves it at the head.
template <class Ring>
void pop_n_throw_at_every_value(Ring make) {
  for (int k = 0; k < 5; ++k) {
    SCOPED_TRACE(testing::Message() << "the assignment of value " << k << " throws");
    contract::fault::disarm();
    contract::fragile::live = 0;
    {
      auto r = make();
      ASSERT_TRUE(r.has_value());
      auto& [tx, rx] = *r;
      for (int i = 0; i < 5; ++i) ASSERT_EQ(tx.push(contract::fragile(i)), status::ok);
      std::vector<int> got;
      int left = k;
      EXPECT_THROW((void)rx.pop_n(flaky_out{&got, &left}, 5), contract::injected);
      EXPECT_EQ(got.size(), static_cast<std::size_t>(k));
      EXPECT_EQ(rx.len(), static_cast<std::uint64_t>(5 - k));  // the values before it are freed
      EXPECT_EQ(contract::fragile::live, 5 - k);
      auto v = rx.pop();
      ASSERT_TRUE(v);
      EXPECT_EQ(v->v, k);  // the value whose hand-over threw is still at the head
    }
    EXPECT_EQ(contract::fragile::live, 0);
  }
}
TEST(Batches, SpscPopNThrowingHandOverKeepsTheValueAtTheHead) {
  pop_n_throw_at_every_value([] { return nexus::queue::spsc::ring_buffer<contract::fragile>(8); });
}
TEST(Batches, MpscPopNThrowingHandOverKeepsTheValueAtTheHead) {
  pop_n_throw_at_every_value([] { return nexus::queue::mpsc::ring_buffer<contract::fragile>(8); });
}

// push_n copying: the n-th construction throws; the values before it are pushed.
template <class Ring>
void push_n_throw_at_every_value(Ring make) {
  std::vector<contract::fragile> src;
  for (int i = 0; i < 5; ++i) src.emplace_back(i);
  for (int k = 1; k <= 5; ++k) {
    SCOPED_TRACE(testing::Message() << "construction " << k << " throws");
    const long before = contract::fragile::live;
    {
      auto r = make();
      ASSERT_TRUE(r.has_value());
      auto& [tx, rx] = *r;
      contract::fault::arm(k);
      EXPECT_THROW((void)tx.push_n(src), contract::injected);
      contract::fault::disarm();
      EXPECT_EQ(tx.len(), static_cast<std::uint64_t>(k - 1));
      EXPECT_EQ(contract::fragile::live, before + k - 1);
      for (int i = 0; i < k - 1; ++i) {
        auto v = rx.pop();
        ASSERT_TRUE(v);
        EXPECT_EQ(v->v, i);
      }
      EXPECT_FALSE(rx.pop());
      EXPECT_EQ(tx.push_n(src), 5u);  // still usable: every slot again
    }
    EXPECT_EQ(contract::fragile::live, before);
  }
}
TEST(Batches, PushNThrowingConstructorKeepsTheValuesBeforeIt) {
  push_n_throw_at_every_value([] { return nexus::queue::spsc::ring_buffer<contract::fragile>(8); });
  push_n_throw_at_every_value([] { return nexus::queue::mpsc::ring_buffer<contract::fragile>(8); });
  push_n_throw_at_every_value([] { return nexus::queue::spmc::ring_buffer<contract::fragile>(8); });
  push_n_throw_at_every_value([] { return nexus::queue::mpmc::ring_buffer<contract::fragile>(8); });
}

TEST(Batches, PushNMovesWithMoveIterators) {
  auto r = nexus::queue::spsc::ring_buffer<std::unique_ptr<int>>(4);
  ASSERT_TRUE(r.has_value());
  std::vector<std::unique_ptr<int>> in;
  for (int i = 0; i < 3; ++i) in.push_back(std::make_unique<int>(i));
  EXPECT_EQ(r->tx.push_n(std::make_move_iterator(in.begin()), std::make_move_iterator(in.end())), 3u);
  EXPECT_FALSE(in[0]);
  std::vector<std::unique_ptr<int>> out;
  EXPECT_EQ(r->rx.pop_n(std::back_inserter(out), 8), 3u);
  EXPECT_EQ(*out[2], 2);
}

template <class K>
struct ChannelBatches : ::testing::Test {};
using channel_kinds = ::testing::Types<contract::spsc_chan, contract::mpsc_chan, contract::mpmc_chan>;
TYPED_TEST_SUITE(ChannelBatches, channel_kinds);

TYPED_TEST(ChannelBatches, TryRecvManyTakesWhatIsThereThenReportsWhyNone) {
  auto c = TypeParam::template make<int>(8);
  ASSERT_TRUE(c.has_value());
  auto& [tx, rx] = *c;
  int out[8];
  auto r0 = rx.try_recv_many(out, 8);
  EXPECT_EQ(r0.code, status::empty);
  EXPECT_EQ(r0.count, 0u);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(tx.send(i), status::ok);
  auto r1 = rx.try_recv_many(out, 3);
  EXPECT_EQ(r1.code, status::ok);
  ASSERT_EQ(r1.count, 3u);
  EXPECT_EQ(out[2], 2);
  auto none = rx.try_recv_many(out, 0);
  EXPECT_EQ(none.code, status::ok);
  EXPECT_EQ(none.count, 0u);
  { auto gone = std::move(tx); }
  auto r2 = rx.recv_many(out, 8);  // F1: sent before the last sender left
  EXPECT_EQ(r2.code, status::ok);
  ASSERT_EQ(r2.count, 2u);
  EXPECT_EQ(out[1], 4);
  EXPECT_EQ(rx.recv_many(out, 8).code, status::disconnected);
  EXPECT_EQ(rx.recv_many_timeout(out, 8, 0ms).code, status::disconnected);  // F8
}

TYPED_TEST(ChannelBatches, RecvManyBlocksForTheFirstValueAndTimesOut) {
  auto c = TypeParam::template make<int>(8);
  ASSERT_TRUE(c.has_value());
  auto& [tx, rx] = *c;
  int out[8];
  auto t = rx.recv_many_timeout(out, 8, 20ms);
  EXPECT_EQ(t.code, status::timeout);
  EXPECT_EQ(t.count, 0u);
  std::thread producer([&tx = tx] {
    std::this_thread::sleep_for(20ms);
    ASSERT_EQ(tx.send(42), status::ok);
  });
  auto r = rx.recv_many(out, 8);
  producer.join();
  EXPECT_EQ(r.code, status::ok);
  EXPECT_GE(r.count, 1u);
  EXPECT_EQ(out[0], 42);
}

// A batch frees several slots: every sender blocked on the full channel
// must get to send (a single wake would leave one asleep with room free).
TEST(ChannelBatches, RecvManyWakesEverySenderItMadeRoomFor) {
  auto c = nexus::channel::mpsc_channel<int>(2, 0);  // spins 0: blocked senders park at once
  ASSERT_TRUE(c.has_value());
  ASSERT_EQ(c->tx.send(0), status::ok);
  ASSERT_EQ(c->tx.send(0), status::ok);
  std::atomic<int> sent{0};
  std::vector<std::thread> senders;
  for (int i = 0; i < 2; ++i)
    senders.emplace_back([tx = c->tx.clone(), &sent]() mutable {
      if (tx.send(1) == status::ok) ++sent;
    });
  std::this_thread::sleep_for(50ms);  // both parked, most likely
  int out[2];
  auto r = c->rx.recv_many(out, 2);
  EXPECT_EQ(r.count, 2u);
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (sent.load() < 2 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(sent.load(), 2) << "a sender sleeps although the batch made room for it";
  { auto gone = std::move(c->rx); }  // wakes a sender left asleep, so the test ends either way
  for (auto& s : senders) s.join();
}

}  // namespace
