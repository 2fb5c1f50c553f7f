# osprey_module(<name> PUBLIC_LIBS ... PRIVATE_LIBS ...)
# A module is a folder under src/ built as one static library `osprey_<name>`. Sources are
# globbed so that adding a file touches no build script (one concept per file).
function(osprey_module name)
  cmake_parse_arguments(M "" "" "PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(sources)
    add_library(osprey_${name} STATIC ${sources})
    # Unity batches of 8 files: a cold build on 2 cores parses Asio, JSON and the standard
    # library once per batch, not once per file. So helpers in a file's anonymous namespace must
    # not reuse a name another file of the module uses; shared ones go in a header. GCC warns of
    # anonymous-namespace types in an included .cpp as if it were a header (-Wsubobject-linkage).
    set_target_properties(osprey_${name} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
    # GCC limits inlining growth in units over `large-unit-insns` (10,000), which a batch passes
    # where its files alone did not: 8x the limit keeps the binary's inlining what it was per
    # file (without it, callgrind counted 5% more instructions per proxied request).
    target_compile_options(osprey_${name} PRIVATE -Wno-subobject-linkage
                           --param=large-unit-insns=80000)
  else()
    # A module whose code has not landed yet still links (header-only for now).
    add_library(osprey_${name} INTERFACE)
  endif()
  get_target_property(kind osprey_${name} TYPE)
  if(kind STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(osprey_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(osprey_${name} INTERFACE ${M_PUBLIC_LIBS})
  else()
    target_include_directories(osprey_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(osprey_${name} PUBLIC ${M_PUBLIC_LIBS} PRIVATE osprey_warnings ${M_PRIVATE_LIBS})
  endif()
endfunction()

# osprey_unit_tests(<module> LIBS ...): every *_test.cpp in the current folder, one executable.
function(osprey_unit_tests module)
  cmake_parse_arguments(U "" "" "LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp
       ${CMAKE_CURRENT_SOURCE_DIR}/*/*_test.cpp)
  if(sources)
    osprey_test(osprey_${module}_unit_tests LABEL unit SOURCES ${sources} LIBS osprey_${module} ${U_LIBS})
  endif()
endfunction()
