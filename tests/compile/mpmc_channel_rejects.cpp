// EXPECT: queue::spmc and queue::mpmc need a T whose move constructor
// mpmc_channel runs on queue::mpmc: the same compile-time refusal.
#include "nexus/channel/channel.hpp"
#include "throwing_move.hpp"
int main() {
  auto c = nexus::channel::mpmc_channel<throwing_move>(4);
  return c->tx.try_send(throwing_move{}) == nexus::status::ok ? 0 : 1;
}
