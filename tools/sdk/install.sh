#!/usr/bin/env bash
# install.sh — installs the official iExec JavaScript SDKs, pinned to exact
# versions, into $DECC_ENGINES_DIR/sdk (default ~/.cache/decc-engines/sdk),
# outside the repository, for tests/integration/test_sdk.sh. Only the npm
# registry is used. Idempotent: when the pinned versions are already there
# it does nothing. The versions are the ones issue 12 measured decc against.
set -euo pipefail
IEXEC_VERSION=9.0.1
DP_VERSION=2.0.0-beta.27
ETHERS_VERSION=6.13.5
DIR=${DECC_ENGINES_DIR:-$HOME/.cache/decc-engines}/sdk
command -v npm >/dev/null || { echo "install.sh: npm not found; install Node.js >= 18 (apt-get install nodejs npm)" >&2; exit 1; }

have() { # package version
  local f="$DIR/node_modules/$1/package.json"
  [ -f "$f" ] && node -e 'process.exit(require(process.argv[1]).version===process.argv[2]?0:1)' "$f" "$2"
}
if have iexec "$IEXEC_VERSION" && have @iexec/dataprotector "$DP_VERSION" && have ethers "$ETHERS_VERSION"; then
  echo "SDKs already installed in $DIR"
  exit 0
fi
mkdir -p "$DIR"
# A private package.json so npm installs here and not in a parent project.
tmp=$(mktemp "$DIR/package.json.XXXXXX")
cat >"$tmp" <<JSON
{"name":"decc-sdk-harness","private":true,"type":"module",
 "dependencies":{"iexec":"$IEXEC_VERSION","@iexec/dataprotector":"$DP_VERSION","ethers":"$ETHERS_VERSION"}}
JSON
mv "$tmp" "$DIR/package.json"
cd "$DIR"
npm install --no-audit --no-fund --save-exact --registry=https://registry.npmjs.org/ \
  "iexec@$IEXEC_VERSION" "@iexec/dataprotector@$DP_VERSION" "ethers@$ETHERS_VERSION"
have iexec "$IEXEC_VERSION" && have @iexec/dataprotector "$DP_VERSION" ||
  { echo "install.sh: npm finished but the pinned versions are not in $DIR/node_modules" >&2; exit 1; }
echo "SDKs installed in $DIR"
