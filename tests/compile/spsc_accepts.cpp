// EXPECT: compiles
// The control: queue::spsc and the SPSC channel take a T whose move may throw
// (their pop leaves the value at the head if it does).
#include "nexus/channel/channel.hpp"
#include "nexus/queue/spsc.hpp"
#include "throwing_move.hpp"
int main() {
  auto r = nexus::queue::spsc::ring_buffer<throwing_move>(4);
  (void)r->tx.push(throwing_move{});
  auto c = nexus::channel::channel<throwing_move>(4);
  (void)c->tx.try_send(throwing_move{});
  return r->rx.pop() && c->rx.try_recv() ? 0 : 1;
}
