# saraban_add_library(name ALIAS saraban::x SOURCES ... DEPS ...)
# saraban_add_test(name SOURCES ... DEPS ... [LABELS ...])
include_guard()

set(SARABAN_WARNINGS -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)

# A library of the project: public headers in include/, sources in src/.
function(saraban_add_library name)
  cmake_parse_arguments(ARG "" "ALIAS" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                     PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  target_compile_options(${name} PRIVATE ${SARABAN_WARNINGS})
  if(ARG_ALIAS)
    add_library(${ARG_ALIAS} ALIAS ${name})
  endif()
endfunction()

# A GoogleTest binary registered with CTest. Tests run from the source tree
# root so they can read examples/ and templates/.
function(saraban_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock
                                        saraban::runtime_shared)
  target_compile_options(${name} PRIVATE ${SARABAN_WARNINGS})
  target_compile_definitions(${name} PRIVATE
    SARABAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    SARABAN_BINARY_DIR="${PROJECT_BINARY_DIR}")
  include(GoogleTest)
  gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                       PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()
