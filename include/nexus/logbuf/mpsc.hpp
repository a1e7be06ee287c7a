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
//     producers atomic u32: live producer handles (0 = every producer gone)
//     consumer_alive atomic u32: 1 while the consumer handle lives
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
//   claim_load   tail load in try_claim      acquire: pairs with the release
//                (the guess had no room)     half of other producers' claim.
//                                            A producer that reads a tail
//                                            another producer advanced after
//                                            *it* saw space freed also sees
//                                            that free: no spurious full.
//   claim        tail CAS in try_claim       acq_rel (a failed CAS reloads
//                                            with acquire): the same chain.
//   leave        producers/consumer_alive    release: pairs with see_leave;
//                RMW in ~handle              a producer's commits happen
//                                            before its count drop (the RMW
//                                            chain carries every earlier
//                                            producer's).
//   see_leave    producers/consumer_alive    acquire: pairs with leave: a
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
#include <new>
#include <utility>

#include "nexus/logbuf/format.hpp"
#include "nexus/result.hpp"
#include "nexus/sync/block.hpp"
#include "nexus/sync/std_sync.hpp"

namespace nexus::logbuf::mpsc {

struct mpsc_orders : logbuf::publication {
  static constexpr std::memory_order commit = std::memory_order_release;      // pairs with observe
  static constexpr std::memory_order abort = std::memory_order_release;       // pairs with observe
  static constexpr std::memory_order pad = std::memory_order_release;         // pairs with observe
  static constexpr std::memory_order observe = std::memory_order_acquire;     // pairs with commit, abort, pad
  static constexpr std::memory_order free_space = std::memory_order_release;  // pairs with see_free
  static constexpr std::memory_order see_free = std::memory_order_acquire;    // pairs with free_space
  static constexpr std::memory_order claim_load = std::memory_order_acquire;  // pairs with claim (release half)
  static constexpr std::memory_order claim = std::memory_order_acq_rel;       // pairs with claim_load / itself
  static constexpr std::memory_order leave = std::memory_order_release;       // pairs with see_leave
  static constexpr std::memory_order see_leave = std::memory_order_acquire;   // pairs with leave
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

  alignas(cache_line) typename Sync::template atomic<std::uint64_t> tail{0};  // producers' CAS target
  alignas(cache_line) typename Sync::template atomic<std::uint64_t> head{0};  // consumer-written
  alignas(cache_line) typename Sync::template atomic<std::uint32_t> producers{1};
  typename Sync::template atomic<std::uint32_t> consumer_alive{1};
  typename Sync::template atomic<std::uint32_t> refs{2};
  buffer_t buffer;
  std::uint64_t mask;

  explicit shared(std::uint64_t capacity) : buffer(static_cast<std::size_t>(capacity)), mask(capacity - 1) {}

  // Throws std::bad_alloc.
  static shared* create(std::uint64_t capacity) { return nexus::detail::new_block<Sync, shared>(capacity); }
  static void release(shared* s) noexcept {
    // acq_rel: see release_ref in the header comment.
    if (s->refs.fetch_sub(1, O::release_ref) == 1) {
      nexus::detail::delete_block<Sync>(s);
    }
  }
  // The consumer's view (format.hpp consumer_handle): every producer is gone.
  bool producers_gone() const noexcept {
    return producers.load(O::see_leave) == 0;  // acquire: pairs with leave in ~producer
  }
  // The consumer leaves before it drops its reference.
  void leave_consumer() noexcept {
    consumer_alive.fetch_sub(1, O::leave);  // release: pairs with see_leave in producer::is_disconnected
  }
};

}  // namespace detail

template <class Sync = std_sync, class O = mpsc_orders>
struct endpoints {
  producer<Sync, O> tx;
  consumer<Sync, O> rx;
};

// Creates a ring of at least `capacity` bytes (rounded up to a power of two).
// Errors: capacity_zero, capacity_too_small (under 32 bytes after rounding),
// capacity_too_large (F10: rounding overflows, or above max_capacity),
// out_of_memory.
template <class Sync = std_sync, class O = mpsc_orders>
result<endpoints<Sync, O>> ring_buffer(std::uint64_t capacity) {
  std::uint64_t cap = 0;
  if (const error e = logbuf::detail::round_capacity(capacity, cap); e != error{}) return e;
  detail::shared<Sync, O>* s;
  try {
    s = detail::shared<Sync, O>::create(cap);
  } catch (const std::bad_alloc&) {
    return error::out_of_memory;
  }
  return endpoints<Sync, O>{producer<Sync, O>(s), consumer<Sync, O>(s)};
}

// A producing end. Move-only; clone() makes another, independent one. Each
// handle is used by one thread at a time; a handle may hold several open
// claims. Aligned to a cache line: the handle's tail guess is written on
// every claim, and producers of one ring often sit side by side.
template <class Sync, class O>
class alignas(cache_line) producer {
  using shared_t = detail::shared<Sync, O>;
  using buffer_t = typename shared_t::buffer_t;

 public:
  using claim = write_claim<Sync, O>;

  producer(producer&& o) noexcept
      : s_(std::exchange(o.s_, nullptr)), buf_(o.buf_), mask_(o.mask_), cached_head_(o.cached_head_),
        tail_guess_(o.tail_guess_) {}
  producer& operator=(producer&& o) noexcept {
    if (this != &o) {
      reset();
      s_ = std::exchange(o.s_, nullptr);
      buf_ = o.buf_;
      mask_ = o.mask_;
      cached_head_ = o.cached_head_;
      tail_guess_ = o.tail_guess_;
    }
    return *this;
  }
  producer(const producer&) = delete;
  producer& operator=(const producer&) = delete;
  ~producer() { reset(); }

  // Another producer on the same ring. Precondition: valid().
  producer clone() const noexcept {
    s_->producers.fetch_add(1, std::memory_order_relaxed);  // relaxed (join): we hold a reference
    s_->refs.fetch_add(1, std::memory_order_relaxed);       // relaxed (join): we hold a reference
    return producer(s_, cached_head_);
  }

  // Space for a record of `len` bytes: an open claim (code() ok), or an
  // empty one: status::zero_length, status::too_large (len > max_payload(),
  // never fits), status::full (no room at the tail). Nothing changes on an
  // error.
  claim try_claim(std::size_t len) { return try_claim_with(len, no_wake{}); }

  // As try_claim; `wake` runs after the claim's commit or abort (the
  // blocking channel wakes its receiver there).
  template <class Wake>
  write_claim<Sync, O, Wake> try_claim_with(std::size_t len, Wake wake) {
    if (len == 0) [[unlikely]] return status::zero_length;                        // H4
    if (len > logbuf::max_payload(mask_ + 1)) [[unlikely]] return status::too_large;  // F9
    const std::uint64_t fp = footprint(len);
    const std::uint64_t cap = mask_ + 1;
    // The first CAS tries this handle's own last tail (no load: one cache-line
    // transaction per claim under contention instead of a shared read and an
    // upgrade). A stale guess only makes that CAS fail, which reads the tail.
    std::uint64_t t = tail_guess_;
    bool fresh = false;  // t was read from the tail (a load or a failed CAS), not guessed
    for (;;) {
      std::uint64_t at = t & mask_;
      const std::uint64_t to_end = cap - at;
      const std::uint64_t need = to_end >= fp ? fp : to_end + fp;
      if (t - cached_head_ > cap - need) [[unlikely]] {
        if (!fresh) {
          // A full verdict needs the current tail (no spurious full: claim_load).
          t = s_->tail.load(O::claim_load);  // acquire: pairs with other producers' claim
          fresh = true;
          continue;
        }
        if (!refresh_head(t, need)) return status::full;
      }
      // acq_rel (failure: acquire): pairs with claim_load and other claims (see header).
      if (s_->tail.compare_exchange_weak(t, t + need, O::claim)) {
        tail_guess_ = t + need;
        if (need != fp) [[unlikely]] {
          // release (pad): pairs with observe; a later lap's plain writes over
          // this word happen after it (see the header comment).
          buf_->store_word(at, skip_bit | to_end, O::pad);
          at = 0;
        }
        return write_claim<Sync, O, Wake>(buf_, at, len, std::move(wake));
      }
      if (fresh) Sync::spin_pause();  // lost a race (or a spurious failure); t was reloaded
      fresh = true;
    }
  }

  std::uint64_t capacity() const noexcept { return mask_ + 1; }
  // The largest payload a claim accepts (F9): capacity/2 - 8.
  std::uint64_t max_payload() const noexcept { return logbuf::max_payload(mask_ + 1); }
  // True once the consumer is gone (advisory: claims still succeed until full).
  bool is_disconnected() const noexcept {
    return s_ == nullptr || s_->consumer_alive.load(O::see_leave) == 0;  // acquire: pairs with leave
  }
  bool valid() const noexcept { return s_ != nullptr; }

 private:
  friend result<endpoints<Sync, O>> ring_buffer<Sync, O>(std::uint64_t);
  explicit producer(shared_t* s, std::uint64_t cached_head = 0) noexcept
      : s_(s), buf_(&s->buffer), mask_(s->mask), cached_head_(cached_head) {}

  // True when [t, t + need) is free, or t is stale (the CAS will fail and
  // reload it); false when the ring is full at t.
  [[gnu::noinline]] bool refresh_head(std::uint64_t t, std::uint64_t need) noexcept {
    cached_head_ = s_->head.load(O::see_free);  // acquire: pairs with free_space in the consumer
    const std::uint64_t used = t - cached_head_;
    return static_cast<std::int64_t>(used) < 0 || used <= mask_ + 1 - need;
  }
  void reset() noexcept {
    if (s_ == nullptr) return;
    shared_t* s = std::exchange(s_, nullptr);
    s->producers.fetch_sub(1, O::leave);  // release: pairs with see_leave in consumer::is_disconnected
    shared_t::release(s);
  }

  shared_t* s_;
  buffer_t* buf_;
  std::uint64_t mask_;
  std::uint64_t cached_head_ = 0;
  std::uint64_t tail_guess_ = 0;  // where this handle's last claim ended: the first CAS's expected tail
};

// The consuming end (format.hpp: try_claim, try_claim_with, capacity,
// is_disconnected, valid). Move-only; one thread at a time.
template <class Sync, class O>
class consumer : public logbuf::detail::consumer_handle<Sync, O, detail::shared<Sync, O>> {
  friend result<endpoints<Sync, O>> ring_buffer<Sync, O>(std::uint64_t);
  using logbuf::detail::consumer_handle<Sync, O, detail::shared<Sync, O>>::consumer_handle;
};

}  // namespace nexus::logbuf::mpsc
