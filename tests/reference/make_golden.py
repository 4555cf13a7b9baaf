"""Reference numbers for tests/stats_reference.rs.

Run: python3 -m venv .venv && .venv/bin/pip install lifelines scipy statsmodels
     .venv/bin/python tests/reference/make_golden.py
Writes tests/data/{rossi,waltons,ties}.csv and prints the numbers the tests hold.
"""
import json, sys
import numpy as np, pandas as pd
import lifelines, scipy, statsmodels
from lifelines import KaplanMeierFitter, CoxPHFitter
from lifelines.datasets import load_rossi, load_waltons
from lifelines.statistics import multivariate_logrank_test
from scipy import stats
from statsmodels.stats.proportion import proportion_confint, confint_proportions_2indep
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests

out = {"versions": {"lifelines": lifelines.__version__, "scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "python": sys.version.split()[0]}}
rossi = load_rossi(); rossi.to_csv("tests/data/rossi.csv", index=False)
w = load_waltons(); w["control"] = (w["group"] == "control").astype(int); w.to_csv("tests/data/waltons.csv", index=False)
rng = np.random.default_rng(20261124)
n = 400
ties = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.integers(0, 2, size=n), "g": rng.integers(0, 3, size=n)})
ties["t"] = np.ceil(rng.exponential(scale=np.exp(-0.5 * ties.x1 + 0.7 * ties.x2)) * 4).clip(1, 12)
ties["e"] = (rng.random(n) < 0.75).astype(int)
ties["entry"] = np.floor(rng.random(n) * ties["t"] * 0.5)
ties.to_csv("tests/data/ties.csv", index=False)

def km(df, d, e, entry=None):
    k = KaplanMeierFitter().fit(df[d], df[e], entry=None if entry is None else df[entry])
    sf = k.survival_function_.iloc[1:] if k.survival_function_.index[0] == 0 and not (df[d] == 0).any() else k.survival_function_
    ci = k.confidence_interval_.loc[sf.index]
    return {"time": list(sf.index.astype(float)), "survival": list(sf.iloc[:, 0]), "lower": list(ci.iloc[:, 0]), "upper": list(ci.iloc[:, 1]),
            "median": (None if np.isinf(k.median_survival_time_) else float(k.median_survival_time_)), "at_risk": list(k.event_table.loc[sf.index, "at_risk"].astype(int))}

out["km_rossi"] = km(rossi, "week", "arrest")
out["km_waltons"] = km(w, "T", "E")
out["km_ties_entry"] = km(ties, "t", "e", "entry")
r = multivariate_logrank_test(rossi["week"], rossi["fin"], rossi["arrest"]); out["logrank_rossi_fin"] = [r.test_statistic, r.p_value]
r = multivariate_logrank_test(ties["t"], ties["g"], ties["e"]); out["logrank_ties_g3"] = [r.test_statistic, r.p_value]
r = multivariate_logrank_test(w["T"], w["group"], w["E"]); out["logrank_waltons"] = [r.test_statistic, r.p_value]

def cox(df, d, e, cols, ties="efron", strata=None):
    kw = {} if ties == "efron" else {}
    c = CoxPHFitter()
    c.fit(df[[d, e] + cols + ([strata] if strata else [])], d, e, strata=[strata] if strata else None)
    s = c.summary
    return {"coef": list(s["coef"]), "se": list(s["se(coef)"]), "p": list(s["p"]), "lower": list(s["exp(coef) lower 95%"]), "upper": list(s["exp(coef) upper 95%"]), "ll": c.log_likelihood_,
            "lr": c.log_likelihood_ratio_test().test_statistic}

out["cox_rossi"] = cox(rossi, "week", "arrest", ["fin", "age", "race", "wexp", "mar", "paro", "prio"])
out["cox_rossi_3"] = cox(rossi, "week", "arrest", ["fin", "age", "prio"])
out["cox_ties"] = cox(ties, "t", "e", ["x1", "x2"])
out["cox_ties_strata"] = cox(ties, "t", "e", ["x1", "x2"], strata="g")
# Breslow ties from statsmodels PHReg (lifelines has Efron only).
import statsmodels.api as sm
m = sm.PHReg(ties["t"], ties[["x1", "x2"]], status=ties["e"], ties="breslow").fit()
out["cox_ties_breslow"] = {"coef": list(m.params), "se": list(m.bse), "ll": m.llf}
m = sm.PHReg(ties["t"], ties[["x1", "x2"]], status=ties["e"], ties="efron").fit()
out["cox_ties_efron_statsmodels"] = {"coef": list(m.params), "se": list(m.bse), "ll": m.llf, "p_only": list(m.pvalues)}

out["wilson"] = [list(proportion_confint(x, n, 0.05, "wilson")) for x, n in [(0, 10), (3, 10), (10, 10), (37, 120)]]
out["newcombe"] = [list(confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")) for x1, n1, x2, n2 in [(12, 40, 25, 45), (0, 8, 5, 9)]]
tables = [[[8, 2], [1, 5]], [[12, 28], [25, 20]], [[3, 47], [10, 40]], [[0, 5], [5, 0]], [[20, 15], [18, 17]]]
out["fisher"] = [stats.fisher_exact(t)[1] for t in tables]
out["chi2_yates"] = [list(stats.chi2_contingency(t, correction=True)[:2]) for t in tables[1:3]]
out["chi2_plain"] = [list(stats.chi2_contingency(t, correction=False)[:2]) for t in tables[1:3]]
t = Table2x2(np.array(tables[1]))
out["rr"] = [t.riskratio, *t.riskratio_confint()]; out["or"] = [t.oddsratio, *t.oddsratio_confint()]
x = [3.1, 2.0, 4.5, 3.1, 5.0, 2.2, 3.1, 4.0]; y = [1.0, 2.0, 2.0, 3.1, 1.5, 2.2, 0.5]
r = stats.mannwhitneyu(x, y, method="asymptotic"); out["mwu"] = [float(r.statistic), float(r.pvalue)]
out["bh"] = list(multipletests([0.01, 0.04, 0.03, 0.5, 0.002, 0.2], method="fdr_bh")[1])
print(json.dumps(out, indent=1))
