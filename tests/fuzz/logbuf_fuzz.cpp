// libFuzzer target: byte strings become sequences of claim / write / commit /
// abort / drop-open / consume / batch read (read_n) / busy / clone operations on a byte ring
// (SPSC or MPSC, capacity 32..1024), from one thread, checked step by step
// against the reference model in tests/logbuf_model.hpp: every status
// (zero_length H4, too_large F9, full, busy, empty), every delivered
// record's length and bytes, 8-aligned payloads (H7), fresh claims zeroed and
// no phantom record from stale bytes (H6). Build (tests/logbuf.cmake does):
//   clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -Iinclude -Itests \
//           tests/fuzz/logbuf_fuzz.cpp -o logbuf_fuzz
//   ./logbuf_fuzz -max_total_time=20
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "logbuf_model.hpp"
#include "nexus/logbuf/mpsc.hpp"
#include "nexus/logbuf/spsc.hpp"
#include "fuzz/fuzz_check.hpp"

namespace lb = nexus::logbuf;
using nexus::status;
using nexus_test::record_bytes;
using nexus_test::ring_model;


namespace {

struct input {
  const std::uint8_t* p;
  std::size_t n;
  bool empty() const { return n == 0; }
  std::uint8_t next() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
};

template <class Endpoints, bool Clonable>
void run(Endpoints ep, input in) {
  using producer = decltype(ep.tx);
  using claim = typename producer::claim;
  const std::uint64_t cap = ep.tx.capacity();
  // spsc: a claim also needs the next header's 8 bytes, and freed bytes keep
  // their values (format.hpp WHO ZEROES); mpsc: the consumer zeroes them.
  ring_model model(cap, Clonable ? 0 : lb::header_bytes);
  std::vector<producer> tx;
  tx.push_back(std::move(ep.tx));
  auto& rx = ep.rx;
  std::vector<std::pair<std::uint32_t, claim>> open;
  std::uint32_t next_id = 1;

  while (!in.empty()) {
    const std::uint8_t op = in.next();
    switch (op % 8) {
      case 0:
      case 1: {  // claim: lengths 0, 1..max, and beyond the maximum
        const std::uint8_t a = in.next();
        std::size_t len = a < 8 ? a : (a % 2 ? a : static_cast<std::size_t>(a) * 4);
        if (op & 0x80) len = lb::max_payload(cap) + (a % 3);  // around the F9 boundary
        auto& p = tx[(op >> 3) % tx.size()];
        const status want = model.claim(len, next_id);
        auto c = p.try_claim(len);
        FUZZ_CHECK(c.code() == want);
        FUZZ_CHECK(static_cast<bool>(c) == (want == status::ok));
        if (c) {
          FUZZ_CHECK(c.size() == len);
          FUZZ_CHECK(reinterpret_cast<std::uintptr_t>(c.data().data()) % 8 == 0);
          if (Clonable) FUZZ_CHECK(std::all_of(c.data().begin(), c.data().end(), [](unsigned char b) { return b == 0; }));
          const auto bytes = record_bytes(next_id, len);
          std::memcpy(c.data().data(), bytes.data(), len);
          open.emplace_back(next_id, std::move(c));
        }
        ++next_id;
        break;
      }
      case 2:
      case 3:
      case 4: {  // commit / abort / drop an open claim
        if (open.empty()) break;
        const std::size_t k = in.next() % open.size();
        if (op % 8 == 2) {
          model.commit(open[k].first);
          open[k].second.commit();
        } else {
          model.abort(open[k].first);
          if (op % 8 == 3) open[k].second.abort();
        }
        open.erase(open.begin() + static_cast<std::ptrdiff_t>(k));  // drop: the destructor aborts
        break;
      }
      case 5: {  // consume; with bit 6 set, a batch read of up to op >> 3 & 7 (0..7) records
        if (op & 0x40) {
          const std::size_t max = (op >> 3) & 7;
          const auto want = model.consume_n(max);
          std::size_t k = 0;
          const auto got = rx.read_n(
              [&](const auto& rec) {
                FUZZ_CHECK(k < want.size() && rec.size() == want[k].len);
                FUZZ_CHECK(reinterpret_cast<std::uintptr_t>(rec.data().data()) % 8 == 0);
                const auto bytes = record_bytes(want[k].id, want[k].len);
                FUZZ_CHECK(std::equal(rec.data().begin(), rec.data().end(), bytes.begin()));
                ++k;
              },
              max);
          FUZZ_CHECK(got.count == want.size() && k == want.size());
          FUZZ_CHECK(got.code == (max != 0 && want.empty() ? status::empty : status::ok));
          break;
        }
        const auto want = model.consume();
        auto c = rx.try_claim();
        FUZZ_CHECK(static_cast<bool>(c) == want.has_value());
        if (!c) {
          FUZZ_CHECK(c.code() == status::empty);
          break;
        }
        FUZZ_CHECK(c.size() == want->len);
        FUZZ_CHECK(reinterpret_cast<std::uintptr_t>(c.data().data()) % 8 == 0);
        const auto bytes = record_bytes(want->id, want->len);
        FUZZ_CHECK(std::equal(c.data().begin(), c.data().end(), bytes.begin()));
        break;
      }
      case 6: {  // a second read claim while one is open is busy; nothing changes
        auto c = rx.try_claim();
        if (c) {
          FUZZ_CHECK(rx.try_claim().code() == status::busy);
          const auto want = model.consume();
          FUZZ_CHECK(want && c.size() == want->len);
          if (op & 0x40) c.consume();
        } else {
          FUZZ_CHECK(!model.consume());
        }
        break;
      }
      case 7: {  // another producer handle (MPSC), or drop one
        if constexpr (Clonable) {
          if (op & 0x80) {
            if (tx.size() < 4) tx.push_back(tx.front().clone());
          } else if (tx.size() > 1 && open.empty()) {
            tx.pop_back();  // claims close before their handle goes
          }
        }
        break;
      }
    }
  }
  for (auto& o : open) model.abort(o.first);
  open.clear();  // every claim closes (aborts) before the handles go
  // Drain: the ring must deliver exactly what the model does, then be empty.
  for (;;) {
    const auto want = model.consume();
    auto c = rx.try_claim();
    FUZZ_CHECK(static_cast<bool>(c) == want.has_value());
    if (!c) break;
    FUZZ_CHECK(c.size() == want->len);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  input in{data, size};
  const std::uint8_t head = in.next();
  const std::uint64_t cap = std::uint64_t{32} << (head % 6);  // 32 .. 1024
  if (head & 0x80) {
    auto r = lb::mpsc::ring_buffer(cap);
    FUZZ_CHECK(r.has_value());
    run<lb::mpsc::endpoints<>, true>(std::move(*r), in);
  } else {
    auto r = lb::spsc::ring_buffer(cap);
    FUZZ_CHECK(r.has_value());
    run<lb::spsc::endpoints<>, false>(std::move(*r), in);
  }
  return 0;
}
