// rapidcheck properties of nexus::queue::mpsc and spmc (production build):
//  * stateful: random push/pop/clone/drop sequences against a deque model;
//  * concurrent: random producer (MPSC) or consumer (SPMC) counts,
//    capacities and item counts: exactly-once delivery, per-producer order
//    (MPSC) / increasing order per consumer (SPMC), and "disconnected and
//    empty" means everything has arrived.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <thread>
#include <vector>

#include "nexus/queue/mpsc.hpp"
#include "nexus/queue/spmc.hpp"

namespace mpsc = nexus::queue::mpsc;
namespace spmc = nexus::queue::spmc;
using nexus::status;

namespace {

// ---- MPSC stateful: several producer handles, one consumer ----------------------
struct mpsc_model {
  std::uint64_t capacity;
  std::deque<int> items;
  int producers = 1;
};
struct mpsc_sut {
  std::vector<mpsc::producer<int>> tx;
  std::optional<mpsc::consumer<int>> rx;
};
using mpsc_cmd = rc::state::Command<mpsc_model, mpsc_sut>;

struct mpsc_push : mpsc_cmd {
  int value = *rc::gen::arbitrary<int>();
  std::size_t who = *rc::gen::inRange<std::size_t>(0, 8);
  void checkPreconditions(const mpsc_model& m) const override { RC_PRE(m.producers > 0); }
  void apply(mpsc_model& m) const override {
    if (m.items.size() < m.capacity) m.items.push_back(value);
  }
  void run(const mpsc_model& m, mpsc_sut& s) const override {
    auto& p = s.tx[who % s.tx.size()];
    RC_ASSERT(p.push(value) == (m.items.size() < m.capacity ? status::ok : status::full));
  }
  void show(std::ostream& os) const override { os << "push(" << value << ") by " << who; }
};
struct mpsc_pop : mpsc_cmd {
  void apply(mpsc_model& m) const override {
    if (!m.items.empty()) m.items.pop_front();
  }
  void run(const mpsc_model& m, mpsc_sut& s) const override {
    auto v = s.rx->pop();
    RC_ASSERT(v.has_value() == !m.items.empty());
    if (v) RC_ASSERT(*v == m.items.front());
  }
  void show(std::ostream& os) const override { os << "pop"; }
};
struct mpsc_clone : mpsc_cmd {
  void checkPreconditions(const mpsc_model& m) const override { RC_PRE(m.producers > 0 && m.producers < 6); }
  void apply(mpsc_model& m) const override { ++m.producers; }
  void run(const mpsc_model&, mpsc_sut& s) const override { s.tx.push_back(s.tx.front().clone()); }
  void show(std::ostream& os) const override { os << "clone"; }
};
struct mpsc_drop : mpsc_cmd {
  void checkPreconditions(const mpsc_model& m) const override { RC_PRE(m.producers > 0); }
  void apply(mpsc_model& m) const override { --m.producers; }
  void run(const mpsc_model& m, mpsc_sut& s) const override {
    s.tx.pop_back();
    RC_ASSERT(s.rx->is_disconnected() == (m.producers == 1));
  }
  void show(std::ostream& os) const override { os << "drop a producer"; }
};

RC_GTEST_PROP(MpscProperty, MatchesADequeModel, ()) {
  const auto asked = *rc::gen::inRange<std::uint64_t>(1, 17);
  auto r = mpsc::ring_buffer<int>(asked);
  RC_ASSERT(r.has_value());
  mpsc_model m{nexus::detail::checked_pow2(asked), {}, 1};
  mpsc_sut s;
  s.tx.push_back(std::move(r->tx));
  s.rx.emplace(std::move(r->rx));
  rc::state::check(m, s,
                   rc::state::gen::execOneOfWithArgs<mpsc_push, mpsc_push, mpsc_pop, mpsc_clone, mpsc_drop>());
}

RC_GTEST_PROP(MpscProperty, ProducersDeliverExactlyOnceInTheirOrder, ()) {
  const auto asked = *rc::gen::inRange<std::uint64_t>(1, 200);
  const auto producers = *rc::gen::inRange<std::uint64_t>(1, 5);
  const auto per = *rc::gen::inRange<std::uint64_t>(0, 5000);
  auto r = mpsc::ring_buffer<std::uint64_t>(asked);
  RC_ASSERT(r.has_value());
  std::vector<std::thread> ts;
  {
    auto tx = std::move(r->tx);
    for (std::uint64_t p = 0; p < producers; ++p)
      ts.emplace_back([q = tx.clone(), p, per]() mutable {
        for (std::uint64_t i = 0; i < per; ++i)
          while (q.push(p << 32 | i) != status::ok) std::this_thread::yield();
      });
  }
  std::vector<std::uint64_t> next(producers, 0);
  std::uint64_t total = 0;
  auto take = [&](std::uint64_t v) {
    RC_ASSERT((v & 0xffffffffu) == next[v >> 32]);
    ++next[v >> 32];
    ++total;
  };
  for (;;) {
    if (auto v = r->rx.pop()) {
      take(*v);
    } else if (r->rx.is_disconnected()) {
      while (auto w = r->rx.pop()) take(*w);
      break;
    } else {
      std::this_thread::yield();
    }
  }
  for (auto& t : ts) t.join();
  RC_ASSERT(total == producers * per);
}

// ---- SPMC -------------------------------------------------------------------------
RC_GTEST_PROP(SpmcProperty, SequentialMatchesADequeModel, ()) {
  const auto asked = *rc::gen::inRange<std::uint64_t>(1, 17);
  const auto ops = *rc::gen::container<std::vector<std::pair<bool, int>>>(
      rc::gen::pair(rc::gen::arbitrary<bool>(), rc::gen::arbitrary<int>()));
  auto r = spmc::ring_buffer<int>(asked);
  RC_ASSERT(r.has_value());
  auto rx2 = r->rx.clone();
  const auto cap = nexus::detail::checked_pow2(asked);
  std::deque<int> model;
  bool turn = false;
  for (auto [is_push, v] : ops) {
    if (is_push) {
      RC_ASSERT(r->tx.push(v) == (model.size() < cap ? status::ok : status::full));
      if (model.size() < cap) model.push_back(v);
    } else {
      auto got = (turn = !turn) ? r->rx.pop() : rx2.pop();  // alternate consumer handles
      RC_ASSERT(got.has_value() == !model.empty());
      if (got) {
        RC_ASSERT(*got == model.front());
        model.pop_front();
      }
    }
  }
}

RC_GTEST_PROP(SpmcProperty, ConsumersShareExactlyOnce, ()) {
  const auto asked = *rc::gen::inRange<std::uint64_t>(1, 200);
  const auto consumers = *rc::gen::inRange<int>(1, 5);
  const auto n = *rc::gen::inRange<std::uint64_t>(0, 20000);
  auto r = spmc::ring_buffer<std::uint64_t>(asked);
  RC_ASSERT(r.has_value());
  std::vector<std::vector<std::uint64_t>> got(consumers);
  std::vector<std::thread> ts;
  for (int c = 0; c < consumers; ++c)
    ts.emplace_back([q = r->rx.clone(), &mine = got[c]]() mutable {
      for (;;) {
        if (auto v = q.pop()) {
          mine.push_back(*v);
        } else if (q.is_disconnected()) {
          while (auto w = q.pop()) mine.push_back(*w);
          return;
        } else {
          std::this_thread::yield();
        }
      }
    });
  { auto gone = std::move(r->rx); }
  {
    auto tx = std::move(r->tx);
    for (std::uint64_t i = 0; i < n; ++i)
      while (tx.push(i) != status::ok) std::this_thread::yield();
  }
  for (auto& t : ts) t.join();
  std::vector<std::uint64_t> all;
  for (auto& g : got) {
    RC_ASSERT(std::is_sorted(g.begin(), g.end()));
    all.insert(all.end(), g.begin(), g.end());
  }
  std::sort(all.begin(), all.end());
  RC_ASSERT(all.size() == n);
  for (std::uint64_t i = 0; i < n; ++i) RC_ASSERT(all[i] == i);
}

}  // namespace
