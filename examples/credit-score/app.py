#!/usr/bin/python3
"""credit-score — a decc iApp: a credit score from a protected JSON record.

The protected data holds a person's finances (protected with `decc protect
record.json`): income and debts (yearly, any currency), late_payments (last
two years) and years_employed. The app never reveals them: it writes only
the score (300-850, the FICO range) and its band to result.json.

Score: 300 + 550 × the weighted mean of four sub-scores in [0, 1]:
  debt-to-income   40 %   1 at no debt, 0 at debts ≥ 60 % of income
  payment history  35 %   1 with no late payment, -0.25 per late payment
  employment       15 %   years_employed / 10, capped at 1
  income level     10 %   income / 100000, capped at 1
Bands: < 580 poor, < 670 fair, < 740 good, < 800 very good, else excellent.
"""
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from decc_protected import ProtectedData, ProtectedDataError  # noqa: E402

BANDS = [(580, "poor"), (670, "fair"), (740, "good"), (800, "very good")]


def clamp(x):
    return max(0.0, min(1.0, x))


def score(income, debts, late, years):
    dti = debts / income if income > 0 else 1.0
    parts = [(0.40, clamp(1 - dti / 0.6)),
             (0.35, clamp(1 - 0.25 * late)),
             (0.15, clamp(years / 10)),
             (0.10, clamp(income / 100000))]
    return round(300 + 550 * sum(w * p for w, p in parts))


def main():
    out = os.environ.get("IEXEC_OUT", "/iexec_out")
    try:
        with ProtectedData() as pd:
            income = pd.get_number("income")
            debts = pd.get_number("debts")
            late = pd.get_number("late_payments")
            years = pd.get_number("years_employed")
    except ProtectedDataError as e:
        # The cause goes to stderr (the requester sees it with the task's
        # failure), never the values.
        print("credit-score: %s (expected numbers income, debts, "
              "late_payments, years_employed)" % e, file=sys.stderr)
        sys.exit(2)
    if min(income, debts, late, years) < 0:
        print("credit-score: negative values are not accepted", file=sys.stderr)
        sys.exit(2)
    s = score(income, debts, late, years)
    band = next((name for limit, name in BANDS if s < limit), "excellent")
    with open(os.path.join(out, "result.json"), "w") as f:
        json.dump({"score": s, "band": band}, f)
        f.write("\n")
    with open(os.path.join(out, "computed.json"), "w") as f:
        json.dump({"deterministic-output-path": os.path.join(out, "result.json")}, f)
    print("score computed")


if __name__ == "__main__":
    main()
