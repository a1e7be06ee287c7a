// The contract beyond the memory model (production build): exceptions thrown
// by T, deadlines from 0 to max(), emptiness under contention, lifetimes,
// and the value types a user expects to work. Each test is named after the
// behaviour it shows; the scenarios come from the peers' suites (crossbeam-
// channel, Rust std's mpsc, rigtorp's SPSCQueue, atomic_queue) and upstream.
// The every-step fault injection is tests/property/contract_prop.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <sys/syscall.h>
#include <unistd.h>

#include "contract.hpp"
#include "nexus/channel/channel.hpp"
#include "nexus/logbuf/channel.hpp"
#include "nexus/logbuf/spsc.hpp"
#include "nexus/notify/event_queue.hpp"
#include "nexus/notify/event_channel.hpp"

using namespace contract;
using nexus::status;
using namespace std::chrono_literals;

namespace {

template <class R>
struct AllRingsAndChannels : ::testing::Test {};
using all_kinds = ::testing::Types<spsc_ring, mpsc_ring, spmc_ring, mpmc_ring, spsc_chan, mpsc_chan, mpmc_chan>;
TYPED_TEST_SUITE(AllRingsAndChannels, all_kinds);

template <class R>
struct AllRings : ::testing::Test {};
using ring_kinds = ::testing::Types<spsc_ring, mpsc_ring, spmc_ring, mpmc_ring>;
TYPED_TEST_SUITE(AllRings, ring_kinds);

template <class R>
struct AllChannels : ::testing::Test {};
using channel_kinds = ::testing::Types<spsc_chan, mpsc_chan, mpmc_chan>;
TYPED_TEST_SUITE(AllChannels, channel_kinds);

// ---- 1. a throwing constructor never wedges a ring ----------------------------

// The scenario: emplace(1), an emplace whose constructor throws,
// emplace(3); then 1 and 3 arrive and the ring keeps working for 1000 laps.
TYPED_TEST(AllRings, ThrowingConstructorNeverWedgesTheRing) {
  fragile::live = 0;
  {
    auto r = TypeParam::template make<fragile>(2);
    ASSERT_TRUE(r);
    auto& [tx, rx] = *r;
    ASSERT_EQ(tx.emplace(1), status::ok);
    fault::arm(1);
    EXPECT_THROW((void)tx.emplace(2), injected);
    fault::disarm();
    ASSERT_EQ(tx.emplace(3), status::ok);
    EXPECT_EQ(fragile::live, 2);
    auto a = rx.pop();
    auto b = rx.pop();
    ASSERT_TRUE(a && b) << TypeParam::name << ": a value is stuck behind the throw";
    EXPECT_EQ(a->v, 1);
    EXPECT_EQ(b->v, 3);
    EXPECT_FALSE(rx.pop());
    for (int i = 0; i < 1000; ++i) {  // every slot, many laps: never full, never empty
      ASSERT_EQ(tx.emplace(i), status::ok) << "lap " << i;
      auto v = rx.pop();
      ASSERT_TRUE(v && v->v == i) << "lap " << i;
    }
    // A throwing copy in push(const T&) leaves the caller's value and the ring as they were.
    fragile keep(7);
    fault::arm(1);
    EXPECT_THROW((void)tx.push(keep), injected);
    fault::disarm();
    EXPECT_EQ(keep.v, 7);
    EXPECT_FALSE(rx.pop());
  }
  EXPECT_EQ(fragile::live, 0) << "a value leaked or was destroyed twice";
}

// The channels: a send whose copy throws leaves the channel usable, and the
// next timed receive does not time out on a wedged slot.
TYPED_TEST(AllChannels, ThrowingSendNeverWedgesTheChannel) {
  fragile::live = 0;
  {
    auto c = TypeParam::template make<fragile>(4);
    auto& [tx, rx] = *c;
    ASSERT_EQ(tx.send(fragile(1)), status::ok);
    const fragile two(2);
    fault::arm(1);
    EXPECT_THROW((void)tx.send(two), injected);
    fault::disarm();
    ASSERT_EQ(tx.send(fragile(3)), status::ok);
    auto a = rx.recv_timeout(1s);
    auto b = rx.recv_timeout(1s);
    ASSERT_TRUE(a && b) << TypeParam::name << ": " << nexus::to_string(b.code());
    EXPECT_EQ(a->v, 1);
    EXPECT_EQ(b->v, 3);
    EXPECT_EQ(rx.recv_timeout(0ns).code(), status::timeout);
  }
  EXPECT_EQ(fragile::live, 0);
}

// ---- 2. a throwing move inside pop never loses the value ----------------------
// queue::spsc and the SPSC channel accept a T whose move may throw: the
// value stays at the head. The multi-consumer rings reject such a T at
// compile time (tests/compile: spmc_throwing_move, mpmc_throwing_move).

TEST(Spsc, ThrowingMoveInPopKeepsTheValue) {
  fragile_move::live = 0;
  {
    auto r = nexus::queue::spsc::ring_buffer<fragile_move>(2);
    auto& [tx, rx] = *r;
    ASSERT_EQ(tx.emplace(1), status::ok);
    ASSERT_EQ(tx.emplace(2), status::ok);
    fault::arm(1);
    EXPECT_THROW((void)rx.pop(), injected);
    fault::disarm();
    EXPECT_EQ(fragile_move::live, 2) << "the value is still in the ring, nothing leaked";
    EXPECT_EQ(tx.push(fragile_move(9)), status::full) << "the slot was not freed";
    auto a = rx.pop();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->v, 1) << "the value that failed to move is still the oldest";
    EXPECT_EQ(rx.pop()->v, 2);
  }
  EXPECT_EQ(fragile_move::live, 0);
}

// pop_spin is pop once a value is there: the same guarantee.
TEST(Spsc, ThrowingMoveInPopSpinKeepsTheValue) {
  fragile_move::live = 0;
  {
    auto r = nexus::queue::spsc::ring_buffer<fragile_move>(2);
    auto& [tx, rx] = *r;
    ASSERT_EQ(tx.emplace(1), status::ok);
    fault::arm(1);
    EXPECT_THROW((void)rx.pop_spin(), injected);
    fault::disarm();
    EXPECT_EQ(fragile_move::live, 1) << "the value is still in the ring, nothing leaked";
    auto a = rx.pop_spin();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->v, 1);
  }
  EXPECT_EQ(fragile_move::live, 0);
}

// push_spin constructs as push does: a throwing copy leaves the caller's value and the ring.
TEST(Spsc, ThrowingCopyInPushSpinLeavesTheRing) {
  fragile_move::live = 0;
  {
    auto r = nexus::queue::spsc::ring_buffer<fragile_move>(2);
    auto& [tx, rx] = *r;
    const fragile_move keep(7);
    fault::arm(1);
    EXPECT_THROW((void)tx.push_spin(keep), injected);
    fault::disarm();
    EXPECT_EQ(keep.v, 7);
    EXPECT_FALSE(rx.pop().has_value()) << "nothing was published";
    ASSERT_EQ(tx.push_spin(keep), status::ok);
    EXPECT_EQ(rx.pop()->v, 7);
  }
  EXPECT_EQ(fragile_move::live, 0);
}

TEST(Channel, ThrowingMoveInRecvKeepsTheValue) {
  fragile_move::live = 0;
  {
    auto c = nexus::channel::channel<fragile_move>(2);
    auto& [tx, rx] = *c;
    ASSERT_EQ(tx.send(fragile_move(1)), status::ok);
    fault::arm(1);
    EXPECT_THROW((void)rx.recv(), injected);
    fault::disarm();
    auto a = rx.try_recv();
    ASSERT_TRUE(a) << "the value that failed to move is still in the channel";
    EXPECT_EQ(a->v, 1);
  }
  EXPECT_EQ(fragile_move::live, 0);
}

// ---- noexcept follows T (rigtorp's SPSCQueue checks these) ----------------------

template <class P, class C, class T>
constexpr bool push_pop_noexcept() {
  return noexcept(std::declval<P&>().push(std::declval<T&&>())) &&
         noexcept(std::declval<P&>().push(std::declval<const T&>())) && noexcept(std::declval<P&>().emplace()) &&
         noexcept(std::declval<C&>().pop());
}
struct plain {
  int v = 0;
};
static_assert(push_pop_noexcept<nexus::queue::spsc::producer<plain>, nexus::queue::spsc::consumer<plain>, plain>());
static_assert(noexcept(std::declval<nexus::queue::spsc::producer<plain>&>().push_spin(std::declval<plain&&>())) &&
              noexcept(std::declval<nexus::queue::spsc::consumer<plain>&>().pop_spin()));
static_assert(!noexcept(std::declval<nexus::queue::spsc::consumer<fragile_move>&>().pop_spin()),
              "pop_spin's noexcept follows T's move, as pop's does");
static_assert(push_pop_noexcept<nexus::queue::mpsc::producer<plain>, nexus::queue::mpsc::consumer<plain>, plain>());
static_assert(push_pop_noexcept<nexus::queue::spmc::producer<plain>, nexus::queue::spmc::consumer<plain>, plain>());
static_assert(push_pop_noexcept<nexus::queue::mpmc::producer<plain>, nexus::queue::mpmc::consumer<plain>, plain>());
static_assert(!noexcept(std::declval<nexus::queue::mpsc::producer<fragile>&>().emplace(1)),
              "a throwing constructor is not noexcept");
static_assert(!noexcept(std::declval<nexus::queue::mpmc::producer<fragile>&>().push(std::declval<const fragile&>())));
static_assert(noexcept(std::declval<nexus::queue::mpmc::producer<fragile>&>().push(std::declval<fragile&&>())),
              "fragile's move is noexcept");
static_assert(!noexcept(std::declval<nexus::queue::spsc::consumer<fragile_move>&>().pop()),
              "a throwing move makes spsc pop potentially throwing");
static_assert(!noexcept(std::declval<nexus::queue::spsc::producer<fragile_move>&>().push(std::declval<fragile_move&&>())));
static_assert(noexcept(std::declval<nexus::queue::spsc::consumer<fragile>&>().pop()));

// ---- 3. deadlines never overflow -------------------------------------------------

// Durations whose deadline the clock cannot represent: each must wait for
// ever, i.e. until the peer acts (50 ms later), never time out at once.
template <class F>
void expect_waits_for_peer(F&& timed_call, std::function<void()> peer, const char* what) {
  std::thread t([&] {
    std::this_thread::sleep_for(50ms);
    peer();
  });
  const auto t0 = std::chrono::steady_clock::now();
  const status st = timed_call();
  const auto waited = std::chrono::steady_clock::now() - t0;
  t.join();
  EXPECT_EQ(st, status::ok) << what;
  EXPECT_GE(waited, 40ms) << what << ": returned before the peer acted";
}

TYPED_TEST(AllChannels, DeadlinesNeverOverflow) {
  using clock = std::chrono::steady_clock;
  const auto just_below = [] {  // now + d is the largest representable time point
    return std::chrono::nanoseconds(clock::time_point::max() - clock::now()) - 1ms;
  };
  // Receive: max() and just below, hours::max(), a huge floating duration.
  for (int k = 0; k < 4; ++k) {
    auto c = TypeParam::template make<int>(2);
    auto& [tx, rx] = *c;
    expect_waits_for_peer(
        [&] {
          switch (k) {
            case 0: return rx.recv_timeout(std::chrono::nanoseconds::max()).code();
            case 1: return rx.recv_timeout(just_below()).code();
            case 2: return rx.recv_timeout(std::chrono::hours::max()).code();
            default: return rx.recv_timeout(std::chrono::duration<double>(1e300)).code();
          }
        },
        [&] { ASSERT_EQ(tx.send(1), status::ok); }, "recv_timeout");
  }
  // Send on a full channel: max() and just below.
  for (int k = 0; k < 2; ++k) {
    auto c = TypeParam::template make<int>(1);
    auto& [tx, rx] = *c;
    while (tx.try_send(0) == status::ok) {
    }
    expect_waits_for_peer(
        [&] { return k == 0 ? tx.send_timeout(1, std::chrono::nanoseconds::max()) : tx.send_timeout(1, just_below()); },
        [&] { ASSERT_TRUE(rx.recv()); }, "send_timeout");
  }
  // 0, 1 ns, negative: one attempt, then timeout, promptly.
  auto c = TypeParam::template make<int>(1);
  auto& [tx, rx] = *c;
  const auto t0 = clock::now();
  EXPECT_EQ(rx.recv_timeout(0ns).code(), status::timeout);
  EXPECT_EQ(rx.recv_timeout(1ns).code(), status::timeout);
  EXPECT_EQ(rx.recv_timeout(-5s).code(), status::timeout);
  ASSERT_EQ(tx.send(1), status::ok);
  EXPECT_EQ(tx.send_timeout(2, 0ns), status::timeout);
  EXPECT_EQ(tx.send_timeout(2, 1ns), status::timeout);
  EXPECT_EQ(tx.send_timeout(2, std::chrono::seconds::min()), status::timeout);
  EXPECT_LT(clock::now() - t0, 1s) << "zero and tiny deadlines must not wait";
}

TEST(EventChannel, DeadlinesNeverOverflow) {
  using namespace nexus::notify;
  for (int k = 0; k < 2; ++k) {
    auto c = event_channel(4);
    auto& [tx, rx] = *c;
    events ev = events::with_capacity(4);
    expect_waits_for_peer(
        [&] {
          return k == 0 ? rx.recv_timeout(ev, std::chrono::nanoseconds::max())
                        : rx.recv_timeout(ev, std::chrono::hours::max());
        },
        [&] { ASSERT_EQ(tx.notify(token(1)), status::ok); }, "event recv_timeout");
    EXPECT_EQ(ev.size(), 1u);
    EXPECT_EQ(rx.recv_timeout(ev, 0ns), status::timeout);
    EXPECT_EQ(rx.recv_timeout(ev, 1ns), status::timeout);
  }
}

template <class Make>
void byte_channel_deadlines(Make make) {
  for (int k = 0; k < 2; ++k) {
    auto c = make();
    auto& [tx, rx] = *c;
    expect_waits_for_peer(
        [&] {
          auto r = k == 0 ? rx.recv_timeout(std::chrono::nanoseconds::max()) : rx.recv_timeout(std::chrono::hours::max());
          return r.code();
        },
        [&] {
          auto w = tx.try_send(8);
          ASSERT_TRUE(w);
          w.commit();
        },
        "byte recv_timeout");
    while (auto w = tx.try_send(8)) w.commit();  // full
    expect_waits_for_peer([&] { return tx.send_timeout(8, std::chrono::nanoseconds::max()).code(); },
                          [&] { ASSERT_TRUE(rx.recv()); }, "byte send_timeout");
    EXPECT_EQ(tx.send_timeout(8, 0ns).code(), status::timeout);
    EXPECT_EQ(tx.send_timeout(8, 1ns).code(), status::timeout);
  }
}
TEST(LogbufChannel, DeadlinesNeverOverflow) {
  byte_channel_deadlines([] { return nexus::logbuf::channel::spsc::channel(256); });
  byte_channel_deadlines([] { return nexus::logbuf::channel::mpsc::channel(256); });
}

// ---- 4. "empty" never while holding a value this thread sent (F11) ---------------
// crossbeam's `linearizable` test in its deterministic form: producer A's
// move into its claimed slot is held open (a gate) while thread B pushes
// its own value behind it and then pops. The head slot is A's, claimed and
// not yet published; B's pop must wait for it, not report empty. The gate
// opens 50 ms later from a third thread.

struct gated {
  static inline std::atomic<bool> in_move{false}, open{false};
  int v;
  bool gate;
  gated(int x, bool g) noexcept : v(x), gate(g) {}
  gated(gated&& o) noexcept : v(o.v), gate(false) {
    if (!o.gate) return;
    in_move.store(true);  // seq_cst: a test flag
    while (!open.load()) std::this_thread::yield();
  }
};

template <class MakeEnds>
void pop_after_own_push(MakeEnds make) {
  auto ends = make();
  auto& tx = ends.tx;
  auto& rx = ends.rx;
  gated::in_move = false;
  gated::open = false;
  auto second = tx.clone();
  std::thread a([&] { ASSERT_EQ(put(tx, gated(1, true)), status::ok); });
  while (!gated::in_move.load()) std::this_thread::yield();  // A has claimed the head slot
  ASSERT_EQ(put(second, gated(2, false)), status::ok);      // B's own push, behind it, completes
  std::thread opener([] {
    std::this_thread::sleep_for(50ms);
    gated::open = true;
  });
  auto v = get(rx);  // B's pop
  opener.join();
  a.join();
  ASSERT_TRUE(v) << "empty although this thread's own push had completed (F11)";
  EXPECT_EQ(v->v, 1) << "FIFO: A's value, claimed first";
  EXPECT_EQ(get(rx)->v, 2);
}

TEST(Mpsc, PopAfterOwnPushNeverReportsEmpty) {  // F11
  pop_after_own_push([] { return std::move(*nexus::queue::mpsc::ring_buffer<gated>(4)); });
}
TEST(Mpmc, PopAfterOwnPushNeverReportsEmpty) {  // F11
  pop_after_own_push([] { return std::move(*nexus::queue::mpmc::ring_buffer<gated>(4)); });
}
TEST(MpscChannel, TryRecvAfterOwnSendNeverReportsEmpty) {  // F11
  pop_after_own_push([] { return std::move(*nexus::channel::mpsc_channel<gated>(4)); });
}
TEST(MpmcChannel, TryRecvAfterOwnSendNeverReportsEmpty) {  // F11
  pop_after_own_push([] { return std::move(*nexus::channel::mpmc_channel<gated>(4)); });
}

// ---- 5. values nobody can receive any more go with the last receiver ------------

TYPED_TEST(AllRingsAndChannels, ValuesAreDestroyedWhenTheLastReceiverGoes) {
  fragile::live = 0;
  auto r = TypeParam::template make<fragile>(4);
  auto& [tx, rx] = *r;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(put(tx, fragile(i)), status::ok);
  ASSERT_EQ(fragile::live, 3);
  if constexpr (requires { rx.clone(); }) {
    auto rx2 = rx.clone();
    { auto gone = std::move(rx); }
    EXPECT_EQ(fragile::live, 3) << "a receiver remains: nothing is destroyed yet";
    { auto gone = std::move(rx2); }
  } else {
    auto gone = std::move(rx);
  }
  EXPECT_EQ(fragile::live, 0) << TypeParam::name << ": values outlived the last receiver";
  EXPECT_TRUE(tx.valid()) << "the sender still holds its handle";
}

TYPED_TEST(AllChannels, ValuesSentAsTheLastReceiverGoesAreDestroyed) {
  for (int round = 0; round < 200; ++round) {
    fragile::live = 0;
    auto c = TypeParam::template make<fragile>(4);
    auto& [tx, rx] = *c;
    std::thread s([&] {
      for (int i = 0; i < 50; ++i) {
        const status st = tx.try_send(fragile(i));
        if (st == status::disconnected) break;
      }
    });
    std::this_thread::yield();
    { auto gone = std::move(rx); }
    s.join();
    ASSERT_EQ(fragile::live, 0) << "round " << round << ": a value sent as the receiver left outlived it";
  }
}

// ---- 6. a blocked byte sender is given freed space ----------------------------------
// 4096 bytes hold 256 records of 8 bytes (spsc: 255, a claim also needs the
// next header's 8 bytes: format.hpp WHO ZEROES); the ring is filled, a
// sender blocks in send_timeout(8, 600ms); the receiver takes one record at
// ~100 ms and then waits for that sender (request/response). The sender
// must succeed.

template <class Make>
void receive_one_then_wait(Make make, int fits) {
  auto c = make();
  auto& [tx, rx] = *c;
  for (int i = 0; i < fits; ++i) {
    auto w = tx.try_send(8);
    ASSERT_TRUE(w) << i;
    w.commit();
  }
  ASSERT_EQ(tx.try_send(8).code(), status::full);
  status got = status::empty;
  std::thread s([&] {
    auto w = tx.send_timeout(8, 600ms);
    got = w.code();
  });
  std::this_thread::sleep_for(100ms);
  { ASSERT_TRUE(rx.recv()); }  // one record, consumed
  s.join();                    // wait for the sender, freeing nothing more
  EXPECT_EQ(got, status::ok) << "the blocked sender was not given the freed space";
}
TEST(LogbufChannel, BlockedSenderIsGivenFreedSpace) {
  receive_one_then_wait([] { return nexus::logbuf::channel::spsc::channel(4096); }, 255);
  receive_one_then_wait([] { return nexus::logbuf::channel::mpsc::channel(4096); }, 256);
}

// ---- 7. the value types users expect ------------------------------------------------

template <class R, class T, class Make>
void round_trip(Make value) {
  auto r = R::template make<T>(2);
  ASSERT_TRUE(r);
  auto& [tx, rx] = *r;
  for (int lap = 0; lap < 5; ++lap) {
    if constexpr (requires(decltype(tx)& t) { t.try_send(value(1)); }) {
      ASSERT_EQ(tx.try_send(value(lap)), status::ok);
      ASSERT_EQ(tx.send(value(lap + 1)), status::ok);
      auto a = rx.recv();
      auto b = rx.try_recv();
      ASSERT_TRUE(a && b);
    } else {
      ASSERT_EQ(tx.push(value(lap)), status::ok);
      ASSERT_EQ(tx.emplace(value(lap + 1)), status::ok);
      ASSERT_TRUE(rx.pop());
      ASSERT_TRUE(rx.pop());
    }
  }
}
TYPED_TEST(AllRingsAndChannels, NonAssignableAndCopyOnlyTypesWork) {
  round_trip<TypeParam, frozen>([](int v) { return frozen(v); });
  auto s = std::make_shared<int>(4);
  auto lambda = [s](int x) { return *s + x; };  // capturing: not assignable
  round_trip<TypeParam, decltype(lambda)>([&](int) { return lambda; });
  if constexpr (requires { TypeParam::template make<copy_only>(1); }) {
    auto r = TypeParam::template make<copy_only>(2);
    auto& [tx, rx] = *r;
    const copy_only v(3);
    ASSERT_EQ(put_copy(tx, v), status::ok);
    auto got = get(rx);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->v, 3);
  }
}

TEST(Channel, IteratesOverNonAssignableValues) {
  auto c = nexus::channel::mpsc_channel<frozen>(4);
  {
    auto tx = std::move(c->tx);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(tx.send(frozen(i)), status::ok);
  }
  int n = 0;
  for (const frozen& f : c->rx) EXPECT_EQ(f.v, n++);
  EXPECT_EQ(n, 3);
}

// ---- 8. no system call on a path that does not wait ------------------------------
std::atomic<long> yields{0};  // calls of the interposed sched_yield (below)

// sched_yield is interposed below (the executable's definition wins over
// libc's for every caller in the process, std::this_thread::yield
// included) and counted. Rings, try_* on the channels, notify / poll and
// the byte rings' claims, on full and empty structures as well, and send /
// recv on a channel that need not wait, must never reach it: upstream's
// "never syscalls" senders yielded through their backoff (F13).
TEST(NonBlockingPaths, NeverYield) {  // F13
  yields = 0;
  std::this_thread::yield();
  ASSERT_EQ(yields.load(), 1) << "the interposed sched_yield is not the one called: this test could not fail";
  yields = 0;
  {
    auto r = nexus::queue::spsc::ring_buffer<int>(2);
    auto m = nexus::queue::mpsc::ring_buffer<int>(2);
    auto p = nexus::queue::spmc::ring_buffer<int>(2);
    auto q = nexus::queue::mpmc::ring_buffer<int>(2);
    auto cycle = [](auto& e) {
      for (int lap = 0; lap < 3; ++lap) {
        while (e.tx.push(lap) == status::ok) {
        }
        EXPECT_EQ(e.tx.push(lap), status::full);
        while (e.rx.pop()) {
        }
        EXPECT_FALSE(e.rx.pop());
      }
    };
    cycle(*r), cycle(*m), cycle(*p), cycle(*q);
  }
  {
    auto c = nexus::channel::mpmc_channel<int>(2);
    auto& [tx, rx] = *c;
    for (int lap = 0; lap < 3; ++lap) {
      ASSERT_EQ(tx.send(1), status::ok);  // room: no wait
      while (tx.try_send(2) == status::ok) {
      }
      EXPECT_EQ(tx.try_send(3), status::full);
      ASSERT_TRUE(rx.recv());  // a value: no wait
      while (rx.try_recv()) {
      }
      EXPECT_EQ(rx.try_recv().code(), status::empty);
    }
  }
  {
    auto q = nexus::notify::event_queue(4);
    auto& [n, p] = *q;
    nexus::notify::events ev;
    for (int lap = 0; lap < 3; ++lap) {
      for (std::size_t t = 0; t < 4; ++t) ASSERT_EQ(n.notify(nexus::notify::token(t)), status::ok);
      ASSERT_EQ(n.notify(nexus::notify::token(0)), status::ok);  // conflated
      p.poll(ev);
      EXPECT_EQ(ev.size(), 4u);
      p.poll(ev);
      EXPECT_TRUE(ev.empty());
    }
  }
  {
    auto b = nexus::logbuf::spsc::ring_buffer(64);
    auto& [tx, rx] = *b;
    for (int lap = 0; lap < 3; ++lap) {
      for (;;) {
        auto w = tx.try_claim(8);
        if (!w) break;
        w.commit();
      }
      EXPECT_EQ(tx.try_claim(8).code(), status::full);
      for (;;) {
        auto rc = rx.try_claim();
        if (!rc) break;
        rc.consume();
      }
      EXPECT_EQ(rx.try_claim().code(), status::empty);
    }
  }
  EXPECT_EQ(yields.load(), 0) << "a path that does not wait called sched_yield";
}

// The stamps of the stamped rings are 64-bit (F5: no wrap in reach).
static_assert(sizeof(nexus::queue::detail::stamped_slot<int, nexus::std_sync>::seq) == 8);

}  // namespace

extern "C" int sched_yield() noexcept {
  yields.fetch_add(1, std::memory_order_relaxed);
  return static_cast<int>(::syscall(SYS_sched_yield));
}
