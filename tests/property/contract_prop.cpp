// Fault injection at every step (rapidcheck, production build): for every
// ring and channel, a random sequence of push (copy, move, emplace), pop
// and the batches (push_n on the rings, pop_n / try_recv_many)
// is run once to count the T constructions it makes, then once per
// construction n with the n-th one throwing. Each run is checked against a
// deque model after every operation: an operation that threw changed
// nothing (the ring's contents, and the live-object count: exactly the
// values the model holds, no leak, no double destroy); one that returned
// did what the model did; and len() / is_empty() / is_full() agree with
// the model from both ends after every operation. Afterwards the ring must
// still be usable: it drains to the model and then takes and gives back
// every slot.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <ranges>
#include <vector>

#include "batch_out.hpp"
#include "contract.hpp"

using namespace contract;
using nexus::status;

namespace {

enum class op : int { push_copy, push_move, emplace, pop, push_n, pop_n };
struct step {
  op o;
  int v;
};

rc::Gen<std::vector<step>> steps() {
  return rc::gen::container<std::vector<step>>(rc::gen::apply(
      [](int o, int v) { return step{static_cast<op>(o), v}; }, rc::gen::inRange(0, 6), rc::gen::inRange(0, 1000)));
}

// The value of a pop: ring pop() or channel try_recv() (read in place: the
// test itself never moves a T that may throw).
template <class Rx, class F>
bool take_one(Rx& rx, F&& seen) {
  if constexpr (channel_end<Rx>) {
    auto r = rx.try_recv();
    if (!r) return false;
    seen(r->v);
  } else {
    auto r = rx.pop();
    if (!r) return false;
    seen(r->v);
  }
  return true;
}

using batch_out::recorder;

// One run of `seq` with the n-th construction throwing (n = 0: none). Returns
// the constructions it attempted.
template <class K, class T>
long run_once(const std::vector<step>& seq, long n) {
  fault::disarm();
  T::live = 0;
  const long before = fault::constructions;
  {
    auto r = K::template make<T>(4);
    RC_ASSERT(r.has_value());
    auto& [tx, rx] = *r;
    const std::size_t cap = tx.capacity();
    std::deque<int> model;
    fault::arm(n);
    for (const step& s : seq) {
      try {
        switch (s.o) {
          case op::push_copy: {
            const T arg(s.v);
            const status st = put_copy(tx, arg);
            RC_ASSERT(st == (model.size() < cap ? status::ok : status::full));
            if (st == status::ok) model.push_back(s.v);
            break;
          }
          case op::push_move:
          case op::emplace: {
            status st;
            if constexpr (requires { tx.emplace(1); }) {
              st = s.o == op::emplace ? tx.emplace(s.v) : put(tx, T(s.v));
            } else {
              st = put(tx, T(s.v));
            }
            RC_ASSERT(st == (model.size() < cap ? status::ok : status::full));
            if (st == status::ok) model.push_back(s.v);
            break;
          }
          case op::push_n: {  // m values through push_n (rings); a throw keeps the ones before it
            const int m = s.v % 4 + 1;
            if constexpr (requires { tx.push_n(std::vector<T>{}); }) {
              const std::size_t before = model.size();
              auto src = std::views::iota(s.v, s.v + m) | std::views::transform([](int x) { return T(x); });
              std::size_t k = 0;
              try {
                k = tx.push_n(src);
                RC_ASSERT(k == std::min<std::size_t>(static_cast<std::size_t>(m), cap - before));
              } catch (const injected&) {
                k = tx.len() - before;  // the values pushed before the throw
                RC_ASSERT(k < static_cast<std::size_t>(m));
                for (std::size_t i = 0; i < k; ++i) model.push_back(s.v + static_cast<int>(i));
                throw;
              }
              for (std::size_t i = 0; i < k; ++i) model.push_back(s.v + static_cast<int>(i));
            }
            break;
          }
          case op::pop_n: {  // up to m values through pop_n / try_recv_many
            const std::size_t m = static_cast<std::size_t>(s.v % 4 + 1);
            std::vector<int> got;
            got.reserve(m);
            std::size_t k;
            if constexpr (channel_end<std::remove_reference_t<decltype(rx)>>) {
              const auto r = rx.try_recv_many(recorder{&got}, m);
              RC_ASSERT(r.code == (model.empty() ? status::empty : status::ok));
              k = r.count;
            } else {
              k = rx.pop_n(recorder{&got}, m);
            }
            RC_ASSERT(k == std::min(m, model.size()));
            RC_ASSERT(got.size() == k);
            for (std::size_t i = 0; i < k; ++i) {
              RC_ASSERT(got[i] == model.front());
              model.pop_front();
            }
            break;
          }
          case op::pop: {
            const bool got = take_one(rx, [&](int v) {
              RC_ASSERT(!model.empty());
              RC_ASSERT(v == model.front());
            });
            RC_ASSERT(got == !model.empty());
            if (got) model.pop_front();
            break;
          }
        }
      } catch (const injected&) {
        // The operation threw: the model is unchanged, and so must the ring be.
      }
      RC_ASSERT(T::live == static_cast<long>(model.size()));
      // The snapshots are exact here, from both ends, thrown or not.
      RC_ASSERT(tx.len() == model.size());
      RC_ASSERT(rx.len() == model.size());
      RC_ASSERT(rx.is_empty() == model.empty());
      RC_ASSERT(tx.is_full() == (model.size() == cap));
    }
    fault::disarm();
    // Still usable: it drains to the model, then takes and gives back every slot.
    while (!model.empty()) {
      RC_ASSERT(take_one(rx, [&](int v) { RC_ASSERT(v == model.front()); }));
      model.pop_front();
    }
    RC_ASSERT(!take_one(rx, [](int) {}));
    for (std::size_t lap = 0; lap < 2; ++lap) {
      for (std::size_t i = 0; i < cap; ++i) RC_ASSERT(put(tx, T(static_cast<int>(i))) == status::ok);
      for (std::size_t i = 0; i < cap; ++i) RC_ASSERT(take_one(rx, [&](int v) { RC_ASSERT(v == static_cast<int>(i)); }));
    }
  }
  RC_ASSERT(T::live == 0);
  return fault::constructions - before;
}

template <class K, class T>
void every_step(const std::vector<step>& seq) {
  const long total = run_once<K, T>(seq, 0);
  for (long n = 1; n <= total + 1; ++n) run_once<K, T>(seq, n);
}

RC_GTEST_PROP(ContractProp, SpscRingKeepsItsGuaranteeWhenAnyConstructionThrows, ()) {
  const auto seq = *steps();
  every_step<spsc_ring, fragile>(seq);
  every_step<spsc_ring, fragile_move>(seq);  // the move throws too
}
RC_GTEST_PROP(ContractProp, MpscRingKeepsItsGuaranteeWhenAnyConstructionThrows, ()) {
  every_step<mpsc_ring, fragile>(*steps());
}
RC_GTEST_PROP(ContractProp, SpmcRingKeepsItsGuaranteeWhenAnyConstructionThrows, ()) {
  every_step<spmc_ring, fragile>(*steps());
}
RC_GTEST_PROP(ContractProp, MpmcRingKeepsItsGuaranteeWhenAnyConstructionThrows, ()) {
  every_step<mpmc_ring, fragile>(*steps());
}
RC_GTEST_PROP(ContractProp, ChannelKeepsItsGuaranteeWhenAnyConstructionThrows, ()) {
  const auto seq = *steps();
  every_step<spsc_chan, fragile>(seq);
  every_step<spsc_chan, fragile_move>(seq);
}
RC_GTEST_PROP(ContractProp, MpscChannelKeepsItsGuaranteeWhenAnyConstructionThrows, ()) {
  every_step<mpsc_chan, fragile>(*steps());
}
RC_GTEST_PROP(ContractProp, MpmcChannelKeepsItsGuaranteeWhenAnyConstructionThrows, ()) {
  every_step<mpmc_chan, fragile>(*steps());
}

}  // namespace
