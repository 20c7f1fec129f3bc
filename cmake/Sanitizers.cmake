# The builds that look for faults, selected by options of the top-level CMakeLists.txt. None of
# them changes the default build.
#
#   HELMHOLTZ_TORCH_FREE_ONLY  the torch-free libraries (helmholtz_media, helmholtz_study), their
#                              unit tests and the fuzz replay; no LibTorch, no helmholtz binary
#                              (the CLI tests run the one HELMHOLTZ_TEST_BINARY names).
#   HELMHOLTZ_SANITIZE         everything built here with AddressSanitizer and
#                              UndefinedBehaviorSanitizer, an undefined behaviour stopping the
#                              program (scripts/sanitize.sh: g++, torch-free only).
#   HELMHOLTZ_FUZZ             clang only: the libFuzzer targets of tests/fuzz, the libraries
#                              instrumented for coverage, AddressSanitizer and
#                              UndefinedBehaviorSanitizer (scripts/fuzz.sh). Implies
#                              HELMHOLTZ_TORCH_FREE_ONLY.

if(HELMHOLTZ_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "HELMHOLTZ_FUZZ needs clang (libFuzzer): configure with "
                        "-DCMAKE_CXX_COMPILER=clang++ in a build folder of its own")
  endif()
  if(NOT HELMHOLTZ_TORCH_FREE_ONLY)
    message(STATUS "helmholtz: HELMHOLTZ_FUZZ builds the torch-free libraries only")
    set(HELMHOLTZ_TORCH_FREE_ONLY ON CACHE BOOL
        "Build only the torch-free libraries and their tests" FORCE)
  endif()
endif()

# float-cast-overflow (a double out of an integer's range converted to it) is part of clang's
# "undefined" but not of g++'s. A finding stops the program: the test or fuzz target fails.
set(HELMHOLTZ_SANITIZER_FLAGS -fsanitize=address,undefined,float-cast-overflow
                              -fno-sanitize-recover=undefined,float-cast-overflow
                              -fno-omit-frame-pointer)
# -O1 with line tables (after the build type's flags, so they win): half the compile time of
# -O2 -g, and reports still name file and line.
set(HELMHOLTZ_SANITIZER_OPTIMIZATION -O1 -g1)
if(HELMHOLTZ_FUZZ)
  # Every library gets libFuzzer's coverage instrumentation, so that coverage means the
  # project's code and not the harness alone; only the fuzz targets link libFuzzer itself.
  add_compile_options(-fsanitize=fuzzer-no-link ${HELMHOLTZ_SANITIZER_FLAGS}
                      ${HELMHOLTZ_SANITIZER_OPTIMIZATION})
  add_link_options(${HELMHOLTZ_SANITIZER_FLAGS})
elseif(HELMHOLTZ_SANITIZE)
  add_compile_options(${HELMHOLTZ_SANITIZER_FLAGS} ${HELMHOLTZ_SANITIZER_OPTIMIZATION})
  add_link_options(${HELMHOLTZ_SANITIZER_FLAGS})
endif()

# TOML for `target`. Debian's toml++ is a shared library, out of reach of the fuzzer's
# instrumentation; the fuzz build compiles the parser into the target instead (toml++'s
# header-only mode), so that the fuzzer sees its branches.
#
# toml++ 3.3.0 (Debian 12) has a known defect (upstream issues 190 and 295, fixed upstream by
# pull request 305): is_non_ascii_horizontal_whitespace() reaches __builtin_unreachable() for a
# non-ASCII code point in U+00A1..U+0499, U+2FEE..U+33E7 or U+FB56..U+FEFE where whitespace
# may stand ("a = 1 Ж"), which UBSan stops on at once, so nothing past it would be fuzzed. The
# compiled code returns "not whitespace" there, and the parser then refuses the character or,
# in a string, keeps it (the library Debian ships does the same; tests/fuzz/regressions/
# settings/ holds such inputs, which every build replays). The unreachable check is off for
# the target that compiles toml++ in; its own code calls no __builtin_unreachable().
function(helmholtz_link_toml target)
  if(HELMHOLTZ_FUZZ)
    get_target_property(toml_include tomlplusplus::tomlplusplus INTERFACE_INCLUDE_DIRECTORIES)
    target_include_directories(${target} PRIVATE ${toml_include})
    target_compile_definitions(${target} PRIVATE TOML_HEADER_ONLY=1)
    target_compile_options(${target} PRIVATE -fno-sanitize=unreachable)
  else()
    target_link_libraries(${target} PRIVATE tomlplusplus::tomlplusplus)
  endif()
endfunction()
