#!/usr/bin/env bash
# test_explorer.sh — the explorer `decc node` serves at `/`, in headless
# Chromium (Debian's `chromium`): a node with every role runs one task on
# Alice's protected data; the overview lists the data (name, owner, schema),
# the deal and its COMPLETED task, the market and balances; following the
# page's own links reaches the data page (grant with 4 of 5 uses left, the
# SMS's key-release receipt) and the task page. A protected data named
# '<script>…' is shown as text, the DOM holds no script element, the
# response forbids scripts (CSP), and the dataset key never appears in any
# page. Screenshots of each page are kept under
# $DECC_BUILD_DIR/test-artifacts/explorer/. Without chromium (or root, for
# the enclave sandbox) the test exits 77 (SKIP), and fails under CI=true.
set -euo pipefail
. "$(dirname "$0")/../cli/lib.sh"
SRC=${DECC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || skip "chromium is not installed (scripts/setup.sh installs it)"
[ "$(id -u)" = 0 ] || skip "the enclave sandbox needs root"
ART=${DECC_BUILD_DIR:-$PWD}/test-artifacts/explorer
rm -rf "$ART"
mkdir -p "$ART"
# browse NAME URL: the DOM Chromium built (into $T/NAME.html) and a
# screenshot ($ART/NAME.png), both from one Chromium run (a start of
# Chromium is seconds on a busy machine). Each run gets its own profile
# directory.
browse() {
  local name=$1 url=$2
  local flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage
    --no-first-run --no-default-browser-check --disable-extensions
    --user-data-dir="$T/profile-$name" --window-size=1280,1600)
  timeout 30 "$CHROMIUM" "${flags[@]}" --dump-dom --screenshot="$ART/$name.png" "$url" \
    >"$T/$name.html" 2>"$T/$name.chromium.log" || true
  [ -s "$T/$name.html" ] && ok || ko "$name: chromium rendered nothing: $(tail -3 "$T/$name.chromium.log")"
  [ -s "$ART/$name.png" ] && ok || ko "$name: no screenshot"
}
has() { grep -qF -- "$2" "$T/$1.html" && ok || ko "$1 page lacks '$2'"; }
# addresses are shown checksummed: compare without case
has_addr() { grep -qiF -- "$2" "$T/$1.html" && ok || ko "$1 page lacks '$2'"; }
# link PAGE PREFIX: the first href of PAGE starting with PREFIX (any case)
link() { { grep -io "href=\"$2[^\"]*\"" "$T/$1.html" || true; } | head -1 | sed 's/^href="//I; s/"$//'; }

# shellcheck source=../helpers/prov_stack.sh
. "$SRC/tests/helpers/prov_stack.sh"
prov_stack_up
# a protected data whose name tries to inject markup; its key is kept
echo '{"note":"hello"}' >xss.json
check_rc "protect xss" 0 "$DECC" --json protect xss.json --name '<script>document.title="pwned"</script>' \
  --key-out "$T/xss.key" --private-key-file alice.key
XSS=$(jget 'd["address"]' <<<"$out")
KEY=$(tr -d '\n' <"$T/xss.key")
[ -n "$KEY" ] && ok || ko "no dataset key written"

browse overview "$U/"
has overview "decc explorer"
has_addr overview "$PD"
has overview "alice-contact"
has overview "$TASK"
has overview "COMPLETED"
has overview "Workerpool orders"
has overview "Balances"
has overview "&lt;script&gt;document.title"
grep -qi "<script" "$T/overview.html" && ko "the DOM holds a script element" || ok
grep -q "<title>pwned" "$T/overview.html" && ko "injected script ran" || ok
grep -qF "$KEY" "$T/overview.html" && ko "the dataset key is on the overview" || ok
csp=$(curl -s -D - -o /dev/null "$U/" | tr -d '\r' | grep -i '^content-security-policy:' || true)
grep -q "default-src 'none'" <<<"$csp" && ok || ko "no CSP: $csp"

# navigation: follow the overview's own links
dl=$(link overview "/explorer/data/$PD")
[ -n "$dl" ] && ok || ko "no link to the data page"
browse data "$U$dl"
has data "Grants"
has data "Receipts"
has data "key-release"
has data "$TASK"
grep -q '<td>4</td>' "$T/data.html" && ok || ko "grant does not show 4 remaining uses"
has data "\"email\""
grep -qF "$KEY" "$T/data.html" && ko "the dataset key is on the data page" || ok
tl=$(link data "/explorer/task/")
[ -n "$tl" ] && ok || ko "no task link on the data page"
browse task "$U$tl"
has task "COMPLETED"
has task "result digest"
has task "decc verify"
al=$(link task "/explorer/account/")
browse account "$U$al"
has account "nRLC"
browse xss "$U/explorer/data/$XSS"
has xss "&lt;script&gt;"
grep -qi "<script" "$T/xss.html" && ko "xss page holds a script element" || ok
grep -qF "$KEY" "$T/xss.html" && ko "the dataset key is on its own page" || ok
# bad input: an error page, not a crash
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/explorer/task/0x1234")
[ "$code" = 400 ] && ok || ko "bad task id: HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/explorer/data/0x0000000000000000000000000000000000000001")
[ "$code" = 404 ] && ok || ko "unknown data: HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data x "$U/explorer/task/$TASK")
[ "$code" != 200 ] && ok || ko "POST accepted"

echo "screenshots: $ART"
finish
