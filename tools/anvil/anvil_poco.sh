# anvil_poco.sh — sourced (not run) by the anvil integration test and by
# bench/run.sh: finds the chain engines installed by tools/engines/install.sh,
# starts anvil on 127.0.0.1 and deploys PoCo 6.1.0 on it with `decc chain
# deploy` ($DECC, else $DECC_BUILD_DIR/bin/decc), every step under a
# timeout, and stops anvil again.
#
#   engines_dir                 prints $DECC_ENGINES_DIR or its default
#   engines_ci                  true when running under CI (CI set, not
#                               "false"/"0"): a missing engine is then a
#                               failure, not a skip
#   anvil_poco_missing          prints why the chain engines cannot run
#                               (and returns 0), or returns 1 when all there
#   anvil_poco_start WORKDIR    starts anvil + deploys; sets ANVIL_URL,
#                               ANVIL_PID, POCO_JSON (decc chain deploy --json) and
#                               POCO_HUB/POCO_APPREG/POCO_DSREG/POCO_WPREG/
#                               POCO_RLC; returns 1 with one line on stderr
#                               (and the logs) on failure or timeout
#   anvil_poco_stop             kills the anvil it started (by its pid)
#
# Timeouts: anvil must print its port within DECC_ANVIL_START_TIMEOUT_S
# (default 30 s); the deployment must end within DECC_DEPLOY_TIMEOUT_S
# (default 240 s, timeout(1); each transaction is also bounded by decc's
# receipt timeout).

engines_dir() {
  printf '%s\n' "${DECC_ENGINES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/decc-engines}"
}

engines_ci() {
  [ -n "${CI:-}" ] && [ "${CI}" != false ] && [ "${CI}" != 0 ]
}

anvil_poco_missing() {
  local d
  d="$(engines_dir)/chain"
  if [ ! -x "$d/node_modules/.bin/anvil" ]; then
    echo "anvil not installed in $d (run tools/engines/install.sh chain)"; return 0
  fi
  if [ ! -f "$d/poco/artifacts/contracts/Diamond.sol/Diamond.json" ]; then
    echo "@iexec/poco artifacts not in $d/poco (run tools/engines/install.sh chain)"; return 0
  fi
  return 1
}

anvil_poco_stop() {
  if [ -n "${ANVIL_PID:-}" ]; then
    kill "$ANVIL_PID" 2>/dev/null || true
    wait "$ANVIL_PID" 2>/dev/null || true
    ANVIL_PID=""
  fi
}

anvil_poco_start() {
  local work="$1" d src port="" i start_s deploy_s
  d="$(engines_dir)/chain"
  src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  start_s="${DECC_ANVIL_START_TIMEOUT_S:-30}"
  deploy_s="${DECC_DEPLOY_TIMEOUT_S:-240}"
  "$d/node_modules/.bin/anvil" --host 127.0.0.1 --port 0 --chain-id 31337 \
    >"$work/anvil.log" 2>&1 &
  ANVIL_PID=$!
  for ((i = 0; i < start_s * 10; i++)); do
    port="$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/anvil.log" | head -n 1)"
    [ -n "$port" ] && break
    if ! kill -0 "$ANVIL_PID" 2>/dev/null; then
      cat "$work/anvil.log" >&2
      echo "anvil exited before listening" >&2
      ANVIL_PID=""
      return 1
    fi
    sleep 0.1
  done
  if [ -z "$port" ]; then
    cat "$work/anvil.log" >&2
    echo "anvil did not print its port within ${start_s} s" >&2
    anvil_poco_stop
    return 1
  fi
  ANVIL_URL="http://127.0.0.1:$port"
  POCO_JSON="$work/deployment.json"
  # decc's own deployer (decc chain deploy): PoCo 6.1.0 from the artifacts,
  # the categories and the DataProtector; anvil's account 0 (a public dev
  # key) pays.
  local decc="${DECC:-${DECC_BUILD_DIR:-$src/build}/bin/decc}"
  if [ ! -x "$decc" ]; then
    echo "no decc binary at $decc (build decc first)" >&2
    anvil_poco_stop
    return 1
  fi
  printf '%s\n' 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 >"$work/deployer.key"
  chmod 600 "$work/deployer.key"
  if ! DECC_HOME="$work/deploy-home" DECC_ENGINES_DIR="$(engines_dir)" \
      timeout -k 5 "$deploy_s" "$decc" --json chain deploy --rpc "$ANVIL_URL" \
      --private-key-file "$work/deployer.key" >"$POCO_JSON" 2>"$work/deploy.log"; then
    tail -n 20 "$work/deploy.log" >&2
    echo "PoCo deployment on anvil failed (log above; bound ${deploy_s} s)" >&2
    anvil_poco_stop
    return 1
  fi
  read -r POCO_HUB POCO_APPREG POCO_DSREG POCO_WPREG POCO_RLC < <(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
print(" ".join(j[k] for k in ("hub", "appRegistry", "datasetRegistry", "workerpoolRegistry", "token")))
' "$POCO_JSON")
  if [ -z "${POCO_RLC:-}" ]; then
    echo "PoCo deployment file $POCO_JSON is incomplete" >&2
    anvil_poco_stop
    return 1
  fi
  return 0
}
