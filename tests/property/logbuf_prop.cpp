// rapidcheck properties of nexus::logbuf (production build):
//  * stateful, one thread: random claim / write / commit / abort / drop-open /
//    consume sequences (several open claims at once, lengths from 0 to past
//    the maximum) against the reference model in tests/logbuf_model.hpp:
//    every status (zero_length H4, too_large F9, full, ok, empty), every
//    delivered record's length, bytes, position and 8-alignment (H7), and
//    that stale bytes never read as a record (H6).
//  * concurrent: random capacities, producer counts, record sizes and
//    commit/abort mixes on the MPSC ring (and SPSC): every committed byte
//    arrives intact, exactly once, in each producer's order; nothing aborted
//    arrives; "disconnected and empty" means everything has arrived.
//  * channel: random senders and sizes through the blocking MPSC channel
//    with a strict total count (F1).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "../logbuf_model.hpp"
#include "nexus/logbuf/channel.hpp"
#include "nexus/logbuf/mpsc.hpp"
#include "nexus/logbuf/spsc.hpp"

namespace lb = nexus::logbuf;
using nexus::status;
using nexus_test::record_bytes;
using nexus_test::ring_model;

namespace {

// ---- stateful: one thread against the model ------------------------------------
template <class Ring>
struct sut {
  using producer = std::remove_reference_t<decltype(std::declval<Ring&>().tx)>;
  using claim = typename producer::claim;
  std::vector<producer> tx;  // MPSC: clones; SPSC: the one producer
  std::optional<std::remove_reference_t<decltype(std::declval<Ring&>().rx)>> rx;
  std::vector<std::pair<std::uint32_t, claim>> open;  // id -> open claim
  std::uint32_t next_id = 1;
};
struct model {
  ring_model ring;
  std::vector<std::uint32_t> open;  // ids of open claims, in the SUT's order
  std::uint32_t next_id = 1;
};

template <class Ring>
using cmd = rc::state::Command<model, sut<Ring>>;

template <class Ring>
struct claim_cmd : cmd<Ring> {
  std::size_t len = *rc::gen::weightedOneOf<std::size_t>(
      {{1, rc::gen::just<std::size_t>(0)}, {8, rc::gen::inRange<std::size_t>(1, 64)},
       {1, rc::gen::inRange<std::size_t>(64, 300)}});
  std::size_t who = *rc::gen::inRange<std::size_t>(0, 4);
  void apply(model& m) const override {
    if (m.ring.claim(len, m.next_id) == status::ok) m.open.push_back(m.next_id);
    ++m.next_id;
  }
  void run(const model& m, sut<Ring>& s) const override {
    ring_model predicted = m.ring;
    const status want = predicted.claim(len, m.next_id);
    auto& p = s.tx[who % s.tx.size()];
    auto c = p.try_claim(len);
    RC_ASSERT(c.code() == want);
    RC_ASSERT(static_cast<bool>(c) == (want == status::ok));
    if (c) {
      RC_ASSERT(c.size() == len);
      RC_ASSERT(reinterpret_cast<std::uintptr_t>(c.data().data()) % 8 == 0);  // H7
      // mpsc: a fresh claim's bytes are zero (H6: consumed bytes were zeroed).
      if constexpr (Ring::zeroes_freed)
        RC_ASSERT(std::all_of(c.data().begin(), c.data().end(), [](unsigned char b) { return b == 0; }));
      const auto bytes = record_bytes(m.next_id, len);
      std::memcpy(c.data().data(), bytes.data(), len);
      s.open.emplace_back(m.next_id, std::move(c));
    }
    ++s.next_id;
  }
  void show(std::ostream& os) const override { os << "claim(" << len << ") by " << who; }
};

enum class close_how { commit, abort, drop };
template <class Ring>
struct close_cmd : cmd<Ring> {
  std::size_t which = *rc::gen::inRange<std::size_t>(0, 8);
  close_how how = *rc::gen::element(close_how::commit, close_how::commit, close_how::abort, close_how::drop);
  void checkPreconditions(const model& m) const override { RC_PRE(!m.open.empty()); }
  void apply(model& m) const override {
    const std::size_t k = which % m.open.size();
    if (how == close_how::commit)
      m.ring.commit(m.open[k]);
    else
      m.ring.abort(m.open[k]);
    m.open.erase(m.open.begin() + static_cast<std::ptrdiff_t>(k));
  }
  void run(const model& m, sut<Ring>& s) const override {
    const std::size_t k = which % m.open.size();
    RC_ASSERT(s.open[k].first == m.open[k]);
    if (how == close_how::commit) s.open[k].second.commit();
    if (how == close_how::abort) s.open[k].second.abort();
    s.open.erase(s.open.begin() + static_cast<std::ptrdiff_t>(k));  // drop: the destructor aborts
  }
  void show(std::ostream& os) const override {
    os << (how == close_how::commit ? "commit" : how == close_how::abort ? "abort" : "drop open") << " #" << which;
  }
};

template <class Ring>
struct consume_cmd : cmd<Ring> {
  void apply(model& m) const override { (void)m.ring.consume(); }
  void run(const model& m, sut<Ring>& s) const override {
    ring_model predicted = m.ring;
    const auto want = predicted.consume();
    auto c = s.rx->try_claim();
    RC_ASSERT(static_cast<bool>(c) == want.has_value());
    if (!c) {
      RC_ASSERT(c.code() == status::empty);
      return;
    }
    RC_ASSERT(c.size() == want->len);
    RC_ASSERT(reinterpret_cast<std::uintptr_t>(c.data().data()) % 8 == 0);  // H7
    const auto bytes = record_bytes(want->id, want->len);
    RC_ASSERT(std::equal(c.data().begin(), c.data().end(), bytes.begin()));
  }
  void show(std::ostream& os) const override { os << "consume"; }
};

// read_n(f, max): the model's consume_n, record by record, and its status.
template <class Ring>
struct read_n_cmd : cmd<Ring> {
  std::size_t max = *rc::gen::inRange<std::size_t>(0, 6);
  void apply(model& m) const override { (void)m.ring.consume_n(max); }
  void run(const model& m, sut<Ring>& s) const override {
    ring_model predicted = m.ring;
    const auto want = predicted.consume_n(max);
    std::size_t k = 0;
    const auto got = s.rx->read_n(
        [&](const auto& rec) {
          RC_ASSERT(k < want.size());
          RC_ASSERT(rec.size() == want[k].len);
          RC_ASSERT(reinterpret_cast<std::uintptr_t>(rec.data().data()) % 8 == 0);  // H7
          const auto bytes = record_bytes(want[k].id, want[k].len);
          RC_ASSERT(std::equal(rec.data().begin(), rec.data().end(), bytes.begin()));
          ++k;
        },
        max);
    RC_ASSERT(got.count == want.size());
    RC_ASSERT(k == want.size());
    RC_ASSERT(got.code == (max != 0 && want.empty() ? status::empty : status::ok));
  }
  void show(std::ostream& os) const override { os << "read_n(" << max << ")"; }
};

template <class Ring>
struct clone_cmd : cmd<Ring> {
  void checkPreconditions(const model&) const override { RC_PRE(Ring::clonable); }
  void apply(model&) const override {}
  void run(const model&, sut<Ring>& s) const override {
    if constexpr (Ring::clonable) {
      if (s.tx.size() < 4) s.tx.push_back(s.tx.front().clone());
    }
  }
  void show(std::ostream& os) const override { os << "clone a producer"; }
};

// Ring adapters: the factory, and the handle types (for sut<>).
// next_header: the room a claim needs beyond its record; zeroes_freed: the
// consumer zeroes what it frees, so a fresh claim's bytes are zero
// (format.hpp WHO ZEROES: mpsc; spsc's producer zeroes the next header).
struct spsc_ring {
  static constexpr bool clonable = false;
  static constexpr std::uint64_t next_header = 8;
  static constexpr bool zeroes_freed = false;
  static auto make(std::uint64_t c) { return lb::spsc::ring_buffer(c); }
  lb::spsc::producer<> tx;
  lb::spsc::consumer<> rx;
};
struct mpsc_ring {
  static constexpr bool clonable = true;
  static constexpr std::uint64_t next_header = 0;
  static constexpr bool zeroes_freed = true;
  static auto make(std::uint64_t c) { return lb::mpsc::ring_buffer(c); }
  lb::mpsc::producer<> tx;
  lb::mpsc::consumer<> rx;
};

template <class Ring>
void check_against_model() {
  const auto asked = *rc::gen::inRange<std::uint64_t>(17, 600);
  auto r = Ring::make(asked);
  RC_ASSERT(r.has_value());
  const auto cap = r->tx.capacity();
  model m{ring_model(cap, Ring::next_header), {}, 1};
  sut<Ring> s;
  s.tx.push_back(std::move(r->tx));
  s.rx.emplace(std::move(r->rx));
  rc::state::check(m, s,
                   rc::state::gen::execOneOfWithArgs<claim_cmd<Ring>, claim_cmd<Ring>, close_cmd<Ring>,
                                                     close_cmd<Ring>, consume_cmd<Ring>, read_n_cmd<Ring>,
                                                     clone_cmd<Ring>>());
  s.open.clear();  // claims close before their handles go
}

RC_GTEST_PROP(LogbufProperty, SpscMatchesTheModel, ()) { check_against_model<spsc_ring>(); }
RC_GTEST_PROP(LogbufProperty, MpscMatchesTheModel, ()) { check_against_model<mpsc_ring>(); }

// ---- concurrent ---------------------------------------------------------------
// A record: [producer u32][seq u32][bytes of record_bytes(producer << 20 | seq)].
struct plan {
  std::vector<std::size_t> lens;  // per record, >= 8
  std::vector<bool> aborted;
};

inline void write_rec(unsigned char* d, std::uint32_t p, std::uint32_t seq, std::size_t len) {
  std::memcpy(d, &p, 4);
  std::memcpy(d + 4, &seq, 4);
  const auto b = record_bytes(p << 20 | seq, len - 8);
  if (!b.empty()) std::memcpy(d + 8, b.data(), b.size());  // memcpy from an empty vector's null data() is UB
}

// Runs on a producer thread: failures are reported through `bad` (rapidcheck
// assertions throw, which a thread cannot carry).
template <class Producer>
void produce(Producer& q, std::uint32_t p, const plan& pl, std::atomic<bool>& bad) {
  std::uint32_t seq = 0;
  for (std::size_t i = 0; i < pl.lens.size(); ++i) {
    for (;;) {
      auto c = q.try_claim(pl.lens[i]);
      if (c) {
        if (pl.aborted[i]) {
          std::memset(c.data().data(), 0xEE, pl.lens[i]);  // written, then abandoned
          c.abort();
        } else {
          write_rec(c.data().data(), p, seq++, pl.lens[i]);
          c.commit();
        }
        break;
      }
      if (c.code() != status::full) {
        bad.store(true);
        return;
      }
      std::this_thread::yield();
    }
  }
}

// Receives until disconnected; checks order, bytes; returns per-producer counts.
template <class Consumer>
std::vector<std::uint32_t> consume_all(Consumer& rx, std::size_t producers, const std::vector<plan>& plans) {
  std::vector<std::uint32_t> next(producers, 0);
  std::vector<std::vector<std::size_t>> committed_lens(producers);
  for (std::size_t p = 0; p < producers; ++p)
    for (std::size_t i = 0; i < plans[p].lens.size(); ++i)
      if (!plans[p].aborted[i]) committed_lens[p].push_back(plans[p].lens[i]);
  for (;;) {
    auto c = rx.try_claim();
    if (!c) {
      if (!rx.is_disconnected()) {
        std::this_thread::yield();
        continue;
      }
      c = rx.try_claim();  // the final try after seeing the disconnect
      if (!c) break;
    }
    std::uint32_t p, seq;
    std::memcpy(&p, c.data().data(), 4);
    std::memcpy(&seq, c.data().data() + 4, 4);
    RC_ASSERT(p < producers);
    RC_ASSERT(seq == next[p]);  // exactly once, in the producer's order
    RC_ASSERT(seq < committed_lens[p].size());
    RC_ASSERT(c.size() == committed_lens[p][seq]);
    const auto b = record_bytes(p << 20 | seq, c.size() - 8);
    RC_ASSERT(std::equal(c.data().begin() + 8, c.data().end(), b.begin()));  // every byte intact
    ++next[p];
  }
  for (std::size_t p = 0; p < producers; ++p) RC_ASSERT(next[p] == committed_lens[p].size());
  return next;
}

rc::Gen<plan> gen_plan(std::uint64_t max_len) {
  return rc::gen::exec([max_len] {
    const auto n = *rc::gen::inRange<std::size_t>(0, 1500);
    plan pl;
    for (std::size_t i = 0; i < n; ++i) {
      pl.lens.push_back(*rc::gen::inRange<std::size_t>(8, static_cast<std::size_t>(max_len) + 1));
      pl.aborted.push_back(*rc::gen::inRange(0, 8) == 0);
    }
    return pl;
  });
}

RC_GTEST_PROP(LogbufProperty, MpscProducersDeliverExactlyOnceInTheirOrder, ()) {
  const auto asked = *rc::gen::inRange<std::uint64_t>(32, 4096);
  const auto producers = *rc::gen::inRange<std::size_t>(1, 5);
  auto r = lb::mpsc::ring_buffer(asked);
  RC_ASSERT(r.has_value());
  const auto max_len = std::min<std::uint64_t>(r->tx.max_payload(), 200);
  std::vector<plan> plans;
  for (std::size_t p = 0; p < producers; ++p) plans.push_back(*gen_plan(max_len));
  std::atomic<bool> bad{false};
  std::vector<std::thread> ts;
  {
    auto tx = std::move(r->tx);
    for (std::size_t p = 0; p < producers; ++p)
      ts.emplace_back(
          [q = tx.clone(), p, &plans, &bad]() mutable { produce(q, static_cast<std::uint32_t>(p), plans[p], bad); });
  }
  consume_all(r->rx, producers, plans);
  for (auto& t : ts) t.join();
  RC_ASSERT(!bad.load());
}

RC_GTEST_PROP(LogbufProperty, SpscDeliversExactlyOnceInOrder, ()) {
  const auto asked = *rc::gen::inRange<std::uint64_t>(32, 4096);
  auto r = lb::spsc::ring_buffer(asked);
  RC_ASSERT(r.has_value());
  const std::vector<plan> plans{*gen_plan(std::min<std::uint64_t>(r->tx.max_payload(), 300))};
  std::atomic<bool> bad{false};
  std::thread t([q = std::move(r->tx), &plans, &bad]() mutable { produce(q, 0, plans[0], bad); });
  consume_all(r->rx, 1, plans);
  t.join();
  RC_ASSERT(!bad.load());
}

RC_GTEST_PROP(LogbufProperty, ChannelSendersStrictTotal, ()) {  // F1
  const auto asked = *rc::gen::inRange<std::uint64_t>(32, 2048);
  const auto senders = *rc::gen::inRange<std::uint32_t>(1, 4);
  const auto per = *rc::gen::inRange<std::uint32_t>(0, 500);
  const auto spins = *rc::gen::inRange<unsigned>(0, 12);
  auto ch = lb::channel::mpsc::channel(asked, spins);
  RC_ASSERT(ch.has_value());
  const std::size_t max_len = std::min<std::size_t>(ch->tx.max_payload(), 100);
  std::vector<std::thread> ts;
  {
    auto tx = std::move(ch->tx);
    for (std::uint32_t p = 0; p < senders; ++p)
      ts.emplace_back([s = tx.clone(), p, per, max_len]() mutable {
        for (std::uint32_t i = 0; i < per; ++i) {
          const std::size_t len = 8 + (i * 7 + p) % (max_len - 7);
          auto c = s.send(len);
          if (!c) return;
          write_rec(c.data().data(), p, i, len);
          c.commit();
        }
      });
  }
  std::vector<std::uint32_t> next(senders, 0);
  std::uint64_t total = 0;
  for (;;) {
    auto c = ch->rx.recv();
    if (!c) {
      RC_ASSERT(c.code() == status::disconnected);
      break;
    }
    std::uint32_t p, seq;
    std::memcpy(&p, c.data().data(), 4);
    std::memcpy(&seq, c.data().data() + 4, 4);
    RC_ASSERT(p < senders && seq == next[p]);
    const auto b = record_bytes(p << 20 | seq, c.size() - 8);
    RC_ASSERT(std::equal(c.data().begin() + 8, c.data().end(), b.begin()));
    ++next[p];
    ++total;
  }
  for (auto& t : ts) t.join();
  RC_ASSERT(total == std::uint64_t{senders} * per);
}

}  // namespace
