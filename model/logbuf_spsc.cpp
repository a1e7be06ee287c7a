// logbuf_spsc: nexus::logbuf::spsc under the model (model/logbuf_common.hpp),
// two threads, full search; payload bytes are model cells.
//  * fifo: capacity 32, records of 3, 8 and 5 bytes (footprint 16 each): the
//    third reuses the first one's bytes, where the first header still reads
//    3 unless the second claim zeroed it (the producer zeroes the next
//    header: format.hpp WHO ZEROES); the consumer that sees the producer
//    gone must have every committed record (F3). Twin no_zero_next: the
//    consumer reads record 0's old header as record 2.
//  * wrap: capacity 64, three 16-byte records (footprint 24): the third
//    wraps behind a padding skip, over record 0's old header at position 0,
//    which the producer zeroes before the pad (pad, release; twin
//    wrap_pad_relaxed).
//  * fifo_lazy, wrap_lazy: the same over lazy<O> (model/logbuf_common.hpp:
//    freed space is published only when the consumer finds the ring empty,
//    or has freed a whole capacity): the reused bytes are ordered by that
//    publication; its twins weaken free_space / see_free there.
//  * abort (capacity 64): an explicit abort and a claim destroyed open become
//    skips; the consumer steps over them and sees only the committed record.
//  * abort_reuse: an aborted record whose next header still held an old
//    lap's header (model/logbuf_common.hpp); twin abort_relaxed: the
//    consumer reads that old header after the skip.
//  * out_of_order (capacity 64): two open claims, the second committed
//    first: delivered in claim order (the consumer waits at the first).
// One negative twin per named order: each must be reported.
#include "logbuf_common.hpp"

using namespace nexus::model;
using namespace nexus::model::logbuf_model;

template <class O>
using fifo = stream<spsc_bytes<O>, 32, 3, 8, 5>;
template <class O>
using wrap = stream<spsc_bytes<O>, 64, 16, 16, 16>;

int main(int argc, char** argv) {
  return run(argc, argv, "logbuf_spsc", {rl::sched_full},
             byte_ring_variants<spsc_bytes, spsc_orders>() +
                 variants{
                     // Capacity 64: two claims of footprint 16 and the next header fit at once.
                     NEXUS_VARIANT("abort", pass, aborts<spsc_bytes<>, 64>),
                     NEXUS_VARIANT("abort_reuse", pass, abort_reuse<spsc_bytes<>>),
                     NEXUS_VARIANT("out_of_order", pass, out_of_order<spsc_bytes<>, 64>),
                     NEXUS_VARIANT("abort_relaxed", fail, abort_reuse<spsc_bytes<abort_relaxed<spsc_orders>>>),
                     NEXUS_VARIANT("no_zero_next", fail, fifo<no_zero_next<spsc_orders>>),
                     NEXUS_VARIANT("wrap_pad_relaxed", fail, wrap<pad_relaxed<spsc_orders>>),
                     NEXUS_VARIANT("release_handle_acquire", fail, fifo<release_handle_acquire<spsc_orders>>),
                     NEXUS_VARIANT("release_handle_relaxed", fail, fifo<release_handle_relaxed<spsc_orders>>),
                     NEXUS_VARIANT("see_disconnect_relaxed", fail, fifo<see_disconnect_relaxed<spsc_orders>>),
                 });
}
