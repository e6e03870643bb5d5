#!/usr/bin/python3
"""churn-predict — a decc iApp: a prediction with a model shipped in the app.

The model (model.json: a logistic regression fitted by train.py on
training.csv) is part of the app's bundle, so its measurement pins the exact
model; the customer record is the protected data (tenure_months,
monthly_charges, support_calls, has_contract as numbers or a boolean). The
app writes only the churn probability and the predicted label; the record
stays in the enclave.
"""
import json
import math
import os
import sys

sys.dont_write_bytecode = True
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from decc_protected import ProtectedData, ProtectedDataError  # noqa: E402


def feature(pd, name):
    # has_contract may be protected as a boolean or as a number.
    try:
        return pd.get_number(name)
    except ProtectedDataError:
        return 1.0 if pd.get_bool(name) else 0.0


def main():
    out = os.environ.get("IEXEC_OUT", "/iexec_out")
    with open(os.path.join(here, "model.json")) as f:
        model = json.load(f)
    try:
        with ProtectedData() as pd:
            x = [feature(pd, name) for name in model["features"]]
    except ProtectedDataError as e:
        print("churn-predict: %s (expected %s)" % (e, ", ".join(model["features"])),
              file=sys.stderr)
        sys.exit(2)
    z = model["intercept"] + sum(
        c * (v - m) / s for c, v, m, s in zip(model["coef"], x, model["mean"], model["scale"]))
    p = 1 / (1 + math.exp(-z))
    result = {"churnProbability": round(p, 6),
              "prediction": "churn" if p >= model["threshold"] else "stay"}
    with open(os.path.join(out, "result.json"), "w") as f:
        json.dump(result, f)
        f.write("\n")
    with open(os.path.join(out, "computed.json"), "w") as f:
        json.dump({"deterministic-output-path": os.path.join(out, "result.json")}, f)
    print("prediction computed")


if __name__ == "__main__":
    main()
