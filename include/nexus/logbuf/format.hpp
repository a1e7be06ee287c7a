// nexus/logbuf/format.hpp -- the record format of the byte rings and the
// code that touches records: the write claim (commit / abort), the reading
// side shared by logbuf::spsc and logbuf::mpsc, and the read claim.
//
// FORMAT
//   One flat buffer of `capacity` bytes (a power of two, at least 32),
//   zero-filled at first, 64-byte aligned, read and written through
//   Sync::word_buffer<std::uint64_t>. Offsets run free as 64-bit counters;
//   the position is offset & (capacity - 1). A record is
//       [ header: u64 word, atomic ][ payload: len bytes ][ padding to 8 ]
//   at an 8-aligned position, so every payload is 8-aligned (H7). Its
//   footprint is align8(8 + len): 1..8 bytes take 16, 13 take 24, 64 take 72.
//   The header word is the commit marker:
//       0                 not committed yet: the consumer stops there
//       len (bit 63 clear) a committed record of len payload bytes
//       SKIP | n          skip n bytes: the padding at the wrap (n = bytes to
//                         the end) or an aborted record (n = its footprint)
//   The header is only ever accessed atomically (H5); payload bytes are plain
//   memory ordered by the header accesses.
//
// WHO ZEROES. A producer publishes by turning a zero header non-zero, and
//   the record boundaries of a new lap can fall inside the payload of an
//   old one: the word where the consumer stops must be zero, never an old
//   lap's bytes (H6). Two ways, chosen by the ring (`O::consumer_zeroes`):
//   mpsc   the consumer zeroes every byte it frees: the body first (plain),
//          then the header word (atomic store of 0), then its position
//          moves. Free space is all zero, bytes and words. (Several
//          producers reserve side by side: the next header belongs to the
//          next reservation, which no producer can zero for it.)
//   spsc   the producer zeroes the next header (Agrona's OneToOneRingBuffer):
//          a claim needs footprint + 8 bytes of room, stores 0 in the word
//          after its record (relaxed) before handing the claim out, and at
//          a wrap stores 0 at position 0 before the padding skip (release:
//          spsc.hpp `pad`). The record's commit or abort (release) orders
//          that zero before the consumer's step past the record. The
//          consumer zeroes nothing, so a freed byte keeps its old value and
//          a fresh claim's payload holds an old lap's bytes (only headers
//          are ever interpreted; the 8-byte room keeps the next header in
//          free space). The stream's consumer then only reads its records:
//          at 64 KiB it no longer writes 64 KiB back per record.
//
// PUBLICATION. The producers see freed space through the shared head, which
//   the consumer stores (free_space) lazily, not per record: once
//   capacity/16 bytes (free_batch(capacity)) have been freed since
//   the last store, and whenever try_claim() finds nothing at its position
//   (status::empty: caught up, or stopped at an uncommitted reservation).
//   So [head, position) is freed space the producers cannot use yet:
//   at most capacity/16 - 1 bytes while the consumer keeps reading, none once
//   it has found the ring empty. A store per record kept the head's cache
//   line moving between the cores on every record, which capped the stream
//   of small records at the line round trip (bench/run --only logbuf).
//
// WAITING PRODUCERS. A producer that is about to sleep until space frees
//   (the blocking channels' senders) must not wait for a batch that may never
//   fill: a receiver that takes one record and then waits for that sender
//   (request/response over two channels) would deadlock. So the channel's
//   receiver turns on track_position(): every free also stores the
//   consumer's exact position in a position word on its own cache line
//   (free_position, release, after the zeroing), and a producer's claim with
//   `fresh` set (the re-check after it announced itself, and every attempt
//   after a wake-up) refreshes its cached head from that word (see_position,
//   acquire) instead of the head. The receiver wakes the senders after
//   every free (the waitset's seq_cst handshake, logbuf/channel.hpp), so a
//   sender never sleeps on freed space. The fast path is untouched: the
//   producers read the position word only when they are about to sleep,
//   and the consumer's store goes to a line nobody else reads meanwhile.
//
// BATCH READS. read_n(f, max) hands up to max committed records to f, oldest
//   first, and frees each after f returns (skips on the way too), storing
//   nothing shared until the end. Then the freed space is published once, by
//   the rule of a single free: the head when a batch of bytes (PUBLICATION)
//   has been freed since the last store, or the ring was found empty; with
//   the position tracked, the position word once; the wake (the channel's
//   senders) once, if either was stored. A batch never stores more often
//   than the same records read one by one, and with the position tracked it
//   stores once where single reads store per record. A throw from f leaves
//   that record at the head (the next read hands it out again); the records
//   before it are freed and published as above before the throw propagates.
//
// SIZE LIMITS (F9). A record whose footprint exceeds capacity/2 can be
//   refused for ever even by an empty ring: at position capacity/2 it fits
//   neither before the end nor, after padding, at 0. Such lengths are
//   rejected with status::too_large (max_payload(capacity) = capacity/2 - 8);
//   every smaller record fits once the consumer has caught up (found the
//   ring empty: PUBLICATION). A zero length
//   is status::zero_length (H4: it would read as "not committed").
//
// ATOMIC ACCESSES made here (the orders are the ring's `O`, named and
//   explained in spsc.hpp / mpsc.hpp):
//   commit      header store of len in commit()      pairs with observe
//   abort       header store of SKIP|footprint       pairs with observe (mpsc:
//                                                    the consumer zeroes bytes
//                                                    the producer wrote; spsc:
//                                                    it reads the next header)
//   observe     header load in the reader            pairs with commit/abort
//   free_space  head store when freed space is       pairs with see_free
//               published (PUBLICATION)
//   free_position position word store after each      pairs with see_position
//               free, when tracked (WAITING PRODUCERS)
//   header zero store in the reader (mpsc): relaxed. Only the consumer reads
//   headers; its own later loads see its store (coherence), and a producer's
//   next-lap store to the word happens after it through free_space/see_free.
//   next-header zero store in the spsc producer: relaxed; the record's commit
//   or abort (release) carries it to the consumer (spsc.hpp).
//
// LIFETIME. A claim refers to its handle's ring: close it (commit, abort,
//   consume, or let it go out of scope) before that handle is moved or
//   destroyed. A claim that is never closed (leaked) stalls the ring for good:
//   the consumer waits at its header.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

#include "nexus/result.hpp"
#include "nexus/sync/block.hpp"
#include "nexus/sync/std_sync.hpp"

namespace nexus::logbuf {

inline constexpr std::uint64_t header_bytes = 8;
inline constexpr std::uint64_t skip_bit = std::uint64_t{1} << 63;
inline constexpr std::uint64_t len_mask = skip_bit - 1;
// The least capacity (after rounding) that holds any record: footprint 16 <= 32/2.
inline constexpr std::uint64_t min_capacity = 32;
// Skip lengths and offsets stay far below bit 63; the buffer must be addressable.
inline constexpr std::uint64_t max_capacity =
    sizeof(std::size_t) >= 8 ? std::uint64_t{1} << 62 : std::uint64_t{1} << (sizeof(std::size_t) * 8 - 1);

constexpr std::uint64_t align8(std::uint64_t n) noexcept { return (n + 7) & ~std::uint64_t{7}; }
// Bytes a record of `len` payload bytes takes in the ring (len <= max_payload).
constexpr std::uint64_t footprint(std::uint64_t len) noexcept { return align8(header_bytes + len); }
// The largest payload every claim can eventually get (F9): footprint <= capacity/2.
constexpr std::uint64_t max_payload(std::uint64_t capacity) noexcept { return capacity / 2 - header_bytes; }

namespace detail {

// The power-of-two capacity for a request of `request` bytes, or the error
// that explains why there is none (F10: checked rounding).
constexpr error round_capacity(std::uint64_t request, std::uint64_t& capacity) noexcept {
  if (const error e = nexus::detail::round_capacity(request, max_capacity, capacity); e != error{}) return e;
  if (capacity < min_capacity) return error::capacity_too_small;
  return error{};
}

// Both rings' factory: rounds and checks the capacity, then makes the
// shared block and the two handles (sync/block.hpp make_endpoints).
template <class Endpoints, class Shared, class Sync>
result<Endpoints> make_ring(std::uint64_t request) {
  std::uint64_t cap = 0;
  if (const error e = round_capacity(request, cap); e != error{}) return e;
  return nexus::detail::make_endpoints<Endpoints, Shared, Sync, result<Endpoints>>(cap);
}

// H4, F9: a length no claim can take, rejected before any state is read or
// written.
constexpr status check_length(std::size_t len, std::uint64_t mask) noexcept {
  if (len == 0) [[unlikely]] return status::zero_length;
  if (len > max_payload(mask + 1)) [[unlikely]] return status::too_large;
  return status::ok;
}

// Where a record of footprint `fp` goes when the tail is at `t`: at `at` if
// it fits before the end (need = fp), else at 0 behind a padding skip of
// to_end bytes (need = to_end + fp).
struct placement {
  std::uint64_t at, to_end, need;
};
constexpr placement place(std::uint64_t t, std::uint64_t fp, std::uint64_t mask) noexcept {
  const std::uint64_t at = t & mask, to_end = mask + 1 - at;
  return {at, to_end, to_end >= fp ? fp : to_end + fp};
}

// What a producer handle keeps: the buffer, the mask, its tail (spsc: the
// tail itself; mpsc: where its last claim ended, a guess) and its cached head.
template <class Buffer>
struct producer_view {
  Buffer* buf;
  std::uint64_t mask;
  std::uint64_t tail;
  std::uint64_t cached_head;
};

}  // namespace detail

// When the consumer hands freed space back to the producers (PUBLICATION in
// the header comment); the rings' order traits (spsc_orders, mpsc_orders)
// inherit it.
struct publication {
  static constexpr unsigned free_batch_shift = 4;   // free_batch(): capacity/16
  static constexpr bool publish_when_empty = true;  // false only in the model's negative twin
  static constexpr bool claim_wakes = true;         // false only in the model's negative twin
  // Who keeps stale words out of the headers (FORMAT): true, the consumer
  // zeroes every byte it frees (mpsc); false, the producer zeroes the next
  // header before it publishes a record and the consumer zeroes nothing
  // (spsc: spsc_orders sets it).
  static constexpr bool consumer_zeroes = true;
};

// Bytes the consumer frees between two stores of the head (at least 1).
template <class O = publication>
constexpr std::uint64_t free_batch(std::uint64_t capacity) noexcept {
  const std::uint64_t b = capacity >> O::free_batch_shift;
  return b == 0 ? 1 : b;
}

// What a claim does once it is closed: nothing for the raw rings; the
// blocking channels wake the peer (a commit wakes the receiver, published
// free space the senders).
struct no_wake {
  void operator()() const noexcept {}
};

// What both claims hold: the ring they point into (a buffer or the reader),
// where the record is, its length, the status that explains an empty claim,
// and what runs when it closes (`Then`). Moving transfers an open claim;
// assigning over an open claim, or destroying it, closes it first:
// `Close::run(claim)` (a write claim aborts, a read claim consumes).
template <class Ring, class Then, class Close>
class claim_state {
 public:
  claim_state(status s) noexcept : st_(s) {}  // NOLINT: an empty claim, implicit by design
  // An open claim (the rings make them).
  claim_state(Ring* r, std::uint64_t off, std::uint64_t len, Then then) noexcept
      : ring_(r), off_(off), len_(len), st_(status::ok), then_(std::move(then)) {}
  claim_state(claim_state&& o) noexcept
      : ring_(std::exchange(o.ring_, nullptr)), off_(o.off_), len_(o.len_), st_(o.st_), then_(std::move(o.then_)) {}
  claim_state& operator=(claim_state&& o) noexcept {
    if (this != &o) {
      close();
      ring_ = std::exchange(o.ring_, nullptr);
      off_ = o.off_;
      len_ = o.len_;
      st_ = o.st_;
      then_ = std::move(o.then_);
    }
    return *this;
  }
  ~claim_state() { close(); }

  // status::ok if the claim was granted; otherwise why not.
  status code() const noexcept { return st_; }
  // True while the claim is open.
  explicit operator bool() const noexcept { return ring_ != nullptr; }
  std::size_t size() const noexcept { return static_cast<std::size_t>(len_); }

 protected:
  // Closes an open claim: Close::run(ring, off, len) (true: run `Then`).
  void close() noexcept {
    if (ring_ == nullptr) return;
    if (Close::run(*std::exchange(ring_, nullptr), off_, len_)) then_();
  }

  Ring* ring_ = nullptr;
  std::uint64_t off_ = 0;
  std::uint64_t len_ = 0;
  status st_;
  [[no_unique_address]] Then then_{};
};

// A write claim's close: the space becomes a skip record (abort); a commit
// stores the length instead.
template <class O>
struct abort_record {
  template <class Buffer>
  static bool run(Buffer& buf, std::uint64_t off, std::uint64_t len) noexcept {
    // release: pairs with observe; the bytes written here (and, spsc, the
    // next header's zero) come before the consumer's step past the skip.
    buf.store_word(off, skip_bit | footprint(len), O::abort);
    return true;  // wake the peer
  }
};
template <class O>
struct commit_record {
  template <class Buffer>
  static bool run(Buffer& buf, std::uint64_t off, std::uint64_t len) noexcept {
    buf.store_word(off, len, O::commit);  // release: pairs with observe
    return true;                          // wake the peer
  }
};
// A read claim's close: the reader frees the record (true when the space
// became visible to the producers).
struct free_record {
  template <class Reader>
  static bool run(Reader& r, std::uint64_t off, std::uint64_t len) noexcept {
    return r.finish(off, len);
  }
};

// Space for one record of exactly size() bytes, reserved by a producer.
// Write the payload (data() in production, or write()), then commit(), or
// abort(); destroying an open claim aborts it, so an exception never stalls
// the ring. Move-only. code() says why a claim is empty (full, zero_length,
// too_large, disconnected, ...).
template <class Sync, class O, class Wake = no_wake>
class [[nodiscard]] write_claim
    : public claim_state<typename Sync::template word_buffer<std::uint64_t>, Wake, abort_record<O>> {
 public:
  using write_claim::claim_state::claim_state;

  // The payload bytes, 8-aligned (production policy only; the model writes
  // through write()). Precondition: open.
  std::span<unsigned char> data() noexcept
    requires(!Sync::is_model)
  {
    return {this->ring_->bytes(this->off_ + header_bytes), static_cast<std::size_t>(this->len_)};
  }
  // Copies n bytes to payload offset `at`. Precondition: open, at + n <= size().
  void write(std::size_t at, const void* src, std::size_t n) {
    Sync::verify(this->ring_ != nullptr && at <= this->len_ && n <= this->len_ - at, "write_claim::write out of range");
    this->ring_->copy_in(this->off_ + header_bytes + at, src, n);
  }

  // Publishes the record. No effect on an empty or closed claim.
  void commit() noexcept {
    if (this->ring_ == nullptr) return;
    commit_record<O>::run(*std::exchange(this->ring_, nullptr), this->off_, this->len_);
    this->then_();
  }
  // Turns the space into a skip record; the consumer never sees it. No
  // effect on an empty or closed claim.
  void abort() noexcept { this->close(); }
};

namespace detail {
template <class Sync, class O>
class reader;
}  // namespace detail

// One record as a batch read (read_n) hands it to its handler: the payload,
// valid only during the call. Copyable view; the reader frees the record
// after the handler returns.
template <class Sync>
class record_view {
  using buffer_t = typename Sync::template word_buffer<std::uint64_t>;

 public:
  record_view(const buffer_t* buf, std::uint64_t off, std::uint64_t len) noexcept : buf_(buf), off_(off), len_(len) {}
  std::size_t size() const noexcept { return static_cast<std::size_t>(len_); }
  // The payload, 8-aligned (production policy only).
  std::span<const unsigned char> data() const noexcept
    requires(!Sync::is_model)
  {
    return {buf_->bytes(off_ + header_bytes), static_cast<std::size_t>(len_)};
  }
  // Copies n payload bytes from offset `at`. Precondition: at + n <= size().
  void read(std::size_t at, void* dst, std::size_t n) const {
    Sync::verify(at <= len_ && n <= len_ - at, "record_view::read out of range");
    buf_->copy_out(off_ + header_bytes + at, dst, n);
  }

 private:
  const buffer_t* buf_;
  std::uint64_t off_;
  std::uint64_t len_;
};

// The oldest committed record, held by the consumer until the claim is
// destroyed (or consume()): then its space is freed (mpsc: zeroed first),
// and `After` runs if that made the space visible to the producers (the
// blocking channel wakes blocked senders there).
// Move-only. code() says why a claim is empty (empty, busy, disconnected,
// timeout).
template <class Sync, class O, class After = no_wake>
class [[nodiscard]] read_claim : public claim_state<detail::reader<Sync, O>, After, free_record> {
 public:
  using read_claim::claim_state::claim_state;

  // The payload, 8-aligned (production policy only). Precondition: open.
  std::span<const unsigned char> data() const noexcept
    requires(!Sync::is_model)
  {
    return {this->ring_->buffer()->bytes(this->off_ + header_bytes), static_cast<std::size_t>(this->len_)};
  }
  // Copies n payload bytes from offset `at`. Precondition: open, at + n <= size().
  void read(std::size_t at, void* dst, std::size_t n) const {
    Sync::verify(this->ring_ != nullptr && at <= this->len_ && n <= this->len_ - at, "read_claim::read out of range");
    this->ring_->buffer()->copy_out(this->off_ + header_bytes + at, dst, n);
  }

  // Frees the record now (the destructor does it otherwise); `After` runs
  // when that made the space visible to the producers (a publication of the
  // head, or, with the position tracked, every free: WAITING PRODUCERS).
  void consume() noexcept { this->close(); }
};

namespace detail {

// The consuming side of both rings: walks headers from its position `pos_`,
// consumes skips on the way, hands out one record at a time and frees it
// (orders: O::observe, O::free_space, O::free_position). The head (= pos_)
// is stored as PUBLICATION in the header comment says: after free_batch<O>()
// bytes, and when next() finds nothing at pos_; with track_position(), the
// position word after every free too (WAITING PRODUCERS).
template <class Sync, class O>
class reader {
  using buffer_t = typename Sync::template word_buffer<std::uint64_t>;
  using word_t = typename Sync::template atomic<std::uint64_t>;

 public:
  reader(buffer_t* buf, word_t* head, word_t* position, std::uint64_t mask) noexcept
      : buf_(buf), head_(head), position_(position), mask_(mask), batch_(free_batch<O>(mask + 1)) {}

  void track_position() noexcept { track_ = true; }

  // An open claim on the oldest committed record; status::empty (nothing
  // committed at the head); status::busy (the last claim is still open).
  // `after` runs here too when this call made freed space visible (the ring
  // was found empty and published, freed skips filled a batch, or, with the
  // position tracked, any skip freed), before the result is handed back.
  template <class After>
  read_claim<Sync, O, After> claim(After after) {
    std::uint64_t off = 0, len = 0;
    bool shown = false;
    const status st = next(off, len, shown);
    if (shown && O::claim_wakes) after();
    if (st != status::ok) return st;
    return read_claim<Sync, O, After>(this, off, len, std::move(after));
  }

  // BATCH READS (header comment): up to `max` records to f(record_view),
  // then one publication; `after` runs once if it made space visible.
  // {ok, n >= 1}, {empty, 0}, {busy, 0} (a read claim is open); max == 0 is
  // {ok, 0} with nothing read.
  template <class F, class After>
  many_result read_n(F& f, std::size_t max, After& after) {
    if (open_) [[unlikely]] return {status::busy, 0};
    many_result r{status::ok, 0};
    if (max == 0) return r;
    // Publishes what the batch freed, also when f throws (the record it
    // threw on is not freed: it stays at the head).
    struct flush_at_end {
      reader* self;
      std::uint64_t start;
      bool empty = false;
      After& after;
      ~flush_at_end() {
        self->open_ = false;
        if (self->flush(start, empty)) after();
      }
    } end{this, pos_, false, after};
    while (r.count < max) {
      std::uint64_t off = 0, len = 0;
      bool shown = false;  // always false here: deferred frees store nothing
      if (next<true>(off, len, shown) != status::ok) {
        end.empty = true;
        break;
      }
      const record_view<Sync> rec(buf_, off, len);
      f(rec);
      open_ = false;
      free<true>(off, footprint(len));
      ++r.count;
    }
    if (r.count == 0) r.code = status::empty;
    return r;
  }

  // `shown`: set when this call made freed space visible to the producers.
  // Deferred (a batch read): frees store nothing; flush() publishes.
  template <bool Deferred = false>
  status next(std::uint64_t& off, std::uint64_t& len, bool& shown) {
    if (open_) [[unlikely]] return status::busy;
    for (;;) {
      const std::uint64_t at = pos_ & mask_;
      const std::uint64_t word = buf_->load_word(at, O::observe);  // acquire: pairs with commit / abort
      if (word == 0) {
        // Caught up (or at an uncommitted reservation): everything freed
        // so far goes to the producers now.
        if (!Deferred && O::publish_when_empty && pos_ != published_) {
          publish();
          shown = true;
        }
        return status::empty;
      }
      if (word & skip_bit) [[unlikely]] {
        const std::uint64_t n = word & len_mask;
        Sync::verify(n >= header_bytes && n % header_bytes == 0 && n <= mask_ + 1 - at, "corrupt skip record");
        shown |= free<Deferred>(at, n);
        continue;
      }
      Sync::verify(word <= max_payload(mask_ + 1), "corrupt record header");
      open_ = true;
      off = at;
      len = word;
      return status::ok;
    }
  }
  // Frees the record next() handed out; true when the space is visible.
  bool finish(std::uint64_t off, std::uint64_t len) {
    open_ = false;
    return free(off, footprint(len));
  }
  const buffer_t* buffer() const noexcept { return buf_; }

 private:
  // Zero the body, then the header (H6), then advance; store the position
  // word when tracked; publish the head once a batch has been freed. True
  // when the producers can see the space. Deferred: only zero and advance
  // (flush() stores at the end of a batch read).
  template <bool Deferred = false>
  bool free(std::uint64_t at, std::uint64_t n) {
    if constexpr (O::consumer_zeroes) {  // mpsc; spsc's producer zeroes the next header instead (FORMAT)
      buf_->zero(at + header_bytes, n - header_bytes);  // plain: ours until the head moves past it
      buf_->store_word(at, 0, std::memory_order_relaxed);  // relaxed: see the header comment
    }
    pos_ += n;
    if constexpr (Deferred) return false;
    if (track_) position_->store(pos_, O::free_position);  // release: pairs with see_position in the producers
    if (pos_ - published_ < batch_) return track_;
    publish();
    return true;
  }
  // The end of a batch read that started at `start` (`empty`: it stopped at
  // an empty ring): the stores its frees deferred, once. True when the
  // producers can see new space.
  bool flush(std::uint64_t start, bool empty) noexcept {
    if (pos_ == start) {
      if (!(empty && O::publish_when_empty && pos_ != published_)) return false;
      publish();  // an earlier free, not yet published: as next() on empty
      return true;
    }
    if (track_) position_->store(pos_, O::free_position);  // release: pairs with see_position in the producers
    if ((empty && O::publish_when_empty) || pos_ - published_ >= batch_) {
      publish();
      return true;
    }
    return track_;
  }
  void publish() {
    published_ = pos_;
    head_->store(pos_, O::free_space);  // release: pairs with see_free in the producers
  }

  buffer_t* buf_;
  word_t* head_;
  word_t* position_;
  std::uint64_t mask_;
  std::uint64_t batch_;
  std::uint64_t pos_ = 0;        // where the next header is
  std::uint64_t published_ = 0;  // the head as last stored (published_ <= pos_)
  bool open_ = false;
  bool track_ = false;           // store the position word on every free
};

// What both rings' producer handles share: try_claim, capacity,
// max_payload, and the refresh of the cached head. `Derived` provides
// try_claim_with(len, wake, fresh), its ring's claim. Move-only; one thread
// at a time.
template <class Sync, class O, class Shared, class Side, class Derived>
class producer_handle
    : public nexus::detail::handle<Shared, producer_view<typename Sync::template word_buffer<std::uint64_t>>, Side> {
 public:
  using claim = write_claim<Sync, O>;

  // Space for a record of `len` bytes: an open claim (code() ok), or an
  // empty one: status::zero_length, status::too_large (len > max_payload(),
  // never fits), status::full (no room now). Nothing changes on an error.
  claim try_claim(std::size_t len) { return static_cast<Derived*>(this)->try_claim_with(len, no_wake{}); }

  std::uint64_t capacity() const noexcept { return this->l_.mask + 1; }
  // The largest payload a claim accepts (F9): capacity/2 - 8.
  std::uint64_t max_payload() const noexcept { return logbuf::max_payload(this->l_.mask + 1); }

 protected:
  producer_handle(Shared* s, std::uint64_t cached_head) noexcept
      : producer_handle::handle(s, {&s->buffer, s->mask, 0, cached_head}) {}

  // The cached head from the published head, or (`fresh`) from the
  // consumer's position word (WAITING PRODUCERS); never backwards.
  std::uint64_t refresh(bool fresh) noexcept {
    const std::uint64_t h = fresh ? this->s_->position.load(O::see_position)  // acquire: pairs with free_position
                                  : this->s_->head.load(O::see_free);         // acquire: pairs with free_space
    if (static_cast<std::int64_t>(h - this->l_.cached_head) > 0) this->l_.cached_head = h;
    return this->l_.cached_head;
  }
};

// Leaving: the ring's own consumer bookkeeping (its named order).
struct consumer_side {
  template <class Shared, class Reader>
  static void leave(Shared& s, Reader&) noexcept {
    s.leave_consumer();
  }
};

// The consuming handle of both rings: a reference to the shared block and the
// reader. Move-only; one thread at a time. `Shared` provides buffer, head,
// position, mask, release(), producers_gone() (acquire: a consumer that sees
// the producers gone sees every commit) and leave_consumer() (the ring's own
// disconnect bookkeeping, with its named order).
template <class Sync, class O, class Shared>
class alignas(cache_line) consumer_handle : public nexus::detail::handle<Shared, reader<Sync, O>, consumer_side> {
  using base = nexus::detail::handle<Shared, reader<Sync, O>, consumer_side>;

 public:
  using claim = read_claim<Sync, O>;

  explicit consumer_handle(Shared* s) noexcept : base(s, reader<Sync, O>(&s->buffer, &s->head, &s->position, s->mask)) {}

  // The oldest committed record (in reservation order; skips are consumed on
  // the way): an open claim, or status::empty (nothing, or the oldest
  // reservation is not committed yet; every byte freed so far is then
  // published to the producers), or status::busy (the previous claim is
  // still open).
  claim try_claim() { return this->l_.claim(no_wake{}); }
  // As try_claim; `after` runs whenever freed space becomes visible to the
  // producers: when the record is freed and that published (or, with the
  // position tracked, on every free), or in this call when it published or
  // freed skips (the blocking channel wakes its senders there).
  template <class After>
  read_claim<Sync, O, After> try_claim_with(After after) {
    return this->l_.claim(std::move(after));
  }
  // From now on every free also stores the position word, which producers
  // read in try_claim_with(len, wake, true) (the blocking channel's
  // receiver: WAITING PRODUCERS).
  void track_position() noexcept { this->l_.track_position(); }

  // Up to `max` committed records, oldest first (skips consumed on the way),
  // each handed to f(const record_view&) and freed after f returns, with one
  // publication for the batch (BATCH READS in the header comment).
  // {ok, n >= 1}; {empty, 0}; {busy, 0} while a read claim is open; max == 0
  // is {ok, 0}. A throw from f: that record stays at the head, the ones
  // before it are consumed and published, the exception propagates.
  template <class F>
    requires std::invocable<F&, const record_view<Sync>&>
  many_result read_n(F&& f, std::size_t max) {
    no_wake w;
    return this->l_.read_n(f, max, w);
  }
  // As read_n; `after` runs once when the batch made freed space visible to
  // the producers (the blocking channel wakes its senders there).
  template <class F, class After>
    requires std::invocable<F&, const record_view<Sync>&>
  many_result read_n_with(F&& f, std::size_t max, After after) {
    return this->l_.read_n(f, max, after);
  }

  std::uint64_t capacity() const noexcept { return this->s_->mask + 1; }
  // True once every producer is gone; everything they committed is then
  // visible: "disconnected and try_claim() empty" means done.
  bool is_disconnected() const noexcept { return this->s_ == nullptr || this->s_->producers_gone(); }
};

}  // namespace detail

}  // namespace nexus::logbuf
