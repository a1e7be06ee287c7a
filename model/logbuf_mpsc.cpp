// logbuf_mpsc: nexus::logbuf::mpsc with one producer handle (the CAS
// reservation path, its spurious failures included) and the consumer, two
// threads: the scenarios of model/logbuf_common.hpp, as in logbuf_spsc.
//  * out_of_order: full search.
//  * fifo, wrap (a padding skip reserved by CAS), abort, and fifo_lazy /
//    wrap_lazy (freed space published only when the consumer finds the ring
//    empty, as in logbuf_spsc): context bound 4;
//    full search does not finish with the weak CAS's injected spurious
//    failures (each CAS retry is one more interleaving point).
// One negative twin per named order these scenarios exercise (the claim
// orders are killed in logbuf_mpsc_producers).
#include "logbuf_common.hpp"

using namespace nexus::model;
using namespace nexus::model::logbuf_model;

template <class O>
using fifo = stream<mpsc_bytes<O>, 32, 3, 8, 5>;

int main(int argc, char** argv) {
  return run(argc, argv, "logbuf_mpsc", {rl::sched_bound, 4},
             byte_ring_variants<mpsc_bytes, mpsc_orders>() +
                 variants{
                     NEXUS_VARIANT("abort", pass, aborts<mpsc_bytes<>>),
                     NEXUS_VARIANT_SEARCH("out_of_order", pass, (search{rl::sched_full}), out_of_order<mpsc_bytes<>>),
                     NEXUS_VARIANT("abort_relaxed", fail, aborts<mpsc_bytes<abort_relaxed<mpsc_orders>>>),
                     NEXUS_VARIANT("leave_relaxed", fail, fifo<leave_relaxed<mpsc_orders>>),
                     NEXUS_VARIANT("see_leave_relaxed", fail, fifo<see_leave_relaxed<mpsc_orders>>),
                 });
}
