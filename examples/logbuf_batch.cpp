// Batch reads from a byte channel (Agrona's read(handler, limit)): two
// producers send numbered, variable-length records; the consumer takes up to
// 32 records per call with recv_many, each handed to the handler as a
// record_view and freed after it, and the freed space is published (and the
// blocked senders woken) once per batch. The consumer checks that every
// record arrives once, in each producer's order, with its bytes intact.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <thread>

#include "nexus/logbuf/channel.hpp"

namespace lb = nexus::logbuf;
using nexus::status;

int main() {
  constexpr std::uint32_t per_producer = 20000;
  auto ch = lb::channel::mpsc::channel(4096);  // bytes: small, so senders block
  if (!ch) return 1;
  auto& [tx, rx] = *ch;
  auto produce = [](auto s, std::uint32_t id) {
    for (std::uint32_t k = 0; k < per_producer; ++k) {
      const std::size_t len = 8 + (k % 5) * 8;  // 8..40 bytes
      auto w = s.send(len);
      if (w.code() != status::ok) return;
      unsigned char* p = w.data().data();
      std::memcpy(p, &id, 4);
      std::memcpy(p + 4, &k, 4);
      for (std::size_t i = 8; i < len; ++i) p[i] = static_cast<unsigned char>(k + i);
      w.commit();
    }
  };
  std::thread p0(produce, tx.clone(), 0u), p1(produce, std::move(tx), 1u);

  std::uint32_t next[2] = {0, 0};
  std::uint64_t records = 0, batches = 0;
  bool bad = false;
  auto handle = [&](const lb::record_view<nexus::std_sync>& r) {
    std::uint32_t id = 0, k = 0;
    r.read(0, &id, 4);
    r.read(4, &k, 4);
    bad |= id > 1 || k != next[id] || r.size() != 8 + (k % 5) * 8;
    for (std::size_t i = 8; i < r.size() && !bad; ++i)
      bad |= r.data()[i] != static_cast<unsigned char>(k + i);
    if (id <= 1) next[id] = k + 1;
    ++records;
  };
  for (;;) {
    const nexus::many_result got = rx.recv_many(handle, 32);  // blocks for the first record
    if (got.code == status::disconnected) break;              // every sender gone, all read
    if (got.code != status::ok || got.count == 0 || got.count > 32) return 1;
    ++batches;
  }
  p0.join();
  p1.join();
  if (bad || next[0] != per_producer || next[1] != per_producer) {
    std::printf("logbuf_batch: lost, duplicated or corrupt records\n");
    return 1;
  }
  std::printf("logbuf_batch: %llu records in %llu batches (at most 32 each)\n",
              static_cast<unsigned long long>(records), static_cast<unsigned long long>(batches));
  return 0;
}
