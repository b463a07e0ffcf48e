"""Reference values for tests/analysis/watch.rs, computed from the GED 21.1
Afghanistan CSV alone (not through sitrep).

Run with the anchors' oracle venv (numpy, scipy, ruptures):
    python crates/sitrep-analysis/tests/analysis/watch_oracle.py
The printed numbers are committed in watch.rs.

* Yearly and monthly incident counts 1989-2020 (every row is one incident in
  Afghanistan; the bucket is the row's year / month).
* Poisson change points with R changepoint's MBIC rule (cost 2x(ln n - ln x) + ln n per
  segment, penalty 2 ln n per change, minimum segment 2), by exact optimal
  partitioning, and R's PELT transcription, from sitrep-stats' own oracle
  (crates/sitrep-stats/tests/oracle/changepoint.py), plus BinSeg (Q = 5).
* ruptures' Pelt with the l2 cost on the same yearly series (a cross-check of the
  break years by an independent implementation with a different cost).
* The crossing: months 2014-01..2020-12 where IS ("IS") incidents overtake al-Qaida
  ("al-Qaida") incidents (either side): a[t] > b[t] and a[t-1] <= b[t-1].
"""
import csv
import math
import os
import sys

import numpy as np
import ruptures as rpt

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../../sitrep-stats/tests/oracle"))
from changepoint import optimal_partition, r_pelt, r_binseg, poisson_cost, bocpd_map  # noqa: E402

CSV = os.path.join(HERE, "../../../../data/ucdp/ged211_afghanistan_subset.csv")
rows = list(csv.DictReader(open(CSV, newline="", encoding="utf-8")))

years = list(range(1989, 2021))
yearly = [0] * len(years)
months = [(y, m) for y in years for m in range(1, 13)]
monthly = [0] * len(months)
for r in rows:
    y, m = int(r["year"]), int(r["month"])
    yearly[y - 1989] += 1
    monthly[(y - 1989) * 12 + m - 1] += 1


def mbic(xs):
    n = len(xs)
    cs = np.concatenate([[0], np.cumsum(xs)])
    cost = lambda s, e: poisson_cost(cs, s, e, True)  # noqa: E731
    pen = 2.0 * math.log(n)
    op = optimal_partition(n, cost, pen, 2)
    rp = r_pelt(n, cost, pen, 2)
    bs = r_binseg(n, cost, pen, 2, 5)
    return op, rp, bs


print("yearly", yearly)
op, rp, bs = mbic(yearly)
print("yearly PELT (exact OP) breaks:", op, "years:", [years[i] for i in op])
print("yearly PELT (R transcription) :", rp)
print("yearly BinSeg Q=5:", bs, "years:", [years[i] for i in bs])
algo = rpt.Pelt(model="l2", min_size=2, jump=1).fit(np.array(yearly, dtype=float))
l2 = algo.predict(pen=np.var(yearly) * math.log(len(yearly)) * 2)
print("ruptures Pelt l2 (pen 2 var ln n):", l2[:-1], "years:", [years[i] for i in l2[:-1]])
starts, _ = bocpd_map(yearly, 24.0, 1.0, 1.0 / np.mean(yearly))
print("yearly BOCPD(24, Gamma(1, 1/mean)) segment starts:", starts, [years[i] for i in starts])

op, rp, bs = mbic(monthly)
print("monthly PELT breaks:", op)
print("monthly PELT months:", [f"{months[i][0]}-{months[i][1]:02d}" for i in op])
assert op == rp

a = {}
b = {}
for r in rows:
    key = (int(r["year"]), int(r["month"]))
    sides = (r["side_a"], r["side_b"])
    if "IS" in sides:
        a[key] = a.get(key, 0) + 1
    if "al-Qaida" in sides:
        b[key] = b.get(key, 0) + 1
win = [(y, m) for y in range(2014, 2021) for m in range(1, 13)]
fired = []
for t in range(1, len(win)):
    a0, b0 = a.get(win[t - 1], 0), b.get(win[t - 1], 0)
    a1, b1 = a.get(win[t], 0), b.get(win[t], 0)
    if a1 > b1 and a0 <= b0:
        fired.append(f"{win[t][0]}-{win[t][1]:02d}-01")
print("crossing IS over al-Qaida, months:", fired)
