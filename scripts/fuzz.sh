#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan + UBSan) in build-fuzz
# and runs each for SECONDS (default 20) from its seed corpus in
# fuzz/corpus/<target>/. Fails on any crash, leak, timeout or undefined
# behaviour; the input that caused it is left in $FUZZ_OUT/<target>/.
# New corpus entries go to $FUZZ_OUT (default build-fuzz/out), never into
# the repository. FUZZ_TARGETS picks targets, e.g. "fuzz_thai_text".
# With "corpus" instead of SECONDS, each target runs every input of its
# seed corpus once and mutates nothing: deterministic, as CI needs (a
# random run can find a new bug on any day; that is for the long runs).
#   scripts/fuzz.sh [SECONDS|corpus]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-20}
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
OUT=${FUZZ_OUT:-$BUILD_DIR/out}
JOBS=${JOBS:-2}
TARGETS=(${FUZZ_TARGETS:-fuzz_report_json fuzz_thai_text fuzz_layout fuzz_pdf_writer fuzz_redis_reply})

# clang and its sanitizer runtimes, as install-deps.sh installs the rest.
if ! command -v clang++ >/dev/null 2>&1 ||
   ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "install ok installed"; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "fuzz: installing clang"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    clang libclang-rt-14-dev >/dev/null
fi

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ \
  -DSARABAN_FUZZ=ON -DSARABAN_STATIC_DEPS=OFF \
  -DSARABAN_BUILD_TESTS=OFF -DSARABAN_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS" --target "${TARGETS[@]}"

# Per-target input size caps: enough for the seeds, small enough to keep
# each input fast.
declare -A MAX_LEN=([fuzz_report_json]=65536 [fuzz_thai_text]=4096 [fuzz_layout]=4096
                    [fuzz_pdf_writer]=4096 [fuzz_redis_reply]=4096)
declare -A DICT=([fuzz_report_json]=report_json [fuzz_thai_text]=thai [fuzz_layout]=thai
                 [fuzz_pdf_writer]=thai)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=()
for t in "${TARGETS[@]}"; do
  mkdir -p "$OUT/$t/corpus" "$OUT/$t/artifacts"
  dict=()
  [ -n "${DICT[$t]:-}" ] && dict=(-dict="fuzz/dict/${DICT[$t]}.dict")
  echo "fuzz: $t: ${SECONDS_EACH}"
  # New inputs go to the scratch corpus (the first directory); the seeds
  # are only read.
  if [ "$SECONDS_EACH" = corpus ]; then
    inputs=("fuzz/corpus/$t")
    limit=(-runs=0)
  else
    inputs=("$OUT/$t/corpus" "fuzz/corpus/$t")
    limit=(-max_total_time="$SECONDS_EACH")
  fi
  if ! "$BUILD_DIR/fuzz/$t" "${inputs[@]}" "${dict[@]}" \
       "${limit[@]}" -max_len="${MAX_LEN[$t]}" -timeout=25 \
       -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$OUT/$t/artifacts/" \
       >"$OUT/$t/log" 2>&1; then
    failed+=("$t")
    tail -n 60 "$OUT/$t/log"
  fi
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)|^#[0-9]+.*DONE' \
    "$OUT/$t/log" | sed "s/^/fuzz: $t: /" || true
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $OUT/<target>/artifacts/)"
  exit 1
fi
echo "fuzz: all ${#TARGETS[@]} targets ran clean"
