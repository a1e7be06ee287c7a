// A T whose move constructor may throw: accepted by queue::spsc and the SPSC
// channel, rejected at compile time by every ring that moves values through
// a claimed slot (tests/compile/run.cmake).
#pragma once
struct throwing_move {
  int v = 0;
  throwing_move() = default;
  throwing_move(throwing_move&& o) noexcept(false) : v(o.v) {}
};
