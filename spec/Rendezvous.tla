---------------------------- MODULE Rendezvous ----------------------------
(***************************************************************************)
(* The rendezvous of the typed channels: capacity 0 (include/nexus/channel/*)
(* channel.hpp RENDEZVOUS: block::rv_claim / rv_offer / rv_settled /       *)
(* rv_finish / rv_take / rx_wait / rx_done / on_last_receiver, and         *)
(* sender::rv_send / rv_try_send) over block_on's park loop and the event  *)
(* counts of include/nexus/sync/waitset.hpp, one sender and one receiver.  *)
(*                                                                         *)
(*   code                                   spec                           *)
(*   block::offer_state                     st                             *)
(*   block::offered (-> the sender's arg)   the sender's item `cur`        *)
(*   block::rx_waiting                      rxw                            *)
(*   block::receivers / senders != 0        rxAlive / txAlive              *)
(*   waitsets not_empty, not_full, taken    "ne", "nf", "tk": waiters[w]   *)
(*   a notify that bumped seq_ after t      moved[t]                       *)
(*     read its key                                                        *)
(*   block_on's loop on waitset w           wph[t]: "try" (an attempt),    *)
(*                                          "recheck" (after prepare),     *)
(*                                          "asleep" (the futex)           *)
(*                                                                         *)
(* The sender sends items 1..MaxItems, each with send (a deadline that may *)
(* expire, at most MaxTimeouts times in all) or, when TrySends, try_send;  *)
(* then drops its handle. The receiver calls recv (counted in rxw, a       *)
(* deadline that may expire) or try_recv until disconnected, and may drop  *)
(* between calls when ReceiverMayLeave, or stop calling while it keeps    *)
(* its handle when ReceiverMayIdle; a receive's move may throw (at         *)
(* most MaxThrows times: the offer goes back, the call ends).              *)
(*                                                                         *)
(* One sender and one receiver: each waitset has at most one waiter, so    *)
(* notify_one and notify_all are the same step and a notify is one step    *)
(* (check waiters, bump: merging them removes only interleavings that add  *)
(* wakes). Several senders competing for the slot (not_full's notify_one)  *)
(* and several receivers are the Relacy driver's (model/channel_rendezvous *)
(* two_senders) and the unit tests' (RendezvousMpmc.ManyToManyExactlyOnce). *)
(* The model is sequentially consistent; the orders are Relacy's business. *)
(* Bug = "none" is the code as shipped; the others break one step:         *)
(*   "no_owner_wait"  send returns at its offer (a one-slot buffer)        *)
(*   "plain_retract"  the sender takes its value back with a store, not a  *)
(*                    CAS (so also while a receiver is moving it out)      *)
(*   "no_done_wake"   rx_done does not notify `taken`                      *)
(*   "no_leave_wake"  on_last_receiver does not notify `taken`             *)
(***************************************************************************)
EXTENDS Naturals, Sequences

CONSTANTS MaxItems, MaxTimeouts, MaxThrows, TrySends, ReceiverMayLeave, ReceiverMayIdle, Bug

Threads == {"s", "r"}
W == {"ne", "nf", "tk"}

VARIABLES
  st,        \* the offer slot
  rxw,       \* receivers in a blocking call
  rxAlive, txAlive,
  waiters, moved, wph,
  pc,        \* each thread's next step
  cur,       \* the sender's item (0: done)
  mode,      \* the sender's call: "send" / "try"
  res,       \* the status of the sender's current call
  rmode,     \* the receiver's call: "recv" / "try"
  got,       \* what the receiver has received, in order
  okd,       \* items whose send returned ok
  kept,      \* items whose send returned without handing over
  timeouts, throws

vars == <<st, rxw, rxAlive, txAlive, waiters, moved, wph, pc, cur, mode, res, rmode, got, okd, kept,
          timeouts, throws>>

Init ==
  /\ st = "empty" /\ rxw = 0 /\ rxAlive = TRUE /\ txAlive = TRUE
  /\ waiters = [w \in W |-> 0] /\ moved = [t \in Threads |-> FALSE] /\ wph = [t \in Threads |-> "try"]
  /\ pc = [s |-> "s_start", r |-> "r_start"] /\ cur = 1 /\ mode = "send" /\ res = "none"
  /\ rmode = "recv" /\ got = <<>> /\ okd = {} /\ kept = {} /\ timeouts = 0 /\ throws = 0

\* notify on w: a waiter there (at most one) sees seq_ moved.
Notify(w, m) == IF waiters[w] > 0 THEN [m EXCEPT ![IF w = "ne" THEN "r" ELSE "s"] = TRUE] ELSE m
WaitOf(t) == CASE pc[t] = "s_claim" -> "nf" [] pc[t] \in {"s_settle", "s_taking"} -> "tk" [] OTHER -> "ne"

\* ---- block_on's park loop, for a thread whose attempt said retry ----------
\* The attempt said retry in phase "try": prepare (key, waiters += 1, fence).
Prepare(t) ==
  /\ wph' = [wph EXCEPT ![t] = "recheck"]
  /\ waiters' = [waiters EXCEPT ![WaitOf(t)] = @ + 1]
  /\ moved' = [moved EXCEPT ![t] = FALSE]
\* The re-check also said retry: the futex wait (returns at once if moved).
Sleep(t) == wph' = [wph EXCEPT ![t] = "asleep"] /\ UNCHANGED <<waiters, moved>>
\* The attempt succeeded (or gave up): after a re-check, cancel.
Leave(t) == /\ waiters' = (IF wph[t] = "recheck" THEN [waiters EXCEPT ![WaitOf(t)] = @ - 1] ELSE waiters)
            /\ wph' = [wph EXCEPT ![t] = "try"] /\ UNCHANGED moved
Retry(t) == IF wph[t] = "try" THEN Prepare(t) ELSE Sleep(t)
\* Woken (moved): cancel, attempt again.
Wake(t) ==
  /\ wph[t] = "asleep" /\ moved[t]
  /\ wph' = [wph EXCEPT ![t] = "try"] /\ waiters' = [waiters EXCEPT ![WaitOf(t)] = @ - 1]
  /\ UNCHANGED <<st, rxw, rxAlive, txAlive, moved, pc, cur, mode, res, rmode, got, okd, kept, timeouts, throws>>
\* A deadline passes while asleep (a timed call only): cancel; the caller's
\* expired() makes one more attempt, modelled as the attempt in phase "try"
\* with the outcome retry turned into timeout (Timed*).
Timed(t) == (t = "s" /\ mode = "send" /\ pc[t] \in {"s_claim", "s_settle"}) \/ (t = "r" /\ rmode = "recv")
Expire(t) ==
  /\ wph[t] = "asleep" /\ Timed(t) /\ timeouts < MaxTimeouts
  /\ timeouts' = timeouts + 1
  /\ wph' = [wph EXCEPT ![t] = "late"] /\ waiters' = [waiters EXCEPT ![WaitOf(t)] = @ - 1]
  /\ UNCHANGED <<st, rxw, rxAlive, txAlive, moved, pc, cur, mode, res, rmode, got, okd, kept, throws>>
Late(t) == wph[t] = "late"

\* ---- the sender ------------------------------------------------------------
SStart ==
  /\ pc.s = "s_start" /\ cur \in 1..MaxItems
  /\ \E m \in (IF TrySends THEN {"send", "try"} ELSE {"send"}) :
       /\ mode' = m
       /\ IF m = "try" /\ ~rxAlive THEN pc' = [pc EXCEPT !.s = "s_ret"] /\ res' = "disconnected"
          ELSE IF m = "try" /\ rxw = 0 THEN pc' = [pc EXCEPT !.s = "s_ret"] /\ res' = "full"
          ELSE pc' = [pc EXCEPT !.s = "s_claim"] /\ res' = "none"
  /\ UNCHANGED <<st, rxw, rxAlive, txAlive, waiters, moved, wph, cur, rmode, got, okd, kept, timeouts, throws>>

\* rv_claim (block_on on not_full; try_send: once).
SClaim ==
  /\ pc.s = "s_claim" /\ wph.s # "asleep"
  /\ IF ~rxAlive THEN pc' = [pc EXCEPT !.s = "s_ret"] /\ res' = "disconnected" /\ Leave("s") /\ UNCHANGED st
     ELSE IF st = "empty" THEN st' = "claimed" /\ pc' = [pc EXCEPT !.s = "s_offer"] /\ Leave("s") /\ UNCHANGED res
     ELSE IF mode = "try" THEN pc' = [pc EXCEPT !.s = "s_ret"] /\ res' = "full" /\ Leave("s") /\ UNCHANGED st
     ELSE IF Late("s") THEN pc' = [pc EXCEPT !.s = "s_ret"] /\ res' = "timeout" /\ Leave("s") /\ UNCHANGED st
     ELSE Retry("s") /\ UNCHANGED <<st, pc, res>>
  /\ UNCHANGED <<rxw, rxAlive, txAlive, cur, mode, rmode, got, okd, kept, timeouts, throws>>

\* rv_offer: the pointer, offered, not_empty.notify_one().
SOffer ==
  /\ pc.s = "s_offer"
  /\ st' = "offered" /\ moved' = Notify("ne", moved)
  /\ pc' = [pc EXCEPT !.s = IF Bug = "no_owner_wait" THEN "s_nowait" ELSE "s_settle"]
  /\ UNCHANGED <<rxw, rxAlive, txAlive, waiters, wph, cur, mode, res, rmode, got, okd, kept, timeouts, throws>>
\* The twin: return ok at once; the receiver frees the slot.
SNoWait ==
  /\ pc.s = "s_nowait"
  /\ res' = "ok" /\ pc' = [pc EXCEPT !.s = "s_ret"]
  /\ UNCHANGED <<st, rxw, rxAlive, txAlive, waiters, moved, wph, cur, mode, rmode, got, okd, kept, timeouts, throws>>

\* rv_settled (block_on on taken).
Settled == IF st = "taken" THEN "ok" ELSE IF ~rxAlive THEN "disconnected"
           ELSE IF mode = "try" /\ rxw = 0 THEN "timeout" ELSE "retry"
SSettle ==
  /\ pc.s = "s_settle" /\ wph.s # "asleep"
  /\ LET o == Settled IN
       IF o = "ok" THEN pc' = [pc EXCEPT !.s = "s_free"] /\ res' = "ok" /\ Leave("s")
       ELSE IF o # "retry" THEN pc' = [pc EXCEPT !.s = "s_retract"] /\ res' = (IF o = "timeout" THEN "full" ELSE o) /\ Leave("s")
       ELSE IF Late("s") THEN pc' = [pc EXCEPT !.s = "s_retract"] /\ res' = "timeout" /\ Leave("s")
       ELSE Retry("s") /\ UNCHANGED <<pc, res>>
  /\ UNCHANGED <<st, rxw, rxAlive, txAlive, cur, mode, rmode, got, okd, kept, timeouts, throws>>

\* rv_finish: CAS offered -> claimed (Bug plain_retract: a store, whatever
\* the state), or wait while a receiver is taking.
SRetract ==
  /\ pc.s = "s_retract"
  /\ IF st = "offered" \/ Bug = "plain_retract" THEN st' = "claimed" /\ pc' = [pc EXCEPT !.s = "s_free"]
     ELSE IF st = "taken" THEN pc' = [pc EXCEPT !.s = "s_free"] /\ res' = "ok" /\ UNCHANGED st
     ELSE pc' = [pc EXCEPT !.s = "s_taking"] /\ UNCHANGED st
  /\ (st = "taken" /\ Bug # "plain_retract") \/ UNCHANGED res
  /\ UNCHANGED <<rxw, rxAlive, txAlive, waiters, moved, wph, cur, mode, rmode, got, okd, kept, timeouts, throws>>
\* block_on(taken) until the state is not taking; then retract again.
STaking ==
  /\ pc.s = "s_taking" /\ wph.s # "asleep"
  /\ IF st # "taking" THEN pc' = [pc EXCEPT !.s = "s_retract"] /\ Leave("s")
     ELSE Retry("s") /\ UNCHANGED pc
  /\ UNCHANGED <<st, rxw, rxAlive, txAlive, cur, mode, res, rmode, got, okd, kept, timeouts, throws>>
\* rv_free: empty, not_full.notify_one().
SFree ==
  /\ pc.s = "s_free"
  /\ st' = "empty" /\ moved' = Notify("nf", moved) /\ pc' = [pc EXCEPT !.s = "s_ret"]
  /\ UNCHANGED <<rxw, rxAlive, txAlive, waiters, wph, cur, mode, res, rmode, got, okd, kept, timeouts, throws>>
\* The call returns: ok hands the item over, anything else keeps it.
SRet ==
  /\ pc.s = "s_ret"
  /\ IF res = "ok" THEN okd' = okd \cup {cur} /\ UNCHANGED kept ELSE kept' = kept \cup {cur} /\ UNCHANGED okd
  /\ IF res = "disconnected" \/ cur = MaxItems THEN cur' = 0 /\ pc' = [pc EXCEPT !.s = "s_drop"]
     ELSE cur' = cur + 1 /\ pc' = [pc EXCEPT !.s = "s_start"]
  /\ UNCHANGED <<st, rxw, rxAlive, txAlive, waiters, moved, wph, mode, res, rmode, got, timeouts, throws>>
\* The sender's drop: senders -= 1, not_empty.notify_all().
SDrop ==
  /\ pc.s = "s_drop"
  /\ txAlive' = FALSE /\ moved' = Notify("ne", moved) /\ pc' = [pc EXCEPT !.s = "s_end"]
  /\ UNCHANGED <<st, rxw, rxAlive, waiters, wph, cur, mode, res, rmode, got, okd, kept, timeouts, throws>>

\* ---- the receiver ------------------------------------------------------------
RStart ==
  /\ pc.r = "r_start"
  /\ \E m \in {"recv", "try"} :
       /\ rmode' = m
       /\ rxw' = (IF m = "recv" THEN rxw + 1 ELSE rxw)
  /\ pc' = [pc EXCEPT !.r = "r_take"]
  /\ UNCHANGED <<st, rxAlive, txAlive, waiters, moved, wph, cur, mode, res, got, okd, kept, timeouts, throws>>
\* rv_take: CAS offered -> taking; else senders == 0 -> disconnected; else
\* empty (retry for recv).
RTake ==
  /\ pc.r = "r_take" /\ wph.r # "asleep"
  /\ IF st = "offered" THEN st' = "taking" /\ pc' = [pc EXCEPT !.r = "r_move"] /\ Leave("r")
     ELSE IF ~txAlive \/ rmode = "try" \/ Late("r") THEN pc' = [pc EXCEPT !.r = "r_end"] /\ UNCHANGED st
          /\ Leave("r")
     ELSE Retry("r") /\ UNCHANGED <<st, pc>>
  /\ UNCHANGED <<rxw, rxAlive, txAlive, cur, mode, res, rmode, got, okd, kept, timeouts, throws>>
\* The move from the sender's argument: done (taken, taken.notify_one()), or
\* it throws (offered again; taken and not_empty notified; the call ends).
RMove ==
  /\ pc.r = "r_move"
  /\ \/ /\ got' = Append(got, cur)
        /\ st' = (IF Bug = "no_owner_wait" THEN "empty" ELSE "taken")
        /\ moved' = Notify(IF Bug = "no_owner_wait" THEN "nf" ELSE "tk", moved)
        /\ UNCHANGED throws
     \/ /\ throws < MaxThrows /\ throws' = throws + 1
        /\ st' = "offered" /\ moved' = Notify("ne", Notify("tk", moved)) /\ UNCHANGED got
  /\ pc' = [pc EXCEPT !.r = "r_end"]
  /\ UNCHANGED <<rxw, rxAlive, txAlive, waiters, wph, cur, mode, res, rmode, okd, kept, timeouts>>
\* rx_done (a blocking call's end): rxw -= 1, taken.notify_one(); then the
\* next call, or the drop.
REnd ==
  /\ pc.r = "r_end"
  /\ rxw' = (IF rmode = "recv" THEN rxw - 1 ELSE rxw)
  /\ moved' = (IF rmode = "recv" /\ Bug # "no_done_wake" THEN Notify("tk", moved) ELSE moved)
  /\ \/ pc' = [pc EXCEPT !.r = IF txAlive \/ st = "offered" THEN "r_start" ELSE "r_drop"]
     \/ ReceiverMayLeave /\ pc' = [pc EXCEPT !.r = "r_drop"]
     \/ ReceiverMayIdle /\ pc' = [pc EXCEPT !.r = "r_idle"]  \* keeps its handle, calls no more
  /\ UNCHANGED <<st, rxAlive, txAlive, waiters, wph, cur, mode, res, rmode, got, okd, kept, timeouts, throws>>
\* The receiver's drop: receivers -= 1; on_last_receiver: taken.notify_all();
\* then not_full.notify_all().
RDrop ==
  /\ pc.r = "r_drop"
  /\ rxAlive' = FALSE
  /\ moved' = Notify("nf", IF Bug = "no_leave_wake" THEN moved ELSE Notify("tk", moved))
  /\ pc' = [pc EXCEPT !.r = "r_gone"]
  /\ UNCHANGED <<st, rxw, txAlive, waiters, wph, cur, mode, res, rmode, got, okd, kept, timeouts, throws>>

Terminated == pc.s = "s_end" /\ pc.r = "r_gone" /\ UNCHANGED vars

SNext == SStart \/ SClaim \/ SOffer \/ SNoWait \/ SSettle \/ SRetract \/ STaking \/ SFree \/ SRet \/ SDrop
RNext == RStart \/ RTake \/ RMove \/ REnd \/ RDrop
Next == SNext \/ RNext \/ \E t \in Threads : Wake(t) \/ Expire(t) \/ Terminated
Spec == Init /\ [][Next]_vars /\ WF_vars(SNext) /\ WF_vars(RNext) /\ \A t \in Threads : WF_vars(Wake(t))

\* ---- properties -------------------------------------------------------------
TypeOK ==
  /\ st \in {"empty", "claimed", "offered", "taking", "taken"}
  /\ rxw \in 0..1 /\ \A w \in W : waiters[w] \in 0..1
  /\ wph \in [Threads -> {"try", "recheck", "asleep", "late"}]
  /\ cur \in 0..MaxItems /\ okd \subseteq 1..MaxItems /\ kept \subseteq 1..MaxItems
\* A send that returned ok: its item was received; one that returned
\* anything else: not received; and never both.
HandedOver == \A i \in okd : \E k \in 1..Len(got) : got[k] = i
KeptNotReceived == \A i \in kept : \A k \in 1..Len(got) : got[k] # i
\* Each item received at most once, in order.
ReceivedOnceInOrder == \A j, k \in 1..Len(got) : j < k => got[j] < got[k]
\* Every call returns (no lost wakeup): both threads end (not with
\* ReceiverMayIdle: a send to a receiver that stopped calling waits for ever,
\* as it should).
BothEnd == <>(pc.s = "s_end" /\ pc.r = "r_gone")
\* A try_send never waits for ever: not for a receiver that stopped waiting.
TrySendReturns == [](pc.s = "s_settle" /\ mode = "try" => <>(pc.s # "s_settle"))
=============================================================================
