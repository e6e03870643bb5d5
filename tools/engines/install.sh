#!/usr/bin/env bash
# install.sh — installs the real engines and clients decc is tested against
# into a cache OUTSIDE the repository, pinned to exact versions, from the npm
# registry only (the packages ship their binaries; nothing else is fetched):
#   $DIR/chain/  anvil 1.7.1 (@foundry-rs/anvil), ethers 6.17.0, solc 0.8.28
#                (the compiler of contracts/), and poco/ = the @iexec/poco
#                6.1.0 package (npm pack: its own dependencies include
#                github: packages, so it cannot be npm-installed here)
#   $DIR/ipfs/   js-ipfs 0.66.1 (the only IPFS daemon installable here)
# DIR = $DECC_ENGINES_DIR, default ${XDG_CACHE_HOME:-$HOME/.cache}/decc-engines.
# Idempotent: a part whose pinned versions are already there is not touched.
# Usage: tools/engines/install.sh [chain] [ipfs]   (no argument = all)
set -euo pipefail
dir="${DECC_ENGINES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/decc-engines}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$dir"
case "$(cd "$dir" && pwd)/" in
  "$repo"/*) echo "install.sh: DECC_ENGINES_DIR must be outside the repository" >&2; exit 2 ;;
esac
ANVIL=1.7.1 ETHERS=6.17.0 SOLC=0.8.28 POCO=6.1.0 IPFS=0.66.1
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(chain ipfs)

have() { # have DIR PKG VERSION
  [ -f "$1/node_modules/$2/package.json" ] &&
    grep -q "\"version\": *\"$3\"" "$1/node_modules/$2/package.json"
}

for part in "${parts[@]}"; do
  case "$part" in
    chain)
      d="$dir/chain"; mkdir -p "$d"
      [ -f "$d/package.json" ] || printf '{"name":"decc-engines-chain","private":true}\n' >"$d/package.json"
      if ! have "$d" @foundry-rs/anvil "$ANVIL" || ! have "$d" ethers "$ETHERS" || ! have "$d" solc "$SOLC"; then
        (cd "$d" && npm install --no-audit --no-fund --save-exact --loglevel=error \
          "@foundry-rs/anvil@$ANVIL" "ethers@$ETHERS" "solc@$SOLC")
      fi
      if [ ! -f "$d/poco/package.json" ] || ! grep -q "\"version\": *\"$POCO\"" "$d/poco/package.json"; then
        tmp="$(mktemp -d)"
        (cd "$tmp" && npm pack --silent "@iexec/poco@$POCO" >/dev/null && tar xzf ./*.tgz)
        rm -rf "$d/poco"; mv "$tmp/package" "$d/poco"; rm -rf "$tmp"
      fi
      "$d/node_modules/.bin/anvil" --version | head -n 1
      ;;
    ipfs)
      d="$dir/ipfs"; mkdir -p "$d"
      [ -f "$d/package.json" ] || printf '{"name":"decc-engines-ipfs","private":true}\n' >"$d/package.json"
      have "$d" ipfs "$IPFS" ||
        (cd "$d" && npm install --no-audit --no-fund --save-exact --loglevel=error "ipfs@$IPFS")
      echo "js-ipfs $IPFS"
      ;;
    *) echo "install.sh: unknown part '$part' (chain, ipfs)" >&2; exit 2 ;;
  esac
done
echo "engines in $dir"
