// libFuzzer target: byte strings become single-threaded operation sequences
// on the typed rings (queue::spsc, mpsc, spmc, mpmc), the channels' try_*
// paths (channel, mpsc_channel, mpmc_channel) and notify's event_queue,
// checked step by step against a model (a std::deque; for notify, the FIFO
// of queued tokens):
//   - capacities at every boundary (0, 1, powers of two and one either side,
//     the largest the rings accept as an error, one more): the named error,
//     or capacity() = the power of two at or above the request;
//   - push / try_send: ok exactly while the model holds fewer than
//     capacity(), else full (the value stays with the caller), disconnected
//     once a channel's last receiver has gone;
//   - pop / try_recv: the model's front, or empty, or (a channel whose
//     senders are all gone) disconnected;
//   - clones and drops of every handle a ring or channel allows, in any
//     order: is_disconnected() as the model says; values nobody can
//     receive any more are destroyed when the last receiver goes, and
//     every value is destroyed once the last handle goes (live count);
//   - notify: tokens in and out of range (invalid_token), conflation,
//     poll_limit budgets from 0 to more than the tokens queued.
// Build and run (tests/logbuf.cmake does, as unit.contract.fuzz):
//   clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -Iinclude \
//           tests/fuzz/contract_fuzz.cpp -o contract_fuzz
//   ./contract_fuzz -max_total_time=20
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "nexus/channel/channel.hpp"
#include "nexus/notify/event_queue.hpp"
#include "nexus/queue/mpmc.hpp"
#include "nexus/queue/mpsc.hpp"
#include "nexus/queue/spmc.hpp"
#include "nexus/queue/spsc.hpp"

using nexus::status;

#define FUZZ_CHECK(cond)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "contract_fuzz: check failed: %s (line %d)\n", #cond, __LINE__); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

namespace {

// A value that counts the live objects (single-threaded here).
struct counted {
  static inline long live = 0;
  int v;
  explicit counted(int x) noexcept : v(x) { ++live; }
  counted(const counted& o) noexcept : v(o.v) { ++live; }
  counted(counted&& o) noexcept : v(o.v) { ++live; }
  counted& operator=(const counted&) = delete;
  ~counted() { --live; }
};

struct input {
  const std::uint8_t* p;
  std::size_t n;
  bool more() const { return n > 0; }
  std::uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
};

// The boundaries of the capacity range: 0, 1, 2^k - 1, 2^k, 2^k + 1, the
// largest rounding that overflows, and requests too large to address.
constexpr std::uint64_t kCaps[] = {0,  1,  2,  3,    4,    5,    7,    8,   9,
                                   15, 16, 17, 31,   32,   33,   63,   64,  65,
                                   1023, 1024, 1025, std::uint64_t{1} << 62, (std::uint64_t{1} << 63) + 1,
                                   ~std::uint64_t{0}};

std::uint64_t round_up(std::uint64_t c) {
  std::uint64_t r = 1;
  while (r < c) r <<= 1;
  return r;
}

// A capacity the fuzzer may allocate (the others must be rejected first).
bool small(std::uint64_t c) { return c != 0 && c <= 4096; }

// ---- the rings ------------------------------------------------------------------------

template <bool MP, bool MC, class Make>
void rings(input& in, Make make) {
  const std::uint64_t req = kCaps[in.byte() % std::size(kCaps)];
  auto r = make(req);
  if (!small(req)) {
    FUZZ_CHECK(!r);
    FUZZ_CHECK(r.error_code() == (req == 0 ? nexus::error::capacity_zero : nexus::error::capacity_too_large));
    return;
  }
  FUZZ_CHECK(r);
  counted::live = 0;
  {
    using tx_t = std::remove_reference_t<decltype(r->tx)>;
    using rx_t = std::remove_reference_t<decltype(r->rx)>;
    std::vector<tx_t> tx;
    std::vector<rx_t> rx;
    tx.push_back(std::move(r->tx));
    rx.push_back(std::move(r->rx));
    const std::uint64_t cap = tx[0].capacity();
    FUZZ_CHECK(cap == round_up(req) && rx[0].capacity() == cap);
    std::deque<int> model;
    int next = 0;
    while (in.more()) {
      const std::uint8_t op = in.byte();
      const std::size_t pick = in.byte();
      switch (op % 6) {
        case 0:
        case 1:  // push
          if (!tx.empty()) {
            counted v(next);
            const status st = tx[pick % tx.size()].push(std::move(v));
            if (model.size() < cap) {
              FUZZ_CHECK(st == status::ok);
              model.push_back(next++);
            } else {
              FUZZ_CHECK(st == status::full);
            }
          }
          break;
        case 2:
        case 3:  // pop
          if (!rx.empty()) {
            auto got = rx[pick % rx.size()].pop();
            if (model.empty()) {
              FUZZ_CHECK(!got);
            } else {
              FUZZ_CHECK(got && got->v == model.front());
              model.pop_front();
            }
          }
          break;
        case 4:  // clone a handle of a side that allows it
          if constexpr (MP) {
            if (pick & 1 && !tx.empty() && tx.size() < 4) tx.push_back(tx[pick % tx.size()].clone());
          }
          if constexpr (MC) {
            if (!(pick & 1) && !rx.empty() && rx.size() < 4) rx.push_back(rx[pick % rx.size()].clone());
          }
          break;
        case 5:  // drop a handle
          if (pick & 1 && !tx.empty()) {
            tx.erase(tx.begin() + static_cast<std::ptrdiff_t>(pick % tx.size()));
          } else if (!rx.empty()) {
            rx.erase(rx.begin() + static_cast<std::ptrdiff_t>(pick % rx.size()));
            if (rx.empty()) model.clear();  // the last consumer destroyed what nobody can pop
          }
          break;
      }
      for (auto& t : tx) FUZZ_CHECK(t.is_disconnected() == rx.empty());
      for (auto& c : rx) FUZZ_CHECK(c.is_disconnected() == tx.empty());
      // Live values: exactly the model's (once the consumers are gone, the
      // values pushed after them, until the last handle frees the block).
      FUZZ_CHECK(counted::live == (tx.empty() && rx.empty() ? 0 : static_cast<long>(model.size())));
      if (rx.empty() && tx.empty()) break;
    }
  }
  FUZZ_CHECK(counted::live == 0);  // the last handle destroyed the rest
}

// ---- the channels' non-blocking paths ---------------------------------------------------

template <bool CloneTx, bool CloneRx, class Make>
void channels(input& in, Make make) {
  const std::uint64_t req = kCaps[in.byte() % std::size(kCaps)];
  auto c = make(req);
  if (!small(req)) {
    FUZZ_CHECK(!c);
    FUZZ_CHECK(c.error_code() == (req == 0 ? nexus::error::capacity_zero : nexus::error::capacity_too_large));
    return;
  }
  FUZZ_CHECK(c);
  counted::live = 0;
  {
    using tx_t = std::remove_reference_t<decltype(c->tx)>;
    using rx_t = std::remove_reference_t<decltype(c->rx)>;
    std::vector<tx_t> tx;
    std::vector<rx_t> rx;
    tx.push_back(std::move(c->tx));
    rx.push_back(std::move(c->rx));
    const std::uint64_t cap = tx[0].capacity();
    FUZZ_CHECK(cap == round_up(req));
    std::deque<int> model;
    int next = 0;
    while (in.more()) {
      const std::uint8_t op = in.byte();
      const std::size_t pick = in.byte();
      switch (op % 6) {
        case 0:
        case 1:  // try_send
          if (!tx.empty()) {
            counted v(next);
            const status st = tx[pick % tx.size()].try_send(std::move(v));
            if (rx.empty()) {
              FUZZ_CHECK(st == status::disconnected);
            } else if (model.size() < cap) {
              FUZZ_CHECK(st == status::ok);
              model.push_back(next++);
            } else {
              FUZZ_CHECK(st == status::full);
            }
          }
          break;
        case 2:
        case 3:  // try_recv
          if (!rx.empty()) {
            auto got = rx[pick % rx.size()].try_recv();
            if (!model.empty()) {
              FUZZ_CHECK(got && got->v == model.front());
              model.pop_front();
            } else {
              FUZZ_CHECK(got.code() == (tx.empty() ? status::disconnected : status::empty));
            }
          }
          break;
        case 4:  // clone
          if constexpr (CloneTx) {
            if (pick & 1 && !tx.empty() && tx.size() < 4) tx.push_back(tx[pick % tx.size()].clone());
          }
          if constexpr (CloneRx) {
            if (!(pick & 1) && !rx.empty() && rx.size() < 4) rx.push_back(rx[pick % rx.size()].clone());
          }
          break;
        case 5:  // drop
          if (pick & 1 && !tx.empty()) {
            tx.erase(tx.begin() + static_cast<std::ptrdiff_t>(pick % tx.size()));
          } else if (!rx.empty()) {
            rx.erase(rx.begin() + static_cast<std::ptrdiff_t>(pick % rx.size()));
            if (rx.empty()) model.clear();  // destroyed with the last receiver
          }
          break;
      }
      FUZZ_CHECK(counted::live == (tx.empty() && rx.empty() ? 0 : static_cast<long>(model.size())));
      if (rx.empty() && tx.empty()) break;
    }
  }
  FUZZ_CHECK(counted::live == 0);
}

// ---- notify -----------------------------------------------------------------------------

void notify(input& in) {
  const std::uint64_t req = kCaps[in.byte() % std::size(kCaps)];
  auto q = nexus::notify::event_queue(static_cast<std::size_t>(req));
  if (!small(req)) {
    FUZZ_CHECK(!q);
    FUZZ_CHECK(q.error_code() == (req == 0 ? nexus::error::capacity_zero : nexus::error::capacity_too_large));
    return;
  }
  FUZZ_CHECK(q);
  auto& [n, p] = *q;
  const std::size_t tokens = static_cast<std::size_t>(req);
  FUZZ_CHECK(p.capacity() == tokens);
  std::deque<std::size_t> model;  // queued tokens, oldest first; each at most once
  std::vector<bool> queued(tokens, false);
  nexus::notify::events ev;
  while (in.more()) {
    const std::uint8_t op = in.byte();
    const std::size_t arg = in.byte() | (std::size_t{in.byte()} << 8);
    if (op % 3 != 2) {  // notify a token, in range or up to 2 past it
      const std::size_t t = arg % (tokens + 2);
      const status st = n.notify(nexus::notify::token(t));
      if (t >= tokens) {
        FUZZ_CHECK(st == status::invalid_token);
      } else {
        FUZZ_CHECK(st == status::ok);
        if (!queued[t]) {
          queued[t] = true;
          model.push_back(t);
        }
      }
    } else {  // poll_limit with a budget from 0 to past what is queued
      const std::size_t budget = arg % (tokens + 3);
      p.poll_limit(ev, budget);
      const std::size_t want = budget < model.size() ? budget : model.size();
      FUZZ_CHECK(ev.size() == want);
      for (std::size_t i = 0; i < want; ++i) {
        FUZZ_CHECK(ev[i].index() == model.front());
        queued[model.front()] = false;
        model.pop_front();
      }
    }
  }
  p.poll(ev);
  FUZZ_CHECK(ev.size() == model.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  input in{data, size};
  switch (in.byte() % 8) {
    case 0:
      rings<false, false>(
          in, [](std::uint64_t c) { return nexus::queue::spsc::ring_buffer<counted>(c); });
      break;
    case 1:
      rings<true, false>(
          in, [](std::uint64_t c) { return nexus::queue::mpsc::ring_buffer<counted>(c); });
      break;
    case 2:
      rings<false, true>(
          in, [](std::uint64_t c) { return nexus::queue::spmc::ring_buffer<counted>(c); });
      break;
    case 3:
      rings<true, true>(
          in, [](std::uint64_t c) { return nexus::queue::mpmc::ring_buffer<counted>(c); });
      break;
    case 4:
      channels<false, false>(
          in, [](std::uint64_t c) { return nexus::channel::channel<counted>(c); });
      break;
    case 5:
      channels<true, false>(
          in, [](std::uint64_t c) { return nexus::channel::mpsc_channel<counted>(c); });
      break;
    case 6:
      channels<true, true>(
          in, [](std::uint64_t c) { return nexus::channel::mpmc_channel<counted>(c); });
      break;
    default:
      notify(in);
      break;
  }
  return 0;
}
