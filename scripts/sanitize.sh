#!/usr/bin/env bash
# Builds saraban and its tests with AddressSanitizer and UndefinedBehavior-
# Sanitizer (gcc; any UB aborts the test) in build-asan, and runs them with
# CTest: the unit tests, the `tools` tests and the `redis` tests (which
# start their own redis-server); not the `deploy` and `docker` checks, which
# run no saraban code. SARABAN_STATIC_DEPS is off: the sanitizer runtimes
# must see every allocation, so libstdc++ and protobuf are shared here.
# Arguments go to ctest (e.g. -R text_test).
#   scripts/sanitize.sh [CTEST_ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}
JOBS=${JOBS:-2}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_CXX_FLAGS="$SAN" \
  -DCMAKE_EXE_LINKER_FLAGS="$SAN" -DCMAKE_SHARED_LINKER_FLAGS="$SAN" \
  -DSARABAN_STATIC_DEPS=OFF -DSARABAN_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# A failing test gets one more try: under the sanitizers the processes the
# redis tests start run several times slower, and a few of those tests wait
# on wall-clock deadlines (a SIGTERM 300 ms after start). A sanitizer
# report is deterministic enough to fail both tries.
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$JOBS" -LE '^(deploy|docker)$' \
  --repeat until-pass:2 "$@"
