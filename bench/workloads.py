"""Dashboard and analysis workloads, sitrep beside polars, pandas and DuckDB.

Each tool answers the same five questions over the same records, and the answers
are checked equal (a check value per workload) before any time is reported:

  weekly_by_actor               weekly incidents per actor id (either side), 2015-2020,
                                Kandahar and Helmand
  fatalities_by_province_month  best-estimate fatalities per province and month
  ma8_by_distance_band          8-week trailing mean of weekly incidents per distance
                                band to the nearest provincial capital (0-5-25-50-100+ km)
  compare                       weekly rate 2019-08-15..2020-06-15 over 2018-08-15..2019-06-15
  export_parquet                battles 2015-2020, the ten analysis columns (PEER_COLUMNS),
                                written to Parquet

sitrep is timed twice: as a user runs it (the CLI on its store: process start, store
open and checksum verification, query) and as library calls on an open store (the
`workloads` example of sitrep-analysis: one session that holds the store's rollup in
memory, as `sitrep serve` does). The peers get the enriched incidents
(province, distance to capital, actor ids: what sitrep adds at ingest) from
`sitrep export --format parquet`, loaded into memory once (their best case: a
notebook with the frame already loaded); loading is not timed for them here (see the
Ingest section for CSV loading).
"""
import argparse, datetime, json, os, platform, statistics, subprocess, sys, tempfile, threading, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
D = datetime.date
A = (D(2019, 8, 15), D(2020, 6, 15))
B = (D(2018, 8, 15), D(2019, 6, 15))
EDGES = [0, 5, 25, 50, 100]
PEER_COLUMNS = ["record_id", "date_start", "event_type", "province_code", "actor1_id", "actor2_id",
                "fatalities_low", "fatalities_best", "fatalities_high", "capital_distance_km"]


def band_label(lo, hi):
    return f"{lo}–{hi} km" if hi is not None else f"{lo}+ km"


def timed(fn, reps):
    fn()
    ts, val = [], None
    for _ in range(reps):
        t = time.perf_counter()
        val = fn()
        ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts), min(ts), max(ts), val


# ---------------------------------------------------------------- polars
def polars_workloads(pl, df, tmp):
    c = pl.col

    def by_actor():
        f = df.filter((c("date_start") >= D(2015, 1, 1)) & (c("date_start") <= D(2020, 12, 31))
                      & c("province_code").is_in(["AF-KAN", "AF-HEL"]))
        a = pl.concat([f.select("record_id", "date_start", c("actor1_id").alias("a")),
                       f.select("record_id", "date_start", c("actor2_id").alias("a"))])
        a = a.drop_nulls("a").unique(["record_id", "a"])
        g = a.group_by(c("date_start").dt.truncate("1w").alias("w"), "a").len()
        return float(g["len"].sum())

    def by_province():
        g = df.group_by("province_code", c("date_start").dt.truncate("1mo").alias("m")).agg(
            pl.coalesce("fatalities_best", "fatalities_low", pl.lit(0)).sum().alias("f"))
        return float(g["f"].sum())

    def by_band():
        d = c("capital_distance_km")
        band = pl.when(d < 5).then(pl.lit(0)).when(d < 25).then(pl.lit(1)).when(d < 50).then(pl.lit(2)) \
            .when(d < 100).then(pl.lit(3)).otherwise(pl.lit(4))
        w = df.select(c("date_start").dt.truncate("1w").alias("w"), d)
        lo, hi = w["w"].min(), w["w"].max()
        b = w.drop_nulls("capital_distance_km").select("w", band.alias("b")).group_by("w", "b").len()
        weeks = pl.DataFrame({"w": pl.date_range(lo, hi, "1w", eager=True)})
        grid = weeks.join(pl.DataFrame({"b": [0, 1, 2, 3, 4]}), how="cross")
        full = grid.join(b, on=["w", "b"], how="left").with_columns(c("len").fill_null(0)).sort("b", "w")
        sm = full.with_columns(c("len").cast(pl.Float64).rolling_mean(8, min_samples=1).over("b").alias("s"))
        return float(sm["s"].sum())

    def compare():
        n = lambda p: df.filter((c("date_start") >= p[0]) & (c("date_start") <= p[1])).height
        days = lambda p: (p[1] - p[0]).days + 1
        return (n(A) / days(A)) / (n(B) / days(B))

    def export():
        f = df.filter((c("date_start") >= D(2015, 1, 1)) & (c("date_start") <= D(2020, 12, 31))
                      & (c("event_type") == "battle"))
        f.select(PEER_COLUMNS).write_parquet(tmp / "pl-export.parquet", compression="zstd")
        return float(f.height)

    return [("weekly_by_actor", by_actor), ("fatalities_by_province_month", by_province),
            ("ma8_by_distance_band", by_band), ("compare", compare), ("export_parquet", export)]


# ---------------------------------------------------------------- pandas
def pandas_workloads(pd, df, tmp):
    ds = df["date_start"]

    def week(s):
        return s - pd.to_timedelta(s.dt.day_of_week, unit="D")

    def by_actor():
        f = df[(ds >= pd.Timestamp(2015, 1, 1)) & (ds <= pd.Timestamp(2020, 12, 31))
               & df["province_code"].isin(["AF-KAN", "AF-HEL"])]
        a = pd.concat([f[["record_id", "date_start"]].assign(a=f["actor1_id"]),
                       f[["record_id", "date_start"]].assign(a=f["actor2_id"])])
        a = a.dropna(subset=["a"]).drop_duplicates(["record_id", "a"])
        g = a.groupby([week(a["date_start"]), "a"]).size()
        return float(g.sum())

    def by_province():
        f = df["fatalities_best"].fillna(df["fatalities_low"]).fillna(0)
        g = f.groupby([df["province_code"].fillna("?"), ds.dt.to_period("M")]).sum()
        return float(g.sum())

    def by_band():
        w = week(ds)
        d = df["capital_distance_km"]
        b = pd.cut(d, [-1e-9, 5, 25, 50, 100, float("inf")], right=False, labels=False)
        m = d.notna()
        counts = pd.crosstab(w[m], b[m])
        weeks = pd.date_range(w.min(), w.max(), freq="7D")
        counts = counts.reindex(index=weeks, columns=range(5), fill_value=0)
        return float(counts.rolling(8, min_periods=1).mean().to_numpy().sum())

    def compare():
        n = lambda p: int(((ds >= pd.Timestamp(p[0])) & (ds <= pd.Timestamp(p[1]))).sum())
        days = lambda p: (p[1] - p[0]).days + 1
        return (n(A) / days(A)) / (n(B) / days(B))

    def export():
        f = df[(ds >= pd.Timestamp(2015, 1, 1)) & (ds <= pd.Timestamp(2020, 12, 31)) & (df["event_type"] == "battle")]
        f[PEER_COLUMNS].to_parquet(tmp / "pd-export.parquet", compression="zstd")
        return float(len(f))

    return [("weekly_by_actor", by_actor), ("fatalities_by_province_month", by_province),
            ("ma8_by_distance_band", by_band), ("compare", compare), ("export_parquet", export)]


# ---------------------------------------------------------------- duckdb
def duckdb_workloads(con, tmp):
    q = lambda sql: con.execute(sql).fetchone()[0]

    def by_actor():
        return float(q("""
          WITH f AS (SELECT record_id, date_start, actor1_id, actor2_id FROM t
                     WHERE date_start BETWEEN DATE '2015-01-01' AND DATE '2020-12-31'
                       AND province_code IN ('AF-KAN', 'AF-HEL')),
               a AS (SELECT DISTINCT record_id, date_start, a FROM
                     (SELECT record_id, date_start, actor1_id AS a FROM f UNION ALL
                      SELECT record_id, date_start, actor2_id FROM f) WHERE a IS NOT NULL)
          SELECT sum(n) FROM (SELECT date_trunc('week', date_start) w, a, count(*) n FROM a GROUP BY ALL)"""))

    def by_province():
        return float(q("""SELECT sum(f) FROM (SELECT province_code, date_trunc('month', date_start) m,
                           sum(coalesce(fatalities_best, fatalities_low, 0)) f FROM t GROUP BY ALL)"""))

    def by_band():
        return float(q("""
          WITH w AS (SELECT date_trunc('week', date_start) w,
                       CASE WHEN capital_distance_km < 5 THEN 0 WHEN capital_distance_km < 25 THEN 1
                            WHEN capital_distance_km < 50 THEN 2 WHEN capital_distance_km < 100 THEN 3
                            WHEN capital_distance_km IS NOT NULL THEN 4 END b FROM t),
               weeks AS (SELECT unnest(generate_series(min(w), max(w), INTERVAL 7 DAY)) w FROM w),
               grid AS (SELECT weeks.w, b.b FROM weeks, (SELECT unnest([0,1,2,3,4]) b) b),
               n AS (SELECT w, b, count(*) n FROM w WHERE b IS NOT NULL GROUP BY ALL),
               filled AS (SELECT grid.w, grid.b, coalesce(n.n, 0) n FROM grid LEFT JOIN n USING (w, b))
          SELECT sum(s) FROM (SELECT avg(n) OVER (PARTITION BY b ORDER BY w ROWS BETWEEN 7 PRECEDING AND CURRENT ROW) s FROM filled)"""))

    def compare():
        n = lambda p: q(f"SELECT count(*) FROM t WHERE date_start BETWEEN DATE '{p[0]}' AND DATE '{p[1]}'")
        days = lambda p: (p[1] - p[0]).days + 1
        return (n(A) / days(A)) / (n(B) / days(B))

    def export():
        out = tmp / "duck-export.parquet"
        con.execute(f"""COPY (SELECT {', '.join(PEER_COLUMNS)} FROM t WHERE date_start BETWEEN DATE '2015-01-01' AND DATE '2020-12-31'
                       AND event_type = 'battle') TO '{out}' (FORMAT parquet, COMPRESSION zstd)""")
        return float(q(f"SELECT count(*) FROM read_parquet('{out}')"))

    return [("weekly_by_actor", by_actor), ("fatalities_by_province_month", by_province),
            ("ma8_by_distance_band", by_band), ("compare", compare), ("export_parquet", export)]


# ---------------------------------------------------------------- sitrep CLI
def cli_workloads(bin_, store, tmp, rss):
    """The workloads as CLI commands; each call's peak RSS (MiB) is appended to `rss`."""
    base = [bin_, "--quiet", "--store", str(store)]

    def run(args):
        out, peak = run_measured(base + args)
        if peak is not None:
            rss.append(peak)
        return out

    def series(args):
        return float(sum(p["value"] for p in json.loads(run(["series", "--format", "json"] + args))))

    def compare():
        v = json.loads(run(["compare", "--a", f"{A[0]}..{A[1]}", "--b", f"{B[0]}..{B[1]}", "--format", "json"]))
        return float((v[0] if isinstance(v, list) else v)["ratio"])

    def export():
        out = tmp / "cli-export.parquet"
        run(["export", "--format", "parquet", "--type", "battle", "--from", "2015-01-01", "--to", "2020-12-31",
             "--columns", ",".join(PEER_COLUMNS), "-o", str(out)])
        return None

    return [
        ("weekly_by_actor", lambda: series(["--bucket", "week", "--by", "actor", "--from", "2015-01-01", "--to", "2020-12-31", "--province", "AF-KAN,AF-HEL"])),
        ("fatalities_by_province_month", lambda: series(["--bucket", "month", "--measure", "fatalities_best", "--by", "province"])),
        ("ma8_by_distance_band", lambda: series(["--bucket", "week", "--by", "distance_band", "--smooth", "8"])),
        ("compare", compare),
        ("export_parquet", export),
    ]


def run_measured(cmd):
    """Runs `cmd`; returns (stdout, peak RSS in MiB of that process alone)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    got = {}
    drains = [threading.Thread(target=lambda k=k, f=f: got.__setitem__(k, f.read()))
              for k, f in (("out", p.stdout), ("err", p.stderr))]
    for t in drains:
        t.start()
    # wait4, not wait: it gives this child's own resource usage.
    _, status, ru = os.wait4(p.pid, 0)
    for t in drains:
        t.join()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))[:300]} failed: {got['err'][-1500:]}")
    return got["out"], ru.ru_maxrss / 1024


def peer_child(tool, pq, cols, reps, tmp):
    """One peer in a process of its own: load the frame, run the workloads, print one
    JSON line per workload (so the parent can read this process's peak memory)."""
    cols = cols.split(",") if cols else None
    if tool == "polars":
        import polars
        wls = polars_workloads(polars, polars.read_parquet(pq, columns=cols), tmp)
    elif tool == "pandas":
        import pandas
        df = pandas.read_parquet(pq, columns=cols)
        df["date_start"] = pandas.to_datetime(df["date_start"])
        wls = pandas_workloads(pandas, df, tmp)
    else:
        import duckdb
        con = duckdb.connect()
        sel = "*" if cols is None else ", ".join(cols)
        con.execute(f"CREATE TABLE t AS SELECT {sel} FROM read_parquet('{pq}')")
        wls = duckdb_workloads(con, tmp)
    for name, fn in wls:
        med, lo, hi, val = timed(fn, reps)
        print(json.dumps({"workload": name, "median_ms": med, "min_ms": lo, "max_ms": hi, "check": val}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin")
    ap.add_argument("--example", help="the sitrep-analysis `workloads` example binary")
    ap.add_argument("--mode", default="full")
    ap.add_argument("--profile", default="release")
    ap.add_argument("--sets", default="real,1m,10m", help="full mode: which datasets (real, 1m, 10m)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--pq", help=argparse.SUPPRESS)
    ap.add_argument("--cols", default="", help=argparse.SUPPRESS)
    ap.add_argument("--reps", type=int, default=5, help=argparse.SUPPRESS)
    ap.add_argument("--tmp", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        return peer_child(a.child, a.pq, a.cols, a.reps, Path(a.tmp))
    if not a.bin or not a.example:
        sys.exit("--bin and --example are required")
    import duckdb, pandas, polars
    reps = 1 if a.mode == "--smoke" else 5
    tmp = Path(tempfile.mkdtemp(prefix="sitrep-workloads-"))
    if a.mode == "--smoke":
        sets = [("real GED subset, first 20,000", DATA / "synthetic_20000.csv", DATA / "store-20000")]
    else:
        from synth import make
        wanted = a.sets.split(",")
        sets = [s for key, s in [
            ("real", ("real GED 21.1 global subset (176,579)", DATA / "ged211_global_subset.csv", DATA / "store-real")),
            ("1m", ("synthetic 1,000,000", DATA / "synthetic_1000000.csv", DATA / "store-1000000")),
            ("10m", ("synthetic 10,000,000", make(10_000_000)[0], DATA / "store-10000000")),
        ] if key in wanted]
    rows, mismatches, memory = [], [], []
    for label, csv_path, store in sets:
        if not (store / "manifest.json").exists():
            r = subprocess.run([a.bin, "--quiet", "--store", str(store), "ingest", "--source", "bench", str(csv_path)],
                               capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"ingest {csv_path} failed: {r.stderr[-1500:]}")
        pq = tmp / "incidents.parquet"
        subprocess.run([a.bin, "--quiet", "--store", str(store), "export", "--format", "parquet", "-o", str(pq)], check=True)
        # At 10M the full export (with each record's verbatim source row) would not fit
        # in memory beside the rest on this machine: peers load the columns the
        # workloads read. Every tool's export writes those columns, at every size.
        cols = PEER_COLUMNS if "10,000,000" in label else None
        results = {}
        out, rss = run_measured([a.example, str(store), str(reps), str(tmp)])
        memory.append((label, "sitrep (library)", rss))
        for line in out.splitlines():
            v = json.loads(line)
            if v["workload"] != "open":
                results.setdefault(v["workload"], []).append(("sitrep (library)", v["median_ms"], v["min_ms"], v["max_ms"], v["check"]))
        cli_rss = []
        for name, fn in cli_workloads(a.bin, store, tmp, cli_rss):
            med, lo, hi, val = timed(fn, reps)
            results.setdefault(name, []).append(("sitrep (CLI)", med, lo, hi, val))
        memory.append((label, "sitrep (CLI, largest command)", max(cli_rss) if cli_rss else None))
        for tool in ["polars", "pandas", "duckdb"]:
            out, rss = run_measured([sys.executable, __file__, "--child", tool, "--pq", str(pq),
                                     "--cols", ",".join(cols or []), "--reps", str(reps), "--tmp", str(tmp)])
            memory.append((label, tool, rss))
            for line in out.splitlines():
                v = json.loads(line)
                results.setdefault(v["workload"], []).append((tool, v["median_ms"], v["min_ms"], v["max_ms"], v["check"]))
        for name, rs in results.items():
            checks = {t: v for t, *_, v in rs if v is not None}
            ref = checks["sitrep (library)"]
            for t, v in checks.items():
                ok = abs(v - ref) <= 1e-6 * max(1.0, abs(ref))
                if not ok:
                    mismatches.append(f"{label} {name}: {t} = {v}, sitrep = {ref}")
            best_peer = min(m for t, m, *_ in rs if not t.startswith("sitrep"))
            for t, med, lo, hi, v in rs:
                agree = "—" if v is None else ("yes" if abs(v - ref) <= 1e-6 * max(1.0, abs(ref)) else f"NO ({v:.6g} vs {ref:.6g})")
                rows.append((label, name, t, med, lo, hi, med / best_peer, agree))
    lines = [
        "## Workloads",
        "",
        f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores; "
        f"polars {polars.__version__}, pandas {pandas.__version__}, duckdb {duckdb.__version__}; sitrep {a.profile} build. "
        f"Median of {reps} after a warm-up (min–max), milliseconds. `÷ best peer` above 1 means sitrep (or that peer) is slower "
        "than the fastest peer. Peers hold the enriched incidents in memory; the sitrep library session holds its "
        "rollup in memory and reads the rest of its Parquet store per call; the CLI starts a process per call. "
        "`agrees` compares each tool's check value (sum of plotted values, ratio, rows written) with sitrep's library answer.",
        "",
        "| dataset | workload | tool | median ms | min–max ms | ÷ best peer | agrees |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, name, t, med, lo, hi, ratio, agree in rows:
        lines.append(f"| {label} | {name} | {t} | {med:.1f} | {lo:.1f}–{hi:.1f} | {ratio:.2f} | {agree} |")
    lines += [
        "",
        "Peak memory (resident set) of each tool's process over all five workloads, loading included; "
        "each peer runs in a process of its own.",
        "",
        "| dataset | tool | peak RSS MiB |",
        "|---|---|---|",
    ]
    for label, tool, rss in memory:
        lines.append(f"| {label} | {tool} | {'—' if rss is None else f'{rss:.0f}'} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if mismatches:
        sys.exit("answers differ, timings not trusted:\n  " + "\n  ".join(mismatches))
    if a.mode != "--smoke":
        write_section("Workloads", text)


if __name__ == "__main__":
    main()
