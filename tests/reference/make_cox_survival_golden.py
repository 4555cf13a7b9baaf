"""Golden numbers for stats::CoxSurvival (tests/stats_reference.rs).

    .venv/bin/python tests/reference/make_cox_survival_golden.py

lifelines 0.30.3 CoxPHFitter (Efron ties, tight precision) on rossi.csv
(week, arrest; fin, age, prio), unstratified and stratified by wexp, then
predict_survival_function for the first five subjects at weeks 5, 20, 33,
40 and 52 (Breslow baseline). The weeks are observed durations: between them
lifelines interpolates its baseline linearly, where the estimate is a step
function.
"""
import json

import pandas as pd
from lifelines import CoxPHFitter

rossi = pd.read_csv("tests/data/rossi.csv")
times = [5.0, 20.0, 33.0, 40.0, 52.0]
out = {"times": times}
for name, strata in [("plain", None), ("strata_wexp", ["wexp"])]:
    cols = ["week", "arrest", "fin", "age", "prio"] + (strata or [])
    cph = CoxPHFitter().fit(rossi[cols], "week", "arrest", strata=strata,
                            fit_options={"precision": 1e-12, "r_precision": 1e-14})
    subjects = rossi[cols].iloc[:5]
    sf = cph.predict_survival_function(subjects, times=times)
    out[name] = {
        "subjects": subjects[["fin", "age", "prio"] + (strata or [])].values.tolist(),
        "survival": [[float(v) for v in sf[c]] for c in sf.columns],
    }
with open("tests/reference/cox_survival_golden.json", "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out, indent=1))
