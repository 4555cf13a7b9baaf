"""Golden numbers for the proportional-hazards test on scaled Schoenfeld residuals.

lifelines 0.30.3 `proportional_hazard_test(CoxPHFitter().fit(df, T, E), df,
time_transform=...)` (Grambsch & Therneau's score test in R's pre-2019 form):
- rossi.csv (week, arrest; fin, age, prio; integer weeks, many ties), Efron,
  transforms "km", "identity" and "log" (they give tied times one value, so
  the result does not depend on the row order of ties);
- rossi with the weeks made distinct (week + row * 1e-4), transforms "rank"
  and "km";
- ties.csv (t, e; x1, x2), transforms "km" and "log";
- stratified fits (`strata=[...]`): rossi by wexp (transforms "km",
  "identity", "log") and ties.csv by g ("km", "log"); the Schoenfeld
  residuals are taken within each stratum's risk sets, and the km transform
  is the Kaplan-Meier of all durations.
The Cox fits use fit_options={"precision": 1e-12, "r_precision": 1e-14}:
at lifelines' default precision the coefficients stop about 1e-7 short of
the maximum, which moves the statistics on ties.csv by 1e-6.
Writes tests/reference/ph_test_golden.json: statistic and p-value per covariate.
"""
import json

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from lifelines.statistics import proportional_hazard_test

out = {}
rossi_all = pd.read_csv("tests/data/rossi.csv")
rossi = rossi_all[["week", "arrest", "fin", "age", "prio"]]
distinct = rossi.copy()
distinct["week"] = distinct["week"] + np.arange(len(distinct)) * 1e-4
ties_all = pd.read_csv("tests/data/ties.csv")
ties = ties_all[["t", "e", "x1", "x2"]]
for name, df, t, e, transforms, strata in [
    ("rossi", rossi, "week", "arrest", ["km", "identity", "log"], None),
    ("rossi_distinct", distinct, "week", "arrest", ["rank", "km"], None),
    ("ties", ties, "t", "e", ["km", "log"], None),
    ("rossi_strata", rossi_all[["week", "arrest", "fin", "age", "prio", "wexp"]],
     "week", "arrest", ["km", "identity", "log"], ["wexp"]),
    ("ties_strata", ties_all[["t", "e", "x1", "x2", "g"]], "t", "e", ["km", "log"], ["g"]),
]:
    cph = CoxPHFitter().fit(df, t, e, strata=strata,
                            fit_options={"precision": 1e-12, "r_precision": 1e-14})
    for tr in transforms:
        r = proportional_hazard_test(cph, df, time_transform=tr)
        out[f"{name}_{tr}"] = {
            "names": list(cph.params_.index),
            "statistic": [float(v) for v in np.ravel(r.test_statistic)],
            "p": [float(v) for v in np.ravel(r.p_value)],
        }
with open("tests/reference/ph_test_golden.json", "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out, indent=1))
