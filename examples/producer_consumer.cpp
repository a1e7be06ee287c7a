// Seed pattern: a producer-consumer pair with backpressure. When the
// consumer falls behind, the ring fills and the producer blocks in send;
// memory stays bounded. Dropping the producer ends the consumer's loop after
// it has received everything.
#include <nexus/channel/channel.hpp>

#include <cstdint>
#include <cstdio>
#include <thread>

struct market_event {
  std::uint64_t ts;
  double px, qty;
};

int main() {
  auto ch = nexus::channel::channel<market_event>(4096);
  if (!ch) return 1;
  constexpr std::uint64_t n = 200000;
  std::thread producer([tx = std::move(ch->tx)]() mutable {
    for (std::uint64_t i = 0; i < n; ++i)
      if (tx.send(market_event{i, 100.0, 1.0}) != nexus::status::ok) break;  // consumer gone
  });
  std::uint64_t count = 0, last = 0;
  double volume = 0;
  for (const market_event& e : ch->rx) {  // ends once the producer is gone and all is received
    if (count > 0 && e.ts != last + 1) return 2;
    last = e.ts;
    volume += e.qty;
    ++count;
  }
  producer.join();
  std::printf("producer_consumer: %llu events, volume %.0f\n", (unsigned long long)count, volume);
  return count == n ? 0 : 3;
}
