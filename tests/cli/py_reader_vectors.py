"""Checks python/decc_protected.py against the deserializer vectors
(tests/vectors/protect/deserializer*.json: zips read by
@iexec/dataprotector-deserializer 0.1.1 in every mode and type). Prints
"N reads checked, M mismatches" and exits 1 on any mismatch.
usage: python3 py_reader_vectors.py SRC_DIR TMPDIR"""
import base64
import json
import math
import os
import sys

src, tmp = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(src, "python"))
from decc_protected import ProtectedData, ProtectedDataError  # noqa: E402


def js_num(text):
    # the vectors print JavaScript's String(number); float() reads all of
    # its forms ("NaN", "Infinity", "-Infinity", "1e+21", "0.1")
    return float(text)


checked = bad = 0
for name in ("deserializer.json", "deserializer_decc.json"):
    doc = json.load(open(os.path.join(src, "tests/vectors/protect", name)))
    for k, z in enumerate(doc["zips"]):
        path = os.path.join(tmp, "%s-%d.zip" % (name, k))
        with open(path, "wb") as f:
            f.write(base64.b64decode(z["zip_b64"]))
        readers = {}
        for r in z["reads"]:
            pd = readers.get(r["mode"])
            if pd is None:
                pd = readers[r["mode"]] = ProtectedData(path, r["mode"])
            checked += 1
            try:
                v = pd.get_value(r["path"], r["type"])
                err = None
            except ProtectedDataError as e:
                v, err = None, str(e)
            if "error" in r:
                ok = err == r["error"]
            elif err is not None:
                ok = False
            elif "bool" in r:
                ok = v is r["bool"]
            elif "string" in r:
                ok = v.encode("utf-8") == bytes.fromhex(r["string"])
            elif "bytes" in r:
                ok = v == bytes.fromhex(r["bytes"])
            elif "i128" in r:
                ok = v == int(r["i128"])
            elif "number" in r:
                want = js_num(r["number"])
                ok = (math.isnan(v) and math.isnan(want)) or v == want
            else:
                ok = False
            if not ok:
                bad += 1
                if bad <= 10:
                    print("MISMATCH %s %s/%s: %s %s %r: got %r / %r" % (
                        name, z["case"], z["format"], r["mode"], r["path"],
                        r["type"], v, err))
        for pd in readers.values():
            pd.close()
print("%d reads checked, %d mismatches" % (checked, bad))
sys.exit(1 if bad or not checked else 0)
