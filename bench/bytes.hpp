// bench/bytes.hpp -- byte rings behind one adapter shape, the payloads and
// their check, the cross-core references, and the claim/read op costs.
//   nexus::logbuf::spsc / mpsc ring_buffer(1 MiB)
//   cds::container::WeakRingBuffer<void>(1 MiB) (libcds-dev): the only
//       claim/commit byte ring in Debian, SPSC only (back(n) / push_back(),
//       front() / pop_front()). Debian has no MPSC byte ring.
//   handoff<Zero>: the least any byte ring does to hand a message from one
//       core to another (fixed-size messages, two positions, no record
//       headers), with and without the consumer zeroing what it read;
//       hand-written here, not a peer.
// An adapter R provides make(len) -> unique_ptr<ring>; write(ring&, producer
// i, len, fill): claims len bytes, calls fill(byte*), commits, false when
// full; read(ring&, use): calls use(const byte*, len) on the oldest message
// and frees it, false when empty; label.
#pragma once

#include <cds/container/weak_ringbuffer.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"
#include "nexus/logbuf/channel.hpp"
#include "nexus/logbuf/mpsc.hpp"
#include "nexus/logbuf/spsc.hpp"

namespace bench {

namespace lb = nexus::logbuf;
using byte = unsigned char;
inline constexpr u64 kRing = u64(1) << 20;
inline constexpr std::size_t kMaxMsg = 65536;
inline constexpr std::size_t kSrcSlack = 4096;

// ---- payloads ---------------------------------------------------------------------------

// Random source bytes; message s takes its middle from offset src_off(s).
inline const byte* source() {
  static const std::vector<byte> src = [] {
    std::vector<byte> v(kMaxMsg + kSrcSlack);
    u64 x = 0x9e3779b97f4a7c15ull;
    for (auto& b : v) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      b = static_cast<byte>(x >> 24);
    }
    return v;
  }();
  return src.data();
}
inline std::size_t src_off(u64 stamp) { return (stamp * 8) & (kSrcSlack - 1); }

// The producer's work for one message: the payload and its sequence number
// (with the producer's id) in its first and last 8 bytes.
inline void fill(byte* p, std::size_t len, u64 stamp) {
  std::memcpy(p, source() + src_off(stamp), len);
  std::memcpy(p, &stamp, 8);
  std::memcpy(p + len - 8, &stamp, 8);
}

// The consumer's check of a copied-out message: both stamps always, the
// whole payload for every message up to 256 B and every 64th larger one.
inline void verify(const byte* out, std::size_t len, u64 stamp) {
  u64 a, b;
  std::memcpy(&a, out, 8);
  std::memcpy(&b, out + len - 8, 8);
  if (a != stamp) fail("first stamp (lost, duplicated or reordered message)", a, stamp);
  if (b != stamp) fail("last stamp (torn or corrupted message)", b, stamp);
  if ((len <= 256 || (stamp & 63) == 0) && std::memcmp(out + 8, source() + src_off(stamp) + 8, len - 16) != 0)
    fail("payload bytes", stamp, len);
}

// A zeroed, cache-line aligned 1 MiB region (the references' rings).
using region_ptr = std::unique_ptr<byte, decltype(&std::free)>;
inline region_ptr zeroed_region() {
  region_ptr r(static_cast<byte*>(std::aligned_alloc(64, kRing)), &std::free);
  if (!r) fail("aligned_alloc");
  std::memset(r.get(), 0, kRing);
  return r;
}

// ---- adapters -----------------------------------------------------------------------------

template <class Claim>
void expect_code(const Claim& c, nexus::status retry, const char* what) {
  if (c.code() != retry) fail(what, unsigned(c.code()));
}

// One step of a nexus byte producer or consumer on its claim: a write claim
// is filled and committed (full is the only refusal allowed); a read claim
// hands its payload to f and frees the record when it goes (empty, and busy
// where allowed, are the only refusals).
template <class C, class F>
bool fill_commit(C&& c, const char* what, F& f) {
  if (!c) {
    expect_code(c, nexus::status::full, what);
    return false;
  }
  f(c.data().data());
  c.commit();
  return true;
}
template <class C, class F>
bool hand_over(C&& c, bool busy_ok, const char* what, F& f) {
  if (!c) {
    if (c.code() != nexus::status::empty && !(busy_ok && c.code() == nexus::status::busy)) fail(what, unsigned(c.code()));
    return false;
  }
  f(c.data().data(), c.size());
  return true;
}

// Reference, not shipped: the SPSC byte ring in the mpsc ring's format (the
// consumer zeroes every byte it frees, the producer zeroes nothing): the
// same-run measure of the producer-zeroed format (format.hpp WHO ZEROES).
struct spsc_consumer_zeroes_orders : lb::spsc::spsc_orders {
  static constexpr bool consumer_zeroes = true;
  static constexpr bool zero_next = false;
};

template <bool MP, class SO = lb::spsc::spsc_orders>
struct nexus_bytes {
  static constexpr const char* label =
      MP ? "nexus::logbuf::mpsc::ring_buffer(1 MiB) try_claim/commit, consumer try_claim (frees on destruction)"
      : std::is_same_v<SO, lb::spsc::spsc_orders>
          ? "nexus::logbuf::spsc::ring_buffer(1 MiB) try_claim/commit, consumer try_claim (frees on destruction)"
          : "reference, not shipped: nexus::logbuf::spsc::ring_buffer(1 MiB) with the consumer zeroing what it "
            "frees (the mpsc format)";
  using E = std::conditional_t<MP, lb::mpsc::endpoints<>, lb::spsc::endpoints<nexus::std_sync, SO>>;
  struct ring {
    std::vector<std::remove_reference_t<decltype(std::declval<E&>().tx)>> tx;
    std::remove_reference_t<decltype(std::declval<E&>().rx)> rx;
  };
  static std::unique_ptr<ring> make(std::size_t = 0) {
    auto r = [] {
      if constexpr (MP)
        return lb::mpsc::ring_buffer(kRing);
      else
        return lb::spsc::ring_buffer<nexus::std_sync, SO>(kRing);
    }();
    if (!r) fail("logbuf ring_buffer()");
    auto x = std::unique_ptr<ring>(new ring{{}, std::move(r->rx)});
    x->tx.push_back(std::move(r->tx));
    if constexpr (MP) x->tx.push_back(x->tx[0].clone());
    return x;
  }
  template <class F>
  static bool write(ring& r, int i, std::size_t len, F&& f) {
    return fill_commit(r.tx[std::size_t(i) % r.tx.size()].try_claim(len), "try_claim", f);
  }
  template <class F>
  static bool read(ring& r, F&& f) {
    return hand_over(r.rx.try_claim(), true, "consumer try_claim", f);  // the claim's destructor frees the record
  }
  // Up to `max` messages through one read_n (format.hpp BATCH READS: one
  // publication for the batch); how many.
  template <class F>
  static std::size_t read_n(ring& r, std::size_t max, F&& f) {
    const auto m = r.rx.read_n([&](const auto& rec) { f(rec.data().data(), rec.size()); }, max);
    if (m.code != nexus::status::ok && m.code != nexus::status::empty) fail("consumer read_n", unsigned(m.code));
    return m.count;
  }
};
using nexus_bytes_spsc = nexus_bytes<false>;
using nexus_bytes_mpsc = nexus_bytes<true>;
using nexus_bytes_spsc_czero = nexus_bytes<false, spsc_consumer_zeroes_orders>;

// The SPSC byte channel (logbuf::channel::spsc, 1 MiB) through its
// non-blocking ends: try_send / commit (wakes a parked receiver) and try_recv
// or try_recv_many. Its receiver tracks its exact position (WAITING
// PRODUCERS), so a single read stores the position word and runs the
// senders' wake check per record; a batch does both once.
struct nexus_bytes_channel {
  static constexpr const char* label =
      "nexus::logbuf::channel::spsc::channel(1 MiB) try_send/commit, try_recv or try_recv_many";
  using E = std::remove_reference_t<decltype(*lb::channel::spsc::channel(1))>;
  struct ring {
    std::remove_reference_t<decltype(std::declval<E&>().tx)> tx;
    std::remove_reference_t<decltype(std::declval<E&>().rx)> rx;
  };
  static std::unique_ptr<ring> make(std::size_t = 0) {
    auto r = lb::channel::spsc::channel(kRing);
    if (!r) fail("logbuf channel()");
    return std::unique_ptr<ring>(new ring{std::move(r->tx), std::move(r->rx)});
  }
  template <class F>
  static bool write(ring& r, int, std::size_t len, F&& f) { return fill_commit(r.tx.try_send(len), "try_send", f); }
  template <class F>
  static bool read(ring& r, F&& f) { return hand_over(r.rx.try_recv(), false, "try_recv", f); }
  template <class F>
  static std::size_t read_n(ring& r, std::size_t max, F&& f) {
    const auto m = r.rx.try_recv_many([&](const auto& rec) { f(rec.data().data(), rec.size()); }, max);
    if (m.code != nexus::status::ok && m.code != nexus::status::empty) fail("try_recv_many", unsigned(m.code));
    return m.count;
  }
};

struct cds_bytes {
  static constexpr const char* label = "cds::container::WeakRingBuffer<void>(1 MiB) back(n)/push_back, front/pop_front";
  using ring = cds::container::WeakRingBuffer<void>;
  static std::unique_ptr<ring> make(std::size_t = 0) { return std::make_unique<ring>(kRing); }
  template <class F>
  static bool write(ring& r, int, std::size_t len, F&& f) {
    void* p = r.back(len);
    if (p == nullptr) return false;
    f(static_cast<byte*>(p));
    r.push_back();
    return true;
  }
  template <class F>
  static bool read(ring& r, F&& f) {
    const auto m = r.front();
    if (m.first == nullptr) return false;
    f(static_cast<const byte*>(m.first), m.second);
    r.pop_front();
    return true;
  }
};

// The cross-core reference. Fixed-size messages (the run's size; every size
// divides the 1 MiB region, so none wraps and nothing marks a record). The
// producer's and the consumer's end are 64-bit positions on their own
// lines, each side caching the other's. Zero = true also zeroes each message
// after reading it, as a consumer that must clear stale commit markers does.
template <bool Zero>
struct handoff {
  static constexpr const char* label =
      Zero ? "reference: bare cross-core handoff of fixed-size messages, consumer zeroes"
           : "reference: bare cross-core handoff of fixed-size messages";
  struct ring {
    explicit ring(std::size_t l) : len(l), buf(zeroed_region()) {
      if (len == 0 || kRing % len != 0) fail("handoff message size", len);
    }
    std::size_t len;
    region_ptr buf;
    // release after each message, pairs with the acquire in read() (the bytes are visible)
    alignas(64) std::atomic<u64> tail{0};
    // release after each message is read (and zeroed), pairs with the acquire in write() (reuse after reading)
    alignas(64) std::atomic<u64> head{0};
    alignas(64) u64 head_seen = 0;  // producer's cache of head
    alignas(64) u64 tail_seen = 0;  // consumer's cache of tail
  };
  static std::unique_ptr<ring> make(std::size_t len) { return std::make_unique<ring>(len); }
  template <class F>
  static bool write(ring& r, int, std::size_t len, F&& f) {
    if (len != r.len) fail("handoff message size", len, r.len);
    const u64 t = r.tail.load(std::memory_order_relaxed);  // own position: only the producer stores it
    if (t + len - r.head_seen > kRing) {
      r.head_seen = r.head.load(std::memory_order_acquire);
      if (t + len - r.head_seen > kRing) return false;
    }
    f(r.buf.get() + (t & (kRing - 1)));
    r.tail.store(t + len, std::memory_order_release);
    return true;
  }
  template <class F>
  static bool read(ring& r, F&& f) {
    const u64 h = r.head.load(std::memory_order_relaxed);  // own position: only the consumer stores it
    if (h + r.len > r.tail_seen) {
      r.tail_seen = r.tail.load(std::memory_order_acquire);
      if (h + r.len > r.tail_seen) return false;
    }
    byte* p = r.buf.get() + (h & (kRing - 1));
    f(static_cast<const byte*>(p), r.len);
    if constexpr (Zero) std::memset(p, 0, r.len);
    r.head.store(h + r.len, std::memory_order_release);
    return true;
  }
};

// ---- claim + commit, read + consume (single thread; bench/ops.hpp shape) ----------------------

inline constexpr u64 kByteOps = 64;
inline constexpr std::size_t kSmall = 32;

// 64 claims of 32 B, an 8-byte stamp written into each, commits.
template <class R>
struct claim_commit {
  static constexpr u64 ops = kByteOps;
  static std::string label() { return std::string("claim + commit of 32 B: ") + R::label; }
  claim_commit() : r(R::make(kSmall)) {}
  void setup() {}
  void body() {
    auto& q = *r;
    for (u64 k = 0; k < ops; ++k, ++next) full |= !R::write(q, 0, kSmall, [&](byte* p) { std::memcpy(p, &next, 8); });
  }
  void check() {
    if (full) fail("claim failed on a drained ring");
    u64 v = 0;
    while (R::read(*r, [&](const byte* p, std::size_t len) {
      if (len != kSmall) fail("length", len);
      std::memcpy(&v, p, 8);
    })) {
      if (v != want) fail("claim_commit order", v, want);
      ++want;
    }
    if (want != next) fail("claim_commit count", want, next);
  }
  std::unique_ptr<typename R::ring> r;
  u64 next = 1, want = 1;
  bool full = false;
};

// 64 read claims of 32 B records (reading the stamp) and their release.
template <class R>
struct read_consume {
  static constexpr u64 ops = kByteOps;
  static std::string label() { return std::string("read + consume of 32 B: ") + R::label; }
  read_consume() : r(R::make(kSmall)) {}
  void setup() {
    for (u64 k = 0; k < ops; ++k, ++next)
      if (!R::write(*r, 0, kSmall, [&](byte* p) { std::memcpy(p, &next, 8); })) fail("claim failed");
  }
  void body() {
    auto& q = *r;
    for (u64 k = 0; k < ops; ++k) {
      u64 v = 0;
      bad |= !R::read(q, [&](const byte* p, std::size_t) { std::memcpy(&v, p, 8); });
      bad |= v != want++;
    }
  }
  void check() {
    if (bad) fail("read_consume: missing or out-of-order record");
  }
  std::unique_ptr<typename R::ring> r;
  u64 next = 1, want = 1;
  bool bad = false;
};

// As read_consume, through R::read_n in batches of up to Batch records: the
// consumer's cost per record when it takes them in batches (one publication,
// one wake check per batch).
template <class R, std::size_t Batch>
struct read_n_consume {
  static constexpr u64 ops = kByteOps;
  static std::string label() {
    return "read_n(" + std::to_string(Batch) + ") + consume of 32 B: " + std::string(R::label);
  }
  read_n_consume() : r(R::make(kSmall)) {}
  void setup() {
    for (u64 k = 0; k < ops; ++k, ++next)
      if (!R::write(*r, 0, kSmall, [&](byte* p) { std::memcpy(p, &next, 8); })) fail("claim failed");
  }
  void body() {
    auto& q = *r;
    for (u64 k = 0; k < ops;) {
      const std::size_t n = R::read_n(q, static_cast<std::size_t>(std::min<u64>(Batch, ops - k)),
                                      [&](const byte* p, std::size_t) {
                                        u64 v = 0;
                                        std::memcpy(&v, p, 8);
                                        bad |= v != want++;
                                      });
      if (n == 0) {
        bad = true;
        break;
      }
      k += n;
    }
  }
  void check() {
    if (bad) fail("read_n_consume: missing or out-of-order record");
  }
  std::unique_ptr<typename R::ring> r;
  u64 next = 1, want = 1;
  bool bad = false;
};

}  // namespace bench
