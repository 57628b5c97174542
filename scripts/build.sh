#!/usr/bin/env bash
# Configures and builds saraban in build/ (RelWithDebInfo). Used by run.sh
# and test.sh; BUILD_DIR and BUILD_TYPE override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
