# Compile-time guarantees: each tests/compile/*.cpp names what must happen on
# its first line, `// EXPECT: compiles` or `// EXPECT: <text of the
# static_assert>`; a file that should be refused must fail to compile with
# that text (so it cannot "pass" through an unrelated error).
# Inputs: -DCXX= -DSRC= -DINC=
file(GLOB cases ${SRC}/*.cpp)
set(failed OFF)
foreach(c IN LISTS cases)
  file(STRINGS ${c} first LIMIT_COUNT 1)
  string(REGEX REPLACE "^// EXPECT: " "" want "${first}")
  execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -I${INC} -I${SRC} ${c}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  get_filename_component(name ${c} NAME)
  if(want STREQUAL "compiles")
    if(rc EQUAL 0)
      message(STATUS "${name}: compiles, as expected")
    else()
      message(SEND_ERROR "${name}: should compile\n${err}")
      set(failed ON)
    endif()
  else()
    string(FIND "${err}" "${want}" at)
    if(NOT rc EQUAL 0 AND at GREATER -1)
      message(STATUS "${name}: refused with \"${want}\", as expected")
    else()
      message(SEND_ERROR "${name}: should be refused with \"${want}\" (rc ${rc})\n${err}")
      set(failed ON)
    endif()
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "a compile-time guarantee does not hold")
endif()
