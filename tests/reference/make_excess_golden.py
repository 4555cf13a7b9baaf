"""Golden numbers for stats::excess_test (tests/stats_reference.rs).

    .venv/bin/python tests/reference/make_excess_golden.py

Each case is a list of strata (total, events, unit, unit_events). The
reference p-value is P(X >= observed), X the sum over strata of independent
scipy.stats.hypergeom(M=total, n=events, N=unit) variables, its pmf built by
numpy.convolve (the exact conditional test of R's mantelhaen.test(exact=TRUE,
alternative="greater")); for a single stratum also scipy.stats.fisher_exact(
[[a, b], [c, d]], alternative="greater"), which must agree.
"""
import json

import numpy as np
from scipy.stats import fisher_exact, hypergeom

CASES = {
    "one_stratum": [(40, 10, 8, 5)],
    "one_stratum_none": [(40, 10, 8, 0)],
    "two_periods": [(100, 30, 10, 6), (120, 12, 8, 1)],
    "period_explains_it": [(100, 40, 12, 5), (100, 5, 2, 0)],
    "four_strata": [(50, 20, 5, 4), (60, 10, 7, 3), (30, 3, 4, 1), (80, 40, 6, 3)],
    "many_small": [(12, 4, 2, 1)] * 9 + [(15, 2, 3, 1)] * 4,
    "extreme": [(500, 50, 40, 20), (400, 20, 30, 9)],
    "large": [(5000, 700, 900, 150), (4000, 400, 800, 90), (6000, 300, 700, 30)],
}


def tail(strata):
    pmf = np.array([1.0])
    observed = 0
    expected = 0.0
    for total, events, unit, unit_events in strata:
        observed += unit_events
        expected += unit * events / total
        k = np.arange(0, unit + 1)
        pmf = np.convolve(pmf, hypergeom(total, events, unit).pmf(k))
    return float(pmf[observed:].sum()), observed, expected


out = {}
for name, strata in CASES.items():
    p, observed, expected = tail(strata)
    if len(strata) == 1:
        total, events, unit, ue = strata[0]
        f = fisher_exact([[ue, unit - ue], [events - ue, total - events - (unit - ue)]],
                         alternative="greater").pvalue
        assert abs(f - p) < 1e-12 * max(p, 1e-300), (f, p)
    out[name] = {"strata": strata, "p_value": p, "observed": observed, "expected": expected}
with open("tests/reference/excess_golden.json", "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out, indent=1))
