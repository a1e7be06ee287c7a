// Seed pattern: a timed worker with shutdown. The worker waits for work with
// a deadline, doing periodic housekeeping on timeout; dropping the sender is
// the shutdown signal: the worker finishes what was sent and exits, with no
// shutdown flag.
#include <nexus/channel/channel.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

int main() {
  using namespace std::chrono_literals;
  auto ch = nexus::channel::channel<int>(256);
  if (!ch) return 1;
  int done = 0, periodic = 0;
  std::thread worker([rx = std::move(ch->rx), &done, &periodic]() mutable {
    for (;;) {
      auto item = rx.recv_timeout(20ms);
      if (item) {
        ++done;  // run(item)
      } else if (item.code() == nexus::status::timeout) {
        ++periodic;  // periodic()
      } else {
        break;  // disconnected: clean shutdown
      }
    }
  });
  for (int i = 0; i < 10; ++i) (void)ch->tx.send(int(i));
  std::this_thread::sleep_for(70ms);  // idle: the worker times out a few times
  for (int i = 0; i < 10; ++i) (void)ch->tx.send(int(i));
  { auto gone = std::move(ch->tx); }  // shutdown
  worker.join();
  std::printf("timed_worker: %d items, %d periodic wake-ups\n", done, periodic);
  return done == 20 && periodic >= 1 ? 0 : 2;
}
