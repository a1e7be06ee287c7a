// nexus/sync/std_sync.hpp -- the production Sync policy.
//
// Every concurrent algorithm in nexus is a class template over a `Sync`
// policy. This header is the production one: it adds nothing to what a
// hand-written std::atomic implementation would compile to (checked by
// tests/codegen). Its twin for model checking is model/relacy_sync.hpp,
// which maps the very same names onto Relacy, so that the header a user
// links is the header the model checker explores.
//
// The policy names, and what each is for:
//
//   atomic<T>           std::atomic<T> itself (no wrapper).
//   cell<T>             a plain non-atomic shared value with load()/store().
//                       Under the model it is rl::var, so an unordered access
//                       is reported as a DATA RACE.
//   slot<T>             uninitialised storage for one T with construct(),
//                       take_into(optional) (move out, then destroy; a throw
//                       leaves the value in place), take() (the same, by
//                       value, for a T whose move cannot throw),
//                       take_with(f) (hand T&& to f, then destroy; a throw
//                       leaves it in place) and destroy(). Under the
//                       model every access also touches an rl::var marker, so
//                       a race on any payload type is visible.
//   word_buffer<W>      a zero-filled byte buffer with atomic W-sized words at
//                       W-aligned offsets (in-band record headers): production
//                       uses std::atomic_ref over the bytes; the model keeps a
//                       parallel array of atomics, because Relacy cannot
//                       overlay an atomic on bytes.
//   allocate/deallocate aligned raw memory for shared blocks (the model routes
//                       it through Relacy's allocator, so leaks and double
//                       frees of shared state are reported).
//   fence(order)        std::atomic_thread_fence.
//   fence_light(order), fence_heavy(order)
//                       the two sides of an asymmetric store-buffering
//                       handshake (folly's asymmetricLight/HeavyBarrier,
//                       liburcu): light on the side that runs on every
//                       operation (a channel's notify before it reads the
//                       waiter count), heavy on the side that runs only
//                       before a thread sleeps (the waiter's prepare, the
//                       last receiver's drain). Where Linux membarrier(2)
//                       MEMBARRIER_CMD_PRIVATE_EXPEDITED is available, the
//                       light fence is a compiler barrier only and
//                       the heavy fence adds a membarrier, which runs a full
//                       barrier on every running thread of the process: the
//                       pair orders as two seq_cst fences would (either side
//                       sees the other's store). Elsewhere, and until the
//                       first heavy fence has registered the process, both
//                       are std::atomic_thread_fence. The model (and any
//                       order weaker than seq_cst) treats both as fence().
//   spin_pause()        one CPU relax hint (PAUSE on x86, YIELD on ARM). Every
//                       spin or retry loop calls it; the model turns it into a
//                       scheduling point (otherwise: false LIVELOCK reports).
//   yield()             std::this_thread::yield.
//   futex_word          atomic<int> that futex_wait / futex_wake operate on
//                       (Relacy models futexes on rl::atomic<int> only).
//   futex_wait(w, v)    sleep while w == v (may return spuriously).
//   futex_wait_until(w, v, deadline)  the same with a steady_clock deadline;
//                       returns false once the deadline has passed.
//   futex_wake_one/all  wake waiters on w.
//   verify(ok, what)    an internal invariant ("this cannot fail"): a no-op
//                       in production builds unless NEXUS_VERIFY is defined,
//                       a reported failure under the model.
#pragma once

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <new>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace nexus {

namespace detail {

// True once this process is registered for MEMBARRIER_CMD_PRIVATE_EXPEDITED
// (set by the first heavy fence, never cleared). Relaxed: a light fence that
// reads false is a full fence, which is always safe; one that reads true
// knows every heavy fence from now on issues the membarrier (the flag is set
// only after registration succeeded, and registration is process-wide).
alignas(64) inline std::atomic<bool> membarrier_on{false};  // its own line: read on every notify

#if defined(__linux__) && defined(__NR_membarrier)
inline bool membarrier_register() noexcept {
  constexpr int query = 0, private_expedited = 1 << 3, register_private_expedited = 1 << 4;  // linux/membarrier.h
  const long cmds = syscall(__NR_membarrier, query, 0, 0);
  if (cmds < 0 || (cmds & private_expedited) == 0 || (cmds & register_private_expedited) == 0) return false;
  if (syscall(__NR_membarrier, register_private_expedited, 0, 0) != 0) return false;
  membarrier_on.store(true, std::memory_order_relaxed);  // relaxed: see membarrier_on
  return true;
}
inline void membarrier_heavy() noexcept {
  static const bool ready = membarrier_register();  // once per process
  if (ready) {
    constexpr int private_expedited = 1 << 3;
    if (syscall(__NR_membarrier, private_expedited, 0, 0) != 0) std::abort();  // registered: cannot fail
  }
}
#else
inline void membarrier_heavy() noexcept {}
#endif

}  // namespace detail

// Destructive-interference size used to separate producer- and consumer-
// written state. 128 covers the adjacent-line prefetcher on x86-64 and the
// 128-byte lines of some aarch64 parts. Override with -DNEXUS_CACHE_LINE=64.
#ifndef NEXUS_CACHE_LINE
#define NEXUS_CACHE_LINE 128
#endif
inline constexpr std::size_t cache_line = NEXUS_CACHE_LINE;

struct std_sync {
  static constexpr bool is_model = false;

  template <class T>
  using atomic = std::atomic<T>;

  // A non-atomic shared value. The type, not the instructions, says "this is
  // shared and ordered by the surrounding atomics".
  template <class T>
  class cell {
   public:
    cell() = default;
    constexpr explicit cell(T v) noexcept : v_(v) {}
    T load() const noexcept { return v_; }
    void store(T v) noexcept { v_ = v; }

   private:
    T v_;
  };

  // Uninitialised storage for one T (a union member: no code runs to create
  // an array of slots, and a trivially copyable T is read with one plain load).
  template <class T>
  class slot {
   public:
    slot() noexcept {}
    ~slot() {}
    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;

    // If T's constructor throws, the slot stays empty.
    template <class... Args>
    void construct(Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args&&...>) {
      std::construct_at(&value_, std::forward<Args>(args)...);
    }
    // Moves the value into the empty `out` (T's copy constructor for a
    // copy-only T), then destroys the slot's copy. If that constructor
    // throws, the slot still holds the value and `out` stays empty.
    void take_into(std::optional<T>& out) noexcept(std::is_move_constructible_v<T>
                                                       ? std::is_nothrow_move_constructible_v<T>
                                                       : std::is_nothrow_copy_constructible_v<T>) {
      if constexpr (std::is_move_constructible_v<T>)
        out.emplace(std::move(value_));
      else
        out.emplace(static_cast<const T&>(value_));
      std::destroy_at(&value_);
    }
    // Moves the value out and destroys the slot's copy (for a T whose move
    // cannot throw: the value would be lost).
    T take() noexcept {
      static_assert(std::is_nothrow_move_constructible_v<T>);
      T v(std::move(value_));
      std::destroy_at(&value_);
      return v;
    }
    // Hands the value to `f` as T&& (the batch pops: f moves it into the
    // caller's output), then destroys the slot's copy. If `f` throws, the
    // slot still holds the value, as `f` left it.
    template <class F>
    void take_with(F&& f) {
      std::forward<F>(f)(std::move(value_));
      std::destroy_at(&value_);
    }
    void destroy() noexcept { std::destroy_at(&value_); }

   private:
    union {
      T value_;
    };
  };

  // A zero-filled, word-aligned byte buffer with atomic access to the W-sized
  // words at W-aligned offsets (the in-band record headers of the byte rings).
  // Payload bytes are plain memory, ordered by the header word accesses.
  template <class W>
  class word_buffer {
    static_assert(std::is_unsigned_v<W> && std::atomic_ref<W>::is_always_lock_free);

   public:
    static constexpr std::size_t word = sizeof(W);
    // `bytes` must be a non-zero multiple of sizeof(W). Throws std::bad_alloc.
    explicit word_buffer(std::size_t bytes)
        : bytes_(bytes),
          data_(static_cast<unsigned char*>(::operator new(bytes, std::align_val_t{alignment}))) {
      std::memset(data_, 0, bytes);
    }
    ~word_buffer() { ::operator delete(data_, std::align_val_t{alignment}); }
    word_buffer(const word_buffer&) = delete;
    word_buffer& operator=(const word_buffer&) = delete;

    std::size_t size() const noexcept { return bytes_; }
    W load_word(std::size_t off, std::memory_order mo) const noexcept {
      return std::atomic_ref<W>(*word_at(off)).load(mo);
    }
    void store_word(std::size_t off, W v, std::memory_order mo) noexcept {
      std::atomic_ref<W>(*word_at(off)).store(v, mo);
    }
    void copy_in(std::size_t off, const void* src, std::size_t n) noexcept { std::memcpy(data_ + off, src, n); }
    void copy_out(std::size_t off, void* dst, std::size_t n) const noexcept { std::memcpy(dst, data_ + off, n); }
    // Runs of 8..64 bytes (the body of a short record: the logbuf consumer
    // frees one per record) are zeroed with two overlapping fixed-size
    // memsets, which the compiler inlines, instead of a memset call.
    void zero(std::size_t off, std::size_t n) noexcept {
      unsigned char* p = data_ + off;
      if (n < 8 || n > 64) {
        std::memset(p, 0, n);
      } else if (n <= 16) {
        std::memset(p, 0, 8);
        std::memset(p + n - 8, 0, 8);
      } else if (n <= 32) {
        std::memset(p, 0, 16);
        std::memset(p + n - 16, 0, 16);
      } else {
        std::memset(p, 0, 32);
        std::memset(p + n - 32, 0, 32);
      }
    }
    // Direct access for spans handed to users (production only).
    unsigned char* bytes(std::size_t off) noexcept { return data_ + off; }
    const unsigned char* bytes(std::size_t off) const noexcept { return data_ + off; }

   private:
    static constexpr std::size_t alignment = alignof(W) > 64 ? alignof(W) : 64;
    W* word_at(std::size_t off) const noexcept { return reinterpret_cast<W*>(data_ + off); }
    std::size_t bytes_;
    unsigned char* data_;
  };

  // Throws std::bad_alloc.
  static void* allocate(std::size_t bytes, std::size_t align) {
    return ::operator new(bytes, std::align_val_t{align});
  }
  static void deallocate(void* p, std::size_t bytes, std::size_t align) noexcept {
    (void)bytes;
    ::operator delete(p, std::align_val_t{align});
  }

  // The caller names the order and what it pairs with (e.g. waitset.hpp).
  static void fence(std::memory_order mo) noexcept { std::atomic_thread_fence(mo); }

  // The asymmetric pair (see the header comment). The caller names the
  // order and what it pairs with, as for fence(); together the two order at
  // least as two fences of that order would (with membarrier: fully).
  static void fence_light(std::memory_order mo) noexcept {
    if (detail::membarrier_on.load(std::memory_order_relaxed))  // relaxed: see membarrier_on
      std::atomic_signal_fence(mo);  // the compiler's half; the heavy side's membarrier is the CPU's
    else
      std::atomic_thread_fence(mo);  // the caller's order: pairs with the fence_heavy the caller names
  }
  static void fence_heavy(std::memory_order mo) noexcept {
    std::atomic_thread_fence(mo);  // the caller's order: pairs with the fence_light the caller names
    detail::membarrier_heavy();  // a full barrier on every running thread of the process
  }

  static void spin_pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#else
    // mutation-survives: a compiler-only barrier standing in for a CPU relax hint on other targets; it orders nothing between threads
    std::atomic_signal_fence(std::memory_order_seq_cst);
#endif
  }

  static void yield() noexcept { std::this_thread::yield(); }

  using futex_word = std::atomic<int>;
  using clock = std::chrono::steady_clock;

  static void futex_wait(futex_word& w, int expected) noexcept {
#if defined(__linux__)
    ::syscall(SYS_futex, reinterpret_cast<int*>(&w), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
#else
    w.wait(expected, std::memory_order_relaxed);  // relaxed: callers re-check under their own orders
#endif
  }

  // Returns false if the deadline had passed when it returned.
  static bool futex_wait_until(futex_word& w, int expected, clock::time_point deadline) noexcept {
    const auto now = clock::now();
    if (now >= deadline) return false;
#if defined(__linux__)
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - now).count();
    timespec ts{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    ::syscall(SYS_futex, reinterpret_cast<int*>(&w), FUTEX_WAIT_PRIVATE, expected, &ts, nullptr, 0);
#else
    (void)w;
    (void)expected;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
#endif
    return clock::now() < deadline;
  }

  static void futex_wake_one(futex_word& w) noexcept {
#if defined(__linux__)
    ::syscall(SYS_futex, reinterpret_cast<int*>(&w), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
#else
    w.notify_one();
#endif
  }
  static void futex_wake_all(futex_word& w) noexcept {
#if defined(__linux__)
    ::syscall(SYS_futex, reinterpret_cast<int*>(&w), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
#else
    w.notify_all();
#endif
  }

  static void verify([[maybe_unused]] bool ok, [[maybe_unused]] const char* what) noexcept {
#if defined(NEXUS_VERIFY)
    if (!ok) {
      std::fprintf(stderr, "nexus: internal invariant violated: %s\n", what);
      std::abort();
    }
#endif
  }
};

}  // namespace nexus
