"""SYNTHETIC scaled datasets for the benchmarks: N records made from the REAL 176,579-row
UCDP GED 21.1 global subset (data/ucdp), written to bench/data/synthetic_N.csv and
bench/data/synthetic_N.parquet (same rows).

Copy 0 is the real rows as they are; copy k > 0 has every id moved by k * 10,000,000
(unique), dates shifted by -3..+3 days, coordinates by up to +-0.05 degrees, and the
low/best/high deaths by the same -1..+1 (never below 0). Seeded: the same N gives the
same file. Not UCDP data: a stand-in of realistic shape for timing only.

  python bench/synth.py 10000000
"""
import sys
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"


def real():
    p = DATA / "ged211_global_subset.csv"
    if not p.exists():
        import gzip, shutil
        DATA.mkdir(parents=True, exist_ok=True)
        with gzip.open(ROOT / "data/ucdp/ged211_global_subset.csv.gz", "rb") as f, open(p, "wb") as g:
            shutil.copyfileobj(f, g)
    return pl.read_csv(p, infer_schema_length=0)  # every column as text, as written


def make(n):
    csv_path, pq_path = DATA / f"synthetic_{n}.csv", DATA / f"synthetic_{n}.parquet"
    if csv_path.exists() and pq_path.exists():
        return csv_path, pq_path
    base = real()
    cols = base.columns
    b = base.with_columns(
        pl.col("id").cast(pl.Int64),
        pl.date(pl.col("year").cast(pl.Int32), pl.col("month").cast(pl.Int32), pl.col("day").cast(pl.Int32)).alias("_d"),
        pl.col("latitude").cast(pl.Float64),
        pl.col("longitude").cast(pl.Float64),
        pl.col("low_death").cast(pl.Int64),
        pl.col("best_death").cast(pl.Int64),
        pl.col("high_death").cast(pl.Int64),
    )
    rng = np.random.default_rng(42)
    parts, left, k = [], n, 0
    while left > 0:
        m = min(left, b.height)
        c = b.head(m)
        if k:
            shift = rng.integers(-3, 4, m)
            dlat, dlon = rng.uniform(-0.05, 0.05, m), rng.uniform(-0.05, 0.05, m)
            dd = rng.integers(-1, 2, m)
            c = c.with_columns(
                (pl.col("id") + k * 10_000_000),
                (pl.col("_d") + pl.duration(days=pl.Series(shift))).alias("_d"),
                (pl.col("latitude") + pl.Series(dlat)).clip(-90, 90).round(6),
                (pl.col("longitude") + pl.Series(dlon)).clip(-180, 180).round(6),
                *[(pl.col(x) + pl.Series(dd)).clip(0, None) for x in ("low_death", "best_death", "high_death")],
            )
        parts.append(c)
        left -= m
        k += 1
    out = pl.concat(parts).with_columns(
        pl.col("_d").dt.year().alias("year"), pl.col("_d").dt.month().alias("month"), pl.col("_d").dt.day().alias("day")
    ).select(cols)
    tmp = csv_path.with_suffix(".csv.tmp")
    out.write_csv(tmp)
    tmp.rename(csv_path)
    tmp = pq_path.with_suffix(".parquet.tmp")
    out.write_parquet(tmp)
    tmp.rename(pq_path)
    return csv_path, pq_path


if __name__ == "__main__":
    for a in sys.argv[1:]:
        c, p = make(int(a))
        print(c, p)
