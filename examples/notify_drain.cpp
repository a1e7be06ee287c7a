// Partial drains of notify's events (as upstream nexus-notify 1.1.0): a
// loop handles at most `budget` tokens per tick with events::drain(), keeps
// the rest for the next tick, and polls again only once the buffer is
// drained; a poll into a part-drained buffer is refused (status::undrained)
// rather than dropping tokens that will never be notified again.
#include <cstdio>
#include <cstdlib>

#include "nexus/notify/event_queue.hpp"

using namespace nexus::notify;
using nexus::status;

int main() {
  auto q = event_queue(64);
  if (!q) return 1;
  auto& [tx, rx] = *q;
  events ev = events::with_capacity(64);
  int handled = 0, ticks = 0;
  for (std::size_t t = 0; t < 10; ++t) (void)tx.notify(token(t));
  if (rx.poll(ev) != status::ok) return 1;              // 10 tokens
  const int budget = 4;
  while (!ev.empty()) {                                 // one tick: at most `budget` tokens
    ++ticks;
    for (int k = 0; k < budget; ++k) {
      auto t = ev.drain();
      if (!t) break;
      ++handled;
    }
    if (!ev.empty() && rx.poll(ev) != status::undrained) {  // refused: 4 or 8 still undrained
      std::printf("notify_drain: a part-drained buffer was polled into\n");
      return 1;
    }
  }
  if (handled != 10 || ticks != 3) return 1;
  std::printf("notify_drain: %d tokens in %d ticks of at most %d\n", handled, ticks, budget);
  return 0;
}
