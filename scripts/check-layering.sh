#!/usr/bin/env bash
# Fails when a module reaches upward (ARCHITECTURE.md, "Modules and the
# direction of dependencies"): the pure renderer (renderer/) includes or
# links nothing of Redis, gRPC, the store, the queue, the services or the
# worker; the model nothing of the renderer or the services; the store and
# the queue nothing of the services nor of each other (both sit on
# keyspace/, which reaches nothing). Checks #include lines of the sources
# and the targets named in each module's CMakeLists.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
# check DIR "what it may not reach" PATTERN...
# PATTERN is an extended regular expression matched against #include lines
# and CMake target names.
check() {
  local dir=$1 what=$2
  shift 2
  local pattern
  pattern=$(IFS='|'; echo "$*")
  local hits
  hits=$(grep -rnE --include='*.h' --include='*.cc' --include='*.in' \
           "^#include [<\"]($pattern)" "$dir" || true)
  hits+=$(grep -rnE --include='CMakeLists.txt' "($pattern)" "$dir" | grep -vE '^\S+:[0-9]+:\s*#' || true)
  if [ -n "$hits" ]; then
    echo "check-layering: $dir reaches $what:" >&2
    echo "$hits" >&2
    status=1
  fi
}

upper_of_renderer=('saraban/(sign|redis|keyspace|store|queue|publication|server|authz|document_service|report_service|worker|observe|flags)/'
                   'grpc' 'hiredis' 'saraban/v1/[a-z_]+\.grpc\.pb\.h' 'saraban::(sign|redis|keyspace|store|queue|publication|server|authz|api|worker|observe|server_errors|server_credentials|server_etag|flags)\b'
                   'PkgConfig::(GRPCPP|HIREDIS)' 'spdlog')
check renderer "Redis, gRPC, the store, the queue, the services or the worker" "${upper_of_renderer[@]}"
# The display list (renderer/page) sits below both: the layout produces
# pages, the writer consumes them, neither knows the other.
check renderer/layout "the PDF writer" 'saraban/pdf/' 'saraban::pdf\b'
check renderer/pdf "the layout" 'saraban/layout/' 'saraban::layout\b'
check renderer/page "any other module" 'saraban/(text|pdf|layout|report|model)/' 'saraban::(text|pdf|layout|report|model|common)\b'
check model "the renderer, Redis, gRPC or the services" \
  'saraban/(layout|pdf|report|text/shaper|redis|store|queue|server|authz|document_service|report_service|worker)/' \
  'grpc' 'saraban::(layout|pdf|report|redis|store|queue|server|api|worker)\b'
# The store and the queue are siblings over the key layout (keyspace/):
# neither reaches the other.
check store "the job queue" 'saraban/queue/' 'saraban::queue\b'
check queue "the report store" 'saraban/store/' 'saraban::store\b'
check keyspace "any other module" 'saraban/' 'target_link_libraries'
for dir in store queue publication redis keyspace; do
  check "$dir" "the services or the worker" \
    'saraban/(server|authz|document_service|report_service|worker)/' 'saraban::(server|server_errors|server_credentials|server_etag|authz|document_service|report_service|worker)\b'
done

if [ "$status" -eq 0 ]; then echo "check-layering: no module reaches upward"; fi
exit "$status"
