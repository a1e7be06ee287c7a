// mpsc_fifo: the stamped-ring scenarios (model/scenarios.hpp stamped_variants)
// on nexus::queue::mpsc: FIFO at capacity 1 (the doubled stamps make it
// work) and 2 (with a wrap), disconnect in both drop orders, a throwing
// constructor, the emptiness rule (F11), two producers (one cloned) and the
// cross-producer no_spurious_full regression (3 threads, context bound 2),
// and their negative twins. Context bound 5 for the two-thread scenarios:
// the consumer's wait for a claimed slot is a spin loop, which full search
// explores at every step of the other thread (60x the states, for
// interleavings that differ only in how often the spinner re-read a stamp);
// --deeper raises the bound.
#include "scenarios.hpp"

using namespace nexus::model;

int main(int argc, char** argv) { return run(argc, argv, "mpsc_fifo", {rl::sched_bound, 5}, stamped_variants<mpsc_ring>()); }
