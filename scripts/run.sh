#!/usr/bin/env bash
# The main job: install dependencies, build, and render every example report
# in examples/ to out/<name>.pdf with the offline CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
mkdir -p out
status=0
for report in examples/*.json; do
  name=$(basename "$report" .json)
  "$BUILD_DIR/cli/saraban" render "$report" -o "out/$name.pdf" || status=1
done
exit $status
