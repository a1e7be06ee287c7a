// nexus/notify/local.hpp -- the single-threaded conflating notifier: an
// event loop that notifies itself (dirty-set tracking). Same semantics as
// event_queue (dedup, FIFO of first mark, budgeted drains with poll_limit),
// same token and events types, no atomics.
//
// STATE
//   bits      one bit per registered token: set iff the token is pending
//   pending   tokens in mark order; [head, end) are still pending
//   registered  the high-water mark of register() / ensure_capacity()
//
//   mark(t): t >= registered -> status::invalid_token (always checked; the
//     upstream check is debug-only). Bit clear: set it, append t. Else no-op.
//   poll_limit(ev, n): clear ev; move the first min(n, pending) tokens in
//     mark order, clearing their bits; amortised O(n): a drained prefix is
//     skipped by advancing head and dropped only once it is the larger part.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "nexus/notify/event_queue.hpp"  // token, events
#include "nexus/result.hpp"

namespace nexus::notify {

class local {
 public:
  local() = default;
  // Room for `hint` tokens without reallocating (0 is fine).
  static local with_capacity(std::size_t hint) {
    local l;
    l.bits_.reserve((hint + 63) / 64);
    l.pending_.reserve(hint);
    return l;
  }

  // The next sequential token: 0, 1, 2, ...
  token register_token() {
    const std::size_t idx = registered_;
    ensure_capacity(idx);
    return token(idx);
  }
  // For keys managed elsewhere (a slab): makes tokens [0, idx] valid.
  void ensure_capacity(std::size_t idx) {
    if (idx >= registered_) registered_ = idx + 1;
    if (bits_.size() * 64 < registered_) bits_.resize((registered_ + 63) / 64, 0);
  }

  // status::ok (marked, or already pending) or status::invalid_token.
  [[nodiscard]] status mark(token t) {
    const std::size_t i = t.index();
    if (i >= registered_) [[unlikely]] return status::invalid_token;
    const std::uint64_t bit = std::uint64_t{1} << (i % 64);
    if ((bits_[i / 64] & bit) == 0) {
      bits_[i / 64] |= bit;
      pending_.push_back(i);
    }
    return status::ok;
  }

  // As event_queue's poller: status::ok, or status::undrained (nothing
  // polled) for a buffer part-way through a drain().
  status poll(events& ev) { return poll_limit(ev, std::numeric_limits<std::size_t>::max()); }
  status poll_limit(events& ev, std::size_t limit) {
    if (ev.draining()) return status::undrained;
    ev.clear();
    const std::size_t avail = pending_.size() - head_;
    const std::size_t n = limit < avail ? limit : avail;
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = pending_[head_ + k];
      bits_[i / 64] &= ~(std::uint64_t{1} << (i % 64));
      ev.push(token(i));
    }
    head_ += n;
    if (head_ == pending_.size()) {  // everything drained: reuse the storage
      pending_.clear();
      head_ = 0;
    } else if (head_ > 64 && head_ * 2 > pending_.size()) {  // amortised O(1): drop the drained prefix
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    return status::ok;
  }

  bool has_notified() const noexcept { return head_ != pending_.size(); }
  std::size_t notified_count() const noexcept { return pending_.size() - head_; }
  // The registered token count (not the allocation).
  std::size_t capacity() const noexcept { return registered_; }

 private:
  std::vector<std::uint64_t> bits_;
  std::vector<std::size_t> pending_;
  std::size_t head_ = 0;
  std::size_t registered_ = 0;
};

}  // namespace nexus::notify
