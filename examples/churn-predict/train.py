#!/usr/bin/python3
"""train.py — fits the churn model that churn-predict ships (model.json).

Runs on the developer's machine, not in the enclave: a logistic regression
on training.csv (features standardised, batch gradient descent, fixed
iterations, so the same data always gives the same model). Re-run it after
changing training.csv: python3 train.py > model.json
"""
import csv
import json
import math
import os

FEATURES = ["tenure_months", "monthly_charges", "support_calls", "has_contract"]
here = os.path.dirname(os.path.abspath(__file__))
rows = list(csv.DictReader(open(os.path.join(here, "training.csv"))))
X = [[float(r[f]) for f in FEATURES] for r in rows]
y = [float(r["churned"]) for r in rows]
n, k = len(X), len(FEATURES)
mean = [sum(x[j] for x in X) / n for j in range(k)]
scale = [math.sqrt(sum((x[j] - mean[j]) ** 2 for x in X) / n) or 1.0 for j in range(k)]
Z = [[(x[j] - mean[j]) / scale[j] for j in range(k)] for x in X]
w, b = [0.0] * k, 0.0
for _ in range(2000):
    gw, gb = [0.0] * k, 0.0
    for z, t in zip(Z, y):
        p = 1 / (1 + math.exp(-(b + sum(wj * zj for wj, zj in zip(w, z)))))
        for j in range(k):
            gw[j] += (p - t) * z[j]
        gb += p - t
    w = [wj - 0.5 * g / n for wj, g in zip(w, gw)]
    b -= 0.5 * gb / n
print(json.dumps({"features": FEATURES,
                  "mean": [round(v, 6) for v in mean],
                  "scale": [round(v, 6) for v in scale],
                  "coef": [round(v, 6) for v in w],
                  "intercept": round(b, 6),
                  "threshold": 0.5}, indent=2))
