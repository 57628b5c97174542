#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test (unit, golden,
# end-to-end on the examples, PDF/A validation). Then, as CI runs it, the
# tests again under ASan and UBSan (scripts/sanitize.sh, build-asan) and
# each fuzz target on every input of its seed corpus (scripts/fuzz.sh
# corpus, build-fuzz: deterministic; FUZZ_SECONDS=N fuzzes N s each
# instead). Arguments go to ctest and skip those two, as do SANITIZE=0 and
# FUZZ_SECONDS=0.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)" "$@"
[ $# -eq 0 ] || exit 0
if [ "${SANITIZE:-1}" != 0 ]; then
  scripts/sanitize.sh
fi
if [ "${FUZZ_SECONDS:-corpus}" != 0 ]; then
  scripts/fuzz.sh "${FUZZ_SECONDS:-corpus}"
fi
