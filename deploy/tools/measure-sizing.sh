#!/usr/bin/env bash
# Peak memory and CPU of each process of the stack under load, for the
# resource requests and limits in deploy/k8s (docs/deploy.md, "Sizing").
# Needs a build tree (scripts/build.sh) and redis-server; changes nothing in
# the source tree.
#
#   deploy/tools/measure-sizing.sh bench [service_bench options...]
#       e.g. bench --reports 1000 --workers 1 --threads 2
#     Runs build/bench/service_bench, which starts redis-server, both
#     services and the renderer processes from the build tree, imports the
#     reports and renders them with one bulk request (no metrics served).
#
#   deploy/tools/measure-sizing.sh stack [N [THREADS]]     (1000, 2)
#     Starts the stack as the Kubernetes manifests configure it (JSON logs,
#     metrics on, the renderer's health server, THREADS render threads),
#     imports N generated reports (every tenth with 60 measures, 32 pages;
#     the others seed 004, 4 pages), renders them with `saraban bulk`,
#     which also downloads every PDF through document-service, and scrapes
#     each /metrics once.
#
# Every process below the one started is sampled from /proc ten times a
# second: peak resident memory (VmHWM, the kernel's own high-water mark),
# CPU time (user + system) at the last sample, and threads.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build}
mode=${1:-}
[ $# -gt 0 ] && shift
work=$(mktemp -d)
samples="$work/samples"
: >"$samples"
stack_pids=()
cleanup() {
  local i
  for ((i = ${#stack_pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${stack_pids[i]}" 2>/dev/null || true
    wait "${stack_pids[i]}" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# Every process below $1, appended to the array pids.
descendants() {
  local f c kids
  for f in /proc/"$1"/task/*/children; do
    kids=()
    # The file has no newline at its end: read fills kids and returns 1.
    read -r -a kids <"$f" 2>/dev/null || true
    for c in "${kids[@]}"; do
      pids+=("$c")
      descendants "$c"
    done
  done
}

# Samples the processes below $1 (or the pids given after it) until $1
# exits. Bash builtins only in the loop: a fork per read would cost more CPU
# than the services being measured.
sample() {
  local root=$1 pid name stat hwm threads key value fields
  shift
  while kill -0 "$root" 2>/dev/null; do
    pids=("$@")
    [ $# -eq 0 ] && descendants "$root"
    for pid in "${pids[@]}"; do
      name="" hwm="" threads=""
      { read -r name <"/proc/$pid/comm" && read -r stat <"/proc/$pid/stat"; } 2>/dev/null || continue
      while read -r key value _; do
        case $key in VmHWM:) hwm=$value ;; Threads:) threads=$value ;; esac
      done 2>/dev/null <"/proc/$pid/status" || continue
      # utime and stime: fields 12 and 13 after the ")" that ends the
      # command name.
      read -r -a fields <<<"${stat##*) }"
      [ -n "$hwm" ] && echo "$pid $name $hwm $((fields[11] + fields[12])) $threads" >>"$samples"
    done
    sleep 0.1
  done
}

report() {
  echo
  echo "process               pid  peak RSS (MiB)  CPU (s)  threads"
  awk -v tick="$(getconf CLK_TCK)" '
    { name[$1] = $2; if ($3 > hwm[$1]) hwm[$1] = $3; cpu[$1] = $4; if ($5 > thr[$1]) thr[$1] = $5 }
    END { for (p in name) printf "%-18s %6d  %14.1f  %7.2f  %7d\n", name[p], p, hwm[p] / 1024, cpu[p] / tick, thr[p] }
  ' "$samples" | sort
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case $mode in
bench)
  bench="$BUILD_DIR/bench/service_bench"
  [ -x "$bench" ] || { echo "measure-sizing: $bench not built (scripts/build.sh)" >&2; exit 1; }
  "$bench" "$@" &
  bench_pid=$!
  sample "$bench_pid"
  wait "$bench_pid"
  report
  ;;
stack)
  n=${1:-1000}
  threads=${2:-2}
  base=${MEASURE_PORT_BASE:-46300}
  redis_port=$base reports_port=$((base + 1)) documents_port=$((base + 2))
  health_port=$((base + 3))
  for p in $(seq "$base" $((base + 6))); do
    port_free "$p" || { echo "measure-sizing: port $p in use; set MEASURE_PORT_BASE" >&2; exit 1; }
  done
  # N reports: seed 004 under N agency codes, every tenth one 60 measures.
  mkdir -p "$work/reports" "$work/out" "$work/redis"
  "$BUILD_DIR/bench/make_sample_report" examples/004_bueng_khla.json 60 >"$work/large.json"
  node - "$n" "$work" <<'EOF'
const fs = require("fs");
const [n, work] = [Number(process.argv[2]), process.argv[3]];
const small = JSON.parse(fs.readFileSync("examples/004_bueng_khla.json", "utf8"));
const large = JSON.parse(fs.readFileSync(`${work}/large.json`, "utf8"));
for (let i = 0; i < n; i++) {
  const r = structuredClone(i % 10 === 9 ? large : small);
  r.agency.code = `sizing-${String(i).padStart(5, "0")}`;
  fs.writeFileSync(`${work}/reports/${r.agency.code}.json`, JSON.stringify(r));
}
EOF
  year=$(node -e 'console.log(require("./examples/004_bueng_khla.json").fiscalYear)')

  export SARABAN_REDIS="redis://127.0.0.1:$redis_port" SARABAN_LOG_FORMAT=json SARABAN_LOG_LEVEL=info
  export SARABAN_KEY_PREFIX="saraban:" SARABAN_DRAIN_DELAY_S=0 SARABAN_GRACE_S=20
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" \
    --appendonly yes --appendfsync everysec --auto-aof-rewrite-min-size 1gb --save "" \
    --maxmemory-policy noeviction --daemonize no --logfile "$work/redis.log" &
  stack_pids+=($!)
  for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  SARABAN_LISTEN="127.0.0.1:$reports_port" SARABAN_METRICS="127.0.0.1:$((base + 4))" \
    "$BUILD_DIR/services/report_service/report-service" 2>"$work/report-service.log" &
  stack_pids+=($!)
  SARABAN_LISTEN="127.0.0.1:$documents_port" SARABAN_METRICS="127.0.0.1:$((base + 5))" \
    "$BUILD_DIR/services/document_service/document-service" 2>"$work/document-service.log" &
  stack_pids+=($!)
  SARABAN_HEALTH_LISTEN="127.0.0.1:$health_port" SARABAN_METRICS="127.0.0.1:$((base + 6))" \
    SARABAN_WORKERS=$threads "$BUILD_DIR/worker/renderer" 2>"$work/renderer.log" &
  stack_pids+=($!)
  sample "$$" "${stack_pids[@]}" &
  sampler=$!

  export SARABAN_REPORTS="127.0.0.1:$reports_port" SARABAN_DOCUMENTS="127.0.0.1:$documents_port"
  client="$BUILD_DIR/cli/saraban-client"
  for _ in $(seq 50); do
    rc=0
    "$client" import --timeout 5 "$work"/reports/*.json >/dev/null || rc=$?
    [ "$rc" -ne 5 ] && break
    sleep 0.2
  done
  [ "$rc" -eq 0 ] || { echo "measure-sizing: import failed ($rc); logs in $work" >&2; exit 1; }
  start=$(date +%s.%N)
  "$client" bulk --fiscal-year "$year" --out "$work/out" --no-progress >/dev/null
  end=$(date +%s.%N)
  for p in 4 5 6; do curl -sf "http://127.0.0.1:$((base + p))/metrics" >/dev/null; done
  sleep 0.3
  echo "reports      $n (every tenth 60 measures), renderer x $threads threads"
  echo "bulk         $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s, $(ls "$work/out" | wc -l) PDFs downloaded"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  report
  ;;
*)
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
  ;;
esac
