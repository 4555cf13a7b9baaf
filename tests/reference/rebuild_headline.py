"""Rebuilds the headline promotion-gap design and the child penalty from the
raw contract CSV files, independently of the crate, and prints them as JSON.

    .venv/bin/python tests/reference/rebuild_headline.py EMPLOYEES EVENTS AS_OF [OUT.json]

The golden numbers of tests/headline_rebuild.rs:

    cargo run --release --example generate -- --employees 4000 --seed 11 --out /tmp/d4k
    .venv/bin/python tests/reference/rebuild_headline.py /tmp/d4k/employees.csv \
        /tmp/d4k/events.csv 2025-03-31 tests/reference/headline_rebuild_golden.json

Written from the documentation alone (`mommytrack::analysis::peers`,
`::gap`, `::event_study`), with pandas, statsmodels and plain Python:

- childcare returns: leaves joined into absences when at most 7 days apart;
  an absence holding maternity, paternity or parental leave whose last leave
  ended (the `leave_end` date is the first day back) before AS_OF;
- peers: same gender and grade at the end of the return date, employed and
  on no leave that day, hired within round(2 x 365.25) = 731 days, whose
  first childcare absence (if any) starts after the return date; the 5
  nearest by hire date; ties in distance broken as the docs say (a walk from
  an employee picked by FNV-1a of the returner's id, then FNV-1a of the two
  ids);
- follow-up: to the first grade increase after the return date, censored at
  exit, AS_OF and the start of the next childcare absence; months are days /
  30.4375, tenure years days / 365.25;
- Cox (Efron) on returner, grade, tenure_years, stratified by gender, robust
  variance clustered by employee: statsmodels PHReg(...).fit(groups=...);
  mothers and fathers apart; and with worked years in grade added;
- the child penalty (Kleven, Landais & Sogaard): every parent with a
  recorded child_birth (else anchored on the first childcare absence), one
  row per year employed on 31 December, t = year - year(first birth) in
  [-3, 5]; OLS per gender with event-time, age and year dummies, errors
  clustered by employee; the penalty at t as in the crate's docs.
"""
import json
import sys
from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import date

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.duration.hazard_regression import PHReg

CHILDCARE = {"maternity", "paternity", "parental"}
RANK = {"leave_end": 0, "leave_start": 2}


def d(s):
    return date.fromisoformat(s) if isinstance(s, str) and s else None


def fnv(a, b):
    h = 0xCBF29CE484222325
    for byte in a.encode() + b"\0" + b.encode():
        h ^= byte
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def load(emp_path, ev_path):
    emp = pd.read_csv(emp_path, dtype=str, keep_default_na=False)
    ev = pd.read_csv(ev_path, dtype=str, keep_default_na=False)
    people = []
    index = {}
    for r in emp.itertuples(index=False):
        index[r.employee_id] = len(people)
        people.append({
            "id": r.employee_id, "gender": r.gender,
            "birth_year": int(r.birth_year) if r.birth_year else None,
            "hire": d(r.hire_date), "exit": d(r.exit_date),
            "grade": int(r.grade), "responsibility": int(r.responsibility),
            "employment_type": r.employment_type,
            "salary": float(r.salary) if r.salary else None,
            "events": [],
        })
    for line, r in enumerate(ev.itertuples(index=False)):
        p = people[index[r.employee_id]]
        p["events"].append((d(r.date), RANK.get(r.event, 1), line, r))
    for p in people:
        p["events"].sort(key=lambda e: e[:3])
    return people


def absences(p):
    spells, open_ = [], None
    for day, _, _, r in p["events"]:
        if r.event == "leave_start" and open_ is None:
            open_ = [r.leave_type, day, None]
        elif r.event == "leave_end" and open_ is not None:
            open_[2] = day
            spells.append(open_)
            open_ = None
    if open_ is not None:
        spells.append(open_)
    groups = []
    for s in spells:
        if groups and groups[-1][-1][2] is not None and (s[1] - groups[-1][-1][2]).days <= 7:
            groups[-1].append(s)
        else:
            groups.append([s])
    return [{"start": g[0][1], "end": g[-1][2], "types": {s[0] for s in g}} for g in groups]


def grade_on(p, day):
    g = p["grade"]
    for dd, _, _, r in p["events"]:
        if dd > day:
            break
        if r.event in ("promotion", "role_change") and r.grade:
            g = int(r.grade)
    return g


def on_leave(p, day):
    leave = False
    for dd, _, _, r in p["events"]:
        if dd > day:
            break
        if r.event == "leave_start":
            leave = True
        elif r.event == "leave_end":
            leave = False
    return leave


def worked_years_in_grade(p, day):
    grade, since, leave_days, open_ = p["grade"], p["hire"], 0, None
    for dd, _, _, r in p["events"]:
        if dd > day:
            break
        if r.event in ("promotion", "role_change") and r.grade and int(r.grade) != grade:
            grade, since, leave_days = int(r.grade), dd, 0
            if open_ is not None:
                open_ = dd
        elif r.event == "leave_start" and open_ is None:
            open_ = max(dd, since)
        elif r.event == "leave_end" and open_ is not None:
            leave_days += max((dd - open_).days, 0)
            open_ = None
    if open_ is not None:
        leave_days += max((day - open_).days, 0)
    return max((day - since).days - leave_days, 0) / 365.25


def first_promotion(p, after, until):
    g = p["grade"]
    for dd, _, _, r in p["events"]:
        if dd > until:
            break
        if r.event in ("promotion", "role_change") and r.grade:
            if dd > after and int(r.grade) > g:
                return dd
            g = int(r.grade)
    return None


def follow(p, index, as_of, censor):
    exit_ = p["exit"] if p["exit"] and p["exit"] <= as_of else None
    until = exit_ or as_of
    if censor and censor < until:
        until, exit_ = censor, None
    pr = first_promotion(p, index, until)
    if pr:
        return (pr - index).days / 30.4375, True, False
    return (max(until, index) - index).days / 30.4375, False, exit_ is not None


def headline(people, as_of):
    n = len(people)
    for p in people:
        p["abs"] = absences(p)
        cc = [a["start"] for a in p["abs"] if a["types"] & CHILDCARE]
        p["first_cc"] = cc[0] if cc else None
    # Candidates by (gender, hire date): filtered per return on the rest.
    by_gender = defaultdict(list)
    for i, p in enumerate(people):
        by_gender[p["gender"]].append((p["hire"], i))
    for v in by_gender.values():
        v.sort()
    band = 731
    rows = []
    for ri, r in enumerate(people):
        for a in r["abs"]:
            if not (a["types"] & CHILDCARE) or a["end"] is None or a["end"] >= as_of:
                continue
            day = a["end"]
            grade = grade_on(r, day)

            def eligible(i):
                q = people[i]
                last = min(q["exit"] or as_of, as_of)
                if q["first_cc"] is not None:
                    if q["first_cc"] <= q["hire"]:
                        return False
                    last = min(last, q["first_cc"] - pd.Timedelta(days=1).to_pytimedelta())
                return (q["hire"] <= day <= last and grade_on(q, day) == grade
                        and not on_leave(q, day))

            cands = by_gender[r["gender"]]
            lo = bisect_left(cands, (r["hire"] - pd.Timedelta(days=band).to_pytimedelta(), -1))
            hi = bisect_right(cands, (r["hire"] + pd.Timedelta(days=band).to_pytimedelta(), n))
            by_dist = defaultdict(list)
            for h, i in cands[lo:hi]:
                if eligible(i):
                    by_dist[abs((h - r["hire"]).days)].append((h, i))
            pivot = fnv(r["id"], "") % n
            chosen = []
            for dist in sorted(by_dist):
                need = 5 - len(chosen)
                if need <= 0:
                    break
                group = []
                for sign in ([1, -1] if dist > 0 else [1]):
                    hd = r["hire"] + pd.Timedelta(days=sign * dist).to_pytimedelta()
                    same = sorted(i for h, i in by_dist[dist] if h == hd)
                    walk = [i for i in same if i >= pivot] + [i for i in same if i < pivot]
                    group += [(fnv(r["id"], people[i]["id"]), i) for i in walk[:need]]
                group.sort()
                chosen += [i for _, i in group[:need]]

            def next_cc(q, after):
                for b in q["abs"]:
                    if b["types"] & CHILDCARE and b["start"] > after:
                        return b["start"]
                return None

            def row(i, returner):
                q = people[i]
                months, promoted, left = follow(q, day, as_of, next_cc(q, day))
                return {"employee": i, "returner": int(returner), "female": int(q["gender"] == "F"),
                        "grade": grade, "tenure_years": (day - q["hire"]).days / 365.25,
                        "worked": worked_years_in_grade(q, day),
                        "months": months, "promoted": int(promoted), "left": int(left)}

            rows.append(row(ri, True))
            rows += [row(i, False) for i in chosen]
    return pd.DataFrame(rows)


def cox(df, covs, strata):
    # statsmodels' score residuals are NaN for a follow-up censored before
    # the first event of its stratum (0 / 0), which makes the robust
    # variance NaN; such a row is in no risk set at any event time, so it
    # moves neither the coefficients nor the variance: leave it out.
    key = df.female if strata else pd.Series(0, index=df.index)
    first = df.months[df.promoted == 1].groupby(key[df.promoted == 1]).min()
    df = df[df.months >= key.map(first)]
    X = df[covs].astype(float)
    X = X.loc[:, X.nunique() > 1]
    m = PHReg(df.months.values, X.values, status=df.promoted.values,
              strata=df.female.values if strata else None, ties="efron")
    f = m.fit(groups=df.employee.values)
    j = list(X.columns).index("returner")
    b, se = f.params[j], f.bse[j]
    return {"hazard_ratio": float(np.exp(b)), "ci_lower": float(np.exp(b - 1.959963984540054 * se)),
            "ci_upper": float(np.exp(b + 1.959963984540054 * se)), "se": float(se)}


def child_penalty(people, as_of):
    rows = []
    for i, p in enumerate(people):
        if p["gender"] not in ("F", "M"):
            continue
        births = [dd for dd, _, _, r in p["events"] if r.event == "child_birth"]
        if births:
            ey = births[0].year
        else:
            cc = [a["start"] for a in absences(p) if a["types"] & CHILDCARE]
            if not cc:
                continue
            ey = cc[0].year
        for y in range(ey - 3, ey + 6):
            dec31 = date(y, 12, 31)
            if dec31 > as_of or not (p["hire"] <= dec31 and (p["exit"] is None or dec31 <= p["exit"])):
                continue
            if p["birth_year"] is None:
                continue
            s = {"grade": p["grade"], "responsibility": p["responsibility"],
                 "salary": p["salary"], "et": p["employment_type"]}
            for dd, _, _, r in p["events"]:
                if dd > dec31:
                    break
                if r.event in ("promotion", "role_change"):
                    if r.grade:
                        s["grade"] = int(r.grade)
                    if r.responsibility:
                        s["responsibility"] = int(r.responsibility)
                elif r.event == "salary_change":
                    s["salary"] = float(r.salary)
                elif r.event == "employment_change":
                    s["et"] = r.employment_type
            rows.append({"employee": i, "female": int(p["gender"] == "F"), "year": y,
                         "age": y - p["birth_year"], "event_time": y - ey,
                         "grade": s["grade"], "responsibility": s["responsibility"],
                         "salary": s["salary"], "regular": int(s["et"] == "regular")})
    panel = pd.DataFrame(rows)
    out = {}
    for outcome in ["grade", "responsibility", "salary", "regular"]:
        fits = {}
        for female in (1, 0):
            dd = panel[(panel.female == female) & panel[outcome].notna()]
            cols = {"const": np.ones(len(dd))}
            for t in sorted(set(dd.event_time) - {-1}):
                cols[f"t_{t}"] = (dd.event_time == t).astype(float).values
            for a in sorted(set(dd.age))[1:]:
                cols[f"age_{a}"] = (dd.age == a).astype(float).values
            for y in sorted(set(dd.year))[1:]:
                cols[f"year_{y}"] = (dd.year == y).astype(float).values
            X = pd.DataFrame(cols, index=dd.index)
            f = sm.OLS(dd[outcome].astype(float), X).fit(
                cov_type="cluster", cov_kwds={"groups": dd.employee.values})
            fits[female] = (dd, X, f)
        dw, Xw, fw = fits[1]
        cf = Xw[[c for c in Xw.columns if not c.startswith("t_")]] @ fw.params[
            [c for c in Xw.columns if not c.startswith("t_")]]
        t = 5
        out[outcome] = float((fw.params["t_5"] - fits[0][2].params["t_5"]) / cf[dw.event_time == t].mean())
    return out, len(panel)


def main():
    people = load(sys.argv[1], sys.argv[2])
    as_of = date.fromisoformat(sys.argv[3])
    df = headline(people, as_of)
    res = {
        "follow_ups": int(len(df)), "returners": int(df.returner.sum()),
        "cox": cox(df, ["returner", "grade", "tenure_years"], True),
        "cox_mothers": cox(df[df.female == 1], ["returner", "grade", "tenure_years"], False),
        "cox_fathers": cox(df[df.female == 0], ["returner", "grade", "tenure_years"], False),
        "cox_worked_time": cox(df, ["returner", "grade", "tenure_years", "worked"], True),
    }
    res["child_penalty_at_5"], res["panel_rows"] = child_penalty(people, as_of)
    text = json.dumps(res, indent=1)
    if len(sys.argv) > 4:
        open(sys.argv[4], "w").write(text)
    print(text)


if __name__ == "__main__":
    main()
