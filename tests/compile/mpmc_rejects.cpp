// EXPECT: queue::mpsc and queue::mpmc need a T whose move constructor
// queue::mpmc moves values through a claimed slot: a T whose move may throw
// is refused at compile time with the reason, never lost at run time.
#include "nexus/queue/mpmc.hpp"
#include "throwing_move.hpp"
int main() {
  auto r = nexus::queue::mpmc::ring_buffer<throwing_move>(4);
  (void)r->tx.push(throwing_move{});
  return r->rx.pop() ? 0 : 1;
}
