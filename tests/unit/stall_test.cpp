// A byte-ring producer that stalls for seconds mid-claim (issue 17, item 2),
// with real threads: producer A opens a claim and holds it for 2 s;
// producer B, claiming after it, commits 50 records meanwhile. The MPSC
// consumer delivers in reservation order, so it must wait at A's record:
// nothing of B's comes out while A's claim is open. Once A commits (or
// aborts), A's record (if committed) comes first, then all of B's, in
// order, each intact. The same through the byte channel, whose blocking
// receive times out during the stall and then delivers. (The SPSC byte ring
// has one producer: a stall there is an empty ring, nothing to reorder.)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "nexus/logbuf/channel.hpp"
#include "nexus/logbuf/mpsc.hpp"

using nexus::status;
using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;
namespace lb = nexus::logbuf;

namespace {

constexpr auto stall = 2s;
constexpr std::uint32_t b_records = 50;
constexpr std::uint32_t a_mark = 0xA0A0A0A0u;

void write_record(unsigned char* d, std::uint32_t who, std::uint32_t seq) {
  std::memcpy(d, &who, 4);
  std::memcpy(d + 4, &seq, 4);
  for (int k = 8; k < 24; ++k) d[k] = static_cast<unsigned char>(who + seq * 7 + k);
}
void read_record(const unsigned char* d, std::size_t n, std::uint32_t& who, std::uint32_t& seq) {
  ASSERT_EQ(n, 24u);
  std::memcpy(&who, d, 4);
  std::memcpy(&seq, d + 4, 4);
  for (int k = 8; k < 24; ++k) ASSERT_EQ(d[k], static_cast<unsigned char>(who + seq * 7 + k)) << "a torn record";
}

// The two producers over clones of `tx`; `a_open` is true while A's claim
// is open (stored before A closes it, so a consumer that gets a record
// after A's sees it false).
template <class Tx, class Claim>
std::vector<std::thread> producers(Tx& tx, Claim claim, bool commit, std::atomic<bool>& a_open,
                                   std::atomic<bool>& a_claimed) {
  std::vector<std::thread> ts;
  ts.emplace_back([q = tx.clone(), claim, commit, &a_open, &a_claimed]() mutable {
    auto w = claim(q);
    ASSERT_TRUE(w);
    write_record(w.data().data(), a_mark, 0);
    a_claimed = true;
    std::this_thread::sleep_for(stall);  // the stall, mid-claim
    a_open = false;
    if (commit) w.commit();
    else w.abort();
  });
  ts.emplace_back([q = tx.clone(), claim, &a_claimed]() mutable {
    while (!a_claimed.load()) std::this_thread::yield();  // reserve after A
    for (std::uint32_t i = 0; i < b_records; ++i) {
      auto w = claim(q);
      ASSERT_TRUE(w);
      write_record(w.data().data(), 1, i);
      w.commit();
    }
  });
  return ts;
}

// What the consumer got, checked: order, completeness, and that nothing
// came out while A's claim was open.
struct delivery {
  std::vector<std::uint32_t> who, seq;
  bool early = false;
  void take(const unsigned char* d, std::size_t n, const std::atomic<bool>& a_open) {
    if (a_open.load()) early = true;
    std::uint32_t w = 0, s = 0;
    read_record(d, n, w, s);
    who.push_back(w);
    seq.push_back(s);
  }
  void check(bool committed) const {
    EXPECT_FALSE(early) << "a record behind the stalled claim was delivered while it was open";
    std::size_t i = 0;
    if (committed) {
      ASSERT_GE(who.size(), 1u);
      EXPECT_EQ(who[0], a_mark) << "the stalled record was not delivered first";
      i = 1;
    }
    ASSERT_EQ(who.size(), i + b_records) << "records lost or duplicated";
    for (std::uint32_t k = 0; k < b_records; ++k) {
      EXPECT_EQ(who[i + k], 1u);
      EXPECT_EQ(seq[i + k], k) << "out of order";
    }
  }
};

class LogbufStall : public testing::TestWithParam<bool> {};  // true: A commits; false: A aborts

TEST_P(LogbufStall, MpscRingWaitsAtTheStalledClaimThenDeliversInOrder) {
  const bool commit = GetParam();
  auto r = lb::mpsc::ring_buffer(4096);
  ASSERT_TRUE(r);
  std::atomic<bool> a_open{true}, a_claimed{false};
  std::vector<std::thread> ts;
  {
    auto tx = std::move(r->tx);
    ts = producers(tx, [](auto& q) {
      for (;;) {
        auto w = q.try_claim(24);
        if (w) return w;
        std::this_thread::yield();
      }
    }, commit, a_open, a_claimed);
  }
  delivery got;
  const auto t0 = clk::now();
  std::size_t empty_polls = 0;
  for (;;) {
    auto c = r->rx.try_claim();
    if (c) {
      got.take(c.data().data(), c.size(), a_open);
    } else if (r->rx.is_disconnected()) {
      for (;;) {
        auto d = r->rx.try_claim();
        if (!d) break;
        got.take(d.data().data(), d.size(), a_open);
      }
      break;
    } else {
      if (a_open.load()) ++empty_polls;
      std::this_thread::sleep_for(100us);
    }
  }
  for (auto& t : ts) t.join();
  EXPECT_GE(clk::now() - t0, stall - 100ms);
  EXPECT_GT(empty_polls, 100u) << "the consumer was not kept waiting at the stalled claim";
  got.check(commit);
}

TEST_P(LogbufStall, MpscChannelWaitsAtTheStalledClaimThenDeliversInOrder) {
  const bool commit = GetParam();
  auto ch = lb::channel::mpsc::channel(4096);
  ASSERT_TRUE(ch);
  std::atomic<bool> a_open{true}, a_claimed{false};
  std::vector<std::thread> ts;
  {
    auto tx = std::move(ch->tx);
    ts = producers(tx, [](auto& q) { return q.send(24); }, commit, a_open, a_claimed);
  }
  delivery got;
  std::size_t timeouts = 0;
  for (;;) {
    auto c = ch->rx.recv_timeout(200ms);
    if (c) {
      got.take(c.data().data(), c.size(), a_open);
      continue;
    }
    if (c.code() == status::timeout) {
      ++timeouts;
      continue;
    }
    EXPECT_EQ(c.code(), status::disconnected);
    break;
  }
  for (auto& t : ts) t.join();
  EXPECT_GE(timeouts, 5u) << "the receiver did not wait at the stalled claim";
  got.check(commit);
}

INSTANTIATE_TEST_SUITE_P(CommitOrAbort, LogbufStall, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& i) { return i.param ? "Committed" : "Aborted"; });

}  // namespace
