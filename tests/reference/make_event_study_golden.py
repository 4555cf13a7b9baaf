"""Golden numbers for tests/event_study.rs.

    .venv/bin/python tests/reference/make_event_study_golden.py

Reads the panels written by the test from data-samples/ and, for each,
per outcome and gender, fits statsmodels OLS of the outcome on an intercept,
event-time dummies (t = -1 omitted), age dummies (lowest age omitted) and
calendar-year dummies (earliest omitted), with
fit(cov_type="cluster", cov_kwds={"groups": employee}). The penalty is
(a_women,t - a_men,t) / mean over women at t of the prediction without the
event-time terms. The panels:
- tests/data/event_panel.csv: anchored on each parent's first childcare
  leave (leave-takers only) -> tests/reference/event_study_golden.json;
- tests/data/event_panel_birth.csv: anchored on the first recorded birth,
  every parent, as Kleven, Landais & Sogaard (2019)
  -> tests/reference/event_study_birth_golden.json.
"""
import json

import numpy as np
import pandas as pd
import statsmodels
import statsmodels.api as sm

OUTCOMES = ["grade", "responsibility", "salary", "regular"]


def design(d):
    cols = {"const": np.ones(len(d))}
    for t in sorted(set(d.event_time) - {-1}):
        cols[f"t_{t}"] = (d.event_time == t).astype(float).values
    for a in sorted(set(d.age))[1:]:
        cols[f"age_{a}"] = (d.age == a).astype(float).values
    for y in sorted(set(d.year))[1:]:
        cols[f"year_{y}"] = (d.year == y).astype(float).values
    return pd.DataFrame(cols, index=d.index)


def main():
    for panel, golden in [
        ("tests/data/event_panel.csv", "tests/reference/event_study_golden.json"),
        ("tests/data/event_panel_birth.csv", "tests/reference/event_study_birth_golden.json"),
    ]:
        fit_panel(panel, golden)


def fit_panel(panel, golden):
    p = pd.read_csv(panel)
    out = {"tool": f"statsmodels {statsmodels.__version__} OLS cov_type=cluster"}
    for outcome in OUTCOMES:
        res = {}
        fits = {}
        for gender, female in [("women", 1), ("men", 0)]:
            d = p[(p.female == female) & p[outcome].notna()]
            X = design(d)
            fit = sm.OLS(d[outcome].astype(float), X).fit(
                cov_type="cluster", cov_kwds={"groups": d.employee.values}
            )
            fits[gender] = (d, X, fit)
            res[gender] = {
                "n": int(len(d)),
                "params": fit.params.to_dict(),
                "bse": fit.bse.to_dict(),
            }
        dw, Xw, fw = fits["women"]
        cf_cols = [c for c in Xw.columns if not c.startswith("t_")]
        cf = Xw[cf_cols] @ fw.params[cf_cols]
        pen = []
        for t in range(-3, 6):
            aw = 0.0 if t == -1 else fw.params.get(f"t_{t}", np.nan)
            am = 0.0 if t == -1 else fits["men"][2].params.get(f"t_{t}", np.nan)
            mask = dw.event_time == t
            val = (aw - am) / cf[mask].mean() if mask.any() else np.nan
            pen.append({"event_time": t, "penalty": None if np.isnan(val) else float(val)})
        res["penalty"] = pen
        out[outcome] = res
    with open(golden, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
