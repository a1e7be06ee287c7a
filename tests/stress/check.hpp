// tests/stress/check.hpp -- the one failure check of the stress programs
// (run under the tsan and asan presets): print what broke, exit non-zero.
// CHECK(cond, format, args...): the message is printf-formatted.
#pragma once

#include <cstdio>
#include <cstdlib>

#ifndef NEXUS_STRESS_NAME
#error "define NEXUS_STRESS_NAME (the program's name) before including check.hpp"
#endif

#define CHECK(cond, ...)                                                   \
  do {                                                                     \
    if (!(cond)) {                                                         \
      std::fprintf(stderr, NEXUS_STRESS_NAME ": FAILED %s: ", #cond);      \
      std::fprintf(stderr, __VA_ARGS__);                                   \
      std::fprintf(stderr, "\n");                                          \
      std::exit(1);                                                        \
    }                                                                      \
  } while (0)
