"""Golden numbers for the Aalen-Johansen cumulative incidence with competing risks.

lifelines 0.30.3 `AalenJohansenFitter(calculate_variance=True).fit(T, E,
event_of_interest=k)`: cumulative incidence, its variance (Collett's
Greenwood-type delta formula) and the log(-log) 95% interval, at every
distinct time. lifelines jitters event times tied across event types, so the
datasets have none:
- competing_a.csv: 300 subjects, continuous times, causes 1 and 2 and
  censoring (seed 11);
- competing_b.csv: 250 subjects, integer times 1-40 (ties within a cause and
  with censoring), cause 1 at even times and cause 2 at odd ones (seed 12).
Writes tests/data/competing_{a,b}.csv and tests/reference/aalen_johansen_golden.json.
"""
import json
import warnings

import numpy as np
import pandas as pd
from lifelines import AalenJohansenFitter

rng = np.random.default_rng(11)
n = 300
t1 = rng.exponential(10, n)
t2 = rng.exponential(15, n)
c = rng.uniform(0, 30, n)
t = np.minimum(np.minimum(t1, t2), c)
e = np.where(t == c, 0, np.where(t == t1, 1, 2))
a = pd.DataFrame({"T": np.round(t, 6), "E": e})
assert a.loc[a.E > 0, "T"].is_unique
a.to_csv("tests/data/competing_a.csv", index=False)

rng = np.random.default_rng(12)
n = 250
t = rng.integers(1, 41, n)
censored = rng.uniform(size=n) < 0.3
e = np.where(censored, 0, np.where(t % 2 == 0, 1, 2))
b = pd.DataFrame({"T": t.astype(float), "E": e})
b.to_csv("tests/data/competing_b.csv", index=False)

out = {}
for name, df in {"a": a, "b": b}.items():
    for k in (1, 2):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no jittering may happen
            aj = AalenJohansenFitter(calculate_variance=True).fit(df["T"], df["E"], event_of_interest=k)
        cif = aj.cumulative_density_.iloc[:, 0]
        ci = aj.confidence_interval_
        lo = ci.min(axis=1)
        hi = ci.max(axis=1)
        rows = []
        for time in cif.index:
            rows.append(
                {
                    "time": float(time),
                    "cif": float(cif.loc[time]),
                    "variance": float(aj.variance_.loc[time]),
                    "lower": None if np.isnan(lo.loc[time]) else float(lo.loc[time]),
                    "upper": None if np.isnan(hi.loc[time]) else float(hi.loc[time]),
                }
            )
        out[f"{name}_{k}"] = rows
with open("tests/reference/aalen_johansen_golden.json", "w") as f:
    json.dump(out, f, indent=0)
print({k: len(v) for k, v in out.items()})
print(out["b_1"][:4], out["b_1"][-2:])
