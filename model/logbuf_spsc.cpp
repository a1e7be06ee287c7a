// logbuf_spsc: nexus::logbuf::spsc under the model (model/logbuf_common.hpp),
// two threads, full search; payload bytes are model cells.
//  * fifo: capacity 32, records of 3, 8 and 5 bytes (footprint 16 each): the
//    third reuses the bytes the consumer zeroed; the consumer that sees the
//    producer gone must have every committed record (F3).
//  * wrap: capacity 64, three 16-byte records (footprint 24): the third
//    wraps behind a padding skip.
//  * fifo_lazy, wrap_lazy: the same over lazy<O> (model/logbuf_common.hpp:
//    freed space is published only when the consumer finds the ring empty,
//    or has freed a whole capacity): the reused bytes are ordered by that
//    publication; its twins weaken free_space / see_free there.
//  * abort: an explicit abort and a claim destroyed open become skips; the
//    consumer zeroes their bytes and sees only the committed record.
//  * out_of_order: two open claims, the second committed first: delivered in
//    claim order (the consumer waits at the first).
// One negative twin per named order: each must be reported.
#include "logbuf_common.hpp"

using namespace nexus::model;
using namespace nexus::model::logbuf_model;

template <class O>
using fifo = stream<spsc_bytes<O>, 32, 3, 8, 5>;

int main(int argc, char** argv) {
  return run(argc, argv, "logbuf_spsc", {rl::sched_full},
             byte_ring_variants<spsc_bytes, spsc_orders>({rl::sched_full}) +
                 variants{
                     NEXUS_VARIANT("release_handle_acquire", fail, fifo<release_handle_acquire<spsc_orders>>),
                     NEXUS_VARIANT("release_handle_relaxed", fail, fifo<release_handle_relaxed<spsc_orders>>),
                     NEXUS_VARIANT("see_disconnect_relaxed", fail, fifo<see_disconnect_relaxed<spsc_orders>>),
                 });
}
