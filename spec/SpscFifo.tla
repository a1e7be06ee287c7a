------------------------------ MODULE SpscFifo ------------------------------
(***************************************************************************)
(* The abstract SPSC queue: a bounded FIFO of capacity Cap between one     *)
(* producer and one consumer, either of which may leave (drop its handle). *)
(* When the consumer leaves, whatever is still queued is destroyed then    *)
(* (nobody can receive it); what the producer sends after that is          *)
(* destroyed when the second handle goes.                                  *)
(*                                                                         *)
(* The producer sends the values 1..N in order.  There are no indices, no  *)
(* caches, no slots: this is what the caller of nexus::queue::spsc is      *)
(* promised.  SpscQueue.tla (the ring as coded in                          *)
(* include/nexus/queue/spsc.hpp) refines this module; SpscQueue.cfg checks *)
(* that as the PROPERTY Refinement.                                        *)
(***************************************************************************)
EXTENDS Naturals, Sequences

CONSTANTS Cap,  \* capacity of the ring (a power of two in the code)
          N     \* the producer sends 1..N

ASSUME CapAssumption == Cap \in Nat \ {0}
ASSUME NAssumption == N \in Nat

Sides == {"producer", "consumer"}

VARIABLES q,          \* the values queued, oldest first
          sent,       \* values 1..sent have been sent (push returned ok)
          recvd,      \* the values pop returned, in order
          dropped,    \* the handles that are gone
          destroyed   \* the values destroyed unreceived, in order

vars == <<q, sent, recvd, dropped, destroyed>>

Init == /\ q = <<>>
        /\ sent = 0
        /\ recvd = <<>>
        /\ dropped = {}
        /\ destroyed = <<>>

\* push(v) returning status::ok (a full queue returns status::full: no step).
Send == /\ "producer" \notin dropped
        /\ sent < N
        /\ Len(q) < Cap
        /\ q' = Append(q, sent + 1)
        /\ sent' = sent + 1
        /\ UNCHANGED <<recvd, dropped, destroyed>>

\* pop() returning a value (an empty queue returns nullopt: no step).
Recv == /\ "consumer" \notin dropped
        /\ q # <<>>
        /\ recvd' = Append(recvd, Head(q))
        /\ q' = Tail(q)
        /\ UNCHANGED <<sent, dropped, destroyed>>

\* A handle goes; the consumer (or the last handle) destroys what is
\* still queued.
Drop(side) == /\ side \notin dropped
              /\ dropped' = dropped \cup {side}
              /\ IF side = "consumer" \/ dropped' = Sides
                   THEN /\ destroyed' = destroyed \o q
                        /\ q' = <<>>
                   ELSE UNCHANGED <<q, destroyed>>
              /\ UNCHANGED <<sent, recvd>>

Finished == dropped = Sides /\ UNCHANGED vars

Next == Send \/ Recv \/ \E s \in Sides : Drop(s) \/ Finished

\* Only the consumer is assumed to keep going: a queued value is eventually
\* received unless the consumer leaves.
Spec == Init /\ [][Next]_vars /\ WF_vars(Recv)

-----------------------------------------------------------------------------
Values == 1..N

TypeOK == /\ q \in Seq(Values)
          /\ sent \in 0..N
          /\ recvd \in Seq(Values)
          /\ dropped \subseteq Sides
          /\ destroyed \in Seq(Values)

Bounded == Len(q) <= Cap

Sent == [k \in 1..sent |-> k]

\* FIFO, nothing lost, nothing duplicated: every sent value is exactly once
\* in recvd, destroyed or q, and in sending order.
Conservation == recvd \o destroyed \o q = Sent

\* Nothing is destroyed while the consumer could still receive it.
DestroyOnlyUnreceivable == "consumer" \notin dropped => destroyed = <<>>

\* Liveness: every sent value is received, unless the consumer leaves.
EveryValueReceived ==
    \A k \in Values : (sent >= k) ~> (Len(recvd) >= k \/ "consumer" \in dropped)
=============================================================================
