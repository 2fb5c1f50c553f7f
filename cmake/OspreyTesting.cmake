# osprey_test(<target> LABEL <unit|integration> SOURCES ... LIBS ...)
# One GoogleTest executable per module; each test case becomes a CTest test with the label.
function(osprey_test target)
  cmake_parse_arguments(T "" "LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${target} ${T_SOURCES})
  target_link_libraries(${target} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main
                        osprey_warnings)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  # Test code is compiled for build time, not speed: at -O1 (after the build type's -O3, so it
  # wins) and in unity batches of 8 files, which parse GoogleTest, Asio and JSON once per batch
  # (a cold build of the tests took ~4x less). The code under test keeps its module's flags.
  # So helpers in a test file's anonymous namespace must not share a name with another file's
  # in the same folder (shared ones live in a header); a file that cannot follow that is listed
  # with SKIP_UNITY_BUILD_INCLUSION. GCC 12 misreads Asio's coroutine-frame operator delete at
  # -O1 (GCC bug 109224), and warns of anonymous-namespace types in an included .cpp as if it
  # were a header (-Wsubobject-linkage).
  target_compile_options(${target} PRIVATE -O1 -Wno-mismatched-new-delete -Wno-subobject-linkage)
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  # Paths tests need: the source tree (fixtures, docs, scripts) for every test, and the osprey
  # binary for integration tests only (naming it elsewhere would make every unit test target wait
  # for the whole server). Env vars of the same names override them at run time.
  target_compile_definitions(${target} PRIVATE OSPREY_SOURCE_DIR_DEFAULT="${PROJECT_SOURCE_DIR}")
  if(T_LABEL STREQUAL "integration")
    target_compile_definitions(${target} PRIVATE OSPREY_BINARY_DEFAULT="$<TARGET_FILE:osprey>")
  endif()
  gtest_discover_tests(${target}
    PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "OSPREY_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
    DISCOVERY_TIMEOUT 60)
endfunction()
