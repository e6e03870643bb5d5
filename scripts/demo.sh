#!/usr/bin/env bash
# demo.sh — what `make demo` runs: the end-to-end DataProtector story
# (`decc demo`) with the decc binary of the given build directory. Builds
# nothing. The enclave sandbox needs root: run it as root (or with sudo).
set -euo pipefail
BUILD=${1:-build}
DECC="$BUILD/bin/decc"
if [ ! -x "$DECC" ]; then
  echo "demo.sh: $DECC not found: build first (make build)" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "demo.sh: note: the enclave sandbox needs root; the task step will be refused" >&2
fi
exec "$DECC" demo
