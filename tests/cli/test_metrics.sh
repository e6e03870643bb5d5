#!/usr/bin/env bash
# test_metrics.sh — GET /metrics of `decc node` (Prometheus text format,
# docs/operations.md "Metrics"): every line parses (HELP/TYPE comments,
# name{labels} value), each sample's family has a TYPE, histogram buckets
# are cumulative and end with +Inf = _count; counters move with traffic
# (requests by route pattern and status, a 404 under "(unmatched)", methods
# other than the standard ones under "other", an SMS
# refusal by its code); and
# `--log-json true` turns the node's log into one JSON object per line.
# Needs DECC; uses curl and jq.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$DECC" --home "$T/h" node --port 0 --port-file "$T/port" --log-json true \
  >"$T/out" 2>"$T/log" &
NODE_PID=$!
on_exit "stop_pid $NODE_PID"
for _ in $(seq 1 200); do
  [ -s "$T/port" ] && break
  kill -0 "$NODE_PID" 2>/dev/null || break
  sleep 0.05
done
[ -s "$T/port" ] || { cat "$T/log" >&2; echo "node did not start" >&2; exit 1; }
URL="http://127.0.0.1:$(head -n 1 "$T/port")"

# scrape: prints the exposition; checks the content type
scrape() {
  curl -s -D "$T/headers" "$URL/metrics"
}
# value NAME LABELS → the sample's value (0 when absent)
value() {
  awk -v n="$1" -v l="$2" '$1 == n l { v = $2 } END { print (v == "" ? 0 : v) }' "$T/m"
}

# ---- format -----------------------------------------------------------------
scrape >"$T/m"
grep -qi '^content-type: text/plain; version=0.0.4' "$T/headers" && ok ||
  bad "content type: $(grep -i content-type "$T/headers")"
# every line is a comment or `name{labels} value`
badlines=$(grep -Ev '^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+]?[0-9.eE+-]+$' "$T/m" || true)
check_eq "every line parses" "" "$badlines"
# every sample belongs to a family with a TYPE line
untyped=$(awk '/^# TYPE/ { t[$3] = 1; next } /^#/ { next }
  { n = $1; sub(/\{.*/, "", n); b = n; sub(/_(bucket|sum|count)$/, "", b)
    if (!(n in t) && !(b in t)) print n }' "$T/m")
check_eq "every sample typed" "" "$untyped"
for fam in decc_http_requests_total decc_http_request_duration_seconds \
  decc_sms_refusals_total decc_sms_releases_total decc_market_orders \
  decc_http_connections_open decc_node_start_time_seconds; do
  grep -q "^# TYPE $fam " "$T/m" && ok || bad "family $fam missing"
done

# ---- counters move ------------------------------------------------------------
before=$(value decc_http_requests_total '{method="GET",route="/health",status="200"}')
for _ in 1 2 3 4 5; do curl -s -o /dev/null "$URL/health"; done
curl -s -o /dev/null "$URL/no/such/route"
curl -s -o /dev/null "$URL/deals/0x12"
# made-up methods are the client's: one "other" series, not one each
for m in FOO BAR1 'A"B'; do curl -s -o /dev/null -X "$m" "$URL/health"; done
scrape >"$T/m"
after=$(value decc_http_requests_total '{method="GET",route="/health",status="200"}')
check_eq "/health counted 5 times" 5 "$((after - before))"
check_eq "unmatched 404 counted" 1 \
  "$(value decc_http_requests_total '{method="GET",route="(unmatched)",status="404"}')"
check_eq "route pattern label, not the path" 1 \
  "$(value decc_http_requests_total '{method="GET",route="/deals/{dealid}",status="400"}')"
others=$(grep -c '^decc_http_requests_total{method="other",' "$T/m" || true)
check_eq "made-up methods in one series per route and status" 1 "$others"
check_eq "no series names a made-up method" "" \
  "$(grep -E '^decc_http_request[a-z_]*\{method="(FOO|BAR1|A)' "$T/m" || true)"
# the histogram of /health: cumulative buckets, +Inf = count ≥ 5
hist=$(grep '^decc_http_request_duration_seconds_bucket{method="GET",route="/health"' "$T/m" |
  awk '{ print $2 }')
check_eq "buckets non-decreasing" "yes" \
  "$(awk 'NR > 1 && $1 < p { bad = 1 } { p = $1 } END { print bad ? "no" : "yes" }' <<<"$hist")"
inf=$(value decc_http_request_duration_seconds_bucket '{method="GET",route="/health",le="+Inf"}')
cnt=$(value decc_http_request_duration_seconds_count '{method="GET",route="/health"}')
check_eq "+Inf bucket = count" "$cnt" "$inf"
[ "$cnt" -ge 5 ] && ok || bad "histogram count $cnt < 5"

# an SMS refusal (a web2 secret push without a valid authorization) is
# counted under its code
code=$(curl -s -o "$T/body" -w '%{http_code}' -X POST \
  "$URL/secrets/web2?ownerAddress=0x000000000000000000000000000000000000dEaD&secretName=k" \
  -H 'Authorization: 0xbad' --data 'v')
[ "$code" -ge 400 ] && ok || bad "unauthenticated push accepted ($code)"
scrape >"$T/m"
refusals=$(awk '/^decc_sms_refusals_total\{/ { s += $2 } END { print s + 0 }' "$T/m")
[ "$refusals" -ge 1 ] && ok || bad "SMS refusal not counted: $(grep sms_ "$T/m")"

# ---- JSON logs ----------------------------------------------------------------
signal_pid TERM "$NODE_PID" || true
nonjson=$(grep -cv '^{' "$T/log" || true)
check_eq "every log line is a JSON object" 0 "$nonjson"
jq -e -s 'all(.[]; has("ts") and has("msg"))' "$T/log" >/dev/null && ok ||
  bad "log objects lack ts/msg: $(head -n 3 "$T/log")"
jq -e -s 'any(.[]; .method == "GET" and .path == "/health"
  and .status == 200 and (.ms | type) == "number")' "$T/log" >/dev/null && ok ||
  bad "no structured request line: $(grep health "$T/log" | head -n 2)"

echo "test_metrics: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
