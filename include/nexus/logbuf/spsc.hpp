// nexus/logbuf/spsc.hpp -- single-producer single-consumer ring of
// variable-length byte records (Aeron log-buffer style). The record format,
// the claims and the reading side are in format.hpp.
//
// LAYOUT
//   One shared block, freed by the last of the two handles:
//     head     atomic u64, own cache line: the consumer's offset as last
//              published (lazily: format.hpp PUBLICATION)
//     position atomic u64, own cache line: the consumer's exact offset, stored
//              after every free only when tracked (the blocking channel:
//              format.hpp WAITING PRODUCERS)
//     handles  atomic u32, own cache line: 2, 1 after the first handle goes
//     buffer   capacity bytes, zero-filled at first (Sync::word_buffer<u64>);
//              the producer zeroes the header after each record, the consumer
//              writes nothing back (format.hpp WHO ZEROES)
//   producer handle: tail (its own: the tail is not shared), cached_head
//   consumer handle: its read position (the reader), buffer, mask
//   Offsets are free-running 64-bit byte counters; position = offset & mask.
//
// PROTOCOL
//   try_claim(len): len 0 -> status::zero_length; footprint > capacity/2 ->
//     status::too_large (F9); both before any state is touched (H4).
//     fp = align8(8 + len); at = tail & mask; to_end = capacity - at.
//     need = fp if it fits before the end, else to_end + fp (wrap).
//     room = need + 8: the word after the record (the next header) must be
//     free space too. If tail + room - cached_head > capacity: refresh
//     cached_head from head (see_free); still short -> status::full.
//     Wrap: store 0 at position 0 (relaxed), then SKIP|to_end in the header
//     at `at` (pad, release: the consumer that steps past the skip reads
//     word 0 and must find that zero, not an old lap's word); the record
//     goes to position 0.
//     Then store 0 in the next header, at the record's position + fp
//     (relaxed: this record's commit or abort, both release, carries it).
//     tail += need (local); hand out the claim.
//   commit(): header = len (commit). abort() / destroying an open claim:
//     header = SKIP|fp (abort). The tail moved at claim time, so several
//     claims may be open at once and commit in any order; records are
//     delivered in claim order, and an open claim holds back later records.
//   consumer try_claim(): header at its position (observe): 0 ->
//     status::empty (first publishing the position as the head if it moved);
//     SKIP|n -> position += n (the head published per PUBLICATION),
//     continue; len -> the read claim (status::busy while the previous one
//     is still held). The consumer writes nothing into the buffer.
//     Destroying the read claim moves the position past the record; the
//     head (free_space) is stored once capacity/16
//     bytes have been freed since the last store, and whenever try_claim()
//     finds the ring empty (format.hpp PUBLICATION).
//   Both sides are wait-free.
//
// ATOMIC ACCESSES (named orders: `spsc_orders`, weakened one at a time by the
//   negative model drivers and by verify/mutation)
//   commit         header store in commit()   release: pairs with observe;
//                                             the payload is visible with
//                                             the header.
//   abort          header store in abort()    release: pairs with observe;
//                                             the next header's zero comes
//                                             before the consumer's step past
//                                             the skip.
//   pad            padding header store at    release: pairs with observe;
//                  a wrap                     word 0's zero comes before the
//                                             consumer's step past the pad.
//   observe        header load in the         acquire: pairs with commit and
//                  consumer                   abort.
//   free_space     head store in the consumer release: pairs with see_free;
//                                             the reads of a record (and of
//                                             its header) happen before the
//                                             producer reuses its bytes.
//   see_free       head load in try_claim     acquire: pairs with free_space.
//   free_position  position store in the      release: pairs with see_position;
//                  consumer (when tracked)    as free_space, per free.
//   see_position   position load in a fresh   acquire: pairs with
//                  try_claim (a sender about  free_position.
//                  to sleep)
//   release_handle handles RMW in ~handle     acq_rel: its release half makes
//                                             every commit before a producer
//                                             leaves visible to a consumer
//                                             that sees it gone
//                                             (see_disconnect, F3); its
//                                             acquire half orders the peer's
//                                             last buffer accesses before the
//                                             last handle frees the buffer.
//   see_disconnect handles load in            acquire: pairs with
//                  is_disconnected()          release_handle: "disconnected
//                                             and try_claim() empty" means
//                                             every record has arrived.
//   The zero stores (the next header; word 0 before a pad) are relaxed:
//   the release store that follows them (commit, abort, pad) carries them.
//
// INVARIANTS
//   head <= position <= tail <= head + capacity (in the producer's view:
//   cached_head <= head); [position, tail) is a sequence of records and
//   skips whose footprints add up exactly; tail + 8 <= head + capacity and
//   the header word at tail is zero (at position 0 after a wrap: before the
//   pad is published); every other byte outside [position, tail) is free
//   space whose value nobody interprets; position - head < capacity/16
//   while the consumer reads, 0 once it found the ring empty;
//   a committed header's len is in [1, capacity/2 - 8] and never has SKIP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "nexus/logbuf/format.hpp"
#include "nexus/result.hpp"
#include "nexus/sync/block.hpp"
#include "nexus/sync/std_sync.hpp"

namespace nexus::logbuf::spsc {

// This algorithm's named orders, here and nowhere else: the twins and the
// mutation audit weaken them one at a time, in this algorithm only. Other
// components' orders have the same shape; sharing them would weaken two at
// once (a deliberate repetition: issue 18).
struct spsc_orders : logbuf::publication {
  static constexpr std::memory_order commit = std::memory_order_release;          // pairs with observe
  static constexpr std::memory_order abort = std::memory_order_release;           // pairs with observe
  static constexpr std::memory_order observe = std::memory_order_acquire;         // pairs with commit, abort
  static constexpr std::memory_order free_space = std::memory_order_release;      // pairs with see_free
  static constexpr std::memory_order see_free = std::memory_order_acquire;        // pairs with free_space
  static constexpr std::memory_order free_position = std::memory_order_release;   // pairs with see_position
  static constexpr std::memory_order see_position = std::memory_order_acquire;    // pairs with free_position
  // mutation-survives(release): the acquire half orders the peer's last accesses to the buffer before the last handle frees it (the shared_ptr pattern); relacy does not check a free against earlier accesses, so no driver can fail on it. Weakening to acquire or relaxed (the release half) is killed by model/logbuf_spsc
  static constexpr std::memory_order release_handle = std::memory_order_acq_rel;  // pairs with see_disconnect / itself
  static constexpr std::memory_order see_disconnect = std::memory_order_acquire;  // pairs with release_handle
  static constexpr std::memory_order pad = std::memory_order_release;             // pairs with observe
  static constexpr bool consumer_zeroes = false;  // the producer zeroes the next header (format.hpp WHO ZEROES)
  static constexpr bool zero_next = true;         // false only in the model's negative twin
};

template <class Sync = std_sync, class O = spsc_orders>
class producer;
template <class Sync = std_sync, class O = spsc_orders>
class consumer;

namespace detail {

template <class Sync, class O>
struct shared {
  using buffer_t = typename Sync::template word_buffer<std::uint64_t>;

  alignas(cache_line) typename Sync::template atomic<std::uint64_t> head{0};      // consumer-written
  alignas(cache_line) typename Sync::template atomic<std::uint64_t> position{0};  // consumer-written, when tracked
  alignas(cache_line) typename Sync::template atomic<std::uint32_t> handles{2};
  buffer_t buffer;
  std::uint64_t mask;

  explicit shared(std::uint64_t capacity) : buffer(static_cast<std::size_t>(capacity)), mask(capacity - 1) {}

  static void release(shared* s) noexcept {
    // acq_rel: see release_handle in the header comment.
    nexus::detail::release_ref<Sync, O::release_handle>(s, s->handles);
  }
  bool peer_gone() const noexcept {
    return handles.load(O::see_disconnect) == 1;  // acquire: pairs with the peer's release_handle (F3)
  }
  // The consumer's view (format.hpp consumer_handle): the producer is gone.
  bool producers_gone() const noexcept { return peer_gone(); }
  // Nothing besides release(): the handle count is the disconnect signal.
  void leave_consumer() noexcept {}
};

struct producer_side {
  template <class S, class V>
  static void leave(S&, V&) noexcept {}  // the handle count is the disconnect signal
};

}  // namespace detail

template <class Sync = std_sync, class O = spsc_orders>
using endpoints = nexus::detail::endpoints<producer<Sync, O>, consumer<Sync, O>>;

// This ring's public factory and endpoints, with its own default orders;
// logbuf/mpsc.hpp has the same few lines for its ring (a deliberate repetition:
// the work is logbuf::detail::make_ring's, once, in format.hpp).
//
// Creates a ring of at least `capacity` bytes (rounded up to a power of two).
// Errors: capacity_zero, capacity_too_small (under 32 bytes after rounding),
// capacity_too_large (F10: rounding overflows, or above max_capacity),
// out_of_memory.
template <class Sync = std_sync, class O = spsc_orders>
result<endpoints<Sync, O>> ring_buffer(std::uint64_t capacity) {
  return logbuf::detail::make_ring<endpoints<Sync, O>, detail::shared<Sync, O>, Sync>(capacity);
}

// The producing end. Move-only; one thread at a time.
// Aligned to a cache line: the handle's tail is written on every claim.
template <class Sync, class O>
class alignas(cache_line) producer
    : public logbuf::detail::producer_handle<Sync, O, detail::shared<Sync, O>, detail::producer_side, producer<Sync, O>> {
 public:
  // internal: from the factory
  explicit producer(detail::shared<Sync, O>* s) noexcept : producer::producer_handle(s, 0) {}

  // As try_claim; `wake` runs after the claim's commit or abort (the
  // blocking channel wakes its receiver there). `fresh`: on apparent full,
  // refresh from the consumer's position word rather than the published
  // head (format.hpp WAITING PRODUCERS; only meaningful once the consumer
  // tracks it).
  template <class Wake>
  write_claim<Sync, O, Wake> try_claim_with(std::size_t len, Wake wake, bool fresh = false) {
    auto& l = this->l_;
    if (const status st = logbuf::detail::check_length(len, l.mask); st != status::ok) return st;  // H4, F9
    const std::uint64_t t = l.tail, fp = footprint(len);
    const auto p = logbuf::detail::place(t, fp, l.mask);
    // The record and the next header (PROTOCOL: room = need + 8).
    if (t + p.need + header_bytes - l.cached_head > l.mask + 1) [[unlikely]] {
      if (!refresh_head(t + p.need + header_bytes, fresh)) return status::full;
    }
    std::uint64_t at = p.at;
    if (p.need != fp) [[unlikely]] {
      if (O::zero_next) l.buf->store_word(0, 0, std::memory_order_relaxed);  // relaxed: the pad below carries it
      l.buf->store_word(at, skip_bit | p.to_end, O::pad);  // release: pairs with observe (word 0's zero first)
      at = 0;
    }
    // relaxed: this record's commit or abort (release) carries it to the consumer.
    if (O::zero_next) l.buf->store_word((at + fp) & l.mask, 0, std::memory_order_relaxed);
    l.tail = t + p.need;
    return write_claim<Sync, O, Wake>(l.buf, at, len, std::move(wake));
  }

  // True once the consumer is gone (advisory: claims still succeed until full).
  bool is_disconnected() const noexcept { return this->s_ == nullptr || this->s_->peer_gone(); }

 private:
  [[gnu::noinline]] bool refresh_head(std::uint64_t end, bool fresh) noexcept {
    return end - this->refresh(fresh) <= this->l_.mask + 1;
  }
};

// The consuming end (format.hpp: try_claim, try_claim_with, capacity,
// is_disconnected, valid). Move-only; one thread at a time.
template <class Sync, class O>
class consumer : public logbuf::detail::consumer_handle<Sync, O, detail::shared<Sync, O>> {
 public:
  using logbuf::detail::consumer_handle<Sync, O, detail::shared<Sync, O>>::consumer_handle;
};

}  // namespace nexus::logbuf::spsc
