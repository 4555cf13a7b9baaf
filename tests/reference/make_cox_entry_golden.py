"""Golden numbers for Cox and the log-rank test with delayed entry (left truncation).

statsmodels 0.15.0 `PHReg(t, X, status=e, entry=entry_half, ties=..., strata=...)`
on tests/data/ties.csv, where entry_half = entry + 0.5 when entry > 0, else 0:
the entry times are never equal to an (integer) event time, so statsmodels'
convention (at risk when entry <= t) and this crate's (entry < t) agree.
The log-rank tests are statsmodels `survdiff(t, e, group, entry=entry_half)`
by `g` (3 groups) and by `x2` (2 groups); survdiff counts entry < t.
Writes tests/reference/cox_entry_golden.json.
"""
import json

import pandas as pd
import statsmodels.api as sm

ties = pd.read_csv("tests/data/ties.csv")
entry = ties["entry"].where(ties["entry"] <= 0, ties["entry"] + 0.5)
assert (entry < ties["t"]).all()
out = {}
for name, kw in {
    "efron": {"ties": "efron"},
    "breslow": {"ties": "breslow"},
    "efron_strata": {"ties": "efron", "strata": ties["g"]},
}.items():
    m = sm.PHReg(ties["t"], ties[["x1", "x2"]], status=ties["e"], entry=entry, **kw).fit()
    out[name] = {"coef": list(m.params), "se": list(m.bse), "ll": m.llf, "p_only": list(m.pvalues)}
from statsmodels.duration.survfunc import survdiff

for name, col in {"logrank_g3": "g", "logrank_x2": "x2"}.items():
    stat, p = survdiff(ties["t"].values, ties["e"].values, ties[col].values, entry=entry.values)
    out[name] = [float(stat), float(p)]
with open("tests/reference/cox_entry_golden.json", "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out, indent=1))
