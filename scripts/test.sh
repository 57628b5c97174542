#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test (unit, golden,
# end-to-end on the examples, PDF/A validation).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)" "$@"
