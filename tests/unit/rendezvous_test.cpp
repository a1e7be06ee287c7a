// Rendezvous channels (capacity 0: channel/channel.hpp RENDEZVOUS): the
// semantics of std's sync_channel(0) and crossbeam's bounded(0), on every
// typed channel kind (production build).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "nexus/channel/channel.hpp"

namespace ch = nexus::channel;
using nexus::status;
using namespace std::chrono_literals;

namespace {

template <class K>
struct Rendezvous : ::testing::Test {
  template <class T>
  static auto make(unsigned spins = ch::default_spins) {
    return ch::make<T, K>(0, spins);
  }
};
using Kinds = ::testing::Types<ch::kind::spsc, ch::kind::mpsc, ch::kind::mpmc>;
TYPED_TEST_SUITE(Rendezvous, Kinds);

// Waits (bounded) until `f` holds; false if it never did.
template <class F>
bool eventually(F f) {
  for (auto end = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < end;) {
    if (f()) return true;
    std::this_thread::sleep_for(100us);
  }
  return false;
}

TYPED_TEST(Rendezvous, HoldsNothing) {
  auto c = TestFixture::template make<int>();
  ASSERT_TRUE(c);
  auto& [tx, rx] = *c;
  EXPECT_EQ(tx.capacity(), 0u);
  EXPECT_EQ(rx.capacity(), 0u);
  EXPECT_EQ(rx.len(), 0u);
  EXPECT_TRUE(rx.is_empty());
  EXPECT_TRUE(tx.is_full()) << "crossbeam's zero flavour: empty and full at once";
}

TYPED_TEST(Rendezvous, WithNobodyOnTheOtherSideNothingIsTaken) {
  auto c = TestFixture::template make<std::unique_ptr<int>>(0);
  auto& [tx, rx] = *c;
  auto v = std::make_unique<int>(1);
  EXPECT_EQ(tx.try_send(std::move(v)), status::full) << "no receiver waits";
  ASSERT_TRUE(v);
  EXPECT_EQ(tx.send_timeout(std::move(v), 0ms), status::timeout);
  ASSERT_TRUE(v);
  EXPECT_EQ(tx.send_timeout(std::move(v), -5ms), status::timeout);
  ASSERT_TRUE(v);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(tx.send_timeout(std::move(v), 20ms), status::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 20ms);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, 1) << "a send that was not taken keeps its value";
  EXPECT_EQ(rx.try_recv().code(), status::empty);
  EXPECT_EQ(rx.recv_timeout(0ms).code(), status::timeout);
  EXPECT_EQ(rx.recv_timeout(10ms).code(), status::timeout);
  // The slot is free again after every timeout: a handoff still works.
  std::thread t([&] { EXPECT_EQ(tx.send(std::move(v)), status::ok); });
  auto r = rx.recv();
  t.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(**r, 1);
}

// std: "send ... will block until the value is received".
TYPED_TEST(Rendezvous, SendReturnsOnlyOnceTheValueIsReceived) {
  auto c = TestFixture::template make<int>();
  auto& [tx, rx] = *c;
  std::atomic<bool> returned{false};
  std::thread t([&] {
    EXPECT_EQ(tx.send(7), status::ok);
    returned = true;
  });
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(returned.load()) << "send returned before any receive";
  EXPECT_EQ(rx.len(), 0u);
  auto r = rx.recv();
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 7);
  t.join();
  EXPECT_TRUE(returned.load());
}

TYPED_TEST(Rendezvous, TryRecvTakesABlockedSendersValue) {
  auto c = TestFixture::template make<int>();
  auto& [tx, rx] = *c;
  std::thread t([&] { EXPECT_EQ(tx.send(3), status::ok); });
  nexus::channel::recv_result<int> r(status::empty);
  EXPECT_TRUE(eventually([&] { return bool(r = rx.try_recv()); }));
  t.join();
  EXPECT_EQ(*r, 3);
}

TYPED_TEST(Rendezvous, TrySendReachesABlockedReceiver) {
  auto c = TestFixture::template make<int>(0);
  auto& [tx, rx] = *c;
  std::thread t([&] {
    auto r = rx.recv_timeout(10s);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 4);
  });
  EXPECT_TRUE(eventually([&] { return tx.try_send(4) == status::ok; }));
  t.join();
  EXPECT_EQ(tx.try_send(5), status::full) << "that receiver is gone again";
}

// A receiver that stops waiting: try_send gives up (full, value kept), or
// hands the value over if the receiver took it first; never both, never lost.
TYPED_TEST(Rendezvous, TrySendToAReceiverThatTimesOutNeverLosesTheValue) {
  auto c = TestFixture::template make<std::unique_ptr<int>>(0);
  auto& [tx, rx] = *c;
  int delivered = 0;
  for (int i = 1; i <= 200; ++i) {
    std::atomic<int> got{0};
    std::atomic<bool> done{false};
    std::thread t([&] {
      auto r = rx.recv_timeout(200us);
      if (r) got = **r;
      done = true;
    });
    auto v = std::make_unique<int>(i);
    status st = status::full;
    while (!done && (st = tx.try_send(std::move(v))) == status::full) ASSERT_TRUE(v) << "full, and the value is gone";
    t.join();
    if (st == status::ok) {
      ++delivered;
      EXPECT_FALSE(v);
      EXPECT_EQ(got.load(), i);
    } else {
      EXPECT_EQ(st, status::full);
      ASSERT_TRUE(v);
      EXPECT_EQ(*v, i);
      EXPECT_EQ(got.load(), 0) << "received, and kept by the sender too";
    }
  }
  EXPECT_GT(delivered, 0) << "no try_send ever reached a waiting receiver";
}

TYPED_TEST(Rendezvous, DroppingTheReceiverHandsTheOfferBack) {  // H1
  auto c = TestFixture::template make<std::unique_ptr<int>>(0);
  auto v = std::make_unique<int>(9);
  std::thread t([rx = std::move(c->rx)]() mutable { std::this_thread::sleep_for(20ms); });
  EXPECT_EQ(c->tx.send(std::move(v)), status::disconnected);
  t.join();
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, 9);
  EXPECT_EQ(c->tx.send(std::move(v)), status::disconnected) << "use after disconnect";
  EXPECT_EQ(c->tx.try_send(std::move(v)), status::disconnected);
  EXPECT_TRUE(v);
}

TYPED_TEST(Rendezvous, DroppingTheSenderEndsAReceive) {
  auto c = TestFixture::template make<int>(0);
  std::thread t([tx = std::move(c->tx)]() mutable { std::this_thread::sleep_for(20ms); });
  EXPECT_EQ(c->rx.recv().code(), status::disconnected);
  t.join();
  EXPECT_EQ(c->rx.try_recv().code(), status::disconnected);
  EXPECT_EQ(c->rx.recv_timeout(0ms).code(), status::disconnected) << "F8";
}

TYPED_TEST(Rendezvous, DeadlinesUpToMaxWaitForTheReceiver) {
  auto c = TestFixture::template make<int>();
  auto& [tx, rx] = *c;
  std::thread t([&] {
    EXPECT_EQ(tx.send_timeout(1, std::chrono::nanoseconds::max()), status::ok);
    EXPECT_EQ(tx.send_timeout(2, std::chrono::hours::max()), status::ok);
    EXPECT_EQ(tx.send_until(3, std::chrono::steady_clock::time_point::max()), status::ok);
    EXPECT_EQ(tx.send_timeout(4, 10s), status::ok);
  });
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(*rx.recv_timeout(std::chrono::nanoseconds::max()), 1);
  EXPECT_EQ(*rx.recv_until(std::chrono::steady_clock::time_point::max()), 2);
  EXPECT_EQ(*rx.recv_timeout(std::chrono::hours::max()), 3);
  EXPECT_EQ(*rx.recv(), 4);
  t.join();
}

TYPED_TEST(Rendezvous, BatchesAndIterationTakeOffersOneByOne) {
  auto c = TestFixture::template make<int>();
  auto& [tx, rx] = *c;
  constexpr int n = 50;
  std::thread t([&] {
    for (int i = 1; i <= n; ++i) EXPECT_EQ(tx.send(int(i)), status::ok);
    auto gone = std::move(tx);
  });
  std::vector<int> got;
  std::vector<int> buf(8);
  while (got.size() < 20) {
    auto m = rx.recv_many(buf.begin(), buf.size());
    ASSERT_EQ(m.code, status::ok);
    ASSERT_GE(m.count, 1u);
    got.insert(got.end(), buf.begin(), buf.begin() + static_cast<long>(m.count));
  }
  for (int& v : rx) got.push_back(v);  // until the sender is gone
  t.join();
  ASSERT_EQ(got.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) EXPECT_EQ(got[static_cast<std::size_t>(i)], i + 1);
  EXPECT_EQ(rx.try_recv_many(buf.begin(), buf.size()).code, status::disconnected);
  int k = 0;
  for (int& v : rx.try_iter()) k += v;
  EXPECT_EQ(k, 0);
}

// A value whose move throws on demand: the receive rethrows and the offer
// stays (the sender is still blocked, and its value is handed over next).
struct touchy {
  static inline std::atomic<bool> fail{false};
  int v = 0;
  explicit touchy(int x) : v(x) {}
  touchy(touchy&& o) : v(o.v) {
    if (fail) throw std::runtime_error("move");
  }
};

TEST(RendezvousSpsc, AThrowingMoveOnReceiveLeavesTheOffer) {
  auto c = ch::channel<touchy>(0);
  auto& [tx, rx] = *c;
  std::atomic<bool> returned{false};
  std::thread t([&] {
    EXPECT_EQ(tx.send(touchy(5)), status::ok);
    returned = true;
  });
  touchy::fail = true;
  bool threw = false;
  ASSERT_TRUE(eventually([&] {
    try {
      return rx.try_recv().code() != status::empty;
    } catch (const std::runtime_error&) {
      threw = true;
      return true;
    }
  }));
  EXPECT_TRUE(threw);
  std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(returned.load()) << "the sender returned although nothing was received";
  touchy::fail = false;
  auto r = rx.recv_timeout(10s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->v, 5);
  t.join();
  EXPECT_TRUE(returned.load());
}

// Every value to exactly one receiver, across many senders and receivers.
TEST(RendezvousMpmc, ManyToManyExactlyOnce) {
  auto c = ch::mpmc_channel<int>(0);
  constexpr int senders = 3, receivers = 3, per = 3000;
  std::vector<std::thread> ts;
  std::vector<std::vector<int>> got(receivers);
  for (int s = 0; s < senders; ++s)
    ts.emplace_back([tx = c->tx.clone(), s]() mutable {
      for (int i = 0; i < per; ++i) {
        if (i % 3 == 0) {  // every third through try_send: it waits for a receiver in recv
          while (tx.try_send(s * per + i) == status::full) std::this_thread::yield();
        } else {
          EXPECT_EQ(tx.send(s * per + i), status::ok);
        }
      }
    });
  for (int r = 0; r < receivers; ++r)
    ts.emplace_back([rx = c->rx.clone(), &out = got[static_cast<std::size_t>(r)], r]() mutable {
      for (;;) {
        auto v = r == 0 ? rx.recv_timeout(1ms) : rx.recv();
        if (v) {
          out.push_back(*v);
        } else if (v.code() == status::disconnected) {
          return;
        }
      }
    });
  { auto a = std::move(c->tx); auto b = std::move(c->rx); }
  for (auto& t : ts) t.join();
  std::multiset<int> all;
  for (auto& g : got) all.insert(g.begin(), g.end());
  ASSERT_EQ(all.size(), static_cast<std::size_t>(senders * per));
  int want = 0;
  for (int v : all) EXPECT_EQ(v, want++);
}

}  // namespace
