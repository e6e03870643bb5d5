#!/usr/bin/env bash
# install.sh — installs what the optional anvil integration test needs into a
# scratch directory OUTSIDE the repository (never node_modules in the tree):
#   anvil 1.7.1 (npm @foundry-rs/anvil, binary shipped in the package),
#   ethers 6.17.0 (for deploy.mjs), and the @iexec/poco 6.1.0 artifacts and
#   deployments (npm pack: the package itself cannot be npm-installed here,
#   its dependencies include github: packages).
# Usage: DECC_ANVIL_DIR=/path tools/anvil/install.sh   (default:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/decc-anvil). Needs npm and the registry;
#   tests never run this (they skip when the directory is incomplete).
set -euo pipefail
dir="${DECC_ANVIL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/decc-anvil}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
case "$(cd "$(dirname "$dir")" 2>/dev/null && pwd)/" in
  "$repo"/*) echo "install.sh: DECC_ANVIL_DIR must be outside the repository" >&2; exit 2 ;;
esac
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || printf '{"name":"decc-anvil-scratch","private":true}\n' > package.json
npm install --no-audit --no-fund --save-exact @foundry-rs/anvil@1.7.1 ethers@6.17.0
if [ ! -f poco/package.json ] || ! grep -q '"version": "6.1.0"' poco/package.json; then
  tgz="$(npm pack --silent @iexec/poco@6.1.0 | tail -n 1)"
  rm -rf poco package
  tar xzf "$tgz"
  mv package poco
  rm -f "$tgz"
fi
"$dir/node_modules/.bin/anvil" --version
echo "installed in $dir (anvil, ethers, poco artifacts)"
