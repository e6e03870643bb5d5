#!/usr/bin/env bash
# setup.sh — install the Debian packages decc needs to build, test and benchmark.
# Idempotent: it asks dpkg which packages are missing and runs `apt-get update`
# plus one `apt-get install` only when something is missing. Nothing is fetched
# from anywhere but Debian's archive. Needs root (or sudo) when it has work to do.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config git
  libsecp256k1-dev libssl-dev openssl libsodium-dev
  libjansson-dev libmicrohttpd-dev libcurl4-openssl-dev curl
  libsqlite3-dev sqlite3 libzip-dev zip unzip libicu-dev
  libseccomp-dev libcap-dev bubblewrap
  clang libclang-rt-14-dev clang-format # fuzzing and sanitizers; the style check (lint.format)
  valgrind hyperfine wrk ipfs-cid time jq binutils python3
  help2man zsh # the man page from the help (make man), the zsh completion test
  chromium # headless: the explorer test (tests/integration/test_explorer.sh)
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PKGS[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
