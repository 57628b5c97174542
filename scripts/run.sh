#!/usr/bin/env bash
# The main job: install dependencies, build, then run the whole stack on
# loopback — redis-server (AOF on, in out/stack/redis), report-service,
# document-service and one renderer worker — import examples/*.json, render
# them through the queue with one bulk request per fiscal year, write the
# PDFs to out/{agency}-{fiscal_year}.pdf, and stop everything it started.
# The services speak mutual TLS with a throwaway CA made for this run
# (scripts/dev-certs.sh, in out/stack/tls) and an access policy with one
# operator; the CLI calls as that operator.
#
# Ports (override by environment): REDIS_PORT=6399, REPORTS_PORT=50051,
# DOCUMENTS_PORT=50052. Logs: out/stack/*.log.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
REDIS_PORT=${REDIS_PORT:-6399}
REPORTS_PORT=${REPORTS_PORT:-50051}
DOCUMENTS_PORT=${DOCUMENTS_PORT:-50052}
STACK=out/stack
mkdir -p "$STACK/redis"

export SARABAN_REDIS="redis://127.0.0.1:$REDIS_PORT"
export SARABAN_REPORTS="127.0.0.1:$REPORTS_PORT"
export SARABAN_DOCUMENTS="127.0.0.1:$DOCUMENTS_PORT"

TLS=$STACK/tls
scripts/dev-certs.sh "$TLS" operator
cat >"$STACK/policy.json" <<'JSON'
{"principals": [{"name": "operator", "role": "ROLE_OPERATOR", "certificateNames": ["operator"]}]}
JSON
server_tls=(--tls-cert "$TLS/server.crt" --tls-key "$TLS/server.key" --tls-client-ca "$TLS/ca.crt"
  --policy "$STACK/policy.json")
client_tls=(--tls-ca "$TLS/ca.crt" --tls-cert "$TLS/operator.crt" --tls-key "$TLS/operator.key")

pids=()
stop_all() {
  # Services and worker first (they drain on SIGTERM), Redis last.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; wait "${pids[i]}" 2>/dev/null || true; done
}
trap stop_all EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$REDIS_PORT" "$REPORTS_PORT" "$DOCUMENTS_PORT"; do
  port_free "$p" || { echo "run.sh: port $p is in use; set REDIS_PORT, REPORTS_PORT or DOCUMENTS_PORT" >&2; exit 1; }
done

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$PWD/$STACK/redis" \
  --appendonly yes --appendfsync everysec --auto-aof-rewrite-min-size 1gb --save "" \
  --maxmemory-policy noeviction \
  --daemonize no --logfile "$PWD/$STACK/redis.log" &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$REDIS_PORT" ping >/dev/null || { echo "run.sh: redis-server did not start; see $STACK/redis.log" >&2; exit 1; }

"$BUILD_DIR/services/report_service/report-service" --listen "$SARABAN_REPORTS" "${server_tls[@]}" >"$STACK/report-service.log" 2>&1 &
pids+=($!)
"$BUILD_DIR/services/document_service/document-service" --listen "$SARABAN_DOCUMENTS" "${server_tls[@]}" >"$STACK/document-service.log" 2>&1 &
pids+=($!)
"$BUILD_DIR/worker/renderer" >"$STACK/renderer.log" 2>&1 &
pids+=($!)

SARABAN="$BUILD_DIR/cli/saraban"
# Both services up (grpc.health.v1 SERVING), then import once.
for which in "" --document-service; do
  "$SARABAN" health $which --wait-s 20 "${client_tls[@]}" >/dev/null ||
    { echo "run.sh: a service did not come up; see $STACK/*.log" >&2; exit 5; }
done
rc=0
"$SARABAN" import examples/*.json "${client_tls[@]}" || rc=$?
[ "$rc" -eq 0 ] || { echo "run.sh: import failed (exit $rc); see $STACK/*.log" >&2; exit "$rc"; }

status=0
years=$(grep -ho '"fiscalYear": *[0-9]*' examples/*.json | grep -o '[0-9]*$' | sort -u)
for year in $years; do
  "$SARABAN" bulk --fiscal-year "$year" --out out --no-progress "${client_tls[@]}" || status=$?
done
ls -l out/*.pdf
exit $status
