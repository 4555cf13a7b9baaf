"""Times lifelines on the rows `cargo bench --bench stats` uses.

Run the bench once with MOMMYTRACK_BENCH_DUMP=DIR to write DIR/grouped.csv and
DIR/cox.csv, then:

    .venv/bin/python tests/reference/time_lifelines.py DIR

Each fit is timed as the best of `--repeat` runs (time.perf_counter), the data
already in memory, so the figure compares with criterion's per-fit time.
"""
import sys
import time

import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main():
    d = sys.argv[1]
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    g = pd.read_csv(f"{d}/grouped.csv")
    c = pd.read_csv(f"{d}/cox.csv")
    t, km = best(lambda: KaplanMeierFitter().fit(g.duration, g.event), repeat)
    print(f"kaplan_meier {len(g)} rows: {t:.3f} s; median {km.median_survival_time_}")
    t, lr = best(lambda: multivariate_logrank_test(g.duration, g.group, g.event), repeat)
    print(f"logrank_3_groups {len(g)} rows: {t:.3f} s; statistic {lr.test_statistic:.4f}")
    t, cph = best(lambda: CoxPHFitter().fit(c, "duration", "event"), repeat)
    print(f"cox_efron_5_covariates {len(c)} rows: {t:.3f} s; coefficients {cph.params_.round(4).tolist()}")


if __name__ == "__main__":
    main()
