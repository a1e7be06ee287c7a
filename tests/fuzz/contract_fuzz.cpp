// libFuzzer target: byte strings become single-threaded operation sequences
// on the typed rings (queue::spsc, mpsc, spmc, mpmc), the channels' try_*
// paths (channel, mpsc_channel, mpmc_channel) and notify's event_queue,
// checked step by step against a model (a std::deque; for notify, the FIFO
// of queued tokens):
//   - capacities at every boundary (0, 1, powers of two and one either side,
//     the largest the rings accept as an error, one more): the named error,
//     or capacity() = the request itself (the rings are made as the channels
//     make them, ring_buffer_exact: at most n values in flight);
//   - push / try_send: ok exactly while the model holds fewer than
//     capacity(), else full (the value stays with the caller), disconnected
//     once a channel's last receiver has gone;
//   - pop / try_recv: the model's front, or empty, or (a channel whose
//     senders are all gone) disconnected;
//   - batches (pick's high bit): push_n of 1-8 values on the rings (as many
//     as fit, in order), pop_n / try_recv_many of up to 1-8 (the model's
//     front values, in order); len() / is_empty() / is_full() of every
//     live handle equal the model's after every step;
//   - clones and drops of every handle a ring or channel allows, in any
//     order: is_disconnected() as the model says; values nobody can
//     receive any more are destroyed when the last receiver goes, and
//     every value is destroyed once the last handle goes (live count);
//   - notify: tokens in and out of range (invalid_token), conflation,
//     poll_limit budgets from 0 to more than the tokens queued; partial
//     drains of the events buffer (a poll into a part-drained one is refused).
// Build and run (tests/logbuf.cmake does, as unit.contract.fuzz):
//   clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -Iinclude -Itests \
//           tests/fuzz/contract_fuzz.cpp -o contract_fuzz
//   ./contract_fuzz -max_total_time=20
#include <cstddef>
#include <cstdint>
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
#include "batch_out.hpp"
#include "fuzz/fuzz_check.hpp"

using nexus::status;


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


// A capacity the fuzzer may allocate (the others must be rejected first).
bool small(std::uint64_t c) { return c != 0 && c <= 4096; }

// ---- the rings and the channels' non-blocking paths -------------------------------------
// One driver for both: Ops says how a value goes in and out and what the
// model expects of it; the rest (capacities, clones, drops, disconnects,
// live values) is the same.

using batch_out::recorder;

// Checks a batch's values against the model's front and takes them off it.
inline void took(const std::vector<int>& got, std::size_t k, std::deque<int>& model) {
  FUZZ_CHECK(got.size() == k);
  for (int v : got) {
    FUZZ_CHECK(!model.empty() && v == model.front());
    model.pop_front();
  }
}

struct ring_ops {
  static constexpr bool channel = false;
  // push_n: as many of m values as fit, in order.
  template <class Tx>
  static void put_n(Tx& tx, int& next, std::size_t m, std::deque<int>& model, std::uint64_t cap, bool) {
    const int first = next;
    std::vector<counted> src;  // (no std::views here: clang 14's <ranges> with libstdc++ 12 rejects iota_view)
    src.reserve(m);
    for (std::size_t i = 0; i < m; ++i) src.emplace_back(first + static_cast<int>(i));
    const std::size_t k = tx.push_n(src);
    FUZZ_CHECK(k == std::min<std::uint64_t>(m, cap - model.size()));
    for (std::size_t i = 0; i < k; ++i) model.push_back(first + static_cast<int>(i));
    next += static_cast<int>(m);
  }
  template <class Rx>
  static void get_n(Rx& rx, std::size_t m, std::deque<int>& model, bool) {
    std::vector<int> got;
    got.reserve(m);
    const std::size_t k = rx.pop_n(recorder{&got}, m);
    FUZZ_CHECK(k == std::min(m, model.size()));
    took(got, k, model);
  }
  // push: ok while there is room, else full (a ring whose consumers are gone
  // still takes values until full; they go with the last handle).
  template <class Tx>
  static void put(Tx& tx, int v, std::deque<int>& model, std::uint64_t cap, bool) {
    const status st = tx.push(counted(v));
    FUZZ_CHECK(st == (model.size() < cap ? status::ok : status::full));
    if (st == status::ok) model.push_back(v);
  }
  template <class Rx>
  static void get(Rx& rx, std::deque<int>& model, bool) {
    auto got = rx.pop();
    FUZZ_CHECK(got.has_value() == !model.empty());
    if (got) {
      FUZZ_CHECK(got->v == model.front());
      model.pop_front();
    }
  }
};

struct channel_ops {
  static constexpr bool channel = true;
  // No send_many: single try_sends.
  template <class Tx>
  static void put_n(Tx& tx, int& next, std::size_t m, std::deque<int>& model, std::uint64_t cap, bool no_receivers) {
    for (std::size_t i = 0; i < m; ++i) put(tx, next++, model, cap, no_receivers);
  }
  // try_recv_many: up to m of the oldest, else empty or disconnected.
  template <class Rx>
  static void get_n(Rx& rx, std::size_t m, std::deque<int>& model, bool no_senders) {
    std::vector<int> got;
    got.reserve(m);
    const auto r = rx.try_recv_many(recorder{&got}, m);
    if (!model.empty()) {
      FUZZ_CHECK(r.code == status::ok && r.count == std::min(m, model.size()));
    } else {
      FUZZ_CHECK(r.code == (no_senders ? status::disconnected : status::empty) && r.count == 0);
    }
    took(got, r.count, model);
  }
  // try_send: disconnected once the last receiver has gone, else ok while
  // there is room, else full.
  template <class Tx>
  static void put(Tx& tx, int v, std::deque<int>& model, std::uint64_t cap, bool no_receivers) {
    const status st = tx.try_send(counted(v));
    FUZZ_CHECK(st == (no_receivers ? status::disconnected : model.size() < cap ? status::ok : status::full));
    if (st == status::ok) model.push_back(v);
  }
  // try_recv: the oldest value, else empty, or disconnected once every
  // sender has gone.
  template <class Rx>
  static void get(Rx& rx, std::deque<int>& model, bool no_senders) {
    auto got = rx.try_recv();
    if (!model.empty()) {
      FUZZ_CHECK(got && got->v == model.front());
      model.pop_front();
    } else {
      FUZZ_CHECK(got.code() == (no_senders ? status::disconnected : status::empty));
    }
  }
};

template <class Ops, bool CloneTx, bool CloneRx, class Make>
void sequences(input& in, Make make) {
  const std::uint64_t req = kCaps[in.byte() % std::size(kCaps)];
  auto r = make(req);
  // Capacity 0 is a channel's rendezvous (channel.hpp RENDEZVOUS): single-
  // threaded, no receiver is ever in a blocking call, so every try_send is
  // full and the model stays empty, as for any full channel.
  if (!small(req) && !(Ops::channel && req == 0)) {
    FUZZ_CHECK(!r);
    FUZZ_CHECK(r.error_code() == (req == 0 ? nexus::error::capacity_zero : nexus::error::capacity_too_large));
    return;
  }
  FUZZ_CHECK(r);
  counted::live = 0;
  {
    std::vector<std::remove_reference_t<decltype(r->tx)>> tx;
    std::vector<std::remove_reference_t<decltype(r->rx)>> rx;
    tx.push_back(std::move(r->tx));
    rx.push_back(std::move(r->rx));
    const std::uint64_t cap = tx[0].capacity();
    // Exactly the request: the rings here are the channels' (ring_buffer_exact,
    // slots rounded up inside), so the model holds at most req.
    FUZZ_CHECK(cap == req && rx[0].capacity() == cap);
    std::deque<int> model;
    int next = 0;
    while (in.more() && !(tx.empty() && rx.empty())) {
      const std::uint8_t op = in.byte();
      const std::size_t pick = in.byte();
      switch (op % 6) {
        case 0:
        case 1:
          if (tx.empty()) break;
          if (pick & 0x80)
            Ops::put_n(tx[pick % tx.size()], next, (op >> 5) + 1u, model, cap, rx.empty());
          else
            Ops::put(tx[pick % tx.size()], next++, model, cap, rx.empty());
          break;
        case 2:
        case 3:
          if (rx.empty()) break;
          if (pick & 0x80)
            Ops::get_n(rx[pick % rx.size()], (op >> 5) + 1u, model, tx.empty());
          else
            Ops::get(rx[pick % rx.size()], model, tx.empty());
          break;
        case 4:  // clone a handle of a side that allows it
          if constexpr (CloneTx) {
            if (pick & 1 && !tx.empty() && tx.size() < 4) tx.push_back(tx[pick % tx.size()].clone());
          }
          if constexpr (CloneRx) {
            if (!(pick & 1) && !rx.empty() && rx.size() < 4) rx.push_back(rx[pick % rx.size()].clone());
          }
          break;
        case 5:  // drop a handle
          if (pick & 1 && !tx.empty()) {
            tx.erase(tx.begin() + static_cast<std::ptrdiff_t>(pick % tx.size()));
          } else if (!rx.empty()) {
            rx.erase(rx.begin() + static_cast<std::ptrdiff_t>(pick % rx.size()));
            if (rx.empty()) model.clear();  // the last receiver destroyed what nobody can take
          }
          break;
      }
      if constexpr (!Ops::channel) {
        for (auto& t : tx) FUZZ_CHECK(t.is_disconnected() == rx.empty());
        for (auto& c : rx) FUZZ_CHECK(c.is_disconnected() == tx.empty());
      }
      // The snapshots: exact, single-threaded, from every live handle.
      for (auto& t : tx) FUZZ_CHECK(t.len() == model.size() && t.is_full() == (model.size() == cap));
      for (auto& c : rx) FUZZ_CHECK(c.len() == model.size() && c.is_empty() == model.empty());
      // Live values: exactly the model's (once the receivers are gone, the
      // values pushed after them, until the last handle frees the block).
      FUZZ_CHECK(counted::live == (tx.empty() && rx.empty() ? 0 : static_cast<long>(model.size())));
    }
  }
  FUZZ_CHECK(counted::live == 0);  // the last handle destroyed the rest
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
  auto& n = q->tx;  // plain references: clang 14 cannot capture structured bindings
  auto& p = q->rx;
  const std::size_t tokens = static_cast<std::size_t>(req);
  FUZZ_CHECK(p.capacity() == tokens);
  std::deque<std::size_t> model;  // queued tokens, oldest first; each at most once
  std::vector<bool> queued(tokens, false);
  nexus::notify::events ev;
  std::deque<std::size_t> buf;  // ev's undrained tokens, oldest first
  bool started = false;         // drain() has taken some of ev's tokens
  // A poll into ev: refused (status::undrained, nothing changed) while ev is
  // part-way through a drain; otherwise ev gets the oldest `budget` tokens.
  auto poll = [&](std::size_t budget) {
    const status st = p.poll_limit(ev, budget);
    if (started && !buf.empty()) {
      FUZZ_CHECK(st == status::undrained);
      FUZZ_CHECK(ev.draining() && ev.size() == buf.size());
      return;
    }
    FUZZ_CHECK(st == status::ok && !ev.draining());
    const std::size_t want = budget < model.size() ? budget : model.size();
    FUZZ_CHECK(ev.size() == want);
    buf.clear();
    started = false;
    for (std::size_t i = 0; i < want; ++i) {
      FUZZ_CHECK(ev[i].index() == model.front());
      buf.push_back(model.front());
      queued[model.front()] = false;
      model.pop_front();
    }
  };
  while (in.more()) {
    const std::uint8_t op = in.byte();
    const std::size_t arg = in.byte() | (std::size_t{in.byte()} << 8);
    if (op % 4 < 2) {  // notify a token, in range or up to 2 past it
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
    } else if (op % 4 == 2) {  // poll_limit with a budget from 0 to past what is queued
      poll(arg % (tokens + 3));
    } else {  // drain up to arg % 4 tokens (0 to 3, past the end included)
      for (std::size_t k = arg % 4; k > 0; --k) {
        const auto t = ev.drain();
        if (buf.empty()) {
          FUZZ_CHECK(!t);
          continue;
        }
        FUZZ_CHECK(t && t->index() == buf.front());
        buf.pop_front();
        started = true;
      }
      FUZZ_CHECK(ev.size() == buf.size());
      for (std::size_t i = 0; i < buf.size(); ++i) FUZZ_CHECK(ev[i].index() == buf[i]);
    }
  }
  while (ev.drain()) {
  }
  started = false;
  buf.clear();
  poll(static_cast<std::size_t>(-1));
  FUZZ_CHECK(ev.size() == buf.size());
}

// The structures under test: the channel kinds double as ring factories
// (kind::X::make is the ring a channel runs on); spmc has no channel.
struct spmc_kind {
  static constexpr bool clone_senders = false, clone_receivers = true;
  template <class T, class Sync>
  static auto make(std::uint64_t c) { return nexus::queue::spmc::ring_buffer_exact<T, Sync>(c); }
};
template <class Ops, class Kind>
struct target {
  static void run(input& in) {
    sequences<Ops, Kind::clone_senders, Kind::clone_receivers>(in, [](std::uint64_t c) {
      if constexpr (Ops::channel)
        return nexus::channel::make<counted, Kind>(c);
      else
        return Kind::template make<counted, nexus::std_sync>(c);
    });
  }
};
struct notify_target {
  static void run(input& in) { notify(in); }
};
template <class... Targets>
void run_one(unsigned which, input& in) {
  unsigned i = 0;
  ((which == i++ ? Targets::run(in) : void()), ...);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace k = nexus::channel::kind;
  input in{data, size};
  run_one<target<ring_ops, k::spsc>, target<ring_ops, k::mpsc>, target<ring_ops, spmc_kind>, target<ring_ops, k::mpmc>,
          target<channel_ops, k::spsc>, target<channel_ops, k::mpsc>, target<channel_ops, k::mpmc>, notify_target>(
      in.byte() % 8, in);
  return 0;
}
