// model/runner.hpp -- the command line of every Relacy driver.
//
// A driver is one executable holding one scenario and its variants: the
// correct orders ("correct", must pass) and negative twins, each weakening
// one named order, which must be reported (DATA RACE, USER ASSERT, DEADLOCK,
// ...). One process runs exactly one simulation (relacy keeps global state).
//
//   driver --list
//   driver --variant NAME [--search full|bound|random] [--cb K] [--iters N]
//          [--scale K] [--deeper K [--deeper-only KIND]] [--timeout SECONDS]
//          [--history]
// --deeper K goes K steps past the variant's CI budget in its own search kind
// (full: scenario scale + K; bound: context bound + K; random: iterations
// x 10^K); --deeper-only KIND limits that to variants searched that way.
//
// It prints one machine-readable line, parsed by verify/run and the
// mutation audit:
//   MODEL driver=D variant=V expect=pass|fail search=S bound=K iterations=N
//         result=R verdict=PASS|FAIL seconds=T where="first failing access"
// and exits 0 when the verdict is PASS. A variant that fails as expected is
// PASS; a positive variant that fails, or a negative one that passes, is
// FAIL (and prints the tail of Relacy's history).
//
// Register variants with NEXUS_VARIANT("name", expect, Test), in the driver or
// in a shared table (model/scenarios.hpp); after the build CMake asks the
// driver (--list) and creates one ctest per variant (model/discover.cmake).
#pragma once

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

namespace nexus::model {

enum class expect { pass, fail };

struct search {
  rl::scheduler_type_e kind = rl::sched_full;
  unsigned bound = 3;       // context bound, for sched_bound
  unsigned long iters = 0;  // iterations, for sched_random
};

struct variant {
  const char* name;
  expect expected;
  bool (*run)(rl::test_params&);
  search own{};           // this variant's own CI budget, when has_own
  bool has_own = false;   // (e.g. a larger scenario under context-bound search)
};

template <class Test>
bool simulate_one(rl::test_params& p) {
  return rl::simulate<Test>(p);
}

// Built with -DNEXUS_MODEL_POSITIVE_ONLY=1 (verify/mutation.py does), the
// negative twins are listed but not compiled: their tests are never
// instantiated, which halves a driver's compile time. Running one then says so.
#ifndef NEXUS_MODEL_POSITIVE_ONLY
#define NEXUS_MODEL_POSITIVE_ONLY 0
#endif
inline bool not_built(rl::test_params&) {
  std::fprintf(stderr, "this negative twin was not compiled (NEXUS_MODEL_POSITIVE_ONLY)\n");
  std::exit(2);
}
template <expect E, class Test>
constexpr bool (*pick())(rl::test_params&) {
  if constexpr (E == expect::fail && NEXUS_MODEL_POSITIVE_ONLY) return &not_built;
  else return &simulate_one<Test>;
}
#define NEXUS_VARIANT(name, expected, ...) \
  ::nexus::model::variant { name, ::nexus::model::expect::expected, \
                            ::nexus::model::pick<::nexus::model::expect::expected, __VA_ARGS__>() }
// The same, with the variant's own CI search budget (a nexus::model::search).
#define NEXUS_VARIANT_SEARCH(name, expected, budget, ...)                                              \
  ::nexus::model::variant {                                                                        \
    name, ::nexus::model::expect::expected,                                                        \
        ::nexus::model::pick<::nexus::model::expect::expected, __VA_ARGS__>(), budget, true        \
  }

// Scenario size knob set by --scale K (default 0 = the CI size). Drivers add
// it to their item counts; constant for a whole run, so determinism holds.
inline unsigned scale = 0;

namespace detail {
// Relacy writes its history while its allocator is active: a growing
// std::ostringstream would free a buffer relacy never allocated. Capture
// into a fixed buffer instead (the tail beyond 4 MiB is dropped).
template <int Id>
class capture : public std::streambuf {
 public:
  capture() { setp(buf_, buf_ + sizeof buf_); }
  std::string str() const { return std::string(pbase(), pptr()); }

 protected:
  int_type overflow(int_type c) override { return traits_type::not_eof(c); }

 private:
  static inline char buf_[4 << 20];
};

inline const char* g_driver = "";
inline const char* g_variant = "";
inline const char* g_search = "";
inline unsigned g_bound = 0;
inline int g_expect_fail = 0;

inline void on_alarm(int) {
  // A run that outlives its budget has verified nothing: never a pass.
  char line[512];
  int n = std::snprintf(line, sizeof line,
                        "MODEL driver=%s variant=%s expect=%s search=%s bound=%u iterations=? "
                        "result=TIMEOUT verdict=FAIL seconds=?\n",
                        g_driver, g_variant, g_expect_fail ? "fail" : "pass", g_search, g_bound);
  if (n > 0) (void)!::write(1, line, static_cast<size_t>(n));
  std::_Exit(3);
}

inline const char* search_name(rl::scheduler_type_e k) {
  return k == rl::sched_full ? "full" : k == rl::sched_bound ? "bound" : "random";
}

// The first line of relacy's history that reports the failure.
inline std::string failure_site(const std::string& out, const char* result) {
  std::istringstream in(out);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find(result) != std::string::npos && line.find(':') != std::string::npos &&
        line.find("in ") != std::string::npos)
      return line;
  }
  return "";
}

inline std::string tail_lines(const std::string& s, int n) {
  std::size_t pos = s.size();
  for (int k = 0; k < n && pos > 0; ++k) {
    pos = s.rfind('\n', pos - 1);
    if (pos == std::string::npos) return s;
  }
  return s.substr(pos + 1);
}
}  // namespace detail

using variants = std::vector<variant>;
// Variant lists written once (model/scenarios.hpp) and a driver's own, joined.
inline variants operator+(variants a, const variants& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline int run(int argc, char** argv, const char* driver, search defaults, const variants& vs) {
  search s = defaults;
  const char* want = nullptr;
  for (int i = 1; i + 1 < argc; ++i)  // a variant's own budget is its default; flags below override it
    if (std::strcmp(argv[i], "--variant") == 0)
      for (const auto& x : vs)
        if (std::strcmp(x.name, argv[i + 1]) == 0 && x.has_own) s = x.own;
  unsigned timeout = 600;
  bool history = false;
  unsigned deeper = 0;  // budget steps beyond the driver's CI default
  const char* deeper_only = nullptr;  // apply --deeper only to this search kind
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s: %s needs a value\n", driver, a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--list") {
      for (const auto& v : vs) std::printf("%s %s\n", v.name, v.expected == expect::pass ? "pass" : "fail");
      return 0;
    } else if (a == "--variant") {
      want = next();
    } else if (a == "--search") {
      std::string k = next();
      if (k == "full") s.kind = rl::sched_full;
      else if (k == "bound") s.kind = rl::sched_bound;
      else if (k == "random") s.kind = rl::sched_random;
      else {
        std::fprintf(stderr, "%s: unknown search '%s' (full|bound|random)\n", driver, k.c_str());
        return 2;
      }
    } else if (a == "--cb") {
      s.bound = static_cast<unsigned>(std::strtoul(next(), nullptr, 10));
    } else if (a == "--iters") {
      s.iters = std::strtoul(next(), nullptr, 10);
    } else if (a == "--timeout") {
      timeout = static_cast<unsigned>(std::strtoul(next(), nullptr, 10));
    } else if (a == "--deeper") {
      deeper = static_cast<unsigned>(std::strtoul(next(), nullptr, 10));
    } else if (a == "--deeper-only") {
      deeper_only = next();
    } else if (a == "--scale") {
      scale = static_cast<unsigned>(std::strtoul(next(), nullptr, 10));
    } else if (a == "--history") {
      history = true;
    } else {
      std::fprintf(stderr, "usage: %s --list | --variant NAME [--search full|bound|random] [--cb K] "
                           "[--iters N] [--scale K] [--deeper K [--deeper-only full|bound|random]] [--timeout S] "
                           "[--history]\n", driver);
      return 2;
    }
  }
  // --deeper K: K steps past the CI budget in the driver's own search kind:
  // full search grows the scenario (scale), bounded search the context bound,
  // random search the iterations (x10 per step).
  // --deeper-only KIND: variants searched another way keep their CI budget.
  if (deeper_only != nullptr && std::strcmp(deeper_only, detail::search_name(s.kind)) != 0) deeper = 0;
  if (deeper > 0) {
    if (s.kind == rl::sched_full) scale += deeper;
    else if (s.kind == rl::sched_bound) s.bound += deeper;
    else for (unsigned k = 0; k < deeper; ++k) s.iters = (s.iters ? s.iters : 200000) * 10;
  }
  if (want == nullptr) {
    std::fprintf(stderr, "%s: --variant NAME required (see --list)\n", driver);
    return 2;
  }
  const variant* v = nullptr;
  for (const auto& x : vs)
    if (std::strcmp(x.name, want) == 0) v = &x;
  if (v == nullptr) {
    std::fprintf(stderr, "%s: no variant '%s' (see --list)\n", driver, want);
    return 2;
  }

  rl::test_params p;
  p.search_type = s.kind;
  p.context_bound = s.bound;
  p.iteration_count = s.iters ? s.iters : 200000;
  detail::capture<0> out_buf;
  detail::capture<1> progress_buf;
  std::ostream out(&out_buf), progress(&progress_buf);
  p.output_stream = &out;
  p.progress_stream = &progress;
  p.progress_output_period = 1u << 30;

  detail::g_driver = driver;
  detail::g_variant = v->name;
  detail::g_search = detail::search_name(s.kind);
  detail::g_bound = s.kind == rl::sched_bound ? s.bound : 0;
  detail::g_expect_fail = v->expected == expect::fail;
  std::signal(SIGALRM, detail::on_alarm);
  ::alarm(timeout);

  timespec t0{}, t1{};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  v->run(p);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  ::alarm(0);
  const double secs = double(t1.tv_sec - t0.tv_sec) + double(t1.tv_nsec - t0.tv_nsec) * 1e-9;

  const char* result = rl::test_result_str(p.test_result);
  const bool failed = p.test_result != rl::test_result_success;
  const bool ok = v->expected == expect::pass
                      ? !failed
                      : failed && p.test_result != rl::test_result_inconsistent_test_suite;
  // Iterations explored: on success relacy counts them in stop_iteration; on
  // failure stop_iteration is the (0-based) failing iteration.
  const unsigned long long iters = failed ? p.stop_iteration + 1 : p.stop_iteration;
  std::string where = failed ? detail::failure_site(out_buf.str(), result) : "";
  for (auto& c : where)
    if (c == '"') c = '\'';
  std::printf("MODEL driver=%s variant=%s expect=%s search=%s bound=%s scale=%u iterations=%llu result=\"%s\" "
              "verdict=%s seconds=%.3f where=\"%s\"\n",
              driver, v->name, v->expected == expect::pass ? "pass" : "fail", detail::search_name(s.kind),
              s.kind == rl::sched_bound ? std::to_string(s.bound).c_str() : "-", scale, iters, result,
              ok ? "PASS" : "FAIL", secs, where.c_str());
  // Written with its length: relacy prints a byte cell's value as a char, so
  // a history holds NUL bytes (a store of 0 to a payload byte), where "%s"
  // would end it.
  if (history || (!ok && failed)) {
    const std::string h = history ? out_buf.str() : detail::tail_lines(out_buf.str(), 40);
    std::fwrite(h.data(), 1, h.size(), stdout);
    std::fputc('\n', stdout);
  }
  std::fflush(stdout);
  return ok ? 0 : 1;
}

}  // namespace nexus::model
