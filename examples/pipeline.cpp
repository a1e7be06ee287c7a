// Seed pattern: a three-stage pipeline (parse -> decorate -> write). Each
// stage is recv -> process -> send; backpressure propagates from the slowest
// stage to the source; dropping the source shuts the stages down in order.
#include <nexus/channel/channel.hpp>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

struct parsed {
  int id;
};
struct decorated {
  int id;
  std::string tag;
};

int main() {
  auto raw = nexus::channel::channel<std::vector<char>>(1024);
  auto par = nexus::channel::channel<parsed>(1024);
  auto dec = nexus::channel::channel<decorated>(64);  // a smaller queue: backpressure sooner
  if (!raw || !par || !dec) return 1;
  std::thread parse([rx = std::move(raw->rx), tx = std::move(par->tx)]() mutable {
    for (auto& bytes : rx) (void)tx.send(parsed{static_cast<int>(bytes.size())});
  });
  std::thread decorate([rx = std::move(par->rx), tx = std::move(dec->tx)]() mutable {
    for (auto& p : rx) (void)tx.send(decorated{p.id, "id-" + std::to_string(p.id)});
  });
  long total = 0;
  int count = 0;
  std::thread write([rx = std::move(dec->rx), &total, &count]() mutable {
    for (auto& d : rx) {
      total += d.id;
      ++count;
    }
  });
  for (int i = 0; i < 10000; ++i)
    if (raw->tx.send(std::vector<char>(static_cast<std::size_t>(i % 100))) != nexus::status::ok) return 2;
  { auto gone = std::move(raw->tx); }  // shutdown flows down the pipeline
  parse.join();
  decorate.join();
  write.join();
  long want = 0;
  for (int i = 0; i < 10000; ++i) want += i % 100;
  std::printf("pipeline: %d events through 3 stages, checksum %ld\n", count, total);
  return count == 10000 && total == want ? 0 : 3;
}
