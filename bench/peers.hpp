// bench/peers.hpp -- nexus's rings of T and the Debian-packaged peers behind
// one adapter shape, so that one templated body per scenario measures them
// all (bench/scenarios.hpp, bench/ops.hpp). Values are u64, never 0
// (atomic_queue's NIL).
//
// An adapter A<Cap> (Cap: slots requested, a power of two) provides
//   struct ring;  static std::unique_ptr<ring> make();
//   static bool push(ring&, int p, u64 v);      false when full (v not taken);
//                                               a spin-mode peer waits inside
//   static bool pop(ring&, int c, u64& v);      false when empty (may wait inside)
//   static bool try_pop(ring&, int c, u64& v);  never waits (drains)
//   static void prepare(ring&, int p);          run once by the thread that
//                                               will push as producer p, before
//                                               any timing (moodycamel warm-up)
//   label                                       what exactly is measured (a
//                                               string constant or function)
// p and c (0 or 1) pick the producer / consumer handle where a ring has
// several (nexus clones, moodycamel tokens); rings without handles ignore them.
#pragma once

#include <atomic_queue/atomic_queue.h>
#include <cds/container/weak_ringbuffer.h>
#include <concurrentqueue/concurrentqueue.h>
#include <oneapi/tbb/concurrent_queue.h>
#include <readerwriterqueue/readerwriterqueue.h>

#include <boost/lockfree/queue.hpp>
#include <boost/lockfree/spsc_queue.hpp>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "ck_ring_wrap.h"
#include "harness.hpp"
#include "nexus/queue/mpmc.hpp"
#include "nexus/queue/mpsc.hpp"
#include "nexus/queue/spmc.hpp"
#include "nexus/queue/spsc.hpp"

namespace bench {

struct no_prepare {
  template <class R>
  static void prepare(R&, int) {}
};

// ---- nexus ------------------------------------------------------------------------------

// Handles: tx[0..1] and rx[0..1], clones where the ring allows them.
template <class E>
struct nexus_handles {
  using tx_t = std::remove_reference_t<decltype(std::declval<E&>().tx)>;
  using rx_t = std::remove_reference_t<decltype(std::declval<E&>().rx)>;
  std::vector<tx_t> tx;
  std::vector<rx_t> rx;
};

template <class E, bool MP, bool MC, unsigned Cap, class Make>
std::unique_ptr<nexus_handles<E>> nexus_make(Make&& make) {
  auto r = make(Cap);
  if (!r) fail("nexus ring_buffer()");
  auto h = std::make_unique<nexus_handles<E>>();
  h->tx.push_back(std::move(r->tx));
  h->rx.push_back(std::move(r->rx));
  if constexpr (MP) h->tx.push_back(h->tx[0].clone());
  if constexpr (MC) h->rx.push_back(h->rx[0].clone());
  return h;
}

template <class E>
struct nexus_ops : no_prepare {
  using ring = nexus_handles<E>;
  static bool push(ring& r, int p, u64 v) { return r.tx[std::size_t(p) % r.tx.size()].push(v) == nexus::status::ok; }
  static bool pop(ring& r, int c, u64& v) {
    auto x = r.rx[std::size_t(c) % r.rx.size()].pop();
    if (!x) return false;
    v = *x;
    return true;
  }
  static bool try_pop(ring& r, int c, u64& v) { return pop(r, c, v); }
};

template <unsigned Cap>
struct nexus_spsc : nexus_ops<nexus::queue::spsc::endpoints<u64>> {
  static std::string label() { return "nexus::queue::spsc::ring_buffer<u64>(" + std::to_string(Cap) + ")"; }
  static auto make() {
    return nexus_make<nexus::queue::spsc::endpoints<u64>, false, false, Cap>(
        [](unsigned c) { return nexus::queue::spsc::ring_buffer<u64>(c); });
  }
};
// The same ring through its spinning calls (queue/spsc.hpp SPINNING):
// push_spin / pop_spin wait inside, adapting the wait between looks at the
// other side's index (sync/backoff.hpp poll_backoff); atomic_queue's
// push/pop spin on the slot in the same way.
template <unsigned Cap>
struct nexus_spsc_spin : nexus_spsc<Cap> {
  using ring = typename nexus_spsc<Cap>::ring;
  static std::string label() { return nexus_spsc<Cap>::label() + " push_spin / pop_spin"; }
  static bool push(ring& r, int, u64 v) { return r.tx[0].push_spin(v) == nexus::status::ok; }
  static bool pop(ring& r, int, u64& v) {
    auto x = r.rx[0].pop_spin();
    if (!x) return false;
    v = *x;
    return true;
  }
};
template <unsigned Cap>
struct nexus_mpsc : nexus_ops<nexus::queue::mpsc::endpoints<u64>> {
  static std::string label() {
    return "nexus::queue::mpsc::ring_buffer<u64>(" + std::to_string(Cap) + ") (producers: tx and tx.clone())";
  }
  static auto make() {
    return nexus_make<nexus::queue::mpsc::endpoints<u64>, true, false, Cap>(
        [](unsigned c) { return nexus::queue::mpsc::ring_buffer<u64>(c); });
  }
};
template <unsigned Cap>
struct nexus_spmc : nexus_ops<nexus::queue::spmc::endpoints<u64>> {
  static std::string label() {
    return "nexus::queue::spmc::ring_buffer<u64>(" + std::to_string(Cap) + ") (consumers: rx and rx.clone())";
  }
  static auto make() {
    return nexus_make<nexus::queue::spmc::endpoints<u64>, false, true, Cap>(
        [](unsigned c) { return nexus::queue::spmc::ring_buffer<u64>(c); });
  }
};
template <unsigned Cap>
struct nexus_mpmc : nexus_ops<nexus::queue::mpmc::endpoints<u64>> {
  static std::string label() {
    return "nexus::queue::mpmc::ring_buffer<u64>(" + std::to_string(Cap) + ") (tx, rx and their clones)";
  }
  static auto make() {
    return nexus_make<nexus::queue::mpmc::endpoints<u64>, true, true, Cap>(
        [](unsigned c) { return nexus::queue::mpmc::ring_buffer<u64>(c); });
  }
};

// References, not shipped: the MPSC and SPMC rings with the F11 wait switched
// off (stamped_rules::wait_for_claim = false, the model's negative twin
// own_push_no_wait_for_claim). Such a pop reports empty in front of a slot
// that a producer has claimed but not yet published (and a push reports
// full in front of one a consumer has taken but not yet freed), so it never
// reads the other side's index. The ratio nexus / this row is what the
// contract's "never empty while holding a value whose push completed"
// costs in that run.
template <bool MP>  // true: the MPSC ring; false: the SPMC ring
struct no_f11 {
  struct O : std::conditional_t<MP, nexus::queue::mpsc::mpsc_orders, nexus::queue::spmc::spmc_orders> {
    static constexpr bool wait_for_claim = false;
  };
  static auto ring(unsigned c) {
    if constexpr (MP)
      return nexus::queue::mpsc::ring_buffer<u64, nexus::std_sync, O>(c);
    else
      return nexus::queue::spmc::ring_buffer<u64, nexus::std_sync, O>(c);
  }
  using E = std::remove_reference_t<decltype(*ring(1))>;
};
template <bool MP, unsigned Cap>
struct nexus_no_f11 : nexus_ops<typename no_f11<MP>::E> {
  static std::string label() {
    return std::string("reference, not shipped: nexus::queue::") + (MP ? "mpsc" : "spmc") + "<u64>(" +
           std::to_string(Cap) + ") with wait_for_claim = false (F11 open)";
  }
  static auto make() { return nexus_make<typename no_f11<MP>::E, MP, !MP, Cap>(no_f11<MP>::ring); }
};

// ---- atomic_queue (libatomic-queue-dev) -----------------------------------------------------
// Q is one of its four containers. Spin = true: push()/pop(), which wait on
// the slot itself (its "optimist" mode, the one its own benchmarks use);
// false: try_push()/try_pop(), which read the other side's index each call.
// MINIMIZE_CONTENTION (AtomicQueue, AtomicQueue2 only; the B variants always
// do it) spreads consecutive slots over cache lines.

enum class aq_kind { AtomicQueue, AtomicQueue2, AtomicQueueB, AtomicQueueB2 };

// <MINIMIZE_CONTENTION, SPSC> per container; MAXIMIZE_THROUGHPUT and
// TOTAL_ORDER at their defaults (true, false); NIL = 0 where there is one.
template <aq_kind K, unsigned Cap, bool MC, bool SPSC>
using aq_type = std::conditional_t<
    K == aq_kind::AtomicQueue, atomic_queue::AtomicQueue<u64, Cap, u64(0), MC, true, false, SPSC>,
    std::conditional_t<
        K == aq_kind::AtomicQueue2, atomic_queue::AtomicQueue2<u64, Cap, MC, true, false, SPSC>,
        std::conditional_t<K == aq_kind::AtomicQueueB,
                           atomic_queue::AtomicQueueB<u64, std::allocator<u64>, u64(0), true, false, SPSC>,
                           atomic_queue::AtomicQueueB2<u64, std::allocator<u64>, true, false, SPSC>>>>;

template <aq_kind K, bool MC, bool SPSC, bool Spin>
struct aq_config {
  template <unsigned Cap>
  struct adapter : no_prepare {
    using Q = aq_type<K, Cap, MC, SPSC>;
    struct ring {
      Q q;
      ring() requires std::is_default_constructible_v<Q>
      = default;
      ring() requires(!std::is_default_constructible_v<Q>) : q(Cap) {}
    };
    static std::string label() {
      static const char* const names[] = {"AtomicQueue", "AtomicQueue2", "AtomicQueueB", "AtomicQueueB2"};
      const bool has_mc = K == aq_kind::AtomicQueue || K == aq_kind::AtomicQueue2;
      return std::string("atomic_queue::") + names[int(K)] + "<u64" + (has_mc ? ", " + std::to_string(Cap) : "") +
             (has_mc ? (MC ? ", MINIMIZE_CONTENTION=true" : ", MINIMIZE_CONTENTION=false") : "") +
             (SPSC ? ", SPSC=true>" : ", MPMC>") +
             (has_mc ? "" : "(" + std::to_string(Cap) + "; always spreads slots)") +
             (Spin ? " push/pop (spin on the slot)" : " try_push/try_pop");
    }
    static std::unique_ptr<ring> make() { return std::make_unique<ring>(); }
    static bool push(ring& r, int, u64 v) {
      if constexpr (Spin) {
        r.q.push(v);
        return true;
      } else {
        return r.q.try_push(v);
      }
    }
    static bool pop(ring& r, int, u64& v) {
      if constexpr (Spin) {
        v = r.q.pop();
        return true;
      } else {
        return r.q.try_pop(v);
      }
    }
    static bool try_pop(ring& r, int, u64& v) { return r.q.try_pop(v); }
  };
};

// Every configuration atomic_queue offers for a mode (SPSC or MPMC), each
// registered as its own row: f.template operator()<Adapter-template>(name).
template <bool SPSC, class F>
void for_each_aq(F&& f) {
  using K = aq_kind;
  f.template operator()<aq_config<K::AtomicQueue, false, SPSC, true>::template adapter>("aq_AtomicQueue_mc0");
  f.template operator()<aq_config<K::AtomicQueue, true, SPSC, true>::template adapter>("aq_AtomicQueue_mc1");
  f.template operator()<aq_config<K::AtomicQueue2, false, SPSC, true>::template adapter>("aq_AtomicQueue2_mc0");
  f.template operator()<aq_config<K::AtomicQueue2, true, SPSC, true>::template adapter>("aq_AtomicQueue2_mc1");
  f.template operator()<aq_config<K::AtomicQueueB, true, SPSC, true>::template adapter>("aq_AtomicQueueB");
  f.template operator()<aq_config<K::AtomicQueueB2, true, SPSC, true>::template adapter>("aq_AtomicQueueB2");
  f.template operator()<aq_config<K::AtomicQueue, false, SPSC, false>::template adapter>("aq_AtomicQueue_mc0_try");
  f.template operator()<aq_config<K::AtomicQueue, true, SPSC, false>::template adapter>("aq_AtomicQueue_mc1_try");
}

// ---- boost.lockfree (libboost-dev) --------------------------------------------------------

template <unsigned Cap>
struct boost_spsc : no_prepare {
  static std::string label() {
    return "boost::lockfree::spsc_queue<u64, capacity<" + std::to_string(Cap) + ">> push/pop";
  }
  using ring = boost::lockfree::spsc_queue<u64, boost::lockfree::capacity<Cap>>;
  static std::unique_ptr<ring> make() { return std::make_unique<ring>(); }
  static bool push(ring& r, int, u64 v) { return r.push(v); }
  static bool pop(ring& r, int, u64& v) { return r.pop(v); }
  static bool try_pop(ring& r, int c, u64& v) { return pop(r, c, v); }
};

template <unsigned Cap>
struct boost_queue : no_prepare {
  static std::string label() {
    return "boost::lockfree::queue<u64, capacity<" + std::to_string(Cap < 65534 ? Cap : 65534) +
           ">> bounded_push/pop (fixed node pool)";
  }
  using ring = boost::lockfree::queue<u64, boost::lockfree::capacity<(Cap < 65534 ? Cap : 65534)>>;
  static std::unique_ptr<ring> make() { return std::make_unique<ring>(); }
  static bool push(ring& r, int, u64 v) { return r.bounded_push(v); }
  static bool pop(ring& r, int, u64& v) { return r.pop(v); }
  static bool try_pop(ring& r, int c, u64& v) { return pop(r, c, v); }
};

// ---- moodycamel (libreaderwriterqueue-dev, libconcurrentqueue-dev) -------------------------

template <unsigned Cap>
struct mc_rwq : no_prepare {
  static std::string label() {
    return "moodycamel::ReaderWriterQueue<u64>(" + std::to_string(Cap) + ") try_enqueue/try_dequeue";
  }
  using ring = moodycamel::ReaderWriterQueue<u64>;
  static std::unique_ptr<ring> make() { return std::make_unique<ring>(Cap); }
  static bool push(ring& r, int, u64 v) { return r.try_enqueue(v); }
  static bool pop(ring& r, int, u64& v) { return r.try_dequeue(v); }
  static bool try_pop(ring& r, int c, u64& v) { return pop(r, c, v); }
};

// ConcurrentQueue: one sub-queue per producer, so no FIFO order across
// producers (its own README says so). try_enqueue never allocates; each
// producer is warmed up once with Cap values (enqueue may allocate its block
// index), drained, so that Cap values then fit without allocation.
template <unsigned Cap, bool Tokens>
struct mc_cq_adapter {
  struct ring {
    moodycamel::ConcurrentQueue<u64> q{Cap};
    std::unique_ptr<moodycamel::ProducerToken> pt[2];
    std::unique_ptr<moodycamel::ConsumerToken> ct[2];
  };
  static void warm(ring& r, int p) {
    for (u64 i = 1; i <= Cap; ++i) {
      const bool ok = Tokens ? r.q.enqueue(*r.pt[p], i) : r.q.enqueue(i);
      if (!ok) fail("moodycamel warm-up enqueue");
    }
    u64 v = 0, n = 0;
    while (Tokens ? r.q.try_dequeue(*r.ct[0], v) : r.q.try_dequeue(v)) ++n;
    if (n != Cap) fail("moodycamel warm-up drain", n, Cap);
  }
  static std::unique_ptr<ring> make() {
    auto r = std::make_unique<ring>();
    if constexpr (Tokens) {
      for (auto& c : r->ct) c = std::make_unique<moodycamel::ConsumerToken>(r->q);
      for (int p = 0; p < 2; ++p) {
        r->pt[p] = std::make_unique<moodycamel::ProducerToken>(r->q);
        warm(*r, p);
      }
    }
    return r;
  }
  // Without tokens each thread has its own implicit producer: warm it on
  // that thread.
  static void prepare(ring& r, int p) {
    if constexpr (!Tokens) warm(r, p);
  }
  static bool push(ring& r, int p, u64 v) { return Tokens ? r.q.try_enqueue(*r.pt[p], v) : r.q.try_enqueue(v); }
  static bool pop(ring& r, int c, u64& v) { return Tokens ? r.q.try_dequeue(*r.ct[c], v) : r.q.try_dequeue(v); }
  static bool try_pop(ring& r, int c, u64& v) { return pop(r, c, v); }
};
template <unsigned Cap>
struct mc_cq_tokens : mc_cq_adapter<Cap, true> {
  static constexpr const char* label =
      "moodycamel::ConcurrentQueue<u64> try_enqueue/try_dequeue with producer and consumer tokens";
};
template <unsigned Cap>
struct mc_cq_notokens : mc_cq_adapter<Cap, false> {
  static constexpr const char* label = "moodycamel::ConcurrentQueue<u64> try_enqueue/try_dequeue, no tokens";
};

// ---- libcds (libcds-dev; WeakRingBuffer is header-only) --------------------------------------

template <unsigned Cap>
struct cds_weakring : no_prepare {
  static std::string label() { return "cds::container::WeakRingBuffer<u64>(" + std::to_string(Cap) + ") push/pop"; }
  using ring = cds::container::WeakRingBuffer<u64>;
  static std::unique_ptr<ring> make() { return std::make_unique<ring>(Cap); }
  static bool push(ring& r, int, u64 v) { return r.push(v); }
  static bool pop(ring& r, int, u64& v) { return r.pop(v); }
  static bool try_pop(ring& r, int c, u64& v) { return pop(r, c, v); }
};

// ---- Concurrency Kit ck_ring (libck-dev, through ck_ring_wrap.c) ------------------------------

struct ck_deleter {
  void operator()(ckw_ring* r) const { ckw_free(r); }
};
#define NEXUS_BENCH_CK(name, enq, deq, text)                                                         \
  template <unsigned Cap>                                                                            \
  struct name : no_prepare {                                                                         \
    static std::string label() { return std::string(text) + ", " + std::to_string(Cap) + " slots"; } \
    using ring = ckw_ring;                                                                           \
    static std::unique_ptr<ring, ck_deleter> make() {                                                \
      std::unique_ptr<ring, ck_deleter> r(ckw_new(Cap));                                             \
      if (!r) fail("ckw_new");                                                                       \
      return r;                                                                                      \
    }                                                                                                \
    static bool push(ring& r, int, u64 v) { return enq(&r, v); }                                     \
    static bool pop(ring& r, int, u64& v) { return deq(&r, &v); }                                    \
    static bool try_pop(ring& r, int c, u64& v) { return pop(r, c, v); }                             \
  };
NEXUS_BENCH_CK(ck_spsc, ckw_enqueue_spsc, ckw_dequeue_spsc, "ck_ring spsc (ck_ring_enqueue_spsc/dequeue_spsc)")
NEXUS_BENCH_CK(ck_mpsc, ckw_enqueue_mpsc, ckw_dequeue_mpsc, "ck_ring mpsc (ck_ring_enqueue_mpsc/dequeue_mpsc)")
NEXUS_BENCH_CK(ck_spmc, ckw_enqueue_spmc, ckw_dequeue_spmc, "ck_ring spmc (ck_ring_enqueue_spmc/dequeue_spmc)")
NEXUS_BENCH_CK(ck_mpmc, ckw_enqueue_mpmc, ckw_dequeue_mpmc, "ck_ring mpmc (ck_ring_enqueue_mpmc/dequeue_mpmc)")
#undef NEXUS_BENCH_CK

// ---- TBB (libtbb-dev) -------------------------------------------------------------------------

template <unsigned Cap>
struct tbb_bounded_try : no_prepare {
  static std::string label() {
    return "tbb::concurrent_bounded_queue<u64> (capacity " + std::to_string(Cap) + ") try_push/try_pop";
  }
  struct ring {
    tbb::concurrent_bounded_queue<u64> q;
    ring() { q.set_capacity(Cap); }
  };
  static std::unique_ptr<ring> make() { return std::make_unique<ring>(); }
  static bool push(ring& r, int, u64 v) { return r.q.try_push(v); }
  static bool pop(ring& r, int, u64& v) { return r.q.try_pop(v); }
  static bool try_pop(ring& r, int c, u64& v) { return pop(r, c, v); }
};

}  // namespace bench
