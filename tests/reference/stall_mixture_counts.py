"""Golden numbers for `StallMixture::fit` on returns given as counts
(tests/stall_mixture.rs: `large_flat_likelihood_reaches_the_maximum`,
`a_maximum_on_the_boundary_holds_the_stalled_rate_at_zero`,
`a_maximum_on_both_bounds_converges`).

    .venv/bin/python tests/reference/stall_mixture_counts.py tests/fixtures/stall_mixture_large.csv
    .venv/bin/python tests/reference/stall_mixture_counts.py tests/fixtures/stall_mixture_boundary.csv
    .venv/bin/python tests/reference/stall_mixture_counts.py tests/fixtures/stall_mixture_both_bounds.csv

Each fixture holds childcare returns as the stall test hands them to the
mixture: promoted or not, and the cumulative hazard of peers like her over
her follow-up, rounded to 3 decimals and counted (`count` returns share each
pair).

- stall_mixture_large.csv: the 227,919 returns of a 1,000,000-employee
  generated population (`generate --employees 1000000 --seed 42
  --first-year 2012`, the pipeline bench's data). Plain EM crawls on this
  likelihood: from its usual start, 500 SQUAREM-accelerated steps left the
  share at 0.163 where the maximum is at 0.130.
- stall_mixture_boundary.csv: the 11,342 returns of `evaluate --employees
  50000 --seed 2` (the generator's defaults), whose maximum has the stalled
  rate at its bound, 0 (the stalled are never promoted).
- stall_mixture_both_bounds.csv: the 16,026 returns of `evaluate
  --employees 50000 --managers-per-department 20 --biased-managers 4
  --rating-drop-share 0.15 --seed 1` with the long-career setting of the
  README (`--synth first_year=2000 --synth promotion_hazard=0.3 --synth
  promotion_ability_effect=1.0 --synth stall_promotion_factor=0.0 --synth
  mommy_track_promotion_factor=0.0`), whose maximum has both rates at their
  bounds (stalled rate 0, on-track rate 1).

The maximum is found without the crate's Newton step or its derivatives:
1. scipy.optimize L-BFGS-B on the log-likelihood in (share, stalled rate,
   on-track rate) within the box 0 < share < 1, 0 <= stalled rate <= 1,
   0 < on-track rate <= 1, from several starts (an answer with the kinds'
   labels swapped, stalled rate above on-track rate, is swapped back);
2. polished by solving the EM fixed point -- share = mean posterior, each
   rate = its expected promotions over its expected exposure (the on-track
   one at most 1) -- with scipy.optimize.root (Powell's hybrid method,
   finite-difference Jacobian) from the L-BFGS-B answer; with the stalled
   rate at 0 only share and on-track rate are solved for, and the
   likelihood's slope in the stalled rate at 0 is printed (by a finite
   difference: negative means 0 is the constrained maximum).
"""
import sys

import numpy as np
import pandas as pd
from scipy.optimize import minimize, root

df = pd.read_csv(sys.argv[1])
d = df.promoted.values.astype(float)
h = df.hazard.values
c = df["count"].values.astype(float)
n = c.sum()


def parts(share, phi, rho):
    with np.errstate(divide="ignore"):
        a = np.log(share) + np.where(d > 0, np.log(phi), 0.0) - phi * h
    b = np.log(1 - share) + d * np.log(rho) - rho * h
    return a, b


def loglik(share, phi, rho):
    a, b = parts(share, phi, rho)
    top = np.maximum(a, b)
    return np.sum(c * (top + np.log(np.exp(a - top) + np.exp(b - top))))


best = None
for start in ([0.5, 0.4, 0.9], [0.2, 0.05, 0.5], [0.1, 0.2, 1.0], [0.3, 0.01, 0.95]):
    r = minimize(lambda x: -loglik(*x), start, method="L-BFGS-B",
                 bounds=[(1e-9, 1 - 1e-9), (0.0, 1.0), (1e-9, 1.0)],
                 options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 10000})
    if best is None or r.fun < best.fun:
        best = r
share, phi, rho = best.x
if phi > rho:
    # the same maximum with the two kinds' labels swapped
    share, phi, rho = 1 - share, rho, phi
assert phi <= rho <= 1, best.x
print("L-BFGS-B", best.x, -best.fun)


def weights(share, phi, rho):
    a, b = parts(share, phi, rho)
    return 1 / (1 + np.exp(b - a))


def em_map(share, phi, rho):
    w = weights(share, phi, rho)
    rho_next = min(1.0, np.sum(c * (1 - w) * d) / np.sum(c * (1 - w) * h))
    phi_next = np.sum(c * w * d) / np.sum(c * w * h)
    return np.sum(c * w) / n, phi_next, rho_next


if phi < 1e-6:
    phi = 0.0
    sol = root(lambda x: np.array(em_map(x[0], 0.0, x[1]))[[0, 2]] - x,
               np.array([share, rho]), method="hybr", options={"xtol": 1e-15})
    share, rho = sol.x
    eps = 1e-7
    slope = (loglik(share, eps, rho) - loglik(share, 0.0, rho)) / eps
    print("stalled rate held at 0; slope of the log-likelihood in it there", slope)
    print("fixed point residual",
          np.abs(np.array(em_map(share, 0.0, rho))[[0, 2]] - sol.x).max())
else:
    sol = root(lambda x: np.array(em_map(*x)) - x, np.array([share, phi, rho]),
               method="hybr", options={"xtol": 1e-15})
    share, phi, rho = sol.x
    print("fixed point residual", np.abs(np.array(em_map(*sol.x)) - sol.x).max())
print(f"share {share:.12f} factor {phi:.12f} on_track {rho:.12f} "
      f"loglik {loglik(share, phi, rho):.9f}")
for dd, hh in [(False, 0.5), (False, 2.0), (True, 1.0)]:
    a = share * (phi if dd else 1) * np.exp(-phi * hh)
    b = (1 - share) * (rho if dd else 1) * np.exp(-rho * hh)
    print(f"posterior promoted={dd} hazard={hh}: {a / (a + b):.12f}")
