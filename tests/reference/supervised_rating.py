"""How close the rating-drop score comes to what the observable data support.

    cargo run --release --example evaluate -- --employees 50000 --seed 1 \
        --rating-drop-share 0.15 --rating-features /tmp/r.csv
    .venv/bin/python tests/reference/supervised_rating.py /tmp/r.csv

Reads the per-return rating features the evaluate example writes (one row
per mothers' return with a score: mean rating in the post-return window and
their number, her level from her other ratings and their number, the
pre-leave look-back mean and count, the crate's score, and whether a drop was
planted) and compares, by the area under the precision-recall curve
(scikit-learn average_precision_score):

- the crate's score, -score, which is not trained on the truth;
- a supervised model trained on the truth with the same observable features
  (HistGradientBoostingClassifier, 5-fold stratified cross-validation,
  out-of-fold scores);
- the earlier rule's statistic, pre-leave look-back mean - mean after.

Also prints, for each, the best recall at precision >= 0.7.
"""
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, precision_recall_curve
from sklearn.model_selection import StratifiedKFold

df = pd.read_csv(sys.argv[1])
y = df.planted.values
cols = ["after_mean", "level_mean", "ratings_after", "ratings_level", "pre_leave_mean",
        "pre_leave_ratings"]
X = df[cols].values
oof = np.zeros(len(df))
for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
    m = HistGradientBoostingClassifier(random_state=0).fit(X[train], y[train])
    oof[test] = m.predict_proba(X[test])[:, 1]


def best_recall(score, precision_at_least=0.7):
    p, r, _ = precision_recall_curve(y, score)
    ok = p >= precision_at_least
    return float(r[ok].max()) if ok.any() else 0.0


earlier = (df.pre_leave_mean - df.after_mean).fillna(-10.0).values  # no look-back rating: never a drop
print(f"returns {len(df)}, planted {int(y.sum())} ({y.mean():.3f})")
for name, score in [("crate's score", -df.score.values), ("supervised (5-fold)", oof),
                    ("earlier rule's fall", earlier)]:
    print(f"{name:<22} average precision {average_precision_score(y, score):.4f}, "
          f"best recall at precision >= 0.7: {best_recall(score):.4f}")
