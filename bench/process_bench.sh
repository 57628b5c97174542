#!/usr/bin/env bash
# Whole-process cost of the CLI, as a user running one render meets it:
# hyperfine's mean and median of N runs (default 40) for seed 004, seed 000
# and a 60-measure report, then peak RSS and PDF size of each.
#   bench/process_bench.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
N=${1:-40}
cli="$BUILD_DIR/cli/saraban"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$BUILD_DIR/bench/make_sample_report" examples/004_bueng_khla.json 60 > "$work/r60.json"

reports=(examples/004_bueng_khla.json examples/000_taluboh.json "$work/r60.json")
commands=()
for r in "${reports[@]}"; do commands+=("$cli render $r -o $work/out.pdf"); done
hyperfine -N --warmup 5 --runs "$N" --export-json "$work/h.json" "${commands[@]}" >/dev/null
for i in "${!reports[@]}"; do
  "$cli" render "${reports[$i]}" -o "$work/out.pdf" >/dev/null
  /usr/bin/time -f "%M" -o "$work/rss" "$cli" render "${reports[$i]}" -o "$work/out.pdf" >/dev/null
  median=$(grep -o '"median": [0-9.e-]*' "$work/h.json" | sed -n "$((i + 1))p" | awk '{print $2 * 1000}')
  mean=$(grep -o '"mean": [0-9.e-]*' "$work/h.json" | sed -n "$((i + 1))p" | awk '{print $2 * 1000}')
  printf '%-34s median %6.1f ms  mean %6.1f ms  peak RSS %5.1f MiB  PDF %6.1f kB\n' \
    "$(basename "${reports[$i]}")" "$median" "$mean" \
    "$(awk '{print $1 / 1024}' "$work/rss")" "$(stat -c %s "$work/out.pdf" | awk '{print $1 / 1000}')"
done
