// Two threads joined by a bounded SPSC ring: backpressure by retrying on
// `full`, shutdown by dropping the producer, and the consumer's drain rule:
// once it sees the producer gone, what is left in the ring is still its to pop.
#include <nexus/queue/spsc.hpp>

#include <cstdint>
#include <cstdio>
#include <thread>

int main() {
  auto ring = nexus::queue::spsc::ring_buffer<std::uint64_t>(1024);
  if (!ring) {
    std::fprintf(stderr, "ring_buffer: %s\n", nexus::to_string(ring.error_code()));
    return 1;
  }
  constexpr std::uint64_t n = 1'000'000;
  std::thread producer([tx = std::move(ring->tx)]() mutable {
    for (std::uint64_t i = 1; i <= n; ++i)
      while (tx.push(i) == nexus::status::full) std::this_thread::yield();  // backpressure
  });  // tx destroyed here: the consumer sees the disconnect

  std::uint64_t count = 0, sum = 0;
  for (;;) {
    if (auto v = ring->rx.pop()) {
      ++count;
      sum += *v;
    } else if (ring->rx.is_disconnected()) {
      while (auto w = ring->rx.pop()) ++count, sum += *w;  // drain what was sent before the disconnect
      break;
    } else {
      std::this_thread::yield();
    }
  }
  producer.join();
  std::printf("received %llu values, sum %llu\n", (unsigned long long)count, (unsigned long long)sum);
  return count == n && sum == n * (n + 1) / 2 ? 0 : 1;
}
