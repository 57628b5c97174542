#!/bin/sh
# Validates PDF files as PDF/A-1b with Apache PDFBox Preflight (Debian's
# libpdfbox2-java and its dependencies). Exit status 0 only if every file is
# valid; otherwise the validator's errors are printed.
# Usage: scripts/preflight.sh FILE.pdf [FILE.pdf...]
set -u

JARS=/usr/share/java
CLASSPATH="$JARS/preflight.jar:$JARS/pdfbox2.jar:$JARS/fontbox2.jar:$JARS/xmpbox.jar:$JARS/commons-logging.jar:$JARS/javax.activation.jar:$JARS/jaxb-api.jar"

if [ "$#" -eq 0 ]; then
  echo "usage: $0 FILE.pdf [FILE.pdf...]" >&2
  exit 2
fi
if ! command -v java >/dev/null 2>&1; then
  echo "preflight: java is not installed" >&2
  exit 2
fi
for jar in preflight pdfbox2 fontbox2 xmpbox; do
  if [ ! -r "$JARS/$jar.jar" ]; then
    echo "preflight: $JARS/$jar.jar is missing (install libpdfbox2-java)" >&2
    exit 2
  fi
done

status=0
for file in "$@"; do
  # Validator_A1b exits 0 even for invalid files on some versions: judge by
  # its report as well as by its exit status.
  output=$(java -cp "$CLASSPATH" org.apache.pdfbox.preflight.Validator_A1b "$file" 2>&1)
  code=$?
  if [ "$code" -eq 0 ] && printf '%s\n' "$output" | grep -q "is a valid PDF/A-1b file"; then
    echo "$file: valid PDF/A-1b"
  else
    echo "$file: NOT valid PDF/A-1b (validator exit status $code)"
    printf '%s\n' "$output"
    status=1
  fi
done
exit $status
