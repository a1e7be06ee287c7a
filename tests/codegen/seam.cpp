// The production instantiation of nexus::queue::spsc, compiled on its own so
// tests/codegen/compare.cmake can compare its code with hand.cpp.
#include <cstdint>
#include <optional>

#include "nexus/queue/spsc.hpp"

using namespace nexus::queue::spsc;

int cg_push(producer<std::uint64_t>& p, std::uint64_t v) { return static_cast<int>(p.push(v)); }
std::optional<std::uint64_t> cg_pop(consumer<std::uint64_t>& c) { return c.pop(); }
