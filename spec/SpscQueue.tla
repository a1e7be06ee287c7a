----------------------------- MODULE SpscQueue -----------------------------
(***************************************************************************)
(* nexus::queue::spsc (include/nexus/queue/spsc.hpp) at the level of its    *)
(* atomic steps. Variables and actions are named after the code:           *)
(*   tail, head        the shared free-running indices                     *)
(*   ptail, cached_head   the producer handle's own copies                 *)
(*   chead, cached_tail   the consumer handle's own copies                 *)
(*   slots             the ring (0 = empty slot)                           *)
(*   handles           live handles; the last one destroys [head, tail)    *)
(* The producer pushes 1..N; the consumer pops, and after seeing the       *)
(* producer gone drains what is left (the is_disconnected rule).           *)
(* BUGGY: push publishes tail before writing the slot (the publish order   *)
(* inverted), so the consumer can take an empty slot.                      *)
(***************************************************************************)
EXTENDS Naturals, Sequences

CONSTANTS Cap, N, BUGGY

VARIABLES tail, head, ptail, cached_head, chead, cached_tail, slots,
          handles, ppc, cpc, popped, destroyed, next
vars == <<tail, head, ptail, cached_head, chead, cached_tail, slots,
          handles, ppc, cpc, popped, destroyed, next>>

Slot(i) == i % Cap

Init ==
  /\ tail = 0 /\ head = 0 /\ ptail = 0 /\ cached_head = 0
  /\ chead = 0 /\ cached_tail = 0
  /\ slots = [s \in 0..Cap-1 |-> 0]
  /\ handles = 2
  /\ ppc = "push" /\ cpc = "pop"
  /\ popped = << >> /\ destroyed = << >> /\ next = 1

\* ---- producer: push(v) ------------------------------------------------
\* refresh_head: tail - cached_head > mask  ->  cached_head := head (see_free)
PushRefresh ==
  /\ ppc = "push" /\ next <= N
  /\ ptail - cached_head >= Cap
  /\ cached_head' = head
  /\ UNCHANGED <<tail, head, ptail, chead, cached_tail, slots, handles, ppc, cpc, popped, destroyed, next>>

\* construct v in slots[tail & mask]; tail.store(tail + 1, publish)
Push ==
  /\ ppc = "push" /\ next <= N
  /\ ptail - cached_head < Cap
  /\ IF BUGGY
       THEN /\ tail' = ptail + 1 /\ ppc' = "write" /\ UNCHANGED <<slots, next>>
       ELSE /\ slots' = [slots EXCEPT ![Slot(ptail)] = next]
            /\ tail' = ptail + 1 /\ next' = next + 1 /\ UNCHANGED ppc
  /\ ptail' = ptail + 1
  /\ UNCHANGED <<head, cached_head, chead, cached_tail, handles, cpc, popped, destroyed>>

\* BUGGY only: the slot written after the publish
LateWrite ==
  /\ ppc = "write"
  /\ slots' = [slots EXCEPT ![Slot(ptail - 1)] = next]
  /\ next' = next + 1 /\ ppc' = "push"
  /\ UNCHANGED <<tail, head, ptail, cached_head, chead, cached_tail, handles, cpc, popped, destroyed>>

\* ~producer: handles.fetch_sub(1, release_handle)
DropProducer ==
  /\ ppc = "push" /\ next > N
  /\ handles' = handles - 1 /\ ppc' = "gone"
  /\ UNCHANGED <<tail, head, ptail, cached_head, chead, cached_tail, slots, cpc, popped, destroyed, next>>

\* ---- consumer: pop() ---------------------------------------------------
\* refresh_tail: head == cached_tail  ->  cached_tail := tail (observe)
PopRefresh ==
  /\ cpc \in {"pop", "drain"}
  /\ chead = cached_tail /\ cached_tail # tail
  /\ cached_tail' = tail
  /\ UNCHANGED <<tail, head, ptail, cached_head, chead, slots, handles, ppc, cpc, popped, destroyed, next>>

\* take slots[head & mask]; head.store(head + 1, free_slot)
Pop ==
  /\ cpc \in {"pop", "drain"}
  /\ chead # cached_tail
  /\ popped' = Append(popped, slots[Slot(chead)])
  /\ slots' = [slots EXCEPT ![Slot(chead)] = 0]
  /\ head' = chead + 1 /\ chead' = chead + 1
  /\ UNCHANGED <<tail, ptail, cached_head, cached_tail, handles, ppc, cpc, destroyed, next>>

\* is_disconnected(): handles == 1 (see_disconnect); then drain
SeeDisconnect ==
  /\ cpc = "pop" /\ handles = 1 /\ ppc = "gone"
  /\ cpc' = "drain"
  /\ UNCHANGED <<tail, head, ptail, cached_head, chead, cached_tail, slots, handles, ppc, popped, destroyed, next>>

\* ~consumer (after draining, or at any time: values may stay in flight)
DropConsumer ==
  /\ cpc \in {"pop", "drain"}
  /\ (cpc = "drain" => (chead = cached_tail /\ cached_tail = tail))
  /\ handles' = handles - 1 /\ cpc' = "gone"
  /\ UNCHANGED <<tail, head, ptail, cached_head, chead, cached_tail, slots, ppc, popped, destroyed, next>>

\* the last handle destroys exactly [head, tail)
Cleanup ==
  /\ handles = 0 /\ destroyed = << >> /\ ppc = "gone" /\ cpc = "gone"
  /\ destroyed' = [k \in 1..(tail - head) |-> slots[Slot(head + k - 1)]] \o << 0 >>
  /\ UNCHANGED <<tail, head, ptail, cached_head, chead, cached_tail, slots, handles, ppc, cpc, popped, next>>

Done == handles = 0 /\ destroyed # << >> /\ UNCHANGED vars

Next == PushRefresh \/ Push \/ LateWrite \/ DropProducer
        \/ PopRefresh \/ Pop \/ SeeDisconnect \/ DropConsumer \/ Cleanup \/ Done

Fairness == /\ WF_vars(PushRefresh) /\ WF_vars(Push) /\ WF_vars(LateWrite) /\ WF_vars(DropProducer)
            /\ WF_vars(PopRefresh) /\ WF_vars(Pop) /\ WF_vars(SeeDisconnect) /\ WF_vars(Cleanup)
Spec == Init /\ [][Next]_vars /\ Fairness

\* ---- invariants ---------------------------------------------------------
Bounds == 0 <= tail - head /\ tail - head <= Cap
CachesStaleLow == cached_head <= head /\ cached_tail <= tail
\* every popped value is the next in order: FIFO, nothing lost or duplicated
Fifo == \A k \in 1..Len(popped) : popped[k] = k
\* slots in [head, tail) hold exactly the values pushed and not popped
LiveSlots == BUGGY \/ \A i \in head..(tail - 1) : slots[Slot(i)] = i + 1
\* a consumer that saw the producer gone and drained has everything
DrainComplete == (cpc = "gone" /\ ppc = "gone" /\ handles = 0 /\ Len(popped) > 0 /\ tail = head)
                 => Len(popped) = N
\* after both handles: popped ++ destroyed is 1..N exactly once
ExactlyOnce == destroyed # << >> =>
  LET all == popped \o SubSeq(destroyed, 1, Len(destroyed) - 1)
  IN Len(all) = N /\ \A k \in 1..N : all[k] = k

\* liveness: with a consumer that keeps popping, everything pushed arrives
AllDelivered == <>(Len(popped) = N \/ cpc = "gone")
=============================================================================
