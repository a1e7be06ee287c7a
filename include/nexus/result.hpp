// nexus/result.hpp -- errors are values.
//
// Every fallible nexus operation reports a named `nexus::error` (or a
// `nexus::status` on the hot paths) instead of throwing. Constructors are
// factories returning `result<T>`: either the value or the error that
// explains why there is none. Nothing is changed when an error is returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace nexus {

// Hot-path outcome of a non-blocking operation. `full` and `empty` are
// transient; `disconnected` is final for that handle.
enum class status : std::uint8_t {
  ok = 0,
  full,          // no room now: the value was not taken (it is still the caller's)
  empty,         // nothing to take now
  disconnected,  // the peer is gone (the value, if any, was not taken)
  timeout,       // a deadline passed first
  invalid_token, // an argument out of range (e.g. a notify token): nothing changed
  overflow,      // an internal bound was exceeded that the design rules out;
                 // reported, never hidden (the structure is left consistent)
  zero_length,   // a zero-length record (byte rings): rejected before any
                 // state is read or written (H4)
  too_large,     // a record that can never fit (byte rings: footprint above
                 // capacity/2, F9): final for that size, nothing changed
  busy,          // the handle's single open claim must be closed first:
                 // nothing changed
  undrained,     // notify: the events buffer still holds tokens drain()
                 // has not taken; nothing was polled (a token dropped there
                 // would be lost for good)
};

// The outcome of a batch operation that takes several items (a channel's
// recv_many, a byte ring's read_n): how many, and ok or why none.
struct [[nodiscard]] many_result {
  status code;
  std::size_t count;
};

// Why a constructor or a call with bad input produced nothing.
enum class error : std::uint8_t {
  capacity_zero = 1,   // "capacity must be non-zero"
  capacity_too_large,  // rounding up to a power of two would overflow, or the
                       // allocation size would
  out_of_memory,       // the allocator refused
  capacity_too_small,  // below the structure's minimum (byte rings: 32 bytes
                       // after rounding, the least that holds any record)
};

constexpr const char* to_string(status s) noexcept {
  switch (s) {
    case status::ok: return "ok";
    case status::full: return "full";
    case status::empty: return "empty";
    case status::disconnected: return "disconnected";
    case status::timeout: return "timeout";
    case status::invalid_token: return "invalid token";
    case status::overflow: return "overflow";
    case status::zero_length: return "zero-length record";
    case status::too_large: return "record too large for this ring";
    case status::busy: return "a claim is still open";
    case status::undrained: return "the events buffer still holds undrained tokens";
  }
  return "unknown status";
}

constexpr const char* to_string(error e) noexcept {
  switch (e) {
    case error::capacity_zero: return "capacity must be non-zero";
    case error::capacity_too_large: return "capacity too large";
    case error::out_of_memory: return "out of memory";
    case error::capacity_too_small: return "capacity too small";
  }
  return "unknown error";
}

class bad_result_access : public std::logic_error {
 public:
  explicit bad_result_access(error e) : std::logic_error(to_string(e)), error_(e) {}
  error code() const noexcept { return error_; }

 private:
  error error_;
};

// Either a T or the error that explains its absence (a small std::expected).
template <class T>
class [[nodiscard]] result {
 public:
  result(T&& v) noexcept(std::is_nothrow_move_constructible_v<T>) : ok_(true) {  // NOLINT: implicit by design
    ::new (static_cast<void*>(&value_)) T(std::move(v));
  }
  result(error e) noexcept : ok_(false), error_(e) {}  // NOLINT: implicit by design
  result(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>) : ok_(o.ok_) {
    if (ok_)
      ::new (static_cast<void*>(&value_)) T(std::move(o.value_));
    else
      error_ = o.error_;
  }
  result(const result&) = delete;
  result& operator=(const result&) = delete;
  result& operator=(result&&) = delete;
  ~result() {
    if (ok_) value_.~T();
  }

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  // The error; meaningful only when !has_value().
  error error_code() const noexcept { return ok_ ? error{} : error_; }

  T& value() & {
    if (!ok_) throw bad_result_access(error_);
    return value_;
  }
  T&& value() && {
    if (!ok_) throw bad_result_access(error_);
    return std::move(value_);
  }
  T& operator*() & noexcept { return value_; }
  T&& operator*() && noexcept { return std::move(value_); }
  T* operator->() noexcept { return &value_; }

 private:
  bool ok_;
  union {
    T value_;
    error error_;
  };
};

namespace detail {
// Smallest power of two >= n, or 0 when n is 0 or the result would not fit.
constexpr std::uint64_t checked_pow2(std::uint64_t n) noexcept {
  if (n == 0 || n > (std::uint64_t{1} << 63)) return 0;
  std::uint64_t p = 1;
  while (p < n) p <<= 1;
  return p;
}
// The power-of-two capacity for a request of `request` (slots, bytes), or the
// error that explains why there is none (H8, F10: checked rounding).
constexpr error round_capacity(std::uint64_t request, std::uint64_t max, std::uint64_t& capacity) noexcept {
  if (request == 0) return error::capacity_zero;
  capacity = checked_pow2(request);
  if (capacity == 0 || capacity > max) return error::capacity_too_large;
  return error{};
}
}  // namespace detail

}  // namespace nexus
