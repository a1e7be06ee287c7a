// A hand-written std::atomic SPSC ring with the same layout and the same
// choices as nexus::queue::spsc (cached indices, out-of-line refresh, release
// publish / acquire observe), but no Sync policy, no slot wrapper and no
// orders traits. If the seam cost anything, cg_push/cg_pop would differ.
#include <atomic>
#include <cstdint>
#include <new>
#include <optional>

namespace hand {
struct shared {
  alignas(128) std::atomic<std::uint64_t> tail{0};
  alignas(128) std::atomic<std::uint64_t> head{0};
  alignas(128) std::atomic<std::uint32_t> handles{2};
  std::uint64_t* slots;
  std::uint64_t mask;
};
struct producer {
  int push(std::uint64_t v) noexcept;
  shared* s;
  std::uint64_t* slots;
  std::uint64_t mask;
  std::uint64_t tail;
  std::uint64_t cached_head;
  std::uint64_t bound;  // the most values held (mask + 1, or an exact request)
  [[gnu::noinline]] bool refresh_head(std::uint64_t t) noexcept {
    cached_head = s->head.load(std::memory_order_acquire);  // pairs with the release in pop
    return t - cached_head < bound;
  }
};
struct consumer {
  std::optional<std::uint64_t> pop() noexcept { return pop_value(); }
  std::optional<std::uint64_t> pop_value() noexcept;
  shared* s;
  std::uint64_t* slots;
  std::uint64_t mask;
  std::uint64_t head;
  std::uint64_t cached_tail;
  std::uint64_t bound;
  [[gnu::noinline]] bool refresh_tail(std::uint64_t h) noexcept {
    cached_tail = s->tail.load(std::memory_order_acquire);  // pairs with the release in push
    return h != cached_tail;
  }
  std::uint64_t take_front(std::uint64_t h) noexcept {
    const std::uint64_t v = slots[h & mask];
    s->head.store(h + 1, std::memory_order_release);  // pairs with the acquire in refresh_head
    head = h + 1;
    return v;
  }
};
}  // namespace hand

inline int hand::producer::push(std::uint64_t v) noexcept {
  const std::uint64_t t = tail;
  if (t - cached_head >= bound) [[unlikely]] {
    if (!refresh_head(t)) return 1;
  }
  slots[t & mask] = v;
  s->tail.store(t + 1, std::memory_order_release);  // pairs with the acquire in refresh_tail
  tail = t + 1;
  return 0;
}

inline std::optional<std::uint64_t> hand::consumer::pop_value() noexcept {
  const std::uint64_t h = head;
  if (h == cached_tail) [[unlikely]] {
    if (!refresh_tail(h)) return std::nullopt;
  }
  return std::optional<std::uint64_t>(take_front(h));
}

int cg_push(hand::producer& p, std::uint64_t v) { return p.push(v); }
std::optional<std::uint64_t> cg_pop(hand::consumer& c) { return c.pop(); }
