#!/usr/bin/env bash
# test_examples.sh — the three iApps of examples/ run with `decc app test`
# in the worker's sandbox on their sample data and on variants; each result
# is checked against the same quantity computed here independently (Python
# statistics for the CSV, the model file applied by the test for the
# prediction, the documented formula for the score); a bad record fails
# with the app's cause; train.py reproduces the shipped model; every copy
# of decc_protected.py equals python/decc_protected.py. The sandbox needs
# root: without it the test exits 77 (SKIP), and fails under CI=true.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SRC=${DECC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
EX="$SRC/examples"
if [ "$(id -u)" != 0 ] || ! command -v python3 >/dev/null; then
  echo "SKIP: the enclave sandbox needs root, the apps python3"
  [ "${CI:-}" = true ] && exit 1
  exit 77
fi
cd "$T"
export DECC_HOME="$T/h"
# apptest NAME DIR ARGS...: decc app test into $T/NAME; sets out and rc.
apptest() {
  local name=$1 dir=$2
  shift 2
  set +e
  out=$("$DECC" app test "$dir" -o "$T/$name" "$@" 2>&1)
  rc=$?
  set -e
}

for d in credit-score csv-stats churn-predict; do
  cmp -s "$EX/$d/decc_protected.py" "$SRC/python/decc_protected.py" && ok || ko "$d/decc_protected.py differs from python/decc_protected.py"
done

# credit-score: the sample and a risky record, against the formula.
score() { python3 - "$@" <<'PY'
import sys
inc, debt, late, yrs = map(float, sys.argv[1:])
c = lambda x: max(0.0, min(1.0, x))
s = round(300 + 550 * (0.40 * c(1 - (debt / inc) / 0.6) + 0.35 * c(1 - 0.25 * late)
                       + 0.15 * c(yrs / 10) + 0.10 * c(inc / 100000)))
band = "poor" if s < 580 else "fair" if s < 670 else "good" if s < 740 else "very good" if s < 800 else "excellent"
print('{"score": %d, "band": "%s"}' % (s, band))
PY
}
apptest cs1 "$EX/credit-score" --protected-data "$EX/credit-score/sample.json"
[ "$rc" = 0 ] && [ "$(cat cs1/result.json)" = "$(score 54000 9000 1 4)" ] && ok || ko "credit-score sample: $(cat cs1/result.json 2>/dev/null) vs $(score 54000 9000 1 4): $out"
echo '{"income": 30000, "debts": 21000, "late_payments": 5, "years_employed": 0.5}' >risky.json
apptest cs2 "$EX/credit-score" --protected-data risky.json
[ "$rc" = 0 ] && [ "$(cat cs2/result.json)" = "$(score 30000 21000 5 0.5)" ] && ok || ko "credit-score risky: $(cat cs2/result.json 2>/dev/null): $out"
grep -q poor cs2/result.json && ok || ko "risky record not poor"
echo '{"income": 30000, "debts": 100}' >partial.json
apptest cs3 "$EX/credit-score" --protected-data partial.json
[ "$rc" = 1 ] && grep -q "APP_EXIT_CODE" <<<"$out" && grep -q "Failed to load path late_payments" <<<"$out" && ok || ko "credit-score partial: rc $rc: $out"

# csv-stats: every numeric column, then a chosen one, against Python's statistics.
(cd "$EX/csv-stats" && "$DECC" data serialize sample.json -o "$T/sales.zip" >/dev/null)
apptest st1 "$EX/csv-stats" --protected-data sales.zip
[ "$rc" = 0 ] && ok || ko "csv-stats: $out"
if python3 - "$EX/csv-stats/sales.csv" st1/result.json <<'PY'
import csv, json, math, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
res = json.load(open(sys.argv[2]))
assert res["rows"] == len(rows), res
assert res["skipped"] == ["month", "region"], res
assert sorted(res["columns"]) == ["revenue", "units"], res
for c in ("units", "revenue"):
    v = [float(r[c]) for r in rows]
    got = res["columns"][c]
    assert got["count"] == len(v) and got["min"] == min(v) and got["max"] == max(v), (c, got)
    assert math.isclose(got["mean"], statistics.mean(v), rel_tol=1e-12), (c, got)
    assert math.isclose(got["stddev"], statistics.stdev(v), rel_tol=1e-12), (c, got)
    assert math.isclose(got["sum"], math.fsum(v), rel_tol=1e-12), (c, got)
PY
then ok; else ko "csv-stats values: $(cat st1/result.json)"; fi
apptest st2 "$EX/csv-stats" --protected-data sales.zip --args units
[ "$rc" = 0 ] && [ "$(jq -r '.columns|keys|join(",")' st2/result.json)" = units ] && ok || ko "csv-stats --args units: $(cat st2/result.json 2>/dev/null) $out"
apptest st3 "$EX/csv-stats" --protected-data sales.zip --args price
[ "$rc" = 1 ] && grep -q "no column 'price'" <<<"$out" && ok || ko "csv-stats unknown column: rc $rc: $out"

# churn-predict: the model is reproducible and applied as the test computes it.
python3 "$EX/churn-predict/train.py" >model.json
cmp -s model.json "$EX/churn-predict/model.json" && ok || ko "train.py does not reproduce model.json"
predict() { python3 - "$EX/churn-predict/model.json" "$1" <<'PY'
import json, math, sys
m = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
x = [float(r[f]) for f in m["features"]]
z = m["intercept"] + sum(c * (v - mu) / s for c, v, mu, s in zip(m["coef"], x, m["mean"], m["scale"]))
p = 1 / (1 + math.exp(-z))
print('{"churnProbability": %s, "prediction": "%s"}' % (json.dumps(round(p, 6)), "churn" if p >= m["threshold"] else "stay"))
PY
}
apptest ch1 "$EX/churn-predict" --protected-data "$EX/churn-predict/sample.json"
[ "$rc" = 0 ] && [ "$(cat ch1/result.json)" = "$(predict "$EX/churn-predict/sample.json")" ] && ok || ko "churn sample: $(cat ch1/result.json 2>/dev/null) vs $(predict "$EX/churn-predict/sample.json"): $out"
grep -q '"churn"' ch1/result.json && ok || ko "sample customer should churn"
echo '{"tenure_months": 50, "monthly_charges": 45, "support_calls": 0, "has_contract": 1}' >loyal.json
apptest ch2 "$EX/churn-predict" --protected-data loyal.json
[ "$rc" = 0 ] && [ "$(cat ch2/result.json)" = "$(predict loyal.json)" ] && grep -q '"stay"' ch2/result.json && ok || ko "churn loyal: $(cat ch2/result.json 2>/dev/null): $out"

# Running the examples left nothing in them (the bundle must not change).
[ -z "$(find "$EX" -name __pycache__)" ] && ok || ko "__pycache__ written under examples/"

finish
