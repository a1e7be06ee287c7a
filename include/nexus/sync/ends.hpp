// nexus/sync/ends.hpp -- the reference-counted ends of a blocking channel,
// written once for the typed channels (channel/channel.hpp), the byte
// channels (logbuf/channel.hpp) and the event channel (notify/
// event_channel.hpp), as crossbeam's counter.rs is for its flavours.
//
//   end_counts   refs (every handle; the last one frees the block), senders,
//                receivers: the counts every channel block starts with.
//   end_state    what a channel end holds besides the block: its handle on
//                the ring (or queue) and its spins.
//   channel_end  the handle every channel end derives from (a block and its
//                end_state): capacity(), and the clone of an end (its ring
//                handle's clone, and join on its side's count).
//   sender_side / receiver_side
//                what a sender / receiver does when it lets go (the Side of
//                nexus::detail::handle): release its ring handle first (H1),
//                then drop its count (`leave`, the channel's named order);
//                the last sender wakes every receiver (not_empty.notify_all:
//                they see the count at 0), a receiver wakes every sender
//                (not_full.notify_all). The last receiver hands its ring
//                handle to the block's on_last_receiver (the typed channels
//                destroy what is left there: ORPHANS in channel.hpp).
//
// ATOMIC ACCESSES (the orders are the channel's `CO`)
//   leave     senders/receivers fetch_sub     release: pairs with see_leave in
//                                             the peer's attempts (F1, F3).
//   join      clone increments (block.hpp)    relaxed.
#pragma once

#include <cstdint>
#include <utility>

#include "nexus/sync/block.hpp"

namespace nexus::detail {

template <class Sync>
struct end_counts {
  typename Sync::template atomic<std::uint32_t> refs{2};
  typename Sync::template atomic<std::uint32_t> senders{1};
  typename Sync::template atomic<std::uint32_t> receivers{1};
};

template <class Ring>
struct end_state {
  Ring q;
  unsigned spins;
};

template <class CO>
struct sender_side {
  template <class Block, class State>
  static void leave(Block& b, State& l) noexcept {
    { auto gone = std::move(l.q); }              // the ring handle first (H1)
    if (b.senders.fetch_sub(1, CO::leave) == 1)  // release: pairs with see_leave in the receivers
      b.not_empty.notify_all();                  // every sleeping receiver re-checks
  }
};

template <class CO>
struct receiver_side {
  template <class Block, class State>
  static void leave(Block& b, State& l) noexcept {
    if (b.receivers.fetch_sub(1, CO::leave) == 1)  // release: pairs with see_leave in the senders
      b.on_last_receiver(l.q);                     // takes the ring handle (or lets it go)
    else
      auto gone = std::move(l.q);
    b.not_full.notify_all();  // every sleeping sender re-checks
  }
};

// `Self` the end's own type, `Count` its side's count (&Block::senders or
// &Block::receivers), `Clonable` whether that side may be cloned.
template <class Block, class Ring, class Side, class Self, auto Count, bool Clonable>
class channel_end : public handle<Block, end_state<Ring>, Side> {
 public:
  // internal: from the factory (and from clone)
  channel_end(Block* b, end_state<Ring> l) noexcept : channel_end::handle(b, std::move(l)) {}
  // A rendezvous channel (channel/channel.hpp RENDEZVOUS) holds nothing:
  // capacity() and len() are 0, is_empty() and is_full() both true, as in
  // crossbeam's zero-capacity flavour.
  std::uint64_t capacity() const noexcept { return rendezvous() ? 0 : this->l_.q.capacity(); }
  // Values in the channel, a snapshot, from either end: the ring's len()
  // (queue/spsc.hpp and queue/detail/stamped.hpp SNAPSHOTS say what it
  // counts and what it can be off by). Typed channels; precondition: valid().
  std::uint64_t len() const noexcept
    requires requires(const Ring& q) { q.len(); }
  {
    return rendezvous() ? 0 : this->l_.q.len();
  }
  bool is_empty() const noexcept
    requires requires(const Ring& q) { q.len(); }
  {
    return len() == 0;
  }
  bool is_full() const noexcept
    requires requires(const Ring& q) { q.len(); }
  {
    return len() >= capacity();
  }

  // Another end of this side (one more on its count). Precondition: valid().
  Self clone() const
    requires Clonable
  {
    return Self(join(this->s_->*Count, this->s_), {this->l_.q.clone(), this->l_.spins});
  }

 private:
  // A typed channel of capacity 0 (channel/channel.hpp RENDEZVOUS).
  bool rendezvous() const noexcept {
    if constexpr (requires(const Block& b) { b.rendezvous; })
      return this->s_->rendezvous;
    else
      return false;
  }
};

}  // namespace nexus::detail
