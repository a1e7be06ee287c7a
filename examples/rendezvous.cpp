// A rendezvous channel (capacity 0): each send returns only once a worker
// has taken the job, as std's sync_channel(0) and crossbeam's bounded(0).
// Three workers, one dispatcher; every job is taken exactly once, and a
// try_send succeeds only while some worker is waiting in recv.
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "nexus/channel/channel.hpp"

int main() {
  using nexus::status;
  auto ch = nexus::channel::mpmc_channel<int>(0);  // 0: rendezvous
  if (!ch) return 1;
  auto& [tx, rx] = *ch;
  if (tx.capacity() != 0 || !rx.is_empty() || !tx.is_full()) return 2;  // holds nothing

  constexpr int jobs = 3000;
  std::atomic<long> sum{0};
  std::atomic<int> taken{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w)
    workers.emplace_back([rx = rx.clone(), &sum, &taken]() mutable {
      for (int& job : rx) {  // ends when the dispatcher is gone
        sum += job;
        ++taken;
      }
    });
  { auto mine = std::move(rx); }  // only the workers receive

  int tried = 0;
  for (int j = 1; j <= jobs; ++j) {
    if (j % 2 == 0 && tx.try_send(int(j)) == status::ok) {  // a worker was waiting
      ++tried;
      continue;
    }
    if (tx.send(int(j)) != status::ok) return 3;  // returns once a worker has taken j
  }
  { auto done = std::move(tx); }  // the shutdown: workers' loops end
  for (auto& t : workers) t.join();

  const long want = static_cast<long>(jobs) * (jobs + 1) / 2;
  std::printf("rendezvous: %d jobs, %d by try_send, sum %ld (want %ld)\n", taken.load(), tried, sum.load(), want);
  return taken.load() == jobs && sum.load() == want ? 0 : 5;
}
