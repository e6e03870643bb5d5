#!/usr/bin/python3
"""csv-stats — a decc iApp: statistics over a protected CSV file.

The protected data holds a CSV file under the key "table" (protected with
`decc protect data.json` where data.json is {"table": {"$file":
"sales.csv"}}). For every numeric column (or only the columns named in the
task's args, separated by commas) it writes count, sum, mean, min, max and
the sample standard deviation to result.json; rows are never copied out.
Columns with a non-numeric cell are reported as skipped. Bounded: at most
1,000,000 rows and 1,000 columns.
"""
import csv
import io
import json
import math
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from decc_protected import ProtectedData, ProtectedDataError  # noqa: E402

MAX_ROWS = 1000000
MAX_COLS = 1000


def fail(msg):
    print("csv-stats: %s" % msg, file=sys.stderr)
    sys.exit(2)


def main():
    out = os.environ.get("IEXEC_OUT", "/iexec_out")
    wanted = [c.strip() for c in " ".join(sys.argv[1:]).split(",") if c.strip()]
    try:
        with ProtectedData() as pd:
            raw = pd.get_bytes("table")
    except ProtectedDataError as e:
        fail("%s (expected a CSV file under the key 'table')" % e)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail("the table is not UTF-8 text")
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if not header or len(header) > MAX_COLS:
        fail("the table needs a header row of 1 to %d columns" % MAX_COLS)
    for c in wanted:
        if c not in header:
            fail("no column '%s' (columns: %s)" % (c, ", ".join(header)))
    cols = wanted or header
    idx = {c: header.index(c) for c in cols}
    values = {c: [] for c in cols}
    skipped = set()
    n = 0
    for row in rows:
        if not row:
            continue
        n += 1
        if n > MAX_ROWS:
            fail("more than %d rows" % MAX_ROWS)
        for c in cols:
            if c in skipped:
                continue
            cell = row[idx[c]].strip() if idx[c] < len(row) else ""
            try:
                v = float(cell)
                if not math.isfinite(v):
                    raise ValueError
                values[c].append(v)
            except ValueError:
                skipped.add(c)
    stats = {}
    for c in cols:
        v = values[c]
        if c in skipped or not v:
            continue
        mean = math.fsum(v) / len(v)
        sd = math.sqrt(math.fsum((x - mean) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else 0.0
        stats[c] = {"count": len(v), "sum": math.fsum(v), "mean": mean,
                    "min": min(v), "max": max(v), "stddev": sd}
    result = {"rows": n, "columns": stats, "skipped": sorted(skipped)}
    with open(os.path.join(out, "result.json"), "w") as f:
        json.dump(result, f, sort_keys=True)
        f.write("\n")
    with open(os.path.join(out, "computed.json"), "w") as f:
        json.dump({"deterministic-output-path": os.path.join(out, "result.json")}, f)
    print("statistics of %d rows, %d numeric columns" % (n, len(stats)))


if __name__ == "__main__":
    main()
