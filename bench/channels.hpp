// bench/channels.hpp -- blocking channels behind the adapter shape of
// bench/peers.hpp (push and pop wait, then return true), for bench_channel
// and bench_ops:
//   nexus::channel::channel / mpsc_channel / mpmc_channel<u64>(4096)
//   mutex_cv     the textbook bounded queue: std::mutex, two
//                std::condition_variable, a ring (written below; the
//                baseline every blocking channel must beat)
//   moodycamel::BlockingReaderWriterCircularBuffer<u64>(4096)
//                wait_enqueue / wait_dequeue: bounded SPSC, spins then parks
//   moodycamel::BlockingConcurrentQueue<u64>, with and without tokens:
//                enqueue / wait_dequeue (unbounded: enqueue never waits)
//   tbb::concurrent_bounded_queue<u64> (capacity 4096) push / pop (both block)
#pragma once

#include <concurrentqueue/blockingconcurrentqueue.h>
#include <oneapi/tbb/concurrent_queue.h>
#include <readerwriterqueue/readerwritercircularbuffer.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "harness.hpp"
#include "nexus/channel/channel.hpp"
#include "peers.hpp"

namespace bench {

template <class Kind, unsigned Cap, class Sync = nexus::std_sync>
struct nexus_channel : no_prepare {
  using E = nexus::channel::endpoints<u64, Kind, Sync>;
  using ring = nexus_handles<E>;
  static std::unique_ptr<ring> make() {
    return nexus_make<E, !std::is_same_v<Kind, nexus::channel::kind::spsc>,
                      std::is_same_v<Kind, nexus::channel::kind::mpmc>, Cap>(
        [](unsigned c) { return nexus::channel::make<u64, Kind, Sync>(c); });
  }
  static bool push(ring& r, int p, u64 v) {
    if (r.tx[std::size_t(p) % r.tx.size()].send(std::move(v)) != nexus::status::ok) fail("nexus send");
    return true;
  }
  static bool pop(ring& r, int c, u64& v) {
    auto x = r.rx[std::size_t(c) % r.rx.size()].recv();
    if (!x) fail("nexus recv");
    v = *x;
    return true;
  }
  static bool try_pop(ring& r, int c, u64& v) {
    auto x = r.rx[std::size_t(c) % r.rx.size()].try_recv();
    if (!x) return false;
    v = *x;
    return true;
  }
};
template <unsigned Cap>
struct nexus_channel_spsc : nexus_channel<nexus::channel::kind::spsc, Cap> {
  static constexpr const char* label = "nexus::channel::channel<u64>(4096) send/recv (default spins, then parks)";
};
// Reference (not shipped): the SPSC channel with both sides of each
// waitset handshake a full seq_cst fence, as before the asymmetric pair
// (std_sync.hpp fence_light / fence_heavy): the same-run measure of what
// the membarrier handshake gains.
struct symmetric_sync : nexus::std_sync {
  static void fence_light(std::memory_order mo) noexcept { std::atomic_thread_fence(mo); }
  static void fence_heavy(std::memory_order mo) noexcept { std::atomic_thread_fence(mo); }
};
template <unsigned Cap>
struct nexus_channel_symmetric : nexus_channel<nexus::channel::kind::spsc, Cap, symmetric_sync> {
  static constexpr const char* label =
      "nexus::channel::channel<u64>(4096), both handshake sides seq_cst fences (reference, not shipped)";
};
template <unsigned Cap>
struct nexus_channel_mpsc : nexus_channel<nexus::channel::kind::mpsc, Cap> {
  static constexpr const char* label = "nexus::channel::mpsc_channel<u64>(4096) send/recv";
};
template <unsigned Cap>
struct nexus_channel_mpmc : nexus_channel<nexus::channel::kind::mpmc, Cap> {
  static constexpr const char* label = "nexus::channel::mpmc_channel<u64>(4096) send/recv";
};

// The textbook bounded blocking queue: one mutex guards the ring; senders
// wait on not_full while it is full, receivers on not_empty while it is
// empty; each side notifies the other after every operation (outside the
// lock). The predicate loops make spurious wake-ups harmless.
template <unsigned Cap>
struct mutex_cv : no_prepare {
  static constexpr const char* label = "std::mutex + 2 std::condition_variable bounded ring (textbook baseline)";
  struct ring {
    std::mutex m;
    std::condition_variable not_empty, not_full;
    std::vector<u64> buf = std::vector<u64>(Cap);
    std::size_t head = 0, count = 0;
  };
  static std::unique_ptr<ring> make() { return std::make_unique<ring>(); }
  static bool push(ring& r, int, u64 v) {
    {
      std::unique_lock<std::mutex> l(r.m);
      r.not_full.wait(l, [&] { return r.count < Cap; });
      r.buf[(r.head + r.count) % Cap] = v;
      ++r.count;
    }
    r.not_empty.notify_one();
    return true;
  }
  static bool pop(ring& r, int, u64& v) {
    {
      std::unique_lock<std::mutex> l(r.m);
      r.not_empty.wait(l, [&] { return r.count > 0; });
      v = r.buf[r.head];
      r.head = (r.head + 1) % Cap;
      --r.count;
    }
    r.not_full.notify_one();
    return true;
  }
  static bool try_pop(ring& r, int, u64& v) {
    {
      std::lock_guard<std::mutex> l(r.m);
      if (r.count == 0) return false;
      v = r.buf[r.head];
      r.head = (r.head + 1) % Cap;
      --r.count;
    }
    r.not_full.notify_one();
    return true;
  }
};

template <unsigned Cap>
struct mc_brwcb : no_prepare {
  static constexpr const char* label =
      "moodycamel::BlockingReaderWriterCircularBuffer<u64>(4096) wait_enqueue/wait_dequeue";
  using ring = moodycamel::BlockingReaderWriterCircularBuffer<u64>;
  static std::unique_ptr<ring> make() { return std::make_unique<ring>(Cap); }
  static bool push(ring& r, int, u64 v) {
    r.wait_enqueue(v);
    return true;
  }
  static bool pop(ring& r, int, u64& v) {
    r.wait_dequeue(v);
    return true;
  }
  static bool try_pop(ring& r, int, u64& v) { return r.try_dequeue(v); }
};

template <unsigned Cap, bool Tokens>
struct mc_bcq_adapter : no_prepare {
  struct ring {
    moodycamel::BlockingConcurrentQueue<u64> q{Cap};
    moodycamel::ProducerToken pt[2] = {moodycamel::ProducerToken(q), moodycamel::ProducerToken(q)};
    moodycamel::ConsumerToken ct[2] = {moodycamel::ConsumerToken(q), moodycamel::ConsumerToken(q)};
  };
  static std::unique_ptr<ring> make() { return std::make_unique<ring>(); }
  static bool push(ring& r, int p, u64 v) {
    if (!(Tokens ? r.q.enqueue(r.pt[p], v) : r.q.enqueue(v))) fail("BlockingConcurrentQueue::enqueue");
    return true;
  }
  static bool pop(ring& r, int c, u64& v) {
    if constexpr (Tokens)
      r.q.wait_dequeue(r.ct[c], v);
    else
      r.q.wait_dequeue(v);
    return true;
  }
  static bool try_pop(ring& r, int c, u64& v) { return Tokens ? r.q.try_dequeue(r.ct[c], v) : r.q.try_dequeue(v); }
};
template <unsigned Cap>
struct mc_bcq_tokens : mc_bcq_adapter<Cap, true> {
  static constexpr const char* label =
      "moodycamel::BlockingConcurrentQueue<u64> enqueue/wait_dequeue with tokens (unbounded)";
};
template <unsigned Cap>
struct mc_bcq_notokens : mc_bcq_adapter<Cap, false> {
  static constexpr const char* label = "moodycamel::BlockingConcurrentQueue<u64> enqueue/wait_dequeue (unbounded)";
};

template <unsigned Cap>
struct tbb_bounded : no_prepare {
  static constexpr const char* label = "tbb::concurrent_bounded_queue<u64> (capacity 4096) push/pop, both block";
  struct ring {
    tbb::concurrent_bounded_queue<u64> q;
    ring() { q.set_capacity(Cap); }
  };
  static std::unique_ptr<ring> make() { return std::make_unique<ring>(); }
  static bool push(ring& r, int, u64 v) {
    r.q.push(v);
    return true;
  }
  static bool pop(ring& r, int, u64& v) {
    r.q.pop(v);
    return true;
  }
  static bool try_pop(ring& r, int, u64& v) { return r.q.try_pop(v); }
};

}  // namespace bench
