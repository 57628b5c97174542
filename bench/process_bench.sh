#!/usr/bin/env bash
# Whole-process timing of the CLI: median wall time and peak RSS over N runs
# (default 21), for seed 004 and a 60-measure report.
#   bench/process_bench.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
N=${1:-21}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$BUILD_DIR/bench/make_sample_report" examples/004_bueng_khla.json 60 > "$work/r60.json"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() {  # name report
  local cmd=("$BUILD_DIR/cli/saraban" render "$2" -o "$work/out.pdf")
  local times=() rss=()
  for _ in $(seq "$N"); do
    local t0 t1
    t0=$(date +%s%N); "${cmd[@]}" >/dev/null; t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
    /usr/bin/time -f "%M" -o "$work/rss" "${cmd[@]}" >/dev/null
    rss+=("$(cat "$work/rss")")
  done
  local us kb size
  us=$(printf '%s\n' "${times[@]}" | median)
  kb=$(printf '%s\n' "${rss[@]}" | median)
  size=$(stat -c %s "$work/out.pdf")
  awk -v n="$1" -v us="$us" -v kb="$kb" -v size="$size" 'BEGIN {
    printf "%-12s median %7.1f ms   peak RSS %5.1f MB   PDF %6.1f KB\n", n, us / 1000, kb / 1024, size / 1024 }'
}
measure "seed 004" examples/004_bueng_khla.json
measure "seed 000" examples/000_taluboh.json
measure "60 measures" "$work/r60.json"
