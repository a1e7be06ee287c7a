--------------------------- MODULE NotifyAbstract ---------------------------
(***************************************************************************)
(* The conflating event queue (include/nexus/notify/event_queue.hpp) as    *)
(* its users see it: a SET of pending tokens and the FIFO of their first   *)
(* notification. No flags, no ring, no stamps. Notify.tla (the code's      *)
(* atomic steps) refines this module; Notify.cfg checks that as the        *)
(* PROPERTY Refinement.                                                    *)
(*                                                                         *)
(*   pending  tokens with an open event: notified, not yet delivered       *)
(*   fifo     the open events in delivery order, one entry per token       *)
(*   ppc      a notifier's state: "idle", or "push" (its notify opened an  *)
(*            event that has not taken its place in the FIFO yet)          *)
(*   ptok     the token of that notify                                     *)
(*   sent     notifies made per notifier (bounds the model)                *)
(*   owed     ghost: a notify of t was made and no delivery of t has       *)
(*            happened since                                               *)
(*                                                                         *)
(* notify(t) is two steps, as in the code: Notify (the flag exchange)      *)
(* decides "conflated" (t already pending: done) or "new event"; a new     *)
(* event then takes its place at the end of the FIFO (Enqueue: the tail    *)
(* CAS). So the FIFO order is the order in which first notifications took  *)
(* their place: an event opened by a notify that returned before another   *)
(* notify started is ahead of that one's; two racing first notifications   *)
(* may come out either way. A single-step notify is not a correct          *)
(* abstraction: a conflated notify may return while the event it joined is *)
(* still being pushed, so a poll right after it may miss t; a later poll   *)
(* delivers it.                                                            *)
(* Poll takes the oldest event, closes it (t is no longer pending: a new   *)
(* notify of t opens a new event) and hands t to the user.                 *)
(*                                                                         *)
(* Tokens 0..MaxTokens-1 (the code's token indices); notifier p makes at   *)
(* most MaxNotifies notifies (this bounds the model, not the code).        *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS NumProducers,  \* notifier handles (notifier::clone)
          MaxTokens,     \* event_queue(max_tokens)
          MaxNotifies    \* notifies per notifier

ASSUME NumProducers \in Nat \ {0} /\ MaxTokens \in Nat \ {0}
ASSUME MaxNotifies \in Nat

Producers == 0..NumProducers-1
Tokens == 0..MaxTokens-1
NoToken == MaxTokens   \* not a token: a local that holds none

VARIABLES pending, fifo, ppc, ptok, sent, owed
vars == <<pending, fifo, ppc, ptok, sent, owed>>

Init ==
  /\ pending = {}
  /\ fifo = << >>
  /\ ppc = [p \in Producers |-> "idle"]
  /\ ptok = [p \in Producers |-> NoToken]
  /\ sent = [p \in Producers |-> 0]
  /\ owed = [t \in Tokens |-> FALSE]

\* notify(t), its first step: conflated if t is pending, else a new event
\* (t becomes pending; its place in the FIFO is taken by Enqueue).
Notify(p, t) ==
  /\ ppc[p] = "idle" /\ sent[p] < MaxNotifies
  /\ sent' = [sent EXCEPT ![p] = @ + 1]
  /\ owed' = [owed EXCEPT ![t] = TRUE]
  /\ IF t \in pending
       THEN UNCHANGED <<pending, ppc, ptok>>
       ELSE /\ pending' = pending \cup {t}
            /\ ppc' = [ppc EXCEPT ![p] = "push"]
            /\ ptok' = [ptok EXCEPT ![p] = t]
  /\ UNCHANGED fifo

\* the new event takes its place at the end of the FIFO; notify returns
Enqueue(p) ==
  /\ ppc[p] = "push"
  /\ fifo' = Append(fifo, ptok[p])
  /\ ppc' = [ppc EXCEPT ![p] = "idle"]
  /\ ptok' = [ptok EXCEPT ![p] = NoToken]
  /\ UNCHANGED <<pending, sent, owed>>

\* poll: the oldest event is closed and its token delivered
Poll ==
  /\ fifo # << >>
  /\ fifo' = Tail(fifo)
  /\ pending' = pending \ {Head(fifo)}
  /\ owed' = [owed EXCEPT ![Head(fifo)] = FALSE]
  /\ UNCHANGED <<ppc, ptok, sent>>

\* every notify made and every event delivered: nothing more happens
Done ==
  /\ \A p \in Producers : ppc[p] = "idle" /\ sent[p] = MaxNotifies
  /\ fifo = << >>
  /\ UNCHANGED vars

Next ==
  \/ \E p \in Producers, t \in Tokens : Notify(p, t)
  \/ \E p \in Producers : Enqueue(p)
  \/ Poll
  \/ Done

\* A notify that opened an event finishes (its Enqueue); the poller keeps
\* polling. Notify itself has no fairness: users may stop notifying.
Fairness == /\ \A p \in Producers : WF_vars(Enqueue(p))
            /\ WF_vars(Poll)

Spec == Init /\ [][Next]_vars /\ Fairness

-----------------------------------------------------------------------------
\* ---- invariants -------------------------------------------------------------
TypeOK ==
  /\ pending \subseteq Tokens
  /\ fifo \in Seq(Tokens)
  /\ ppc \in [Producers -> {"idle", "push"}]
  /\ ptok \in [Producers -> Tokens \cup {NoToken}]
  /\ sent \in [Producers -> 0..MaxNotifies]
  /\ owed \in [Tokens -> BOOLEAN]

Pushing(t) == {p \in Producers : ppc[p] = "push" /\ ptok[p] = t}

\* a token is pending iff it has an event, and then exactly one: one FIFO
\* entry or one notify pushing it (never both, never two)
OneEventPerToken == \A t \in Tokens :
  Cardinality({i \in DOMAIN fifo : fifo[i] = t}) + Cardinality(Pushing(t))
    = IF t \in pending THEN 1 ELSE 0

\* so the FIFO never holds more than max_tokens entries
FifoBounded == Len(fifo) <= MaxTokens

\* a notify not yet followed by a delivery of its token has an open event,
\* which the poller will deliver (EveryNotifyDelivered)
NotifyCovered == \A t \in Tokens : owed[t] => t \in pending

\* ---- liveness ---------------------------------------------------------------
\* a notify is never lost: after every notify of t comes a delivery of t
EveryNotifyDelivered == \A t \in Tokens : owed[t] ~> ~owed[t]
=============================================================================
