// Iteration and snapshots on a typed channel (std's and crossbeam's
// try_iter / into_iter / len): a consumer takes whatever is queued without
// blocking, looks at the fill level, then hands its receiver to an owning
// range that runs until every sender is gone and the channel is drained.
#include <cstdio>
#include <thread>

#include "nexus/channel/channel.hpp"

using nexus::status;

int main() {
  auto c = nexus::channel::mpsc_channel<int>(16);
  if (!c) return 1;
  auto& [tx, rx] = *c;
  for (int i = 0; i < 5; ++i)
    if (tx.send(i) != status::ok) return 1;
  if (rx.len() != 5 || tx.len() != 5 || rx.is_full()) return 1;  // snapshots, exact while nobody else runs

  int now = 0;
  for (int& v : rx.try_iter()) now += v;  // 0+1+2+3+4, and it does not wait for more
  if (now != 10 || !rx.is_empty()) return 1;

  std::thread producer([tx = std::move(tx)]() mutable {
    for (int i = 1; i <= 100; ++i)
      if (tx.send(i) != status::ok) return;
  });  // the last sender goes here: the range below ends once drained
  long total = 0;
  for (int& v : std::move(rx).into_iter()) total += v;  // owns the receiver
  producer.join();
  std::printf("try_iter took %d, into_iter took %ld\n", now, total);
  return total == 5050 ? 0 : 1;
}
