// spmc_fifo: the stamped-ring scenarios (model/scenarios.hpp stamped_variants)
// on nexus::queue::spmc: FIFO at capacity 1 and 2 (with a wrap), disconnect
// in both drop orders, a throwing constructor in the producer's own slot,
// two consumers (one cloned; 3 threads, context bound 2), and the negative
// twins. Context bound 5 for the two-thread scenarios, as mpsc_fifo (the
// producer's wait for a taken slot is a spin loop).
#include "scenarios.hpp"

using namespace nexus::model;

int main(int argc, char** argv) { return run(argc, argv, "spmc_fifo", {rl::sched_bound, 5}, stamped_variants<spmc_ring>()); }
