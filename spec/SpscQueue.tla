------------------------------ MODULE SpscQueue ------------------------------
(***************************************************************************)
(* nexus::queue::spsc (include/nexus/queue/spsc.hpp) at the level of its   *)
(* atomic steps.  One variable per field of the code, one action per       *)
(* atomic step of producer::push / consumer::pop / ~handle.                *)
(*                                                                         *)
(*   code (spsc.hpp)                      spec                             *)
(*   shared::tail       atomic u64        tail                             *)
(*   shared::head       atomic u64        head                             *)
(*   shared::handles    atomic u32        handles                          *)
(*   shared::slots[]    slot<T>           slots  (Empty = uninitialised)   *)
(*   producer::cached_head_               cached_head                      *)
(*   consumer::cached_tail_               cached_tail                      *)
(*   producer::tail_, consumer::head_     folded into tail, head: only the *)
(*                                        owner writes the shared index,   *)
(*                                        so its copy equals it between    *)
(*                                        calls                            *)
(*   slot = index & mask                  index % Cap                      *)
(*                                                                         *)
(* Steps:                                                                  *)
(*   push(v): PushRefresh   cached_head_ = head.load(see_free)             *)
(*                          (only when tail - cached_head == Cap)          *)
(*            PushConstruct slots_[t & mask_].construct(v)                 *)
(*            PushPublish   tail.store(t + 1, publish); tail_ = t + 1      *)
(*   pop():   PopRefresh    cached_tail_ = tail.load(observe)              *)
(*                          (only when head == cached_tail)                *)
(*            PopTake       v = slots_[h & mask_].take()                   *)
(*            PopFree       head.store(h + 1, free_slot); head_ = h + 1    *)
(*   is_disconnected():                                                    *)
(*            SeeDisconnect handles.load(see_disconnect) == 1              *)
(*   ~producer / ~consumer (sync/block.hpp handle::reset):                 *)
(*            LeaveConsumer the consumer only (consumer_side::leave):      *)
(*                          t = tail.load(observe); destroy the values     *)
(*                          [head, t) in place; head.store(t, free_slot)   *)
(*                          (nobody can pop them any more)                 *)
(*            DropProducer / DropConsumer  handles.fetch_sub(1,            *)
(*                          release_handle); the last one runs ~shared():  *)
(*                          destroys slots [head, tail), frees the block   *)
(*                                                                         *)
(* The model is sequentially consistent: each step sees the latest value   *)
(* of every location.  What a weakened memory order would allow is         *)
(* modelled by Bug (a reordering or a stale read); the Relacy drivers in   *)
(* model/ check the real orders.  Bug = "none" is the code as shipped.     *)
(*                                                                         *)
(* The producer pushes 1, 2, ..., N (a push that finds the ring full is    *)
(* retried later with the same value).  The consumer pops; once it sees    *)
(* the producer gone it drains (pops until empty).  Either side may drop   *)
(* its handle between calls, with values still in the ring.                *)
(***************************************************************************)
EXTENDS Naturals, Sequences

CONSTANTS Cap,  \* ring capacity (capacity(), mask + 1)
          N,    \* the producer pushes 1..N
          Bug   \* "none", or one weakened step; see Bugs below

Bugs ==
  {"none",
   \* publish (tail store) relaxed: the slot's construction may become
   \* visible after the new tail.  Modelled as: publish, then construct.
   "publish_before_construct",
   \* free_slot (head store) relaxed: the slot's read may happen after the
   \* producer sees the slot free.  Modelled as: free, then take.
   "free_before_take",
   \* release_handle without acquire: the last handle's ~shared() may read a
   \* stale peer index (anything from the last value it saw to the latest).
   "stale_cleanup",
   \* see_disconnect relaxed: a consumer that saw the producer gone may still
   \* read a stale tail while draining.
   "stale_drain"}

ASSUME CapAssumption == Cap \in Nat \ {0}
ASSUME NAssumption == N \in Nat \ {0}
ASSUME BugAssumption == Bug \in Bugs

Empty == 0          \* an uninitialised slot; the values are 1..N
Values == 1..N

VARIABLES
  \* the shared block (detail::shared)
  tail, head, handles, slots,
  \* the producer handle: cached_head_, and where it is inside push()
  cached_head, ppc,
  \* the consumer handle: cached_tail_, where it is inside pop() or its
  \* drop ("leaving": consumer_side::leave done, the fetch_sub not yet), and
  \* whether it has seen the producer gone (and so is draining)
  cached_tail, cpc, cmode,
  \* ghosts (observations, not code state): the values pop() returned, the
  \* values ~shared() destroyed, the block was freed, and "the consumer saw
  \* the producer gone and then pop() came back empty"
  popped, destroyed, freed, drained

vars == <<tail, head, handles, slots, cached_head, ppc, cached_tail, cpc, cmode,
          popped, destroyed, freed, drained>>

Slot(i) == i % Cap   \* i & mask

Init == /\ tail = 0
        /\ head = 0
        /\ handles = 2
        /\ slots = [i \in 0..Cap-1 |-> Empty]
        /\ cached_head = 0
        /\ ppc = "idle"
        /\ cached_tail = 0
        /\ cpc = "idle"
        /\ cmode = "popping"
        /\ popped = <<>>
        /\ destroyed = <<>>
        /\ freed = FALSE
        /\ drained = FALSE

----------------------------------------------------------------------------
(* producer::push(v), v = tail + 1                                         *)

\* The producer has a value left to push and is between calls.
PushStart == ppc = "idle" /\ tail < N

\* refresh_head(t): the ring looks full (t - cached_head_ > mask_), reload
\* cached_head_ from head (acquire, see_free).  If it is still full, push
\* returns status::full and the producer is between calls again.
PushRefresh == /\ PushStart
               /\ tail - cached_head >= Cap
               /\ cached_head' = head
               /\ UNCHANGED <<tail, head, handles, slots, ppc, cached_tail, cpc,
                              cmode, popped, destroyed, freed, drained>>

\* slots_[t & mask_].construct(v), only when not (apparently) full.
PushConstruct == /\ Bug # "publish_before_construct"
                 /\ PushStart
                 /\ tail - cached_head < Cap
                 /\ slots' = [slots EXCEPT ![Slot(tail)] = tail + 1]
                 /\ ppc' = "constructed"
                 /\ UNCHANGED <<tail, head, handles, cached_head, cached_tail, cpc,
                                cmode, popped, destroyed, freed, drained>>

\* tail.store(t + 1, publish); tail_ = t + 1; return status::ok.
PushPublish == /\ Bug # "publish_before_construct"
               /\ ppc = "constructed"
               /\ tail' = tail + 1
               /\ ppc' = "idle"
               /\ UNCHANGED <<head, handles, slots, cached_head, cached_tail, cpc,
                              cmode, popped, destroyed, freed, drained>>

\* Bug "publish_before_construct": the tail store first ...
PushPublishEarly == /\ Bug = "publish_before_construct"
                    /\ PushStart
                    /\ tail - cached_head < Cap
                    /\ tail' = tail + 1
                    /\ ppc' = "published"
                    /\ UNCHANGED <<head, handles, slots, cached_head, cached_tail,
                                   cpc, cmode, popped, destroyed, freed, drained>>

\* ... then the construction of slot t = tail - 1.
PushConstructLate == /\ Bug = "publish_before_construct"
                     /\ ppc = "published"
                     /\ slots' = [slots EXCEPT ![Slot(tail - 1)] = tail]
                     /\ ppc' = "idle"
                     /\ UNCHANGED <<tail, head, handles, cached_head, cached_tail,
                                    cpc, cmode, popped, destroyed, freed, drained>>

----------------------------------------------------------------------------
(* consumer::pop()                                                         *)

PopStart == cpc = "idle"

\* refresh_tail(h): the ring looks empty (h == cached_tail_), reload
\* cached_tail_ from tail (acquire, observe).  Still empty: pop returns
\* nullopt; after seeing the producer gone, that ends the drain (drained).
\* Bug "stale_drain": while draining, the load may return a stale tail.
PopRefresh == /\ PopStart
              /\ head = cached_tail
              /\ IF Bug = "stale_drain" /\ cmode = "draining"
                   THEN cached_tail' \in cached_tail..tail
                   ELSE cached_tail' = tail
              /\ drained' = (drained \/ (cmode = "draining" /\ cached_tail' = head))
              /\ UNCHANGED <<tail, head, handles, slots, cached_head, ppc, cpc,
                             cmode, popped, destroyed, freed>>

\* std::optional<T> v(slots_[h & mask_].take()): move the value out, the
\* slot is uninitialised again.
PopTake == /\ Bug # "free_before_take"
           /\ PopStart
           /\ head # cached_tail
           /\ popped' = Append(popped, slots[Slot(head)])
           /\ slots' = [slots EXCEPT ![Slot(head)] = Empty]
           /\ cpc' = "taken"
           /\ UNCHANGED <<tail, head, handles, cached_head, ppc, cached_tail,
                          cmode, destroyed, freed, drained>>

\* head.store(h + 1, free_slot); head_ = h + 1; return v.
PopFree == /\ Bug # "free_before_take"
           /\ cpc = "taken"
           /\ head' = head + 1
           /\ cpc' = "idle"
           /\ UNCHANGED <<tail, handles, slots, cached_head, ppc, cached_tail,
                          cmode, popped, destroyed, freed, drained>>

\* Bug "free_before_take": the head store first ...
PopFreeEarly == /\ Bug = "free_before_take"
                /\ PopStart
                /\ head # cached_tail
                /\ head' = head + 1
                /\ cpc' = "freed"
                /\ UNCHANGED <<tail, handles, slots, cached_head, ppc, cached_tail,
                               cmode, popped, destroyed, freed, drained>>

\* ... then the read of slot h = head - 1.
PopTakeLate == /\ Bug = "free_before_take"
               /\ cpc = "freed"
               /\ popped' = Append(popped, slots[Slot(head - 1)])
               /\ slots' = [slots EXCEPT ![Slot(head - 1)] = Empty]
               /\ cpc' = "idle"
               /\ UNCHANGED <<tail, head, handles, cached_head, ppc, cached_tail,
                              cmode, destroyed, freed, drained>>

\* consumer::is_disconnected(): handles.load(see_disconnect) == 1 while the
\* consumer holds its handle means the producer is gone: start draining.
SeeDisconnect == /\ PopStart
                 /\ cmode = "popping"
                 /\ handles = 1
                 /\ cmode' = "draining"
                 /\ UNCHANGED <<tail, head, handles, slots, cached_head, ppc,
                                cached_tail, cpc, popped, destroyed, freed, drained>>

----------------------------------------------------------------------------
(* ~producer / ~consumer: shared::release                                  *)

\* ~shared(): for (i = h; i != t; ++i) slots[i & mask].destroy(); then the
\* block is freed.  Values are destroyed in index order.
Destroyed(h, t) == [k \in 1..(t - h) |-> slots[Slot(h + k - 1)]]

\* The last handle runs ~shared() with indices h, t.
Cleanup(h, t) == /\ destroyed' = destroyed \o Destroyed(h, t)
                 /\ slots' = [i \in 0..Cap-1 |-> Empty]
                 /\ freed' = TRUE

\* handles.fetch_sub(1, release_handle) == 1 -> this is the last handle.
\* Bug "stale_cleanup": the peer's index may be read stale (no acquire):
\* anything from the value this side last loaded to the latest one.
DropProducer == /\ ppc = "idle"
                /\ handles' = handles - 1
                /\ ppc' = "gone"
                /\ IF handles = 1
                     THEN IF Bug = "stale_cleanup"
                            THEN \E h \in cached_head..head : Cleanup(h, tail)
                            ELSE Cleanup(head, tail)
                     ELSE UNCHANGED <<destroyed, slots, freed>>
                /\ UNCHANGED <<tail, head, cached_head, cached_tail, cpc, cmode,
                               popped, drained>>

\* consumer_side::leave, before the consumer's fetch_sub: the values left in
\* [head, tail) can never be popped, so they are destroyed now, in index
\* order, and head moves past them (the producer may reuse their slots).
\* One step: between the tail load and the head store the producer can only
\* write slots at or past the tail loaded, and read an older head (a
\* fuller-looking ring), which the step's order before or after covers.
LeaveConsumer == /\ cpc = "idle"
                 /\ destroyed' = destroyed \o Destroyed(head, tail)
                 /\ slots' = [i \in 0..Cap-1 |->
                                IF \E j \in head..(tail - 1) : Slot(j) = i
                                  THEN Empty ELSE slots[i]]
                 /\ head' = tail
                 /\ cached_tail' = tail
                 /\ cpc' = "leaving"
                 /\ UNCHANGED <<tail, handles, cached_head, ppc, cmode, popped,
                                freed, drained>>

\* The consumer's fetch_sub; if it is the last handle, ~shared() destroys
\* what the producer pushed after LeaveConsumer (nothing, if the producer
\* had gone before it). Bug "stale_cleanup": ~shared() may read the tail
\* stale, anything from what LeaveConsumer saw (head) to the latest.
DropConsumer == /\ cpc = "leaving"
                /\ handles' = handles - 1
                /\ cpc' = "gone"
                /\ IF handles = 1
                     THEN IF Bug = "stale_cleanup"
                            THEN \E t \in head..tail : Cleanup(head, t)
                            ELSE Cleanup(head, tail)
                     ELSE UNCHANGED <<destroyed, slots, freed>>
                /\ UNCHANGED <<tail, head, cached_head, ppc, cached_tail, cmode,
                               popped, drained>>

\* Both handles gone: nothing more happens (not a deadlock).
Finished == handles = 0 /\ UNCHANGED vars

Producer == PushRefresh \/ PushConstruct \/ PushPublish
              \/ PushPublishEarly \/ PushConstructLate \/ DropProducer
Consumer == PopRefresh \/ PopTake \/ PopFree \/ PopFreeEarly \/ PopTakeLate
              \/ SeeDisconnect \/ LeaveConsumer \/ DropConsumer

Next == Producer \/ Consumer \/ Finished

\* Weak fairness on the consumer's pop steps: "the consumer keeps popping"
\* (it may still drop its handle at any time: no fairness on that), and on
\* the end of a drop once begun (a destructor that has started finishes).
\* The producer needs none: no property depends on it pushing.
Fairness == /\ WF_vars(PopRefresh)
            /\ WF_vars(PopTake)
            /\ WF_vars(PopFree)
            /\ WF_vars(PopFreeEarly)
            /\ WF_vars(PopTakeLate)
            /\ WF_vars(SeeDisconnect)
            /\ WF_vars(DropConsumer)

Spec == Init /\ [][Next]_vars /\ Fairness

----------------------------------------------------------------------------
(* Safety                                                                  *)

TypeOK == /\ tail \in 0..N
          /\ head \in 0..N
          /\ handles \in 0..2
          /\ slots \in [0..Cap-1 -> {Empty} \cup Values]
          /\ cached_head \in 0..N
          /\ ppc \in {"idle", "constructed", "published", "gone"}
          /\ cached_tail \in 0..N
          /\ cpc \in {"idle", "taken", "freed", "leaving", "gone"}
          /\ cmode \in {"popping", "draining"}
          /\ popped \in Seq({Empty} \cup Values)
          /\ destroyed \in Seq({Empty} \cup Values)
          /\ freed \in BOOLEAN
          /\ drained \in BOOLEAN

\* The values push() has handed over: push number k carries the value k.
Pushed == [k \in 1..tail |-> k]

\* 0 <= tail - head <= capacity.
IndexBounds == head <= tail /\ tail - head <= Cap

\* cached_head <= head, cached_tail <= tail: stale only in the safe
\* direction (a stale cache makes the ring look fuller / emptier, never
\* less so); and the consumer never runs past what it has seen.
CachedIndicesStale == /\ cached_head <= head
                      /\ cached_tail <= tail
                      /\ head <= cached_tail
                      /\ tail - cached_head <= Cap

\* The live window: [head, tail), less the slot a pop is taking right now.
LiveHead == IF cpc = "taken" THEN head + 1 ELSE head
Window == [k \in 1..(tail - LiveHead) |-> slots[Slot(LiveHead + k - 1)]]

\* Slots [head, tail) hold exactly the values pushed and neither popped nor
\* destroyed by the leaving consumer, in push order (FIFO, nothing lost,
\* nothing duplicated).
WindowHoldsUnpopped == ~freed => popped \o destroyed \o Window = Pushed

\* No slot outside [head, tail) holds a value, except the one push() is
\* constructing.
NoStrayValues ==
  ~freed =>
    \A i \in 0..Cap-1 :
      slots[i] # Empty =>
        \/ \E j \in LiveHead..(tail - 1) : Slot(j) = i
        \/ ppc = "constructed" /\ i = Slot(tail)

\* Observed by the consumer: pop() returns the pushed values in order, each
\* once, never an unconstructed slot.
PopFifo == /\ Len(popped) <= tail
           /\ popped = SubSeq(Pushed, 1, Len(popped))

\* Nothing is destroyed while the consumer could still pop it.
DestroyOnlyUnreceivable == cpc \in {"idle", "taken", "freed"} => destroyed = <<>>

\* After both handles are gone: every pushed value was either popped or
\* destroyed (by the leaving consumer or the last handle), exactly once, in
\* push order.
CleanupExact == freed => popped \o destroyed = Pushed

\* F3: a consumer that saw the producer gone and then found the ring empty
\* has popped everything that was pushed.
DrainComplete == drained => popped = Pushed

----------------------------------------------------------------------------
(* Liveness (under Fairness)                                               *)

\* Every pushed value is eventually popped, unless the consumer leaves.
EveryPushPopped ==
  \A k \in Values : (tail >= k) ~> (Len(popped) >= k \/ cpc = "gone")

\* A consumer that has seen the producer gone drains everything: it ends
\* up with pop() empty and every pushed value popped (DrainComplete),
\* unless it leaves first.
DisconnectDrains == (cmode = "draining") ~> (drained \/ cpc = "gone")

\* A consumer that keeps popping notices that the producer is gone.
DisconnectSeen == (ppc = "gone") ~> (cmode = "draining" \/ cpc = "gone")

----------------------------------------------------------------------------
(* Refinement: this ring implements the bounded FIFO of SpscFifo.tla.      *)
(* push linearises at PushPublish (the tail store), pop at PopTake (the    *)
(* value leaves the slot), the producer's drop at its fetch_sub, the       *)
(* consumer's at LeaveConsumer. Once both have left, what the ring still   *)
(* holds counts as destroyed: the abstract second drop destroys it at      *)
(* once; the code's last fetch_sub does it, maybe a step later.            *)

ConsumerLeft == cpc \in {"leaving", "gone"}
BothLeft == ppc = "gone" /\ ConsumerLeft
AbsQ == IF freed \/ BothLeft THEN <<>> ELSE Window
AbsDestroyed == IF ~freed /\ BothLeft THEN destroyed \o Window ELSE destroyed
AbsDropped == (IF ppc = "gone" THEN {"producer"} ELSE {})
                \cup (IF ConsumerLeft THEN {"consumer"} ELSE {})

Abs == INSTANCE SpscFifo WITH q <- AbsQ, sent <- tail, recvd <- popped,
                              dropped <- AbsDropped, destroyed <- AbsDestroyed

Refinement == Abs!Spec
=============================================================================
