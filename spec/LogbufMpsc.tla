----------------------------- MODULE LogbufMpsc -----------------------------
(***************************************************************************)
(* nexus::logbuf::mpsc (include/nexus/logbuf/mpsc.hpp, producer::          *)
(* try_claim_with: a CAS reservation on the shared tail, padding at the    *)
(* wrap) and nexus::logbuf::spsc (spsc.hpp: the same ring with a plain,    *)
(* private tail), over the record format and the reading side of           *)
(* format.hpp (write_claim::commit / abort, detail::reader::next / finish  *)
(* / free), at the level of their atomic steps. Mode picks the ring.       *)
(*                                                                         *)
(* Who keeps old laps' words out of the headers (format.hpp WHO ZEROES):   *)
(* in mpsc the consumer zeroes every word it frees (ZeroBody, ZeroHeader), *)
(* so free space is all zero; in spsc the producer zeroes the next header  *)
(* (the word after its record, and word 0 before a wrap's padding) and the *)
(* consumer zeroes nothing (Agrona's OneToOneRingBuffer).                  *)
(*                                                                         *)
(* Memory is counted in 8-byte words ("units"): a ring of Cap units is     *)
(* capacity = 8 * Cap bytes; offsets are unit counts (byte offset / 8).    *)
(* A record of footprint f units (footprint(len) = align8(8 + len) =       *)
(* 8 * f bytes) is 1 header word + f - 1 payload words; its header holds   *)
(* LenW(f - 1) once committed (len rounded to whole words: the spec keeps  *)
(* the footprint, which is all the reader computes from len).              *)
(*                                                                         *)
(*   code                                     spec                         *)
(*   mpsc shared::tail      atomic u64        tail                         *)
(*   spsc producer::tail_   u64 (private)     tail (only its one producer  *)
(*                                            reads or writes it)          *)
(*   shared::head           atomic u64        head (as last published)     *)
(*   detail::reader::pos_   u64               pos (the consumer's own)     *)
(*   reader::published_     u64               head (only the consumer      *)
(*                                            writes head: its copy is     *)
(*                                            head itself)                 *)
(*   reader::batch_         capacity >> shift Batch (units)                *)
(*   buffer word at byte 8i word_buffer<u64>  mem[i], i = offset & (Cap-1) *)
(*     header word 0                          Zero (not committed yet)     *)
(*     header word len (bit 63 clear)         LenW(f - 1) (committed)      *)
(*     header word SKIP | n                   SkipW(n / 8): padding at the *)
(*                                            wrap, or an aborted record   *)
(*     payload word, plain memory             DataW(r): ghost, the bytes   *)
(*                                            record r's producer wrote    *)
(*   producer::cached_head_                   cached_head[p]               *)
(*   mpsc producer::tail_guess_               guess[p]                     *)
(*   try_claim_with's t, fp, at               pt[p], pfp[p], pat[p]        *)
(*   (the write_claim's off_ is at)                                        *)
(*   claims made by producer p so far         sent[p]                      *)
(*   reader::next's `word`                    cword                        *)
(*   reader::free's `at` (read_claim's off_)  cat                          *)
(*   where each thread is                     pc[p], cpc (the next step)   *)
(*   ghosts: the reservations not freed yet   resv (tail = CAS order;      *)
(*     (records and paddings), in tail order  paddings have id NoId)       *)
(*   every record reserved, in CAS order      order                        *)
(*   closed claims                            committed, aborted           *)
(*   what the user got from read claims       delivered (record ids)       *)
(* With Waiting (the ring under a blocking byte channel):                  *)
(*   the position word,                       pos (stored with every free, *)
(*     shared::position (mpsc.hpp, spsc.hpp),   so it is reader::pos_)     *)
(*     when tracked                                                        *)
(*   reader::claim's `shown`                  shown                        *)
(*   the channel's block::not_full waitset    waiters (waiters_), moved[p] *)
(*     (logbuf/channel.hpp, waitset.hpp)        (seq_ != p's key)          *)
(*   the kernel's futex queue on seq_         {p : pc[p] = "asleep"}       *)
(*   block_on's loop (sync/blocking.hpp):     phase[p]: "first",           *)
(*     the first attempt, the re-check after    "recheck", "after"; "none" *)
(*     prepare(), the attempts after a wait     between calls              *)
(*                                                                         *)
(* try_claim_with(len) (mpsc.hpp), record id Id(p, sent[p]):               *)
(*   ClaimLoad   t = tail_guess_ (where this handle's last claim ended; no *)
(*               shared access); fp = footprint(len) (any of MinFp..MaxFp  *)
(*               units); need = fp, or to_end + fp on a wrap; enough room  *)
(*               by cached_head_ -> Claim, else Load                       *)
(*   Load        t = tail.load(claim_load) (acquire): a full verdict needs *)
(*               the current tail; room -> Claim, else RefreshHead         *)
(*   RefreshHead refresh_head: cached_head_ = head.load(see_free)          *)
(*               (acquire); head past t (t stale) or room -> Claim; still  *)
(*               short -> status::full: this claim is given up             *)
(*   Claim       tail.compare_exchange_weak(t, t + need, claim) (acq_rel;  *)
(*               failure: acquire reload of t, then the room check again); *)
(*               success: the space [t, t + need) is this producer's       *)
(*   Pad         on a wrap: store_word(at, SKIP | to_end, pad) (release);  *)
(*               the record goes to position 0                             *)
(*   Write       write_claim::write / data(): plain stores of the payload  *)
(*   Commit      commit(): store_word(off, len, commit) (release)          *)
(*   Abort       abort() (also ~write_claim of an open claim):             *)
(*               store_word(off, SKIP | footprint, abort) (release)        *)
(* spsc.hpp's try_claim_with: the tail is the producer's own, so the claim *)
(* is local up to its first shared access. No CAS.                         *)
(*   ClaimLoad   t = tail_; room = need + 8 (one unit more: the next       *)
(*               header): t + need + 8 - cached_head_ <= cap (RoomNeed);   *)
(*               short -> RefreshHead (head.load(see_free), acquire; the   *)
(*               same check; still short -> status::full). Room, no wrap:  *)
(*               the reservation, then ZeroNext                            *)
(*   ZeroFirst   on a wrap: store_word(0, 0, relaxed): word 0, where the   *)
(*               record goes, still holds the old lap's first header       *)
(*   Pad         then store_word(at, SKIP | to_end, pad) (release: pairs   *)
(*               with observe, so the consumer that steps past the skip    *)
(*               reads word 0's zero); the record goes to 0. The spec's    *)
(*               reservation (ghost tail) is made here                     *)
(*   ZeroNext    store_word((at + fp) & mask, 0, relaxed): the next        *)
(*               header, carried to the consumer by this record's commit   *)
(*               or abort (release); then tail_ = t + need (private: the   *)
(*               spec moved it already) and the claim is handed out        *)
(*   Write, Commit, Abort as above.                                        *)
(* reader::next / read_claim / reader::finish / reader::free (format.hpp): *)
(*   Observe     word = load_word(pos_ & mask, observe) (acquire):         *)
(*               0 -> status::empty (PublishEmpty first if pos_ moved);    *)
(*               SKIP | n -> free it;                                      *)
(*               len -> the read claim; anything else fails verify()       *)
(*               ("corrupt": the spec's consumer stops there)              *)
(*   Deliver     the user reads the payload (read_claim::read / data():    *)
(*               plain loads) and gets the record                          *)
(*   ZeroBody    mpsc free: buf_->zero(at + 8, n - 8) (plain)              *)
(*   ZeroHeader  mpsc free: store_word(at, 0, relaxed)                     *)
(*               (spsc, O::consumer_zeroes false: no zeroing, a free is    *)
(*               PublishHead alone)                                        *)
(*   PublishHead free: pos_ += n; once pos_ - published_ >= batch_:        *)
(*               head.store(pos_, free_space) (release)                    *)
(*   PublishEmpty next() finding 0 at pos_ with pos_ != published_:        *)
(*               head.store(pos_, free_space) (release), then empty        *)
(*                                                                         *)
(* Waiting = TRUE: the ring under nexus::logbuf::channel                   *)
(* (logbuf/channel.hpp; format.hpp WAITING PRODUCERS). The receiver calls  *)
(* track_position(), so every free stores the consumer's exact position in *)
(* the position word (free_position, release) right after pos_ += n, in    *)
(* PublishHead; and it wakes the senders (wake_senders:                    *)
(* not_full.notify_all()) after every free of a record                     *)
(* (read_claim::consume: finish() says the space is visible), and at the   *)
(* end of a reader::claim that freed skips or published on empty (`shown`; *)
(* publication::claim_wakes):                                              *)
(*   CCheck      fence(notify_fence) (seq_cst); waiters.load(relaxed) != 0 *)
(*   CBump       seq.fetch_add(1, relaxed) (moved for every key holder)    *)
(*   CWake       futex_wake_all(seq): every sleeping producer returns      *)
(* sender::send_impl = block_on(not_full, ..., attempt(parking)): the      *)
(* first attempt is try_claim_with(len, wake, false): full by the head ->  *)
(*   PKey        prepare(): key = seq.load(relaxed)                        *)
(*   PAnnounce   prepare(): waiters.fetch_add(1, relaxed);                 *)
(*               fence(prepare_fence) (seq_cst); then attempt(true): the   *)
(*               re-check                                                  *)
(*   Retry       try_claim_with(len, wake, fresh = true): the same claim   *)
(*               (same footprint), but RefreshHead reads the position word *)
(*               (see_position, acquire) instead of the head. Room: the    *)
(*               claim; after the re-check cancel() first. Full: after the *)
(*               re-check Wait, after a wait PKey again                    *)
(*   Wait        futex_wait(seq, key): sleeps only while seq == key        *)
(*   Cancel      cancel() (waiters.fetch_sub(1, relaxed)) after the wait,  *)
(*               then attempt(true) (Retry)                                *)
(*   StopConsuming  the user stops calling recv() for good, between two    *)
(*               calls or while it holds a read claim: it blocks elsewhere *)
(*               (request/response: it waits for this producer's reply).   *)
(*               Allowed when MayStop, never required                      *)
(* The store-buffering pair "pos_ += n, position store, notify_fence, load *)
(* waiters" / "waiters += 1, prepare_fence, load position" (F2) is what    *)
(* the SC model gives for free; model/logbuf_channel checks the C++        *)
(* orders.                                                                 *)
(*                                                                         *)
(* The model is sequentially consistent: each step sees the latest value   *)
(* of every location. The code's orders give that where this spec needs    *)
(* it: commit / abort / pad are release stores read by the acquire         *)
(* observe (the payload, and for abort and pad the bytes the consumer will *)
(* zero, are visible with the header; spsc: the next header's zero is      *)
(* visible with the commit or abort, word 0's zero with the pad: each zero *)
(* is a step before its release store here); free_space / see_free order   *)
(* the consumer's reads (mpsc: and zeroing) before a producer reuses the   *)
(* bytes; the tail's claim_load / claim chain carries every earlier free   *)
(* to a producer that reads a newer tail. The Relacy drivers               *)
(* model/logbuf_spsc, model/logbuf_mpsc and model/logbuf_mpsc_producers    *)
(* check the real orders (one negative twin per named order; see           *)
(* spec/README.md). What a weakened order or a missing step would allow    *)
(* is modelled by Bug (spsc: "no_next_zero", "pad_before_zero").           *)
(* Bug = "none" is the code as shipped.                                    *)
(*                                                                         *)
(* Reductions. Write is one step and ZeroBody is one step: the payload of  *)
(* a reserved, uncommitted record is written and read by its producer      *)
(* only, and the body being freed by the consumer only (LiveMemory,        *)
(* RegionsTile, FreeSpaceZero / NextHeaderZero: reservations are           *)
(* disjoint, the consumer stops at a zero header, and no producer reserves *)
(* below head + Cap), so the order of the word stores inside them is       *)
(* unobservable. A spurious CAS failure is not a step: it leaves the       *)
(* producer where it was (t unchanged, room already checked: Claim         *)
(* again). An abort always follows Write: abort without a write leaves     *)
(* the body zero (mpsc), a subset of what the consumer then zeroes, or     *)
(* (spsc) as an old lap left it, which nobody reads either way: the        *)
(* consumer reads only headers, and every header it reaches was stored     *)
(* after the body. The room checks are merged into the step before them    *)
(* (they read only the producer's locals).                                 *)
(*                                                                         *)
(* With Waiting, the cancel() after a successful re-check is merged into   *)
(* the claim's grant (the CAS, or spsc's local reservation): it only       *)
(* lowers waiters_, which counts the other waiters apart, so no wake they  *)
(* need depends on when it happens. Not modelled in the waiting mode:      *)
(* spins, deadlines, spurious futex returns (ChannelPark.tla has them),    *)
(* the senders' receivers == 0 check (the consumer never leaves here), the *)
(* receiver's own parking (the lone_waiter: Relacy logbuf_channel).        *)
(*                                                                         *)
(* Bounds: producers 0..NumProducers-1, each making MaxRecords claims (a   *)
(* claim that ends in status::full is given up and counts; with Waiting it *)
(* waits instead), record ids 1..NumProducers*MaxRecords. Each producer    *)
(* closes a claim before its next one (the code lets one handle hold       *)
(* several open claims: then its records are ordered like the claims of    *)
(* different producers here; the Relacy out_of_order scenario and the unit *)
(* test OutOfOrderCommitWaitsForTheOldestClaim cover one handle).          *)
(* Not modelled: zero_length / too_large (refused before any state is      *)
(* touched), the read claim's busy, the disconnect counters (producers,    *)
(* consumer_alive, handles, refs: leave / see_leave / release_ref /        *)
(* release_handle / see_disconnect, Relacy stream scenarios), and of the   *)
(* blocking channels (model/logbuf_channel) all but the waiting producers. *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS Mode,          \* "mpsc" (mpsc.hpp) or "spsc" (spsc.hpp)
          NumProducers,  \* producer handles (producer::clone); 1 for spsc
          Cap,           \* capacity in 8-byte units (a power of two >= 8)
          MinFp,         \* smallest footprint in units (2: a 1..8 byte record)
          MaxFp,         \* largest footprint in units (<= Cap/2: F9)
          MaxRecords,    \* claims per producer
          Batch,         \* reader::batch_ in units: freed space is published
                         \* once Batch units are freed since the last time
                         \* (and when the consumer finds the ring empty)
          Waiting,       \* the ring under a blocking byte channel: the
                         \* consumer tracks its position word and wakes the
                         \* producers after its frees; a claim that finds
                         \* the ring full waits (block_on) and re-checks by
                         \* the position word, instead of giving up
          MayStop,       \* the consumer may stop consuming for good (it
                         \* blocks elsewhere); only with Waiting
          Bug            \* "none", or one broken step; see Bugs below

Bugs ==
  {"none",
   \* H6 broken: the consumer zeroes the header but not the body
   \* (reader::free without buf_->zero). The record boundaries of a later
   \* lap fall inside old payloads: the consumer reads a stale payload word
   \* as a header. No memory order does this (no Relacy twin); the unit
   \* test StaleMarkersNeverSurviveALap and the property / fuzz models do.
   "zero_header_only",
   \* The consumer publishes head before zeroing the record: what a
   \* relaxed free_space (or a relaxed see_free) allows, the zeroing is not
   \* ordered before the producer's reuse of the bytes. Relacy twins
   \* free_space_relaxed, see_free_relaxed (logbuf_spsc, logbuf_mpsc).
   "publish_head_before_zero",
   \* The producer wraps without storing the padding header: the padding
   \* stays zero and the consumer waits there for ever.
   "no_pad",
   \* reader::next finds the ring empty but does not publish: freed space
   \* below a batch never reaches the producers (model/logbuf_channel twin
   \* blocked_send_lazy_no_publish_when_empty: the blocked sender
   \* deadlocks).
   "no_publish_when_empty",
   \* Waiting: the producer's re-check after prepare() and its attempts
   \* after a wake-up judge by the published head, as the first attempt
   \* does, not by the position word (the code before WAITING PRODUCERS;
   \* channel_orders::fresh_recheck = false). A consumer that frees less
   \* than a batch and then blocks elsewhere leaves the producer asleep for
   \* ever with the space it needs free. Relacy twin
   \* reply_wait_stale_recheck (logbuf_channel).
   "stale_recheck",
   \* Waiting: the consumer's notify_all() on not_full never bumps or
   \* wakes (waitset_orders::wake = false). Relacy twin reply_wait_no_notify.
   "no_free_wake",
   \* Waiting: reader::claim does not run `after` for the space it made
   \* visible itself (freed skips, or a publication on empty:
   \* publication::claim_wakes = false); a record's consume still wakes.
   \* Relacy twin reply_skip_no_claim_wake (logbuf_channel).
   "no_claim_wake",
   \* spsc (WHO ZEROES): the producer does not zero the next header, nor
   \* word 0 before a wrap's padding (spsc_orders::zero_next = false): the
   \* consumer, stepping past a record, reads an old lap's word there.
   \* Relacy twin no_zero_next (logbuf_spsc).
   "no_next_zero",
   \* spsc: at a wrap the padding skip becomes visible before word 0's zero
   \* (what a relaxed pad allows: nothing orders the relaxed zero store
   \* before the consumer's read of word 0 after the skip): the consumer
   \* reads the old lap's header at 0. Relacy twin wrap_pad_relaxed
   \* (logbuf_spsc).
   "pad_before_zero"}

ASSUME ModeAssumption == Mode \in {"mpsc", "spsc"}
ASSUME ProducersAssumption ==
  NumProducers \in Nat \ {0} /\ (Mode = "spsc" => NumProducers = 1)
ASSUME CapAssumption == Cap \in {2^k : k \in 3..12}
ASSUME FpAssumption == MaxFp \in 2..(Cap \div 2) /\ MinFp \in 2..MaxFp
ASSUME RecordsAssumption == MaxRecords \in Nat \ {0}
ASSUME BatchAssumption == Batch \in 1..Cap
ASSUME WaitingAssumption ==
  Waiting \in BOOLEAN /\ MayStop \in BOOLEAN /\ (MayStop => Waiting)
ASSUME BugAssumption == Bug \in Bugs
\* the consumer zeroes only in mpsc (WHO ZEROES), the producer only in spsc
ASSUME BugModeAssumption ==
  /\ Bug \in {"zero_header_only", "publish_head_before_zero"} => Mode = "mpsc"
  /\ Bug \in {"no_next_zero", "pad_before_zero"} => Mode = "spsc"

Producers == 0..NumProducers-1
NoId == 0                               \* padding; a torn or stale read
Ids == 1..(NumProducers * MaxRecords)
Id(p, k) == p * MaxRecords + k + 1      \* producer p's claim number k
Fps == MinFp..MaxFp                     \* record footprints in units
MaxPayload == Cap \div 2 - 1            \* max_payload(capacity), in units
\* every claim takes at most to_end + fp < 2 * MaxFp units
MaxOff == NumProducers * MaxRecords * 2 * MaxFp
Pos(i) == i % Cap                       \* offset & mask

\* buffer words
Zero == [k |-> "zero", n |-> 0, id |-> NoId]
LenW(n) == [k |-> "len", n |-> n, id |-> NoId]
SkipW(n) == [k |-> "skip", n |-> n, id |-> NoId]
DataW(r) == [k |-> "data", n |-> 0, id |-> r]
Words == {Zero} \cup {LenW(n) : n \in 1..MaxFp-1} \cup {SkipW(n) : n \in 1..MaxFp}
           \cup {DataW(r) : r \in Ids}
\* a reservation: a record (id, footprint fp) or a padding (id NoId), made
\* by producer `by` at free-running offset off
Entries == [id : {NoId} \cup Ids, by : Producers, off : 0..MaxOff, fp : 1..MaxFp]

\* try_claim_with's arithmetic at tail t0 for a footprint f
ToEnd(t0) == Cap - Pos(t0)
Wraps(t0, f) == ToEnd(t0) < f
Need(t0, f) == IF Wraps(t0, f) THEN ToEnd(t0) + f ELSE f
RecOff(t0, f) == IF Wraps(t0, f) THEN t0 + ToEnd(t0) ELSE t0
\* the units the room check asks for: need, and in spsc one more, the next
\* header (spsc.hpp: room = need + 8)
RoomNeed(t0, f) == Need(t0, f) + (IF Mode = "spsc" THEN 1 ELSE 0)
\* mpsc: `t - cached_head_ > cap - need` is false (unsigned: a cached head
\* past t0 wraps the difference to a huge value, so it is a refresh too);
\* spsc: `t + need + 8 - cached_head_ > cap` is false (its cached head is
\* never past its own tail)
Room(t0, h, f) == h <= t0 /\ t0 - h <= Cap - RoomNeed(t0, f)
\* the payload units of a record whose header is at offset off
Body(off, f) == {Pos(off + j) : j \in 1..(f - 1)}

VARIABLES
  \* the shared block: the byte ring, tail (mpsc; spsc: producer::tail_), head
  mem, tail, head,
  \* the producers: where each is in try_claim_with / its claim, its t,
  \* fp and the record's offset, cached_head_, tail_guess_ (mpsc), claims
  \* made so far
  pc, pt, pfp, pat, cached_head, guess, sent,
  \* the consumer: its position (reader::pos_; with Waiting also the
  \* position word), its next step, the header word it loaded, the offset
  \* of the record it holds / frees, reader::claim's `shown`
  pos, cpc, cword, cat, shown,
  \* Waiting: where each producer is in block_on, its key's comparison
  \* (moved: seq_ != key), the not_full waitset's waiters_
  phase, moved, waiters,
  \* ghosts: the reservations not freed yet, in tail (CAS) order; every
  \* record id in CAS order; closed claims; what the user got from the
  \* read claims
  resv, order, committed, aborted, delivered

vars == <<mem, tail, head, pc, pt, pfp, pat, cached_head, guess, sent,
          pos, cpc, cword, cat, shown, phase, moved, waiters,
          resv, order, committed, aborted, delivered>>
cvars == <<pos, cpc, cword, cat, shown, delivered>>
park == <<phase, moved, waiters>>

\* the consumer's steps after it has observed a header, in code order (the
\* read claim's Deliver comes first for a committed record)
\* spsc (WHO ZEROES): the consumer zeroes nothing, a free only advances
FreeSeq ==
  CASE Mode = "spsc"                    -> <<"publish">>
    [] Bug = "zero_header_only"         -> <<"zero_header", "publish">>
    [] Bug = "publish_head_before_zero" -> <<"publish", "zero_body", "zero_header">>
    [] OTHER                            -> <<"zero_body", "zero_header", "publish">>
FreePcs == {FreeSeq[k] : k \in DOMAIN FreeSeq}
StepIdx(s) == CHOOSE k \in DOMAIN FreeSeq : FreeSeq[k] = s
NextPc(s) == IF StepIdx(s) = Len(FreeSeq) THEN "observe" ELSE FreeSeq[StepIdx(s) + 1]
\* step s of the current free has run
Ran(s) == s \in FreePcs /\ cpc \in FreePcs /\ StepIdx(cpc) > StepIdx(s)
\* the footprint of the record the consumer holds (reader: footprint(len),
\* or n of SKIP | n)
FreeFp == IF cword.k = "len" THEN cword.n + 1 ELSE cword.n

PPcs == {"idle", "load", "refresh", "cas", "zero_first", "pad", "zero_next", "write", "close",
         "p_key", "p_announce", "retry", "wait", "asleep", "cancel"}
\* the consumer in not_full.notify_all() (Waiting)
WakePcs == {"c_check", "c_bump", "c_wake"}

TypeOK ==
  /\ mem \in [0..Cap-1 -> Words]
  /\ tail \in 0..MaxOff /\ head \in 0..MaxOff /\ pos \in 0..MaxOff
  /\ pc \in [Producers -> PPcs]
  /\ pt \in [Producers -> 0..MaxOff]
  /\ pfp \in [Producers -> {0} \cup Fps]
  /\ pat \in [Producers -> 0..MaxOff]
  /\ cached_head \in [Producers -> 0..MaxOff]
  /\ guess \in [Producers -> 0..MaxOff]
  /\ sent \in [Producers -> 0..MaxRecords]
  /\ cpc \in {"observe", "deliver", "corrupt", "stopped"} \cup FreePcs \cup WakePcs
  /\ cword \in Words
  /\ cat \in 0..MaxOff
  /\ shown \in BOOLEAN
  /\ phase \in [Producers -> {"none", "first", "recheck", "after"}]
  /\ moved \in [Producers -> BOOLEAN]
  /\ waiters \in 0..NumProducers
  /\ resv \in Seq(Entries)
  /\ order \in Seq(Ids)
  /\ committed \subseteq Ids /\ aborted \subseteq Ids
  /\ delivered \in Seq({NoId} \cup Ids)

Init ==
  /\ mem = [i \in 0..Cap-1 |-> Zero]    \* a zero-filled buffer
  /\ tail = 0 /\ head = 0 /\ pos = 0
  /\ pc = [p \in Producers |-> "idle"]
  /\ pt = [p \in Producers |-> 0]
  /\ pfp = [p \in Producers |-> 0]
  /\ pat = [p \in Producers |-> 0]
  /\ cached_head = [p \in Producers |-> 0]
  /\ guess = [p \in Producers |-> 0]
  /\ sent = [p \in Producers |-> 0]
  /\ cpc = "observe" /\ cword = Zero /\ cat = 0 /\ shown = FALSE
  /\ phase = [p \in Producers |-> "none"]
  /\ moved = [p \in Producers |-> FALSE]
  /\ waiters = 0
  /\ resv = << >> /\ order = << >> /\ committed = {} /\ aborted = {} /\ delivered = << >>

----------------------------------------------------------------------------
(* The producers: try_claim_with, then the write claim                     *)

\* the reservation of [t0, t0 + need): tail moves, the claim's offset is
\* fixed, and the ghost records it (a padding first on a wrap)
Reserve(p, t0, f) ==
  /\ tail' = t0 + Need(t0, f)
  /\ pat' = [pat EXCEPT ![p] = RecOff(t0, f)]
  /\ resv' = resv
             \o (IF Wraps(t0, f)
                   THEN <<[id |-> NoId, by |-> p, off |-> t0, fp |-> ToEnd(t0)]>>
                   ELSE << >>)
             \o <<[id |-> Id(p, sent[p]), by |-> p, off |-> RecOff(t0, f), fp |-> f]>>
  /\ order' = Append(order, Id(p, sent[p]))

\* the attempt goes on in phase ph (block_on's state is unchanged otherwise)
GoOn(p, ph) == /\ phase' = [phase EXCEPT ![p] = ph]
               /\ UNCHANGED <<moved, waiters>>
\* the space is granted in an attempt of phase ph: try_claim_with returns
\* the claim and block_on returns it (after the re-check: cancel() first)
Grant(p, ph) ==
  /\ phase' = [phase EXCEPT ![p] = "none"]
  /\ waiters' = IF ph = "recheck" THEN waiters - 1 ELSE waiters
  /\ moved' = [moved EXCEPT ![p] = FALSE]

\* spsc, a wrap: word 0's zero, then the padding store (ZeroFirst, Pad);
\* Bug "pad_before_zero": the other way round
WrapSeq == IF Bug = "pad_before_zero" THEN <<"pad", "zero_first">>
                                      ELSE <<"zero_first", "pad">>
\* the step after step s of the wrap: its other one, then the next header
AfterWrap(s) == IF s = WrapSeq[1] THEN WrapSeq[2] ELSE "zero_next"

\* spsc, with room at t0: on a wrap the zero at 0 and the padding store come
\* first (WrapSeq); otherwise the reservation is made right away (tail_ is
\* private: no step of its own), and the next header's zero (ZeroNext) is
\* the claim's last step
SpscGo(p, t0, f, ph) ==
  /\ Grant(p, ph)
  /\ IF Wraps(t0, f)
       THEN /\ pc' = [pc EXCEPT ![p] = WrapSeq[1]]
            /\ pt' = [pt EXCEPT ![p] = t0]
            /\ UNCHANGED <<tail, pat, resv, order>>
       ELSE /\ Reserve(p, t0, f)
            /\ pc' = [pc EXCEPT ![p] = "zero_next"]
            /\ pt' = [pt EXCEPT ![p] = 0]

\* status::full. Without Waiting the claim is given up (it counts as one of
\* MaxRecords). With Waiting block_on goes on: after the first attempt, or
\* after the attempt that followed a wait, prepare() (PKey); after the
\* re-check, wait(key)
NoRoom(p) ==
  /\ pt' = [pt EXCEPT ![p] = 0]
  /\ IF Waiting
       THEN /\ pc' = [pc EXCEPT ![p] = IF phase[p] = "recheck" THEN "wait" ELSE "p_key"]
            /\ UNCHANGED <<pfp, sent, phase>>
       ELSE /\ pc' = [pc EXCEPT ![p] = "idle"]
            /\ sent' = [sent EXCEPT ![p] = @ + 1]
            /\ pfp' = [pfp EXCEPT ![p] = 0]
            /\ phase' = [phase EXCEPT ![p] = "none"]
  /\ UNCHANGED <<tail, pat, resv, order, moved, waiters>>

\* try_claim_with(len) of footprint f (any of MinFp..MaxFp units), in block_on
\* phase ph. mpsc: t = tail_guess_ (no shared access: where this producer's
\* last claim ended, at or behind the tail); room by cached_head_ -> Claim,
\* else Load (a full verdict needs the current tail). spsc: t = tail_ (its
\* own); room -> the claim, else RefreshHead
TryClaim(p, f, ph) ==
  /\ pfp' = [pfp EXCEPT ![p] = f]
  /\ IF Mode = "mpsc"
       THEN /\ pt' = [pt EXCEPT ![p] = guess[p]]
            /\ pc' = [pc EXCEPT ![p] = IF Room(guess[p], cached_head[p], f)
                                         THEN "cas" ELSE "load"]
            /\ GoOn(p, ph)
            /\ UNCHANGED <<tail, pat, resv, order>>
       ELSE IF Room(tail, cached_head[p], f)
              THEN SpscGo(p, tail, f, ph)
              ELSE /\ pc' = [pc EXCEPT ![p] = "refresh"]
                   /\ pt' = [pt EXCEPT ![p] = tail]
                   /\ GoOn(p, ph)
                   /\ UNCHANGED <<tail, pat, resv, order>>
  /\ UNCHANGED <<mem, head, cached_head, guess, sent, cvars, committed, aborted>>

\* a new claim: try_claim / try_claim_with, or (Waiting) sender::send's
\* first attempt (block_on's r = attempt(false): fresh = false)
ClaimLoad(p, f) ==
  /\ pc[p] = "idle" /\ sent[p] < MaxRecords
  /\ TryClaim(p, f, "first")

\* Waiting: block_on's next attempt, attempt(true): the re-check after
\* prepare() (phase "recheck") or the attempt after a wait ("after"); the
\* same len, so the same footprint; RefreshHead then reads the position
\* word (fresh)
Retry(p) ==
  /\ pc[p] = "retry"
  /\ TryClaim(p, pfp[p], phase[p])

\* mpsc, the guess had no room by cached_head_: t = tail.load(claim_load)
\* (acquire); room -> Claim, else RefreshHead
Load(p) ==
  /\ pc[p] = "load"
  /\ pt' = [pt EXCEPT ![p] = tail]
  /\ pc' = [pc EXCEPT ![p] = IF Room(tail, cached_head[p], pfp[p])
                               THEN "cas" ELSE "refresh"]
  /\ UNCHANGED <<mem, tail, head, pfp, pat, cached_head, guess, sent, cvars,
                 park, resv, order, committed, aborted>>

\* the attempt reads the consumer's exact position (try_claim_with's
\* fresh: Waiting, after the first attempt; not with Bug "stale_recheck")
Fresh(p) == Waiting /\ phase[p] \in {"recheck", "after"} /\ Bug # "stale_recheck"

\* refresh_head: h = fresh ? position.load(see_position) (acquire) :
\* head.load(see_free) (acquire); cached_head_ = h unless that would move it
\* backwards (a fresh refresh may have taken it past the head). mpsc: the
\* cached head past t (t stale: the CAS will fail and reload) or room ->
\* Claim; spsc: room -> on as after ClaimLoad; else status::full
RefreshHead(p) ==
  /\ pc[p] = "refresh"
  /\ LET t0 == pt[p]
         f == pfp[p]
         h == IF Fresh(p) THEN pos ELSE head
         ch == IF h > cached_head[p] THEN h ELSE cached_head[p]
     IN /\ cached_head' = [cached_head EXCEPT ![p] = ch]
        /\ IF Mode = "mpsc"
             THEN IF ch > t0 \/ t0 - ch <= Cap - Need(t0, f)
                    THEN /\ pc' = [pc EXCEPT ![p] = "cas"]
                         /\ UNCHANGED <<tail, pat, resv, order, pt, pfp, sent, park>>
                    ELSE NoRoom(p)
             ELSE IF t0 + RoomNeed(t0, f) - ch <= Cap
                    THEN SpscGo(p, t0, f, phase[p]) /\ UNCHANGED <<pfp, sent>>
                    ELSE NoRoom(p)
  /\ UNCHANGED <<mem, head, guess, cvars, committed, aborted>>

\* mpsc: tail.compare_exchange_weak(t, t + need, claim). Success: the space
\* is ours (Pad next on a wrap), tail_guess_ = t + need. Failure: t = the
\* tail the CAS read (spin_pause), the room check again.
Claim(p) ==
  /\ pc[p] = "cas"
  /\ LET t0 == pt[p]
         f == pfp[p]
     IN IF tail = t0
          THEN /\ Reserve(p, t0, f)
               /\ pc' = [pc EXCEPT ![p] = IF Wraps(t0, f) THEN "pad" ELSE "write"]
               /\ pt' = IF Wraps(t0, f) THEN pt ELSE [pt EXCEPT ![p] = 0]
               /\ guess' = [guess EXCEPT ![p] = t0 + Need(t0, f)]
               /\ Grant(p, phase[p])
          ELSE /\ pt' = [pt EXCEPT ![p] = tail]
               /\ pc' = [pc EXCEPT ![p] = IF Room(tail, cached_head[p], f)
                                            THEN "cas" ELSE "refresh"]
               /\ UNCHANGED <<tail, pat, resv, order, guess, park>>
  /\ UNCHANGED <<mem, head, pfp, cached_head, sent, cvars, committed, aborted>>

\* the wrap: store_word(at, SKIP | to_end, pad) (release) at the old tail
\* position. mpsc: after the CAS; then Write. spsc: after word 0's zero
\* (ZeroFirst), then ZeroNext; the spec makes the reservation here, with
\* the store that lets the consumer step past the old tail (the code sets
\* tail_ = t + need after the next header's zero: private, so when is
\* unobservable). Bug "no_pad": the store is missing.
Pad(p) ==
  /\ pc[p] = "pad"
  /\ mem' = IF Bug = "no_pad" THEN mem
            ELSE [mem EXCEPT ![Pos(pt[p])] = SkipW(ToEnd(pt[p]))]
  /\ IF Mode = "mpsc"
       THEN /\ pc' = [pc EXCEPT ![p] = "write"]
            /\ UNCHANGED <<tail, pat, resv, order>>
       ELSE /\ pc' = [pc EXCEPT ![p] = AfterWrap("pad")]
            /\ Reserve(p, pt[p], pfp[p])
  /\ pt' = [pt EXCEPT ![p] = 0]
  /\ UNCHANGED <<head, pfp, cached_head, guess, sent, cvars, park, committed,
                 aborted>>

\* spsc, a wrap: store_word(0, 0, relaxed): word 0, where the record goes,
\* holds the old lap's first header until now; the pad's release (after
\* it) carries the zero to the consumer that steps past the skip. Bug
\* "no_next_zero": the store is missing
ZeroFirst(p) ==
  /\ pc[p] = "zero_first"
  /\ mem' = IF Bug = "no_next_zero" THEN mem ELSE [mem EXCEPT ![0] = Zero]
  /\ pc' = [pc EXCEPT ![p] = AfterWrap("zero_first")]
  /\ pt' = IF AfterWrap("zero_first") = "pad" THEN pt ELSE [pt EXCEPT ![p] = 0]
  /\ UNCHANGED <<tail, head, pfp, pat, cached_head, guess, sent, cvars, park,
                 resv, order, committed, aborted>>

\* spsc: store_word((at + fp) & mask, 0, relaxed): the next header, the word
\* after the record (in free space: the room check asked for it), which
\* may hold an old lap's word; this record's commit or abort (release,
\* after it) carries the zero to the consumer that steps past the record.
\* Then the claim is handed out. Bug "no_next_zero": the store is missing
ZeroNext(p) ==
  /\ pc[p] = "zero_next"
  /\ mem' = IF Bug = "no_next_zero" THEN mem
            ELSE [mem EXCEPT ![Pos(pat[p] + pfp[p])] = Zero]
  /\ pc' = [pc EXCEPT ![p] = "write"]
  /\ UNCHANGED <<tail, head, pt, pfp, pat, cached_head, guess, sent, cvars, park,
                 resv, order, committed, aborted>>

\* write_claim::write / data(): the payload words (plain stores)
Write(p) ==
  /\ pc[p] = "write"
  /\ mem' = [i \in 0..Cap-1 |->
               IF i \in Body(pat[p], pfp[p]) THEN DataW(Id(p, sent[p])) ELSE mem[i]]
  /\ pc' = [pc EXCEPT ![p] = "close"]
  /\ UNCHANGED <<tail, head, pt, pfp, pat, cached_head, guess, sent, cvars, park,
                 resv, order, committed, aborted>>

\* the claim is closed: header store, then try_claim_with can run again
Close(p, w) ==
  /\ mem' = [mem EXCEPT ![Pos(pat[p])] = w]
  /\ pc' = [pc EXCEPT ![p] = "idle"]
  /\ sent' = [sent EXCEPT ![p] = @ + 1]
  /\ pfp' = [pfp EXCEPT ![p] = 0]
  /\ pat' = [pat EXCEPT ![p] = 0]

\* write_claim::commit: store_word(off, len, commit). (In a channel the
\* claim's wake_receiver then runs: the receiver's parking is not modelled)
Commit(p) ==
  /\ pc[p] = "close"
  /\ Close(p, LenW(pfp[p] - 1))
  /\ committed' = committed \cup {Id(p, sent[p])}
  /\ UNCHANGED <<tail, head, pt, cached_head, guess, cvars, park, resv, order,
                 aborted>>

\* write_claim::abort (or ~write_claim of an open claim):
\* store_word(off, SKIP | footprint(len), abort)
Abort(p) ==
  /\ pc[p] = "close"
  /\ Close(p, SkipW(pfp[p]))
  /\ aborted' = aborted \cup {Id(p, sent[p])}
  /\ UNCHANGED <<tail, head, pt, cached_head, guess, cvars, park, resv, order,
                 committed>>

----------------------------------------------------------------------------
(* Waiting: block_on's park loop on the channel's not_full waitset         *)

\* prepare(): key = seq.load(relaxed), read before the announce
PKey(p) ==
  /\ pc[p] = "p_key"
  /\ moved' = [moved EXCEPT ![p] = FALSE]
  /\ pc' = [pc EXCEPT ![p] = "p_announce"]
  /\ UNCHANGED <<mem, tail, head, pt, pfp, pat, cached_head, guess, sent, cvars,
                 phase, waiters, resv, order, committed, aborted>>

\* prepare(): waiters.fetch_add(1, relaxed); fence(prepare_fence) [seq_cst:
\* pairs with notify_fence]; then attempt(true): the re-check (Retry)
PAnnounce(p) ==
  /\ pc[p] = "p_announce"
  /\ waiters' = waiters + 1
  /\ phase' = [phase EXCEPT ![p] = "recheck"]
  /\ pc' = [pc EXCEPT ![p] = "retry"]
  /\ UNCHANGED <<mem, tail, head, pt, pfp, pat, cached_head, guess, sent, cvars,
                 moved, resv, order, committed, aborted>>

\* wait(key) = futex_wait(seq, key): the kernel compares and enqueues in one
\* step: sleeps only while seq == key, else returns at once
Wait(p) ==
  /\ pc[p] = "wait"
  /\ pc' = [pc EXCEPT ![p] = IF moved[p] THEN "cancel" ELSE "asleep"]
  /\ UNCHANGED <<mem, tail, head, pt, pfp, pat, cached_head, guess, sent, cvars,
                 park, resv, order, committed, aborted>>

\* cancel() (waiters.fetch_sub(1, relaxed)), then attempt(true) (Retry)
Cancel(p) ==
  /\ pc[p] = "cancel"
  /\ waiters' = waiters - 1
  /\ phase' = [phase EXCEPT ![p] = "after"]
  /\ moved' = [moved EXCEPT ![p] = FALSE]   \* no key held any more
  /\ pc' = [pc EXCEPT ![p] = "retry"]
  /\ UNCHANGED <<mem, tail, head, pt, pfp, pat, cached_head, guess, sent, cvars,
                 resv, order, committed, aborted>>

----------------------------------------------------------------------------
(* The consumer: detail::reader (format.hpp)                               *)

\* the reservations wholly below offset h (a prefix of resv: they tile)
NumBelow(h) == Cardinality({k \in DOMAIN resv : resv[k].off + resv[k].fp <= h})

\* after step s of a free; after the last one the consumer is back in
\* reader::next at its new position, and the ghost forgets the freed entry.
\* Waiting: a record's free ends its read_claim::consume, which then runs
\* `after` (wake_senders: not_full.notify_all()); a skip's free is inside
\* reader::next, which goes on (`shown`: reader::claim wakes at its end)
EndStep(s) ==
  LET done == NextPc(s) = "observe"
      record == cword.k = "len"
  IN /\ cpc' = IF done /\ Waiting /\ record THEN "c_check" ELSE NextPc(s)
     /\ shown' = (shown \/ (done /\ Waiting /\ ~record))
     /\ cword' = IF done THEN Zero ELSE cword
     /\ cat' = IF done THEN pos' ELSE cat
     /\ resv' = IF done THEN SubSeq(resv, NumBelow(pos') + 1, Len(resv)) ELSE resv

\* reader::claim runs `after` before it returns (Waiting; not with Bug
\* "no_claim_wake") when this call made freed space visible
ClaimWakes == Waiting /\ Bug # "no_claim_wake"

\* reader::next: word = load_word(pos_ & mask, observe). 0: status::empty
\* (PublishEmpty, or no step: nothing changes). SKIP | n: free it (verify:
\* n fits before the end). len: the read claim (verify: len <=
\* max_payload); with `shown`, reader::claim first runs `after`. Anything
\* else is no header (a stale payload word): the code reads it as a len or
\* a skip and either stops in verify() or hands out garbage; the spec's
\* consumer stops ("corrupt").
Observe ==
  /\ cpc = "observe"
  /\ mem[Pos(pos)] # Zero
  /\ LET w == mem[Pos(pos)] IN
       /\ cword' = w
       /\ cpc' = CASE w.k = "len" /\ w.n <= MaxPayload ->
                        IF shown /\ ClaimWakes THEN "c_check" ELSE "deliver"
                   [] w.k = "skip" /\ w.n <= ToEnd(pos) -> FreeSeq[1]
                   [] OTHER -> "corrupt"
       /\ shown' = (shown /\ w.k # "len")
  /\ cat' = pos
  /\ UNCHANGED <<mem, tail, head, pos, pc, pt, pfp, pat, cached_head, guess, sent,
                 park, resv, order, committed, aborted, delivered>>

\* reader::next finds 0 at pos_ (caught up, or at an uncommitted
\* reservation) with freed space not yet published: head.store(pos_,
\* free_space), then status::empty. Bug "no_publish_when_empty": missing.
\* Waiting: reader::claim then runs `after` (not_full.notify_all()), also
\* when only skips were freed in this call (`shown`, the head already
\* published)
PublishEmpty ==
  /\ cpc = "observe"
  /\ mem[Pos(pos)] = Zero
  /\ \/ head # pos /\ Bug # "no_publish_when_empty"
     \/ shown
  /\ head' = IF Bug = "no_publish_when_empty" THEN head ELSE pos
  /\ cpc' = IF ClaimWakes THEN "c_check" ELSE "observe"
  /\ shown' = FALSE
  /\ UNCHANGED <<mem, tail, pos, pc, pt, pfp, pat, cached_head, guess, sent, cword,
                 cat, park, resv, order, committed, aborted, delivered>>

\* the record id the payload words hold (all the same), or NoId (torn,
\* zeroed, stale)
ReadId(off, f) ==
  IF \E r \in Ids : \A u \in Body(off, f) : mem[u] = DataW(r)
    THEN CHOOSE r \in Ids : \A u \in Body(off, f) : mem[u] = DataW(r)
    ELSE NoId

\* the user reads the read claim's payload (read_claim::read / data():
\* plain loads) and gets the record; the claim is consumed (finish)
Deliver ==
  /\ cpc = "deliver"
  /\ delivered' = Append(delivered, ReadId(cat, FreeFp))
  /\ cpc' = FreeSeq[1]
  /\ UNCHANGED <<mem, tail, head, pos, pc, pt, pfp, pat, cached_head, guess, sent, cword,
                 cat, shown, park, resv, order, committed, aborted>>

\* reader::free: buf_->zero(at + 8, n - 8) (plain)
ZeroBody ==
  /\ cpc = "zero_body"
  /\ mem' = [i \in 0..Cap-1 |-> IF i \in Body(cat, FreeFp) THEN Zero ELSE mem[i]]
  /\ UNCHANGED <<head, pos>>
  /\ EndStep("zero_body")
  /\ UNCHANGED <<tail, pc, pt, pfp, pat, cached_head, guess, sent, delivered, park,
                 order, committed, aborted>>

\* reader::free: store_word(at, 0, relaxed)
ZeroHeader ==
  /\ cpc = "zero_header"
  /\ mem' = [mem EXCEPT ![Pos(cat)] = Zero]
  /\ UNCHANGED <<head, pos>>
  /\ EndStep("zero_header")
  /\ UNCHANGED <<tail, pc, pt, pfp, pat, cached_head, guess, sent, delivered, park,
                 order, committed, aborted>>

\* reader::free: pos_ += n (Waiting: position.store(pos_, free_position),
\* release: the same value, so the same variable); once pos_ - published_
\* >= batch_: head.store(pos_, free_space)
PublishHead ==
  /\ cpc = "publish"
  /\ pos' = cat + FreeFp
  /\ head' = IF cat + FreeFp - head >= Batch THEN cat + FreeFp ELSE head
  /\ EndStep("publish")
  /\ UNCHANGED <<mem, tail, pc, pt, pfp, pat, cached_head, guess, sent, delivered,
                 park, order, committed, aborted>>

----------------------------------------------------------------------------
(* Waiting: wake_senders = block::not_full.notify_all() (waitset.hpp)      *)

\* where the consumer goes on after the wake: with the read claim that
\* reader::claim is about to hand out, or back in reader::next
WakeTo == IF cword.k = "len" THEN "deliver" ELSE "observe"

\* fence(notify_fence) [seq_cst: pairs with prepare_fence];
\* O::wake && waiters.load(relaxed) != 0. Bug "no_free_wake": O::wake false
CCheck ==
  /\ cpc = "c_check"
  /\ cpc' = IF Bug # "no_free_wake" /\ waiters # 0 THEN "c_bump" ELSE WakeTo
  /\ UNCHANGED <<mem, tail, head, pos, pc, pt, pfp, pat, cached_head, guess, sent,
                 cword, cat, shown, park, resv, order, committed, aborted,
                 delivered>>

\* the producers that hold a key (between prepare() and cancel())
KeyHolders == {p \in Producers : pc[p] = "p_announce" \/ phase[p] = "recheck"}

\* seq.fetch_add(1, relaxed): a waiter that read its key before this returns
\* from futex_wait at once
CBump ==
  /\ cpc = "c_bump"
  /\ moved' = [p \in Producers |-> moved[p] \/ p \in KeyHolders]
  /\ cpc' = "c_wake"
  /\ UNCHANGED <<mem, tail, head, pos, pc, pt, pfp, pat, cached_head, guess, sent,
                 cword, cat, shown, phase, waiters, resv, order, committed,
                 aborted, delivered>>

\* futex_wake_all(seq): every sleeping producer returns from its wait
CWake ==
  /\ cpc = "c_wake"
  /\ pc' = [p \in Producers |-> IF pc[p] = "asleep" THEN "cancel" ELSE pc[p]]
  /\ cpc' = WakeTo
  /\ UNCHANGED <<mem, tail, head, pos, pt, pfp, pat, cached_head, guess, sent,
                 cword, cat, shown, park, resv, order, committed, aborted,
                 delivered>>

\* MayStop: the user stops calling recv() for good, between two calls or
\* while it holds a read claim (it blocks elsewhere: request/response)
StopConsuming ==
  /\ MayStop
  /\ \/ cpc = "observe" /\ ~shown
     \/ cpc = "deliver"
  /\ cpc' = "stopped"
  /\ UNCHANGED <<mem, tail, head, pos, pc, pt, pfp, pat, cached_head, guess, sent,
                 cword, cat, shown, park, resv, order, committed, aborted,
                 delivered>>

----------------------------------------------------------------------------
ProducersDone == \A p \in Producers : pc[p] = "idle" /\ sent[p] = MaxRecords

Asleep(p) == pc[p] = "asleep"
\* the claim p waits for fits at the current tail by the consumer's
\* position: Cap - (tail - pos) units are free, and it needs Need(tail, fp)
FitsByPos(p) == Room(tail, pos, pfp[p])

\* nothing more happens (not a deadlock): every claim made and closed, and
\* the consumer polls an empty ring with everything it freed published (or
\* has stopped at a corrupt header); or the consumer has stopped for good
\* and each producer is done or asleep waiting for space that is not free
Terminated ==
  /\ \/ /\ ProducersDone
        /\ \/ cpc = "observe" /\ mem[Pos(pos)] = Zero /\ ~ENABLED PublishEmpty
           \/ cpc = "corrupt"
     \/ /\ cpc = "stopped"
        /\ \A p \in Producers :
             \/ pc[p] = "idle" /\ sent[p] = MaxRecords
             \/ Asleep(p) /\ ~FitsByPos(p)
  /\ UNCHANGED vars

ProducerStep(p) ==
  \/ \E f \in Fps : ClaimLoad(p, f)
  \/ Load(p) \/ RefreshHead(p) \/ Claim(p) \/ Pad(p) \/ Write(p) \/ Commit(p) \/ Abort(p)
  \/ ZeroFirst(p) \/ ZeroNext(p)
  \/ PKey(p) \/ PAnnounce(p) \/ Retry(p) \/ Wait(p) \/ Cancel(p)
ConsumerStep == \/ Observe \/ PublishEmpty \/ Deliver \/ ZeroBody \/ ZeroHeader \/ PublishHead
                \/ CCheck \/ CBump \/ CWake

Next ==
  \/ \E p \in Producers : ProducerStep(p)
  \/ ConsumerStep
  \/ StopConsuming
  \/ Terminated

\* Every process keeps taking its steps: each producer makes all its claims
\* and closes each (commit or abort), the consumer keeps polling (unless
\* it stops: StopConsuming is allowed, never required). (One WF per
\* thread: its pc enables one kind of step at a time. A sleeping producer
\* has no step enabled: only the consumer's CWake moves it.)
Fairness == /\ \A p \in Producers : WF_vars(ProducerStep(p))
            /\ WF_vars(ConsumerStep)

Spec == Init /\ [][Next]_vars /\ Fairness

----------------------------------------------------------------------------
(* Safety                                                                  *)

RecIds == [k \in DOMAIN resv |-> resv[k].id]
IsRecord(r) == r # NoId
IsCommitted(r) == r \in committed
\* the committed records in reservation (CAS) order
CommittedOrder == SelectSeq(order, IsCommitted)
Range(s) == {s[k] : k \in DOMAIN s}
\* s ends with u
IsSuffix(u, s) == Len(u) <= Len(s) /\ u = SubSeq(s, Len(s) - Len(u) + 1, Len(s))

\* the header a closed reservation ends up with
FinalHeader(e) == IF e.id = NoId \/ e.id \in aborted THEN SkipW(e.fp) ELSE LenW(e.fp - 1)

\* producer p holds an open claim (reserved, not closed yet; spsc: also
\* while it zeroes the next header, and with Bug "pad_before_zero" word 0)
Open(p) == \/ pc[p] \in {"write", "close"}
           \/ Mode = "mpsc" /\ pc[p] = "pad"
           \/ Mode = "spsc" /\ pc[p] = "zero_next"
           \/ Mode = "spsc" /\ pc[p] = "zero_first" /\ WrapSeq[1] = "pad"

\* the index the producers' room checks are bounded by: the head, or with
\* Waiting the position word (a waiting producer refreshes from it)
Seen == IF Waiting THEN pos ELSE head

\* head <= pos <= tail <= head + capacity (Waiting: <= pos + capacity,
\* with the position word); [pos, tail) is a sequence of
\* records and paddings whose footprints add up exactly: the unfreed
\* reservations tile [pos, tail) in CAS order (the newest records of
\* `order`), none
\* straddles the end of the buffer, a padding runs exactly to the end and
\* is followed by its producer's record, footprints are MinFp..MaxFp.
\* spsc: tail < Seen + Cap, the next header word is free space too (the
\* room check's + 8)
RegionsTile ==
  /\ head <= pos /\ pos <= tail /\ tail <= Seen + Cap
  /\ Mode = "spsc" => tail + 1 <= Seen + Cap
  /\ IF resv = << >> THEN pos = tail
                     ELSE /\ resv[1].off = pos
                          /\ resv[Len(resv)].off + resv[Len(resv)].fp = tail
  /\ \A k \in DOMAIN resv :
       /\ k > 1 => resv[k].off = resv[k-1].off + resv[k-1].fp
       /\ Pos(resv[k].off) + resv[k].fp <= Cap
       /\ resv[k].id = NoId => /\ Pos(resv[k].off) + resv[k].fp = Cap
                               /\ k < Len(resv)
                               /\ resv[k+1].by = resv[k].by /\ resv[k+1].id # NoId
       /\ resv[k].id # NoId => /\ resv[k].fp \in Fps
                               /\ resv[k].by = (resv[k].id - 1) \div MaxRecords
  /\ IsSuffix(SelectSeq(RecIds, IsRecord), order)
  /\ \A k, l \in DOMAIN order : k # l => order[k] # order[l]

\* each reservation is owned by the one producer whose CAS made it: the
\* open claims are exactly the reserved records not closed yet, at their
\* offsets, and each is unfreed; a closed claim was reserved
OwnedReservations ==
  /\ committed \cap aborted = {}
  /\ committed \cup aborted \subseteq Range(order)
  /\ \A p \in Producers :
       /\ Open(p) => \E k \in DOMAIN resv :
                       resv[k] = [id |-> Id(p, sent[p]), by |-> p, off |-> pat[p], fp |-> pfp[p]]
       /\ (Mode = "mpsc" /\ pc[p] = "pad") =>
            \E k \in DOMAIN resv :
              resv[k] = [id |-> NoId, by |-> p, off |-> pt[p], fp |-> ToEnd(pt[p])]
  /\ \A r \in Range(order) \ (committed \cup aborted) :
       LET q == (r - 1) \div MaxRecords IN Open(q) /\ r = Id(q, sent[q])

\* a producer's cached head errs toward "full": never past head (Waiting:
\* never past the position word)
CachedHeadStale == \A p \in Producers : cached_head[p] <= Seen

\* a producer's tail guess is never ahead of the tail (a stale guess only
\* fails the CAS)
GuessBehind == \A p \in Producers : guess[p] <= tail

\* H6, mpsc (the consumer zeroes): free space is all zero: every word
\* outside [pos, tail), i.e. [tail, pos + Cap): the space the producers
\* may reserve ([tail, head + Cap), with Waiting up to pos + Cap) and the
\* space freed but not yet published ([head, pos), the positions of
\* [head + Cap, pos + Cap)). Not true in spsc by design: freed words keep
\* their values (NextHeaderZero says what holds there)
FreeSpaceZero == \A i \in tail..(pos + Cap - 1) : mem[Pos(i)] = Zero

\* H6, spsc (the producer zeroes, WHO ZEROES): the one free word the
\* consumer can read before a producer rewrites it, the header at the
\* tail, is zero: always, but while the claim's last step (ZeroNext) is
\* still to run (the tail has moved, its new word not zeroed yet; the
\* consumer cannot reach it before the claim is closed). On a wrap, once
\* word 0 is zeroed it stays zero until the claim is closed (LiveMemory
\* says so from the padding store on, when the record at 0 is reserved).
\* Every other free word may hold an old lap's bytes; the consumer reaches
\* each of them only through a header a producer stores later (NoStaleRead)
NextHeaderZero ==
  Mode = "spsc" =>
    \A p \in Producers :
      /\ pc[p] # "zero_next" => mem[Pos(tail)] = Zero
      /\ pc[p] = "pad" /\ WrapSeq[1] = "zero_first" => mem[0] = Zero

\* PUBLICATION (format.hpp): the head lags the consumer's position by less
\* than a batch (Batch = 1: the head is the position, a store per free)
HeadLag == head <= pos /\ pos - head < Batch

\* the consumer is freeing reservation e (and step s of it is still to come)
Freeing(e) == (cpc = "deliver" \/ cpc \in FreePcs) /\ cat = e.off
\* every word of [pos, tail) holds what its reservation's state says:
\* header 0 until the claim is closed (padding: until Pad), then len or
\* SKIP; payload once written the record's id. mpsc: payload 0 until
\* Write, a padding's words past its header 0, and a record being freed
\* loses its body, then its header. spsc: the consumer zeroes nothing, so
\* an unwritten payload and a padding's words past its header hold
\* whatever an old lap left there (any word: only headers are read)
LiveMemory ==
  \A k \in DOMAIN resv : LET e == resv[k] IN
    e.off + e.fp > pos =>
      LET hdr == IF e.id = NoId
                   THEN IF Mode = "mpsc" /\ pc[e.by] = "pad" /\ pt[e.by] = e.off
                          THEN Zero ELSE SkipW(e.fp)
                   ELSE IF e.id \in committed \cup aborted THEN FinalHeader(e)
                   ELSE Zero
          written == e.id # NoId /\ (e.id \in committed \cup aborted \/ pc[e.by] = "close")
      IN /\ mem[Pos(e.off)] = IF Freeing(e) /\ Ran("zero_header") THEN Zero ELSE hdr
         /\ \A u \in Body(e.off, e.fp) :
              IF Freeing(e) /\ Ran("zero_body") THEN mem[u] = Zero
              ELSE IF written THEN mem[u] = DataW(e.id)
              ELSE Mode = "spsc" \/ mem[u] = Zero

\* The consumer never reads an uncommitted or stale word: the header it
\* loaded is the final header of the reservation at its position (a
\* padding, an aborted record, or a committed record), never a payload
\* word; while it holds a committed record, every payload word holds that
\* record's id. (It holds a header from Observe to the end of the free,
\* also while reader::claim wakes the producers before handing out the
\* read claim, and when it stops holding the claim.)
Holds == \/ cpc \in {"deliver"} \cup FreePcs
         \/ cpc \in WakePcs \cup {"stopped"} /\ cword # Zero
NoStaleRead ==
  /\ cpc # "corrupt"
  /\ Holds =>
       \E k \in DOMAIN resv :
         /\ resv[k].off = cat
         /\ resv[k].id = NoId \/ resv[k].id \in committed \cup aborted
         /\ cword = FinalHeader(resv[k])
         /\ cpc = "deliver" =>
              /\ resv[k].id \in committed
              /\ \A u \in Body(cat, resv[k].fp) : mem[u] = DataW(resv[k].id)

\* committed records are delivered exactly once, in reservation order:
\* delivered is a prefix of the committed records in CAS order
DeliveredInOrder ==
  /\ Len(delivered) <= Len(CommittedOrder)
  /\ \A k \in 1..Len(delivered) : delivered[k] = CommittedOrder[k]

\* aborted records and paddings (and torn reads: NoId) are never delivered
NeverDeliverAborted == Range(delivered) \cap (aborted \cup {NoId}) = {}

\* Waiting: waiters_ counts exactly the producers between prepare() and
\* cancel()
WaitersExact == waiters = Cardinality({p \in Producers : phase[p] = "recheck"})

\* a not_full.notify_all() in flight that will reach the futex wake: the
\* consumer is in it past the check, or at the check with a waiter
\* counted, or has freed skips in this reader::claim, which wakes at its
\* end (a sleeper is counted in waiters_ until it cancels)
FreeWakeComing ==
  \/ cpc \in {"c_bump", "c_wake"}
  \/ cpc = "c_check" /\ Bug # "no_free_wake" /\ waiters # 0
  \/ shown /\ ClaimWakes /\ Bug # "no_free_wake" /\ waiters # 0

\* WAITING PRODUCERS (format.hpp): no producer sleeps while the space its
\* claim needs is free by the consumer's position, unless a wake is on its
\* way
SleepCovered == \A p \in Producers : Asleep(p) /\ FitsByPos(p) => FreeWakeComing

----------------------------------------------------------------------------
(* Liveness (under Fairness)                                               *)

\* the consumer has stopped consuming for good (MayStop; for ever once true)
Stopped == cpc = "stopped"

\* every producer closes its claims, and then everything committed is
\* delivered, in reservation order (unless the consumer stops)
AllDelivered == <>[](Stopped \/ (ProducersDone /\ delivered = CommittedOrder))

\* freed space always reaches the producers: once nothing more happens,
\* the head is the consumer's position (no freed byte held back for ever;
\* unless the consumer stops)
AllFreed == <>[](Stopped \/ head = pos)

\* each committed record is eventually delivered (unless the consumer
\* stops)
EveryCommitDelivered ==
  \A r \in Ids : (r \in committed) ~> (r \in Range(delivered) \/ Stopped)

\* WAITING PRODUCERS (liveness): a producer asleep while the space its
\* claim needs is free by the consumer's position is woken, even if the
\* consumer then stops consuming for good (MayStop)
FreedSpaceWakes == \A p \in Producers : (Asleep(p) /\ FitsByPos(p)) ~> ~Asleep(p)

\* p is inside send() past its first attempt: waiting for space
Blocked(p) == phase[p] \in {"recheck", "after"} \/ pc[p] \in {"p_key", "p_announce"}

\* ... and is given that space: a waiting producer whose claim fits by
\* the consumer's position gets it, even if the consumer has stopped,
\* unless another producer's claim takes the space first (with one
\* producer: it gets it)
WaitingGranted ==
  \A p \in Producers : (Blocked(p) /\ FitsByPos(p)) ~> (~Blocked(p) \/ ~FitsByPos(p))
=============================================================================
