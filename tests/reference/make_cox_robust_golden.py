"""Golden numbers for the cluster-robust (sandwich) variance of Cox.

statsmodels 0.15.0 `PHReg(t, X, status=e, ties=..., strata=..., entry=...).fit(groups=cluster)`:
the Huber-White sandwich H^-1 (sum over clusters of U_g U_g') H^-1, with U the
Breslow score residuals and H the Hessian of the chosen tie method (Lin & Wei,
JASA 84, 1989; no small-sample factor), on
- rossi.csv (week, arrest; fin, age, prio), cluster = row // 4;
- ties.csv (t, e; x1, x2), cluster = row // 3, Efron, Breslow, Efron with
  strata g, and Efron with delayed entry (entry + 0.5 when > 0, as in
  make_cox_entry_golden.py);
and lifelines 0.30.3 `CoxPHFitter().fit(df, "T", "E", robust=True,
cluster_col="cluster")` on rossi with the weeks made distinct (week + row *
1e-4): without ties lifelines' score residuals are exact, so both libraries
must agree, and the test checks ours against both.
Writes tests/reference/cox_robust_golden.json.
"""
import json

import numpy as np
import pandas as pd
import statsmodels.api as sm
from lifelines import CoxPHFitter

out = {}
rossi = pd.read_csv("tests/data/rossi.csv")
rossi["cluster"] = np.arange(len(rossi)) // 4
X = rossi[["fin", "age", "prio"]]
for name, ties in {"rossi_efron": "efron", "rossi_breslow": "breslow"}.items():
    m = sm.PHReg(rossi["week"], X, status=rossi["arrest"], ties=ties).fit(groups=rossi["cluster"])
    naive = sm.PHReg(rossi["week"], X, status=rossi["arrest"], ties=ties).fit()
    out[name] = {"coef": list(m.params), "se": list(m.bse), "model_se": list(naive.bse), "ll": m.llf}

ties = pd.read_csv("tests/data/ties.csv")
ties["cluster"] = np.arange(len(ties)) // 3
entry = ties["entry"].where(ties["entry"] <= 0, ties["entry"] + 0.5)
for name, kw in {
    "ties_efron": {"ties": "efron"},
    "ties_breslow": {"ties": "breslow"},
    "ties_efron_strata": {"ties": "efron", "strata": ties["g"]},
    "ties_efron_entry": {"ties": "efron", "entry": entry},
}.items():
    m = sm.PHReg(ties["t"], ties[["x1", "x2"]], status=ties["e"], **kw).fit(groups=ties["cluster"])
    out[name] = {"coef": list(m.params), "se": list(m.bse), "ll": m.llf}

distinct = rossi.copy()
distinct["T"] = distinct["week"] + np.arange(len(distinct)) * 1e-4
assert distinct["T"].is_unique
cph = CoxPHFitter().fit(
    distinct[["T", "arrest", "fin", "age", "prio", "cluster"]],
    "T", "arrest", robust=True, cluster_col="cluster",
)
sm_fit = sm.PHReg(distinct["T"], distinct[["fin", "age", "prio"]], status=distinct["arrest"]).fit(
    groups=distinct["cluster"]
)
out["rossi_distinct"] = {
    "coef": list(cph.params_.values),
    "se": list(cph.standard_errors_.values),
    "statsmodels_se": list(sm_fit.bse),
    "p": list(cph.summary["p"].values),
    "ll": cph.log_likelihood_,
}
with open("tests/reference/cox_robust_golden.json", "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out, indent=1))
