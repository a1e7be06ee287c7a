// model/logbuf_common.hpp -- nexus::logbuf under the model policy: ring
// adapters, the negative twins of every named order, record payloads that
// live in model cells (the word_buffer's rl::var bytes: a race on them is a
// DATA RACE), and the two-thread scenarios both rings share:
//
//  stream<R, Cap, Lens...>  the producer claims, writes and commits records
//                of the given lengths (one retry on full each) and drops its
//                handle; the consumer takes a bounded number of times and,
//                once it sees the producer gone, must drain everything
//                committed (F3). Payload bytes are checked, order is checked,
//                after() drains the rest. With Cap 32 and lengths <= 8 the
//                third record reuses the first one's bytes; with Cap 64 and
//                16-byte records the third one wraps behind a padding skip.
//  stream_n<R, Cap, Batch, Lens...>  the same, the consumer taking up to
//                Batch records per read_n (BATCH READS).
//  aborts<R>     claim 1 is aborted explicitly after writing, claim 2 is
//                destroyed open (the destructor aborts), claim 3 is committed
//                into the space the consumer freed by zeroing claim 1: the
//                consumer sees only record 3, intact.
//  out_of_order<R> one producer holds two claims and commits the second
//                first: the consumer must wait at the first (head-of-line)
//                and deliver in claim order.
#pragma once

#include "common.hpp"  // first: relacy_sync.hpp
#include "nexus/logbuf/channel.hpp"
#include "nexus/logbuf/mpsc.hpp"
#include "nexus/logbuf/spsc.hpp"

namespace nexus::model::logbuf_model {

using nexus::logbuf::mpsc::mpsc_orders;
using nexus::logbuf::spsc::spsc_orders;
using nexus::status;

template <class O = spsc_orders>
struct spsc_bytes {
  using endpoints = nexus::logbuf::spsc::endpoints<relacy_sync, O>;
  static auto make(std::uint64_t cap) { return nexus::logbuf::spsc::ring_buffer<relacy_sync, O>(cap); }
};
template <class O = mpsc_orders>
struct mpsc_bytes {
  using endpoints = nexus::logbuf::mpsc::endpoints<relacy_sync, O>;
  static auto make(std::uint64_t cap) { return nexus::logbuf::mpsc::ring_buffer<relacy_sync, O>(cap); }
};

// ---- lazy publication (format.hpp PUBLICATION) --------------------------------
// The model's rings are 32-64 bytes, where capacity/16 is below a record's
// footprint: every free publishes, as before. `lazy<O>` (common.hpp)
// publishes only once a whole capacity has been freed, i.e. in practice when
// the consumer finds the ring empty: the batch path and the publish-on-empty
// path are what carry free_space then. no_publish_when_empty<lazy<O>> and
// no_claim_wake<lazy<O>> drop one half of the rule.

// ---- payloads in model cells ---------------------------------------------------
// Record `id` has length len(id) and bytes id*16 + k: a torn or stale byte,
// or a record delivered twice or out of order, is reported.
inline unsigned char byte_of(int id, std::size_t k) { return static_cast<unsigned char>(id * 16 + static_cast<int>(k) + 1); }

template <class Claim>
void write_record(Claim& c, int id) {
  unsigned char b[64];
  relacy_sync::verify(c.size() <= sizeof b, "model record too long");
  for (std::size_t k = 0; k < c.size(); ++k) b[k] = byte_of(id, k);
  c.write(0, b, c.size());
}

// Reads a record written by write_record and returns its id (-1 if torn).
template <class Claim>
int read_record(const Claim& c) {
  unsigned char b[64];
  relacy_sync::verify(c.size() >= 1 && c.size() <= sizeof b, "model record length out of range");
  c.read(0, b, c.size());
  const int id = (b[0] - 1) / 16;
  for (std::size_t k = 0; k < c.size(); ++k)
    if (b[k] != byte_of(id, k)) return -1;
  return id;
}

// Claims `len` bytes with one retry on full (a spin_pause between).
template <class Producer>
auto claim_retry(Producer& p, std::size_t len) {
  auto c = p.try_claim(len);
  if (c.code() == status::full) {
    relacy_sync::spin_pause();
    c = p.try_claim(len);
  }
  return c;
}

// The skeleton of the byte-ring scenarios: the ring (Cap bytes), the count
// of committed records (a cell the producer writes before it ends) and of
// records taken (consumer-only); check() drains with Self::take() and
// requires every committed record taken.
template <class Self, class R, std::uint64_t Cap>
struct on_bytes : scenario<Self, 2> {
  typename R::endpoints* r = nullptr;
  relacy_sync::cell<int> committed;
  int got = 0;

  void before() {
    r = this->template own_endpoints<typename R::endpoints>(R::make(Cap));
    committed.store(0);
  }
  void drain() {
    while (static_cast<Self*>(this)->take()) {
    }
  }
  void check() {
    drain();
    relacy_sync::verify(got == committed.load(), "a committed record was lost");
  }
};

// Batch = 1: the consumer takes with try_claim; Batch > 1: with read_n(f,
// Batch) (format.hpp BATCH READS: its frees publish once, at the end).
template <class R, std::uint64_t Cap, std::size_t Batch, std::size_t... Lens>
struct stream_n : on_bytes<stream_n<R, Cap, Batch, Lens...>, R, Cap> {
  using on_bytes<stream_n, R, Cap>::r;
  using on_bytes<stream_n, R, Cap>::committed;
  using on_bytes<stream_n, R, Cap>::got;
  static constexpr std::size_t lens[] = {Lens...};
  static constexpr int n = sizeof...(Lens);

  // Takes one record (Batch > 1: up to Batch) if there is one; false when empty.
  bool take() {
    if constexpr (Batch > 1) {
      const auto m = r->rx.read_n(
          [this](const auto& rec) {
            relacy_sync::verify(got < n && rec.size() == lens[got], "record length changed");
            relacy_sync::verify(read_record(rec) == got, "record torn, lost, duplicated or out of order");
            ++got;
          },
          Batch);
      relacy_sync::verify(m.count != 0 || m.code == status::empty, "consumer read_n: unexpected status");
      relacy_sync::verify(m.count <= Batch, "read_n took more than its limit");
      return m.count != 0;
    }
    auto c = r->rx.try_claim();
    if (!c) {
      relacy_sync::verify(c.code() == status::empty, "consumer try_claim: unexpected status");
      return false;
    }
    relacy_sync::verify(c.size() == lens[got], "record length changed");
    relacy_sync::verify(read_record(c) == got, "record torn, lost, duplicated or out of order");
    ++got;
    return true;
  }
  void thread(unsigned id) {
    if (id == 0) {
      int done = 0;
      for (int k = 0; k < n; ++k) {
        auto c = claim_retry(r->tx, lens[k]);
        if (!c) break;
        write_record(c, k);
        c.commit();
        done = k + 1;
      }
      committed.store(done);
      auto gone = std::move(r->tx);  // disconnect while records may be in flight
    } else {
      for (int k = 0; k < n; ++k)
        if (!take()) relacy_sync::spin_pause();
      if (r->rx.is_disconnected()) {
        this->drain();
        relacy_sync::verify(got == committed.load(), "producer gone but a committed record is not visible");
      }
    }
  }
};

template <class R, std::uint64_t Cap, std::size_t... Lens>
using stream = stream_n<R, Cap, 1, Lens...>;

template <class R, std::uint64_t Cap = 32>
struct aborts : on_bytes<aborts<R, Cap>, R, Cap> {
  using on_bytes<aborts, R, Cap>::r;
  using on_bytes<aborts, R, Cap>::committed;
  using on_bytes<aborts, R, Cap>::got;

  bool take() {
    auto c = r->rx.try_claim();
    if (!c) return false;
    relacy_sync::verify(c.size() == 3 && read_record(c) == 3, "an aborted record was delivered, or record 3 torn");
    ++got;
    return true;
  }
  void thread(unsigned id) {
    if (id == 0) {
      {
        auto c1 = r->tx.try_claim(8);
        relacy_sync::verify(static_cast<bool>(c1), "claim 1 in an empty ring");
        write_record(c1, 1);
        c1.abort();
      }
      {
        auto c2 = r->tx.try_claim(5);
        relacy_sync::verify(static_cast<bool>(c2), "claim 2 in a half-empty ring");
        write_record(c2, 2);
      }  // destroyed open: aborts
      auto c3 = claim_retry(r->tx, 3);
      if (c3) {
        write_record(c3, 3);
        c3.commit();
        committed.store(1);
      }
    } else {
      for (int k = 0; k < 3; ++k)
        if (!take()) relacy_sync::spin_pause();
    }
  }
};

template <class R, std::uint64_t Cap = 32>
struct out_of_order : on_bytes<out_of_order<R, Cap>, R, Cap> {
  using on_bytes<out_of_order, R, Cap>::r;
  using on_bytes<out_of_order, R, Cap>::committed;
  using on_bytes<out_of_order, R, Cap>::got;

  bool take() {
    auto c = r->rx.try_claim();
    if (!c) return false;
    relacy_sync::verify(read_record(c) == got + 1, "records delivered out of claim order");
    ++got;
    return true;
  }
  void thread(unsigned id) {
    if (id == 0) {
      auto a = r->tx.try_claim(5);
      auto b = r->tx.try_claim(4);
      relacy_sync::verify(a && b, "two claims in an empty ring");
      write_record(b, 2);
      b.commit();  // committed first, reserved second: must wait behind a
      write_record(a, 1);
      a.commit();
      committed.store(2);
    } else {
      for (int k = 0; k < 3; ++k)
        if (!take()) relacy_sync::spin_pause();
    }
  }
};

// An aborted record whose next header held an old lap's word (spsc: the
// producer zeroes the next header, and the abort's release is what carries
// that zero to the consumer). Capacity 32: record 1 (3 bytes) committed at
// 0; record 2 (8 bytes) at 16 once the consumer has taken record 1, whose
// claim zeroes word 0 (still record 1's header, 3) and which is then
// aborted; record 3 (5 bytes) at 0 once the consumer has stepped past the
// skip. The consumer must see records 1 and 3, once each: a stale word 0
// reads as record 1 again.
template <class R>
struct abort_reuse : on_bytes<abort_reuse<R>, R, 32> {
  using on_bytes<abort_reuse, R, 32>::r;
  using on_bytes<abort_reuse, R, 32>::committed;
  using on_bytes<abort_reuse, R, 32>::got;

  bool take() {
    auto c = r->rx.try_claim();
    if (!c) return false;
    const int want = got == 0 ? 1 : 3;
    relacy_sync::verify(got < 2 && read_record(c) == want, "an aborted or old record was delivered, or one torn");
    ++got;
    return true;
  }
  void thread(unsigned id) {
    if (id == 0) {
      int done = 0;
      if (auto c1 = r->tx.try_claim(3)) {
        write_record(c1, 1);
        c1.commit();
        done = 1;
      }
      if (auto c2 = claim_retry(r->tx, 8)) {
        write_record(c2, 2);
        c2.abort();
        if (auto c3 = claim_retry(r->tx, 5)) {
          write_record(c3, 3);
          c3.commit();
          done = 2;
        }
      }
      committed.store(done);
    } else {
      for (int k = 0; k < 4; ++k)
        if (!take()) relacy_sync::spin_pause();
    }
  }
};

// The variants both byte rings run (logbuf_spsc, logbuf_mpsc), for adapter
// template B (spsc_bytes, mpsc_bytes) and orders O: a stream that reuses
// bytes (fifo), one that wraps behind a padding skip (wrap), both with lazy
// publication, batch reads, and one negative twin per order they exercise;
// the aborts, out-of-order commits and the ring's disconnect twins are the
// driver's own (their capacities differ: spsc keeps 8 bytes for the next
// header).
template <template <class> class B, class O>
variants byte_ring_variants() {
  return {
      NEXUS_VARIANT("fifo", pass, stream<B<O>, 32, 3, 8, 5>),
      NEXUS_VARIANT("wrap", pass, stream<B<O>, 64, 16, 16, 16>),
      NEXUS_VARIANT("fifo_lazy", pass, stream<B<lazy<O>>, 32, 3, 8, 5>),
      NEXUS_VARIANT("wrap_lazy", pass, stream<B<lazy<O>>, 64, 16, 16, 16>),
      NEXUS_VARIANT("commit_relaxed", fail, stream<B<commit_relaxed<O>>, 32, 3, 8, 5>),
      NEXUS_VARIANT("observe_relaxed", fail, stream<B<observe_relaxed<O>>, 32, 3, 8, 5>),
      NEXUS_VARIANT("free_space_relaxed", fail, stream<B<free_space_relaxed<O>>, 32, 3, 8, 5>),
      NEXUS_VARIANT("see_free_relaxed", fail, stream<B<see_free_relaxed<O>>, 32, 3, 8, 5>),
      // The lazy twins on the wrap's shape: its first two records fit at
      // once, so the third (over the first's bytes) needs only the
      // publication of an empty ring within the consumer's three attempts
      // (in fifo's shape spsc's second record already needs one: the next
      // header's 8 bytes, and the reuse never comes).
      NEXUS_VARIANT("lazy_free_space_relaxed", fail, stream<B<lazy<free_space_relaxed<O>>>, 64, 16, 16, 16>),
      NEXUS_VARIANT("lazy_see_free_relaxed", fail, stream<B<lazy<see_free_relaxed<O>>>, 64, 16, 16, 16>),
      // Batch reads: two records per read_n, the third reusing the first's
      // bytes (fifo_batch), or three 16-byte records through a wrap
      // (wrap_batch: the second batch frees the padding skip on its way);
      // the batch's one publication carries free_space. wrap_batch runs at
      // context bound 4 in both drivers (the mpsc driver's budget): in full
      // search it takes 68 s on spsc (measured 2026-12-03), bound 4 1.8 s;
      // fifo_batch keeps the driver's own (spsc: full) search.
      NEXUS_VARIANT("fifo_batch", pass, stream_n<B<O>, 32, 2, 3, 8, 5>),
      NEXUS_VARIANT_SEARCH("wrap_batch", pass, (search{rl::sched_bound, 4}), stream_n<B<O>, 64, 2, 16, 16, 16>),
      NEXUS_VARIANT("batch_observe_relaxed", fail, stream_n<B<observe_relaxed<O>>, 32, 2, 3, 8, 5>),
      NEXUS_VARIANT("batch_free_space_relaxed", fail, stream_n<B<free_space_relaxed<O>>, 32, 2, 3, 8, 5>),
  };
}

}  // namespace nexus::model::logbuf_model

// ---- the blocking channels ------------------------------------------------------
namespace nexus::model::logbuf_model {

using nexus::logbuf::channel::channel_orders;
using nexus::waitset_orders;
namespace chan_kind = nexus::logbuf::channel::kind;


template <class Kind, class CO = channel_orders, class WO = waitset_orders, class O = typename Kind::orders>
using chan = nexus::logbuf::channel::endpoints<Kind, relacy_sync, O, CO, WO>;

// The factory's result, for a scenario's own_endpoints<chan<...>>(...).
// Spins 0: every blocked call parks right after its first attempt.
template <class Kind, class CO = channel_orders, class WO = waitset_orders, class O = typename Kind::orders>
auto open_chan(std::uint64_t cap, unsigned spins = 0) {
  return nexus::logbuf::channel::make<Kind, relacy_sync, O, CO, WO>(cap, spins);
}

// send(len), write record `id`, commit; false if send handed out no claim.
template <class Sender>
bool send_record(Sender& s, int id, std::size_t len) {
  auto c = s.send(len);
  if (!c) return false;
  write_record(c, id);
  c.commit();
  return true;
}

}  // namespace nexus::model::logbuf_model
