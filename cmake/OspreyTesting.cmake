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
