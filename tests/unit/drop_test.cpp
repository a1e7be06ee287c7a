// A peer dropped at every point of a blocked wait (issue 17, item 2), with
// real threads. The blocking calls run over `hooked_sync`: std_sync with a
// hook before every atomic access the waiting thread makes (each load,
// store and read-modify-write of the rings, the channels, the waitsets and
// the parker, and the byte rings' header words), before every fence, every
// spin pause and yield of the backoff, and before the futex wait of the
// park. Those are the wait's steps (sync/blocking.hpp: try, back off,
// prepare, re-check, park); they come in the same order every time, as the
// peer does nothing until told.
//
// For each blocking call the test first counts the steps up to the park
// (the peer drops once the waiter is in its futex wait), then, for every K
// from 0 (the peer is gone before the call) to that count, runs the call
// again with the peer dropped at step K: the waiting thread stops at step K
// until the drop has completed (at the park step it goes on into the futex
// wait, racing the drop's wake). Each time the call must end, with:
//  * a sender blocked on a full ring, the receiver dropped: disconnected,
//    the value still the caller's; the ring's values destroyed (no leak);
//  * a receiver blocked on an empty ring, the sender sending one last value
//    and dropping: that value (F1), then disconnected; or the sender just
//    dropping: disconnected.
// The typed channels (spsc, mpsc, mpmc), untimed and with a deadline; the
// byte channels (spsc, mpsc); event_channel's receiver. Spins 0 (park after
// the first attempt) and 3 (the backoff's pauses and yields as well).
// Own executable: the hook's state is process-wide.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "nexus/channel/channel.hpp"
#include "nexus/logbuf/channel.hpp"
#include "nexus/notify/event_channel.hpp"

using nexus::status;
using namespace std::chrono_literals;

namespace {

struct hook_state {
  std::atomic<unsigned> target{0};  // the step at which the peer drops; 0: the calibration run
  std::atomic<unsigned> steps{0};   // steps the waiting thread has taken
  std::atomic<unsigned> park_step{0};  // the step of the first futex wait
  std::atomic<bool> go{false};      // the waiter reached the target step (or parked, calibrating)
  std::atomic<bool> done{false};    // the peer's drop has completed
};
hook_state hs;
thread_local bool waiting_thread = false;

void step(bool parking) noexcept;

// std::atomic with the hook before each access (same layout: the futex
// word is handed to the kernel by address).
template <class T>
struct hooked_atomic : std::atomic<T> {
  using base = std::atomic<T>;
  using base::base;
  template <class... A>
  T load(A... mo) const noexcept {
    step(false);
    return base::load(mo...);
  }
  template <class... A>
  void store(T v, A... mo) noexcept {
    step(false);
    base::store(v, mo...);
  }
  template <class... A>
  T exchange(T v, A... mo) noexcept {
    step(false);
    return base::exchange(v, mo...);
  }
  template <class... A>
  bool compare_exchange_strong(T& e, T v, A... mo) noexcept {
    step(false);
    return base::compare_exchange_strong(e, v, mo...);
  }
  template <class... A>
  bool compare_exchange_weak(T& e, T v, A... mo) noexcept {
    step(false);
    return base::compare_exchange_weak(e, v, mo...);
  }
  template <class... A>
  T fetch_add(T v, A... mo) noexcept {
    step(false);
    return base::fetch_add(v, mo...);
  }
  template <class... A>
  T fetch_sub(T v, A... mo) noexcept {
    step(false);
    return base::fetch_sub(v, mo...);
  }
};

struct hooked_sync : nexus::std_sync {
  template <class T>
  using atomic = hooked_atomic<T>;
  using futex_word = hooked_atomic<int>;
  template <class W>
  struct word_buffer : std_sync::word_buffer<W> {
    using std_sync::word_buffer<W>::word_buffer;
    W load_word(std::size_t off, std::memory_order mo) const noexcept {
      step(false);
      return std_sync::word_buffer<W>::load_word(off, mo);
    }
    void store_word(std::size_t off, W v, std::memory_order mo) noexcept {
      step(false);
      std_sync::word_buffer<W>::store_word(off, v, mo);
    }
  };
  static void fence(std::memory_order mo) noexcept {
    step(false);
    std_sync::fence(mo);
  }
  static void fence_light(std::memory_order mo) noexcept {
    step(false);
    std_sync::fence_light(mo);
  }
  static void fence_heavy(std::memory_order mo) noexcept {
    step(false);
    std_sync::fence_heavy(mo);
  }
  static void spin_pause() noexcept {
    step(false);
    std_sync::spin_pause();
  }
  static void yield() noexcept {
    step(false);
    std_sync::yield();
  }
  static void futex_wait(futex_word& w, int expected) noexcept {
    step(true);
    std_sync::futex_wait(w, expected);
  }
  static bool futex_wait_until(futex_word& w, int expected, clock::time_point deadline) noexcept {
    step(true);
    return std_sync::futex_wait_until(w, expected, deadline);
  }
  static void futex_wake_one(futex_word& w) noexcept { std_sync::futex_wake_one(w); }
  static void futex_wake_all(futex_word& w) noexcept { std_sync::futex_wake_all(w); }
};

void step(bool parking) noexcept {
  if (!waiting_thread) return;
  const unsigned n = hs.steps.fetch_add(1) + 1;
  if (parking && hs.park_step.load() == 0) hs.park_step.store(n);
  const unsigned t = hs.target.load();
  if (t == n || (t == 0 && parking)) {
    hs.go.store(true);
    if (!parking)
      while (!hs.done.load()) std::this_thread::yield();  // the drop lands here
  }
}

// The values: every one made is counted until destroyed, so a trial can
// check that none outlives its channel (ASan would report the leak too).
std::atomic<int> live{0};
struct forget {
  void operator()(int* p) const noexcept {
    live.fetch_sub(1);
    delete p;
  }
};
using value = std::unique_ptr<int, forget>;
value make_value(int v) {
  live.fetch_add(1);
  return value(new int(v));
}

// One trial: `arrange()` makes a fresh channel and returns {the peer's drop,
// the blocked call}; the drop runs on its own thread at step `k` (k == 0:
// before the call; k == ~0u: calibrate). Returns the steps the call took up
// to its first park (calibration) and checks the call's outcome itself.
template <class Arrange>
unsigned trial(Arrange arrange, unsigned k) {
  hs.steps = 0;
  hs.park_step = 0;
  hs.go = false;
  hs.done = false;
  hs.target = k == ~0u ? 0 : k;
  {
  auto [drop, call] = arrange(k);
  std::atomic<bool> finished{false};
  std::thread peer;
  if (k == 0) {
    drop();
    hs.done = true;
  } else {
    peer = std::thread([&drop, &finished, k] {
      while (!hs.go.load()) std::this_thread::yield();
      drop();
      hs.done = true;
      // A lost wake-up would leave the call blocked for ever: say where.
      const auto limit = std::chrono::steady_clock::now() + 20s;
      while (!finished.load()) {
        if (std::chrono::steady_clock::now() > limit) {
          if (k == ~0u) std::fprintf(stderr, "FAILED: the blocked call never returned after the peer's drop while it was parked\n");
          else std::fprintf(stderr, "FAILED: the blocked call never returned after the peer's drop at step %u\n", k);
          std::_Exit(1);
        }
        std::this_thread::sleep_for(1ms);
      }
    });
  }
  waiting_thread = true;
  call();
  waiting_thread = false;
  finished = true;
  hs.go = true;  // a call that ended without parking (a failure reported below) releases the peer
  if (peer.joinable()) peer.join();
  if (k != 0 && k != ~0u && hs.steps.load() < k) {
    ADD_FAILURE() << "the call ended at step " << hs.steps.load() << ", before step " << k;
  }
  }  // the channel is gone: every value it held destroyed
  EXPECT_EQ(live.load(), 0) << "a value outlived its channel";
  live = 0;
  return hs.park_step.load();
}

// Every point: calibrate, then k = 0 .. the park step.
template <class Arrange>
void every_point(Arrange arrange) {
  const unsigned park = trial(arrange, ~0u);
  ASSERT_GT(park, 0u) << "the calibration run never parked";
  for (unsigned k = 0; k <= park; ++k) {
    SCOPED_TRACE(testing::Message() << "dropped at step " << k << " of " << park);
    trial(arrange, k);
    if (testing::Test::HasFatalFailure()) return;
  }
}

template <class Make>
void typed_channel_cases(Make make) {
  for (unsigned spins : {0u, 3u}) {
    SCOPED_TRACE(testing::Message() << "spins " << spins);
    for (bool timed : {false, true}) {
      SCOPED_TRACE(timed ? "with a deadline" : "untimed");
      // A sender blocked on a full ring; the receiver dropped. A drop that
      // lands after the send's disconnect check but before its push (the
      // drop frees the ring) lets the send complete: ok, and the value is
      // destroyed as an orphan (channel.hpp ORPHANS), as a send just before
      // the drop would be. Otherwise disconnected, the value untouched.
      every_point([&](unsigned k) {
        auto c = std::make_shared<decltype(make(spins))>(make(spins));
        EXPECT_EQ((*c)->tx.send(make_value(1)), status::ok);  // capacity 1: now full
        auto drop = [c] { auto gone = std::move((*c)->rx); };
        auto call = [c, timed, k] {
          value v = make_value(2);
          const status s = timed ? (*c)->tx.send_timeout(std::move(v), 1h) : (*c)->tx.send(std::move(v));
          if (k == 0 || s != status::ok) {
            EXPECT_EQ(s, status::disconnected);
            ASSERT_TRUE(v) << "the value was taken although the send failed";
            EXPECT_EQ(*v, 2);
          } else {
            EXPECT_FALSE(v);
          }
        };
        return std::pair{drop, call};
      });
      // A receiver blocked on an empty ring; the sender sends a last value
      // and drops (F1), or just drops.
      for (bool last_value : {true, false}) {
        SCOPED_TRACE(last_value ? "a last value, then the drop" : "just the drop");
        every_point([&](unsigned) {
          auto c = std::make_shared<decltype(make(spins))>(make(spins));
          auto drop = [c, last_value] {
            auto tx = std::move((*c)->tx);
            if (last_value) {
              EXPECT_EQ(tx.send(make_value(7)), status::ok);
            }
          };
          auto call = [c, timed, last_value] {
            auto r = timed ? (*c)->rx.recv_timeout(1h) : (*c)->rx.recv();
            if (last_value) {
              ASSERT_EQ(r.code(), status::ok) << "the last value was lost";
              EXPECT_EQ(**r, 7);
              r = (*c)->rx.recv();
            }
            EXPECT_EQ(r.code(), status::disconnected);
          };
          return std::pair{drop, call};
        });
      }
    }
  }
}

// H1 (a drop wakes a parked peer), F1 (the last value before the drop).
TEST(DropAtEveryPoint, SpscChannel) {
  typed_channel_cases([](unsigned spins) { return nexus::channel::channel<value, hooked_sync>(1, spins); });
}
TEST(DropAtEveryPoint, MpscChannel) {
  typed_channel_cases([](unsigned spins) { return nexus::channel::mpsc_channel<value, hooked_sync>(1, spins); });
}
TEST(DropAtEveryPoint, MpmcChannel) {
  typed_channel_cases([](unsigned spins) { return nexus::channel::mpmc_channel<value, hooked_sync>(1, spins); });
}

template <class Make>
void byte_channel_cases(Make make) {
  for (unsigned spins : {0u, 3u}) {
    SCOPED_TRACE(testing::Message() << "spins " << spins);
    // A sender blocked on a full ring; the receiver dropped.
    every_point([&](unsigned) {
      auto c = std::make_shared<decltype(make(spins))>(make(spins));
      for (;;) {  // fill the ring
        auto w = (*c)->tx.try_send(8);
        if (!w) break;
        w.commit();
      }
      auto drop = [c] { auto gone = std::move((*c)->rx); };
      auto call = [c] {
        auto w = (*c)->tx.send(8);
        EXPECT_EQ(w.code(), status::disconnected);
      };
      return std::pair{drop, call};
    });
    // A receiver blocked on an empty ring; the sender commits a last record
    // and drops (F1).
    every_point([&](unsigned) {
      auto c = std::make_shared<decltype(make(spins))>(make(spins));
      auto drop = [c] {
        auto tx = std::move((*c)->tx);
        auto w = tx.send(8);
        ASSERT_TRUE(w);
        w.data()[0] = 42;
        w.commit();
      };
      auto call = [c] {
        {
          auto r = (*c)->rx.recv();
          ASSERT_EQ(r.code(), status::ok) << "the last record was lost";
          EXPECT_EQ(r.data()[0], 42);
        }
        EXPECT_EQ((*c)->rx.recv().code(), status::disconnected);
      };
      return std::pair{drop, call};
    });
  }
}

// H1, F1, for the byte channels.
TEST(DropAtEveryPoint, SpscByteChannel) {
  byte_channel_cases([](unsigned spins) { return nexus::logbuf::channel::spsc::channel<hooked_sync>(64, spins); });
}
TEST(DropAtEveryPoint, MpscByteChannel) {
  byte_channel_cases([](unsigned spins) { return nexus::logbuf::channel::mpsc::channel<hooked_sync>(64, spins); });
}

// H1, F1, F7 (event_channel's disconnect).
TEST(DropAtEveryPoint, EventChannel) {
  for (unsigned spins : {0u, 3u}) {
    SCOPED_TRACE(testing::Message() << "spins " << spins);
    for (bool last_event : {true, false}) {
      every_point([&](unsigned) {
        auto c = std::make_shared<decltype(nexus::notify::event_channel<hooked_sync>(4, spins))>(
            nexus::notify::event_channel<hooked_sync>(4, spins));
        auto drop = [c, last_event] {
          auto tx = std::move((*c)->tx);
          if (last_event) {
            EXPECT_EQ(tx.notify(nexus::notify::token(3)), status::ok);
          }
        };
        auto call = [c, last_event] {
          nexus::notify::events ev;
          if (last_event) {
            ASSERT_EQ((*c)->rx.recv(ev), status::ok) << "the last event was lost";
            ASSERT_EQ(ev.size(), 1u);
            EXPECT_EQ(ev.begin()->index(), 3u);
          }
          EXPECT_EQ((*c)->rx.recv(ev), status::disconnected);
        };
        return std::pair{drop, call};
      });
    }
  }
}

}  // namespace
