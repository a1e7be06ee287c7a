# Install nexus into a scratch prefix, then build and run a consumer against
# it twice: through find_package(nexus CONFIG) and through pkg-config.
# Inputs: -DSRC=<nexus source> -DBIN=<scratch dir> -DCXX=<compiler>
file(REMOVE_RECURSE ${BIN})
set(prefix ${BIN}/prefix)
macro(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
endmacro()
run(${CMAKE_COMMAND} -S ${SRC} -B ${BIN}/lib -DCMAKE_CXX_COMPILER=${CXX} -DNEXUS_TESTS=OFF -DNEXUS_MODEL=OFF
    -DCMAKE_INSTALL_PREFIX=${prefix})
run(${CMAKE_COMMAND} --install ${BIN}/lib)
foreach(f include/nexus/queue/spsc.hpp include/nexus/sync/std_sync.hpp lib/cmake/nexus/nexusConfig.cmake
          lib/cmake/nexus/nexusConfigVersion.cmake share/pkgconfig/nexus.pc)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
if(EXISTS ${prefix}/include/relacy OR EXISTS ${prefix}/include/nexus/model)
  message(FATAL_ERROR "model-checking files leaked into the install")
endif()

# 1. CMake package
run(${CMAKE_COMMAND} -S ${SRC}/tests/install/consumer -B ${BIN}/consumer -DCMAKE_CXX_COMPILER=${CXX}
    -DCMAKE_PREFIX_PATH=${prefix})
run(${CMAKE_COMMAND} --build ${BIN}/consumer)
run(${BIN}/consumer/consumer)
message(STATUS "find_package(nexus CONFIG): ${out}")

# 2. pkg-config
find_program(PKG_CONFIG pkg-config)
if(NOT PKG_CONFIG)
  message(FATAL_ERROR "pkg-config not found (apt-get install pkg-config)")
endif()
set(ENV{PKG_CONFIG_PATH} ${prefix}/share/pkgconfig)
run(${PKG_CONFIG} --cflags --libs nexus)
string(STRIP "${out}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run(${CXX} ${flags} ${SRC}/tests/install/consumer/main.cpp -o ${BIN}/consumer_pc)
run(${BIN}/consumer_pc)
message(STATUS "pkg-config nexus: ${out}")
