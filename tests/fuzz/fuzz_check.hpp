// tests/fuzz/fuzz_check.hpp -- what the libFuzzer targets share: a check
// that reports the failed condition and its line, then aborts (libFuzzer
// keeps the input that did it).
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                      \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "%s: check failed: %s (line %d)\n", __FILE__, #cond, __LINE__); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)
