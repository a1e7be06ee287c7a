------------------------------- MODULE Notify -------------------------------
(***************************************************************************)
(* nexus::notify::event_queue (include/nexus/notify/event_queue.hpp) over  *)
(* nexus::queue::mpsc (include/nexus/queue/detail/stamped.hpp,             *)
(* stamped_shared::place and ::pop, with mpsc.hpp's orders) at the level   *)
(* of its atomic steps. One variable per field of the code, one action     *)
(* per atomic step of notifier::notify / poller::poll_limit.               *)
(*                                                                         *)
(*   code                                   spec                           *)
(*   flags_block::flags[t]  atomic bool     flags[t]                       *)
(*   shared::slots[k].seq   atomic u64      seq[k]  (doubled stamps:       *)
(*                            2i writable for index i, 2i+1 holds index    *)
(*                            i's token, 2(i+Cap) taken: writable for      *)
(*                            index i+Cap)                                 *)
(*   shared::slots[k].value slot<u32>       val[k]  (NoToken: no value)    *)
(*   shared::tail           atomic u64      tail                           *)
(*   consumer::head_        u64             head (the poller's index)      *)
(*   slot = index & mask                    index % Cap                    *)
(*   notify's t / place's pos               tok[p] / pos[p]                *)
(*   poll_limit's *idx                      ctok                           *)
(*   where each thread is                   pc[p], cpc (the next step)     *)
(*                                                                         *)
(* notify(t):                                                              *)
(*   Admit      flags[t].exchange(true, admit): true -> conflated, done    *)
(*   ClaimLoad  pos = tail.load(claim_load)                                *)
(*   SeeFree    seq = slots[pos & mask].seq.load(see_free);                *)
(*              == 2pos: Claim; < 2pos: status::full (Rollback);           *)
(*              > 2pos: another notifier took pos: ClaimLoad again         *)
(*   Claim      tail.compare_exchange_weak(pos, pos + 1, claim); success:  *)
(*              slot.value.construct(t) (private until Publish); failure:  *)
(*              pos = the current tail, SeeFree again                      *)
(*   Publish    slot.seq.store(2pos + 1, publish)                          *)
(*   Rollback   full: flags[t].store(false), status::overflow              *)
(* poll_limit(ev, n), per token:                                           *)
(*   Pop        slot.seq.load(observe) == 2head + 1; slot.value.take()     *)
(*   FreeSlot   slot.seq.store(2(head + Cap), free_slot); ++head_          *)
(*   Clear      flags[t].exchange(false, clear); ev.push(t): delivered     *)
(* A poll that finds the head slot empty changes nothing: no step. One     *)
(* that finds it claimed and not yet published (the tail is past it) waits *)
(* there until Publish (stamped_shared::pop's wait_for_claim, F11), which  *)
(* is no step either: the spec counts only what a poll delivers.           *)
(*                                                                         *)
(* The model is sequentially consistent: each step sees the latest value   *)
(* of every location. The code's orders give that where this spec needs    *)
(* it: admit and clear are acq_rel RMWs on one flag (H2: a notifier that   *)
(* sees the flag cleared sees the slot freed; F6: the data written before  *)
(* a notify is visible after the clear that reads from it), stamps are     *)
(* release/acquire pairs, the tail load and CAS are acquire / acq_rel.     *)
(* What a weakened order would allow is modelled by Bug (a reordering);    *)
(* the Relacy driver model/notify_queue.cpp checks the real orders.        *)
(* Bug = "none" is the code as shipped.                                    *)
(*                                                                         *)
(* Reductions: Claim's construct is merged into the CAS step (the value is *)
(* private until Publish). A spurious CAS failure is not a step: it        *)
(* returns the notifier to "pos = tail, SeeFree next", the state a         *)
(* ClaimLoad right then would give, so it adds no reachable state; it is   *)
(* assumed not to recur forever. The user's data is not a variable: the    *)
(* ghost owed[t] ("a notify of t was made and no delivery of t has         *)
(* happened since") stands for "the data written before that notify may    *)
(* not have been read yet". The poller hands each token over at its Clear  *)
(* (poll_limit hands over the whole batch after the loop: later, which     *)
(* only makes the user's reads newer).                                     *)
(*                                                                         *)
(* Bounds: notifiers 0..NumProducers-1, tokens 0..MaxTokens-1, each        *)
(* notifier notifies MaxNotifies times (this bounds the ring indices).     *)
(* AnyToken = TRUE: each notify picks any token; FALSE: notifier p's k-th  *)
(* notify is token (p + k) % MaxTokens (3 x 3 x 3: every notifier notifies *)
(* every token once, each token by all three, in rotated orders).          *)
(* The ring has max_tokens rounded up to a power of two slots, as          *)
(* ring_buffer() makes it: 3 tokens, 4 slots; 1, 2, 4 tokens fill it       *)
(* exactly (where an overflow would show).                                 *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS NumProducers,  \* notifier handles (notifier::clone)
          MaxTokens,     \* event_queue(max_tokens)
          MaxNotifies,   \* notifies per notifier
          AnyToken,      \* see above
          Bug            \* "none", or one weakened step; see Bugs below

Bugs ==
  {"none",
   \* F6: the poller hands t to the user (who reads t's data) before it
   \* clears the flag: what a plain release store for clear allows (the
   \* clear does not acquire a conflated notify's data), or an acquire-only
   \* admit (the notify's data is not released to the clear). A notify
   \* between the two is conflated into an event that was already read.
   \* Relacy twins data_clear_release, data_admit_acquire.
   "deliver_before_clear",
   \* H2: the poller clears the flag before pop frees the slot: what a
   \* clear without release, or an admit without acquire, allows (a
   \* notifier sees the flag cleared but not the slot freed). The token is
   \* queued again while its old entry still occupies the ring.
   \* Relacy twins same_token_clear_acquire, same_token_clear_relaxed,
   \* same_token_admit_release, same_token_admit_relaxed.
   "clear_before_free"}

ASSUME NumProducers \in Nat \ {0} /\ MaxTokens \in Nat \ {0}
ASSUME MaxNotifies \in Nat /\ AnyToken \in BOOLEAN /\ Bug \in Bugs

Producers == 0..NumProducers-1
Tokens == 0..MaxTokens-1
NoToken == MaxTokens   \* not a token: an empty slot, a local that holds none
\* the tokens notifier p may notify as its k-th notify
Choices(p, k) == IF AnyToken THEN Tokens ELSE {(p + k) % MaxTokens}

\* ring_buffer(max_tokens): capacity rounded up to a power of two
Cap == CHOOSE c \in {2^k : k \in 0..MaxTokens} :
         c >= MaxTokens /\ (c = 1 \/ c \div 2 < MaxTokens)
Slot(i) == i % Cap   \* i & mask
MaxIdx == NumProducers * MaxNotifies   \* tail never exceeds it

VARIABLES
  \* flags_block and the ring (detail::shared)
  flags, seq, val, tail,
  \* the notifiers: where each is in notify, its token, place's pos;
  \* notifies made so far (bounds the model)
  pc, tok, pos, sent,
  \* the poller: consumer::head_, the next step of its pop, the token popped
  head, cpc, ctok,
  \* ghost: owed[t] = a notify of t was made and no delivery of t since
  owed

vars == <<flags, seq, val, tail, pc, tok, pos, sent, head, cpc, ctok, owed>>

\* the notifier steps after Admit (t admitted, its index not claimed yet)
PushPcs == {"claim_load", "see_free", "claim", "full"}

\* the poller's steps after Pop, in code order (cpc is the next one to run)
PollSteps ==
  CASE Bug = "none"                 -> <<"free", "clear">>
    [] Bug = "deliver_before_clear" -> <<"free", "deliver", "clear">>
    [] Bug = "clear_before_free"    -> <<"clear", "free">>
StepIdx(s) == CHOOSE i \in DOMAIN PollSteps : PollSteps[i] = s
\* the step after s ("idle": this pop is done)
After(s) == IF StepIdx(s) = Len(PollSteps) THEN "idle"
                                            ELSE PollSteps[StepIdx(s) + 1]
\* step s of the current pop is still to run
ToDo(s) == cpc # "idle" /\ StepIdx(cpc) <= StepIdx(s)
\* Clear hands t to the user (ev.push); in "deliver_before_clear", Deliver does
DeliverStep == IF Bug = "deliver_before_clear" THEN "deliver" ELSE "clear"

TypeOK ==
  /\ flags \in [Tokens -> BOOLEAN]
  /\ seq \in [0..Cap-1 -> 0..2*(MaxIdx+Cap)]
  /\ val \in [0..Cap-1 -> Tokens \cup {NoToken}]
  /\ tail \in 0..MaxIdx
  /\ pc \in [Producers -> {"idle", "publish"} \cup PushPcs]
  /\ tok \in [Producers -> Tokens \cup {NoToken}]
  /\ pos \in [Producers -> 0..MaxIdx]
  /\ sent \in [Producers -> 0..MaxNotifies]
  /\ head \in 0..MaxIdx
  /\ cpc \in {"idle"} \cup {PollSteps[i] : i \in DOMAIN PollSteps}
  /\ ctok \in Tokens \cup {NoToken}
  /\ owed \in [Tokens -> BOOLEAN]

Init ==
  /\ flags = [t \in Tokens |-> FALSE]
  /\ seq = [k \in 0..Cap-1 |-> 2*k]   \* slot k starts writable for index k
  /\ val = [k \in 0..Cap-1 |-> NoToken]
  /\ tail = 0
  /\ pc = [p \in Producers |-> "idle"]
  /\ tok = [p \in Producers |-> NoToken]
  /\ pos = [p \in Producers |-> 0]
  /\ sent = [p \in Producers |-> 0]
  /\ head = 0
  /\ cpc = "idle"
  /\ ctok = NoToken
  /\ owed = [t \in Tokens |-> FALSE]

----------------------------------------------------------------------------
(* notifier::notify(t) and stamped_shared::place                           *)

\* flags[t].exchange(true, admit): was true -> conflated (status::ok, not
\* queued); was false -> place(t). Either way this is the notify.
Admit(p, t) ==
  /\ pc[p] = "idle" /\ sent[p] < MaxNotifies
  /\ sent' = [sent EXCEPT ![p] = @ + 1]
  /\ owed' = [owed EXCEPT ![t] = TRUE]
  /\ flags' = [flags EXCEPT ![t] = TRUE]
  /\ IF flags[t]
       THEN UNCHANGED <<pc, tok>>
       ELSE /\ pc' = [pc EXCEPT ![p] = "claim_load"]
            /\ tok' = [tok EXCEPT ![p] = t]
  /\ UNCHANGED <<seq, val, tail, pos, head, cpc, ctok>>

\* pos = tail.load(claim_load) (first, and after "another notifier took pos")
ClaimLoad(p) ==
  /\ pc[p] = "claim_load"
  /\ pos' = [pos EXCEPT ![p] = tail]
  /\ pc' = [pc EXCEPT ![p] = "see_free"]
  /\ UNCHANGED <<flags, seq, val, tail, tok, sent, head, cpc, ctok, owed>>

\* seq = slots[pos & mask].seq.load(see_free), and the branch on it
SeeFree(p) ==
  /\ pc[p] = "see_free"
  \* == 2pos: writable for pos; < 2pos: lap pos - Cap is still there;
  \* > 2pos: another notifier took pos (spin_pause, reload the tail)
  /\ LET s == seq[Slot(pos[p])] IN
       pc' = [pc EXCEPT ![p] = CASE s = 2 * pos[p] -> "claim"
                                 [] s < 2 * pos[p] -> "full"
                                 [] OTHER          -> "claim_load"]
  /\ UNCHANGED <<flags, seq, val, tail, tok, pos, sent, head, cpc, ctok, owed>>

\* tail.compare_exchange_weak(pos, pos + 1, claim). Success: the index is
\* ours; slot.value.construct(t). Failure: pos = the current tail, SeeFree.
Claim(p) ==
  /\ pc[p] = "claim"
  /\ IF tail = pos[p]
       THEN /\ tail' = tail + 1
            /\ val' = [val EXCEPT ![Slot(pos[p])] = tok[p]]
            /\ pc' = [pc EXCEPT ![p] = "publish"]
            /\ tok' = [tok EXCEPT ![p] = NoToken]
            /\ UNCHANGED pos
       ELSE /\ pos' = [pos EXCEPT ![p] = tail]
            /\ pc' = [pc EXCEPT ![p] = "see_free"]
            /\ UNCHANGED <<tail, val, tok>>
  /\ UNCHANGED <<flags, seq, sent, head, cpc, ctok, owed>>

\* slot.seq.store(2pos + 1, publish); notify returns status::ok (queued)
Publish(p) ==
  /\ pc[p] = "publish"
  /\ seq' = [seq EXCEPT ![Slot(pos[p])] = 2 * pos[p] + 1]
  /\ pc' = [pc EXCEPT ![p] = "idle"]
  /\ pos' = [pos EXCEPT ![p] = 0]
  /\ UNCHANGED <<flags, val, tail, tok, sent, head, cpc, ctok, owed>>

\* push returned status::full: flags[t].store(false) (rollback),
\* status::overflow. Unreachable in the code (NoOverflow).
Rollback(p) ==
  /\ pc[p] = "full"
  /\ flags' = [flags EXCEPT ![tok[p]] = FALSE]
  /\ pc' = [pc EXCEPT ![p] = "idle"]
  /\ tok' = [tok EXCEPT ![p] = NoToken]
  /\ pos' = [pos EXCEPT ![p] = 0]
  /\ UNCHANGED <<seq, val, tail, sent, head, cpc, ctok, owed>>

----------------------------------------------------------------------------
(* poller::poll_limit and consumer::pop                                    *)

\* slot.seq.load(observe) == 2head + 1 (published), then slot.value.take()
Pop ==
  /\ cpc = "idle"
  /\ seq[Slot(head)] = 2 * head + 1
  /\ ctok' = val[Slot(head)]
  /\ val' = [val EXCEPT ![Slot(head)] = NoToken]
  /\ cpc' = PollSteps[1]
  /\ UNCHANGED <<flags, seq, tail, pc, tok, pos, sent, head, owed>>

\* slot.seq.store(2(head + capacity), free_slot); ++head_
FreeSlot ==
  /\ cpc = "free"
  /\ seq' = [seq EXCEPT ![Slot(head)] = 2 * (head + Cap)]
  /\ head' = head + 1
  /\ cpc' = After("free")
  /\ ctok' = IF cpc' = "idle" THEN NoToken ELSE ctok
  /\ UNCHANGED <<flags, val, tail, pc, tok, pos, sent, owed>>

\* flags[t].exchange(false, clear); ev.push(t): t is delivered
Clear ==
  /\ cpc = "clear"
  /\ flags' = [flags EXCEPT ![ctok] = FALSE]
  /\ owed' = IF DeliverStep = "clear" THEN [owed EXCEPT ![ctok] = FALSE]
                                     ELSE owed
  /\ cpc' = After("clear")
  /\ ctok' = IF cpc' = "idle" THEN NoToken ELSE ctok
  /\ UNCHANGED <<seq, val, tail, pc, tok, pos, sent, head>>

\* Bug "deliver_before_clear" only: t is handed to the user before Clear
Deliver ==
  /\ cpc = "deliver"
  /\ owed' = [owed EXCEPT ![ctok] = FALSE]
  /\ cpc' = After("deliver")
  /\ UNCHANGED <<flags, seq, val, tail, pc, tok, pos, sent, head, ctok>>

----------------------------------------------------------------------------
\* every notify made, everything delivered: nothing more happens (not a
\* deadlock)
Terminated ==
  /\ \A p \in Producers : pc[p] = "idle" /\ sent[p] = MaxNotifies
  /\ cpc = "idle" /\ head = tail
  /\ UNCHANGED vars

\* a notifier's steps after Admit (its pc enables one of them at a time)
NotifierStep(p) ==
  ClaimLoad(p) \/ SeeFree(p) \/ Claim(p) \/ Publish(p) \/ Rollback(p)
PollerStep == Pop \/ FreeSlot \/ Clear \/ Deliver

Next ==
  \/ \E p \in Producers : \E t \in Choices(p, sent[p]) : Admit(p, t)
  \/ \E p \in Producers : NotifierStep(p)
  \/ PollerStep
  \/ Terminated

\* A notifier that started a notify finishes it; the poller keeps polling.
\* Admit has no fairness: users may stop notifying. (One WF per thread: its
\* pc enables at most one of its steps at a time, so this is WF on each.)
Fairness == /\ \A p \in Producers : WF_vars(NotifierStep(p))
            /\ WF_vars(PollerStep)

Spec == Init /\ [][Next]_vars /\ Fairness

----------------------------------------------------------------------------
(* Safety                                                                  *)

\* the ring's occupied indices [head, tail): claimed, not yet freed. The
\* token at index i (index head: the poller holds it once Pop took it).
TakenNotFreed == ToDo("free")
TokenAt(i) == IF i = head /\ TakenNotFreed THEN ctok ELSE val[Slot(i)]
EntriesOf(t) == {i \in head..(tail - 1) : TokenAt(i) = t}
PushingBy(t) == {p \in Producers : pc[p] \in PushPcs /\ tok[p] = t}
\* popped and freed, flag not cleared yet
FreedNotCleared(t) == ctok = t /\ ~TakenNotFreed /\ ToDo("clear")

\* H2: flags[t] iff t is queued (a ring entry, or freed by pop and not
\* cleared yet: the pop comes before the clear) or being pushed (admitted,
\* index not claimed yet), and then in exactly one of those places
FlagIffQueuedOrPushing == \A t \in Tokens :
  Cardinality(EntriesOf(t)) + Cardinality(PushingBy(t))
    + (IF FreedNotCleared(t) THEN 1 ELSE 0)
  = IF flags[t] THEN 1 ELSE 0

\* the ring never holds a token twice
AtMostOnePerToken == \A t \in Tokens : Cardinality(EntriesOf(t)) <= 1

\* the ring never fills: at most max_tokens entries, and a push after a
\* successful admit never finds the ring full (no status::overflow)
NoOverflow == /\ tail - head <= MaxTokens
              /\ \A p \in Producers : pc[p] # "full"

\* the stamps of mpsc.hpp: each occupied index i holds 2i (claimed by the
\* one notifier about to publish it, its token already constructed) or
\* 2i + 1 (published); every other slot is writable for its next index;
\* taken slots hold no value
StampsMatchIndices ==
  /\ head <= tail /\ tail <= head + Cap
  /\ \A i \in head..(tail - 1) :
       /\ seq[Slot(i)] \in {2*i, 2*i + 1}
       /\ (seq[Slot(i)] = 2*i) <=>
            (\E p \in Producers : pc[p] = "publish" /\ pos[p] = i)
       /\ TokenAt(i) \in Tokens
  /\ \A i \in tail..(head + Cap - 1) :
       seq[Slot(i)] = 2*i /\ val[Slot(i)] = NoToken
  /\ TakenNotFreed => val[Slot(head)] = NoToken

\* F6, as a state: a notify not yet followed by a delivery of its token has
\* an open event (its flag is set, so a Clear, which delivers, is to come),
\* or the poller holds t and has yet to hand it over
NotifyCovered == \A t \in Tokens :
  owed[t] => flags[t] \/ (ctok = t /\ ToDo(DeliverStep))

----------------------------------------------------------------------------
(* The queue as the abstract FIFO: the token the poller holds and has not  *)
(* delivered yet, then the ring's entries in index (= tail CAS) order.     *)
LiveHead == IF TakenNotFreed THEN head + 1 ELSE head
AbsFifo == (IF cpc # "idle" /\ ToDo(DeliverStep) THEN <<ctok>> ELSE << >>)
             \o [j \in 1..(tail - LiveHead) |-> val[Slot(LiveHead + j - 1)]]

\* FIFO (an action property): the queue only grows at its end (a claim)
\* and shrinks at its front (a delivery); nothing is reordered, dropped or
\* duplicated in between
Fifo == [][\/ AbsFifo' = AbsFifo
           \/ \E t \in Tokens : AbsFifo' = Append(AbsFifo, t)
           \/ AbsFifo # << >> /\ AbsFifo' = Tail(AbsFifo)]_vars

----------------------------------------------------------------------------
(* Liveness (under Fairness)                                               *)

\* a notify is never lost: after every notify of t comes a delivery of t
\* (a Clear that reads from the notify's admit or a later one, so the
\* notifier's data is visible to the user, F6)
EveryNotifyDelivered == \A t \in Tokens : owed[t] ~> ~owed[t]

----------------------------------------------------------------------------
(* Refinement: the event queue implements NotifyAbstract. Notify at Admit  *)
(* (the flag exchange), Enqueue at the successful tail CAS (Claim), Poll   *)
(* at Clear; every other step is a stutter.                                *)
Abs == INSTANCE NotifyAbstract WITH
  pending <- {t \in Tokens : flags[t]},
  fifo <- AbsFifo,
  ppc <- [p \in Producers |-> IF pc[p] \in PushPcs THEN "push" ELSE "idle"],
  ptok <- [p \in Producers |-> IF pc[p] \in PushPcs THEN tok[p] ELSE NoToken],
  sent <- sent,
  owed <- owed

Refinement == Abs!Spec
=============================================================================
