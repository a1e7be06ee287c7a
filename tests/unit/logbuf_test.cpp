// API contract, errors and edge cases of nexus::logbuf (production build):
// the SPSC and MPSC byte rings (typed tests over both) and the blocking
// channels. Hazards: H4 zero length, H5/H7 atomic 8-aligned headers and
// 8-aligned payloads, H6 no stale header (mpsc: the consumer zeroes, spsc:
// the producer zeroes the next header; stale markers never survive a
// lap), F1 last record before a disconnect, F9 oversize records, F10
// capacity rounding, F12 true deadlines, F8 past deadlines, H1 drop wakes a
// blocked peer.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "nexus/logbuf/channel.hpp"
#include "nexus/logbuf/mpsc.hpp"
#include "nexus/logbuf/spsc.hpp"

namespace lb = nexus::logbuf;
namespace lch = nexus::logbuf::channel;
using nexus::many_result;
using nexus::status;
using namespace std::chrono_literals;

namespace {

template <class Claim>
void put(Claim& c, std::string_view s) {
  ASSERT_EQ(c.size(), s.size());
  std::memcpy(c.data().data(), s.data(), s.size());
}
template <class Claim>
std::string str(const Claim& c) {
  return std::string(reinterpret_cast<const char*>(c.data().data()), c.size());
}

// zeroes_freed: the consumer zeroes what it frees (mpsc); spsc's producer
// zeroes the next header instead, so its freed bytes keep their values
// (format.hpp WHO ZEROES).
// reserve: the room a claim needs beyond its record (spsc: the next
// header's 8 bytes, so a ring holds capacity - 8 bytes of records).
struct spsc_kind {
  static constexpr bool zeroes_freed = false;
  static constexpr std::uint64_t reserve = 8;
  static auto make(std::uint64_t c) { return lb::spsc::ring_buffer(c); }
};
struct mpsc_kind {
  static constexpr bool zeroes_freed = true;
  static constexpr std::uint64_t reserve = 0;
  static auto make(std::uint64_t c) { return lb::mpsc::ring_buffer(c); }
};
template <class K>
struct Logbuf : ::testing::Test {};
using Kinds = ::testing::Types<spsc_kind, mpsc_kind>;
TYPED_TEST_SUITE(Logbuf, Kinds);

TYPED_TEST(Logbuf, WriteCommitRead) {
  auto r = TypeParam::make(64);
  ASSERT_TRUE(r);
  auto& [tx, rx] = *r;
  EXPECT_EQ(rx.try_claim().code(), status::empty);
  {
    auto c = tx.try_claim(5);
    ASSERT_TRUE(c);
    EXPECT_EQ(c.code(), status::ok);
    put(c, "hello");
    c.commit();
    EXPECT_FALSE(c) << "a committed claim is closed";
    c.commit();  // no effect
    c.abort();   // no effect
  }
  {
    auto c = rx.try_claim();
    ASSERT_TRUE(c);
    EXPECT_EQ(str(c), "hello");
  }
  EXPECT_EQ(rx.try_claim().code(), status::empty);
}

TYPED_TEST(Logbuf, WriteAndReadThroughCopies) {
  auto r = TypeParam::make(64);
  auto& [tx, rx] = *r;
  auto c = tx.try_claim(11);
  c.write(0, "hello", 5);
  c.write(5, " world", 6);
  c.commit();
  auto d = rx.try_claim();
  char got[12] = {};
  d.read(0, got, 11);
  EXPECT_STREQ(got, "hello world");
  d.read(6, got, 5);
  EXPECT_EQ(std::string(got, 5), "world");
}

TYPED_TEST(Logbuf, TenRecordsInOrderAcrossLaps) {
  auto r = TypeParam::make(128);
  auto& [tx, rx] = *r;
  for (int lap = 0; lap < 5; ++lap) {
    for (int i = 0; i < 2; ++i) {
      auto c = tx.try_claim(9 + i);
      ASSERT_TRUE(c) << lap << " " << i;
      put(c, std::string(9 + i, char('a' + i + lap)));
      c.commit();
    }
    for (int i = 0; i < 2; ++i) {
      auto c = rx.try_claim();
      ASSERT_TRUE(c);
      EXPECT_EQ(str(c), std::string(9 + i, char('a' + i + lap)));
    }
  }
}

TYPED_TEST(Logbuf, FootprintsAndFullness) {
  auto r = TypeParam::make(64);
  auto& [tx, rx] = *r;
  EXPECT_EQ(lb::footprint(1), 16u);
  EXPECT_EQ(lb::footprint(8), 16u);
  EXPECT_EQ(lb::footprint(13), 24u);
  EXPECT_EQ(lb::footprint(64), 72u);
  constexpr int fits = (64 - TypeParam::reserve) / 16;  // 4 (spsc: 3, and the next header)
  for (int i = 0; i < fits; ++i) {
    auto c = tx.try_claim(8);
    ASSERT_TRUE(c);
    c.commit();
  }
  EXPECT_EQ(tx.try_claim(1).code(), status::full) << fits << " x 16 bytes fill 64";
  { auto c = rx.try_claim(); }
  auto c = tx.try_claim(8);
  EXPECT_TRUE(c) << "a freed record makes room";
}

// format.hpp PUBLICATION: freed space reaches the producers once
// capacity/16 bytes have been freed since the last publication, or when the
// consumer finds the ring empty; never before, never later.
TYPED_TEST(Logbuf, FreedSpaceIsPublishedPerBatchAndWhenEmpty) {
  auto r = TypeParam::make(1024);  // batch: 64 bytes = 4 records of 16
  auto& [tx, rx] = *r;
  ASSERT_EQ(lb::free_batch(1024), 64u);
  ASSERT_EQ(lb::free_batch(8), 1u) << "never 0: tiny rings publish per free";
  const auto fill = [&] {
    int n = 0;
    for (;;) {
      auto c = tx.try_claim(8);
      if (!c) {
        EXPECT_EQ(c.code(), status::full);
        return n;
      }
      c.commit();
      ++n;
    }
  };
  constexpr int fits = (1024 - TypeParam::reserve) / 16;  // 64 (spsc: 63)
  ASSERT_EQ(fill(), fits) << fits << " x 16 bytes fill 1024";
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(rx.try_claim());  // freed, 16 bytes each
    EXPECT_EQ(tx.try_claim(8).code(), status::full) << "48 freed bytes are not published yet (" << i << ")";
  }
  ASSERT_TRUE(rx.try_claim());  // the fourth completes the batch
  EXPECT_EQ(fill(), 4) << "a full batch (64 bytes) is published";
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(rx.try_claim());
  EXPECT_EQ(tx.try_claim(8).code(), status::full) << "32 freed bytes wait for the batch";
  // Drain: the consumer catches up; its try_claim that finds the ring empty
  // publishes everything.
  int got = 0;
  while (rx.try_claim()) ++got;
  EXPECT_EQ(got, fits - 2);
  EXPECT_EQ(fill(), fits) << "the whole ring is free once the consumer found it empty";
  // A held read claim is not "empty": busy publishes nothing.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(rx.try_claim());
  {
    auto held = rx.try_claim();
    ASSERT_TRUE(held);
    EXPECT_EQ(rx.try_claim().code(), status::busy);
    EXPECT_EQ(tx.try_claim(8).code(), status::full) << "busy publishes nothing";
  }
  EXPECT_EQ(fill(), 4) << "freeing the held record completes the batch";
  while (rx.try_claim()) {
  }
  // Stopping at an uncommitted reservation is "empty" too: 61 records, an
  // open claim, 2 more (the ring full); the consumer frees the 61 (976
  // bytes: 960 published in batches) and stops at the open claim, publishing
  // the last 16. spsc: 60 records (960 bytes, all in batches), so nothing is
  // left to publish at the open claim.
  constexpr int before = fits - 3;
  for (int i = 0; i < before; ++i) tx.try_claim(8).commit();
  auto open = tx.try_claim(8);
  ASSERT_TRUE(open);
  for (int i = 0; i < 2; ++i) tx.try_claim(8).commit();
  for (int i = 0; i < before; ++i) ASSERT_TRUE(rx.try_claim());
  EXPECT_EQ(rx.try_claim().code(), status::empty) << "waits at the open claim";
  EXPECT_EQ(fill(), before) << "the batches' bytes and the rest, published at the open claim";
  open.commit();
}

TYPED_TEST(Logbuf, ZeroLengthIsRejectedAndChangesNothing) {  // H4
  auto r = TypeParam::make(32);
  auto& [tx, rx] = *r;
  auto z = tx.try_claim(0);
  EXPECT_FALSE(z);
  EXPECT_EQ(z.code(), status::zero_length);
  EXPECT_STREQ(nexus::to_string(z.code()), "zero-length record");
  EXPECT_EQ(rx.try_claim().code(), status::empty);
  // The whole capacity is still there: two 16-byte records fit (spsc: one,
  // and the next header).
  for (int i = 0; i < int(32 - TypeParam::reserve) / 16; ++i) {
    auto c = tx.try_claim(8);
    ASSERT_TRUE(c);
    c.commit();
  }
  EXPECT_EQ(tx.try_claim(0).code(), status::zero_length) << "checked before fullness";
}

TYPED_TEST(Logbuf, OversizeIsADistinctErrorNotFull) {  // F9
  auto r = TypeParam::make(64);
  auto& [tx, rx] = *r;
  EXPECT_EQ(tx.max_payload(), 24u);
  EXPECT_EQ(tx.try_claim(25).code(), status::too_large) << "even in an empty ring";
  EXPECT_EQ(tx.try_claim(64).code(), status::too_large);
  EXPECT_EQ(tx.try_claim(~std::size_t{0}).code(), status::too_large) << "no footprint overflow";
  EXPECT_EQ(rx.try_claim().code(), status::empty);
  // The guarantee: a max_payload record fits at every position once drained.
  for (std::size_t shift : {8u, 16u, 17u, 24u, 1u, 13u}) {
    auto c = tx.try_claim(shift);
    ASSERT_TRUE(c);
    c.commit();
    { auto d = rx.try_claim(); }
    auto big = tx.try_claim(24);
    ASSERT_TRUE(big) << "max payload refused after a " << shift << "-byte record";
    big.commit();
    { auto d = rx.try_claim(); ASSERT_EQ(d.size(), 24u); }
  }
}

TYPED_TEST(Logbuf, CapacityErrorsAndRounding) {  // F10
  EXPECT_EQ(TypeParam::make(0).error_code(), nexus::error::capacity_zero);
  EXPECT_EQ(TypeParam::make(1).error_code(), nexus::error::capacity_too_small);
  EXPECT_EQ(TypeParam::make(16).error_code(), nexus::error::capacity_too_small);
  EXPECT_STREQ(nexus::to_string(nexus::error::capacity_too_small), "capacity too small");
  EXPECT_EQ(TypeParam::make(17)->tx.capacity(), 32u);
  EXPECT_EQ(TypeParam::make(100)->tx.capacity(), 128u);
  EXPECT_EQ(TypeParam::make(1000)->rx.capacity(), 1024u);
  EXPECT_EQ(TypeParam::make(~std::uint64_t{0}).error_code(), nexus::error::capacity_too_large);
  EXPECT_EQ(TypeParam::make((std::uint64_t{1} << 63) + 1).error_code(), nexus::error::capacity_too_large);
  EXPECT_EQ(TypeParam::make(std::uint64_t{1} << 63).error_code(), nexus::error::capacity_too_large);
  EXPECT_EQ(TypeParam::make((std::uint64_t{1} << 62) + 1).error_code(), nexus::error::capacity_too_large);
}

TYPED_TEST(Logbuf, PayloadsAreWordAligned) {  // H7 (and H5: headers are the word before)
  auto r = TypeParam::make(4096);
  auto& [tx, rx] = *r;
  for (std::size_t len : {1u, 3u, 7u, 8u, 13u, 64u, 255u, 1000u}) {
    auto c = tx.try_claim(len);
    ASSERT_TRUE(c);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(c.data().data()) % 8, 0u) << len;
    std::memset(c.data().data(), 0xAB, len);
    c.commit();
    auto d = rx.try_claim();
    ASSERT_EQ(d.size(), len);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(d.data().data()) % 8, 0u) << len;
  }
}

TYPED_TEST(Logbuf, AbortedClaimIsSkipped) {
  auto r = TypeParam::make(64);
  auto& [tx, rx] = *r;
  {
    auto c = tx.try_claim(10);
    put(c, "0123456789");
    c.abort();
    EXPECT_FALSE(c);
  }
  {
    auto c = tx.try_claim(5);
    put(c, "hello");
    c.commit();
  }
  auto d = rx.try_claim();
  ASSERT_TRUE(d);
  EXPECT_EQ(str(d), "hello");
}

TYPED_TEST(Logbuf, DestroyingAnOpenClaimAbortsEvenOnException) {
  auto r = TypeParam::make(64);
  auto& [tx, rx] = *r;
  try {
    auto c = tx.try_claim(20);
    put(c, std::string(20, 'x'));
    throw std::runtime_error("writer failed");
  } catch (const std::runtime_error&) {
  }
  { auto c = tx.try_claim(7); }  // dropped open: aborts
  EXPECT_EQ(rx.try_claim().code(), status::empty) << "skips only: nothing to deliver, nothing stalled";
  auto c = tx.try_claim(3);
  put(c, "end");
  c.commit();
  EXPECT_EQ(str(rx.try_claim()), "end");
}

TYPED_TEST(Logbuf, MoveAssigningAnOpenClaimAbortsIt) {
  auto r = TypeParam::make(64);
  auto& [tx, rx] = *r;
  auto a = tx.try_claim(4);
  put(a, "aaaa");
  auto b = tx.try_claim(4);
  put(b, "bbbb");
  a = std::move(b);  // the old `a` is aborted
  EXPECT_FALSE(b);
  a.commit();
  EXPECT_EQ(str(rx.try_claim()), "bbbb");
}

TYPED_TEST(Logbuf, WrapLeavesPaddingTheConsumerSkips) {
  auto r = TypeParam::make(64);
  auto& [tx, rx] = *r;
  // 16-byte records take 24: the third lands at 48 and wraps (16 bytes of
  // padding, then the record at 0). Taken two at a time (spsc: one at a
  // time: two of them and the next header do not fit where they wrap).
  constexpr int per = TypeParam::reserve ? 1 : 2;
  for (int i = 0; i < 20; ++i) {
    auto c = tx.try_claim(16);
    ASSERT_TRUE(c) << i;
    put(c, std::string(16, char('A' + i)));
    c.commit();
    if (i % per == per - 1) {
      for (int k = per - 1; k >= 0; --k) EXPECT_EQ(str(rx.try_claim()), std::string(16, char('A' + i - k)));
    }
  }
}

TYPED_TEST(Logbuf, StaleMarkersNeverSurviveALap) {  // H6: no old lap's bytes read as a header
  auto r = TypeParam::make(256);
  auto& [tx, rx] = *r;
  // Payloads of 0xFF bytes with shifting sizes: later headers land inside
  // earlier payloads; a byte not zeroed would read as a committed header.
  std::size_t lens[] = {57, 3, 40, 9, 25, 1, 48, 16, 33, 5, 60, 11};
  for (int round = 0; round < 50; ++round) {
    for (std::size_t len : lens) {
      auto c = tx.try_claim(len);
      ASSERT_TRUE(c) << round << " " << len;
      std::memset(c.data().data(), 0xFF, len);
      c.commit();
      auto d = rx.try_claim();
      ASSERT_TRUE(d);
      ASSERT_EQ(d.size(), len);
      EXPECT_TRUE(std::all_of(d.data().begin(), d.data().end(), [](unsigned char b) { return b == 0xFF; }));
    }
    ASSERT_EQ(rx.try_claim().code(), status::empty) << "a phantom record from stale bytes";
    // mpsc: an open claim's payload starts zeroed (spsc: it holds old bytes).
    auto c = tx.try_claim(30);
    ASSERT_TRUE(c);
    if constexpr (TypeParam::zeroes_freed) {
      EXPECT_TRUE(std::all_of(c.data().begin(), c.data().end(), [](unsigned char b) { return b == 0; }));
    }
  }
}

TYPED_TEST(Logbuf, OutOfOrderCommitWaitsForTheOldestClaim) {
  auto r = TypeParam::make(128);
  auto& [tx, rx] = *r;
  auto a = tx.try_claim(3);
  auto b = tx.try_claim(3);
  put(b, "bbb");
  b.commit();
  EXPECT_EQ(rx.try_claim().code(), status::empty) << "b waits behind the open a (head-of-line)";
  put(a, "aaa");
  a.commit();
  EXPECT_EQ(str(rx.try_claim()), "aaa");
  EXPECT_EQ(str(rx.try_claim()), "bbb");
}

TYPED_TEST(Logbuf, OneReadClaimAtATime) {
  auto r = TypeParam::make(64);
  auto& [tx, rx] = *r;
  for (const char* s : {"one", "two"}) {
    auto c = tx.try_claim(3);
    put(c, s);
    c.commit();
  }
  auto first = rx.try_claim();
  ASSERT_TRUE(first);
  auto second = rx.try_claim();
  EXPECT_FALSE(second);
  EXPECT_EQ(second.code(), status::busy);
  EXPECT_STREQ(nexus::to_string(status::busy), "a claim is still open");
  EXPECT_EQ(str(first), "one");
  first.consume();
  EXPECT_FALSE(first);
  EXPECT_EQ(str(rx.try_claim()), "two");
}

TYPED_TEST(Logbuf, DisconnectIsSeenByBothSides) {
  {
    auto r = TypeParam::make(64);
    auto& [tx, rx] = *r;
    auto c = tx.try_claim(4);
    put(c, "last");
    c.commit();
    EXPECT_FALSE(rx.is_disconnected());
    { auto gone = std::move(tx); }
    EXPECT_FALSE(tx.valid());
    EXPECT_TRUE(rx.is_disconnected());
    EXPECT_EQ(str(rx.try_claim()), "last") << "records survive the producer";
  }
  {
    auto r = TypeParam::make(64);
    auto& [tx, rx] = *r;
    { auto gone = std::move(rx); }
    EXPECT_TRUE(tx.is_disconnected());
    auto c = tx.try_claim(8);
    EXPECT_TRUE(c) << "advisory: claims succeed until full";
  }
}

TYPED_TEST(Logbuf, CrossThreadSequence) {
  auto r = TypeParam::make(1024);
  constexpr std::uint64_t n = 20000;
  std::thread prod([tx = std::move(r->tx)]() mutable {
    for (std::uint64_t i = 0; i < n; ++i) {
      for (;;) {
        auto c = tx.try_claim(8 + i % 17);
        if (c) {
          std::memcpy(c.data().data(), &i, 8);
          c.commit();
          break;
        }
        std::this_thread::yield();
      }
    }
  });
  std::uint64_t next = 0;
  while (next < n) {
    auto c = r->rx.try_claim();
    if (!c) {
      std::this_thread::yield();
      continue;
    }
    std::uint64_t v;
    std::memcpy(&v, c.data().data(), 8);
    ASSERT_EQ(v, next);
    ASSERT_EQ(c.size(), 8 + next % 17);
    ++next;
  }
  prod.join();
}

TEST(LogbufMpsc, ClonedProducersAndDisconnect) {
  auto r = lb::mpsc::ring_buffer(256);
  auto tx1 = std::move(r->tx);
  auto rx = std::move(r->rx);
  auto tx2 = tx1.clone();
  {
    auto a = tx1.try_claim(1);
    auto b = tx2.try_claim(2);
    put(b, "bb");
    b.commit();
    put(a, "a");
    a.commit();
  }
  { auto gone = std::move(tx1); }
  EXPECT_FALSE(rx.is_disconnected()) << "one producer is still alive";
  { auto gone = std::move(tx2); }
  EXPECT_TRUE(rx.is_disconnected());
  EXPECT_EQ(str(rx.try_claim()), "a") << "reservation order";
  EXPECT_EQ(str(rx.try_claim()), "bb");
  EXPECT_EQ(rx.try_claim().code(), status::empty);
}

// The first CAS of an MPSC claim tries the handle's own tail guess (where its
// last claim ended): a stale guess must only fail that CAS, never misplace a
// record, and a full verdict must rest on the current tail and head.
TEST(LogbufMpsc, StaleTailGuessesNeitherMisplaceNorSpuriouslyFill) {
  auto r = lb::mpsc::ring_buffer(128);
  ASSERT_TRUE(r);
  auto tx1 = std::move(r->tx);
  auto rx = std::move(r->rx);
  auto tx2 = tx1.clone();
  auto send = [](auto& tx, std::string_view s) {
    auto c = tx.try_claim(s.size());
    if (!c) return c.code();
    put(c, s);
    c.commit();
    return status::ok;
  };
  // tx1 takes 0..48; tx2's guess (0) is stale: its record goes to 48..64.
  for (std::string_view s : {"a0a0a0a0", "a1a1a1a1", "a2a2a2a2"}) ASSERT_EQ(send(tx1, s), status::ok);
  ASSERT_EQ(send(tx2, "b0b0b0b0"), status::ok);
  for (std::string_view s : {"a0a0a0a0", "a1a1a1a1", "a2a2a2a2", "b0b0b0b0"})
    EXPECT_EQ(str(rx.try_claim()), s) << "reservation order with a stale guess";
  EXPECT_EQ(rx.try_claim().code(), status::empty);
  // head 64: tx2 fills the ring (8 records of 16 bytes: 64..192), then full.
  int n = 0;
  while (send(tx2, "c0c0c0c0") == status::ok) ++n;
  EXPECT_EQ(n, 8) << "every free byte is claimable, no more";
  // tx1's guess (48) is stale and the ring really is full.
  EXPECT_EQ(send(tx1, "d0d0d0d0"), status::full);
  for (int k = 0; k < n; ++k) EXPECT_EQ(str(rx.try_claim()), "c0c0c0c0");
  // Drained: tx1's guess and cached head are both stale, and the claim
  // still succeeds (no spurious full), right after tx2's records.
  EXPECT_EQ(send(tx1, "e0e0e0e0"), status::ok);
  EXPECT_EQ(str(rx.try_claim()), "e0e0e0e0");
  EXPECT_EQ(rx.try_claim().code(), status::empty);
}

TEST(LogbufMpsc, FourProducersExactlyOncePerProducerOrder) {
  auto r = lb::mpsc::ring_buffer(512);
  constexpr std::uint32_t per = 10000;
  std::vector<std::thread> ts;
  {
    auto tx = std::move(r->tx);
    for (std::uint32_t p = 0; p < 4; ++p)
      ts.emplace_back([q = tx.clone(), p]() mutable {
        for (std::uint32_t i = 0; i < per; ++i) {
          for (;;) {
            auto c = q.try_claim(8 + (i + p) % 29);
            if (c) {
              const std::uint32_t v[2] = {p, i};
              std::memcpy(c.data().data(), v, 8);
              c.commit();
              break;
            }
            std::this_thread::yield();
          }
        }
      });
  }
  std::uint32_t next[4] = {0, 0, 0, 0};
  std::uint64_t total = 0;
  for (;;) {
    auto c = r->rx.try_claim();
    if (!c) {
      if (r->rx.is_disconnected() && !(c = r->rx.try_claim())) break;  // F1-style final try
      if (!c) {
        std::this_thread::yield();
        continue;
      }
    }
    std::uint32_t v[2];
    std::memcpy(v, c.data().data(), 8);
    ASSERT_LT(v[0], 4u);
    ASSERT_EQ(v[1], next[v[0]]) << "producer " << v[0];
    ASSERT_EQ(c.size(), 8 + (v[1] + v[0]) % 29);
    ++next[v[0]];
    ++total;
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(total, 4u * per);
}

// ---- batch reads (format.hpp BATCH READS) ------------------------------------------

// A handler that appends each record's payload as a string.
struct collect {
  std::vector<std::string>* out;
  void operator()(const auto& rec) const {
    out->emplace_back(reinterpret_cast<const char*>(rec.data().data()), rec.size());
  }
};

TYPED_TEST(Logbuf, ReadNTakesUpToMaxInOrderAcrossSkipsAndLaps) {
  auto r = TypeParam::make(TypeParam::reserve ? 128 : 64);  // spsc: room for two records, a skip and the next header
  auto& [tx, rx] = *r;
  std::vector<std::string> got;
  int sent = 0;
  // 16-byte records take 24: every third wraps behind padding; an aborted
  // claim between them is a skip the batch consumes on the way.
  for (int lap = 0; lap < 10; ++lap) {
    for (int k = 0; k < 2; ++k) {
      auto c = tx.try_claim(16);
      ASSERT_TRUE(c) << lap;
      put(c, std::string(16, char('A' + sent++ % 26)));
      c.commit();
    }
    if (lap % 3 == 0) {
      auto a = tx.try_claim(1);
      if (a) a.abort();
    }
    const auto m = rx.read_n(collect{&got}, 1 + lap % 3);
    ASSERT_EQ(m.code, status::ok);
    ASSERT_EQ(m.count, std::size_t(1 + lap % 3) > 2 ? 2u : std::size_t(1 + lap % 3));
    while (rx.read_n(collect{&got}, 5).count != 0) {
    }
  }
  ASSERT_EQ(got.size(), std::size_t(sent));
  for (int i = 0; i < sent; ++i) EXPECT_EQ(got[i], std::string(16, char('A' + i % 26))) << i;
}

TYPED_TEST(Logbuf, ReadNPublishesByTheSingleFreeRule) {
  // As FreedSpaceIsPublishedPerBatchAndWhenEmpty, through read_n: the head
  // is stored when a batch of bytes (64 here) has been freed, or the ring
  // was found empty; never per record.
  auto r = TypeParam::make(1024);
  auto& [tx, rx] = *r;
  const auto fill = [&] {
    int n = 0;
    for (auto c = tx.try_claim(8); c; c = tx.try_claim(8), ++n) c.commit();
    return n;
  };
  constexpr int fits = (1024 - TypeParam::reserve) / 16;  // 64 (spsc: 63)
  ASSERT_EQ(fill(), fits);
  const auto none = [](const auto&) {};
  EXPECT_EQ(rx.read_n(none, 3).count, 3u);
  EXPECT_EQ(tx.try_claim(8).code(), status::full) << "48 freed bytes are below the batch: not published";
  EXPECT_EQ(rx.read_n(none, 1).count, 1u);
  EXPECT_EQ(fill(), 4) << "the fourth record completes the batch: published";
  // A batch that runs the ring empty publishes everything it freed.
  std::size_t n = 0;
  for (many_result m{status::ok, 0}; (m = rx.read_n(none, 7)).code == status::ok;) n += m.count;
  EXPECT_EQ(n, std::size_t(fits));
  EXPECT_EQ(fill(), fits) << "the whole ring is free after a batch found it empty";
}

TYPED_TEST(Logbuf, ReadNEdgeCasesChangeNothing) {
  auto r = TypeParam::make(64);
  auto& [tx, rx] = *r;
  std::vector<std::string> got;
  EXPECT_EQ(rx.read_n(collect{&got}, 4).code, status::empty);
  {
    auto c = tx.try_claim(2);
    put(c, "ab");
    c.commit();
  }
  const auto z = rx.read_n(collect{&got}, 0);
  EXPECT_EQ(z.code, status::ok);
  EXPECT_EQ(z.count, 0u);
  EXPECT_TRUE(got.empty()) << "max 0 reads nothing";
  {
    auto held = rx.try_claim();
    ASSERT_TRUE(held);
    EXPECT_EQ(rx.read_n(collect{&got}, 4).code, status::busy) << "a read claim is open";
    EXPECT_EQ(str(held), "ab");
  }
  {
    auto c = tx.try_claim(2);
    put(c, "cd");
    c.commit();
  }
  // Inside the handler the record is held: the handle refuses a claim.
  status inner = status::ok;
  const auto m = rx.read_n([&](const auto& rec) { inner = rx.try_claim().code(); collect{&got}(rec); }, 4);
  EXPECT_EQ(m.count, 1u);
  EXPECT_EQ(inner, status::busy);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "cd");
  EXPECT_EQ(rx.try_claim().code(), status::empty);
}

TYPED_TEST(Logbuf, ReadNThrowLeavesThatRecordAtTheHead) {
  auto r = TypeParam::make(1024);
  auto& [tx, rx] = *r;
  for (const char* s : {"r0", "r1", "r2", "r3"}) {
    auto c = tx.try_claim(2);
    put(c, s);
    c.commit();
  }
  std::vector<std::string> got;
  int calls = 0;
  EXPECT_THROW((void)rx.read_n(
                   [&](const auto& rec) {
                     if (++calls == 3) throw std::runtime_error("handler");
                     collect{&got}(rec);
                   },
                   10),
               std::runtime_error);
  ASSERT_EQ(got.size(), 2u) << "the records before the throw are consumed";
  const auto m = rx.read_n(collect{&got}, 10);
  EXPECT_EQ(m.count, 2u) << "the record the handler threw on is handed out again";
  EXPECT_EQ(got, (std::vector<std::string>{"r0", "r1", "r2", "r3"}));
  EXPECT_EQ(rx.read_n(collect{&got}, 10).code, status::empty);
}

// ---- channels -------------------------------------------------------------------

template <class Sender>
void send_str(Sender& tx, std::string_view s) {
  auto c = tx.send(s.size());
  ASSERT_TRUE(c) << nexus::to_string(c.code());
  put(c, s);
  c.commit();
}

TEST(LogbufChannel, SendRecvTrySendTryRecv) {
  auto ch = lch::spsc::channel(64);
  ASSERT_TRUE(ch);
  auto& [tx, rx] = *ch;
  EXPECT_EQ(rx.try_recv().code(), status::empty);
  send_str(tx, "first");
  {
    auto c = tx.try_send(6);
    ASSERT_TRUE(c);
    put(c, "second");
    c.commit();
  }
  EXPECT_EQ(str(rx.recv()), "first");
  EXPECT_EQ(str(rx.try_recv()), "second");
  EXPECT_EQ(tx.capacity(), 64u);
  EXPECT_EQ(rx.capacity(), 64u);
  EXPECT_EQ(tx.max_payload(), 24u);
}

TEST(LogbufChannel, CapacityErrorsAreTheRings) {  // F10
  EXPECT_EQ(lch::spsc::channel(0).error_code(), nexus::error::capacity_zero);
  EXPECT_EQ(lch::mpsc::channel(8).error_code(), nexus::error::capacity_too_small);
  EXPECT_EQ(lch::mpsc::channel(~std::uint64_t{0}).error_code(), nexus::error::capacity_too_large);
}

TEST(LogbufChannel, ZeroLengthAndOversizeFailAtOnceOnEveryPath) {  // H4, F9
  auto ch = lch::spsc::channel(64);
  auto& [tx, rx] = *ch;
  EXPECT_EQ(tx.send(0).code(), status::zero_length);
  EXPECT_EQ(tx.try_send(0).code(), status::zero_length);
  EXPECT_EQ(tx.send_timeout(0, 1s).code(), status::zero_length);
  EXPECT_EQ(tx.send(25).code(), status::too_large) << "send never waits for a record that cannot fit";
  EXPECT_EQ(tx.try_send(25).code(), status::too_large);
  EXPECT_EQ(rx.try_recv().code(), status::empty) << "nothing changed";
  { auto gone = std::move(rx); }
  EXPECT_EQ(tx.send(0).code(), status::zero_length) << "checked before the disconnect";
  EXPECT_EQ(tx.send(100).code(), status::too_large);
  EXPECT_EQ(tx.send(8).code(), status::disconnected);
}

TEST(LogbufChannel, TrySendFullAndSendTimeout) {
  auto ch = lch::spsc::channel(64, 0);  // three 16-byte footprints and the next header's 8 bytes
  auto& [tx, rx] = *ch;
  send_str(tx, "a");
  send_str(tx, "b");
  send_str(tx, "c");
  EXPECT_EQ(tx.try_send(1).code(), status::full);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(tx.send_timeout(1, 30ms).code(), status::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 30ms);
  EXPECT_EQ(str(rx.recv()), "a");
  EXPECT_TRUE(tx.try_send(1));
}

TEST(LogbufChannel, RecvDrainsBeforeReportingDisconnect) {  // F1
  auto ch = lch::spsc::channel(64);
  {
    auto tx = std::move(ch->tx);
    send_str(tx, "one");
    send_str(tx, "two");
  }
  EXPECT_TRUE(ch->rx.is_disconnected());
  EXPECT_EQ(str(ch->rx.recv()), "one");
  EXPECT_EQ(str(ch->rx.recv_timeout(0ms)), "two");
  EXPECT_EQ(ch->rx.recv().code(), status::disconnected);
  EXPECT_EQ(ch->rx.try_recv().code(), status::disconnected);
}

TEST(LogbufChannel, PastDeadlinesOnADisconnectedChannelReportDisconnect) {  // F8
  auto ch = lch::spsc::channel(64);
  { auto gone = std::move(ch->tx); }
  EXPECT_EQ(ch->rx.recv_timeout(0ms).code(), status::disconnected);
  EXPECT_EQ(ch->rx.recv_until(std::chrono::steady_clock::now() - 1s).code(), status::disconnected);
  auto d = lch::spsc::channel(64);
  { auto gone = std::move(d->rx); }
  EXPECT_TRUE(d->tx.is_disconnected());
  EXPECT_EQ(d->tx.send_timeout(8, 0ms).code(), status::disconnected);
}

TEST(LogbufChannel, RecvTimeoutWaitsItsDuration) {
  auto ch = lch::spsc::channel(64, 0);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(ch->rx.recv_timeout(50ms).code(), status::timeout);
  const auto dt = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(dt, 50ms);
  EXPECT_LT(dt, 2s);
  send_str(ch->tx, "data");
  EXPECT_EQ(str(ch->rx.recv_timeout(50ms)), "data") << "a timed recv with data returns it";
}

TEST(LogbufChannel, WakeUpsWithNothingToTakeDoNotEndADeadlineEarly) {  // F12
  // Aborted claims wake the parked receiver but deliver nothing: a single
  // park (upstream) would return early; a true deadline loop parks again.
  auto ch = lch::spsc::channel(1024, 0);
  std::atomic<bool> stop{false};
  std::thread aborter([&, tx = std::move(ch->tx)]() mutable {
    while (!stop.load(std::memory_order_acquire)) {
      { auto c = tx.send(8); }  // destroyed open: aborts, wakes the receiver
      std::this_thread::sleep_for(2ms);
    }
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto r = ch->rx.recv_timeout(60ms);
  const auto dt = std::chrono::steady_clock::now() - t0;
  stop.store(true, std::memory_order_release);
  aborter.join();
  EXPECT_EQ(r.code(), status::timeout);
  EXPECT_GE(dt, 60ms) << "returned before the deadline";
}

TEST(LogbufChannel, CommitWakesABlockedReceiver) {
  auto ch = lch::spsc::channel(64, 0);
  std::thread t([tx = std::move(ch->tx)]() mutable {
    std::this_thread::sleep_for(20ms);
    send_str(tx, "late");
    std::this_thread::sleep_for(20ms);
  });
  EXPECT_EQ(str(ch->rx.recv()), "late");
  t.join();
  EXPECT_EQ(ch->rx.recv().code(), status::disconnected);
}

TEST(LogbufChannel, DropWakesABlockedPeer) {  // H1
  {
    auto ch = lch::spsc::channel(64, 0);
    std::thread t([tx = std::move(ch->tx)]() mutable { std::this_thread::sleep_for(20ms); });
    EXPECT_EQ(ch->rx.recv().code(), status::disconnected);
    t.join();
  }
  {
    auto ch = lch::mpsc::channel(32, 0);
    send_str(ch->tx, "a");
    send_str(ch->tx, "b");
    std::thread t([rx = std::move(ch->rx)]() mutable { std::this_thread::sleep_for(20ms); });
    EXPECT_EQ(ch->tx.send(8).code(), status::disconnected) << "a sender blocked on full sees the receiver go";
    t.join();
  }
}

TEST(LogbufChannel, FreedSpaceWakesEveryBlockedSender) {
  auto ch = lch::mpsc::channel(64, 0);
  auto& [tx, rx] = *ch;
  for (int i = 0; i < 4; ++i) send_str(tx, "x");  // full: 4 x 16 bytes
  std::vector<std::thread> ts;
  for (std::size_t len : {24u, 1u, 12u})  // blocked senders wanting different sizes
    ts.emplace_back([s = tx.clone(), len]() mutable {
      auto c = s.send(len);
      ASSERT_TRUE(c);
      std::memset(c.data().data(), 'y', len);
      c.commit();
    });
  std::this_thread::sleep_for(20ms);
  int got = 0;
  while (got < 7) {
    auto c = rx.recv_timeout(5s);
    ASSERT_TRUE(c) << "a blocked sender was never woken: " << nexus::to_string(c.code());
    ++got;
  }
  for (auto& t : ts) t.join();
}

// format.hpp PUBLICATION: the last freed bytes before the ring runs empty
// are below a batch; the receiver's attempt that finds the ring empty
// publishes them and must wake the sender that needs exactly them.
TEST(LogbufChannel, ASenderWaitingOnTheLastFreedBytesIsWokenWhenTheReceiverRunsEmpty) {
  auto ch = lch::spsc::channel(1024, 0);  // batch: 64 bytes
  auto& [tx, rx] = *ch;
  for (std::size_t len : {496u, 8u}) {  // footprints 504 and 16: the tail at 520
    auto c = tx.try_send(len);
    ASSERT_TRUE(c);
    std::memset(c.data().data(), 'a', len);
    c.commit();
  }
  {
    auto c = rx.try_recv();  // frees 504 bytes: a batch, published
    ASSERT_TRUE(c);
    EXPECT_EQ(c.size(), 496u);
  }
  // 504 bytes at 520: 504 of padding to the end, then 512: only a head at
  // 512 or more makes room. The sender blocks; its deadline is far beyond
  // the receiver's, and its final attempt at the deadline would find the
  // room, so only a wake-up gets its record to the receiver in time.
  std::thread t([&tx] {
    auto c = tx.send_timeout(504, 60s);
    ASSERT_TRUE(c) << nexus::to_string(c.code());
    std::memset(c.data().data(), 'b', 504);
    c.commit();
  });
  std::this_thread::sleep_for(20ms);
  {
    auto c = rx.recv_timeout(5s);  // frees 16 bytes: not published
    ASSERT_TRUE(c);
    EXPECT_EQ(c.size(), 8u);
  }
  {
    auto c = rx.recv_timeout(10s);  // its first attempt finds the ring empty and publishes
    EXPECT_TRUE(c) << "the sender was not woken by the publication: " << nexus::to_string(c.code());
    EXPECT_EQ(c.size(), c ? 504u : 0u);
  }
  t.join();
}

TEST(LogbufChannel, BusyWhileAReadClaimIsOpen) {
  auto ch = lch::spsc::channel(64);
  send_str(ch->tx, "a");
  send_str(ch->tx, "b");
  auto first = ch->rx.recv();
  ASSERT_TRUE(first);
  EXPECT_EQ(ch->rx.recv().code(), status::busy) << "returns at once, never blocks";
  EXPECT_EQ(ch->rx.try_recv().code(), status::busy);
  first.consume();
  EXPECT_EQ(str(ch->rx.recv()), "b");
}

TEST(LogbufChannel, HeadOfLineClaimsAcrossSenders) {
  auto ch = lch::mpsc::channel(128, 0);
  auto tx2 = ch->tx.clone();
  auto a = ch->tx.send(1);
  auto b = tx2.send(1);
  put(b, "b");
  b.commit();
  EXPECT_EQ(ch->rx.recv_timeout(10ms).code(), status::timeout) << "b waits behind the open a";
  put(a, "a");
  a.commit();
  EXPECT_EQ(str(ch->rx.recv()), "a");
  EXPECT_EQ(str(ch->rx.recv()), "b");
}

TEST(LogbufChannel, FourSendersExactlyOnceStrictCount) {  // F1 under load
  auto ch = lch::mpsc::channel(512);
  constexpr std::uint32_t per = 5000;
  std::vector<std::thread> ts;
  {
    auto tx = std::move(ch->tx);
    for (std::uint32_t p = 0; p < 4; ++p)
      ts.emplace_back([s = tx.clone(), p]() mutable {
        for (std::uint32_t i = 0; i < per; ++i) {
          auto c = s.send(8 + i % 40);
          ASSERT_TRUE(c);
          const std::uint32_t v[2] = {p, i};
          std::memcpy(c.data().data(), v, 8);
          c.commit();
        }
      });
  }
  std::uint32_t next[4] = {0, 0, 0, 0};
  std::uint64_t total = 0;
  for (;;) {
    auto c = ch->rx.recv();
    if (!c) {
      EXPECT_EQ(c.code(), status::disconnected);
      break;
    }
    std::uint32_t v[2];
    std::memcpy(v, c.data().data(), 8);
    ASSERT_EQ(v[1], next[v[0]]);
    ++next[v[0]];
    ++total;
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(total, 4u * per);
}

TEST(LogbufChannel, RecvManyBlocksForOneThenTakesWhatIsThere) {
  auto ch = lch::mpsc::channel(256, 0);
  auto& [tx, rx] = *ch;
  std::vector<std::string> got;
  EXPECT_EQ(rx.try_recv_many(collect{&got}, 4).code, status::empty);
  EXPECT_EQ(rx.recv_many_timeout(collect{&got}, 4, 10ms).code, status::timeout);
  EXPECT_EQ(rx.recv_many(collect{&got}, 0).count, 0u);
  std::thread t([s = tx.clone()]() mutable {
    std::this_thread::sleep_for(20ms);
    send_str(s, "one");
  });
  auto m = rx.recv_many(collect{&got}, 4);
  t.join();
  EXPECT_EQ(m.code, status::ok);
  EXPECT_EQ(m.count, 1u);
  for (const char* s : {"a", "b", "c"}) send_str(tx, s);
  m = rx.recv_many(collect{&got}, 2);
  EXPECT_EQ(m.count, 2u) << "at most max";
  { auto gone = std::move(tx); }
  m = rx.recv_many(collect{&got}, 8);
  EXPECT_EQ(m.code, status::ok) << "a record sent before the disconnect is still delivered (F1)";
  EXPECT_EQ(m.count, 1u);
  EXPECT_EQ(rx.recv_many(collect{&got}, 8).code, status::disconnected);
  EXPECT_EQ(rx.try_recv_many(collect{&got}, 8).code, status::disconnected);
  EXPECT_EQ(got, (std::vector<std::string>{"one", "a", "b", "c"}));
}

// Deadlines from 0 to max() and the open-claim refusal, for the batch
// receive as for recv_timeout: 0 makes one attempt; max() waits for ever
// (saturating, no overflow); past a disconnect a zero deadline reports
// disconnected, not timeout (F8); a read claim still open is busy and
// nothing is taken.
TEST(LogbufChannel, RecvManyDeadlinesFromZeroToMaxAndBusy) {
  auto ch = lch::spsc::channel(256, 0);
  auto& [tx, rx] = *ch;
  std::vector<std::string> got;
  EXPECT_EQ(rx.recv_many_timeout(collect{&got}, 4, 0ns).code, status::timeout);
  EXPECT_EQ(rx.recv_many_timeout(collect{&got}, 4, -5s).code, status::timeout);
  send_str(tx, "a");
  send_str(tx, "b");
  {
    auto held = rx.try_recv();  // "a", held open
    ASSERT_TRUE(held);
    const auto m = rx.try_recv_many(collect{&got}, 4);
    EXPECT_EQ(m.code, status::busy);
    EXPECT_EQ(m.count, 0u);
  }
  auto m = rx.recv_many_timeout(collect{&got}, 4, std::chrono::nanoseconds::max());
  EXPECT_EQ(m.code, status::ok);
  EXPECT_EQ(m.count, 1u);
  std::thread t([s = std::move(tx)]() mutable {
    std::this_thread::sleep_for(20ms);
    send_str(s, "c");
  });  // the sender goes when the thread ends
  m = rx.recv_many_until(collect{&got}, 4, std::chrono::steady_clock::time_point::max());
  t.join();
  EXPECT_EQ(m.code, status::ok);
  EXPECT_EQ(m.count, 1u);
  EXPECT_EQ(rx.recv_many_timeout(collect{&got}, 4, 0ns).code, status::disconnected) << "F8";
  EXPECT_EQ(rx.recv_many_timeout(collect{&got}, 4, std::chrono::hours::max()).code, status::disconnected);
  EXPECT_EQ(got, (std::vector<std::string>{"b", "c"}));
}

TEST(LogbufChannel, RecvManyWakesEveryBlockedSender) {
  auto ch = lch::mpsc::channel(64, 0);
  auto& [tx, rx] = *ch;
  for (int i = 0; i < 4; ++i) send_str(tx, "x");  // full: 4 x 16 bytes
  std::vector<std::thread> ts;
  for (std::size_t len : {24u, 1u, 12u})
    ts.emplace_back([s = tx.clone(), len]() mutable {
      auto c = s.send_timeout(len, 30s);
      ASSERT_TRUE(c) << nexus::to_string(c.code());
      std::memset(c.data().data(), 'y', len);
      c.commit();
    });
  std::this_thread::sleep_for(20ms);
  std::size_t got = 0;
  const auto none = [](const auto&) {};
  while (got < 7) {
    const auto m = rx.recv_many_timeout(none, 8, 5s);
    ASSERT_EQ(m.code, status::ok) << "a blocked sender was never woken";
    got += m.count;
  }
  for (auto& t : ts) t.join();
}

TEST(LogbufResult, NewNamesHaveStrings) {
  for (auto s : {status::zero_length, status::too_large, status::busy})
    EXPECT_STRNE(nexus::to_string(s), "unknown status");
  EXPECT_STREQ(nexus::to_string(status::too_large), "record too large for this ring");
}

}  // namespace
