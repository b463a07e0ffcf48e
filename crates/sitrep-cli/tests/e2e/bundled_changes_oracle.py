"""Reference break dates for watch.rs `changes_on_the_bundle_find_the_august_2021_drop`.

Input: bundled_ged_monthly.csv, the monthly incident counts of the bundled store's two
GED sources, exported once by
    sitrep series --bucket month --source ucdp-ged211-subset --source ucdp-ged231 --format csv
(the test checks that sitrep still exports exactly these counts).

Breaks are found here without sitrep: ruptures' Pelt (jump 1, min_size 2) with a custom
cost that is R changepoint's Poisson cost for the MBIC penalty
    C(segment) = 2 x (ln n - ln x) + ln n   (0 when the segment sum x is 0),
penalty 2 ln N per change (R: (diffparam + 1) ln N, diffparam = 1). Because the MBIC
cost is not exactly additive, ruptures' pruning could in principle drop the optimum,
so an exact optimal partition (O(N^2) dynamic programme, no pruning) is run too and
the script asserts both agree. Windows: the whole series (1989-01 .. 2022-12, what
`sitrep changes` segments by default) and 2018-01 .. 2022-12.

Run: python3 -m venv /tmp/oracle && /tmp/oracle/bin/pip install ruptures numpy
     /tmp/oracle/bin/python crates/sitrep-cli/tests/e2e/bundled_changes_oracle.py
The printed dates are committed in watch.rs.
"""
import csv
import math
import os

import numpy as np
import ruptures as rpt

HERE = os.path.dirname(os.path.abspath(__file__))
rows = list(csv.DictReader(open(os.path.join(HERE, "bundled_ged_monthly.csv"))))
months = [r["bucket_start"][:7] for r in rows]
counts = [float(r["value"]) for r in rows]


def seg_cost(cs, s, e):
    x = cs[e] - cs[s]
    n = e - s
    if x == 0:
        return 0.0
    return 2.0 * x * (math.log(n) - math.log(x)) + math.log(n)


class PoissonMbic(rpt.base.BaseCost):
    model = "poisson_mbic"
    min_size = 2

    def fit(self, signal):
        self.signal = np.asarray(signal, dtype=float).reshape(-1, 1)
        self.cs = np.concatenate([[0.0], np.cumsum(np.asarray(signal, dtype=float).ravel())])
        return self

    def error(self, start, end):
        return seg_cost(self.cs, start, end)


def exact(xs, pen, m=2):
    n = len(xs)
    cs = np.concatenate([[0.0], np.cumsum(xs)])
    f = [math.inf] * (n + 1)
    f[0] = -pen
    last = [0] * (n + 1)
    for t in range(m, n + 1):
        for s in range(0, t - m + 1):
            if s != 0 and s < m:
                continue
            v = f[s] + seg_cost(cs, s, t) + pen
            if v < f[t]:
                f[t], last[t] = v, s
    out, t = [], n
    while t > 0:
        t = last[t]
        if t > 0:
            out.append(t)
    return sorted(out)


def breaks(lo, hi):
    i, j = months.index(lo), months.index(hi) + 1
    xs = np.array(counts[i:j])
    pen = 2.0 * math.log(len(xs))
    algo = rpt.Pelt(custom_cost=PoissonMbic(), min_size=2, jump=1).fit(xs)
    r = algo.predict(pen=pen)[:-1]
    e = exact(xs, pen)
    assert r == e, (r, e)
    return [months[i + k] for k in r]


for lo, hi in [(months[0], months[-1]), ("2018-01", "2022-12")]:
    print(f"{lo} .. {hi}:", breaks(lo, hi))
