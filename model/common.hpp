// model/common.hpp -- what every Relacy driver shares: the model policy and
// runner, payload types, the rings as model adapters, and the negative twins
// of the named orders, each written once as a template over the orders it
// weakens (publish_relaxed<mpsc_orders> is mpsc's twin, publish_relaxed<
// spsc_orders> spsc's).
#pragma once

// relacy_sync.hpp must come before any other header (it includes the
// standard headers, then relacy, then undoes relacy's macros).
#include "relacy_sync.hpp"
#include "runner.hpp"

#include "nexus/queue/mpmc.hpp"
#include "nexus/queue/mpsc.hpp"
#include "nexus/queue/spmc.hpp"
#include "nexus/queue/spsc.hpp"

namespace nexus::model {

constexpr auto relaxed = std::memory_order_relaxed;
constexpr auto acquire = std::memory_order_acquire;
constexpr auto release = std::memory_order_release;
constexpr auto acq_rel = std::memory_order_acq_rel;

// ---- payloads ------------------------------------------------------------------

// A payload that counts its live copies, so drivers can check that the last
// handle destroys exactly what was never popped.
struct tracked {
  int value = 0;
  int* live = nullptr;
  tracked(int v, int* l) : value(v), live(l) { ++*live; }
  tracked(tracked&& o) noexcept : value(o.value), live(o.live) { ++*live; }
  tracked(const tracked&) = delete;
  tracked& operator=(const tracked&) = delete;
  ~tracked() { --*live; }
};

// The exception a fragile payload's constructor throws.
struct injected {};

// A tracked payload whose construction from (value, live, bad) throws
// `injected` when value == bad: the throw-injection scenarios. Its move is
// noexcept (the stamped rings require it), its copy does not exist.
struct fragile : tracked {
  fragile(int v, int* l, int bad) : tracked((v == bad ? throw injected{} : v), l) {}
  fragile(fragile&&) noexcept = default;
};

// ---- the rings as model adapters ------------------------------------------------

// Q::endpoints and Q::make(capacity) for ring `Ring` (a tag below), payload
// T and orders O: what the scenarios are written against.
template <class Ring, class T, class O = typename Ring::orders>
struct queue_of {
  using endpoints = typename Ring::template endpoints<T, O>;
  static auto make(std::uint64_t cap) { return Ring::template make<T, O>(cap); }
};
// As queue_of, through ring_buffer_exact: make(n) holds at most n (BOUND).
template <class Ring, class T, class O = typename Ring::orders>
struct exact_of {
  using endpoints = typename Ring::template endpoints<T, O>;
  static auto make(std::uint64_t n) { return Ring::template make_exact<T, O>(n); }
};

#define NEXUS_MODEL_RING(ns, multi_producer, multi_consumer)                                              \
  struct ns##_ring {                                                                                      \
    using orders = nexus::queue::ns::ns##_orders;                                                         \
    static constexpr bool mp = multi_producer, mc = multi_consumer;                                       \
    template <class T, class O>                                                                           \
    using endpoints = nexus::queue::ns::endpoints<T, relacy_sync, O>;                                     \
    template <class T, class O>                                                                           \
    static auto make(std::uint64_t cap) { return nexus::queue::ns::ring_buffer<T, relacy_sync, O>(cap); } \
    template <class T, class O>                                                                           \
    static auto make_exact(std::uint64_t n) {                                                             \
      return nexus::queue::ns::ring_buffer_exact<T, relacy_sync, O>(n);                                   \
    }                                                                                                     \
  }
NEXUS_MODEL_RING(spsc, false, false);
NEXUS_MODEL_RING(mpsc, true, false);
NEXUS_MODEL_RING(spmc, false, true);
NEXUS_MODEL_RING(mpmc, true, true);
#undef NEXUS_MODEL_RING


// ---- the scenario skeleton ---------------------------------------------------------
// Every scenario derives from scenario<Self, Threads>: it makes its heap
// objects in before() with own<T>(...) / own_endpoints<E>(result) (inside
// the simulation, so Relacy's allocator sees them: a leak is reported),
// states its final verdicts in check() (run by after(), once every thread
// has ended), and its objects are freed after that, newest first.
template <class Self, unsigned Threads>
struct scenario : rl::test_suite<Self, Threads> {
  template <class T, class... Args>
  T* own(Args&&... args) {
    T* p = new T(std::forward<Args>(args)...);
    relacy_sync::verify(n_ < max_owned, "a scenario owns too many objects");
    owned_[n_++] = {p, [](void* q) { delete static_cast<T*>(q); }};
    return p;
  }
  // The endpoints inside a factory's result (a ring's, a channel's).
  template <class Endpoints, class Result>
  Endpoints* own_endpoints(Result r) {
    relacy_sync::verify(r.has_value(), "the factory failed");
    return own<Endpoints>(std::move(*r));
  }
  void check() {}
  void after() {
    static_cast<Self*>(this)->check();
    while (n_ > 0) {
      --n_;
      owned_[n_].free(owned_[n_].p);
    }
  }

 private:
  static constexpr unsigned max_owned = 8;
  struct entry {
    void* p;
    void (*free)(void*);
  };
  entry owned_[max_owned] = {};
  unsigned n_ = 0;
};

// ---- negative twins ---------------------------------------------------------------
// NEXUS_TWIN(name, field, value): template <class O> struct name : O, with
// O::field replaced by value. One list for every component; a driver applies
// the ones its scenarios can observe.
#define NEXUS_TWIN(name, field, value) \
  template <class O>                   \
  struct name : O {                    \
    static constexpr auto field = value; \
  }
// the rings' and byte rings' orders
NEXUS_TWIN(publish_relaxed, publish, relaxed);
NEXUS_TWIN(observe_relaxed, observe, relaxed);
NEXUS_TWIN(free_slot_relaxed, free_slot, relaxed);
NEXUS_TWIN(see_free_relaxed, see_free, relaxed);
NEXUS_TWIN(claim_load_relaxed, claim_load, relaxed);
NEXUS_TWIN(claim_release, claim, release);
NEXUS_TWIN(claim_acquire, claim, acquire);
NEXUS_TWIN(claim_relaxed, claim, relaxed);
NEXUS_TWIN(leave_relaxed, leave, relaxed);
NEXUS_TWIN(see_leave_relaxed, see_leave, relaxed);
NEXUS_TWIN(release_ref_release, release_ref, release);
NEXUS_TWIN(release_ref_acquire, release_ref, acquire);
NEXUS_TWIN(release_ref_relaxed, release_ref, relaxed);
NEXUS_TWIN(release_handle_release, release_handle, release);
NEXUS_TWIN(release_handle_acquire, release_handle, acquire);
NEXUS_TWIN(release_handle_relaxed, release_handle, relaxed);
NEXUS_TWIN(see_disconnect_relaxed, see_disconnect, relaxed);
// the stamped rings' protocol switches (queue/detail/stamped.hpp)
NEXUS_TWIN(claim_then_build, build_before_claim, false);  // a throwing constructor runs in a claimed slot
NEXUS_TWIN(no_wait_for_claim, wait_for_claim, false);     // empty while a claimed slot is being written
NEXUS_TWIN(no_bound_check, bound_check, false);           // an exact ring holds all its slots (BOUND)
NEXUS_TWIN(no_last_look, last_look, false);  // spsc pop_spin / push_spin: give up at the disconnect without looking again
// the byte rings
NEXUS_TWIN(commit_relaxed, commit, relaxed);
NEXUS_TWIN(abort_relaxed, abort, relaxed);
NEXUS_TWIN(pad_relaxed, pad, relaxed);
NEXUS_TWIN(free_space_relaxed, free_space, relaxed);
NEXUS_TWIN(free_position_relaxed, free_position, relaxed);
NEXUS_TWIN(see_position_relaxed, see_position, relaxed);
NEXUS_TWIN(lazy, free_batch_shift, 0u);  // publish only once a whole capacity is freed (see logbuf_common.hpp)
// notify
NEXUS_TWIN(admit_acquire, admit, acquire);  // upstream's swap (F6)
NEXUS_TWIN(admit_release, admit, release);
NEXUS_TWIN(admit_relaxed, admit, relaxed);
NEXUS_TWIN(clear_release, clear, release);  // upstream's store (F6)
NEXUS_TWIN(clear_acquire, clear, acquire);
NEXUS_TWIN(clear_relaxed, clear, relaxed);
// the blocking channels and their sleepers
NEXUS_TWIN(park_fence_acq_rel, park_fence, acq_rel);
NEXUS_TWIN(wake_fence_acq_rel, wake_fence, acq_rel);
NEXUS_TWIN(prepare_fence_acq_rel, prepare_fence, acq_rel);
NEXUS_TWIN(notify_fence_acq_rel, notify_fence, acq_rel);
NEXUS_TWIN(drain_fence_acq_rel, drain_fence, acq_rel);
NEXUS_TWIN(drain_lock_relaxed, drain_lock, relaxed);
NEXUS_TWIN(drain_unlock_relaxed, drain_unlock, relaxed);
NEXUS_TWIN(no_wake, wake, false);
NEXUS_TWIN(no_final_try, final_try, false);          // upstream's recv (F1)
NEXUS_TWIN(no_sender_drain, sender_drains, false);   // a value sent as the last receiver goes outlives it
NEXUS_TWIN(stale_recheck, fresh_recheck, false);     // a parking sender judges by the lazy head
NEXUS_TWIN(no_publish_when_empty, publish_when_empty, false);
NEXUS_TWIN(no_claim_wake, claim_wakes, false);
NEXUS_TWIN(no_zero_next, zero_next, false);  // spsc byte ring: the producer leaves the next header as it was
// the rendezvous channels (channel.hpp RENDEZVOUS)
NEXUS_TWIN(rv_claim_relaxed, rv_claim, relaxed);
NEXUS_TWIN(rv_free_relaxed, rv_free, relaxed);
NEXUS_TWIN(rv_offer_relaxed, rv_offer, relaxed);
NEXUS_TWIN(rv_take_relaxed, rv_take, relaxed);
NEXUS_TWIN(rv_hand_relaxed, rv_hand, relaxed);
NEXUS_TWIN(rv_see_taken_relaxed, rv_see_taken, relaxed);
NEXUS_TWIN(rv_retract_relaxed, rv_retract, relaxed);
NEXUS_TWIN(rv_untake_relaxed, rv_untake, relaxed);
NEXUS_TWIN(no_owner_wait, rv_owner_waits, false);  // send returns at its offer (a one-slot buffer)
NEXUS_TWIN(no_done_wake, rv_done_wakes, false);    // a receiver stops waiting without telling a try_send
// the parker
NEXUS_TWIN(give_relaxed, give, relaxed);
NEXUS_TWIN(take_relaxed, take, relaxed);
#undef NEXUS_TWIN

}  // namespace nexus::model
