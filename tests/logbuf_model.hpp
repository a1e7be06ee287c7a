// tests/logbuf_model.hpp -- a sequential reference model of the byte rings
// (nexus/logbuf/spsc.hpp and mpsc.hpp), shared by property/logbuf_prop.cpp
// and fuzz/logbuf_fuzz.cpp. It predicts, from the documented format alone,
// every claim's status (zero_length, too_large, full, ok), where padding
// goes, which record try_claim() delivers next, and when freed space reaches
// the producers (format.hpp PUBLICATION: after each capacity/16 bytes freed,
// and when the consumer finds nothing to deliver), and the room a claim
// needs (spsc: its footprint and the next header's 8 bytes, format.hpp WHO
// ZEROES: `reserve` = 8; mpsc: 0); the production rings
// must agree for any sequence of claims, commits, aborts, consumes and
// batch reads (consume_n) made
// from one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "nexus/logbuf/format.hpp"
#include "nexus/result.hpp"

namespace nexus_test {

// The bytes of record `id`: a pattern no other record or length shares.
inline std::vector<unsigned char> record_bytes(std::uint32_t id, std::size_t len) {
  std::vector<unsigned char> b(len);
  std::uint32_t x = id * 2654435761u + static_cast<std::uint32_t>(len);
  for (auto& c : b) {
    x = x * 1103515245u + 12345u;
    c = static_cast<unsigned char>((x >> 16) | 1u);  // never 0: a zeroed byte shows
  }
  return b;
}

class ring_model {
 public:
  enum class state { open, committed, aborted, pad };
  struct entry {
    std::uint64_t pos;
    std::uint64_t fp;
    std::size_t len;
    state st;
    std::uint32_t id;
  };

  explicit ring_model(std::uint64_t capacity, std::uint64_t reserve = 0)
      : cap_(capacity), reserve_(reserve), batch_(nexus::logbuf::free_batch(capacity)) {}

  // The status try_claim(len) must return; on ok the record is open under `id`.
  nexus::status claim(std::size_t len, std::uint32_t id) {
    if (len == 0) return nexus::status::zero_length;
    if (len > nexus::logbuf::max_payload(cap_)) return nexus::status::too_large;
    const std::uint64_t fp = nexus::logbuf::footprint(len);
    const std::uint64_t to_end = cap_ - (tail_ & (cap_ - 1));
    const std::uint64_t need = to_end >= fp ? fp : to_end + fp;
    if (tail_ + need + reserve_ - head_ > cap_) return nexus::status::full;
    if (need != fp) {
      q_.push_back({tail_, to_end, 0, state::pad, 0});
      tail_ += to_end;
    }
    q_.push_back({tail_, fp, len, state::open, id});
    tail_ += fp;
    return nexus::status::ok;
  }
  void commit(std::uint32_t id) { find(id).st = state::committed; }
  void abort(std::uint32_t id) { find(id).st = state::aborted; }

  // What try_claim() on the consumer delivers (skips are freed on the way):
  // the committed record, or nothing (then every freed byte is published).
  std::optional<entry> consume() {
    while (!q_.empty() && (q_.front().st == state::pad || q_.front().st == state::aborted)) pop();
    if (q_.empty() || q_.front().st != state::committed) {
      head_ = pos_;
      return std::nullopt;
    }
    entry e = q_.front();
    pop();
    return e;
  }

  // What read_n(f, max) hands to f, in order (format.hpp BATCH READS): the
  // frees store nothing until the end; then, as a single free would, the
  // head is published if the batch stopped at nothing to deliver, or a
  // batch of bytes has been freed since the last publication.
  std::vector<entry> consume_n(std::size_t max) {
    std::vector<entry> out;
    bool empty = false;
    while (out.size() < max) {
      while (!q_.empty() && (q_.front().st == state::pad || q_.front().st == state::aborted)) pop(false);
      if (q_.empty() || q_.front().st != state::committed) {
        empty = true;
        break;
      }
      out.push_back(q_.front());
      pop(false);
    }
    if (max != 0 && (empty || pos_ - head_ >= batch_)) head_ = pos_;
    return out;
  }

  std::uint64_t capacity() const { return cap_; }
  // Bytes the producers count as taken: up to the published head.
  std::uint64_t used() const { return tail_ - head_; }
  // Offset of record `id` in the buffer (for alignment checks).
  std::uint64_t position(std::uint32_t id) { return find(id).pos & (cap_ - 1); }

 private:
  entry& find(std::uint32_t id) {
    for (auto& e : q_)
      if (e.st != state::pad && e.id == id) return e;
    static entry none{};
    return none;
  }
  // Frees the oldest entry; a full batch since the last publication is
  // published.
  void pop(bool publish = true) {
    pos_ += q_.front().fp;
    q_.pop_front();
    if (publish && pos_ - head_ >= batch_) head_ = pos_;
  }

  std::uint64_t cap_;
  std::uint64_t reserve_;  // room a claim needs beyond its record (spsc: the next header)
  std::uint64_t batch_;
  std::uint64_t pos_ = 0;             // the consumer's position
  std::uint64_t head_ = 0, tail_ = 0;  // head: as published
  std::deque<entry> q_;
};

}  // namespace nexus_test
