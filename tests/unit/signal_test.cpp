// Signals delivered to threads blocked in futex waits (issue 17, item 2):
// a no-op SIGUSR1 handler is installed without SA_RESTART, so each signal
// makes the blocked futex wait return early (EINTR), which is also the
// practical form of a spurious wakeup. A thread blocked in recv / send /
// recv_timeout on every kind of channel is sent a signal storm (one every
// 200 us for 150 ms): an untimed wait must keep waiting and then take what
// its peer hands it; a timed wait must neither end early nor miss its
// peer. Own executable: it installs a process-wide signal handler.
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "nexus/channel/channel.hpp"
#include "nexus/logbuf/channel.hpp"
#include "nexus/notify/event_channel.hpp"

using nexus::status;
using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace {

std::atomic<long> delivered{0};
extern "C" void on_signal(int) { delivered.fetch_add(1, std::memory_order_relaxed); }

struct handler {
  handler() {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;  // no SA_RESTART: a blocked futex returns EINTR
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, nullptr);
  }
};

// Runs `blocked` on a thread, storms it with SIGUSR1 for `storm`, then runs
// `release` (the peer's move, or nothing) and joins.
template <class Blocked, class Release>
void under_signals(Blocked blocked, Release release, std::chrono::milliseconds storm = 150ms) {
  static handler h;
  std::atomic<bool> started{false}, done{false};
  std::thread t([&] {
    started = true;
    blocked();
    done = true;
  });
  while (!started) std::this_thread::yield();
  const long before = delivered.load();
  const auto end = clk::now() + storm;
  while (clk::now() < end && !done) {
    pthread_kill(t.native_handle(), SIGUSR1);
    std::this_thread::sleep_for(200us);
  }
  EXPECT_FALSE(done.load()) << "the wait ended during the signal storm";
  EXPECT_GT(delivered.load() - before, 10) << "the signals did not reach the thread: this test could not fail";
  release();
  t.join();
}

TEST(Signals, BlockedReceiversKeepWaitingThroughEintr) {
  {
    auto c = nexus::channel::mpmc_channel<int>(2, 0);  // spins 0: park at once
    auto& [tx, rx] = *c;
    status got = status::empty;
    int v = 0;
    under_signals([&] { auto r = rx.recv(); got = r.code(); if (r) v = *r; },
                  [&] { ASSERT_EQ(tx.send(42), status::ok); });
    EXPECT_EQ(got, status::ok);
    EXPECT_EQ(v, 42);
  }
  {
    auto c = nexus::channel::channel<int>(2, 0);
    auto& [tx, rx] = *c;
    status got = status::empty;
    under_signals([&] { got = rx.recv_timeout(10s).code(); }, [&] { ASSERT_EQ(tx.send(7), status::ok); });
    EXPECT_EQ(got, status::ok);
  }
  {
    auto c = nexus::logbuf::channel::mpsc::channel(256, 0);
    auto& [tx, rx] = *c;
    status got = status::empty;
    under_signals([&] { auto r = rx.recv_timeout(10s); got = r.code(); if (r) r.consume(); },
                  [&] {
                    auto w = tx.try_send(8);
                    ASSERT_TRUE(w);
                    w.commit();
                  });
    EXPECT_EQ(got, status::ok);
  }
  {
    auto c = nexus::notify::event_channel(4, 0);
    auto& [tx, rx] = *c;
    nexus::notify::events ev;
    status got = status::empty;
    under_signals([&] { got = rx.recv(ev); }, [&] { ASSERT_EQ(tx.notify(nexus::notify::token(3)), status::ok); });
    EXPECT_EQ(got, status::ok);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].index(), 3u);
  }
}

TEST(Signals, BlockedSendersKeepWaitingThroughEintr) {
  {
    auto c = nexus::channel::mpsc_channel<int>(1, 0);
    auto& [tx, rx] = *c;
    ASSERT_EQ(tx.try_send(1), status::ok);  // full
    status got = status::empty;
    under_signals([&] { got = tx.send(2); }, [&] { ASSERT_TRUE(rx.recv()); });
    EXPECT_EQ(got, status::ok);
    auto r = rx.recv();
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 2);
  }
  {
    auto c = nexus::logbuf::channel::spsc::channel(4096, 0);
    auto& [tx, rx] = *c;
    // Full: 255 records of 8 bytes (footprint 16) and the next header's 8
    // bytes (logbuf/format.hpp WHO ZEROES).
    for (int i = 0; i < 255; ++i) {
      auto w = tx.try_send(8);
      ASSERT_TRUE(w) << i;
      w.commit();
    }
    status got = status::empty;
    under_signals([&] { auto w = tx.send_timeout(8, 10s); got = w.code(); if (w) w.commit(); },
                  [&] {
                    auto r = rx.try_recv();
                    ASSERT_TRUE(r);
                    r.consume();
                  });
    EXPECT_EQ(got, status::ok);
  }
}

TEST(Signals, TimedWaitsNeitherEndEarlyNorLate) {
  static handler h;
  auto c = nexus::channel::channel<int>(2, 0);
  auto& [tx, rx] = *c;
  status got = status::ok;
  clk::duration took{};
  std::atomic<bool> done{false};
  std::thread t([&] {
    const auto t0 = clk::now();
    got = rx.recv_timeout(120ms).code();
    took = clk::now() - t0;
    done = true;
  });
  const long before = delivered.load();
  while (!done) {
    pthread_kill(t.native_handle(), SIGUSR1);
    std::this_thread::sleep_for(200us);
  }
  t.join();
  EXPECT_GT(delivered.load() - before, 10);
  EXPECT_EQ(got, status::timeout);
  EXPECT_GE(took, 120ms) << "a signal ended the timed wait early";
  EXPECT_LT(took, 5s) << "the timed wait overran its deadline by far";
}

}  // namespace
