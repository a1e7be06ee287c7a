---------------------------- MODULE ChannelPark ----------------------------
(***************************************************************************)
(* The park handshake and the orphan drain of the blocking typed channels  *)
(* (include/nexus/channel/channel.hpp: sender::send_impl / attempt,        *)
(* receiver::recv_impl / attempt, detail::sender_side::leave /             *)
(* receiver_side::leave, block::drain_orphans) over detail::block_on of    *)
(* include/nexus/sync/blocking.hpp, the event count of                     *)
(* include/nexus/sync/waitset.hpp (waitset::prepare / cancel / wait /      *)
(* wait_until / notify_one / notify_all) and the futex of                  *)
(* include/nexus/sync/std_sync.hpp, at the level of its atomic steps.      *)
(* The ring itself is abstracted to a count 0..C: a push or a pop is one   *)
(* atomic step (SpscQueue.tla has the ring's own steps; FIFO order is its  *)
(* business, not this spec's).                                             *)
(*                                                                         *)
(*   code                                       spec                       *)
(*   the ring's occupancy (tail - head)         count                      *)
(*   block::senders, block::receivers           senders, receivers         *)
(*   block::draining (the orphan lock)          locked                     *)
(*   block::orphans holds the last receiver's   kept                       *)
(*     ring handle (ORPHANS)                                               *)
(*   block::not_empty (receivers sleep there),  the waitsets "ne", "nf"    *)
(*     block::not_full (senders sleep there)                               *)
(*   waitset::waiters_ (the "parked" count)     waiters[w]                 *)
(*   waitset::seq_ (the futex word) compared    moved[t] = (seq_ != key):  *)
(*     with block_on's key = prepare()            a notify bumped the word *)
(*                                                since t read its key     *)
(*   the kernel's futex queue on seq_           {t : pc[t] = "asleep"}     *)
(*   block_on's loop: the first attempt (and    phase[t]: "first",         *)
(*     the spins'), the re-check after          "recheck", "after"; "drop" *)
(*     prepare(), the attempt after the wait;   in reset(); "none" between *)
(*     reset()                                  calls                      *)
(*   block_on's in_time == false (deadline)     late[t]                    *)
(*   block_on's spin counter i                  spun[t]                    *)
(*   the status the last call returned          res[t]                     *)
(*   where each thread is (its next step)       pc[t]                      *)
(*                                                                         *)
(* Threads: the receiver Rx = 0 and the senders 1..NumSenders (SPSC with   *)
(* 1; MPSC with 2: the senders share not_full and notify_one wakes one).   *)
(* Each sender sends MaxItems values (send() in a loop), then drops its    *)
(* handle; it stops early when a send returns disconnected and, when       *)
(* SenderMayLeave, may drop between two calls. When SendersLinger, a       *)
(* sender that is done may also keep its handle for ever (its drop is then *)
(* allowed, never required). The receiver calls recv() until it returns    *)
(* disconnected (the receiver's iterator), then drops; when                *)
(* ReceiverMayLeave it may drop between two calls.                         *)
(*                                                                         *)
(* send(v) = block_on(not_full, ..., attempt):                             *)
(*   SSee       receivers.load(see_leave) == 0 -> status::disconnected     *)
(*   SPush      q_.push(v): full -> retry; ok -> not_empty.notify_one(),   *)
(*              then SRecheck                                              *)
(*   SRecheck   receivers.load(relaxed) == 0 -> block::drain_orphans       *)
(*              (ORPHANS: the last receiver may have drained before this   *)
(*              push); then status::ok                                     *)
(* recv() = block_on(not_empty, ..., attempt):                             *)
(*   RPop       q_.pop(): a value -> not_full.notify_one(); none -> RSee   *)
(*   RSee       senders.load(see_leave) != 0 -> retry (status::empty)      *)
(*   RPop2      q_.pop() once more (F1): a value -> notify_one, ok; none   *)
(*              -> status::disconnected                                    *)
(* waitset::notify_one / notify_all (on the peer's waitset):               *)
(*   NCheck     fence(notify_fence); O::wake && waiters.load() != 0        *)
(*   NBump      seq.fetch_add(1) (moved for every key holder there)        *)
(*   NWake      futex_wake_one / futex_wake_all(seq)                       *)
(* block_on's park loop (on the thread's own waitset):                     *)
(*   PKey       prepare(): key = seq.load() (moved = FALSE)                *)
(*   PAnnounce  prepare(): waiters.fetch_add(1); fence(prepare_fence);     *)
(*              then the attempt again: the re-check                       *)
(*   CancelRet  the re-check said anything but retry: cancel(), return it  *)
(*   Wait       futex_wait(seq, key): sleeps only while seq == key         *)
(*   Spurious   the futex returns unwoken (allowed, never required)        *)
(*   Expire     wait_until's deadline passes (MaxTimeouts > 0 only)        *)
(*   Cancel     cancel() after the wait, then the attempt again            *)
(* reset() (detail::handle::reset -> sender_side / receiver_side::leave):  *)
(*   DLeave     a sender: { auto gone = std::move(l.q); } (its ring        *)
(*              handle first, H1), then senders.fetch_sub(1, leave); the   *)
(*              last one runs not_empty.notify_all() (NCheck, NBump,       *)
(*              NWake). The receiver: receivers.fetch_sub(1, leave); the   *)
(*              last one: fence(drain_fence), then block::drain_orphans    *)
(*              with its ring handle; then not_full.notify_all()           *)
(*   BlockFree  block::release (release_ref) at the end of reset(): the    *)
(*              last handle frees the block and the ring handle kept       *)
(*              there, whose ~shared destroys what is still queued         *)
(* block::drain_orphans (ORPHANS; the last receiver's, or a sender's whose *)
(* SRecheck read receivers == 0):                                          *)
(*   OLock      while (draining.exchange(true, drain_lock)) spin_pause();  *)
(*              the receiver moves its ring handle into block::orphans     *)
(*   OPop       orphans->pop_into(gone): a value is destroyed; none (or no *)
(*              handle kept yet): draining.store(false, drain_unlock)      *)
(*                                                                         *)
(* The model is sequentially consistent: each step sees the latest value   *)
(* of every location, so the seq_cst fences (prepare_fence, notify_fence,  *)
(* drain_fence) are no-ops. That is what the fences buy: in the            *)
(* store-buffering pairs "waiters += 1, re-check the ring" / "push or pop, *)
(* load waiters" (F2) and "push, notify_fence, load receivers" /           *)
(* "receivers -= 1, drain_fence, pop" (ORPHANS) one of the two loads sees  *)
(* the other side's write. What the C++ orders give is checked by the      *)
(* Relacy drivers model/channel_park.cpp (these channels),                 *)
(* model/channel_orphans.cpp (the orphan drain), model/logbuf_channel.cpp  *)
(* (its senders park on the same waitset) and model/notify_channel.cpp     *)
(* (the same handshake on a parked flag). Bug = "none" is the code as      *)
(* shipped; the other values break one step.                               *)
(*                                                                         *)
(* Reductions. seq_ and the key are not variables: the futex compares them *)
(* and nothing else reads them, so the model keeps only that comparison    *)
(* (moved; a 2^32 wrap of seq_ is ignored). The spin phase of block_on     *)
(* (backoff snoozes, each followed by an attempt) is Spins extra attempts  *)
(* before the park loop: a failed attempt writes nothing, so spinning is   *)
(* only retries (most cfgs use Spins = 0, as the Relacy drivers do: park   *)
(* right after the first attempt). try_send / try_recv are the first       *)
(* attempt alone. Each seq_cst fence is merged into its neighbouring       *)
(* relaxed access. The ring's handles are not variables: a sender's        *)
(* release of its ring handle is never the ring's last (the receiver's     *)
(* outlives it, kept in the block after the receiver has gone), so it      *)
(* changes nothing here and is part of DLeave; the ring's last handle goes *)
(* with the block (BlockFree, at the end of the last reset()) and destroys *)
(* what is still queued: nothing (NoOrphans, LastHandleFindsEmpty). Not    *)
(* modelled: the deadline check before each snooze, the block's refs count *)
(* (its release_ref is BlockFree), clone(), MPMC (several receivers: only  *)
(* the last one drains), the orphan lock's orders (drain_lock /            *)
(* drain_unlock: Relacy channel_orphans). A timed wait that is woken and   *)
(* finds its deadline passed anyway is an Expire just before the wake.     *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

CONSTANTS C,                 \* channel capacity (the ring's)
          NumSenders,        \* 1: channel (SPSC); 2: mpsc_channel
          MaxItems,          \* values each sender sends
          Spins,             \* block_on's spins (attempts before parking)
          MaxSpurious,       \* spurious futex returns allowed in a behaviour
          MaxTimeouts,       \* expired deadlines allowed (0: no deadlines)
          SenderMayLeave,    \* a sender may drop with values left to send
          ReceiverMayLeave,  \* the receiver may drop before the disconnect
          SendersLinger,     \* a sender that is done may keep its handle
          Bug                \* "none", or one broken step; see Bugs

Bugs ==
  {"none",
   \* block_on without the re-check: key = prepare(); wait(key). A push or
   \* pop whose notify ran before the announce (waiters == 0: no bump) is
   \* never seen: the waiter sleeps on an unchanged word. The same outcome a
   \* weakened prepare_fence or notify_fence allows (both loads of the
   \* store-buffering pair stale). Relacy twins pingpong_prepare_fence_acq_rel,
   \* pingpong_notify_fence_acq_rel (channel_park), blocked_send_*_acq_rel
   \* (logbuf_channel).
   "no_recheck",
   \* waitset_orders::wake = false: notify_one / notify_all fence and
   \* return, no bump and no futex wake. Relacy twins pingpong_no_wake,
   \* recv_drop_no_wake, send_drop_no_wake (channel_park),
   \* blocked_send_no_notify, send_drop_no_notify (logbuf_channel).
   "no_wake",
   \* the receiver's final pop after seeing senders == 0 reads the ring as
   \* empty although a value is there: what a relaxed see_leave allows (the
   \* last push is not ordered before the count's drop) and what upstream's
   \* recv without the final pop does. Relacy twins
   \* last_item_see_leave_relaxed (channel_park),
   \* last_record_see_leave_relaxed, last_record_no_final_try
   \* (logbuf_channel).
   "stale_final_pop",
   \* sender::attempt without the re-check after its push
   \* (channel_orders::sender_drains = false): a value pushed after the
   \* last receiver's drain (the attempt read receivers != 0 before the
   \* leave) stays in the ring after its send returned, while the sender
   \* still holds its handle. The same outcome a weakened drain_fence or
   \* notify_fence allows (both loads of the store-buffering pair stale:
   \* the drain misses the push, the re-check misses the leave). Relacy
   \* twins orphans_no_sender_drain, orphans_drain_fence_acq_rel,
   \* orphans_notify_fence_acq_rel (channel_orphans).
   "no_sender_drain"}

ASSUME C \in Nat \ {0} /\ NumSenders \in Nat \ {0} /\ MaxItems \in Nat
ASSUME Spins \in Nat /\ MaxSpurious \in Nat /\ MaxTimeouts \in Nat
ASSUME SenderMayLeave \in BOOLEAN /\ ReceiverMayLeave \in BOOLEAN
ASSUME SendersLinger \in BOOLEAN
ASSUME Bug \in Bugs

Rx == 0
Senders == 1..NumSenders
Threads == 0..NumSenders
Total == NumSenders * MaxItems
Waitsets == {"ne", "nf"}
\* the waitset t sleeps on, and the one it notifies
Own(t) == IF t = Rx THEN "ne" ELSE "nf"
Peer(t) == IF t = Rx THEN "nf" ELSE "ne"
\* the first step of t's attempt
Start(t) == IF t = Rx THEN "r_pop" ELSE "s_see"
Pcs == {"idle", "s_see", "s_push", "s_recheck", "r_pop", "r_see", "r_pop2",
        "n_check", "n_bump", "n_wake", "p_key", "p_announce",
        "cancel_ret", "wait", "asleep", "cancel",
        "d_leave", "o_lock", "o_pop", "gone"}
Results == {"none", "ok", "disconnected", "timeout"}

VARIABLES
  \* the ring and the channel block (kept: block::orphans holds the last
  \* receiver's ring handle; locked: block::draining, the orphan lock)
  count, senders, receivers, kept, locked,
  \* the two waitsets
  waiters,
  \* each thread (moved: seq_ != key, the futex word's only use)
  pc, phase, moved, late, spun, res,
  \* ghosts: values each sender pushed, values popped, values destroyed by
  \* an orphan drain or with the block (BlockFree); spurious returns and
  \* expired deadlines so far
  sentBy, recvd, destroyed, spurious, timeouts

vars == <<count, senders, receivers, kept, locked, waiters, pc, phase, moved,
          late, spun, res, sentBy, recvd, destroyed, spurious, timeouts>>
\* the orphan drain's variables (unchanged by every other step)
ovars == <<kept, locked>>

SumTo(f, n) == LET S[i \in 0..n] == IF i = 0 THEN 0 ELSE S[i-1] + f[i]
               IN S[n]
Sent == SumTo(sentBy, NumSenders)

TypeOK ==
  /\ count \in 0..C
  /\ senders \in 0..NumSenders /\ receivers \in 0..1
  /\ kept \in BOOLEAN /\ locked \in BOOLEAN
  /\ waiters \in [Waitsets -> 0..NumSenders]
  /\ pc \in [Threads -> Pcs]
  /\ phase \in [Threads -> {"none", "first", "recheck", "after", "drop"}]
  /\ moved \in [Threads -> BOOLEAN]
  /\ late \in [Threads -> BOOLEAN]
  /\ spun \in [Threads -> 0..Spins]
  /\ res \in [Threads -> Results]
  /\ sentBy \in [Senders -> 0..MaxItems]
  /\ recvd \in 0..Total /\ destroyed \in 0..Total
  /\ spurious \in 0..MaxSpurious /\ timeouts \in 0..MaxTimeouts

Init ==
  /\ count = 0
  /\ senders = NumSenders /\ receivers = 1
  /\ kept = FALSE /\ locked = FALSE
  /\ waiters = [w \in Waitsets |-> 0]
  /\ pc = [t \in Threads |-> "idle"]
  /\ phase = [t \in Threads |-> "none"]
  /\ moved = [t \in Threads |-> FALSE]
  /\ late = [t \in Threads |-> FALSE]
  /\ spun = [t \in Threads |-> 0]
  /\ res = [t \in Threads |-> "none"]
  /\ sentBy = [s \in Senders |-> 0]
  /\ recvd = 0 /\ destroyed = 0
  /\ spurious = 0 /\ timeouts = 0

----------------------------------------------------------------------------
(* The end of an attempt with outcome r ("ok", "disconnected", "retry"),   *)
(* as detail::block_on goes on from it; base is pc with the other threads' *)
(* changes of this step already made.                                      *)
Settle(t, r, base) ==
  CASE r # "retry" /\ phase[t] = "recheck" ->
         \* the re-check succeeded: cancel(), then return r
         /\ pc' = [base EXCEPT ![t] = "cancel_ret"]
         /\ res' = [res EXCEPT ![t] = r]
         /\ UNCHANGED <<phase, late, spun>>
    [] r # "retry" ->
         \* the first attempt (or a spin's) or the one after the wait: return r
         /\ pc' = [base EXCEPT ![t] = "idle"]
         /\ res' = [res EXCEPT ![t] = r]
         /\ phase' = [phase EXCEPT ![t] = "none"]
         /\ late' = [late EXCEPT ![t] = FALSE]
         /\ spun' = [spun EXCEPT ![t] = 0]
    [] phase[t] = "first" /\ spun[t] < Spins ->
         \* b.snooze(); attempt again
         /\ pc' = [base EXCEPT ![t] = Start(t)]
         /\ spun' = [spun EXCEPT ![t] = @ + 1]
         /\ UNCHANGED <<phase, late, res>>
    [] phase[t] = "first" ->
         \* spins done: the park loop
         /\ pc' = [base EXCEPT ![t] = "p_key"]
         /\ UNCHANGED <<phase, late, spun, res>>
    [] phase[t] = "recheck" ->
         \* the re-check failed: wait(key)
         /\ pc' = [base EXCEPT ![t] = "wait"]
         /\ UNCHANGED <<phase, late, spun, res>>
    [] phase[t] = "after" /\ late[t] ->
         \* !in_time and the last attempt says retry: status::timeout
         /\ pc' = [base EXCEPT ![t] = "idle"]
         /\ res' = [res EXCEPT ![t] = "timeout"]
         /\ phase' = [phase EXCEPT ![t] = "none"]
         /\ late' = [late EXCEPT ![t] = FALSE]
         /\ spun' = [spun EXCEPT ![t] = 0]
    [] OTHER ->
         \* after the wait, still retry: prepare() again (for (;;))
         /\ pc' = [base EXCEPT ![t] = "p_key"]
         /\ UNCHANGED <<phase, late, spun, res>>

\* the attempt pushed or popped: notify_one on the peer's waitset next
ToNotify(t) == /\ pc' = [pc EXCEPT ![t] = "n_check"]
               /\ UNCHANGED <<phase, late, spun, res>>

----------------------------------------------------------------------------
(* Between calls                                                           *)

SenderDone(s) == sentBy[s] = MaxItems \/ res[s] = "disconnected"
ReceiverDone == res[Rx] = "disconnected"
Done(t) == IF t = Rx THEN ReceiverDone ELSE SenderDone(t)

\* send(v) / recv(): the first attempt (block_on's r = attempt())
Call(t) ==
  /\ pc[t] = "idle" /\ ~Done(t)
  /\ pc' = [pc EXCEPT ![t] = Start(t)]
  /\ phase' = [phase EXCEPT ![t] = "first"]
  /\ UNCHANGED <<count, senders, receivers, ovars, waiters, moved, late,
                 spun, res, sentBy, recvd, destroyed, spurious, timeouts>>

\* ~sender / ~receiver (detail::handle::reset -> Side::leave): after the
\* last value (or the disconnect): Leave; earlier, only when allowed:
\* LeaveEarly; a sender that is done and may linger: LeaveLate (both
\* voluntary, no fairness)
Drop(t) ==
  /\ pc[t] = "idle"
  /\ pc' = [pc EXCEPT ![t] = "d_leave"]
  /\ phase' = [phase EXCEPT ![t] = "drop"]
  /\ UNCHANGED <<count, senders, receivers, ovars, waiters, moved, late,
                 spun, res, sentBy, recvd, destroyed, spurious, timeouts>>
Lingers(t) == SendersLinger /\ t # Rx
Leave(t) == Done(t) /\ ~Lingers(t) /\ Drop(t)
LeaveLate(t) == Done(t) /\ Lingers(t) /\ Drop(t)
LeaveEarly(t) ==
  /\ ~Done(t)
  /\ IF t = Rx THEN ReceiverMayLeave ELSE SenderMayLeave
  /\ Drop(t)

----------------------------------------------------------------------------
(* sender::attempt                                                         *)

\* b->receivers.load(see_leave) == 0 -> status::disconnected (v kept)
SSee(s) ==
  /\ pc[s] = "s_see"
  /\ IF receivers = 0
       THEN Settle(s, "disconnected", pc)
       ELSE /\ pc' = [pc EXCEPT ![s] = "s_push"]
            /\ UNCHANGED <<phase, late, spun, res>>
  /\ UNCHANGED <<count, senders, receivers, ovars, waiters, moved, sentBy,
                 recvd, destroyed, spurious, timeouts>>

\* q_.push(std::move(v)): ok -> not_empty.notify_one() (then SRecheck);
\* full -> retry
SPush(s) ==
  /\ pc[s] = "s_push"
  /\ IF count < C
       THEN /\ count' = count + 1
            /\ sentBy' = [sentBy EXCEPT ![s] = @ + 1]
            /\ ToNotify(s)
       ELSE /\ Settle(s, "retry", pc)
            /\ UNCHANGED <<count, sentBy>>
  /\ UNCHANGED <<senders, receivers, ovars, waiters, moved, recvd, destroyed,
                 spurious, timeouts>>

\* after the push's notify_one (whose notify_fence pairs with drain_fence):
\* receivers.load(relaxed) == 0 -> b->drain_orphans(nullptr); then ok
SRecheck(s) ==
  /\ pc[s] = "s_recheck"
  /\ IF receivers = 0
       THEN /\ pc' = [pc EXCEPT ![s] = "o_lock"]
            /\ UNCHANGED <<phase, late, spun, res>>
       ELSE Settle(s, "ok", pc)
  /\ UNCHANGED <<count, senders, receivers, ovars, waiters, moved, sentBy,
                 recvd, destroyed, spurious, timeouts>>

----------------------------------------------------------------------------
(* receiver::attempt                                                       *)

\* out = q_.pop(): a value -> not_full.notify_one(); none -> see_leave
RPop(t) ==
  /\ pc[t] = "r_pop"
  /\ IF count > 0
       THEN /\ count' = count - 1
            /\ recvd' = recvd + 1
            /\ ToNotify(t)
       ELSE /\ pc' = [pc EXCEPT ![t] = "r_see"]
            /\ UNCHANGED <<count, recvd, phase, late, spun, res>>
  /\ UNCHANGED <<senders, receivers, ovars, waiters, moved, sentBy,
                 destroyed, spurious, timeouts>>

\* b->senders.load(see_leave) != 0 -> status::empty (retry)
RSee(t) ==
  /\ pc[t] = "r_see"
  /\ IF senders # 0
       THEN Settle(t, "retry", pc)
       ELSE /\ pc' = [pc EXCEPT ![t] = "r_pop2"]
            /\ UNCHANGED <<phase, late, spun, res>>
  /\ UNCHANGED <<count, senders, receivers, ovars, waiters, moved, sentBy,
                 recvd, destroyed, spurious, timeouts>>

\* out = q_.pop() once more (F1): a value sent just before the last sender
\* left; none -> status::disconnected. Bug "stale_final_pop": this pop may
\* miss a value that is there.
RPop2(t) ==
  /\ pc[t] = "r_pop2"
  /\ \/ /\ count > 0
        /\ count' = count - 1
        /\ recvd' = recvd + 1
        /\ ToNotify(t)
     \/ /\ count = 0 \/ Bug = "stale_final_pop"
        /\ Settle(t, "disconnected", pc)
        /\ UNCHANGED <<count, recvd>>
  /\ UNCHANGED <<senders, receivers, ovars, waiters, moved, sentBy,
                 destroyed, spurious, timeouts>>

----------------------------------------------------------------------------
(* The block's release (detail::handle::reset -> block::release ->         *)
(* release_ref, after Side::leave): the last handle frees the block, and   *)
(* with it the ring handle kept in block::orphans, the ring's last: its    *)
(* ~shared destroys whatever is still queued (nothing, by NoOrphans).      *)
(* t's reset() ends here; the others are all gone already or not.          *)
BlockFree(t) ==
  IF \A u \in Threads \ {t} : pc[u] = "gone"
    THEN /\ count' = 0
         /\ destroyed' = destroyed + count
    ELSE UNCHANGED <<count, destroyed>>

----------------------------------------------------------------------------
(* waitset::notify_one (after a push or pop, on the peer's waitset) and    *)
(* waitset::notify_all (the last leave). phase "drop": notify_all.         *)

\* after the notify: reset() is done (then the block's release, BlockFree);
\* a receiver's attempt returns ok; a sender's goes on to its re-check of
\* receivers (Bug "no_sender_drain": returns ok)
NotifyDone(t, base) ==
  CASE phase[t] = "drop" ->
         /\ pc' = [base EXCEPT ![t] = "gone"]
         /\ phase' = [phase EXCEPT ![t] = "none"]
         /\ UNCHANGED <<late, spun, res>>
         /\ BlockFree(t)
    [] t # Rx /\ Bug # "no_sender_drain" ->
         /\ pc' = [base EXCEPT ![t] = "s_recheck"]
         /\ UNCHANGED <<phase, late, spun, res, count, destroyed>>
    [] OTHER -> Settle(t, "ok", base) /\ UNCHANGED <<count, destroyed>>

\* fence(notify_fence) [seq_cst: pairs with prepare_fence, and in a
\* sender's attempt with drain_fence]; O::wake && waiters.load(relaxed) != 0
NCheck(t) ==
  /\ pc[t] = "n_check"
  /\ IF Bug # "no_wake" /\ waiters[Peer(t)] # 0
       THEN /\ pc' = [pc EXCEPT ![t] = "n_bump"]
            /\ UNCHANGED <<phase, late, spun, res, count, destroyed>>
       ELSE NotifyDone(t, pc)
  /\ UNCHANGED <<senders, receivers, ovars, waiters, moved, sentBy, recvd,
                 spurious, timeouts>>

\* the threads that hold a key on w (between prepare() and cancel())
KeyHolders(w) ==
  {u \in Threads :
     Own(u) = w /\ (pc[u] = "p_announce" \/ phase[u] = "recheck")}

\* seq.fetch_add(1, relaxed): a waiter that read its key before this returns
\* from futex_wait at once (its seq_ != key from now on)
NBump(t) ==
  /\ pc[t] = "n_bump"
  /\ moved' = [u \in Threads |-> moved[u] \/ u \in KeyHolders(Peer(t))]
  /\ pc' = [pc EXCEPT ![t] = "n_wake"]
  /\ UNCHANGED <<count, senders, receivers, ovars, waiters, phase, late,
                 spun, res, sentBy, recvd, destroyed, spurious, timeouts>>

Sleepers(w) == {u \in Threads : pc[u] = "asleep" /\ Own(u) = w}

\* futex_wake_one(seq): one sleeper, if any, returns from its wait;
\* futex_wake_all(seq) (notify_all, phase "drop"): every sleeper
NWake(t) ==
  /\ pc[t] = "n_wake"
  /\ LET ws == Sleepers(Peer(t)) IN
       IF phase[t] = "drop" \/ ws = {}
         THEN NotifyDone(t, [u \in Threads |-> IF u \in ws THEN "cancel"
                                                          ELSE pc[u]])
         ELSE \E u \in ws : NotifyDone(t, [pc EXCEPT ![u] = "cancel"])
  /\ UNCHANGED <<senders, receivers, ovars, waiters, moved, sentBy, recvd,
                 spurious, timeouts>>

----------------------------------------------------------------------------
(* block_on's park loop on the thread's own waitset                        *)

\* prepare(): key = seq.load(relaxed), read before the announce
PKey(t) ==
  /\ pc[t] = "p_key"
  /\ moved' = [moved EXCEPT ![t] = FALSE]
  /\ pc' = [pc EXCEPT ![t] = "p_announce"]
  /\ UNCHANGED <<count, senders, receivers, ovars, waiters, phase, late,
                 spun, res, sentBy, recvd, destroyed, spurious, timeouts>>

\* prepare(): waiters.fetch_add(1, relaxed); fence(prepare_fence) [seq_cst:
\* pairs with notify_fence]; then the attempt again: the re-check.
\* Bug "no_recheck": straight to wait(key).
PAnnounce(t) ==
  /\ pc[t] = "p_announce"
  /\ waiters' = [waiters EXCEPT ![Own(t)] = @ + 1]
  /\ phase' = [phase EXCEPT ![t] = "recheck"]
  /\ pc' = [pc EXCEPT ![t] = IF Bug = "no_recheck" THEN "wait" ELSE Start(t)]
  /\ UNCHANGED <<count, senders, receivers, ovars, moved, late, spun, res,
                 sentBy, recvd, destroyed, spurious, timeouts>>

\* the re-check returned something other than retry: cancel(); return r
CancelRet(t) ==
  /\ pc[t] = "cancel_ret"
  /\ waiters' = [waiters EXCEPT ![Own(t)] = @ - 1]
  /\ pc' = [pc EXCEPT ![t] = "idle"]
  /\ phase' = [phase EXCEPT ![t] = "none"]
  /\ late' = [late EXCEPT ![t] = FALSE]
  /\ spun' = [spun EXCEPT ![t] = 0]
  /\ moved' = [moved EXCEPT ![t] = FALSE]   \* no key held any more
  /\ UNCHANGED <<count, senders, receivers, ovars, res, sentBy, recvd,
                 destroyed, spurious, timeouts>>

\* wait(key) = futex_wait(seq, key): the kernel compares and enqueues in one
\* step: sleeps only while seq == key, else returns at once
Wait(t) ==
  /\ pc[t] = "wait"
  /\ pc' = [pc EXCEPT ![t] = IF moved[t] THEN "cancel" ELSE "asleep"]
  /\ UNCHANGED <<count, senders, receivers, ovars, waiters, phase, moved,
                 late, spun, res, sentBy, recvd, destroyed, spurious,
                 timeouts>>

\* the futex returns with no wake (allowed, never required: no fairness)
Spurious(t) ==
  /\ pc[t] = "asleep" /\ spurious < MaxSpurious
  /\ spurious' = spurious + 1
  /\ pc' = [pc EXCEPT ![t] = "cancel"]
  /\ UNCHANGED <<count, senders, receivers, ovars, waiters, phase, moved,
                 late, spun, res, sentBy, recvd, destroyed, timeouts>>

\* wait_until(key, deadline) returns false: the deadline passed before or
\* during the wait (send_until / recv_until; no fairness)
Expire(t) ==
  /\ pc[t] \in {"wait", "asleep"} /\ timeouts < MaxTimeouts
  /\ timeouts' = timeouts + 1
  /\ pc' = [pc EXCEPT ![t] = "cancel"]
  /\ late' = [late EXCEPT ![t] = TRUE]
  /\ UNCHANGED <<count, senders, receivers, ovars, waiters, phase, moved,
                 spun, res, sentBy, recvd, destroyed, spurious>>

\* cancel() (waiters.fetch_sub(1, relaxed)), then the attempt after the wait
Cancel(t) ==
  /\ pc[t] = "cancel"
  /\ waiters' = [waiters EXCEPT ![Own(t)] = @ - 1]
  /\ phase' = [phase EXCEPT ![t] = "after"]
  /\ pc' = [pc EXCEPT ![t] = Start(t)]
  /\ moved' = [moved EXCEPT ![t] = FALSE]   \* no key held any more
  /\ UNCHANGED <<count, senders, receivers, ovars, late, spun, res, sentBy,
                 recvd, destroyed, spurious, timeouts>>

----------------------------------------------------------------------------
(* sender_side::leave / receiver_side::leave                               *)

\* a sender: { auto gone = std::move(l.q); } (the ring handle first, H1;
\* never the ring's last), senders.fetch_sub(1, leave) [release: pairs
\* with see_leave]; the last one: not_empty.notify_all() (H1).
\* The receiver: receivers.fetch_sub(1, leave); the last one:
\* fence(drain_fence) [seq_cst: pairs with the notify_fence before a
\* sender's SRecheck], then drain_orphans(&l.q) (ORPHANS), then
\* not_full.notify_all()
DLeave(t) ==
  /\ pc[t] = "d_leave"
  /\ IF t = Rx THEN /\ receivers' = receivers - 1
                    /\ UNCHANGED senders
                    /\ pc' = [pc EXCEPT ![t] = "o_lock"]
                    /\ UNCHANGED <<phase, count, destroyed>>
               ELSE /\ senders' = senders - 1
                    /\ UNCHANGED receivers
                    /\ IF senders = 1
                         THEN /\ pc' = [pc EXCEPT ![t] = "n_check"]
                              /\ UNCHANGED <<phase, count, destroyed>>
                         ELSE /\ pc' = [pc EXCEPT ![t] = "gone"]
                              /\ phase' = [phase EXCEPT ![t] = "none"]
                              /\ BlockFree(t)
  /\ UNCHANGED <<ovars, waiters, moved, late, spun, res, sentBy, recvd,
                 spurious, timeouts>>

----------------------------------------------------------------------------
(* block::drain_orphans (the last receiver, with its ring handle; or a     *)
(* sender whose SRecheck read receivers == 0, with none)                   *)

\* while (draining.exchange(true, drain_lock)) spin_pause(); (the spin is
\* no step: the exchange succeeds once the lock is free). The receiver:
\* orphans.emplace(std::move(*rx)): its ring handle is kept in the block
OLock(t) ==
  /\ pc[t] = "o_lock"
  /\ ~locked
  /\ locked' = TRUE
  /\ kept' = (kept \/ t = Rx)
  /\ pc' = [pc EXCEPT ![t] = "o_pop"]
  /\ UNCHANGED <<count, senders, receivers, waiters, phase, moved, late, spun,
                 res, sentBy, recvd, destroyed, spurious, timeouts>>

\* if (orphans) for (;;) { std::optional<T> gone; if (!orphans->pop_into(
\* gone)) break; }: a value popped and destroyed; none (or no handle kept
\* yet: a sender that saw receivers == 0 before the receiver took the lock)
\* -> draining.store(false, drain_unlock), and then the receiver runs
\* not_full.notify_all(), a sender's attempt returns ok
OPop(t) ==
  /\ pc[t] = "o_pop"
  /\ IF kept /\ count > 0
       THEN /\ count' = count - 1
            /\ destroyed' = destroyed + 1
            /\ UNCHANGED <<pc, locked, phase, late, spun, res>>
       ELSE /\ locked' = FALSE
            /\ UNCHANGED <<count, destroyed>>
            /\ IF t = Rx
                 THEN /\ pc' = [pc EXCEPT ![t] = "n_check"]
                      /\ UNCHANGED <<phase, late, spun, res>>
                 ELSE Settle(t, "ok", pc)
  /\ UNCHANGED <<senders, receivers, kept, waiters, moved, sentBy, recvd,
                 spurious, timeouts>>

----------------------------------------------------------------------------
AllGone == \A t \in Threads : pc[t] = "gone"

\* every handle dropped, every call returned: nothing more happens (not a
\* deadlock; TLC's deadlock check stays on for everything else)
Terminated == AllGone /\ UNCHANGED vars

\* a thread's own steps that its program must take (fair)
Step(t) ==
  \/ Call(t) \/ Leave(t)
  \/ SSee(t) \/ SPush(t) \/ SRecheck(t) \/ RPop(t) \/ RSee(t) \/ RPop2(t)
  \/ NCheck(t) \/ NBump(t) \/ NWake(t)
  \/ PKey(t) \/ PAnnounce(t) \/ CancelRet(t) \/ Wait(t) \/ Cancel(t)
  \/ DLeave(t) \/ OLock(t) \/ OPop(t)

\* the environment's choices (no fairness)
Env(t) == Spurious(t) \/ Expire(t) \/ LeaveEarly(t) \/ LeaveLate(t)

Next == \/ \E t \in Threads : Step(t) \/ Env(t)
        \/ Terminated

\* Every thread keeps running its program; spurious wake-ups, deadlines,
\* early drops and a lingering sender's drop are never required. (A
\* sleeping thread has no Step enabled: only the peer's NWake moves it.)
Fairness == \A t \in Threads : WF_vars(Step(t))

Spec == Init /\ [][Next]_vars /\ Fairness

----------------------------------------------------------------------------
(* Safety                                                                  *)

InCall(t) == phase[t] \in {"first", "recheck", "after"}
Asleep(t) == pc[t] = "asleep"
\* t's attempt would not say retry: room (or no receiver) for a sender,
\* a value (or no sender) for the receiver
CanProceed(t) == IF t = Rx THEN count > 0 \/ senders = 0
                           ELSE count < C \/ receivers = 0

\* nothing lost, nothing duplicated: every value pushed was popped, is in
\* the ring, or was destroyed (by an orphan drain, or with the block)
Conservation == Sent = recvd + count + destroyed

\* values are destroyed only when nobody can receive them any more: after
\* the last receiver has gone (never while a receiver could still pop them)
DestroyOnlyOrphans == destroyed > 0 => receivers = 0

\* sender s pushed and has not yet finished its re-check of receivers (and
\* the drain it leads to): its push may have come after the receiver's
\* drain
PushInFlight(s) ==
  /\ InCall(s)
  /\ pc[s] \in {"n_check", "n_bump", "n_wake", "s_recheck", "o_lock", "o_pop"}
\* the last receiver is between its leave and the end of its drain
RxDraining == pc[Rx] \in {"o_lock", "o_pop"}

\* ORPHANS: once the last receiver has gone (and finished its drain) and
\* every send whose push may have followed that drain has done its
\* re-check, the ring holds nothing: no value outlives the last receiver
\* by more than its sender's send call, whether or not the senders still
\* hold their handles. (So the ring's last handle, which goes with the
\* block after every channel handle, destroys nothing.)
NoOrphans ==
  (receivers = 0 /\ ~RxDraining /\ \A s \in Senders : ~PushInFlight(s))
    => count = 0

\* the orphan lock is held exactly by the thread inside drain_orphans, and
\* the receiver's ring handle is kept once it has taken the lock
DrainLockExact ==
  /\ locked = (\E t \in Threads : pc[t] = "o_pop")
  /\ Cardinality({t \in Threads : pc[t] = "o_pop"}) <= 1
  /\ kept = (receivers = 0 /\ pc[Rx] # "o_lock")

\* F1: when recv() reports disconnected, every value sent was received
DrainComplete == res[Rx] = "disconnected" => recvd = Sent /\ count = 0

\* waiters_ counts exactly the threads between prepare() and cancel()
WaitersExact == \A w \in Waitsets :
  waiters[w] =
    Cardinality({t \in Threads : Own(t) = w /\ phase[t] = "recheck"})

\* a notify of w in flight that will reach the futex wake (the last
\* receiver's not_full.notify_all() comes after its orphan drain)
WakeComing(w) == \E u \in Threads :
  /\ Peer(u) = w
  /\ \/ pc[u] \in {"n_bump", "n_wake"}
     \/ pc[u] = "n_check" /\ Bug # "no_wake" /\ waiters[w] # 0
     \/ /\ pc[u] \in {"o_lock", "o_pop"} /\ phase[u] = "drop"
        /\ Bug # "no_wake" /\ waiters[w] # 0
\* another thread of the same side that will run an attempt before it can
\* sleep (MPSC: notify_one may wake it instead, and its attempt takes the
\* room or finds none)
WillAttempt(v) ==
  /\ InCall(v)
  /\ pc[v] \notin {"asleep", "cancel_ret", "n_check", "n_bump", "n_wake",
                   "s_recheck", "o_lock", "o_pop"}
  /\ ~(pc[v] = "wait" /\ ~moved[v])

\* "no side sleeps while it could make progress": a thread asleep in the
\* futex although its attempt would succeed has a wake on its way
SleepCovered == \A t \in Threads :
  Asleep(t) /\ CanProceed(t) =>
    \/ WakeComing(Own(t))
    \/ \E v \in Threads \ {t} : Own(v) = Own(t) /\ WillAttempt(v)

----------------------------------------------------------------------------
(* Liveness (under Fairness)                                               *)

\* no lost wakeup: a sleeper whose attempt would succeed is woken
NoLostWakeup == \A t \in Threads : (Asleep(t) /\ CanProceed(t)) ~> ~Asleep(t)

\* every value sent is received, unless the receiver leaves (ping-pong at
\* capacity 1 never deadlocks): whatever is in flight is eventually all
\* received (recvd only grows, so each value sent by then is among them)
EveryItemReceived == (recvd < Sent) ~> (recvd = Sent \/ receivers = 0)

\* a call in progress when its peer is gone returns (H1; implied by
\* DisconnectEnds, which the MPSC cfg checks alone)
PeerGone(t) == IF t = Rx THEN senders = 0 ELSE receivers = 0
PeerGoneReturns == \A t \in Threads : (InCall(t) /\ PeerGone(t)) ~> ~InCall(t)

\* after a disconnect every call returns and both sides finish (not with
\* SendersLinger: a sender that is done may keep its handle for ever)
Disconnected == senders = 0 \/ receivers = 0
DisconnectEnds == Disconnected ~> AllGone

\* the block's free (the ring's last handle) finds the ring empty: values
\* go with the last receiver, never with the last handle
LastHandleFindsEmpty == [][(~AllGone /\ AllGone') => count = 0]_vars

\* ORPHANS (liveness): once the receiver is gone, the ring is eventually
\* empty for good, even while a sender holds its handle for ever (with
\* SendersLinger): the values go with the last receiver, not with the last
\* handle
OrphansDestroyed == (receivers = 0) ~> [](count = 0)
=============================================================================
