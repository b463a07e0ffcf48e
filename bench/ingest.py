"""Ingest benchmark: sitrep ingest vs pandas, polars and DuckDB loading the same CSV.

Datasets: the REAL 176,579-event UCDP GED 21.1 global subset (data/ucdp), and a
SYNTHETIC 10x copy of it (ids made unique; dates shifted by up to +-3 days, coordinates
jittered by up to 0.05 degrees and fatalities by +-1, seeded), written to bench/data.
Each tool does comparable work: parse the CSV and load it into its own store or frame.
sitrep does more (validation of every row, row hashes, versioning, zstd Parquet with
fsync, geocoding and actor resolution of every record); the table says so.
"""
import argparse, csv, datetime, gzip, os, platform, random, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"


def prepare(mode):
    DATA.mkdir(parents=True, exist_ok=True)
    real = DATA / "ged211_global_subset.csv"
    if not real.exists():
        with gzip.open(ROOT / "data/ucdp/ged211_global_subset.csv.gz", "rb") as f, open(real, "wb") as g:
            shutil.copyfileobj(f, g)
    rows = list(csv.reader(open(real, newline="")))
    header, body = rows[0], rows[1:]
    if mode == "--smoke":
        small = DATA / "smoke_2000.csv"
        with open(small, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(body[:2000])
        return [("real GED subset, first 2,000 rows", small, 2000)]
    scaled = DATA / "synthetic_ged211_global_x10.csv"
    if not scaled.exists():
        rnd = random.Random(42)
        with open(scaled, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            for k in range(10):
                for r in body:
                    r = list(r)
                    r[0] = str(int(r[0]) + k * 10_000_000)
                    if k:
                        d = datetime.date(int(r[1]), int(r[2]), int(r[3])) + datetime.timedelta(days=rnd.randint(-3, 3))
                        r[1], r[2], r[3] = str(d.year), str(d.month), str(d.day)
                        r[9] = f"{min(90, max(-90, float(r[9]) + rnd.uniform(-0.05, 0.05))):.6f}"
                        r[10] = f"{min(180, max(-180, float(r[10]) + rnd.uniform(-0.05, 0.05))):.6f}"
                        lo, be, hi = int(r[11]), int(r[12]), int(r[13])
                        j = rnd.randint(-1, 1)
                        r[11], r[12], r[13] = str(max(0, lo + j)), str(max(0, be + j)), str(max(0, hi + j))
                    w.writerow(r)
    return [("real GED 21.1 global subset", real, len(body)), ("synthetic 10x copy", scaled, 10 * len(body))]


def timed(fn, reps):
    fn()  # warm-up
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return ts


def peak_rss_of(cmd):
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True)
    if out.returncode != 0:
        return None
    try:
        return int(out.stderr.strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--mode", default="full")
    ap.add_argument("--profile", default="release")
    a = ap.parse_args()
    import duckdb, pandas, polars

    reps = 1 if a.mode == "--smoke" else 3
    results = []
    tmp = Path(tempfile.mkdtemp(prefix="sitrep-bench-"))
    for label, path, n in prepare(a.mode):
        def sitrep():
            store = tmp / "store"
            shutil.rmtree(store, ignore_errors=True)
            r = subprocess.run([a.bin, "--quiet", "--store", str(store), "ingest", "--source", "bench", str(path)], capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"sitrep ingest failed: {r.stderr[-2000:]}")
            assert f"new {n}," in r.stderr, r.stderr[-500:]

        def pl_read():
            assert polars.read_csv(path).height == n

        def pl_parquet():
            polars.read_csv(path).write_parquet(tmp / "pl.parquet", compression="zstd")

        def pd_parquet():
            pandas.read_csv(path).to_parquet(tmp / "pd.parquet", compression="zstd")

        def duck():
            db = tmp / "bench.duckdb"
            if db.exists():
                db.unlink()
            con = duckdb.connect(str(db))
            con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv_auto('{path}')")
            assert con.execute("SELECT count(*) FROM t").fetchone()[0] == n
            con.close()

        tools = [
            ("sitrep ingest (CLI: validate, version, Parquet, geocode, resolve actors)", sitrep),
            ("polars read_csv", pl_read),
            ("polars read_csv + write_parquet", pl_parquet),
            ("pandas read_csv + to_parquet", pd_parquet),
            ("duckdb CREATE TABLE AS read_csv_auto", duck),
        ]
        for name, fn in tools:
            ts = timed(fn, reps)
            results.append((label, n, name, statistics.median(ts), min(ts), max(ts)))
        store = tmp / "store-rss"
        shutil.rmtree(store, ignore_errors=True)
        rss = peak_rss_of([a.bin, "--quiet", "--store", str(store), "ingest", "--source", "bench", str(path)])
        results.append((label, n, "sitrep ingest peak RSS (MiB)", rss or float("nan"), 0, 0))
    shutil.rmtree(tmp, ignore_errors=True)

    lines = [
        "## Ingest",
        "",
        f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, polars {polars.__version__}, pandas {pandas.__version__}, duckdb {duckdb.__version__}; "
        f"sitrep {a.profile} build. Median of {reps} after a warm-up (min–max).",
        "",
        "| dataset | rows | tool | median s | min–max s | rows/s | sitrep ÷ tool |",
        "|---|---|---|---|---|---|---|",
    ]
    base = {lab: med for lab, _, name, med, *_ in results if name.startswith("sitrep ingest (")}
    for lab, n, name, med, lo, hi in results:
        if "RSS" in name:
            lines.append(f"| {lab} | {n:,} | {name} | {med:.0f} MiB | | | |")
            continue
        ratio = base[lab] / med
        lines.append(f"| {lab} | {n:,} | {name} | {med:.3f} | {lo:.3f}–{hi:.3f} | {n / med:,.0f} | {ratio:.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if a.mode != "--smoke":
        write_section("Ingest", text)


if __name__ == "__main__":
    main()
