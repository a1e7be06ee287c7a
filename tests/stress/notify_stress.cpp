// Stress for the sanitizer presets: event_queue with 3 notifiers racing a
// poller on few tokens (H2 at capacity == tokens), and event_channel
// ping-pong plus park/unpark churn with spins 0 (every wait parks), and
// disconnect while the receiver is parked. Exits non-zero on overflow, a lost
// event or a hang (each phase is bounded).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "nexus/notify/event_channel.hpp"

using namespace nexus::notify;
using nexus::status;

#define NEXUS_STRESS_NAME "stress_notify"
#include "check.hpp"

static void queue_race() {
  auto q = event_queue(4);
  std::vector<std::thread> ts;
  for (int p = 0; p < 3; ++p)
    ts.emplace_back([n = q->tx.clone(), p]() mutable {
      for (int r = 0; r < 20000; ++r) CHECK(n.notify(token((r + p) % 4)) == status::ok, "notify overflowed");
    });
  { auto gone = std::move(q->tx); }
  events ev = events::with_capacity(4);
  bool seen[4] = {};
  for (;;) {
    q->rx.poll(ev);
    for (token t : ev) seen[t.index()] = true;
    if (ev.empty() && q->rx.is_disconnected()) {
      q->rx.poll(ev);
      for (token t : ev) seen[t.index()] = true;
      break;
    }
  }
  for (auto& t : ts) t.join();
  for (bool s : seen) CHECK(s, "a token was never delivered");
}

static void channel_ping_pong(unsigned spins, int rounds) {
  auto ab = event_channel(1, spins);
  auto ba = event_channel(1, spins);
  std::thread echo([rx = std::move(ab->rx), tx = std::move(ba->tx)]() mutable {
    events ev;
    while (rx.recv(ev) == status::ok) CHECK(tx.notify(token(0)) == status::ok, "echo notify");
  });
  events ev;
  for (int i = 0; i < rounds; ++i) {
    CHECK(ab->tx.notify(token(0)) == status::ok, "ping notify");
    CHECK(ba->rx.recv(ev) == status::ok && ev.size() == 1, "pong lost");
  }
  { auto gone = std::move(ab->tx); }
  echo.join();
}

static void disconnect_while_parked(int rounds) {
  for (int k = 0; k < rounds; ++k) {
    auto c = event_channel(2, 0);
    std::thread t([s = std::move(c->tx), k]() mutable {
      if (k % 2) CHECK(s.notify(token(1)) == status::ok, "notify before drop");
    });
    events ev;
    status st;
    int got = 0;
    while ((st = c->rx.recv(ev)) == status::ok) got += static_cast<int>(ev.size());
    CHECK(st == status::disconnected, "recv ended without disconnect");
    CHECK(got == (k % 2), "the last event before the disconnect was lost");
    t.join();
  }
}

int main() {
  queue_race();
  channel_ping_pong(0, 5000);
  channel_ping_pong(8, 20000);
  disconnect_while_parked(500);
  std::printf("stress_notify: OK\n");
  return 0;
}
