// model/relacy_sync.hpp -- the model-checking Sync policy.
//
// The twin of include/nexus/sync/std_sync.hpp: the same names, mapped onto
// Relacy (Debian package relacy-dev), so the production headers are explored
// under the C++ memory model without a single `$` or `rl::` in them.
//
//   atomic<T>       std::atomic-shaped facade over rl::atomic<T>; the call
//                   site (function, file, line) is taken from default
//                   arguments, so histories name the algorithm's own lines.
//   cell<T>         rl::var<T>: unordered accesses are a DATA RACE.
//   slot<T>         storage for any T plus an rl::var marker written by
//                   construct/take/destroy: a race on the payload of any type
//                   is a DATA RACE, taking an empty slot is a USER ASSERT.
//   word_buffer<W>  bytes as rl::var<unsigned char> plus a parallel array of
//                   rl::atomic<W>, one per W-aligned word (Relacy cannot
//                   overlay an atomic on bytes); each word access also reads
//                   the word's byte cells, so an atomic access and a
//                   plain write of the same bytes that are not ordered by
//                   happens-before are a DATA RACE, as in C++.
//   allocate        through Relacy's allocator: leaks and double frees of
//                   shared blocks are reported.
//   spin_pause      rl::yield: a scheduling point in every spin loop.
//   futex_*         rl::rl_futex on rl::atomic<int>: a lost wakeup is a
//                   DEADLOCK; spurious wakeups are injected.
//
// Include this header FIRST in a model translation unit: it includes every
// standard header the algorithms need, then relacy, then removes relacy's
// macros for standard names (see research/verify-toolchain.md section 2).
#pragma once

// ---- 1. every standard and system header used by nexus, before relacy ----
#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>
#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "nexus/result.hpp"
#include "nexus/sync/std_sync.hpp"

// ---- 2. relacy, then undo its macros for standard names ----
#include <relacy/relacy.hpp>
#undef memory_order_relaxed
#undef memory_order_consume
#undef memory_order_acquire
#undef memory_order_release
#undef memory_order_acq_rel
#undef memory_order_seq_cst
#undef new
#undef delete
#undef malloc
#undef calloc
#undef realloc
#undef free
#undef assert
#include <cassert>  // restore the standard assert that relacy redefined

#define NEXUS_RL_HERE ::rl::debug_info(__builtin_FUNCTION(), __builtin_FILE(), __builtin_LINE())

namespace nexus::model {

constexpr rl::memory_order to_rl(std::memory_order m) noexcept {
  switch (m) {
    case std::memory_order_relaxed: return rl::mo_relaxed;
    case std::memory_order_consume: return rl::mo_consume;
    case std::memory_order_acquire: return rl::mo_acquire;
    case std::memory_order_release: return rl::mo_release;
    case std::memory_order_acq_rel: return rl::mo_acq_rel;
    case std::memory_order_seq_cst: return rl::mo_seq_cst;
  }
  return rl::mo_seq_cst;
}

// Relacy models a CAS faithfully only when the failure order is no stronger
// than the load part of the success order: relaxed/(relaxed), acquire/
// (relaxed|acquire), release/(relaxed), acq_rel/(relaxed|acquire), seq_cst/
// (any). For other pairs it silently fails every CAS or weakens the order
// (verify-toolchain.md 2.5), so they are refused.
inline void check_cas_orders(std::memory_order s, std::memory_order f, rl::debug_info i) {
  using M = std::memory_order;
  bool ok = false;
  switch (s) {
    case M::relaxed: ok = f == M::relaxed; break;
    case M::consume:
    case M::acquire: ok = f == M::relaxed || f == M::consume || f == M::acquire; break;
    case M::release: ok = f == M::relaxed; break;
    case M::acq_rel: ok = f == M::relaxed || f == M::consume || f == M::acquire; break;
    case M::seq_cst: ok = true; break;
  }
  if (!ok)
    rl::ctx().fail_test("CAS (success, failure) memory-order pair not modelled by relacy",
                        rl::test_result_user_assert_failed, i);
}

// The failure order std::atomic derives for a single-order compare_exchange.
constexpr std::memory_order cas_failure_for(std::memory_order s) noexcept {
  return s == std::memory_order_acq_rel   ? std::memory_order_acquire
         : s == std::memory_order_release ? std::memory_order_relaxed
                                          : s;
}

struct relacy_sync {
  static constexpr bool is_model = true;

  template <class T>
  class atomic {
   public:
    atomic() : a_(T{}) {}
    atomic(T v) : a_(v) {}  // NOLINT: brace-initialisation like std::atomic
    atomic(const atomic&) = delete;
    atomic& operator=(const atomic&) = delete;

    T load(std::memory_order m = std::memory_order_seq_cst, rl::debug_info i = NEXUS_RL_HERE) const {
      return a_.load(to_rl(m), i);
    }
    void store(T v, std::memory_order m = std::memory_order_seq_cst, rl::debug_info i = NEXUS_RL_HERE) {
      a_.store(v, to_rl(m), i);
    }
    T exchange(T v, std::memory_order m = std::memory_order_seq_cst, rl::debug_info i = NEXUS_RL_HERE) {
      return a_.exchange(v, to_rl(m), i);
    }
    bool compare_exchange_weak(T& e, T d, std::memory_order s, std::memory_order f,
                               rl::debug_info i = NEXUS_RL_HERE) {
      check_cas_orders(s, f, i);
      return a_.compare_exchange_weak(e, d, to_rl(s), i, to_rl(f), i);
    }
    bool compare_exchange_strong(T& e, T d, std::memory_order s, std::memory_order f,
                                 rl::debug_info i = NEXUS_RL_HERE) {
      check_cas_orders(s, f, i);
      return a_.compare_exchange_strong(e, d, to_rl(s), i, to_rl(f), i);
    }
    // Single-order forms: the failure order is derived as std::atomic does.
    bool compare_exchange_weak(T& e, T d, std::memory_order s = std::memory_order_seq_cst,
                               rl::debug_info i = NEXUS_RL_HERE) {
      return compare_exchange_weak(e, d, s, cas_failure_for(s), i);
    }
    bool compare_exchange_strong(T& e, T d, std::memory_order s = std::memory_order_seq_cst,
                                 rl::debug_info i = NEXUS_RL_HERE) {
      return compare_exchange_strong(e, d, s, cas_failure_for(s), i);
    }
    T fetch_add(T v, std::memory_order m = std::memory_order_seq_cst, rl::debug_info i = NEXUS_RL_HERE) {
      return a_.fetch_add(v, to_rl(m), i);
    }
    T fetch_sub(T v, std::memory_order m = std::memory_order_seq_cst, rl::debug_info i = NEXUS_RL_HERE) {
      return a_.fetch_sub(v, to_rl(m), i);
    }
    T fetch_or(T v, std::memory_order m = std::memory_order_seq_cst, rl::debug_info i = NEXUS_RL_HERE) {
      return a_.fetch_or(v, to_rl(m), i);
    }
    T fetch_and(T v, std::memory_order m = std::memory_order_seq_cst, rl::debug_info i = NEXUS_RL_HERE) {
      return a_.fetch_and(v, to_rl(m), i);
    }
    rl::atomic<T>& raw() noexcept { return a_; }

   private:
    mutable rl::atomic<T> a_;
  };

  template <class T>
  class cell {
   public:
    cell() = default;
    explicit cell(T v) : v_(v) {}
    T load(rl::debug_info i = NEXUS_RL_HERE) const { return v_(i).load(); }
    void store(T v, rl::debug_info i = NEXUS_RL_HERE) { v_(i).store(v); }

   private:
    rl::var<T> v_;
  };

  template <class T>
  class slot {
   public:
    slot() = default;
    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;
    // The marker is written after T's constructor returns: a constructor
    // that throws leaves the slot empty, as in production.
    template <class... Args>
    void construct(Args&&... args) {
      ::new (static_cast<void*>(&storage_)) T(std::forward<Args>(args)...);
      full_(NEXUS_RL_HERE).store(1);
    }
    // As std_sync's: a throwing move (copy) leaves the value in the slot.
    void take_into(std::optional<T>& out, rl::debug_info i = NEXUS_RL_HERE) {
      check_full(i);
      T* p = std::launder(reinterpret_cast<T*>(&storage_));
      if constexpr (std::is_move_constructible_v<T>)
        out.emplace(std::move(*p));
      else
        out.emplace(static_cast<const T&>(*p));
      p->~T();
      full_(i).store(0);
    }
    T take(rl::debug_info i = NEXUS_RL_HERE) {
      check_full(i);
      T* p = std::launder(reinterpret_cast<T*>(&storage_));
      T v(std::move(*p));
      p->~T();
      full_(i).store(0);
      return v;
    }
    // As std_sync's: if `f` throws, the value stays in the slot.
    template <class F>
    void take_with(F&& f, rl::debug_info i = NEXUS_RL_HERE) {
      check_full(i);
      T* p = std::launder(reinterpret_cast<T*>(&storage_));
      std::forward<F>(f)(std::move(*p));
      p->~T();
      full_(i).store(0);
    }
    void destroy(rl::debug_info i = NEXUS_RL_HERE) {
      check_full(i);
      std::launder(reinterpret_cast<T*>(&storage_))->~T();
      full_(i).store(0);
    }

   private:
    void check_full(rl::debug_info i) {
      if (full_(i).load() != 1)
        rl::ctx().fail_test("slot taken or destroyed while empty", rl::test_result_user_assert_failed, i);
    }
    rl::var<int> full_{0};
    alignas(T) unsigned char storage_[sizeof(T)];
  };

  template <class W>
  class word_buffer {
   public:
    static constexpr std::size_t word = sizeof(W);
    explicit word_buffer(std::size_t bytes)
        : bytes_(bytes), data_(new rl::var<unsigned char>[bytes]), words_(new atomic<W>[bytes / word]) {
      for (std::size_t k = 0; k < bytes; ++k) data_[k](NEXUS_RL_HERE).store(0);
    }
    ~word_buffer() {
      delete[] data_;
      delete[] words_;
    }
    word_buffer(const word_buffer&) = delete;
    word_buffer& operator=(const word_buffer&) = delete;

    std::size_t size() const noexcept { return bytes_; }
    // Every atomic access to a word also reads the word's byte cells: in
    // production the word *is* those bytes, and C++ makes an atomic access
    // race with a plain write of any of them that is not ordered with it by
    // happens-before. Relacy cannot see that across the two arrays, so the
    // reads of the cells let it report such a race. Found by TSan: a relaxed
    // padding store in logbuf::mpsc.
    W load_word(std::size_t off, std::memory_order mo, rl::debug_info i = NEXUS_RL_HERE) const {
      check_word(off, i);
      touch(off, i);
      return words_[off / word].load(mo, i);
    }
    void store_word(std::size_t off, W v, std::memory_order mo, rl::debug_info i = NEXUS_RL_HERE) {
      check_word(off, i);
      touch(off, i);
      words_[off / word].store(v, mo, i);
    }
    void copy_in(std::size_t off, const void* src, std::size_t n, rl::debug_info i = NEXUS_RL_HERE) {
      auto* s = static_cast<const unsigned char*>(src);
      for (std::size_t k = 0; k < n; ++k) data_[off + k](i).store(s[k]);
    }
    void copy_out(std::size_t off, void* dst, std::size_t n, rl::debug_info i = NEXUS_RL_HERE) const {
      auto* d = static_cast<unsigned char*>(dst);
      for (std::size_t k = 0; k < n; ++k) d[k] = data_[off + k](i).load();
    }
    void zero(std::size_t off, std::size_t n, rl::debug_info i = NEXUS_RL_HERE) {
      for (std::size_t k = 0; k < n; ++k) data_[off + k](i).store(0);
    }

   private:
    void touch(std::size_t off, rl::debug_info i) const {
      for (std::size_t k = 0; k < word; ++k) (void)data_[off + k](i).load();
    }
    void check_word(std::size_t off, rl::debug_info i) const {
      if (off % word != 0 || off >= bytes_)
        rl::ctx().fail_test("word access at an unaligned or out-of-range offset",
                            rl::test_result_user_assert_failed, i);
    }
    std::size_t bytes_;
    rl::var<unsigned char>* data_;
    atomic<W>* words_;
  };

  // Through relacy's global operator new (tracked): leaks and double frees
  // are reported. The aligned block keeps the raw pointer just before it.
  static void* allocate(std::size_t bytes, std::size_t align) {
    if (align < alignof(void*)) align = alignof(void*);
    auto* raw = static_cast<unsigned char*>(::operator new(bytes + align + sizeof(void*)));
    auto a = (reinterpret_cast<std::uintptr_t>(raw) + sizeof(void*) + align - 1) & ~(std::uintptr_t(align) - 1);
    reinterpret_cast<void**>(a)[-1] = raw;
    return reinterpret_cast<void*>(a);
  }
  static void deallocate(void* p, std::size_t, std::size_t) noexcept {
    ::operator delete(static_cast<void**>(p)[-1]);
  }

  // A relaxed fence has no effect in C++ (and relacy rejects it): modelling it
  // as nothing makes "weaken to relaxed" the same mutant as "remove the fence".
  static void fence(std::memory_order mo, rl::debug_info i = NEXUS_RL_HERE) {
    if (mo != std::memory_order_relaxed) rl::atomic_thread_fence(to_rl(mo), i);
  }
  // The asymmetric pair is, by its contract, as strong as two fences of the
  // same order (std_sync.hpp): the model checks the handshake with fences;
  // that membarrier delivers that strength is the kernel's guarantee, which
  // Relacy cannot model.
  static void fence_light(std::memory_order mo, rl::debug_info i = NEXUS_RL_HERE) { fence(mo, i); }
  static void fence_heavy(std::memory_order mo, rl::debug_info i = NEXUS_RL_HERE) { fence(mo, i); }
  static void spin_pause(rl::debug_info i = NEXUS_RL_HERE) { rl::yield(1, i); }
  static void yield(rl::debug_info i = NEXUS_RL_HERE) { rl::yield(1, i); }

  using futex_word = atomic<int>;
  // The model has no time: now() is a fixed point, so a deadline in the
  // future never passes by the clock (runs stay deterministic); timed futex
  // waits time out nondeterministically instead, exploring both outcomes.
  struct clock {
    using duration = std::chrono::steady_clock::duration;
    using time_point = std::chrono::steady_clock::time_point;
    static time_point now() noexcept { return time_point{}; }
  };

  static void futex_wait(futex_word& w, int expected, rl::debug_info i = NEXUS_RL_HERE) {
    rl::rl_futex(&w.raw(), rl::RL_FUTEX_WAIT, expected, nullptr, nullptr, 0, i);
  }
  // The model has no clock: a timed wait may time out at any point (returns
  // false), which explores every deadline outcome.
  static bool futex_wait_until(futex_word& w, int expected, clock::time_point, rl::debug_info i = NEXUS_RL_HERE) {
    static const timespec some_time{0, 1};
    return rl::rl_futex(&w.raw(), rl::RL_FUTEX_WAIT, expected, &some_time, nullptr, 0, i) != rl::RL_ETIMEDOUT;
  }
  static void futex_wake_one(futex_word& w, rl::debug_info i = NEXUS_RL_HERE) {
    rl::rl_futex(&w.raw(), rl::RL_FUTEX_WAKE, 1, nullptr, nullptr, 0, i);
  }
  static void futex_wake_all(futex_word& w, rl::debug_info i = NEXUS_RL_HERE) {
    rl::rl_futex(&w.raw(), rl::RL_FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0, i);
  }

  static void verify(bool ok, const char* what, rl::debug_info i = NEXUS_RL_HERE) {
    if (!ok) rl::ctx().fail_test(what, rl::test_result_user_assert_failed, i);
  }
};

}  // namespace nexus::model
