// logbuf_mpsc_producers: nexus::logbuf::mpsc with two producer handles (one
// cloned) and the consumer, three threads, context bound 2 (pad_reuse: 1).
//  * two_producers: P0 commits records 1 (5 bytes) and 2 (12 bytes), P1
//    commits record 11 (20 bytes) into 64 bytes (footprints 16, 24, 32: 72
//    bytes, so the last reservation wraps behind a padding skip in some
//    orders), one retry on full each. The
//    consumer takes a bounded number of times, after() drains: every
//    committed record exactly once, intact, each producer's in its order;
//    a consumer that sees every producer gone already sees every commit.
//  * reserve_order: the out-of-order commit across producers. A reserves
//    first and raises a flag; B, having seen it, reserves, commits and raises
//    a second flag; A commits only after that (bounded waits). B's record
//    waits behind A's: when B reserved after A, A's record is delivered
//    first, and the consumer never skips the uncommitted one.
//  * no_spurious_full: P0 commits x0; the consumer frees it and raises a flag
//    (release); P0, having seen it (acquire), claims x1, moving the tail past
//    the freed space. The 32-byte ring never holds more than one 16-byte
//    record before P1's single claim, so P1 must never see status::full,
//    whatever tail it reads. Weakening claim must be reported. (P1's first
//    CAS tries its tail guess, 0, which fails and reads the tail: the
//    failed CAS, not claim_load, gives P1 its tail here.)
//  * guess_full: the path through claim_load. Set-up (single-threaded): P1
//    claims two 32-byte records (0..64 of 64 bytes), commits both, the
//    consumer frees both: P1's tail guess is 64 and its cached head 0, so
//    its next claim finds no room at the guess and loads the tail. P0
//    claims x0 (24 bytes at 64..88); the consumer frees it (head 88) and
//    raises a flag (release); P0, having seen it, claims x1 (88..112). P1
//    claims 24 bytes. At every tail P1 can load (64, 88, 112) there is room
//    by the head that tail carries: only a relaxed claim_load lets P1 read
//    112 with the set-up's head 64 (used 48) and report a spurious full.
//  * pad_reuse: a later lap's plain bytes over another producer's padding
//    header (found by TSan in the property test, missed by the model until
//    relacy_sync's word_buffer checked atomic-vs-plain access to a word).
//    64 bytes; set-up (single-threaded): r1 (24 bytes, at 0..32) and r2 (16
//    bytes, at 32..56) committed and consumed. P0 claims r3 (24 bytes): it
//    does not fit in the 8 bytes left, so P0 stores a padding header at 56
//    and r3 goes to 0. P0 holds r3 open until P1 is done (bounded wait). The
//    consumer frees the padding and stops at r3's uncommitted header. P1
//    claims 24 bytes at 32..64: its payload covers the word at 56. Only
//    `pad` (release, read by the consumer's observe, then free_space /
//    see_free) orders P0's store before P1's memcpy; r3's commit cannot, as
//    it comes later.
#include "logbuf_common.hpp"

using namespace nexus::model;
using namespace nexus::model::logbuf_model;

template <class O>
using ring = mpsc_bytes<O>;
template <class O>
using producer = nexus::logbuf::mpsc::producer<relacy_sync, O>;

template <class O>
struct two_producers : scenario<two_producers<O>, 3> {
  typename ring<O>::endpoints* r = nullptr;
  producer<O>* second = nullptr;
  relacy_sync::cell<int> committed_a, committed_b;  // written before each producer leaves
  int got_a = 0, got_b = 0;                         // consumer-only

  void before() {
    r = this->template own_endpoints<typename ring<O>::endpoints>(ring<O>::make(64));
    second = this->template own<producer<O>>(r->tx.clone());
    committed_a.store(0);
    committed_b.store(0);
  }
  bool take() {
    auto c = r->rx.try_claim();
    if (!c) return false;
    const int id = read_record(c);
    if (id >= 10) {
      relacy_sync::verify(id == 11 + got_b && c.size() == 20, "producer b's record torn or reordered");
      ++got_b;
    } else {
      relacy_sync::verify(id == 1 + got_a && c.size() == (got_a == 0 ? 5u : 12u),
                          "producer a's record torn or reordered");
      ++got_a;
    }
    return true;
  }
  static bool send(producer<O>& p, int id, std::size_t len) {
    auto c = claim_retry(p, len);
    if (!c) return false;
    write_record(c, id);
    c.commit();
    return true;
  }
  void thread(unsigned id) {
    if (id == 0) {
      int n = 0;
      if (send(r->tx, 1, 5)) n = send(r->tx, 2, 12) ? 2 : 1;
      committed_a.store(n);
      auto gone = std::move(r->tx);
    } else if (id == 1) {
      committed_b.store(send(*second, 11, 20) ? 1 : 0);
      auto gone = std::move(*second);
    } else {
      for (int k = 0; k < 3; ++k)
        if (!take()) relacy_sync::spin_pause();
      if (r->rx.is_disconnected()) {
        while (take()) {
        }
        relacy_sync::verify(got_a == committed_a.load() && got_b == committed_b.load(),
                            "every producer gone but a committed record is not visible");
      }
    }
  }
  void check() {
    while (take()) {
    }
    relacy_sync::verify(got_a == committed_a.load() && got_b == committed_b.load(), "a record was lost");
  }
};

template <class O>
struct reserve_order : scenario<reserve_order<O>, 3> {
  typename ring<O>::endpoints* r = nullptr;
  producer<O>* second = nullptr;
  relacy_sync::atomic<int>* a_reserved = nullptr;
  relacy_sync::atomic<int>* b_committed = nullptr;
  relacy_sync::cell<int> b_after_a;  // B reserved after seeing A's reservation
  int order[2] = {0, 0};             // consumer-only: the ids in delivery order
  int got = 0;

  void before() {
    r = this->template own_endpoints<typename ring<O>::endpoints>(ring<O>::make(64));
    second = this->template own<producer<O>>(r->tx.clone());
    a_reserved = this->template own<relacy_sync::atomic<int>>(0);
    b_committed = this->template own<relacy_sync::atomic<int>>(0);
    b_after_a.store(0);
  }
  bool take() {
    auto c = r->rx.try_claim();
    if (!c) return false;
    const int id = read_record(c);
    relacy_sync::verify((id == 1 && c.size() == 5) || (id == 2 && c.size() == 7), "record torn");
    relacy_sync::verify(got < 2, "a record was delivered twice");
    order[got++] = id;
    return true;
  }
  void thread(unsigned id) {
    if (id == 0) {
      auto a = r->tx.try_claim(5);
      relacy_sync::verify(static_cast<bool>(a), "A's claim in an empty ring");
      a_reserved->store(1, std::memory_order_release);  // release: pairs with B's acquire
      for (int k = 0; k < 2 && b_committed->load(std::memory_order_acquire) == 0; ++k)
        relacy_sync::spin_pause();
      write_record(a, 1);
      a.commit();
    } else if (id == 1) {
      bool saw = false;
      for (int k = 0; k < 2 && !saw; ++k) {
        saw = a_reserved->load(std::memory_order_acquire) == 1;  // acquire: pairs with A's release
        if (!saw) relacy_sync::spin_pause();
      }
      b_after_a.store(saw ? 1 : 0);
      auto b = second->try_claim(7);
      relacy_sync::verify(static_cast<bool>(b), "B's claim in a ring with room");
      write_record(b, 2);
      b.commit();
      b_committed->store(1, std::memory_order_release);
    } else {
      for (int k = 0; k < 3; ++k)
        if (!take()) relacy_sync::spin_pause();
    }
  }
  void check() {
    while (take()) {
    }
    relacy_sync::verify(got == 2, "a record was lost");
    if (b_after_a.load() == 1)
      relacy_sync::verify(order[0] == 1 && order[1] == 2, "B's record overtook A's earlier reservation");
  }
};

// no_spurious_full and guess_full: the same three threads after different
// set-ups. `Preset` records of the largest footprint (Cap/2) are claimed by
// P1, committed and consumed before the threads start (0: none). Records of
// `Len` bytes.
template <class O, std::uint64_t Cap, std::size_t Len, int Preset>
struct spurious_full : scenario<spurious_full<O, Cap, Len, Preset>, 3> {
  typename ring<O>::endpoints* r = nullptr;
  producer<O>* second = nullptr;
  relacy_sync::atomic<int>* freed = nullptr;  // the consumer took x0

  void before() {
    r = this->template own_endpoints<typename ring<O>::endpoints>(ring<O>::make(Cap));
    second = this->template own<producer<O>>(r->tx.clone());
    for (int id = 6; id < 6 + Preset; ++id) {
      auto c = second->try_claim(Cap / 2 - 8);
      relacy_sync::verify(static_cast<bool>(c), "set-up claim failed");
      write_record(c, id);
      c.commit();
    }
    for (int id = 6; id < 6 + Preset; ++id) {
      auto c = r->rx.try_claim();
      relacy_sync::verify(static_cast<bool>(c) && read_record(c) == id, "set-up record lost");
    }
    freed = this->template own<relacy_sync::atomic<int>>(0);
  }
  static void send(producer<O>& p, int id, const char* what) {
    auto c = p.try_claim(Len);
    relacy_sync::verify(static_cast<bool>(c), what);
    if (c) {
      write_record(c, id);
      c.commit();
    }
  }
  void thread(unsigned id) {
    if (id == 0) {
      send(r->tx, 0, "the first claim failed");
      for (int k = 0; k < 2; ++k) {
        if (freed->load(std::memory_order_acquire) == 1) {  // acquire: pairs with the consumer's release
          send(r->tx, 1, "a claim into a freed ring failed");
          break;
        }
        relacy_sync::spin_pause();
      }
    } else if (id == 1) {
      auto c = second->try_claim(Len);
      relacy_sync::verify(c.code() != status::full, "spurious full: there was room at every tail P1 could read");
      if (c) {
        write_record(c, 5);
        c.commit();
      }
    } else {
      for (int k = 0; k < 2; ++k) {
        auto c = r->rx.try_claim();
        if (c) {
          if (read_record(c) == 0) {
            c.consume();
            freed->store(1, std::memory_order_release);  // release: pairs with P0's acquire
          }
          break;
        }
        relacy_sync::spin_pause();
      }
    }
  }
};

// 32 bytes, 8-byte records (footprint 16), no set-up.
template <class O>
using no_spurious_full = spurious_full<O, 32, 8, 0>;
// 64 bytes, two 24-byte set-up records (P1's guess 64, cached head 0), then
// 16-byte records (footprint 24).
template <class O>
using guess_full = spurious_full<O, 64, 16, 2>;

template <class O>
struct pad_reuse : scenario<pad_reuse<O>, 3> {
  typename ring<O>::endpoints* r = nullptr;
  producer<O>* second = nullptr;
  relacy_sync::atomic<int>* b_done = nullptr;
  relacy_sync::cell<int> committed_a, committed_b;
  int got_a = 0, got_b = 0;  // consumer-only

  void before() {  // single-threaded set-up: r1 at 0..32 and r2 at 32..56, both consumed
    r = this->template own_endpoints<typename ring<O>::endpoints>(ring<O>::make(64));
    second = this->template own<producer<O>>(r->tx.clone());
    b_done = this->template own<relacy_sync::atomic<int>>(0);
    committed_a.store(0);
    committed_b.store(0);
    for (const std::size_t len : {std::size_t{24}, std::size_t{16}}) {
      auto c = r->tx.try_claim(len);
      relacy_sync::verify(static_cast<bool>(c), "set-up claim");
      write_record(c, 1);
      c.commit();
      auto d = r->rx.try_claim();
      relacy_sync::verify(static_cast<bool>(d) && read_record(d) == 1, "set-up take");
    }
  }
  bool take() {
    auto c = r->rx.try_claim();
    if (!c) return false;
    const int id = read_record(c);
    relacy_sync::verify(c.size() == 24 && (id == 3 ? got_a++ == 0 : id == 11 && got_b++ == 0),
                        "a record torn, duplicated or unknown");
    return true;
  }
  void thread(unsigned id) {
    if (id == 0) {
      for (int k = 0; k < 2; ++k) {
        auto c = r->tx.try_claim(24);  // at 56: wraps behind a padding header
        if (c) {
          if (b_done->load(std::memory_order_acquire) == 0) relacy_sync::spin_pause();
          write_record(c, 3);
          c.commit();
          committed_a.store(1);
          break;
        }
        relacy_sync::spin_pause();
      }
    } else if (id == 1) {
      for (int k = 0; k < 2; ++k) {
        auto c = second->try_claim(24);  // at 32 once P0 wrapped: plain bytes over the word at 56
        if (c) {
          write_record(c, 11);
          c.commit();
          committed_b.store(1);
          break;
        }
        relacy_sync::spin_pause();
      }
      b_done->store(1, std::memory_order_release);  // release: pairs with P0's acquire
    } else {
      for (int k = 0; k < 3; ++k)
        if (!take()) relacy_sync::spin_pause();
    }
  }
  void check() {
    while (take()) {
    }
    relacy_sync::verify(got_a == committed_a.load() && got_b == committed_b.load(), "a record was lost");
  }
};

// pad_reuse: context bound 1 is 0.34 M iterations (~3 s); bound 2
// (verify/run --deep) 4.5 M (~41 s).
constexpr search bound1{rl::sched_bound, 1};

int main(int argc, char** argv) {
  return run(argc, argv, "logbuf_mpsc_producers", {rl::sched_bound, 2},
             {
                 NEXUS_VARIANT("two_producers", pass, two_producers<mpsc_orders>),
                 NEXUS_VARIANT("reserve_order", pass, reserve_order<mpsc_orders>),
                 NEXUS_VARIANT("no_spurious_full", pass, no_spurious_full<mpsc_orders>),
                 NEXUS_VARIANT_SEARCH("pad_reuse", pass, bound1, pad_reuse<mpsc_orders>),
                 NEXUS_VARIANT_SEARCH("pad_relaxed", fail, bound1, pad_reuse<pad_relaxed<mpsc_orders>>),
                 NEXUS_VARIANT("guess_full", pass, guess_full<mpsc_orders>),
                 NEXUS_VARIANT("claim_load_relaxed", fail, guess_full<claim_load_relaxed<mpsc_orders>>),
                 NEXUS_VARIANT("claim_release", fail, no_spurious_full<claim_release<mpsc_orders>>),
                 NEXUS_VARIANT("claim_acquire", fail, no_spurious_full<claim_acquire<mpsc_orders>>),
                 NEXUS_VARIANT("claim_relaxed", fail, no_spurious_full<claim_relaxed<mpsc_orders>>),
                 NEXUS_VARIANT("two_producers_commit_relaxed", fail, two_producers<commit_relaxed<mpsc_orders>>),
                 NEXUS_VARIANT("two_producers_leave_relaxed", fail, two_producers<leave_relaxed<mpsc_orders>>),
             });
}
