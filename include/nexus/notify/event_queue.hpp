// nexus/notify/event_queue.hpp -- conflating readiness notification: many
// notifiers, one poller, tokens from the user's own key space.
//
// LAYOUT
//   flags block (freed by the last handle): refs, max_tokens, one atomic
//   bool per token. An nexus::queue::mpsc ring of u32 token indices with
//   capacity >= max_tokens: each notifier holds a producer handle, the poller
//   holds the consumer.
//
// PROTOCOL
//   notify(t): t >= max_tokens -> status::invalid_token, nothing changed.
//     if flags[t].exchange(true) (admit) was already true: conflated, done
//     (one RMW, wait-free). Otherwise push t; the push cannot fail (below).
//   poll_limit(ev, n): ev part-way through a drain() -> status::undrained,
//     nothing touched (events). Otherwise clear ev; up to n times: pop t;
//     flags[t].exchange(false) (clear); append t. The pop comes before the
//     clear. O(n); n = 0 leaves the queue untouched; leftovers stay queued
//     in FIFO order.
//   FIFO by first notification; a burst of notifies of one token between two
//   polls is delivered once (conflation). A token notified again after this
//   poll cleared it is queued again, and a poll that is still draining may
//   deliver it a second time in the same batch (as upstream); the queue
//   itself never holds a token twice.
//
// WHY A PUSH NEVER FAILS. flag[t] is true iff t is queued or being pushed
//   (the pop comes before the clear), so the queue never holds a token twice
//   and never more than max_tokens entries. For this to hold under the C++
//   memory model, a notifier that sees a cleared flag must also see the slot
//   that pop freed: `admit`'s acquire pairs with `clear`'s release for the
//   same token, and for *other* notifiers the queue's tail load/CAS are
//   acquire/acq_rel (mpsc.hpp `claim_load`, `claim`; regression driver
//   model/notify_tokens). A failed push is still reported (status::overflow)
//   and rolls the flag back, never hidden.
//
// DATA VISIBILITY (F6, fixed). Data the caller wrote before notify(t) is
//   visible to the poller after a poll that returns t, or a later poll
//   returns t again. `admit` is acq_rel and `clear` is an acq_rel RMW: if the
//   notify's RMW comes first, the poller's clear reads-from it and acquires
//   its data; if the clear comes first, the notify sees false and queues t
//   again. (Upstream's acquire-only swap and plain-store clear can lose the
//   update: the poller reads stale data and no later event comes.)
//
// ATOMIC ACCESSES (named orders: `notify_orders`; the queue's are mpsc_orders)
//   admit    flag exchange(true) in notify   acq_rel: acquire pairs with clear
//                                            (the slot is free, H2); release
//                                            publishes the caller's data to the
//                                            clear that reads it (F6).
//   clear    flag exchange(false) in poll    acq_rel: release pairs with admit
//                                            (H2); acquire takes the data of a
//                                            notify conflated into this event
//                                            (F6).
//   rollback flag store(false) after an      relaxed: only reached when the
//            impossible failed push          invariant above is broken; it
//                                            re-arms the token.
//   join     refs increment in clone         relaxed: the caller holds a ref.
//   release_ref refs RMW in ~handle          acq_rel: the last handle frees.
//
// SPURIOUS EVENTS (the mio contract). If the user frees a key and reuses its
//   token, an in-flight notify for the old owner fires the new owner's token.
//   Users must (1) stop notifying a token before its key is reused, (2) not
//   change a callback's token without telling the notifiers, (3) tolerate a
//   spurious event during deregistration.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <utility>
#include <vector>

#include "nexus/queue/mpsc.hpp"
#include "nexus/result.hpp"
#include "nexus/sync/block.hpp"
#include "nexus/sync/std_sync.hpp"

namespace nexus::notify {

// An opaque index the user makes from their own key space (slab key, fd,
// connection number). Only bounds-checked.
class token {
 public:
  constexpr token() noexcept = default;
  constexpr explicit token(std::size_t index) noexcept : index_(index) {}
  constexpr std::size_t index() const noexcept { return index_; }
  friend constexpr bool operator==(token a, token b) noexcept { return a.index_ == b.index_; }

 private:
  std::size_t index_ = 0;
};

// A reusable buffer of tokens (mio style). Every poll clears it first.
// Reserve max_tokens up front and polling never allocates.
//
// A read cursor (as upstream nexus-notify 1.1.0): drain() takes the tokens
// one at a time, and size(), empty(), operator[], begin()/end() and data()
// cover only the part not yet drained. A poll (poll, poll_limit, and the
// event channel's recv and try_recv forms) refuses a buffer that drain()
// has started but not finished: status::undrained, nothing polled, the
// buffer unchanged, since notify is one-shot and deduplicated and a token
// cleared there would never come again. A buffer read by iteration alone
// (no drain()) is taken to be handled and is cleared by the next poll, as
// before; so is one drained to the end.
class events {
 public:
  events() = default;
  static events with_capacity(std::size_t n) {
    events e;
    e.v_.reserve(n);
    return e;
  }
  std::size_t size() const noexcept { return v_.size() - pos_; }
  bool empty() const noexcept { return pos_ == v_.size(); }
  std::size_t capacity() const noexcept { return v_.capacity(); }
  void clear() noexcept {
    v_.clear();
    pos_ = 0;
  }
  token operator[](std::size_t i) const noexcept { return v_[pos_ + i]; }
  const token* begin() const noexcept { return v_.data() + pos_; }
  const token* end() const noexcept { return v_.data() + v_.size(); }
  const token* data() const noexcept { return begin(); }
  // The oldest undrained token, consumed; nullopt once all are drained.
  std::optional<token> drain() noexcept {
    if (pos_ == v_.size()) return std::nullopt;
    return v_[pos_++];
  }
  // True while drain() has taken some of the tokens but not all: a poll
  // into this buffer returns status::undrained.
  bool draining() const noexcept { return pos_ != 0 && pos_ != v_.size(); }
  void push(token t) { v_.push_back(t); }  // used by pollers

 private:
  std::vector<token> v_;
  std::size_t pos_ = 0;  // tokens [0, pos_) have been drained
};

struct notify_orders {
  static constexpr std::memory_order admit = std::memory_order_acq_rel;        // pairs with clear
  static constexpr std::memory_order clear = std::memory_order_acq_rel;        // pairs with admit
  // mutation-survives: the acquire half orders the peer handle's last accesses to this block (atomics only) before its destruction, the shared_ptr pattern; relacy does not model a free as racing with earlier atomic accesses, so no driver can fail (the rings' release_ref, whose blocks hold plain state, is killed)
  static constexpr std::memory_order release_ref = std::memory_order_acq_rel;  // pairs with itself
};

template <class Sync = std_sync, class O = notify_orders, class QO = queue::mpsc::mpsc_orders>
class notifier;
template <class Sync = std_sync, class O = notify_orders, class QO = queue::mpsc::mpsc_orders>
class poller;

namespace detail {

template <class Sync, class O>
struct flags_block {
  using flag_t = typename Sync::template atomic<bool>;
  typename Sync::template atomic<std::uint32_t> refs{2};
  std::size_t n;
  flag_t* flags;

  explicit flags_block(std::size_t count)
      : n(count), flags(static_cast<flag_t*>(Sync::allocate(sizeof(flag_t) * count, alignof(flag_t)))) {
    for (std::size_t i = 0; i < count; ++i) ::new (static_cast<void*>(flags + i)) flag_t(false);
  }
  ~flags_block() {
    std::destroy_n(flags, n);
    Sync::deallocate(flags, sizeof(flag_t) * n, alignof(flag_t));
  }
  static void release(flags_block* b) noexcept {
    nexus::detail::release_ref<Sync, O::release_ref>(b, b->refs);  // acq_rel: the last handle frees
  }
};

// What a notify handle holds besides the flags: its handle on the token ring.
template <class Ring>
struct ring_state {
  Ring q;
};
// Leaving: the ring handle goes with it.
struct ring_side {
  template <class B, class L>
  static void leave(B&, L& l) noexcept {
    auto gone = std::move(l.q);
  }
};

// A notify handle: the flags block and its end `End` of the token ring.
template <class Sync, class O, class End>
using flags_handle = nexus::detail::handle<flags_block<Sync, O>, ring_state<End>, ring_side>;

}  // namespace detail

template <class Sync = std_sync, class O = notify_orders, class QO = queue::mpsc::mpsc_orders>
struct queue_endpoints {
  notifier<Sync, O, QO> tx;
  poller<Sync, O, QO> rx;
};

// The largest max_tokens accepted (token indices travel as u32).
inline constexpr std::size_t max_tokens_limit = std::size_t{1} << 31;

// Creates a notification queue for tokens [0, max_tokens).
// Errors: capacity_zero, capacity_too_large, out_of_memory.
template <class Sync = std_sync, class O = notify_orders, class QO = queue::mpsc::mpsc_orders>
result<queue_endpoints<Sync, O, QO>> event_queue(std::size_t max_tokens) {
  if (max_tokens == 0) return error::capacity_zero;
  if (max_tokens > max_tokens_limit) return error::capacity_too_large;
  auto q = queue::mpsc::ring_buffer<std::uint32_t, Sync, QO>(max_tokens);
  if (!q) return q.error_code();
  auto* b = nexus::detail::try_new_block<Sync, detail::flags_block<Sync, O>>(max_tokens);
  if (b == nullptr) return error::out_of_memory;
  return queue_endpoints<Sync, O, QO>{notifier<Sync, O, QO>(b, {std::move(q->tx)}),
                                      poller<Sync, O, QO>(b, {std::move(q->rx)})};
}

// A notifying end: cloneable; each handle is used by one thread at a time.
template <class Sync, class O, class QO>
class notifier : public detail::flags_handle<Sync, O, queue::mpsc::producer<std::uint32_t, Sync, QO>> {
  using base = typename notifier::handle;

 public:
  // Another notifier on the same queue. Precondition: valid().
  notifier clone() const {
    this->s_->refs.fetch_add(1, std::memory_order_relaxed);  // relaxed (join): we hold a reference
    return notifier(this->s_, {this->l_.q.clone()});  // (the flags block counts references only)
  }

  // Marks `t` ready. status::ok (queued, or conflated with a pending event),
  // status::invalid_token (t >= max_tokens; nothing changed), or
  // status::overflow (impossible by design; the token is re-armed).
  [[nodiscard]] status notify(token t) {
    bool queued;
    return notify(t, queued);
  }
  // The same; `queued` says whether this call queued t (false: conflated or
  // an error).
  [[nodiscard]] status notify(token t, bool& queued) {
    queued = false;
    auto* b = this->s_;
    if (t.index() >= b->n) [[unlikely]] return status::invalid_token;
    // acq_rel: acquire pairs with clear in poll (slot free, H2); release
    // publishes the caller's data to the clear that reads it (F6).
    if (b->flags[t.index()].exchange(true, O::admit)) return status::ok;  // conflated
    if (this->l_.q.push(static_cast<std::uint32_t>(t.index())) != status::ok) [[unlikely]] {
      Sync::verify(false, "notify: the token queue overflowed");
      b->flags[t.index()].store(false, std::memory_order_relaxed);  // relaxed (rollback): see header
      return status::overflow;
    }
    queued = true;
    return status::ok;
  }

  std::size_t capacity() const noexcept { return this->s_->n; }

 private:
  friend result<queue_endpoints<Sync, O, QO>> event_queue<Sync, O, QO>(std::size_t);
  using base::base;
};

// The polling end: one owner.
template <class Sync, class O, class QO>
class poller : public detail::flags_handle<Sync, O, queue::mpsc::consumer<std::uint32_t, Sync, QO>> {
  using base = typename poller::handle;

 public:
  // Clears `ev`, then moves every ready token into it, oldest first.
  // status::ok, or status::undrained (nothing polled, `ev` unchanged) when
  // `ev` is part-way through a drain() (see events).
  status poll(events& ev) { return poll_limit(ev, std::numeric_limits<std::size_t>::max()); }

  // Clears `ev`, then moves at most `limit` ready tokens into it, oldest
  // first, in O(limit). The rest stay queued in order. limit 0: no change
  // but the clear. status::undrained as poll.
  status poll_limit(events& ev, std::size_t limit) {
    if (ev.draining()) return status::undrained;
    ev.clear();
    for (std::size_t k = 0; k < limit; ++k) {
      auto idx = this->l_.q.pop();
      if (!idx) break;
      // acq_rel: release pairs with admit (H2); acquire takes the data of a
      // notify conflated into this event (F6).
      (void)this->s_->flags[*idx].exchange(false, O::clear);
      ev.push(token(*idx));
    }
    return status::ok;
  }

  std::size_t capacity() const noexcept { return this->s_->n; }
  // True once every notifier is gone (acquire: their notifies are visible).
  bool is_disconnected() const noexcept { return this->s_ == nullptr || this->l_.q.is_disconnected(); }

 private:
  friend result<queue_endpoints<Sync, O, QO>> event_queue<Sync, O, QO>(std::size_t);
  using base::base;
};

}  // namespace nexus::notify

template <>
struct std::hash<nexus::notify::token> {
  std::size_t operator()(nexus::notify::token t) const noexcept { return std::hash<std::size_t>{}(t.index()); }
};
