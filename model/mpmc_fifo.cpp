// mpmc_fifo: the stamped-ring scenarios (model/scenarios.hpp stamped_variants)
// on nexus::queue::mpmc: FIFO, disconnect, a throwing constructor, the
// emptiness rule with both threads pushing and then popping (crossbeam's
// `linearizable`, F11), two producers and the cross-producer
// no_spurious_full regression (3 threads, context bound 2), and their
// negative twins. Context bound 3 for the two-thread scenarios: both sides
// claim and wait, so bound 4 already takes minutes for cap2_wrap (--deeper
// 1 is verify/run --deep).
#include "scenarios.hpp"

using namespace nexus::model;

int main(int argc, char** argv) { return run(argc, argv, "mpmc_fifo", {rl::sched_bound, 3}, stamped_variants<mpmc_ring>()); }
