// nexus/logbuf/format.hpp -- the record format of the byte rings and the
// code that touches records: the write claim (commit / abort), the reading
// side shared by logbuf::spsc and logbuf::mpsc, and the read claim.
//
// FORMAT
//   One flat, zero-filled buffer of `capacity` bytes (a power of two, at
//   least 32), 64-byte aligned, read and written through
//   Sync::word_buffer<std::uint64_t>. Offsets run free as 64-bit counters;
//   the position is offset & (capacity - 1). A record is
//       [ header: u64 word, atomic ][ payload: len bytes ][ zero padding ]
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
// WHY THE CONSUMER ZEROES. A producer publishes by turning a zero header
//   non-zero, and the record boundaries of a new lap can fall inside the
//   payload of an old one. So every consumed byte goes back to zero: the
//   body first (plain), then the header word (atomic store of 0; H6), then
//   the consumer's position moves. Free space is therefore all zero, bytes
//   and words.
//
// PUBLICATION. The producers see freed space through the shared head, which
//   the consumer stores (free_space) lazily, not per record: once
//   capacity/16 bytes (free_batch(capacity)) have been freed since
//   the last store, and whenever try_claim() finds nothing at its position
//   (status::empty: caught up, or stopped at an uncommitted reservation).
//   So [head, position) is freed, zeroed space the producers cannot use yet:
//   at most capacity/16 - 1 bytes while the consumer keeps reading, none once
//   it has found the ring empty. A store per record kept the head's cache
//   line moving between the cores on every record, which capped the stream
//   of small records at the line round trip (bench/run --only logbuf).
//   The blocking channels wake their senders on each store (the read
//   claim's `After` runs when its free published; a try_claim that published
//   runs it too), so a receiver never parks with unpublished space: its
//   last attempt before parking finds the ring empty.
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
//   abort       header store of SKIP|footprint       pairs with observe (the
//                                                    consumer zeroes bytes the
//                                                    producer wrote)
//   observe     header load in the reader            pairs with commit/abort
//   free_space  head store when freed space is       pairs with see_free
//               published (PUBLICATION)
//   header zero store in the reader: relaxed. Only the consumer reads
//   headers; its own later loads see its store (coherence), and a producer's
//   next-lap store to the word happens after it through free_space/see_free.
//
// LIFETIME. A claim refers to its handle's ring: close it (commit, abort,
//   consume, or let it go out of scope) before that handle is moved or
//   destroyed. A claim that is never closed (leaked) stalls the ring for good:
//   the consumer waits at its header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

#include "nexus/result.hpp"
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
  if (request == 0) return error::capacity_zero;
  capacity = nexus::detail::checked_pow2(request);
  if (capacity == 0 || capacity > max_capacity) return error::capacity_too_large;
  if (capacity < min_capacity) return error::capacity_too_small;
  return error{};
}

}  // namespace detail

// When the consumer hands freed space back to the producers (PUBLICATION in
// the header comment); the rings' order traits (spsc_orders, mpsc_orders)
// inherit it.
struct publication {
  static constexpr unsigned free_batch_shift = 4;   // free_batch(): capacity/16
  static constexpr bool publish_when_empty = true;  // false only in the model's negative twin
  static constexpr bool claim_wakes = true;         // false only in the model's negative twin
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

// Space for one record of exactly size() bytes, reserved by a producer.
// Write the payload (data() in production, or write()), then commit(), or
// abort(); destroying an open claim aborts it, so an exception never stalls
// the ring. Move-only. code() says why a claim is empty (full, zero_length,
// too_large, disconnected, ...).
template <class Sync, class O, class Wake = no_wake>
class [[nodiscard]] write_claim {
  using buffer_t = typename Sync::template word_buffer<std::uint64_t>;

 public:
  write_claim(status s) noexcept : st_(s) {}  // NOLINT: an empty claim, implicit by design
  write_claim(buffer_t* buf, std::uint64_t off, std::uint64_t len, Wake wake) noexcept
      : buf_(buf), off_(off), len_(len), st_(status::ok), wake_(std::move(wake)) {}
  write_claim(write_claim&& o) noexcept
      : buf_(std::exchange(o.buf_, nullptr)), off_(o.off_), len_(o.len_), st_(o.st_), wake_(std::move(o.wake_)) {}
  write_claim& operator=(write_claim&& o) noexcept {
    if (this != &o) {
      abort();
      buf_ = std::exchange(o.buf_, nullptr);
      off_ = o.off_;
      len_ = o.len_;
      st_ = o.st_;
      wake_ = std::move(o.wake_);
    }
    return *this;
  }
  write_claim(const write_claim&) = delete;
  write_claim& operator=(const write_claim&) = delete;
  ~write_claim() { abort(); }

  // status::ok if the space was granted; otherwise why not.
  status code() const noexcept { return st_; }
  // True while the claim is open (granted, neither committed nor aborted).
  explicit operator bool() const noexcept { return buf_ != nullptr; }
  std::size_t size() const noexcept { return static_cast<std::size_t>(len_); }

  // The payload bytes, 8-aligned (production policy only; the model writes
  // through write()). Precondition: open.
  std::span<unsigned char> data() noexcept
    requires(!Sync::is_model)
  {
    return {buf_->bytes(off_ + header_bytes), static_cast<std::size_t>(len_)};
  }
  // Copies n bytes to payload offset `at`. Precondition: open, at + n <= size().
  void write(std::size_t at, const void* src, std::size_t n) {
    Sync::verify(buf_ != nullptr && at <= len_ && n <= len_ - at, "write_claim::write out of range");
    buf_->copy_in(off_ + header_bytes + at, src, n);
  }

  // Publishes the record. No effect on an empty or closed claim.
  void commit() noexcept {
    if (buf_ == nullptr) return;
    std::exchange(buf_, nullptr)->store_word(off_, len_, O::commit);  // release: pairs with observe
    wake_();
  }
  // Turns the space into a skip record; the consumer never sees it. No
  // effect on an empty or closed claim.
  void abort() noexcept {
    if (buf_ == nullptr) return;
    // release: pairs with observe; the consumer zeroes the bytes written here.
    std::exchange(buf_, nullptr)->store_word(off_, skip_bit | footprint(len_), O::abort);
    wake_();
  }

 private:
  buffer_t* buf_ = nullptr;
  std::uint64_t off_ = 0;
  std::uint64_t len_ = 0;
  status st_;
  [[no_unique_address]] Wake wake_{};
};

namespace detail {
template <class Sync, class O>
class reader;
}  // namespace detail

// The oldest committed record, held by the consumer until the claim is
// destroyed (or consume()): then its bytes are zeroed and its space freed,
// and `After` runs if that published the head (the blocking channel wakes
// blocked senders there).
// Move-only. code() says why a claim is empty (empty, busy, disconnected,
// timeout).
template <class Sync, class O, class After = no_wake>
class [[nodiscard]] read_claim {
  using reader_t = detail::reader<Sync, O>;

 public:
  read_claim(status s) noexcept : st_(s) {}  // NOLINT: an empty claim, implicit by design
  read_claim(reader_t* r, std::uint64_t off, std::uint64_t len, After after) noexcept
      : r_(r), off_(off), len_(len), st_(status::ok), after_(std::move(after)) {}
  read_claim(read_claim&& o) noexcept
      : r_(std::exchange(o.r_, nullptr)), off_(o.off_), len_(o.len_), st_(o.st_), after_(std::move(o.after_)) {}
  read_claim& operator=(read_claim&& o) noexcept {
    if (this != &o) {
      consume();
      r_ = std::exchange(o.r_, nullptr);
      off_ = o.off_;
      len_ = o.len_;
      st_ = o.st_;
      after_ = std::move(o.after_);
    }
    return *this;
  }
  read_claim(const read_claim&) = delete;
  read_claim& operator=(const read_claim&) = delete;
  ~read_claim() { consume(); }

  status code() const noexcept { return st_; }
  // True while the claim holds a record.
  explicit operator bool() const noexcept { return r_ != nullptr; }
  std::size_t size() const noexcept { return static_cast<std::size_t>(len_); }

  // The payload, 8-aligned (production policy only). Precondition: open.
  std::span<const unsigned char> data() const noexcept
    requires(!Sync::is_model)
  {
    return {r_->buffer()->bytes(off_ + header_bytes), static_cast<std::size_t>(len_)};
  }
  // Copies n payload bytes from offset `at`. Precondition: open, at + n <= size().
  void read(std::size_t at, void* dst, std::size_t n) const {
    Sync::verify(r_ != nullptr && at <= len_ && n <= len_ - at, "read_claim::read out of range");
    r_->buffer()->copy_out(off_ + header_bytes + at, dst, n);
  }

  // Frees the record now (the destructor does it otherwise); `After` runs
  // when that published the head (format.hpp: PUBLICATION).
  void consume() noexcept {
    if (r_ == nullptr) return;
    if (std::exchange(r_, nullptr)->finish(off_, len_)) after_();
  }

 private:
  reader_t* r_ = nullptr;
  std::uint64_t off_ = 0;
  std::uint64_t len_ = 0;
  status st_;
  [[no_unique_address]] After after_{};
};

namespace detail {

// The consuming side of both rings: walks headers from its position `pos_`,
// consumes skips on the way, hands out one record at a time and frees it
// (orders: O::observe, O::free_space). The head (= pos_) is stored as
// PUBLICATION in the header comment says: after free_batch<O>() bytes, and
// when next() finds nothing at pos_.
template <class Sync, class O>
class reader {
  using buffer_t = typename Sync::template word_buffer<std::uint64_t>;

 public:
  reader(buffer_t* buf, typename Sync::template atomic<std::uint64_t>* head, std::uint64_t mask) noexcept
      : buf_(buf), head_(head), mask_(mask), batch_(free_batch<O>(mask + 1)) {}

  // An open claim on the oldest committed record; status::empty (nothing
  // committed at the head); status::busy (the last claim is still open).
  // `after` runs here too when this call published freed space (the ring
  // was found empty, or freed skips filled a batch), before the result is
  // handed back.
  template <class After>
  read_claim<Sync, O, After> claim(After after) {
    std::uint64_t off = 0, len = 0;
    bool published = false;
    const status st = next(off, len, published);
    if (published && O::claim_wakes) after();
    if (st != status::ok) return st;
    return read_claim<Sync, O, After>(this, off, len, std::move(after));
  }

  // `published`: set when this call stored the head.
  status next(std::uint64_t& off, std::uint64_t& len, bool& published) {
    if (open_) [[unlikely]] return status::busy;
    for (;;) {
      const std::uint64_t at = pos_ & mask_;
      const std::uint64_t word = buf_->load_word(at, O::observe);  // acquire: pairs with commit / abort
      if (word == 0) {
        // Caught up (or at an uncommitted reservation): everything freed
        // so far goes to the producers now.
        if (O::publish_when_empty && pos_ != published_) {
          publish();
          published = true;
        }
        return status::empty;
      }
      if (word & skip_bit) [[unlikely]] {
        const std::uint64_t n = word & len_mask;
        Sync::verify(n >= header_bytes && n % header_bytes == 0 && n <= mask_ + 1 - at, "corrupt skip record");
        published |= free(at, n);
        continue;
      }
      Sync::verify(word <= max_payload(mask_ + 1), "corrupt record header");
      open_ = true;
      off = at;
      len = word;
      return status::ok;
    }
  }
  // Frees the record next() handed out; true when that published the head.
  bool finish(std::uint64_t off, std::uint64_t len) {
    open_ = false;
    return free(off, footprint(len));
  }
  const buffer_t* buffer() const noexcept { return buf_; }

 private:
  // Zero the body, then the header (H6), then advance; publish the head
  // once a batch has been freed. True when it published.
  bool free(std::uint64_t at, std::uint64_t n) {
    buf_->zero(at + header_bytes, n - header_bytes);  // plain: ours until the head moves past it
    buf_->store_word(at, 0, std::memory_order_relaxed);  // relaxed: see the header comment
    pos_ += n;
    if (pos_ - published_ < batch_) return false;
    publish();
    return true;
  }
  void publish() {
    published_ = pos_;
    head_->store(pos_, O::free_space);  // release: pairs with see_free in the producers
  }

  buffer_t* buf_;
  typename Sync::template atomic<std::uint64_t>* head_;
  std::uint64_t mask_;
  std::uint64_t batch_;
  std::uint64_t pos_ = 0;        // where the next header is
  std::uint64_t published_ = 0;  // the head as last stored (published_ <= pos_)
  bool open_ = false;
};

}  // namespace detail

namespace detail {

// The consuming handle of both rings: a reference to the shared block and the
// reader. Move-only; one thread at a time. `Shared` provides buffer, head,
// mask, release(), producers_gone() (acquire: a consumer that sees the
// producers gone sees every commit) and leave_consumer() (the ring's own
// disconnect bookkeeping, with its named order).
template <class Sync, class O, class Shared>
class alignas(cache_line) consumer_handle {
 public:
  using claim = read_claim<Sync, O>;

  consumer_handle(consumer_handle&& o) noexcept : s_(std::exchange(o.s_, nullptr)), r_(o.r_) {}
  consumer_handle& operator=(consumer_handle&& o) noexcept {
    if (this != &o) {
      reset();
      s_ = std::exchange(o.s_, nullptr);
      r_ = o.r_;
    }
    return *this;
  }
  consumer_handle(const consumer_handle&) = delete;
  consumer_handle& operator=(const consumer_handle&) = delete;
  ~consumer_handle() { reset(); }

  // The oldest committed record (in reservation order; skips are consumed on
  // the way): an open claim, or status::empty (nothing, or the oldest
  // reservation is not committed yet; every byte freed so far is then
  // published to the producers), or status::busy (the previous claim is
  // still open).
  claim try_claim() { return r_.claim(no_wake{}); }
  // As try_claim; `after` runs whenever freed space is published: when the
  // record is freed and that filled a batch, or in this call when it found
  // the ring empty (the blocking channel wakes its senders there).
  template <class After>
  read_claim<Sync, O, After> try_claim_with(After after) {
    return r_.claim(std::move(after));
  }

  std::uint64_t capacity() const noexcept { return s_->mask + 1; }
  // True once every producer is gone; everything they committed is then
  // visible: "disconnected and try_claim() empty" means done.
  bool is_disconnected() const noexcept { return s_ == nullptr || s_->producers_gone(); }
  // False for a moved-from handle.
  bool valid() const noexcept { return s_ != nullptr; }

 protected:
  explicit consumer_handle(Shared* s) noexcept : s_(s), r_(&s->buffer, &s->head, s->mask) {}

 private:
  void reset() noexcept {
    if (s_ == nullptr) return;
    Shared* s = std::exchange(s_, nullptr);
    s->leave_consumer();
    Shared::release(s);
  }

  Shared* s_;
  reader<Sync, O> r_;
};

}  // namespace detail

}  // namespace nexus::logbuf
