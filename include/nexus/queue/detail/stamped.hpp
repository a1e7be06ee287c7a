// nexus/queue/detail/stamped.hpp -- the stamped-slot core of the three
// Vyukov rings: queue::mpsc (producers claim), queue::spmc (consumers claim)
// and queue::mpmc (both). Each ring's header names its orders and states its
// contract; this is the one copy of the algorithm they instantiate.
//
// LAYOUT
//   stamped_shared<T, Sync, O, MP, MC>, freed by the last handle:
//     tail       own line, atomic: producers claim it by CAS (MP), or the
//                single producer mirrors its own index there after each push
//                (relaxed, for the other side's len(): SNAPSHOTS)
//     head       own line, atomic: consumers claim it by CAS (MC), or the
//                single consumer mirrors its own index there after each pop
//     producers, consumers  live handles of each side (atomic u32)
//     refs       all live handles; the last one frees the block
//     slots[cap] {atomic u64 seq; Sync::slot<T> value}
//   handles: their view {slots, mask, index}: the index is the side's own
//   tail or head when that side is single (no shared access on the fast
//   path), unused when the side claims.
//
// STAMPS (Vyukov's sequence numbers, doubled so that capacity 1 works; 64
// bits on every platform, F5). For index i in slot i & mask:
//   seq == 2i            writable for index i (lap i - cap was taken)
//   seq == 2i + 1        holds the value pushed at index i
//   seq == 2(i + cap)    taken: writable for index i + cap
//   Slot k starts at 2k. Indices stay below 2^62: stamps never wrap.
//
// BOUND
//   The ring holds at most `bound` values: its slot count from ring_buffer,
//   the exact request from ring_buffer_exact (the channels: at most n in
//   flight for channel(n)). When bound < slots, push checks pos - head <
//   bound (head read relaxed) before it claims pos: a claim at pos then
//   leaves at most pos + 1 - head <= bound values in flight, since head only
//   grows. A stale head errs toward full; one that a pop has moved before
//   this push (happens-before) is seen. The slots' reuse is still decided
//   by the stamps alone. `stamped_rules::bound_check` is false only in the
//   model twin (model: `bounded`, twin `bounded_no_check`).
//
// PROTOCOL
//   push: pos = tail (MP: claim_load; else the own index). seq = stamp
//     (see_free).
//     seq == 2pos: MP: CAS tail pos -> pos+1 (claim), retry on failure.
//       Construct the value; seq = 2pos+1 (publish).
//     seq <  2pos: the slot still holds lap pos - cap. MC: if the head is
//       already past pos - cap, a consumer has claimed that value and is
//       moving it out: wait for it (spin) and retry, so `full` is never
//       reported while that consumer's pop is under way. Otherwise
//       status::full.
//     seq >  2pos (MP): another producer took pos; reload the tail.
//   pop: pos = head (MC: take_load; else the own index). seq = stamp
//     (observe).
//     seq == 2pos+1: MC: CAS head pos -> pos+1 (take), retry on failure.
//       Move the value out; seq = 2(pos+cap) (free_slot).
//     seq <  2pos+1: not published for pos. MP: if the tail is already past
//       pos, a producer has claimed pos and is constructing its value: wait
//       for it and retry (F11: a pop that follows a completed push, its own
//       or any push that happens before it, never reports empty). Otherwise
//       empty.
//     seq >  2pos+1 (MC): another consumer took pos; reload the head.
//   The waits are for another thread's step between its CAS and its stamp
//   store, which is short and cannot fail: the rings construct a value that
//   may throw *before* claiming (EXCEPTIONS), so a claimed slot is always
//   published, and a taken one always freed.
//
// EXCEPTIONS
//   Every stamped ring moves values between a claimed slot and the caller,
//   so T's move constructor (a copy-only T's copy constructor) must not
//   throw: nothrow_relocatable, a static_assert with the reason.
//   MP: a push whose T constructor may throw (emplace with a throwing
//   constructor, push(const T&) with a throwing copy) builds the value in a
//   local first, then claims a slot and moves it in. A throw while building
//   leaves the ring untouched (on `full` the built value is destroyed: the
//   arguments are as that constructor left them). Single producer (spmc):
//   the value is built in the slot it owns, before the publish: a throw
//   leaves the ring untouched.
//   `stamped_rules` holds the two switches of this protocol, both true in
//   production; each is false only in a model driver's negative twin
//   (build_before_claim: the throwing constructor wedges the ring;
//   wait_for_claim: a pop reports empty although a value whose push
//   completed before it is in the ring).
//
// ATOMIC ACCESSES (each ring's `O` names them; the reasons are in its header)
//   claim_load / claim   tail load / CAS (MP)
//   take_load / take     head load / CAS (MC)
//   see_free / publish   stamp load / store in push
//   observe / free_slot  stamp load / store in pop
//   the other side's index, read before waiting on a claimed slot: relaxed.
//     A claim that happens before this pop (or a take that happens before
//     this push) is then seen by coherence; one that is not ordered before
//     it may be missed, and the verdict (empty, full) is then one the ring
//     had at that point. If it is seen, the wait ends when the stamp
//     (acquire) shows the slot published or freed.
//   cleanup loads in the last handle: relaxed (ordered by release_ref).
//   a single side's mirror store of its index, and both loads of len():
//     relaxed (SNAPSHOTS); they order nothing and pair with nothing.
//
// SNAPSHOTS (LEN)
//   len() on any handle: tail - head, head read first (relaxed), then tail
//   (relaxed), capped at capacity. It counts a push from its claim (a
//   value still being constructed is counted) and a pop until its take;
//   every push and pop that happens before the call is counted
//   (coherence), concurrent ones may or may not be, and since the two
//   loads are not one snapshot, operations between them can make the
//   result larger than the ring ever held at one instant (never above
//   capacity, never below 0: tail >= head at every instant). A single
//   side's own index is exact. is_empty(): len() == 0; is_full(): len() ==
//   capacity(). Exact when no other handle is operating.
//
// INVARIANTS
//   head <= tail <= head + bound <= head + slots; every index in [head, tail) is claimed
//   by exactly one producer and taken by at most one consumer; a claimed
//   index is published, a taken one freed, by the thread that claimed or
//   took it, with no step between that can fail; the last handle destroys
//   exactly the values whose stamp says "holds a value" in [head, tail).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <ranges>
#include <type_traits>
#include <utility>

#include "nexus/queue/detail/ring.hpp"
#include "nexus/result.hpp"
#include "nexus/sync/block.hpp"
#include "nexus/sync/std_sync.hpp"

namespace nexus::queue::detail {

// The protocol's switches (see EXCEPTIONS); each ring's orders inherit them.
struct stamped_rules {
  static constexpr bool build_before_claim = true;  // false only in a model twin
  static constexpr bool wait_for_claim = true;      // false only in a model twin
  static constexpr bool bound_check = true;         // false only in a model twin (BOUND)
};

// Aligned as its members make it: the stamp's 8 bytes and T's own
// alignment (Sync::slot<T> holds T in a union). An alignas(T) here was
// ill-formed for a T aligned to less than 8 (int, the notify queue's u32):
// clang rejects it, gcc ignored it.
template <class T, class Sync>
struct stamped_slot {
  typename Sync::template atomic<std::uint64_t> seq;
  typename Sync::template slot<T> value;
};

// What a handle keeps of the ring: the slot array, the mask and, for a
// single producer or consumer, its own index.
template <class Slot>
struct ring_view {
  Slot* slots;
  std::uint64_t mask;
  std::uint64_t index;
  std::uint64_t bound;  // stamped_shared::bound (BOUND)
};

template <class Sync>
using index_word = typename Sync::template atomic<std::uint64_t>;

// The largest capacity of a stamped ring of T: 2^62 (stamps stay far from
// wrapping), less if the slot array would not be addressable.
template <class T, class Sync>
constexpr std::uint64_t stamped_max_capacity() noexcept {
  return max_slots<stamped_slot<T, Sync>>(std::uint64_t{1} << 62);
}

template <class T, class Sync, class O, bool MP, bool MC>
struct stamped_shared {
  static_assert(storable<T>, "a ring's T must be destructible and move- or copy-constructible");
  static_assert(!MP || nothrow_relocatable<T>,
                "queue::mpsc and queue::mpmc need a T whose move constructor (for a copy-only T: copy "
                "constructor) is noexcept: a producer moves the value into a slot it has already claimed "
                "from the other producers, and a throw there would leave that slot claimed for ever");
  static_assert(!MC || nothrow_relocatable<T>,
                "queue::spmc and queue::mpmc need a T whose move constructor (for a copy-only T: copy "
                "constructor) is noexcept: a consumer moves the value out of a slot it has already "
                "claimed from the other consumers, and a throw there would lose the value");

  using slot_t = stamped_slot<T, Sync>;
  using view = ring_view<slot_t>;

  alignas(cache_line) index_word<Sync> tail{0};
  alignas(cache_line) index_word<Sync> head{0};
  alignas(cache_line) typename Sync::template atomic<std::uint32_t> producers{1};
  typename Sync::template atomic<std::uint32_t> consumers{1};
  typename Sync::template atomic<std::uint32_t> refs{2};
  slot_t* slots;
  std::uint64_t mask;
  std::uint64_t bound;  // the most values it holds (BOUND)

  stamped_shared(std::uint64_t capacity, std::uint64_t limit)
      : slots(new_slots<Sync, slot_t>(capacity)), mask(capacity - 1), bound(limit) {
    // Relaxed: the block reaches other threads through the handles' transfer.
    for (std::uint64_t i = 0; i < capacity; ++i) slots[i].seq.store(2 * i, std::memory_order_relaxed);
  }
  ~stamped_shared() {
    const std::uint64_t t = index_of(tail), h = index_of(head);
    for (std::uint64_t i = h; i != t; ++i) {
      slot_t& s = slots[i & mask];
      if (s.seq.load(std::memory_order_relaxed) == 2 * i + 1) s.value.destroy();  // relaxed: see cleanup
    }
    delete_slots<Sync>(slots, mask + 1);
  }
  static void release(stamped_shared* s) noexcept {
    nexus::detail::release_ref<Sync, O::release_ref>(s, s->refs);  // acq_rel: the last handle sees every stamp
  }
  view make_view() const noexcept { return view{slots, mask, 0, bound}; }

  // status::ok, or status::full with the arguments untouched (see
  // EXCEPTIONS for a constructor that may throw).
  template <class... Args>
  status push(view& v, Args&&... args) {
    if constexpr (MP && O::build_before_claim && !std::is_nothrow_constructible_v<T, Args&&...>) {
      T built(std::forward<Args>(args)...);  // a throw here leaves the ring untouched
      return place(v, relocate(built));
    } else {
      return place(v, std::forward<Args>(args)...);
    }
  }

  // Moves the oldest published value into the empty `out`; false if none.
  bool pop(view& v, std::optional<T>& out) noexcept(nothrow_relocatable<T>) {
    return pop_with(v, [&out](typename Sync::template slot<T>& value) { value.take_into(out); });
  }
  // As pop, handing the slot's value to `hand` (take_into, or take_with in
  // the batch pop). A throwing hand-over is allowed only with a single
  // consumer (no take CAS has happened then: the value stays at the head).
  template <class Hand>
  bool pop_with(view& v, Hand&& hand) {
    std::uint64_t pos = MC ? take_load() : v.index;
    for (;;) {
      slot_t& s = v.slots[pos & v.mask];
      auto d = static_cast<std::int64_t>(s.seq.load(O::observe) - (2 * pos + 1));  // acquire: pairs with publish
      if (d < 0) {
        if (!claimed_past(pos)) return false;  // empty
        d = wait_for<O::observe>(s, 2 * pos + 1);  // a producer claimed pos: wait for its publish (F11)
      }
      if (d == 0) {
        if constexpr (MC) {
          // acq_rel (failure: acquire): pairs with take_load and other takes.
          if (!head.compare_exchange_weak(pos, pos + 1, O::take)) {
            Sync::spin_pause();  // another consumer won (or a spurious failure); pos was reloaded
            continue;
          }
        }
        hand(s.value);  // nothrow under MC (see the static_asserts and pop_n); else a throw leaves it at the head
        s.seq.store(2 * (pos + v.mask + 1), O::free_slot);  // release: pairs with see_free in push
        if constexpr (!MC) {
          v.index = pos + 1;
          // relaxed: the mirror for len() (SNAPSHOTS) and for the producers'
          // bound check (BOUND: a stale value errs toward full); pairs with nothing.
          head.store(pos + 1, std::memory_order_relaxed);
        }
        return true;
      }
      if constexpr (MC) {
        Sync::spin_pause();  // another consumer took pos
        pos = take_load();
      } else {
        Sync::verify(false, "stamped ring: a stamp ahead of the single consumer's head");
        return false;
      }
    }
  }

  // Destroys, in place, every published value from the head on (the last
  // consumer leaving: values nobody can receive any more go now, not with
  // the block). It stops at the first slot not published: a value still
  // being pushed is destroyed by the last handle.
  void drain(view& v) noexcept {
    std::uint64_t pos = MC ? take_load() : v.index;
    for (;; ++pos) {
      slot_t& s = v.slots[pos & v.mask];
      if (s.seq.load(O::observe) != 2 * pos + 1) break;  // acquire: pairs with publish in push
      s.value.destroy();
      s.seq.store(2 * (pos + v.mask + 1), O::free_slot);  // release: pairs with see_free in push
    }
    if constexpr (!MC) v.index = pos;
    head.store(pos, std::memory_order_relaxed);  // relaxed: no consumer is left; the cleanup is ordered by release_ref
  }

  // Values in the ring (SNAPSHOTS).
  std::uint64_t len() const noexcept {
    const std::uint64_t h = head.load(std::memory_order_relaxed);  // relaxed: a snapshot (SNAPSHOTS); pairs with nothing
    const std::uint64_t t = tail.load(std::memory_order_relaxed);  // relaxed: as above; read after h, so t >= h
    return t - h < bound ? t - h : bound;
  }

 private:
  static std::uint64_t index_of(const index_word<Sync>& w) noexcept {
    return w.load(std::memory_order_relaxed);  // relaxed: ordered by release_ref (cleanup)
  }

  std::uint64_t claim_load() const noexcept {
    if constexpr (MP) return tail.load(O::claim_load);  // acquire: pairs with other producers' claim
    else return 0;
  }
  std::uint64_t take_load() const noexcept {
    if constexpr (MC) return head.load(O::take_load);  // acquire: pairs with other consumers' take
    else return 0;
  }
  // Spins until the stamp of `s` reaches `want` (the publish, or the free,
  // of the thread that claimed or took the slot), watching the stamp only
  // (`Order`: observe or see_free, the acquire of the access it waits for);
  // returns how far past `want` it is then (0, or more: taken again since).
  template <std::memory_order Order>
  static std::int64_t wait_for(slot_t& s, std::uint64_t want) noexcept {
    std::int64_t d;
    do {
      Sync::spin_pause();
      d = static_cast<std::int64_t>(s.seq.load(Order) - want);  // acquire: as the caller's first load
    } while (d < 0);
    return d;
  }
  // The other side has moved its shared index `w` past `pos`: a producer
  // claimed pos (w = tail) but may not have published it yet, or a consumer
  // took it (w = head) but may not have freed its slot yet. False when that
  // side keeps its index in its handle (it never claims), or in the twin.
  // relaxed: see ATOMIC ACCESSES (a claim or take ordered before this call
  // is seen by coherence).
  template <bool Claims, class Word>
  static bool moved_past(const Word& w, std::uint64_t pos) noexcept {
    if constexpr (Claims)
      // relaxed: pairs with nothing; coherence alone orders it after a claim
      // or take (the other side's CAS) that happens before this call (F11).
      return O::wait_for_claim && static_cast<std::int64_t>(w.load(std::memory_order_relaxed) - pos) > 0;
    else
      return false;
  }
  bool claimed_past(std::uint64_t pos) const noexcept { return moved_past<MP>(tail, pos); }
  // BOUND: index pos would make more than `bound` values in flight. relaxed:
  // the bound only (the slot's reuse is the stamps' see_free / free_slot);
  // head only grows, so a stale head errs toward full, and a pop that
  // happens before this push is seen (coherence).
  bool at_bound(std::uint64_t pos, std::uint64_t b) const noexcept {
    return pos - head.load(std::memory_order_relaxed) >= b;  // relaxed: see above
  }
  bool taken_past(std::uint64_t pos) const noexcept { return moved_past<MC>(head, pos); }

  template <class... Args>
  status place(view& v, Args&&... args) {
    std::uint64_t pos = MP ? claim_load() : v.index;
    for (;;) {
      if (v.bound <= v.mask && O::bound_check && at_bound(pos, v.bound)) return status::full;  // BOUND
      slot_t& s = v.slots[pos & v.mask];
      auto d = static_cast<std::int64_t>(s.seq.load(O::see_free) - 2 * pos);  // acquire: pairs with free_slot
      if (d < 0) {
        if (!taken_past(pos - (v.mask + 1))) return status::full;
        d = wait_for<O::see_free>(s, 2 * pos);  // a consumer took lap pos - cap: wait for its free
      }
      if (d == 0) {
        if constexpr (MP) {
          // acq_rel (failure: acquire): pairs with claim_load and other claims.
          if (!tail.compare_exchange_weak(pos, pos + 1, O::claim)) {
            Sync::spin_pause();  // lost the race (or a spurious failure); pos was reloaded
            continue;
          }
        }
        s.value.construct(std::forward<Args>(args)...);  // single producer: a throw publishes nothing
        s.seq.store(2 * pos + 1, O::publish);           // release: pairs with observe in pop
        if constexpr (!MP) {
          v.index = pos + 1;
          tail.store(pos + 1, std::memory_order_relaxed);  // relaxed: the mirror for len() (SNAPSHOTS); pairs with nothing
        }
        return status::ok;
      }
      if constexpr (MP) {
        Sync::spin_pause();  // another producer took pos
        pos = claim_load();
      } else {
        Sync::verify(false, "stamped ring: a stamp ahead of the single producer's tail");
        return status::full;
      }
    }
  }
};

// The two kinds of handle of a stamped ring. A side that claims (MP
// producers, MC consumers) can be cloned.
template <class T, class Sync, class O, bool MP, bool MC>
class stamped_producer;
template <class T, class Sync, class O, bool MP, bool MC>
class stamped_consumer;

template <class T, class Sync, class O, bool MP, bool MC>
using stamped_endpoints =
    nexus::detail::endpoints<stamped_producer<T, Sync, O, MP, MC>, stamped_consumer<T, Sync, O, MP, MC>>;

template <class T, class Sync, class O, bool MP, bool MC>
result<stamped_endpoints<T, Sync, O, MP, MC>> make_stamped(std::uint64_t capacity, bool exact = false) {
  return make_ring<stamped_endpoints<T, Sync, O, MP, MC>, stamped_shared<T, Sync, O, MP, MC>, Sync>(
      capacity, stamped_max_capacity<T, Sync>(), exact);
}

// Leaving: a single producer stores its tail for the cleanup; the count
// drop (leave) publishes this side's pushes to the consumers' see_leave.
template <class T, class Sync, class O, bool MP, bool MC>
struct producer_side {
  using shared_t = stamped_shared<T, Sync, O, MP, MC>;
  static void leave(shared_t& s, typename shared_t::view& v) noexcept {
    if constexpr (!MP) s.tail.store(v.index, std::memory_order_relaxed);  // relaxed: for the cleanup; ordered by leave / release_ref
    s.producers.fetch_sub(1, O::leave);       // release: pairs with see_leave in the consumers
  }
};
// Leaving: the last consumer destroys what is left (drain); a single one
// also stores its head for the cleanup of values pushed after it.
template <class T, class Sync, class O, bool MP, bool MC>
struct consumer_side {
  using shared_t = stamped_shared<T, Sync, O, MP, MC>;
  static void leave(shared_t& s, typename shared_t::view& v) noexcept {
    if constexpr (!MC) {
      s.drain(v);
      s.head.store(v.index, std::memory_order_relaxed);  // relaxed: for the cleanup; ordered by leave / release_ref
      s.consumers.fetch_sub(1, O::leave);   // release: pairs with see_leave in the producers
    } else if (s.consumers.fetch_sub(1, O::leave) == 1) {  // release: pairs with see_leave
      s.drain(v);
    }
  }
};

template <class T, class Sync, class O, bool MP, bool MC, template <class, class, class, bool, bool> class Side>
using stamped_handle =
    nexus::detail::handle<stamped_shared<T, Sync, O, MP, MC>, typename stamped_shared<T, Sync, O, MP, MC>::view,
                          Side<T, Sync, O, MP, MC>>;

// What both kinds of handle share: the construction from the block,
// capacity(), is_disconnected() (the peer side's count `Peer` at 0), and
// clone() for the side that claims (join on `Count`, this side's count).
template <class T, class Sync, class O, bool MP, bool MC, template <class, class, class, bool, bool> class Side,
          class Self, auto Count, auto Peer, bool Clonable>
class stamped_end : public stamped_handle<T, Sync, O, MP, MC, Side> {
 public:
  // internal: from the factory
  explicit stamped_end(stamped_shared<T, Sync, O, MP, MC>* s) noexcept : stamped_end::handle(s, s->make_view()) {}
  // The most values the ring holds: its slots, or ring_buffer_exact's
  // request (BOUND).
  std::uint64_t capacity() const noexcept { return this->l_.bound; }
  // Values in the ring, a snapshot (SNAPSHOTS). Precondition: valid().
  std::uint64_t len() const noexcept { return this->s_->len(); }
  bool is_empty() const noexcept { return len() == 0; }
  bool is_full() const noexcept { return len() == capacity(); }

  // True once every handle of the peer side is gone (F4: seen by every
  // producer). A consumer that sees it also sees every push (acquire, F3):
  // "disconnected and pop() empty" means done. Pushes still succeed until
  // the ring is full.
  bool is_disconnected() const noexcept {
    return this->s_ == nullptr || (this->s_->*Peer).load(O::see_leave) == 0;  // acquire: pairs with leave
  }

  // Another handle of this side on the same ring (a side that claims).
  // Precondition: valid().
  Self clone() const noexcept
    requires Clonable
  {
    return Self(nexus::detail::join(this->s_->*Count, this->s_));
  }
};

// The two ends' bases: each side's count, the peer's, and who clones.
template <class T, class Sync, class O, bool MP, bool MC>
using producer_end = stamped_end<T, Sync, O, MP, MC, producer_side, stamped_producer<T, Sync, O, MP, MC>,
                                 &stamped_shared<T, Sync, O, MP, MC>::producers,
                                 &stamped_shared<T, Sync, O, MP, MC>::consumers, MP>;
template <class T, class Sync, class O, bool MP, bool MC>
using consumer_end = stamped_end<T, Sync, O, MP, MC, consumer_side, stamped_consumer<T, Sync, O, MP, MC>,
                                 &stamped_shared<T, Sync, O, MP, MC>::consumers,
                                 &stamped_shared<T, Sync, O, MP, MC>::producers, MC>;

// Aligned to a cache line when the handle writes its own index on every
// call (a single producer): it must not share a line with its peer.
template <class T, class Sync, class O, bool MP, bool MC>
class alignas(MP ? alignof(void*) : cache_line) stamped_producer : public producer_end<T, Sync, O, MP, MC> {
 public:
  using stamped_producer::stamped_end::stamped_end;

  [[nodiscard]] status push(T&& v) noexcept(nothrow_relocatable<T>) {
    return this->s_->push(this->l_, relocate(v));
  }
  [[nodiscard]] status push(const T& v) noexcept(std::is_nothrow_copy_constructible_v<T>) {
    return this->s_->push(this->l_, v);
  }
  template <class... Args>
  [[nodiscard]] status emplace(Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args&&...>) {
    return this->s_->push(this->l_, std::forward<Args>(args)...);
  }

  // Pushes the values of [first, last) in order while there is room: how
  // many it pushed. Each slot carries its own stamp, so this is a loop of
  // emplace(*it), each with its own publish (no single publication exists
  // for stamped slots); a throw is emplace's guarantee at that value, the
  // values before it pushed.
  template <std::input_iterator It, std::sentinel_for<It> S>
    requires std::constructible_from<T, std::iter_reference_t<It>>
  std::size_t push_n(It first, S last) {
    std::size_t n = 0;
    for (; first != last; ++first, ++n)
      if (this->s_->push(this->l_, *first) != status::ok) break;
    return n;
  }
  template <std::ranges::input_range R>
    requires std::constructible_from<T, std::ranges::range_reference_t<R>>
  std::size_t push_n(R&& r) {
    return push_n(std::ranges::begin(r), std::ranges::end(r));
  }
};

// Aligned to a cache line when the handle writes its own index (a single
// consumer).
template <class T, class Sync, class O, bool MP, bool MC>
class alignas(MC ? alignof(void*) : cache_line) stamped_consumer : public consumer_end<T, Sync, O, MP, MC> {
 public:
  using stamped_consumer::stamped_end::stamped_end;

  // The oldest value, or nullopt when the ring holds none (never while a
  // value whose push completed before this pop is in it).
  [[nodiscard]] std::optional<T> pop() noexcept(nothrow_relocatable<T>) {
    std::optional<T> out;  // the only object returned: no move of T after the take
    this->s_->pop(this->l_, out);
    return out;
  }
  // As pop, into the empty `out` (no move of T after the take; T need not
  // be assignable): true if a value was taken.
  bool pop_into(std::optional<T>& out) noexcept(nothrow_relocatable<T>) { return this->s_->pop(this->l_, out); }

  // Takes up to `max` values, oldest first, assigning each to *out++: how
  // many it took (a loop of pops: each slot is freed by its own stamp). A
  // single consumer hands each value over in place, so a throwing
  // assignment leaves that value at the head (the ones before it taken).
  // With claiming consumers (spmc, mpmc) the slot is already claimed when
  // the value is handed over, so the assignment must not throw.
  template <std::output_iterator<T&&> Out>
  std::size_t pop_n(Out out, std::size_t max) {
    static_assert(!MC || std::is_nothrow_assignable_v<std::iter_reference_t<Out>, T&&>,
                  "queue::spmc and queue::mpmc pop_n need an output whose assignment from T&& is noexcept "
                  "(an array or span of T): the value is handed over inside a slot already claimed from "
                  "the other consumers, and a throw there would lose it");
    std::size_t n = 0;
    for (; n < max; ++n, ++out)
      if (!this->s_->pop_with(this->l_, [&out](typename Sync::template slot<T>& value) {
            value.take_with([&out](T&& v) { *out = std::move(v); });
          }))
        break;
    return n;
  }
};

}  // namespace nexus::queue::detail
