"""Markdown report of bench/forecast.sh's outputs (one directory): per model and
horizon 1, 3, 6 the mean CRPS, the CRPS skill against the best of no-change and
conflictology (12 or 36 months, whichever has the lower CRPS at that horizon) with its
bootstrap 95 % interval, per seed, and the 90 % interval coverage of active cells;
the baselines' CRPS and coverage; wall times. Checks that the release example's seed-1
scores equal the CLI's."""
import csv
import json
import sys
from pathlib import Path

out = Path(sys.argv[1])
HORIZONS = (1, 3, 6)
REFERENCES = ("no-change", "conflictology-12", "conflictology-36")


def load(path):
    agg, skill, meta = {}, {}, {}
    for row in csv.reader(open(path)):
        if row[0] == "agg":
            agg[(row[1], int(row[2]))] = dict(
                n=int(row[3]), n_active=int(row[4]), crps=float(row[5]),
                crps_active=float(row[6]), cov=float(row[7]), cov_active=float(row[8]),
                width=float(row[9]))
        elif row[0] == "skill":
            skill[(row[1], row[2], int(row[3]))] = tuple(map(float, row[4:7]))
        else:
            meta[row[0]] = row[1]
    return agg, skill, meta


seeds = {s: load(out / f"seed{s}.csv") for s in (1, 2, 3)}
cli = json.load(open(out / "cli.json"))
cli_seconds = float(open(out / "cli_time.txt").read().split()[1])

# The CLI and the example back-test the same panel with the same seeded draws.
agg1 = seeds[1][0]
for s in cli["scores"]:
    if s["forecaster"] in {k[0] for k in agg1}:
        a = agg1[(s["forecaster"], s["horizon"] or 0)]
        assert abs(a["crps"] - s["crps"]) < 1e-5, (s, a)

models = [m for m in ("mix-gbm-conflictology", "gbm-poisson", "glm-poisson", "glm-nb") if (m, 1) in agg1]
baselines = sorted({k[0] for k in agg1} - set(models), key=lambda n: agg1[(n, 1)]["crps"])
n_units = 34
print(f"Panel: {n_units} provinces x 384 months; {agg1[(models[0], 1)]['n']} scored cells at "
      "horizon 1 (72 origins), 1,000 samples per cell, 500 bootstrap replicates.")
print()
print("| forecaster | h | CRPS (seed 1) | best reference | skill seed 1 [95% CI] | skill seed 2 [95% CI] | skill seed 3 [95% CI] | 90% coverage, active cells | 90% coverage, all | width |")
print("|---|---|---|---|---|---|---|---|---|---|")
for m in models:
    for h in HORIZONS:
        best = min(REFERENCES, key=lambda b: agg1[(b, h)]["crps"])
        cells = []
        for s in (1, 2, 3):
            agg, skill, _ = seeds[s]
            best_s = min(REFERENCES, key=lambda b: agg[(b, h)]["crps"])
            v, lo, hi = skill[(m, best_s, h)]
            cells.append(f"{100 * v:+.1f}% [{100 * lo:+.1f}, {100 * hi:+.1f}]")
        a = agg1[(m, h)]
        print(f"| {m} | {h} | {a['crps']:.3f} | {best} ({agg1[(best, h)]['crps']:.3f}) | "
              + " | ".join(cells)
              + f" | {100 * a['cov_active']:.1f}% | {100 * a['cov']:.1f}% | {a['width']:.1f} |")
for b in baselines:
    for h in HORIZONS:
        a = agg1[(b, h)]
        print(f"| {b} (baseline) | {h} | {a['crps']:.3f} | | | | | {100 * a['cov_active']:.1f}% | {100 * a['cov']:.1f}% | {a['width']:.1f} |")
print()
times = ", ".join(f"seed {s}: {seeds[s][2]['elapsed']} s" for s in (1, 2, 3))
print(f"Wall time of the full back-test ({len(models) + len(baselines)} forecasters x 72 origins x 6 horizons), release "
      f"sitrep-stats example: {times}. `sitrep forecast` end to end (dev build of the CLI, "
      f"store query + back-test + final forecast, seed 1): {cli_seconds:.1f} s.")
print()
print(f"Verdict (seed 1, pooled over horizons): {seeds[1][2]['verdict']}")
print(f"CLI verdict: {cli['explanation']}")
