// Built against the installed tree only (CMake package or pkg-config).
#include <nexus/queue/spsc.hpp>

#include <cstdio>

int main() {
  auto r = nexus::queue::spsc::ring_buffer<int>(3);
  if (!r) return 1;
  auto& [tx, rx] = *r;
  if (tx.push(42) != nexus::status::ok) return 2;
  auto v = rx.pop();
  if (!v || *v != 42 || rx.capacity() != 4) return 3;
  std::puts("consumer: OK");
  return 0;
}
