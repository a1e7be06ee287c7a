// Seed 002: a bounded buffer with backpressure between 3 producers and 2
// consumers; producers send 8 items each; dropping every sender is the
// shutdown signal (no sentinel); the consumers count 24 items between them.
#include <nexus/channel/channel.hpp>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

int main() {
  auto ch = nexus::channel::mpmc_channel<int>(4);
  if (!ch) return 1;
  std::atomic<int> consumed{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < 2; ++c)
    threads.emplace_back([rx = ch->rx.clone(), c, &consumed]() mutable {
      int mine = 0;
      for (int item : rx) {
        (void)item;
        ++mine;
      }
      consumed.fetch_add(mine, std::memory_order_relaxed);  // relaxed: read after join
      std::printf("consumer %d: %d items\n", c, mine);
    });
  for (int p = 0; p < 3; ++p)
    threads.emplace_back([tx = ch->tx.clone(), p]() mutable {
      for (int i = 0; i < 8; ++i) (void)tx.send(p * 10 + i);
    });
  { auto gone = std::move(ch->tx); }  // only the producers' clones remain
  { auto gone = std::move(ch->rx); }
  for (auto& t : threads) t.join();
  std::printf("producers_consumers: total %d\n", consumed.load());
  return consumed.load() == 24 ? 0 : 2;
}
