"""How close the stall test comes to what the observable data support.

    cargo run --release --example evaluate -- --employees 50000 --seed 1 --features /tmp/f.csv
    .venv/bin/python tests/reference/supervised_stall.py /tmp/f.csv

Reads the per-return features the evaluate example writes (one row per
mothers' return with a follow-up: grade on the return date, months followed,
promoted, rating level before the return, number of pre-leave ratings, the
crate's stall_p, and whether a stall was planted) and compares, by the area
under the precision-recall curve (scikit-learn average_precision_score):

- the crate's score, 1 - stall_p, which is not trained on the truth;
- a supervised model trained on the truth with the same observable
  features (gradient-boosted trees, scikit-learn
  HistGradientBoostingClassifier, 5-fold stratified cross-validation, the
  score of each return from the fold that did not see it).

Also prints, for each, the best recall at precision >= 0.6.
"""
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, precision_recall_curve
from sklearn.model_selection import StratifiedKFold

df = pd.read_csv(sys.argv[1])
y = df.planted.values
X = df[["grade", "months_followed", "promoted", "rating_level", "pre_leave_ratings"]].values
oof = np.zeros(len(df))
for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
    m = HistGradientBoostingClassifier(random_state=0).fit(X[train], y[train])
    oof[test] = m.predict_proba(X[test])[:, 1]


def best_recall(score, precision_at_least=0.6):
    p, r, _ = precision_recall_curve(y, score)
    ok = p >= precision_at_least
    return float(r[ok].max()) if ok.any() else 0.0


ours = 1 - df.stall_p.values
print(f"returns {len(df)}, planted {int(y.sum())} ({y.mean():.3f})")
print(f"crate's stall test:  average precision {average_precision_score(y, ours):.4f}, "
      f"best recall at precision >= 0.6: {best_recall(ours):.4f}")
print(f"supervised (5-fold): average precision {average_precision_score(y, oof):.4f}, "
      f"best recall at precision >= 0.6: {best_recall(oof):.4f}")
