# Writes OUT with the checkout's short commit (plus "-dirty" when tracked files differ from it),
# and leaves OUT untouched when that has not changed, so that nothing rebuilds for nothing.
# Run at every build (src/CMakeLists.txt: osprey_git_commit), so `osprey version` and the
# build_info metric name the code the binary was built from, not the one CMake last configured.
# usage: cmake -DSOURCE_DIR=... -DOUT=... -P GitCommit.cmake
execute_process(COMMAND git rev-parse --short HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET
                RESULT_VARIABLE status)
if(NOT status EQUAL 0 OR NOT commit)
  set(commit "unknown")
else()
  execute_process(COMMAND git diff --quiet HEAD -- WORKING_DIRECTORY ${SOURCE_DIR}
                  RESULT_VARIABLE dirty ERROR_QUIET)
  if(NOT dirty EQUAL 0)
    string(APPEND commit "-dirty")
  endif()
endif()
set(text "#define OSPREY_GIT_COMMIT \"${commit}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUT} "${text}")
endif()
