"""An outside attack on a report's publication ledger, independent of the crate.

Reads report.json, takes every cell of `privacy.cells` (withheld ones as
unknown non-negative integers, pay sums as unknown non-negative reals) and
every `sum` relation of `privacy.relations`, and solves, with scipy's MILP
(HiGHS), the smallest and largest value each withheld count can take given
everything published. Checks as well that every count object of the report
is listed in the ledger once, that the ledger's values are the report's, and
that no published ratio rests on a withheld cell.

    .venv/bin/python tests/reference/attack_ledger.py out/report.json

Prints the narrowest interval and the withheld counts narrower than the
minimum group size (none, when the publication holds); exits 1 if any.
"""

import json
import sys

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp


def count_objects(v, path="", out=None):
    out = [] if out is None else out
    if isinstance(v, dict):
        if set(v) == {"value", "suppressed"}:
            out.append(path)
            return out
        for k, x in v.items():
            if path == "" and k in ("config", "privacy"):
                continue
            count_objects(x, f"{path}.{k}" if path else k, out)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            count_objects(x, f"{path}[{i}]", out)
    return out


def at(report, path):
    v = report
    for part in path.split("."):
        key, _, rest = part.partition("[")
        v = v[key]
        for i in filter(None, rest.replace("]", "").split("[")):
            v = v[int(i)]
    return v


def main(path):
    report = json.load(open(path))
    ledger = report["privacy"]
    k = ledger["min_group_size"]
    cells = ledger["cells"]
    ids = {c["id"]: i for i, c in enumerate(cells)}
    listed = [p for c in cells for p in c["paths"]]
    objects = count_objects(report)
    assert sorted(listed) == sorted(objects), "count objects and ledger differ"
    for c in cells:
        for p in c["paths"]:
            assert at(report, p)["value"] == c["value"], p
    withheld = [i for i, c in enumerate(cells) if c["suppressed"]]
    var = {i: j for j, i in enumerate(withheld)}
    rows, rhs = [], []
    for r in ledger["relations"]:
        if "sum" in r:
            terms = [(ids[r["sum"]], 1.0)] + [(ids[p], -1.0) for p in r["of"]]
            row = np.zeros(len(withheld))
            const = 0.0
            for cell, coef in terms:
                if cell in var:
                    row[var[cell]] += coef
                else:
                    const += coef * cells[cell]["value"]
            if not row.any():
                # Every cell published: the relation constrains nothing
                # withheld; check that it holds (pay sums to rounding).
                total = cells[ids[r["sum"]]]["value"]
                assert abs(const) <= 1e-9 * max(1.0, abs(total)), f"false relation {r}"
                continue
            rows.append(row)
            rhs.append(-const)
        elif r.get("value") is not None:
            for side in ("numerator", "denominator"):
                assert not cells[ids[r[side]]]["suppressed"], f"ratio on withheld: {r}"
    integrality = np.array(
        [1 if cells[i]["kind"] == "count" else 0 for i in withheld]
    )
    A = np.array(rows) if rows else np.zeros((0, len(withheld)))
    cons = [LinearConstraint(A, rhs, rhs)] if rows else []
    bounds = Bounds(np.zeros(len(withheld)), np.full(len(withheld), 1e9))
    narrowest, narrow = None, []
    for i in withheld:
        if cells[i]["kind"] != "count":
            continue
        j = var[i]
        # Only the withheld cells a relation ties to this one matter; the
        # solver sees them all, which is the same attack.
        if not any(row[j] != 0 for row in rows):
            continue
        c = np.zeros(len(withheld))
        c[j] = 1.0
        lo = milp(c, constraints=cons, integrality=integrality, bounds=bounds)
        hi = milp(-c, constraints=cons, integrality=integrality, bounds=bounds)
        if lo.status != 0 or hi.status != 0:
            raise SystemExit(f"solver failed on {cells[i]['id']}: {lo.message} {hi.message}")
        low, high = round(lo.x[j]), round(hi.x[j])
        if high >= 1e8:
            continue
        width = high - low
        narrowest = width if narrowest is None else min(narrowest, width)
        if width < k:
            narrow.append((cells[i]["id"], low, high))
    print(f"{len(cells)} cells, {len(withheld)} withheld, {len(rows)} sums; "
          f"narrowest bounded width {narrowest}; ledger says {ledger['audit']['narrowest']}")
    for n in narrow:
        print("NARROW", *n)
    return 1 if narrow else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
