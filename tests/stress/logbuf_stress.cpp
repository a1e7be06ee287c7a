// Stress for the sanitizer presets: nexus::logbuf rings and channels under
// real threads (2 cores: every empty/full spin yields). Records of varying
// sizes carry a sequence number and a byte pattern; exits non-zero on any
// lost, duplicated, reordered or torn record; TSan/ASan report races (H5: a
// non-atomic header access would be one) and memory errors themselves.
//  * spsc: 1M records of 8..64 bytes through 64 KiB; 100k of 8..120 through 256
//    (a wrap every few records);
//  * mpsc: 3 producers with 1 in 8 claims aborted (explicitly or by
//    destruction), several capacities;
//  * channels: SPSC and MPSC (3 senders) blocking send/recv with spins 0
//    (every wait parks), strict totals (F1); one over 4 KiB, where freed
//    space reaches blocked senders in batches and on empty (PUBLICATION);
//  * abandon: handles dropped with records in flight and claims racing the
//    drop (ASan: no leak, no use after free).
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "nexus/logbuf/channel.hpp"
#include "nexus/logbuf/mpsc.hpp"
#include "nexus/logbuf/spsc.hpp"

using nexus::status;
namespace lb = nexus::logbuf;

#define NEXUS_STRESS_NAME "stress_logbuf"
#include "check.hpp"

namespace {

unsigned char pattern(std::uint64_t seq, std::size_t k) { return static_cast<unsigned char>(seq * 31 + k * 7 + 1); }

void fill(unsigned char* d, std::uint32_t p, std::uint32_t seq, std::size_t len) {
  std::memcpy(d, &p, 4);
  std::memcpy(d + 4, &seq, 4);
  for (std::size_t k = 8; k < len; ++k) d[k] = pattern(seq + p, k);
}
void check(const unsigned char* d, std::size_t len, std::uint32_t& p, std::uint32_t& seq) {
  CHECK(len >= 8, "record too short");
  std::memcpy(&p, d, 4);
  std::memcpy(&seq, d + 4, 4);
  for (std::size_t k = 8; k < len; ++k) CHECK(d[k] == pattern(seq + p, k), "torn record");
}

std::size_t len_of(std::uint32_t p, std::uint32_t seq, std::size_t lo, std::size_t hi) {
  return lo + (seq * 2654435761u + p * 97u) % (hi - lo + 1);
}

void spsc_round(std::uint64_t cap, std::uint32_t n, std::size_t lo, std::size_t hi) {
  auto r = lb::spsc::ring_buffer(cap);
  CHECK(r, "spsc ring_buffer");
  std::thread prod([tx = std::move(r->tx), n, lo, hi]() mutable {
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::size_t len = len_of(0, i, lo, hi);
      for (;;) {
        auto c = tx.try_claim(len);
        if (c) {
          fill(c.data().data(), 0, i, len);
          c.commit();
          break;
        }
        std::this_thread::yield();
      }
    }
  });
  std::uint32_t next = 0;
  for (;;) {
    auto c = r->rx.try_claim();
    if (!c) {
      if (r->rx.is_disconnected() && !(c = r->rx.try_claim())) break;
      if (!c) {
        std::this_thread::yield();
        continue;
      }
    }
    std::uint32_t p, seq;
    check(c.data().data(), c.size(), p, seq);
    CHECK(p == 0 && seq == next && c.size() == len_of(0, seq, lo, hi), "spsc: order or length");
    ++next;
  }
  prod.join();
  CHECK(next == n, "spsc: exactly once");
}

void mpsc_round(std::uint64_t cap, std::uint32_t per, std::size_t hi) {
  auto r = lb::mpsc::ring_buffer(cap);
  CHECK(r, "mpsc ring_buffer");
  std::vector<std::thread> ts;
  {
    auto tx = std::move(r->tx);
    for (std::uint32_t p = 0; p < 3; ++p)
      ts.emplace_back([q = tx.clone(), p, per, hi]() mutable {
        std::uint32_t seq = 0;
        for (std::uint32_t i = 0; i < per; ++i) {
          const std::size_t len = len_of(p, i, 8, hi);
          for (;;) {
            auto c = q.try_claim(len);
            if (c) {
              if (i % 8 == 3) {
                std::memset(c.data().data(), 0xEE, len);
                c.abort();
              } else if (i % 8 == 5) {
                std::memset(c.data().data(), 0xDD, len);  // destroyed open: aborts
              } else {
                fill(c.data().data(), p, seq++, len);
                c.commit();
              }
              break;
            }
            std::this_thread::yield();
          }
        }
      });
  }
  std::uint32_t next[3] = {0, 0, 0};
  std::uint64_t total = 0;
  for (;;) {
    auto c = r->rx.try_claim();
    if (!c) {
      if (r->rx.is_disconnected() && !(c = r->rx.try_claim())) break;
      if (!c) {
        std::this_thread::yield();
        continue;
      }
    }
    std::uint32_t p, seq;
    check(c.data().data(), c.size(), p, seq);
    CHECK(p < 3 && seq == next[p], "mpsc: per-producer order");
    ++next[p];
    ++total;
  }
  for (auto& t : ts) t.join();
  const std::uint64_t committed_per = per - (per / 8 + (per % 8 > 3)) - (per / 8 + (per % 8 > 5));
  CHECK(total == 3 * committed_per, "mpsc: exactly once");
}

template <class Chan>
void channel_round(Chan ch, std::uint32_t senders, std::uint32_t per, std::size_t hi) {
  CHECK(ch, "channel");
  std::vector<std::thread> ts;
  {
    auto tx = std::move(ch->tx);
    for (std::uint32_t p = 0; p < senders; ++p) {
      auto run = [p, per, hi](auto s) {
        for (std::uint32_t i = 0; i < per; ++i) {
          const std::size_t len = len_of(p, i, 8, hi);
          auto c = s.send(len);
          CHECK(c, "channel: send");
          fill(c.data().data(), p, i, len);
          c.commit();
        }
      };
      if constexpr (requires { tx.clone(); })
        ts.emplace_back(run, tx.clone());
      else
        ts.emplace_back(run, std::move(tx));
    }
  }
  std::vector<std::uint32_t> next(senders, 0);
  std::uint64_t total = 0;
  for (;;) {
    auto c = ch->rx.recv();
    if (!c) {
      CHECK(c.code() == status::disconnected, "channel: recv status");
      break;
    }
    std::uint32_t p, seq;
    check(c.data().data(), c.size(), p, seq);
    CHECK(p < senders && seq == next[p], "channel: per-sender order");
    ++next[p];
    ++total;
  }
  for (auto& t : ts) t.join();
  CHECK(total == std::uint64_t{senders} * per, "channel: strict total (F1)");
}

void abandon(int rounds) {
  for (int k = 0; k < rounds; ++k) {
    auto r = lb::mpsc::ring_buffer(256);
    std::thread t([q = r->tx.clone()]() mutable {
      for (std::uint32_t i = 0; i < 40; ++i) {
        auto c = q.try_claim(8 + i % 30);
        if (!c) break;
        fill(c.data().data(), 1, i, 8 + i % 30);
        c.commit();
      }
    });
    for (int i = 0; i < k % 5; ++i) {
      auto c = r->rx.try_claim();
    }
    { auto gone = std::move(r->rx); }
    t.join();
    auto ch = lb::channel::mpsc::channel(128, 0);
    std::thread u([s = ch->tx.clone()]() mutable {
      for (int i = 0; i < 20; ++i) {
        auto c = s.send(16);
        if (!c) return;  // disconnected
        c.commit();
      }
    });
    for (int i = 0; i < k % 3; ++i) {
      auto c = ch->rx.recv_timeout(std::chrono::milliseconds(1));
    }
    { auto gone = std::move(ch->rx); }
    u.join();
  }
}

}  // namespace

int main() {
  spsc_round(64 * 1024, 1000000, 8, 64);
  spsc_round(256, 100000, 8, 120);
  for (std::uint64_t cap : {32u, 128u, 1024u, 65536u}) mpsc_round(cap, 20000, std::min<std::size_t>(cap / 2 - 8, 200));
  channel_round(lb::channel::spsc::channel(256, 0), 1, 50000, 100);
  channel_round(lb::channel::mpsc::channel(512, 0), 3, 20000, 120);
  channel_round(lb::channel::mpsc::channel(64), 3, 20000, 24);
  // 4 KiB: freed space is published every 256 bytes (several records) and
  // when the receiver finds the ring empty (format.hpp PUBLICATION), so blocked
  // senders wait on lazily published space.
  channel_round(lb::channel::mpsc::channel(4096, 0), 3, 20000, 200);
  abandon(300);
  std::printf("stress_logbuf: OK\n");
  return 0;
}
