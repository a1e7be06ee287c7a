// API contract and errors of nexus::queue::mpsc and nexus::queue::spmc
// (production build). The SPSC contract tests in spsc_test.cpp are repeated
// here where the multi-handle rings differ: clone, disconnect seen by every
// handle (F3, F4), termination with the consumer gone (H3), capacity 1.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "nexus/queue/mpsc.hpp"
#include "nexus/queue/spmc.hpp"

namespace mpsc = nexus::queue::mpsc;
namespace spmc = nexus::queue::spmc;
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

template <class Ring>
struct Rings : ::testing::Test {};
struct mpsc_kind {
  template <class T>
  static auto make(std::uint64_t c) { return mpsc::ring_buffer<T>(c); }
};
struct spmc_kind {
  template <class T>
  static auto make(std::uint64_t c) { return spmc::ring_buffer<T>(c); }
};
using Kinds = ::testing::Types<mpsc_kind, spmc_kind>;
TYPED_TEST_SUITE(Rings, Kinds);

TYPED_TEST(Rings, BasicsFullAndEmpty) {
  auto r = TypeParam::template make<std::string>(4);
  ASSERT_TRUE(r);
  auto& [tx, rx] = *r;
  EXPECT_FALSE(rx.pop());
  for (int i = 0; i < 4; ++i) ASSERT_EQ(tx.push(std::string(30, char('a' + i))), status::ok);
  std::string e(30, 'e');
  EXPECT_EQ(tx.push(std::move(e)), status::full);
  EXPECT_EQ(e, std::string(30, 'e')) << "a rejected value stays with the caller";
  for (int i = 0; i < 4; ++i) EXPECT_EQ(*rx.pop(), std::string(30, char('a' + i)));
  EXPECT_FALSE(rx.pop());
}

// F5: stamps stay consistent lap after lap. Every slot of a capacity-1 ring
// is reused 100 times, each lap moving its stamp on by 2 (stamp 2i free for
// index i, 2i+1 published); stamps are 64-bit and compared as signed
// differences, so an index wrap (2^63 operations away) would not break the
// comparison either (static_assert in contract_test.cpp).
TYPED_TEST(Rings, CapacityOneAcrossLaps) {
  auto r = TypeParam::template make<int>(1);
  auto& [tx, rx] = *r;
  EXPECT_EQ(tx.capacity(), 1u);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(tx.push(i), status::ok);
    ASSERT_EQ(tx.push(-1), status::full);
    ASSERT_EQ(*rx.pop(), i);
    ASSERT_FALSE(rx.pop());
  }
}

// H8: the same for the stamped rings (rounding up from 2^63 + 1 overflows).
TYPED_TEST(Rings, CapacityErrorsAndRounding) {
  EXPECT_EQ(TypeParam::template make<int>(0).error_code(), nexus::error::capacity_zero);
  EXPECT_EQ(TypeParam::template make<int>(~std::uint64_t{0}).error_code(), nexus::error::capacity_too_large);
  EXPECT_EQ(TypeParam::template make<int>(std::uint64_t{1} << 63).error_code(), nexus::error::capacity_too_large);
  EXPECT_EQ(TypeParam::template make<int>(100)->tx.capacity(), 128u);
  EXPECT_EQ(TypeParam::template make<int>(1025)->rx.capacity(), 2048u);
}

TYPED_TEST(Rings, LastHandleDestroysExactlyTheRemainingValues) {
  counted::live = 0;
  {
    auto r = TypeParam::template make<counted>(4);
    auto& [tx, rx] = *r;
    for (int i = 0; i < 3; ++i) ASSERT_EQ(tx.emplace(i), status::ok);
    ASSERT_TRUE(rx.pop());
    for (int i = 0; i < 2; ++i) ASSERT_EQ(tx.emplace(i), status::ok);  // wraps
    EXPECT_EQ(counted::live, 4);
    { auto gone = std::move(tx); }
    EXPECT_EQ(counted::live, 4);
  }
  EXPECT_EQ(counted::live, 0);
}

TEST(Mpsc, ClonedProducersAndDisconnect) {
  auto r = mpsc::ring_buffer<int>(8);
  auto tx1 = std::move(r->tx);
  auto rx = std::move(r->rx);
  auto tx2 = tx1.clone();
  ASSERT_EQ(tx1.push(1), status::ok);
  ASSERT_EQ(tx2.push(2), status::ok);
  { auto gone = std::move(tx1); }
  EXPECT_FALSE(rx.is_disconnected()) << "one producer is still alive";
  { auto gone = std::move(tx2); }
  EXPECT_TRUE(rx.is_disconnected());
  EXPECT_EQ(*rx.pop(), 1);
  EXPECT_EQ(*rx.pop(), 2);
  EXPECT_FALSE(rx.pop());
}

TEST(Mpsc, EveryProducerSeesTheConsumerGo) {  // F4
  auto r = mpsc::ring_buffer<int>(2);
  auto tx1 = std::move(r->tx);
  auto tx2 = tx1.clone();
  EXPECT_FALSE(tx1.is_disconnected());
  { auto gone = std::move(r->rx); }
  EXPECT_TRUE(tx1.is_disconnected());
  EXPECT_TRUE(tx2.is_disconnected());
  // Advisory: pushes succeed until full, then report full; none spins (H3).
  EXPECT_EQ(tx1.push(1), status::ok);
  EXPECT_EQ(tx2.push(2), status::ok);
  EXPECT_EQ(tx1.push(3), status::full);
}

TEST(Mpsc, ContendedPushAfterConsumerDropTerminates) {  // H3
  auto r = mpsc::ring_buffer<int>(4);
  auto tx = std::move(r->tx);
  std::vector<std::thread> ts;
  std::atomic<int> go{0};
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([p = tx.clone(), &go]() mutable {
      while (go.load(std::memory_order_acquire) == 0) {}  // acquire: pairs with the release below
      for (int i = 0; i < 10000 && !p.is_disconnected(); ++i) (void)p.push(i);
      while (p.push(0) == status::ok) {}  // fills, then reports full: never spins forever
    });
  { auto gone = std::move(r->rx); }
  go.store(1, std::memory_order_release);  // release: pairs with the workers' acquire
  for (auto& t : ts) t.join();
  EXPECT_TRUE(tx.is_disconnected());
}

TEST(Mpsc, FourProducersExactlyOncePerProducerOrder) {
  auto r = mpsc::ring_buffer<std::uint64_t>(64);
  constexpr std::uint64_t per = 25000;
  std::vector<std::thread> ts;
  {
    auto tx = std::move(r->tx);
    for (std::uint64_t p = 0; p < 4; ++p)
      ts.emplace_back([q = tx.clone(), p]() mutable {
        for (std::uint64_t i = 0; i < per; ++i)
          while (q.push(p << 32 | i) != status::ok) std::this_thread::yield();
      });
  }  // the original handle goes: only the four clones remain
  std::uint64_t next[4] = {0, 0, 0, 0}, total = 0;
  for (;;) {
    if (auto v = r->rx.pop()) {
      const auto p = *v >> 32, i = *v & 0xffffffffu;
      ASSERT_EQ(i, next[p]) << "producer " << p;
      ++next[p];
      ++total;
    } else if (r->rx.is_disconnected()) {
      if (auto w = r->rx.pop()) {
        const auto p = *w >> 32;
        ASSERT_EQ(*w & 0xffffffffu, next[p]);
        ++next[p];
        ++total;
        continue;
      }
      break;
    }
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(total, 4 * per);
}

TEST(Spmc, ClonedConsumersShareWithoutDuplicates) {
  auto r = spmc::ring_buffer<std::uint64_t>(64);
  constexpr std::uint64_t n = 100000;
  std::vector<std::vector<std::uint64_t>> got(4);
  std::vector<std::thread> ts;
  for (int c = 0; c < 4; ++c)
    ts.emplace_back([q = r->rx.clone(), &mine = got[c]]() mutable {
      for (;;) {
        if (auto v = q.pop()) {
          mine.push_back(*v);
        } else if (q.is_disconnected()) {
          while (auto w = q.pop()) mine.push_back(*w);
          return;
        }
      }
    });
  { auto gone = std::move(r->rx); }
  {
    auto tx = std::move(r->tx);
    for (std::uint64_t i = 0; i < n; ++i)
      while (tx.push(i) != status::ok) std::this_thread::yield();
  }
  for (auto& t : ts) t.join();
  std::vector<std::uint64_t> all;
  for (auto& g : got) {
    EXPECT_TRUE(std::is_sorted(g.begin(), g.end())) << "each consumer sees increasing values";
    all.insert(all.end(), g.begin(), g.end());
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), n);
  for (std::uint64_t i = 0; i < n; ++i) ASSERT_EQ(all[i], i);
}

TEST(Spmc, ProducerSeesEveryConsumerGo) {
  auto r = spmc::ring_buffer<int>(2);
  auto rx2 = r->rx.clone();
  { auto gone = std::move(r->rx); }
  EXPECT_FALSE(r->tx.is_disconnected());
  { auto gone = std::move(rx2); }
  EXPECT_TRUE(r->tx.is_disconnected());
}

}  // namespace
