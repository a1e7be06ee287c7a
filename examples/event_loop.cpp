// Seed pattern: event-loop handoff. A blocking IO thread hands events to a
// polling event loop; the IO thread may block in send on a burst, the loop
// drains with try_recv up to a budget per tick to keep its tail latency
// bounded, and stops on disconnect.
#include <nexus/channel/channel.hpp>

#include <cstdio>
#include <thread>

int main() {
  auto ch = nexus::channel::channel<int>(8192);
  if (!ch) return 1;
  constexpr int n = 100000, budget = 256;
  std::thread io([tx = std::move(ch->tx)]() mutable {
    for (int i = 0; i < n; ++i)
      if (tx.send(int(i)) != nexus::status::ok) break;
  });
  int handled = 0, ticks = 0, max_per_tick = 0;
  for (bool open = true; open; ++ticks) {
    int this_tick = 0;
    for (; this_tick < budget; ++this_tick) {
      auto e = ch->rx.try_recv();
      if (e.code() == nexus::status::empty) break;
      if (e.code() == nexus::status::disconnected) {
        open = false;
        break;
      }
      if (*e != handled) return 2;  // FIFO
      ++handled;
    }
    if (this_tick > max_per_tick) max_per_tick = this_tick;
    if (this_tick == 0 && open) std::this_thread::yield();  // the rest of the tick's work
  }
  io.join();
  std::printf("event_loop: %d events in %d ticks, at most %d per tick\n", handled, ticks, max_per_tick);
  return handled == n && max_per_tick <= budget ? 0 : 3;
}
