// nexus/logbuf/mpsc.hpp -- multi-producer single-consumer ring of
// variable-length byte records. Producers reserve space by CAS on a shared
// tail and may commit out of order; the consumer delivers records in
// reservation order. The record format, the claims and the reading side are
// in format.hpp (shared with logbuf/spsc.hpp).
//
// LAYOUT
//   shared block, freed by the last handle:
//     tail      atomic u64, own cache line: producers reserve by CAS
//     head      atomic u64, own cache line: the consumer's offset as last
//               published (lazily: format.hpp PUBLICATION)
//     position  atomic u64, own cache line: the consumer's exact offset after
//               every free, only when tracked (format.hpp WAITING PRODUCERS)
//     producers atomic u32: live producer handles (0 = every producer gone)
//     consumers atomic u32: 1 while the consumer handle lives
//     refs      atomic u32: all live handles; the last one frees the block
//     buffer    capacity zero-filled bytes (Sync::word_buffer<u64>)
//   producer handle: cached_head (its own; stale only in the safe direction),
//                    tail_guess (where its last claim ended; at or behind
//                    the tail), own cache line
//   consumer handle: its read position (the reader)
//   Offsets are free-running 64-bit byte counters; position = offset & mask.
//
// PROTOCOL
//   try_claim(len): len 0 -> status::zero_length; footprint > capacity/2 ->
//     status::too_large (F9); both before any state is touched (H4).
//     fp = align8(8 + len); t = tail_guess (no shared access: with one
//     producer, or a producer that claims in bursts, it is the tail, and the
//     claim costs one CAS); loop:
//       at = t & mask; to_end = capacity - at; need = fp if it fits before
//       the end, else to_end + fp (wrap).
//       If t - cached_head > capacity - need: if t is the guess, load the
//       tail (claim_load) and start over (a full verdict needs the current
//       tail); else refresh cached_head from head (see_free). If the
//       refreshed head is past t, t is stale: retry with the current tail.
//       Still short -> status::full (the ring had no room at the tail this
//       producer saw, by the head the consumer had published; never
//       spurious: see claim_load).
//       CAS_weak tail t -> t + need (claim). Failure: retry with the tail
//       the CAS read (spin_pause first, unless t was the guess). Success:
//       tail_guess = t + need; on a wrap, store SKIP|to_end at `at` (pad)
//       and place the record at 0; hand out the claim.
//   commit(): header = len (commit). abort() / destroying an open claim:
//     header = SKIP|fp (abort). No tail bookkeeping: the CAS reserved it.
//   Commits may complete out of order; the consumer delivers in reservation
//   (CAS) order and waits at the oldest uncommitted header (head-of-line:
//   never hold a claim across a blocking call). Each producer's own records
//   arrive in its claim order.
//   consumer try_claim() / read claim: as in spsc.hpp (format.hpp's reader).
//   Producers are lock-free; the consumer is wait-free.
//
// ATOMIC ACCESSES (named orders: `mpsc_orders`)
//   commit       header store in commit()    release: pairs with observe.
//   abort        header store in abort()     release: pairs with observe;
//                                            the consumer zeroes the bytes
//                                            the producer wrote.
//   pad          padding header store on a   release: pairs with observe.
//                wrap in try_claim           The padding carries no data, but
//                                            its header word is plain payload
//                                            memory of a later lap: another
//                                            producer's memcpy there must
//                                            happen after this store (through
//                                            the consumer's zeroing and
//                                            free_space). Relaxed was a data
//                                            race (TSan; the model now checks
//                                            atomic-vs-plain on header words).
//   observe      header load in the consumer acquire: pairs with commit,
//                                            abort and pad.
//   free_space   head store in the consumer  release: pairs with see_free;
//                                            a record's reads and zeroing
//                                            happen before its bytes are
//                                            reused.
//   see_free     head load in try_claim      acquire: pairs with free_space.
//   free_position position store after each  release: pairs with see_position.
//                free (when tracked)
//   see_position position load in a fresh    acquire: pairs with free_position.
//                try_claim
//   claim_load   tail load in try_claim      acquire: pairs with the release
//                (the guess had no room)     half of other producers' claim.
//                                            A producer that reads a tail
//                                            another producer advanced after
//                                            *it* saw space freed also sees
//                                            that free: no spurious full.
//   claim        tail CAS in try_claim       acq_rel (a failed CAS reloads
//                                            with acquire): the same chain.
//   leave        producers/consumers         release: pairs with see_leave;
//                RMW in ~handle              a producer's commits happen
//                                            before its count drop (the RMW
//                                            chain carries every earlier
//                                            producer's).
//   see_leave    producers/consumers         acquire: pairs with leave: a
//                load in is_disconnected()   consumer that sees every
//                                            producer gone sees every commit.
//   release_ref  refs RMW in ~handle         acq_rel: the last handle frees
//                                            the block after every other
//                                            handle's last access.
//   join         producers/refs increments   relaxed: the caller holds a
//                in clone()                  reference.
//   Header-zero stores are relaxed (format.hpp).
//
// INVARIANTS
//   head <= position <= tail <= head + capacity (position: the consumer's,
//   format.hpp PUBLICATION); [position, tail) is a sequence of records,
//   skips and reserved-but-uncommitted records whose footprints add up
//   exactly, each reservation owned by the one producer whose CAS made it;
//   every byte and header word outside [position, tail) is zero; a committed
//   header's len is in [1, capacity/2 - 8] and never has SKIP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "nexus/logbuf/format.hpp"
#include "nexus/result.hpp"
#include "nexus/sync/block.hpp"
#include "nexus/sync/std_sync.hpp"

namespace nexus::logbuf::mpsc {

// This algorithm's named orders, here and nowhere else: the twins and the
// mutation audit weaken them one at a time, in this algorithm only. Other
// components' orders have the same shape; sharing them would weaken two at
// once (a deliberate repetition: issue 18).
struct mpsc_orders : logbuf::publication {
  static constexpr std::memory_order commit = std::memory_order_release;         // pairs with observe
  static constexpr std::memory_order abort = std::memory_order_release;          // pairs with observe
  static constexpr std::memory_order pad = std::memory_order_release;            // pairs with observe
  static constexpr std::memory_order observe = std::memory_order_acquire;        // pairs with commit, abort, pad
  static constexpr std::memory_order free_space = std::memory_order_release;     // pairs with see_free
  static constexpr std::memory_order see_free = std::memory_order_acquire;       // pairs with free_space
  static constexpr std::memory_order free_position = std::memory_order_release;  // pairs with see_position
  static constexpr std::memory_order see_position = std::memory_order_acquire;   // pairs with free_position
  static constexpr std::memory_order claim_load = std::memory_order_acquire;     // pairs with claim (release half)
  static constexpr std::memory_order claim = std::memory_order_acq_rel;          // pairs with claim_load / itself
  static constexpr std::memory_order leave = std::memory_order_release;          // pairs with see_leave
  static constexpr std::memory_order see_leave = std::memory_order_acquire;      // pairs with leave
  // mutation-survives: the acquire half orders the other handles' last accesses to the buffer before the last handle frees it, the release half makes this handle's accesses part of that (the shared_ptr pattern); the block's cleanup reads nothing, and relacy does not check a free against earlier accesses, so no driver can fail (disconnect visibility rests on leave/see_leave, which are killed)
  static constexpr std::memory_order release_ref = std::memory_order_acq_rel;  // pairs with itself
};

template <class Sync = std_sync, class O = mpsc_orders>
class producer;
template <class Sync = std_sync, class O = mpsc_orders>
class consumer;

namespace detail {

template <class Sync, class O>
struct shared {
  using buffer_t = typename Sync::template word_buffer<std::uint64_t>;

  alignas(cache_line) typename Sync::template atomic<std::uint64_t> tail{0};      // producers' CAS target
  alignas(cache_line) typename Sync::template atomic<std::uint64_t> head{0};      // consumer-written
  alignas(cache_line) typename Sync::template atomic<std::uint64_t> position{0};  // consumer-written, when tracked
  alignas(cache_line) typename Sync::template atomic<std::uint32_t> producers{1};
  typename Sync::template atomic<std::uint32_t> consumers{1};
  typename Sync::template atomic<std::uint32_t> refs{2};
  buffer_t buffer;
  std::uint64_t mask;

  explicit shared(std::uint64_t capacity) : buffer(static_cast<std::size_t>(capacity)), mask(capacity - 1) {}

  static void release(shared* s) noexcept {
    // acq_rel: see release_ref in the header comment.
    nexus::detail::release_ref<Sync, O::release_ref>(s, s->refs);
  }
  // The consumer's view (format.hpp consumer_handle): every producer is gone.
  bool producers_gone() const noexcept {
    return producers.load(O::see_leave) == 0;  // acquire: pairs with leave in ~producer
  }
  // The consumer leaves before it drops its reference.
  void leave_consumer() noexcept {
    consumers.fetch_sub(1, O::leave);  // release: pairs with see_leave in producer::is_disconnected
  }
};

template <class O>
struct producer_side {
  template <class S, class V>
  static void leave(S& s, V&) noexcept {
    s.producers.fetch_sub(1, O::leave);  // release: pairs with see_leave in consumer::is_disconnected
  }
};

}  // namespace detail

template <class Sync = std_sync, class O = mpsc_orders>
using endpoints = nexus::detail::endpoints<producer<Sync, O>, consumer<Sync, O>>;

// This ring's public factory and endpoints, with its own default orders;
// logbuf/spsc.hpp has the same few lines for its ring (a deliberate repetition:
// the work is logbuf::detail::make_ring's, once, in format.hpp).
//
// Creates a ring of at least `capacity` bytes (rounded up to a power of two).
// Errors: capacity_zero, capacity_too_small (under 32 bytes after rounding),
// capacity_too_large (F10: rounding overflows, or above max_capacity),
// out_of_memory.
template <class Sync = std_sync, class O = mpsc_orders>
result<endpoints<Sync, O>> ring_buffer(std::uint64_t capacity) {
  return logbuf::detail::make_ring<endpoints<Sync, O>, detail::shared<Sync, O>, Sync>(capacity);
}

// A producing end. Move-only; clone() makes another, independent one. Each
// handle is used by one thread at a time; a handle may hold several open
// claims. Aligned to a cache line: the handle's tail guess is written on
// every claim, and producers of one ring often sit side by side.
template <class Sync, class O>
class alignas(cache_line) producer
    : public logbuf::detail::producer_handle<Sync, O, detail::shared<Sync, O>, detail::producer_side<O>, producer<Sync, O>> {
 public:
  // internal: from the factory (and clone, with the cloner's cached head)
  explicit producer(detail::shared<Sync, O>* s, std::uint64_t cached_head = 0) noexcept
      : producer::producer_handle(s, cached_head) {}

  // Another producer on the same ring. Precondition: valid().
  producer clone() const noexcept {
    return producer(nexus::detail::join(this->s_->producers, this->s_), this->l_.cached_head);
  }

  // As try_claim; `wake` runs after the claim's commit or abort (the
  // blocking channel wakes its receiver there). `fresh`: a full verdict
  // refreshes from the consumer's position word rather than the published
  // head (format.hpp WAITING PRODUCERS).
  template <class Wake>
  write_claim<Sync, O, Wake> try_claim_with(std::size_t len, Wake wake, bool fresh = false) {
    auto& l = this->l_;
    if (const status st = logbuf::detail::check_length(len, l.mask); st != status::ok) return st;  // H4, F9
    const std::uint64_t fp = footprint(len);
    const std::uint64_t cap = l.mask + 1;
    // The first CAS tries this handle's own last tail (no load: one cache-line
    // transaction per claim under contention instead of a shared read and an
    // upgrade). A stale guess only makes that CAS fail, which reads the tail.
    std::uint64_t t = l.tail;
    bool loaded = false;  // t was read from the tail (a load or a failed CAS), not guessed
    for (;;) {
      const auto p = logbuf::detail::place(t, fp, l.mask);
      if (t - l.cached_head > cap - p.need) [[unlikely]] {
        if (!loaded) {
          // A full verdict needs the current tail (no spurious full: claim_load).
          t = this->s_->tail.load(O::claim_load);  // acquire: pairs with other producers' claim
          loaded = true;
          continue;
        }
        if (!refresh_head(t, p.need, fresh)) return status::full;
      }
      // acq_rel (failure: acquire): pairs with claim_load and other claims (see header).
      if (this->s_->tail.compare_exchange_weak(t, t + p.need, O::claim)) {
        l.tail = t + p.need;
        std::uint64_t at = p.at;
        if (p.need != fp) [[unlikely]] {
          // release (pad): pairs with observe; a later lap's plain writes over
          // this word happen after it (see the header comment).
          l.buf->store_word(at, skip_bit | p.to_end, O::pad);
          at = 0;
        }
        return write_claim<Sync, O, Wake>(l.buf, at, len, std::move(wake));
      }
      if (loaded) Sync::spin_pause();  // lost a race (or a spurious failure); t was reloaded
      loaded = true;
    }
  }

  // True once the consumer is gone (advisory: claims still succeed until full).
  bool is_disconnected() const noexcept {
    return this->s_ == nullptr || this->s_->consumers.load(O::see_leave) == 0;  // acquire: pairs with leave
  }

 private:
  // True when [t, t + need) is free, or t is stale (the CAS will fail and
  // reload it); false when the ring is full at t.
  [[gnu::noinline]] bool refresh_head(std::uint64_t t, std::uint64_t need, bool fresh) noexcept {
    const std::uint64_t used = t - this->refresh(fresh);
    return static_cast<std::int64_t>(used) < 0 || used <= this->l_.mask + 1 - need;
  }
};

// The consuming end (format.hpp: try_claim, try_claim_with, capacity,
// is_disconnected, valid). Move-only; one thread at a time.
template <class Sync, class O>
class consumer : public logbuf::detail::consumer_handle<Sync, O, detail::shared<Sync, O>> {
 public:
  using logbuf::detail::consumer_handle<Sync, O, detail::shared<Sync, O>>::consumer_handle;
};

}  // namespace nexus::logbuf::mpsc
