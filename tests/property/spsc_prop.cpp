// rapidcheck properties of nexus::queue::spsc over the production build.
//  * stateful: random push/pop/disconnect sequences against a std::deque model
//  * concurrent: 2 real threads, random capacities and item counts: every
//    item delivered exactly once and in order; the consumer's "disconnected
//    and empty" means everything has arrived.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <thread>
#include <vector>

#include "nexus/queue/spsc.hpp"

namespace spsc = nexus::queue::spsc;
using nexus::status;

namespace {

struct model {
  std::uint64_t capacity;
  std::deque<int> items;
  bool producer_gone = false;
};

struct sut {
  std::optional<spsc::producer<int>> tx;
  std::optional<spsc::consumer<int>> rx;
};

struct push_cmd : rc::state::Command<model, sut> {
  int value = *rc::gen::arbitrary<int>();
  void checkPreconditions(const model& m) const override { RC_PRE(!m.producer_gone); }
  void apply(model& m) const override {
    if (m.items.size() < m.capacity) m.items.push_back(value);
  }
  void run(const model& m, sut& s) const override {
    const status st = s.tx->push(value);
    RC_ASSERT(st == (m.items.size() < m.capacity ? status::ok : status::full));
  }
  void show(std::ostream& os) const override { os << "push(" << value << ")"; }
};

struct pop_cmd : rc::state::Command<model, sut> {
  void apply(model& m) const override {
    if (!m.items.empty()) m.items.pop_front();
  }
  void run(const model& m, sut& s) const override {
    auto v = s.rx->pop();
    if (m.items.empty()) {
      RC_ASSERT(!v.has_value());
    } else {
      RC_ASSERT(v.has_value());
      RC_ASSERT(*v == m.items.front());
    }
  }
  void show(std::ostream& os) const override { os << "pop"; }
};

struct drop_producer_cmd : rc::state::Command<model, sut> {
  void checkPreconditions(const model& m) const override { RC_PRE(!m.producer_gone); }
  void apply(model& m) const override { m.producer_gone = true; }
  void run(const model&, sut& s) const override {
    s.tx.reset();
    RC_ASSERT(s.rx->is_disconnected());
  }
  void show(std::ostream& os) const override { os << "drop_producer"; }
};

struct check_cmd : rc::state::Command<model, sut> {
  void run(const model& m, sut& s) const override {
    RC_ASSERT(s.rx->capacity() == m.capacity);
    RC_ASSERT(s.rx->is_disconnected() == m.producer_gone);
    if (!m.producer_gone) RC_ASSERT(!s.tx->is_disconnected());
  }
  void show(std::ostream& os) const override { os << "check"; }
};

RC_GTEST_PROP(SpscProperty, MatchesADequeModel, ()) {
  const auto asked = *rc::gen::inRange<std::uint64_t>(1, 17);
  auto r = spsc::ring_buffer<int>(asked);
  RC_ASSERT(r.has_value());
  model m{nexus::detail::checked_pow2(asked), {}, false};
  sut s;
  s.tx.emplace(std::move(r->tx));
  s.rx.emplace(std::move(r->rx));
  rc::state::check(m, s,
                   rc::state::gen::execOneOfWithArgs<push_cmd, push_cmd, pop_cmd, check_cmd, drop_producer_cmd>());
}

RC_GTEST_PROP(SpscProperty, TwoThreadsDeliverExactlyOnceInOrder, ()) {
  const auto asked = *rc::gen::inRange<std::uint64_t>(1, 300);
  const auto n = *rc::gen::inRange<std::uint64_t>(0, 20000);
  const bool producer_yields = *rc::gen::arbitrary<bool>();
  auto r = spsc::ring_buffer<std::uint64_t>(asked);
  RC_ASSERT(r.has_value());
  std::thread prod([tx = std::move(r->tx), n, producer_yields]() mutable {
    for (std::uint64_t i = 0; i < n; ++i)
      while (tx.push(i) != status::ok)
        if (producer_yields) std::this_thread::yield();
  });  // tx is destroyed when the thread ends: the disconnect
  std::vector<std::uint64_t> got;
  got.reserve(n);
  for (;;) {
    if (auto v = r->rx.pop()) {
      got.push_back(*v);
    } else if (r->rx.is_disconnected()) {
      while (auto w = r->rx.pop()) got.push_back(*w);  // final drain after the disconnect
      break;
    } else {
      std::this_thread::yield();
    }
  }
  prod.join();
  RC_ASSERT(got.size() == n);
  for (std::uint64_t i = 0; i < n; ++i) RC_ASSERT(got[i] == i);
}

}  // namespace
