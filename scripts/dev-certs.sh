#!/usr/bin/env bash
# Makes a throwaway certificate authority and certificates for a local or test
# stack (never for production: the CA key lies beside the certificates).
#
#   scripts/dev-certs.sh DIR [CLIENT ...]
#
# DIR/ca.crt, ca.key        the CA (ECDSA P-256, 30 days)
# DIR/server.crt, .key      for localhost and 127.0.0.1 (and $SERVER_NAMES,
#                           comma-separated DNS names)
# DIR/CLIENT.crt, .key      one client certificate per CLIENT, whose subject
#                           alternative name (DNS) and common name are CLIENT:
#                           the identity a --policy file names
# Existing files are replaced.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 DIR [CLIENT ...]" >&2; exit 2; }
dir=$1
shift
mkdir -p "$dir"
cd "$dir"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

key ca.key
openssl req -x509 -new -key ca.key -sha256 -days 30 -subj "/CN=saraban development CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out ca.crt

# sign NAME SUBJECT_ALT_NAMES EXTENDED_KEY_USAGE
sign() {
  key "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=$1" -out "$1.csr"
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$2" "$3" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 30 \
    -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

sans="DNS:localhost,IP:127.0.0.1"
IFS=',' read -ra extra <<<"${SERVER_NAMES:-}"
for n in "${extra[@]}"; do [ -n "$n" ] && sans="$sans,DNS:$n"; done
sign server "$sans" serverAuth
for client in "$@"; do
  sign "$client" "DNS:$client" clientAuth
done
rm -f ca.srl
chmod 644 ./*.crt
