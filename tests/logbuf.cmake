# Tests of nexus/logbuf (the byte rings and their blocking channels), included
# by tests/CMakeLists.txt (which defines NEXUS_SANITIZED and finds GTest and
# rapidcheck). Every test name contains "logbuf": ctest -R logbuf runs them all.

# As nexus_gtest, with the discovered tests named LABEL.logbuf.Suite.Test.
function(nexus_logbuf_gtest name label)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE nexus::nexus GTest::gtest_main)
  target_compile_options(${name} PRIVATE -Wall -Wextra -Wpedantic -Werror)
  target_compile_definitions(${name} PRIVATE NEXUS_VERIFY=1)
  gtest_discover_tests(${name} TEST_PREFIX "${label}.logbuf." PROPERTIES LABELS ${label} TIMEOUT 300
                       DISCOVERY_TIMEOUT 60)
endfunction()

nexus_logbuf_gtest(logbuf_unit_tests unit unit/logbuf_test.cpp unit/stall_test.cpp)

if(rapidcheck_FOUND)
  nexus_logbuf_gtest(logbuf_property_tests property property/logbuf_prop.cpp)
  target_link_libraries(logbuf_property_tests PRIVATE rapidcheck_gtest rapidcheck)
endif()

nexus_stress(logbuf 900)

# libFuzzer over claim/commit/abort/consume sequences against the reference
# model (tests/logbuf_model.hpp): compiled and run for 20 s by the test itself,
# with clang's own ASan+UBSan. Only when a clang++ that links -fsanitize=fuzzer
# is installed (libclang-rt-*-dev); skipped under the sanitizer presets, which
# would only repeat it.
find_program(NEXUS_FUZZ_CXX NAMES clang++-14 clang++)
set(NEXUS_FUZZ_OK OFF)
if(NEXUS_FUZZ_CXX AND NOT NEXUS_SANITIZED)
  set(probe_dir ${CMAKE_CURRENT_BINARY_DIR}/fuzz-probe)
  file(MAKE_DIRECTORY ${probe_dir})
  file(WRITE ${probe_dir}/probe.cpp
       "#include <cstddef>\n#include <cstdint>\n"
       "extern \"C\" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }\n")
  execute_process(COMMAND ${NEXUS_FUZZ_CXX} -fsanitize=fuzzer,address ${probe_dir}/probe.cpp -o ${probe_dir}/probe
                  RESULT_VARIABLE probe_rc OUTPUT_QUIET ERROR_QUIET)
  if(probe_rc EQUAL 0)
    set(NEXUS_FUZZ_OK ON)
  endif()
endif()
# nexus_fuzz(name test source...): builds tests/fuzz/<name>.cpp with clang's
# libFuzzer + ASan + UBSan (target <name>, for manual builds) and runs it for
# 20 s as ctest <test>, compiling it inside the test itself.
function(nexus_fuzz name test comment)
  set(bin ${CMAKE_CURRENT_BINARY_DIR}/${name})
  set(cmd ${NEXUS_FUZZ_CXX} -std=c++20 -O1 -g1 -fsanitize=fuzzer,address,undefined
          -fno-sanitize-recover=undefined -I${PROJECT_SOURCE_DIR}/include -I${CMAKE_CURRENT_SOURCE_DIR}
          ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/${name}.cpp -o ${bin})
  add_custom_target(${name} COMMAND ${cmd} DEPENDS ${ARGN} COMMENT "${comment}" VERBATIM)
  string(REPLACE ";" " " cmd_line "${cmd}")
  set(corpus ${CMAKE_CURRENT_BINARY_DIR}/${name}_corpus)
  add_test(NAME ${test}
           COMMAND sh -c "${cmd_line} && mkdir -p ${corpus} && ${bin} -max_total_time=20 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 ${corpus}")
  set_tests_properties(${test} PROPERTIES LABELS unit TIMEOUT 300)
endfunction()

if(NEXUS_FUZZ_OK)
  # Manual builds: cmake --build --preset ci --target logbuf_fuzz
  nexus_fuzz(logbuf_fuzz unit.logbuf.fuzz "libFuzzer target for nexus/logbuf"
             fuzz/logbuf_fuzz.cpp fuzz/fuzz_check.hpp logbuf_model.hpp)
  # The typed rings, the channels' try_* paths and notify (operation
  # sequences against a model, capacities at every boundary). Built by
  # clang, it is also the check that the headers compile with clang for a T
  # aligned to less than 8.
  nexus_fuzz(contract_fuzz unit.contract.fuzz "libFuzzer target for the rings, channels and notify"
             fuzz/contract_fuzz.cpp fuzz/fuzz_check.hpp)
else()
  message(STATUS "nexus: no clang++ with libFuzzer (-fsanitize=fuzzer): the fuzz tests are not run")
endif()
