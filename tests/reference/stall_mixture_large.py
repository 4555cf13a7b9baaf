"""Golden numbers for `StallMixture::fit` on a large, flat likelihood
(tests/stall_mixture.rs, `large_flat_likelihood_reaches_the_maximum`).

    .venv/bin/python tests/reference/stall_mixture_large.py

tests/fixtures/stall_mixture_large.csv holds the 227,919 childcare returns
of a 1,000,000-employee generated population (`generate --employees
1000000 --seed 42 --first-year 2012`, the pipeline bench's data), as the
stall test hands them to the mixture: promoted or not, and the cumulative
hazard of peers like her over her follow-up, rounded to 3 decimals and
counted (`count` returns share each pair). Plain EM crawls on this
likelihood: from its usual start, 500 SQUAREM-accelerated steps left the
share at 0.163 where the maximum is at 0.130.

The maximum is found two ways, without the crate's Newton step or its
derivatives:
1. scipy.optimize L-BFGS-B on the log-likelihood, reparametrised within the
   model's bounds (logit share, log on-track rate <= 0, logit of the
   stalled rate as a share of the on-track one), from several starts;
2. polished by solving the EM fixed point -- share = mean posterior,
   each rate = its expected promotions over its expected exposure (the
   on-track one at most 1) -- with scipy.optimize.root (Powell's hybrid
   method, finite-difference Jacobian) from the L-BFGS-B answer.
The fixed point's residual and its log-likelihood are printed beside it.
"""
import numpy as np
import pandas as pd
from scipy.optimize import minimize, root

df = pd.read_csv("tests/fixtures/stall_mixture_large.csv")
d = df.promoted.values.astype(float)
h = df.hazard.values
c = df["count"].values.astype(float)
n = c.sum()


def parts(share, phi, rho):
    a = np.log(share) + d * np.log(phi) - phi * h
    b = np.log(1 - share) + d * np.log(rho) - rho * h
    return a, b


def loglik(share, phi, rho):
    a, b = parts(share, phi, rho)
    top = np.maximum(a, b)
    return np.sum(c * (top + np.log(np.exp(a - top) + np.exp(b - top))))


def unpack(theta):
    rho = np.exp(theta[1])
    return 1 / (1 + np.exp(-theta[0])), rho / (1 + np.exp(-theta[2])), rho


best = None
for start in ([0.0, np.log(0.9), 0.0], [-1.0, np.log(0.5), -2.0], [1.0, 0.0, 1.0],
              [-2.0, -0.05, -3.0]):
    r = minimize(lambda t: -loglik(*unpack(t)), start, method="L-BFGS-B",
                 bounds=[(-30, 30), (-30, 0), (-30, 30)],
                 options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 10000})
    if best is None or r.fun < best.fun:
        best = r
print("L-BFGS-B", unpack(best.x), -best.fun)


def em_map(x):
    share, phi, rho = x
    a, b = parts(share, phi, rho)
    w = 1 / (1 + np.exp(b - a))
    rho_next = min(1.0, np.sum(c * (1 - w) * d) / np.sum(c * (1 - w) * h))
    return np.array([np.sum(c * w) / n,
                     np.sum(c * w * d) / np.sum(c * w * h),
                     rho_next])


sol = root(lambda x: em_map(x) - x, np.array(unpack(best.x)), method="hybr",
           options={"xtol": 1e-15})
share, phi, rho = sol.x
print("fixed point residual", np.abs(em_map(sol.x) - sol.x).max())
print(f"share {share:.12f} factor {phi:.12f} on_track {rho:.12f} "
      f"loglik {loglik(share, phi, rho):.9f}")
for dd, hh in [(False, 0.5), (False, 2.0), (True, 1.0)]:
    a = share * (phi if dd else 1) * np.exp(-phi * hh)
    b = (1 - share) * (rho if dd else 1) * np.exp(-rho * hh)
    print(f"posterior promoted={dd} hazard={hh}: {a / (a + b):.12f}")
