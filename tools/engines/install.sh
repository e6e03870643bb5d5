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
# When node or npm is missing they are installed from Debian (apt-get, as
# root or with sudo) first.
#
# Idempotent and quick when cached: each part writes a stamp file
# ($DIR/<part>/.decc-installed, holding the pinned versions) only once all
# of it is in place, so an interrupted install is redone, and a part whose
# stamp matches is not touched (no network). One install at a time per
# cache (flock on $DIR/.lock, waited for at most 20 min). Every npm command
# is bounded by timeout(1): DECC_NPM_TIMEOUT_S, default 900 s.
# Usage: tools/engines/install.sh [chain] [ipfs]   (no argument = all)
# Exit: 0 installed (or already there); 1 an install failed; 2 bad usage.
set -euo pipefail
dir="${DECC_ENGINES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/decc-engines}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
case "$(realpath -m "$dir")/" in
  "$repo"/*) echo "install.sh: DECC_ENGINES_DIR ($dir) must be outside the repository" >&2; exit 2 ;;
esac
mkdir -p "$dir"
ANVIL=1.7.1 ETHERS=6.17.0 SOLC=0.8.28 POCO=6.1.0 IPFS=0.66.1
NPM_S="${DECC_NPM_TIMEOUT_S:-900}"
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(chain ipfs)
for part in "${parts[@]}"; do
  case "$part" in
    chain | ipfs) ;;
    *) echo "install.sh: unknown part '$part' (chain, ipfs)" >&2; exit 2 ;;
  esac
done

stamp_of() { # the stamp text of a part: its pinned versions
  case "$1" in
    chain) echo "anvil=$ANVIL ethers=$ETHERS solc=$SOLC poco=$POCO" ;;
    ipfs) echo "ipfs=$IPFS" ;;
  esac
}
cached() { [ -f "$dir/$1/.decc-installed" ] && [ "$(cat "$dir/$1/.decc-installed")" = "$(stamp_of "$1")" ]; }

# Nothing to do at all: no lock, no node needed.
todo=()
for part in "${parts[@]}"; do cached "$part" || todo+=("$part"); done
if [ ${#todo[@]} -eq 0 ]; then
  echo "engines in $dir: $(for p in "${parts[@]}"; do printf '%s ' "$(stamp_of "$p")"; done)(cached)"
  exit 0
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  pkgs=()
  command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
  command -v npm >/dev/null 2>&1 || pkgs+=(npm)
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install.sh: ${pkgs[*]} missing and no root/sudo to install them" >&2; exit 1; }
    sudo=sudo
  fi
  echo "install.sh: installing ${pkgs[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 $sudo apt-get update -qq
  timeout 900 $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
fi

exec 9>"$dir/.lock"
flock -w 1200 9 || { echo "install.sh: another install holds $dir/.lock for 20 min" >&2; exit 1; }

npm_() { timeout -k 10 "$NPM_S" npm --no-audit --no-fund --loglevel=error "$@"; }

for part in "${todo[@]}"; do
  cached "$part" && continue # done by a concurrent install meanwhile
  d="$dir/$part"
  mkdir -p "$d"
  rm -f "$d/.decc-installed"
  echo "install.sh: installing $(stamp_of "$part") into $d"
  case "$part" in
    chain)
      printf '{"name":"decc-engines-chain","private":true}\n' >"$d/package.json"
      (cd "$d" && npm_ install --save-exact "@foundry-rs/anvil@$ANVIL" "ethers@$ETHERS" "solc@$SOLC")
      if [ ! -f "$d/poco/package.json" ] || ! grep -q "\"version\": *\"$POCO\"" "$d/poco/package.json"; then
        tmp="$(mktemp -d)"
        (cd "$tmp" && npm_ pack --silent "@iexec/poco@$POCO" >/dev/null && tar xzf ./*.tgz)
        rm -rf "$d/poco"
        mv "$tmp/package" "$d/poco"
        rm -rf "$tmp"
      fi
      timeout 30 "$d/node_modules/.bin/anvil" --version | head -n 1
      [ -f "$d/poco/artifacts/contracts/Diamond.sol/Diamond.json" ] ||
        { echo "install.sh: @iexec/poco $POCO has no Diamond artifact" >&2; exit 1; }
      ;;
    ipfs)
      printf '{"name":"decc-engines-ipfs","private":true}\n' >"$d/package.json"
      (cd "$d" && npm_ install --save-exact "ipfs@$IPFS")
      [ -x "$d/node_modules/.bin/jsipfs" ] || { echo "install.sh: jsipfs missing after npm install" >&2; exit 1; }
      ;;
  esac
  stamp_of "$part" >"$d/.decc-installed.tmp"
  mv "$d/.decc-installed.tmp" "$d/.decc-installed"
done
echo "engines in $dir: $(for p in "${parts[@]}"; do printf '%s ' "$(stamp_of "$p")"; done)"
