#!/usr/bin/env bash
# The API's conventions, checked by real tools (tools/proto, pinned):
#  1. the googleapis protos under proto/google are the upstream files, byte
#     for byte, from the pinned npm package google-proto-files;
#  2. `buf lint` with buf.yaml (AIP-style names, prefixed enum values, one
#     package per directory; deviations listed in docs/api.md);
#  3. `buf breaking` against the protos of the previous commit (FILE rules:
#     wire and generated code), so a change that breaks clients fails unless
#     the package version changes (saraban.v1 -> saraban.v2 is a new
#     directory, which the previous commit does not have).
# Run by the tests (ctest ProtoConventions); needs `npm ci --prefix tools/proto`
# (scripts/install-deps.sh does it). SARABAN_PROTO_BASE names another git
# ref to compare against (default HEAD~1).
set -euo pipefail
cd "$(dirname "$0")/.."
buf=tools/proto/node_modules/.bin/buf
upstream=tools/proto/node_modules/google-proto-files
if [ ! -x "$buf" ] || [ ! -d "$upstream" ]; then
  echo "check-proto: run 'npm ci --prefix tools/proto' (scripts/install-deps.sh) first" >&2
  exit 1
fi

status=0
for f in $(cd proto && find google -name '*.proto' | sort); do
  if ! cmp -s "proto/$f" "$upstream/$f"; then
    echo "check-proto: proto/$f differs from google-proto-files' $f" >&2
    status=1
  fi
done

echo "check-proto: buf lint"
"$buf" lint || status=1

base=${SARABAN_PROTO_BASE:-HEAD~1}
if ! git rev-parse --verify -q "$base^{commit}" >/dev/null; then
  echo "check-proto: no $base to compare with (a shallow clone?): buf breaking skipped" >&2
elif ! git cat-file -e "$base:buf.yaml" 2>/dev/null; then
  echo "check-proto: $base has no buf.yaml: nothing to compare with"
else
  echo "check-proto: buf breaking against $base"
  "$buf" breaking --against ".git#ref=$base" || status=1
fi
exit $status
