// tests/batch_out.hpp -- the output iterator the model-based tests give the
// batch pops (pop_n, try_recv_many): it records each value's `v` into a
// vector the caller reserved, and its assignment is noexcept (so spmc's and
// mpmc's pop_n accept it).
#pragma once

#include <cstddef>
#include <vector>

namespace batch_out {

struct recorder {
  using difference_type = std::ptrdiff_t;
  std::vector<int>* to;
  recorder& operator*() noexcept { return *this; }
  recorder& operator++() noexcept { return *this; }
  recorder operator++(int) noexcept { return *this; }
  template <class V>
  recorder& operator=(V&& v) noexcept {
    to->push_back(v.v);  // reserved beforehand: no allocation
    return *this;
  }
};

}  // namespace batch_out
