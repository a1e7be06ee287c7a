// nexus/channel/channel.hpp -- blocking bounded channels of T: SPSC
// (`channel`), MPSC (`mpsc_channel`, cloneable senders) and MPMC
// (`mpmc_channel`, cloneable senders and receivers for worker pools, no
// mutex), on the lock-free rings of nexus/queue.
//
// LAYOUT
//   the ring's producer handle in each sender, its consumer handle in each
//   receiver; a channel block (freed by the last handle): refs, senders,
//   receivers, and two waitsets (event counts, own cache lines): not_empty
//   (receivers sleep there) and not_full (senders sleep there).
//
// PROTOCOL
//   send(v): attempt = { receivers == 0 (see_leave) -> disconnected, v kept;
//     push: ok -> not_empty.notify_one(); full -> retry }. Try once, then
//     `spins` backoff snoozes with an attempt after each, then the park loop:
//     key = not_full.prepare(); attempt (the re-check); wait(key); cancel;
//     attempt. recv() is the mirror (pop; on empty, senders == 0 ->
//     pop once more (F1) -> disconnected). Deadlines are checked before each
//     snooze and bound each wait; a past deadline still makes one attempt, so
//     a drained, disconnected channel reports disconnected, not timeout (F8).
//   The fast path makes no syscall: notify_one only wakes when the waitset
//   says someone may sleep (waitset.hpp: the seq_cst fence handshake, F2).
//   Dropping the last sender: release its ring handle, senders -= 1 (leave),
//   not_empty.notify_all() (H1: the woken receiver sees the count at 0).
//   The waits are sync/blocking.hpp's block_on on the two waitsets.
//
// ORPHANS (values nobody can receive any more are destroyed when the last
//   receiver goes, as in std and crossbeam). The last receiver: receivers
//   -> 0 (leave), fence(seq_cst) [drain_fence], then under the orphan lock
//   it keeps its ring handle in the block (`orphans`) and pops and destroys
//   everything there. A sender, after a successful push and its notify
//   (whose seq_cst notify_fence comes first), reads receivers; if 0, it
//   takes the orphan lock and drains through the kept handle. Store
//   buffering again: "push, fence, read receivers" against "receivers = 0,
//   fence, pop": either the receiver's drain sees the push or the sender
//   sees the count at 0 and drains itself, so no value outlives the last
//   receiver by more than its sender's send call. The lock (drain_lock /
//   drain_unlock) makes the kept handle single-threaded. Model driver:
//   model/channel_orphans (twins: no re-check, each fence weakened, the
//   lock relaxed).
//   The one race this leaves: a send whose disconnect check comes before
//   the last receiver's leave and whose push comes after that receiver's
//   drain can use a slot the drain freed, so it returns ok even when the
//   channel was full at the drop; its value is destroyed as an orphan at
//   once, as if sent just before the drop. A send that starts after the
//   leave is visible returns disconnected. (crossbeam avoids the window by
//   marking the ring's tail index itself; our rings keep the count apart.)
//   Tests: tests/unit/drop_test.cpp, tests/stress/channel_stress.cpp.
//
// RENDEZVOUS (capacity 0: std's sync_channel(0), crossbeam's bounded(0))
//   A send completes only when a receiver takes the value. The block holds
//   one offer slot: a state word (rv_empty -> rv_claimed -> rv_offered ->
//   rv_taking -> rv_taken -> rv_empty) and a pointer to the offering
//   sender's own argument, so the value moves once, from the sender's
//   argument straight into the receiver's result; the ring (one slot) stays
//   empty. send(v): block_on(not_full) until rv_claim (CAS empty ->
//   claimed; receivers == 0 -> disconnected); rv_offer (pointer, then
//   offered, not_empty.notify_one()); block_on(taken) until rv_settled
//   (taken -> ok; receivers == 0 -> disconnected); then rv_finish: if not
//   taken (a deadline, a disconnect), CAS offered -> claimed takes the offer
//   back (v untouched: timeout / disconnected); if a receiver is moving it
//   out (taking), wait for that one move (ok) or its throw (the offer is
//   back: retract again); then empty, not_full.notify_one(). A receive:
//   CAS offered -> taking, move *v into the result, taken (or, if the move
//   throws, offered again and the exception propagates), taken.notify_one().
//   try_recv takes an offer that is there (a sender blocked in send);
//   try_send offers only while some receiver is in a blocking call
//   (rx_waiting, counted from the call's start to its end) and takes the
//   value back as soon as none is (full). Disconnect: the last receiver's
//   leave wakes the offering sender (taken.notify_all), which takes its
//   value back; no offer outlives its send call, so there are no orphans
//   and a receiver that finds no offer with every sender gone reports
//   disconnected. capacity() and len() are 0; is_empty() and is_full() are
//   true. Each wait is block_on's, so F2 holds as for the rings: "state =
//   offered, notify_fence, load waiters" / "waiters += 1, prepare_fence,
//   CAS the state" (and the same for taken / rx_waiting on `taken`).
//   Spec: spec/Rendezvous.tla; Relacy: model/channel_rendezvous.
//
// EXCEPTIONS AND DEADLINES
//   send(T&&) / send(const T&) / send_until / send_timeout / try_send: a
//   value that is not sent (full, timeout, disconnected) is untouched (the
//   const& forms copy it first: a throwing copy throws before anything is
//   sent). If T's constructor throws inside the ring, the ring's guarantee
//   holds (queue/*.hpp: unchanged, never wedged). recv / recv_until /
//   recv_timeout / try_recv move the value out of the ring straight into
//   the result (no further move), so for `channel` (SPSC) a throwing move
//   leaves it at the head; mpsc_channel and mpmc_channel need a noexcept
//   move (their rings' static_assert). T need not be assignable or
//   default-constructible.
//   Timed calls take any duration: zero or negative attempts once; one
//   whose deadline the clock cannot represent (nanoseconds::max(),
//   hours::max()) waits for ever; a time_point::max() deadline too.
//
// ATOMIC ACCESSES (named orders: `channel_orders`; the waitsets' in
//   waitset.hpp, the rings' in queue/*.hpp)
//   leave       senders/receivers RMW in ~handle  release: pairs with
//                                                 see_leave; the last push
//                                                 happens before the count
//                                                 drops.
//   see_leave   count load in an attempt          acquire: pairs with leave,
//                                                 so the final pop sees every
//                                                 push (F1).
//   join        clone increments                  relaxed: the caller holds a
//                                                 reference.
//   release_ref refs RMW in ~handle               acq_rel: the last handle
//                                                 frees the block.
//   drain_fence fence after the last receiver's   seq_cst: pairs with the
//               leave                             waitset's notify_fence in
//                                                 the sender's attempt, which
//                                                 precedes its relaxed read of
//                                                 receivers (ORPHANS). Heavy,
//                                                 as that notify_fence is light
//                                                 (std_sync.hpp fence_heavy).
//   drain_lock  orphan lock exchange              acquire: pairs with
//                                                 drain_unlock.
//   drain_unlock orphan lock release store        release: pairs with
//                                                 drain_lock; one drainer's
//                                                 pops before the next's.
//   rv_claim    CAS empty -> claimed (a sender)   acquire: pairs with rv_free:
//                                                 the last handoff's read of
//                                                 the pointer comes before
//                                                 this owner's write.
//   rv_free     state = empty (the owner)         release: pairs with
//                                                 rv_claim.
//   rv_offer    state = offered, after the        release: pairs with
//               pointer                           rv_take.
//   rv_take     CAS offered -> taking (a          acquire: pairs with
//               receiver)                         rv_offer (the pointer and
//                                                 the value) and rv_untake.
//   rv_hand     state = taken, after the move     release: pairs with
//                                                 rv_see_taken.
//   rv_see_taken the owner's loads of the state   acquire: pairs with
//                                                 rv_hand, so the move from
//                                                 the sender's argument
//                                                 happens before send
//                                                 returns.
//   rv_retract  CAS offered -> claimed (the       acquire: pairs with
//               owner takes its value back)       rv_untake (a throwing
//                                                 move's writes to the
//                                                 value come first).
//   rv_untake   state = offered again (a          release: pairs with
//               receiver's move threw)            rv_retract and rv_take.
//   rx_waiting  increments, decrements, loads     relaxed: a try_send that
//                                                 misses a receiver returns
//                                                 full as if before it; the
//                                                 owner's re-check is
//                                                 ordered by the `taken`
//                                                 waitset's fences (F2).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <type_traits>
#include <utility>

#include "nexus/queue/mpmc.hpp"
#include "nexus/queue/mpsc.hpp"
#include "nexus/queue/spsc.hpp"
#include "nexus/result.hpp"
#include "nexus/sync/block.hpp"
#include "nexus/sync/blocking.hpp"
#include "nexus/sync/ends.hpp"
#include "nexus/sync/waitset.hpp"

namespace nexus::channel {

// This algorithm's named orders, here and nowhere else: the twins and the
// mutation audit weaken them one at a time, in this algorithm only. Other
// components' orders have the same shape; sharing them would weaken two at
// once (a deliberate repetition: issue 18).
struct channel_orders {
  // mutation-survives: every push or pop that can precede a leave is followed by a waitset notify whose seq_cst fence is also a release fence, so a relaxed count drop is already ordered after it (model/channel_park last_item passes with leave relaxed); release is kept as the explicit pairing for see_leave (free on x86: the RMW is locked)
  static constexpr std::memory_order leave = std::memory_order_release;        // pairs with see_leave
  static constexpr std::memory_order see_leave = std::memory_order_acquire;    // pairs with leave
  // mutation-survives: the acquire half orders the peer handle's last accesses to this block (atomics only) before its destruction, the shared_ptr pattern; relacy does not model a free as racing with earlier atomic accesses, so no driver can fail (the rings' release_ref, whose blocks hold plain state, is killed)
  static constexpr std::memory_order release_ref = std::memory_order_acq_rel;  // pairs with itself
  static constexpr std::memory_order drain_fence = std::memory_order_seq_cst;  // pairs with the sender's notify_fence
  static constexpr std::memory_order drain_lock = std::memory_order_acquire;   // pairs with drain_unlock
  static constexpr std::memory_order drain_unlock = std::memory_order_release; // pairs with drain_lock
  static constexpr bool sender_drains = true;  // false only in the model's negative twin
  // RENDEZVOUS (capacity 0): the offer slot's state word and its pointer cell.
  static constexpr std::memory_order rv_claim = std::memory_order_acquire;      // pairs with rv_free
  static constexpr std::memory_order rv_free = std::memory_order_release;       // pairs with rv_claim
  static constexpr std::memory_order rv_offer = std::memory_order_release;      // pairs with rv_take
  static constexpr std::memory_order rv_take = std::memory_order_acquire;       // pairs with rv_offer, rv_untake
  static constexpr std::memory_order rv_hand = std::memory_order_release;       // pairs with rv_see_taken
  // mutation-survives: the model cannot fail it: the owner's rv_free is followed by not_full.notify_one(), whose notify_fence the model runs as a full seq_cst fence (relacy_sync.hpp fence_light), which upgrades this relaxed load to an acquire before send returns; in production that fence is a compiler barrier once membarrier is on (std_sync.hpp), so nothing else orders the receiver's move from the argument before the caller reuses it
  static constexpr std::memory_order rv_see_taken = std::memory_order_acquire;  // pairs with rv_hand
  // mutation-survives: as rv_see_taken: the notify_fence of rv_finish's not_full.notify_one() comes between this CAS and the caller's next access to its value, and the model runs it as a full fence; in production (membarrier on) it is a compiler barrier
  static constexpr std::memory_order rv_retract = std::memory_order_acquire;    // pairs with rv_untake
  static constexpr std::memory_order rv_untake = std::memory_order_release;     // pairs with rv_retract, rv_take
  static constexpr bool rv_owner_waits = true;  // false only in the model's negative twin
  static constexpr bool rv_done_wakes = true;   // false only in the model's negative twin
};

template <class T, class Kind, class Sync = std_sync, class CO = channel_orders, class WO = waitset_orders>
class sender;
template <class T, class Kind, class Sync = std_sync, class CO = channel_orders, class WO = waitset_orders>
class receiver;

// The outcome of a receive: status::ok with the value, or the reason there
// is none (empty, timeout, disconnected).
template <class T>
class [[nodiscard]] recv_result {
 public:
  recv_result(status s) noexcept : st_(s) {}  // NOLINT: implicit by design
  recv_result(T&& v) : st_(status::ok), v_(std::move(v)) {}  // NOLINT
  status code() const noexcept { return st_; }
  explicit operator bool() const noexcept { return st_ == status::ok; }
  T& operator*() & noexcept { return *v_; }
  T&& operator*() && noexcept { return std::move(*v_); }
  T* operator->() noexcept { return &*v_; }
  std::optional<T>& value() & noexcept { return v_; }

 private:
  template <class, class, class, class, class>
  friend class receiver;
  status st_;
  std::optional<T> v_;
};

// The outcome of a batch receive: how many values, and ok or why none
// (nexus/result.hpp).
using nexus::many_result;

// Which ring a channel runs on, and which sides may be cloned. Each is the
// ring's exact form (ring_buffer_exact): channel(n) holds at most n values,
// for every n >= 1, as std's sync_channel(n) and crossbeam's bounded(n);
// the slots are still the power of two at or above n, and capacity() is n.
namespace kind {
struct spsc {
  static constexpr bool clone_senders = false, clone_receivers = false;
  template <class T, class Sync>
  static auto make(std::uint64_t cap) { return queue::spsc::ring_buffer_exact<T, Sync>(cap); }
};
struct mpsc {
  static constexpr bool clone_senders = true, clone_receivers = false;
  template <class T, class Sync>
  static auto make(std::uint64_t cap) { return queue::mpsc::ring_buffer_exact<T, Sync>(cap); }
};
struct mpmc {
  static constexpr bool clone_senders = true, clone_receivers = true;
  template <class T, class Sync>
  static auto make(std::uint64_t cap) { return queue::mpmc::ring_buffer_exact<T, Sync>(cap); }
};
}  // namespace kind

namespace detail {

template <class T, class Kind, class Sync>
using ring_endpoints = std::remove_reference_t<decltype(*Kind::template make<T, Sync>(1))>;

// The rendezvous slot's states (RENDEZVOUS).
inline constexpr std::uint32_t rv_empty = 0, rv_claimed = 1, rv_offered = 2, rv_taking = 3, rv_taken = 4;

template <class T, class Kind, class Sync, class CO, class WO>
struct block : nexus::detail::end_counts<Sync> {
  using rx_ring = typename ring_endpoints<T, Kind, Sync>::consumer_type;

  bool rendezvous = false;  // capacity 0 (RENDEZVOUS); set before any handle exists, read-only after
  alignas(cache_line) waitset<Sync, WO> not_empty;  // receivers sleep here
  alignas(cache_line) waitset<Sync, WO> not_full;   // senders sleep here
  alignas(cache_line) typename Sync::template atomic<bool> draining{false};  // the orphan lock
  std::optional<rx_ring> orphans;  // the last receiver's ring handle (ORPHANS), under the lock
  // Drains so far, under the lock: a plain count whose only reader is the
  // next drainer (under the model a cell, so an unordered drain is a DATA RACE).
  typename Sync::template cell<std::uint32_t> drains{0};

  // RENDEZVOUS: the offer slot (its state: rv_empty, rv_claimed, ...), the
  // offering sender's value (a pointer to its argument), the receivers now
  // in a blocking call, and where the offering sender sleeps.
  alignas(cache_line) typename Sync::template atomic<std::uint32_t> offer_state{rv_empty};
  typename Sync::template cell<T*> offered{nullptr};  // written while claimed, read while taking
  typename Sync::template atomic<std::uint32_t> rx_waiting{0};
  alignas(cache_line) waitset<Sync, WO> taken;  // the offering sender sleeps here

  static void release(block* b) noexcept {
    nexus::detail::release_ref<Sync, CO::release_ref>(b, b->refs);  // acq_rel: the last handle frees
  }

  // The last receiver's leave (sync/ends.hpp): it keeps its ring handle here
  // and destroys what is left (ORPHANS).
  void on_last_receiver(rx_ring& rx) noexcept {
    Sync::fence_heavy(CO::drain_fence);  // seq_cst (heavy): pairs with the (light) notify_fence before a sender's re-check
    drain_orphans(&rx);
    if (rendezvous) taken.notify_all();  // an offering sender re-checks: receivers == 0 -> it takes its value back
  }

  // ---- RENDEZVOUS (see the header comment) ----
  // A sender's step 1: the slot, or why not (retry on full).
  status rv_claim() noexcept {
    if (this->receivers.load(CO::see_leave) == 0) return status::disconnected;  // acquire: pairs with leave
    std::uint32_t s = rv_empty;
    // acquire: pairs with rv_free, so the last handoff's reads of `offered` come before this owner's write
    // (on failure relaxed: nothing is read then)
    if (!offer_state.compare_exchange_strong(s, rv_claimed, CO::rv_claim, std::memory_order_relaxed)) return status::full;
    return status::ok;
  }
  // Step 2: offer the owner's value.
  void rv_offer(T* v) noexcept {
    offered.store(v);
    offer_state.store(rv_offered, CO::rv_offer);  // release: pairs with rv_take (the pointer and *v before)
    not_empty.notify_one();                       // its notify_fence: F2 with a receiver's prepare
  }
  // Step 3, the owner's wait: ok once taken, disconnected once every
  // receiver is gone, with `only_waiting` (try_send) timeout once no
  // receiver is in a blocking call; else full (retry).
  status rv_settled(bool only_waiting) noexcept {
    if (!CO::rv_owner_waits) return status::ok;                              // the twin: return at the offer
    if (offer_state.load(CO::rv_see_taken) == rv_taken) return status::ok;  // acquire: pairs with rv_hand
    if (this->receivers.load(CO::see_leave) == 0) return status::disconnected;  // acquire: pairs with leave
    // relaxed: a stale count only delays the retraction; the `taken` waitset's handshake (rx_done's notify) wakes us
    if (only_waiting && rx_waiting.load(std::memory_order_relaxed) == 0) return status::timeout;
    return status::full;
  }
  // Step 4: after the wait. Not taken (st != ok): take the offer back unless
  // a receiver is moving it out; then wait for that receiver (one move, or
  // its throw, which puts the offer back). Frees the slot; returns ok if a
  // receiver took the value, else st (the value is the owner's again).
  status rv_finish(status st, unsigned spins) {
    if (st == status::ok && !CO::rv_owner_waits) return status::ok;  // the twin: the receiver frees the slot
    while (st != status::ok) {
      std::uint32_t s = rv_offered;
      // acquire: pairs with rv_untake (a receiver's throwing move's writes to *v come before ours);
      // on failure relaxed: the load below, rv_see_taken, is the one that orders
      if (offer_state.compare_exchange_strong(s, rv_claimed, CO::rv_retract, std::memory_order_relaxed)) break;
      // A receiver has it (taking or taken): wait until it is done either way.
      (void)block_on<Sync>(taken, spins, nullptr, status::full, [&](bool) {
        return offer_state.load(CO::rv_see_taken) == rv_taking ? status::full : status::ok;  // acquire: pairs with rv_hand, rv_untake
      });
      if (offer_state.load(CO::rv_see_taken) == rv_taken) st = status::ok;  // acquire: pairs with rv_hand
    }
    offer_state.store(rv_empty, CO::rv_free);  // release: pairs with rv_claim
    not_full.notify_one();                     // the next sender waiting for the slot
    return st;
  }
  // A receiver's attempt: take the offer, if any, through `deliver(T&)`
  // (which moves from it, or copies a copy-only T: queue::detail::relocate).
  template <class Deliver>
  status rv_take(Deliver&& deliver) {
    std::uint32_t s = rv_offered;
    // acquire: pairs with rv_offer (the owner's pointer and value) and rv_untake (on failure relaxed:
    // no offer is read; the senders count below orders the disconnect)
    if (!offer_state.compare_exchange_strong(s, rv_taking, CO::rv_take, std::memory_order_relaxed)) {
      // No offer outlives its send call, so with every sender gone none is left.
      return this->senders.load(CO::see_leave) != 0 ? status::empty : status::disconnected;  // acquire: pairs with leave
    }
    T* v = offered.load();
    try {
      deliver(*v);
    } catch (...) {
      offer_state.store(rv_offered, CO::rv_untake);  // release: pairs with rv_retract, rv_take
      taken.notify_one();                            // the owner, if it waits for this move
      not_empty.notify_one();                        // another receiver may take it
      throw;
    }
    if (!CO::rv_owner_waits) {  // the twin: nobody waits for the hand, free the slot here
      offer_state.store(rv_empty, CO::rv_free);
      not_full.notify_one();
      return status::ok;
    }
    offer_state.store(rv_taken, CO::rv_hand);  // release: pairs with rv_see_taken (the move from *v before)
    taken.notify_one();                        // its notify_fence: F2 with the owner's prepare
    return status::ok;
  }
  // A blocking receive on a rendezvous channel counts itself in rx_waiting
  // (try_send offers only while that is non-zero).
  void rx_wait() noexcept {
    rx_waiting.fetch_add(1, std::memory_order_relaxed);  // relaxed: a try_send that misses it returns full, as if before
  }
  void rx_done() noexcept {
    rx_waiting.fetch_sub(1, std::memory_order_relaxed);  // relaxed: ordered for the owner by the notify below (F2)
    if (CO::rv_done_wakes) taken.notify_one();           // a try_send waiting for a receiver re-checks
  }
  // Under the orphan lock: keep `rx` (the last receiver's, when given) and
  // destroy every value it can pop.
  void drain_orphans(rx_ring* rx) noexcept {
    while (draining.exchange(true, CO::drain_lock))  // acquire: pairs with drain_unlock
      Sync::spin_pause();
    drains.store(drains.load() + 1);
    if (rx != nullptr) orphans.emplace(std::move(*rx));
    if (orphans) {
      for (;;) {
        std::optional<T> gone;
        if (!orphans->pop_into(gone)) break;
      }
    }
    draining.store(false, CO::drain_unlock);  // release: pairs with drain_lock
  }
};

// The ends' bases (sync/ends.hpp): clone() exists where Kind allows it.
template <class T, class Kind, class Sync, class CO, class WO>
using sender_base =
    nexus::detail::channel_end<block<T, Kind, Sync, CO, WO>, typename ring_endpoints<T, Kind, Sync>::producer_type,
                               nexus::detail::sender_side<CO>, sender<T, Kind, Sync, CO, WO>,
                               &block<T, Kind, Sync, CO, WO>::senders, Kind::clone_senders>;
template <class T, class Kind, class Sync, class CO, class WO>
using receiver_base =
    nexus::detail::channel_end<block<T, Kind, Sync, CO, WO>, typename ring_endpoints<T, Kind, Sync>::consumer_type,
                               nexus::detail::receiver_side<CO>, receiver<T, Kind, Sync, CO, WO>,
                               &block<T, Kind, Sync, CO, WO>::receivers, Kind::clone_receivers>;

}  // namespace detail

template <class T, class Kind, class Sync = std_sync, class CO = channel_orders, class WO = waitset_orders>
struct endpoints {
  sender<T, Kind, Sync, CO, WO> tx;
  receiver<T, Kind, Sync, CO, WO> rx;
};

// Default number of backoff snoozes before a blocked side parks: 64 (the
// first 7 spin with 1..64 PAUSEs, the rest yield), so a blocked side waits
// tens of microseconds before it parks. Upstream's default is 8 (~4 us):
// shorter than one futex wake on this VM (~30 us), so a hiccup on one side
// makes both park in turn. Measured with bench/run --only channel
// (2026-11-22, 2-core VM): RTT p99 / mutex+condvar 0.40x with 8, 0.006x with
// 64, throughput 7.0x / 6.4x mutex+condvar. For mostly idle channels where
// the spinning CPU matters more, channel_with_config(cap, 1..8).
inline constexpr unsigned default_spins = 64;

template <class T, class Kind, class Sync = std_sync, class CO = channel_orders, class WO = waitset_orders>
result<endpoints<T, Kind, Sync, CO, WO>> make(std::uint64_t capacity, unsigned spins = default_spins) {
  // Capacity 0 is a rendezvous (RENDEZVOUS): a one-slot ring that stays empty.
  auto q = Kind::template make<T, Sync>(capacity == 0 ? 1 : capacity);
  if (!q) return q.error_code();
  auto* b = nexus::detail::try_new_block<Sync, detail::block<T, Kind, Sync, CO, WO>>();
  if (b == nullptr) return error::out_of_memory;
  b->rendezvous = capacity == 0;
  return endpoints<T, Kind, Sync, CO, WO>{sender<T, Kind, Sync, CO, WO>(b, {std::move(q->tx), spins}),
                                          receiver<T, Kind, Sync, CO, WO>(b, {std::move(q->rx), spins})};
}

// SPSC: one sender, one receiver. `spins` backoff snoozes before parking
// (0: park right after the first attempt). Errors: the ring's.
template <class T, class Sync = std_sync>
auto channel(std::uint64_t capacity, unsigned spins = default_spins) {
  return make<T, kind::spsc, Sync>(capacity, spins);
}
template <class T, class Sync = std_sync>
auto channel_with_config(std::uint64_t capacity, unsigned spins) {
  return make<T, kind::spsc, Sync>(capacity, spins);
}
// MPSC: cloneable senders; dropping every sender is the shutdown signal.
template <class T, class Sync = std_sync>
auto mpsc_channel(std::uint64_t capacity, unsigned spins = default_spins) {
  return make<T, kind::mpsc, Sync>(capacity, spins);
}
// MPMC: cloneable senders and receivers; each value goes to one receiver.
template <class T, class Sync = std_sync>
auto mpmc_channel(std::uint64_t capacity, unsigned spins = default_spins) {
  return make<T, kind::mpmc, Sync>(capacity, spins);
}

template <class T, class Kind, class Sync, class CO, class WO>
class sender : public detail::sender_base<T, Kind, Sync, CO, WO> {
 public:
  using sender::channel_end::channel_end;  // clone(): MPSC and MPMC channels

  // Blocks while the channel is full. status::ok, or status::disconnected
  // (every receiver is gone) with `v` untouched.
  [[nodiscard]] status send(T&& v) { return send_impl(v, nullptr); }
  [[nodiscard]] status send(const T& v) {
    T copy(v);
    return send_impl(copy, nullptr);
  }
  // As send, giving up at `deadline`: status::timeout with `v` untouched.
  // time_point::max() waits for ever.
  [[nodiscard]] status send_until(T&& v, typename Sync::clock::time_point deadline) { return send_impl(v, &deadline); }
  // As send_until(now + d), saturating: any duration (sync/blocking.hpp).
  template <class Rep, class Period>
  [[nodiscard]] status send_timeout(T&& v, std::chrono::duration<Rep, Period> d) {
    return send_until(std::move(v), deadline_after<typename Sync::clock>(d));
  }
  // Never blocks: status::ok, status::full or status::disconnected; on
  // anything but ok `v` is untouched.
  // On a rendezvous channel (capacity 0): ok only if a receiver is in a
  // blocking call (recv*, recv_many*, the blocking iteration) and takes the
  // value; try_send then waits for that receiver's move (a wake-up, not an
  // arrival), and returns full if every such receiver stops waiting first.
  [[nodiscard]] status try_send(T&& v) {
    if (this->s_->rendezvous) [[unlikely]]
      return rv_try_send(v);
    return attempt(v);
  }

  bool is_disconnected() const noexcept {
    return this->s_ == nullptr || this->s_->receivers.load(CO::see_leave) == 0;  // acquire: pairs with leave
  }

 private:

  status attempt(T& v) {
    auto* b = this->s_;
    if (b->receivers.load(CO::see_leave) == 0) return status::disconnected;  // acquire: pairs with leave
    const status st = this->l_.q.push(queue::detail::relocate(v));  // moves from v only on success
    if (st == status::ok) {
      b->not_empty.notify_one();  // its notify_fence (seq_cst) pairs with drain_fence too (ORPHANS)
      // relaxed: ordered by that fence; 0 means the last receiver may have drained before this push.
      if (CO::sender_drains && b->receivers.load(std::memory_order_relaxed) == 0) [[unlikely]]
        b->drain_orphans(nullptr);
    }
    return st;
  }
  status send_impl(T& v, const typename Sync::clock::time_point* deadline) {
    if (this->s_->rendezvous) [[unlikely]]
      return rv_send(v, deadline);
    return block_on<Sync>(this->s_->not_full, this->l_.spins, deadline, status::full,
                          [&](bool) { return attempt(v); });
  }
  // RENDEZVOUS: the slot (waiting on not_full), the offer of &v, the wait
  // for a receiver (on `taken`), then rv_finish: ok, or v is ours again.
  status rv_send(T& v, const typename Sync::clock::time_point* deadline) {
    auto* b = this->s_;
    const status claimed = block_on<Sync>(b->not_full, this->l_.spins, deadline, status::full,
                                          [&](bool) { return b->rv_claim(); });
    if (claimed != status::ok) return claimed;  // timeout, disconnected: nothing offered
    b->rv_offer(&v);
    const status st = block_on<Sync>(b->taken, this->l_.spins, deadline, status::full,
                                     [&](bool) { return b->rv_settled(false); });
    return b->rv_finish(st, this->l_.spins);
  }
  status rv_try_send(T& v) {
    auto* b = this->s_;
    if (b->receivers.load(CO::see_leave) == 0) return status::disconnected;  // acquire: pairs with leave
    // relaxed: a receiver that is not counted yet is one that arrived after this call
    if (b->rx_waiting.load(std::memory_order_relaxed) == 0) return status::full;
    const status claimed = b->rv_claim();
    if (claimed != status::ok) return claimed;
    b->rv_offer(&v);
    const status st = block_on<Sync>(b->taken, this->l_.spins, nullptr, status::full,
                                     [&](bool) { return b->rv_settled(true); });
    const status done = b->rv_finish(st, this->l_.spins);
    return done == status::timeout ? status::full : done;  // timeout: no receiver waits any more
  }
};

template <class T, class Kind, class Sync, class CO, class WO>
class receiver : public detail::receiver_base<T, Kind, Sync, CO, WO> {
 public:
  using receiver::channel_end::channel_end;  // clone(): MPMC channels

  // Blocks until a value (status::ok) or every sender is gone and the
  // channel is drained (status::disconnected).
  recv_result<T> recv() { return recv_impl(nullptr); }
  // As recv, giving up at `deadline` (status::timeout); time_point::max()
  // waits for ever.
  recv_result<T> recv_until(typename Sync::clock::time_point deadline) { return recv_impl(&deadline); }
  // As recv_until(now + d), saturating: any duration (sync/blocking.hpp).
  template <class Rep, class Period>
  recv_result<T> recv_timeout(std::chrono::duration<Rep, Period> d) {
    return recv_until(deadline_after<typename Sync::clock>(d));
  }
  // Never blocks: ok, status::empty or status::disconnected.
  recv_result<T> try_recv() {
    recv_result<T> r(status::empty);
    r.st_ = attempt(r.v_);
    return r;
  }

  bool is_disconnected() const noexcept {
    return this->s_ == nullptr || this->s_->senders.load(CO::see_leave) == 0;  // acquire: pairs with leave
  }

  // Batches (crossbeam's requested try_recv_many, moodycamel's
  // try_dequeue_bulk): up to `max` values, oldest first, assigned to
  // *out++ through the ring's pop_n (queue/spsc.hpp BATCHES: one head store
  // for the batch; the stamped rings free slot by slot). try_recv_many never
  // blocks; recv_many blocks until at least one value, then takes what is
  // there up to max. {ok, n >= 1}, or {empty | timeout | disconnected, 0};
  // max == 0 is {ok, 0} at once. Senders are woken as by max single recvs.
  // A throwing assignment to `out`: the ring's pop_n guarantee (spsc, mpsc:
  // that value stays at the head; mpmc needs a noexcept one), the values
  // before it received.
  template <std::output_iterator<T&&> Out>
  many_result try_recv_many(Out out, std::size_t max) {
    many_result r{status::ok, 0};
    if (max != 0) r.code = attempt_many(out, max, r.count);
    return r;
  }
  template <std::output_iterator<T&&> Out>
  many_result recv_many(Out out, std::size_t max) {
    return recv_many_impl(out, max, nullptr);
  }
  template <std::output_iterator<T&&> Out>
  many_result recv_many_until(Out out, std::size_t max, typename Sync::clock::time_point deadline) {
    return recv_many_impl(out, max, &deadline);
  }
  template <std::output_iterator<T&&> Out, class Rep, class Period>
  many_result recv_many_timeout(Out out, std::size_t max, std::chrono::duration<Rep, Period> d) {
    return recv_many_until(out, max, deadline_after<typename Sync::clock>(d));
  }

  // Iteration. Each step is a recv() (blocking: ends when the channel is
  // disconnected and drained) or a try_recv() (ends at the first empty or
  // disconnected). An input iterator: the value is the iterator's own,
  // moved out of the ring, and may be moved from.
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = T*;
    using reference = T&;
    iterator() = default;
    explicit iterator(receiver* r, bool blocking = true) : r_(r), blocking_(blocking) { ++*this; }
    T& operator*() noexcept { return *cur_; }
    T* operator->() noexcept { return &*cur_; }
    iterator& operator++() {
      cur_.reset();
      if ((blocking_ ? r_->wait_into(cur_, nullptr) : r_->attempt(cur_)) != status::ok) r_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.r_ == b.r_; }

   private:
    receiver* r_ = nullptr;
    bool blocking_ = true;
    std::optional<T> cur_;
  };
  // `for (T& v : rx)`: blocks for each value until the channel is
  // disconnected and drained (crossbeam's iter()).
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

  // What is there now, without blocking (std and crossbeam try_iter()):
  // `for (T& v : rx.try_iter())` stops at the first empty or disconnected.
  // Borrows the receiver.
  struct try_range {
    receiver* r;
    iterator begin() { return iterator(r, false); }
    iterator end() { return iterator(); }
  };
  try_range try_iter() noexcept { return try_range{this}; }

  // Owning iteration (Rust's into_iter()): `for (T& v :
  // std::move(rx).into_iter())` takes the receiver into the range, blocks
  // for each value until the channel is disconnected and drained, and drops
  // the receiver with the range (the senders then see it gone).
  class owning_range;
  owning_range into_iter() &&;

 private:

  // Fills the empty `out` straight from the ring (no move of T after the take).
  status attempt(std::optional<T>& out) {
    auto* b = this->s_;
    if (!this->l_.q.pop_into(out)) {
      if (b->rendezvous) [[unlikely]]  // its ring stays empty: the offer slot instead
        return b->rv_take([&](T& x) { out.emplace(queue::detail::relocate(x)); });
      if (b->senders.load(CO::see_leave) != 0) return status::empty;  // acquire: pairs with leave
      if (!this->l_.q.pop_into(out)) return status::disconnected;    // F1: sent just before the last leave
    }
    b->not_full.notify_one();
    return status::ok;
  }
  // attempt() for a batch: `n` values taken (0 unless ok).
  template <class Out>
  status attempt_many(Out& out, std::size_t max, std::size_t& n) {
    auto* b = this->s_;
    n = this->l_.q.pop_n(out, max);
    if (n == 0) {
      if (b->rendezvous) [[unlikely]] {  // the offers there are, one at a time
        status st = status::ok;
        while (n < max && (st = b->rv_take([&](T& x) {
                             *out = queue::detail::relocate(x);
                             ++out;
                           })) == status::ok)
          ++n;
        return n != 0 ? status::ok : st;
      }
      if (b->senders.load(CO::see_leave) != 0) return status::empty;  // acquire: pairs with leave
      n = this->l_.q.pop_n(out, max);                                 // F1: sent just before the last leave
      if (n == 0) return status::disconnected;
    }
    if (n == 1)
      b->not_full.notify_one();
    else
      b->not_full.notify_all();  // n slots freed: as n recvs' notify_one, at most
    return status::ok;
  }
  template <class Out>
  many_result recv_many_impl(Out& out, std::size_t max, const typename Sync::clock::time_point* deadline) {
    many_result r{status::ok, 0};
    if (max == 0) return r;
    const waiting w(this->s_);
    r.code = block_on<Sync>(this->s_->not_empty, this->l_.spins, deadline, status::empty,
                            [&](bool) { return attempt_many(out, max, r.count); });
    return r;
  }
  // A blocking receive on a rendezvous channel is counted while it runs
  // (rx_waiting: what try_send offers to), even when it throws.
  struct waiting {
    detail::block<T, Kind, Sync, CO, WO>* b;
    explicit waiting(detail::block<T, Kind, Sync, CO, WO>* blk) noexcept : b(blk->rendezvous ? blk : nullptr) {
      if (b != nullptr) b->rx_wait();
    }
    waiting(const waiting&) = delete;
    waiting& operator=(const waiting&) = delete;
    ~waiting() {
      if (b != nullptr) b->rx_done();
    }
  };
  status wait_into(std::optional<T>& out, const typename Sync::clock::time_point* deadline) {
    const waiting w(this->s_);
    return block_on<Sync>(this->s_->not_empty, this->l_.spins, deadline, status::empty,
                          [&](bool) { return attempt(out); });
  }
  recv_result<T> recv_impl(const typename Sync::clock::time_point* deadline) {
    recv_result<T> r(status::empty);
    r.st_ = wait_into(r.v_, deadline);
    return r;
  }
};

template <class T, class Kind, class Sync, class CO, class WO>
class receiver<T, Kind, Sync, CO, WO>::owning_range {
 public:
  explicit owning_range(receiver&& r) noexcept : r_(std::move(r)) {}
  iterator begin() { return iterator(&r_); }
  iterator end() { return iterator(); }

 private:
  receiver r_;
};

template <class T, class Kind, class Sync, class CO, class WO>
auto receiver<T, Kind, Sync, CO, WO>::into_iter() && -> owning_range {
  return owning_range(std::move(*this));
}

}  // namespace nexus::channel
