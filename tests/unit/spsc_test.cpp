// API contract and every error of nexus::queue::spsc (production build).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "nexus/queue/spsc.hpp"
#include "nexus/sync/backoff.hpp"

namespace spsc = nexus::queue::spsc;
using nexus::status;

namespace {

struct counted {
  static inline int live = 0;
  int v;
  explicit counted(int x) : v(x) { ++live; }
  counted(counted&& o) noexcept : v(o.v) { ++live; }
  counted(const counted&) = delete;
  ~counted() { --live; }
};

struct alignas(64) wide {
  std::uint64_t words[32];  // 256 bytes, align 64
};

TEST(SpscRing, PushPopBasics) {
  auto r = spsc::ring_buffer<int>(4);
  ASSERT_TRUE(r.has_value());
  auto& [tx, rx] = *r;
  EXPECT_FALSE(rx.pop().has_value());
  EXPECT_FALSE(rx.pop().has_value());
  EXPECT_EQ(tx.push(1), status::ok);
  EXPECT_EQ(tx.push(2), status::ok);
  EXPECT_EQ(*rx.pop(), 1);
  EXPECT_EQ(*rx.pop(), 2);
  EXPECT_FALSE(rx.pop().has_value());
}

TEST(SpscRing, FullHandsTheValueBack) {
  auto r = spsc::ring_buffer<std::string>(4);
  auto& [tx, rx] = *r;
  for (int i = 0; i < 4; ++i) ASSERT_EQ(tx.push(std::string(40, char('a' + i))), status::ok);
  std::string fifth(40, 'e');
  EXPECT_EQ(tx.push(std::move(fifth)), status::full);
  EXPECT_EQ(fifth, std::string(40, 'e')) << "a rejected value must be left with the caller";
  EXPECT_EQ(*rx.pop(), std::string(40, 'a'));
  EXPECT_EQ(tx.push(std::move(fifth)), status::ok);
  for (char c : {'b', 'c', 'd', 'e'}) EXPECT_EQ(*rx.pop(), std::string(40, c));
}

TEST(SpscRing, CapacityOne) {
  auto r = spsc::ring_buffer<int>(1);
  auto& [tx, rx] = *r;
  EXPECT_EQ(tx.capacity(), 1u);
  EXPECT_EQ(tx.push(1), status::ok);
  EXPECT_EQ(tx.push(2), status::full);
  EXPECT_EQ(*rx.pop(), 1);
  EXPECT_EQ(tx.push(2), status::ok);
  EXPECT_EQ(*rx.pop(), 2);
}

TEST(SpscRing, CapacityRoundsUpToPowerOfTwo) {
  for (auto [asked, got] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
           {1, 1}, {2, 2}, {3, 4}, {100, 128}, {1000, 1024}, {1024, 1024}, {1025, 2048}}) {
    auto r = spsc::ring_buffer<int>(asked);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->tx.capacity(), got) << asked;
    EXPECT_EQ(r->rx.capacity(), got) << asked;
  }
}

TEST(SpscRing, CapacityZeroIsAnError) {
  auto r = spsc::ring_buffer<int>(0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error_code(), nexus::error::capacity_zero);
  EXPECT_STREQ(nexus::to_string(r.error_code()), "capacity must be non-zero");
  EXPECT_THROW((void)r.value(), nexus::bad_result_access);
}

// H8: a capacity whose rounding overflows, or whose slots cannot be
// addressed, is the named error capacity_too_large, never a wrapped size.
TEST(SpscRing, CapacityOverflowIsAnError) {
  for (std::uint64_t c : {(std::uint64_t{1} << 63) + 1, ~std::uint64_t{0}}) {
    auto r = spsc::ring_buffer<int>(c);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_code(), nexus::error::capacity_too_large) << c;
  }
  // 2^63 rounds fine but 2^63 slots of int cannot be addressed.
  auto r = spsc::ring_buffer<int>(std::uint64_t{1} << 63);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error_code(), nexus::error::capacity_too_large);
  EXPECT_STREQ(nexus::to_string(r.error_code()), "capacity too large");
}

TEST(SpscRing, HugeButAddressableCapacityIsOutOfMemoryNotACrash) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "sanitizer allocators abort on a 2^63-byte request instead of throwing";
#endif
  auto r = spsc::ring_buffer<std::uint64_t>(std::uint64_t{1} << 60);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error_code() == nexus::error::out_of_memory || r.error_code() == nexus::error::capacity_too_large);
}

TEST(SpscRing, InterleavedAcrossManyLaps) {
  auto r = spsc::ring_buffer<int>(8);
  auto& [tx, rx] = *r;
  int next_in = 0, next_out = 0;
  for (int round = 0; round < 1000; ++round) {
    for (int k = 0; k < 1 + round % 8; ++k) ASSERT_EQ(tx.push(next_in++), status::ok);
    while (auto v = rx.pop()) ASSERT_EQ(*v, next_out++);
  }
  EXPECT_EQ(next_in, next_out);
}

TEST(SpscRing, DisconnectIsSeenByBothSides) {
  auto r = spsc::ring_buffer<int>(4);
  auto tx = std::move(r->tx);
  auto rx = std::move(r->rx);
  EXPECT_FALSE(tx.is_disconnected());
  EXPECT_FALSE(rx.is_disconnected());
  EXPECT_EQ(tx.push(7), status::ok);
  { auto gone = std::move(rx); }
  EXPECT_TRUE(tx.is_disconnected());
  // Disconnect is advisory: pushes still succeed until the ring is full.
  EXPECT_EQ(tx.push(8), status::ok);
  EXPECT_FALSE(rx.valid());
  EXPECT_TRUE(rx.is_disconnected());
}

TEST(SpscRing, ConsumerDrainsAfterProducerDisconnects) {
  auto r = spsc::ring_buffer<int>(4);
  auto rx = std::move(r->rx);
  {
    auto tx = std::move(r->tx);
    ASSERT_EQ(tx.push(1), status::ok);
    ASSERT_EQ(tx.push(2), status::ok);
  }
  EXPECT_TRUE(rx.is_disconnected());
  EXPECT_EQ(*rx.pop(), 1);
  EXPECT_EQ(*rx.pop(), 2);
  EXPECT_FALSE(rx.pop().has_value());
}

TEST(SpscRing, LastHandleDestroysExactlyTheRemainingValues) {
  counted::live = 0;
  {
    auto r = spsc::ring_buffer<counted>(4);
    auto& [tx, rx] = *r;
    for (int i = 0; i < 3; ++i) ASSERT_EQ(tx.emplace(i), status::ok);
    EXPECT_EQ(counted::live, 3);
    { auto v = rx.pop(); ASSERT_TRUE(v); EXPECT_EQ(v->v, 0); }
    EXPECT_EQ(counted::live, 2);
    { auto gone = std::move(tx); }
    EXPECT_EQ(counted::live, 2) << "the producer is gone: the consumer can still pop them";
  }
  EXPECT_EQ(counted::live, 0);
}

TEST(SpscRing, RemainingValuesDestroyedAcrossTheWrap) {
  counted::live = 0;
  {
    auto r = spsc::ring_buffer<counted>(4);
    auto& [tx, rx] = *r;
    for (int i = 0; i < 3; ++i) ASSERT_EQ(tx.emplace(i), status::ok);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(rx.pop());
    for (int i = 0; i < 4; ++i) ASSERT_EQ(tx.emplace(i), status::ok);  // indices 3..6 wrap
    EXPECT_EQ(counted::live, 4);
  }
  EXPECT_EQ(counted::live, 0);
}

TEST(SpscRing, MoveOnlyAndOverAlignedTypes) {
  auto r = spsc::ring_buffer<std::unique_ptr<int>>(2);
  ASSERT_EQ(r->tx.push(std::make_unique<int>(5)), status::ok);
  EXPECT_EQ(**r->rx.pop(), 5);

  auto w = spsc::ring_buffer<wide>(4);
  wide x{};
  for (int i = 0; i < 32; ++i) x.words[i] = std::uint64_t(i) * 3;
  for (int k = 0; k < 6; ++k) {
    ASSERT_EQ(w->tx.push(x), status::ok);
    auto got = w->rx.pop();
    ASSERT_TRUE(got);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(&*got) % 64, 0u);
    EXPECT_EQ(got->words[31], 93u);
  }
}

TEST(SpscRing, EmptyType) {
  struct nothing {};
  auto r = spsc::ring_buffer<nothing>(2);
  EXPECT_EQ(r->tx.push(nothing{}), status::ok);
  EXPECT_TRUE(r->rx.pop().has_value());
  EXPECT_FALSE(r->rx.pop().has_value());
}

TEST(SpscRing, MoveAssignmentReleasesTheOldRing) {
  counted::live = 0;
  auto a = spsc::ring_buffer<counted>(2);
  auto b = spsc::ring_buffer<counted>(2);
  ASSERT_EQ(a->tx.emplace(1), status::ok);
  a->tx = std::move(b->tx);
  a->rx = std::move(b->rx);  // ring a has no handles left: its value is destroyed
  EXPECT_EQ(counted::live, 0);
  ASSERT_EQ(a->tx.emplace(2), status::ok);
  EXPECT_EQ(a->rx.pop()->v, 2);
}

TEST(SpscRing, CrossThreadFifo) {
  auto r = spsc::ring_buffer<std::uint64_t>(64);
  constexpr std::uint64_t n = 200000;
  std::thread prod([tx = std::move(r->tx)]() mutable {
    for (std::uint64_t i = 1; i <= n; ++i)
      while (tx.push(i) != status::ok) std::this_thread::yield();
  });
  std::uint64_t expect = 1;
  while (expect <= n) {
    if (auto v = r->rx.pop()) {
      ASSERT_EQ(*v, expect);
      ++expect;
    }
  }
  prod.join();
  EXPECT_TRUE(r->rx.is_disconnected());
  EXPECT_FALSE(r->rx.pop().has_value());
}

// ---- the spinning calls (queue/spsc.hpp SPINNING) ---------------------------------

TEST(SpscRing, SpinningCallsAcrossThreadsKeepFifoAndEndAtTheDisconnect) {
  auto r = spsc::ring_buffer<std::uint64_t>(8);  // small: both sides wait, full and empty
  constexpr std::uint64_t n = 300000;
  std::thread prod([tx = std::move(r->tx)]() mutable {
    for (std::uint64_t i = 1; i <= n; ++i) ASSERT_EQ(tx.push_spin(i), status::ok);
  });  // the producer's handle goes when its thread ends
  std::uint64_t expect = 1;
  while (auto v = r->rx.pop_spin()) ASSERT_EQ(*v, expect++);
  prod.join();
  EXPECT_EQ(expect, n + 1) << "pop_spin ended before the last value pushed before the disconnect";
  EXPECT_TRUE(r->rx.is_disconnected());
  EXPECT_FALSE(r->rx.pop_spin().has_value()) << "still gone, still empty";
}

TEST(SpscRing, PopSpinDrainsWhatWasPushedBeforeTheDisconnect) {
  auto r = spsc::ring_buffer<int>(4);
  ASSERT_EQ(r->tx.push_spin(1), status::ok);
  ASSERT_EQ(r->tx.push_spin(2), status::ok);
  { auto gone = std::move(r->tx); }
  EXPECT_EQ(*r->rx.pop_spin(), 1);
  EXPECT_EQ(*r->rx.pop_spin(), 2);
  EXPECT_FALSE(r->rx.pop_spin().has_value());
}

TEST(SpscRing, PushSpinWaitsForRoomThenSucceeds) {
  auto r = spsc::ring_buffer<int>(2);
  ASSERT_EQ(r->tx.push_spin(1), status::ok);
  ASSERT_EQ(r->tx.push_spin(2), status::ok);
  std::atomic<bool> pushed{false};
  std::thread prod([&] {
    EXPECT_EQ(r->tx.push_spin(3), status::ok);
    pushed.store(true, std::memory_order_release);  // release: pairs with the acquire below
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(pushed.load(std::memory_order_acquire)) << "push_spin returned on a full ring";
  EXPECT_EQ(*r->rx.pop(), 1);
  prod.join();
  EXPECT_EQ(*r->rx.pop(), 2);
  EXPECT_EQ(*r->rx.pop(), 3);
}

TEST(SpscRing, PushSpinOnAFullRingWhoseConsumerIsGoneIsDisconnectedAndKeepsTheValue) {
  auto r = spsc::ring_buffer<std::string>(2);
  auto tx = std::move(r->tx);
  ASSERT_EQ(tx.push_spin(std::string("a")), status::ok);
  { auto gone = std::move(r->rx); }  // frees every slot (the consumer's leave)
  ASSERT_EQ(tx.push_spin(std::string("b")), status::ok) << "the ring has room again after the consumer left";
  ASSERT_EQ(tx.push_spin(std::string("c")), status::ok);
  std::string keep(40, 'k');
  EXPECT_EQ(tx.push_spin(std::move(keep)), status::disconnected);
  EXPECT_EQ(keep, std::string(40, 'k')) << "the value that was not taken is still the caller's";
  const std::string copy = "d";
  EXPECT_EQ(tx.push_spin(copy), status::disconnected);
}

// A consumer that leaves frees every slot pushed before it: a push_spin
// waiting on the full ring then succeeds (its look after the disconnect).
TEST(SpscRing, PushSpinWaitingOnFullSucceedsWhenTheConsumerLeaves) {
  auto r = spsc::ring_buffer<int>(2);
  auto tx = std::move(r->tx);
  ASSERT_EQ(tx.push_spin(1), status::ok);
  ASSERT_EQ(tx.push_spin(2), status::ok);
  std::thread prod([&tx] { EXPECT_EQ(tx.push_spin(3), status::ok); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let it wait (not required)
  { auto gone = std::move(r->rx); }
  prod.join();
  EXPECT_TRUE(tx.is_disconnected());
  EXPECT_EQ(tx.len(), 1u) << "1 and 2 were freed by the leave, 3 is in the ring";
}

// The wait between looks (sync/backoff.hpp poll_backoff): doubles (2w + 1)
// while looks find less than a batch, up to max_wait; halves on a look that
// finds nothing or more than 4 batches.
TEST(PollBackoff, AdaptsToWhatEachLookFinds) {
  using pb = nexus::poll_backoff<>;
  pb w;
  EXPECT_EQ(w.wait(), 0u);
  w.found(1);
  EXPECT_EQ(w.wait(), 1u);
  w.found(pb::batch - 1);
  EXPECT_EQ(w.wait(), 3u);
  w.found(pb::batch);  // a batch: the wait is right
  EXPECT_EQ(w.wait(), 3u);
  for (int i = 0; i < 20; ++i) w.found(1);
  EXPECT_EQ(w.wait(), pb::max_wait) << "capped";
  w.found(4 * pb::batch + 1);
  EXPECT_EQ(w.wait(), pb::max_wait / 2);
  w.missed();
  EXPECT_EQ(w.wait(), pb::max_wait / 4);
  for (int i = 0; i < 20; ++i) w.missed();
  EXPECT_EQ(w.wait(), 0u) << "an idle other side: look at once";
  w.pause();  // zero hints: returns
}

}  // namespace
