#!/usr/bin/env bash
# test_py_reader.sh — python/decc_protected.py, the reader of protected data
# that `decc app init --lang python` ships:
#   1. against the committed deserializer vectors (every zip, mode and type
#      read by @iexec/dataprotector-deserializer 0.1.1: values and errors);
#   2. against decc's own protected data: zips that `decc data serialize`
#      writes in both formats (v2 borsh and legacy), every path read in
#      every mode and type and compared with decc's C reader (`decc data
#      get --json`);
#   3. the Python scaffold runs in the worker's sandbox with `decc app
#      test`, on v2 and legacy data (needs root: skipped without it, and
#      then fails under CI=true).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SRC=${DECC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if ! command -v python3 >/dev/null; then
  echo "SKIP: python3 is not installed (scripts/setup.sh installs it)"
  [ "${CI:-}" = true ] && exit 1
  exit 77
fi
cd "$T"
export DECC_HOME="$T/h"

# 1. vectors
if out=$(python3 "$SRC/tests/cli/py_reader_vectors.py" "$SRC" "$T" 2>&1); then ok; else ko "vectors: $out"; fi
echo "$out"

# 2. decc's own zips, compared with the C reader.
cat >rec.json <<'JSON'
{"email":"alice@example.com","name":"Zoë 🚀","score":742,"ratio":-0.25,
 "ok":true,"no":false,"big":{"$i128":"-170141183460469231731687303715884105728"},
 "nested":{"deep":{"k":"v"},"bin":{"$base64":"AAECA/8="}},"empty":""}
JSON
"$DECC" data serialize --format v2 rec.json -o v2.zip >/dev/null
# legacy: no i128, integers only (the SDK's legacy rules)
cat >rec_legacy.json <<'JSON'
{"email":"alice@example.com","name":"Zoë 🚀","score":742,"ratio":-25,
 "ok":true,"no":false,"nested":{"deep":{"k":"v"},"bin":{"$base64":"AAECA/8="}},"empty":""}
JSON
"$DECC" data serialize --format legacy rec_legacy.json -o legacy.zip >/dev/null
cat >cmp.py <<'PY'
import json, math, subprocess, sys
sys.path.insert(0, sys.argv[1] + "/python")
from decc_protected import ProtectedData, ProtectedDataError
decc, zips = sys.argv[2], sys.argv[3:]
# Each value read as its own type, as a string and as bytes (the vectors
# of part 1 already cover every type × mode; this part checks decc's own
# zips against decc's own reader, a subprocess per read, so it stays small).
NATURAL = {"score": "f64", "ratio": "f64", "ok": "bool", "no": "bool", "big": "i128"}
LEGACY = {"f64": "number", "bool": "boolean"}
checked = bad = 0
for z in zips:
    for mode in (("optimistic", "borsh") if "v2" in z else ("legacy", "optimistic")):
        pd = ProtectedData(z, mode)
        for path in pd.paths() + ["missing"]:
            nat = NATURAL.get(path, "string")
            if mode == "legacy":
                nat = LEGACY.get(nat, nat)
            for t in sorted({nat, "string", "application/octet-stream"}):
                p = subprocess.run([decc, "--json", "data", "get", z, path, "--type", t,
                                    "--mode", mode], capture_output=True, text=True)
                try:
                    v, err = pd.get_value(path, t), None
                except ProtectedDataError as e:
                    v, err = None, str(e)
                checked += 1
                if p.returncode != 0:
                    good = err is not None and err in p.stderr
                else:
                    c = json.loads(p.stdout)
                    kind, cv = c["kind"], c["value"]
                    if err is not None:
                        good = False
                    elif kind == "bool":
                        good = v is cv
                    elif kind == "number":
                        good = (math.isnan(v) and cv == "NaN") or v == float(cv)
                    elif kind == "i128":
                        good = v == int(cv)
                    elif kind == "string":
                        good = v == cv
                    else:
                        import base64
                        good = v == base64.b64decode(cv["base64"])
                if not good:
                    bad += 1
                    print("MISMATCH %s %s %s %s: python %r/%r, decc rc %d %s %s" % (
                        z, mode, path, t, v, err, p.returncode, p.stdout.strip(), p.stderr.strip()))
        pd.close()
print("%d reads compared with decc's reader, %d mismatches" % (checked, bad))
sys.exit(1 if bad or checked < 60 else 0)
PY
if out=$(python3 cmp.py "$SRC" "$DECC" v2.zip legacy.zip 2>&1); then ok; else ko "decc zips: $out"; fi
echo "$out" | tail -1
# The typed helpers on v2 data.
if out=$(python3 - "$SRC" <<'PY'
import sys
sys.path.insert(0, sys.argv[1] + "/python")
from decc_protected import ProtectedData
with ProtectedData("v2.zip") as pd:
    assert pd.get_string("name") == "Zoë 🚀", pd.get_string("name")
    assert pd.get_number("score") == 742.0
    assert pd.get_number("ratio") == -0.25
    assert pd.get_bool("ok") is True and pd.get_bool("no") is False
    assert pd.get_int("big") == -2**127
    assert pd.get_bytes("nested.bin") == b"\x00\x01\x02\x03\xff"
    assert pd.get_string("nested.deep.k") == "v"
    assert pd.get_string("empty") == ""
with ProtectedData("legacy.zip", "legacy") as pd:
    assert pd.get_number("score") == 742.0 and pd.get_bool("ok") is True
    assert pd.get_string("name") == "Zoë 🚀"
print("helpers ok")
PY
); then ok; else ko "helpers: $out"; fi

# 3. the scaffold in the sandbox
if [ "$(id -u)" != 0 ]; then
  echo "SKIP part 3: the enclave sandbox needs root"
  [ "${CI:-}" = true ] && ko "part 3 skipped under CI"
else
  "$DECC" app init --lang python pyapp >/dev/null
  cmp -s pyapp/decc_protected.py "$SRC/python/decc_protected.py" && ok || ko "shipped reader differs from python/decc_protected.py"
  for f in v2 legacy; do
    if out=$("$DECC" app test pyapp --protected-data rec_legacy.json --format $f --args "hi" -o "res-$f" 2>&1); then ok; else ko "app test $f: $out"; fi
    grep -q '"emailDomain": "example.com"' "res-$f/result.json" && grep -q '"entries": 9' "res-$f/result.json" && ok || ko "result $f: $(cat "res-$f/result.json" 2>/dev/null) $out"
  done
  # Without protected data the app still runs; a failing Python app gets
  # its cause and traceback.
  if out=$("$DECC" app test pyapp --args "solo" -o res-solo 2>&1); then ok; else ko "app test without data: $out"; fi
  grep -q '"entries": 0' res-solo/result.json && ok || ko "solo result: $(cat res-solo/result.json 2>/dev/null)"
  sed -i 's/^def main():/def main():\n    raise RuntimeError("boom in python")/' pyapp/app.py
  set +e
  out=$("$DECC" app test pyapp --args x 2>&1)
  rc=$?
  set -e
  [ "$rc" = 1 ] && grep -q "APP_EXIT_CODE" <<<"$out" && grep -q "RuntimeError: boom in python" <<<"$out" && ok || ko "failing app: rc $rc: $out"
  [ ! -d pyapp/__pycache__ ] && ok || ko "__pycache__ written into the app"
fi

finish
