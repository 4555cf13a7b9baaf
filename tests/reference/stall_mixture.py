"""Golden numbers for `StallMixture::fit` (tests/stall_mixture.rs).

    .venv/bin/python tests/reference/stall_mixture.py

Draws 1500 returners from a two-kind model (a quarter stalled at 0.2 times
the peers' rate, the rest at 0.8 times it; cumulative hazards rounded to 3
decimals), then finds the maximum-likelihood share, stalled rate and
on-track rate by maximising the mixture log-likelihood directly with
scipy.optimize (L-BFGS-B within the model's bounds, 0 < share < 1 and
0 < stalled rate <= on-track rate <= 1, reparametrised so, from
several starts, then Nelder-Mead from its answer), not by EM.
Writes the data to tests/fixtures/stall_mixture.csv and prints the
estimates and the posterior of a few cases.
"""
import numpy as np
from scipy.optimize import minimize

rng = np.random.default_rng(17)
n = 1500
stalled = rng.random(n) < 0.25
rate = np.where(stalled, 0.2, 0.8)
# Follow-up cumulative hazard under the peers' model, and whether the
# promotion came within it (exponential on the cumulative-hazard scale).
h_end = rng.uniform(0.2, 6.0, n)
first = rng.exponential(1.0, n) / rate
promoted = first < h_end
h = np.round(np.where(promoted, first, h_end), 3)
d = promoted.astype(float)


def unpack(theta):
    """(share, stalled rate, on-track rate): logit share, log on-track
    rate (<= 0), logit of the stalled rate as a share of the on-track one."""
    rho = np.exp(theta[1])
    return 1 / (1 + np.exp(-theta[0])), rho / (1 + np.exp(-theta[2])), rho


def nll(theta):
    share, phi, rho = unpack(theta)
    a = np.log(share) + d * np.log(phi) - phi * h
    b = np.log(1 - share) + d * np.log(rho) - rho * h
    top = np.maximum(a, b)
    return -np.sum(top + np.log(np.exp(a - top) + np.exp(b - top)))


best = None
for start in ([0.0, np.log(0.9), 0.0], [-1.0, np.log(0.5), -2.0], [1.0, 0.0, 1.0]):
    r = minimize(nll, start, method="L-BFGS-B",
                 bounds=[(-30, 30), (-30, 0), (-30, 30)],
                 options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10000})
    if best is None or r.fun < best.fun:
        best = r
# L-BFGS-B stops early on this flat surface (its answer was 9e-11 below
# the maximum in log-likelihood, 8e-6 off in the share): polish with
# Nelder-Mead on the raw parameters, the maximum being inside the bounds.
def nll_raw(x):
    share, phi, rho = x
    if not (0 < share < 1 and 0 < phi <= rho <= 1):
        return np.inf
    a = np.log(share) + d * np.log(phi) - phi * h
    b = np.log(1 - share) + d * np.log(rho) - rho * h
    top = np.maximum(a, b)
    return -np.sum(top + np.log(np.exp(a - top) + np.exp(b - top)))


polished = minimize(nll_raw, list(unpack(best.x)), method="Nelder-Mead",
                    options={"xatol": 1e-13, "fatol": 1e-15, "maxiter": 100000})
share, phi, rho = polished.x
r = polished
with open("tests/fixtures/stall_mixture.csv", "w") as f:
    f.write("promoted,hazard\n")
    for dd, hh in zip(promoted, h):
        f.write(f"{int(dd)},{hh}\n")
print(f"share {share:.12f} factor {phi:.12f} on_track {rho:.12f} loglik {-r.fun:.12f}")
for dd, hh in [(False, 0.5), (False, 2.0), (True, 1.0)]:
    a = share * (phi if dd else 1) * np.exp(-phi * hh)
    b = (1 - share) * (rho if dd else 1) * np.exp(-rho * hh)
    print(f"posterior promoted={dd} hazard={hh}: {a / (a + b):.12f}")
