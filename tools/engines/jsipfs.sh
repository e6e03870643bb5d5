# jsipfs.sh — sourced (not run) by the tests that need a real IPFS daemon:
# starts js-ipfs 0.66.1 (installed by tools/engines/install.sh ipfs) on
# loopback ports, offline, with the two workarounds docs/internals/engines.md
# describes (a Promise.withResolvers polyfill for Node 20, and
# Addresses.Swarm = [] without which the daemon hangs), and stops it.
#
#   jsipfs_missing            prints why js-ipfs cannot run (returns 0), or
#                             returns 1 when it can
#   jsipfs_start WORKDIR      init (≤ 60 s) + daemon whose Kubo RPC API must
#                             answer within DECC_IPFS_START_TIMEOUT_S
#                             (default 60 s); sets IPFS_API, IPFS_GATEWAY,
#                             IPFS_PID; returns 1 with the log tail on stderr
#   jsipfs_stop               kills the daemon it started
#
# IPFS_PATH and NODE_OPTIONS are set for the daemon only, never exported to
# the caller's other commands.

jsipfs_bin() {
  printf '%s\n' "${DECC_ENGINES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/decc-engines}/ipfs/node_modules/.bin/jsipfs"
}

jsipfs_missing() {
  if ! command -v node >/dev/null 2>&1; then echo "node is not installed"; return 0; fi
  if [ ! -x "$(jsipfs_bin)" ]; then
    echo "js-ipfs not installed at $(jsipfs_bin) (run tools/engines/install.sh ipfs)"
    return 0
  fi
  return 1
}

_jsipfs_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

jsipfs_start() {
  local dir=$1 bin api_port gw_port rpc_port
  bin=$(jsipfs_bin)
  mkdir -p "$dir"
  api_port=$(_jsipfs_port) gw_port=$(_jsipfs_port) rpc_port=$(_jsipfs_port)
  cat >"$dir/withresolvers.cjs" <<'JS'
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function () { let resolve, reject; const promise = new Promise((a, b) => { resolve = a; reject = b }); return { promise, resolve, reject } }
}
JS
  if ! IPFS_PATH="$dir/repo" NODE_OPTIONS="--require $dir/withresolvers.cjs" \
    timeout -k 5 60 "$bin" init --profile test >"$dir/init.log" 2>&1; then
    tail -n 20 "$dir/init.log" >&2
    echo "jsipfs init failed or timed out (60 s)" >&2
    return 1
  fi
  node -e '
const fs = require("fs"); const p = process.argv[1]; const c = JSON.parse(fs.readFileSync(p));
c.Addresses = c.Addresses || {};
c.Addresses.API = "/ip4/127.0.0.1/tcp/" + process.argv[2];
c.Addresses.Gateway = "/ip4/127.0.0.1/tcp/" + process.argv[3];
c.Addresses.RPC = "/ip4/127.0.0.1/tcp/" + process.argv[4];
c.Addresses.Swarm = []; c.Bootstrap = [];
fs.writeFileSync(p, JSON.stringify(c, null, 2));' "$dir/repo/config" "$api_port" "$gw_port" "$rpc_port"
  IPFS_PATH="$dir/repo" NODE_OPTIONS="--require $dir/withresolvers.cjs" \
    "$bin" daemon --offline --enable-preload=false >"$dir/daemon.log" 2>&1 &
  IPFS_PID=$!
  IPFS_API=http://127.0.0.1:$api_port
  IPFS_GATEWAY=http://127.0.0.1:$gw_port
  local i
  for ((i = 0; i < ${DECC_IPFS_START_TIMEOUT_S:-60} * 5; i++)); do
    if curl --max-time 30 -sf -X POST "$IPFS_API/api/v0/version" >/dev/null 2>&1; then return 0; fi
    kill -0 "$IPFS_PID" 2>/dev/null || break
    sleep 0.2
  done
  tail -n 20 "$dir/daemon.log" >&2
  echo "js-ipfs daemon did not answer on $IPFS_API within ${DECC_IPFS_START_TIMEOUT_S:-60} s" >&2
  return 1
}

jsipfs_stop() {
  if [ -n "${IPFS_PID:-}" ]; then
    kill "$IPFS_PID" 2>/dev/null || true
    wait "$IPFS_PID" 2>/dev/null || true
    IPFS_PID=
  fi
}
