"""Load benchmark of `sitrep serve`: p50/p99 latency, requests/s, errors and time-outs of
the dashboard's endpoints (series, provinces map, summary, incidents page 1, the overview
page) at 1, 50 and 200 concurrent clients (wrk, from Debian), on the bundled store (REAL
data: UCDP GED Afghanistan and the other bundled sources; its incident count is read from
the server's /api/v1/summary and printed in the table) and on a 1,000,000-record store (SYNTHETIC: the first
1M rows of the 10x jittered copy of the real global GED subset that bench/ingest.py
writes). Each store is served twice in one run: with the response cache off
(`--no-cache`, every request runs its SQL and drawing: "before") and on ("after").
Server and wrk share this machine's cores; the figures are what one box gives, not a
cluster. wrk repeats one URL, so with the cache on it measures the hit path: many
clients watching one dashboard between two commits.

    python3 bench/load.py --bin target/release/sitrep [--mode=--smoke] [--stores bundled]
"""
import argparse, datetime, json, os, platform, re, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
ENDPOINTS = [
    ("series (weekly, battles, 2015-2020)", "/api/v1/series?bucket=week&from=2015-01-01&to=2020-12-31&type=battle"),
    ("map/provinces", "/api/v1/map/provinces"),
    ("summary", "/api/v1/summary"),
    ("incidents (page 1, battles, by fatalities, 50/page)", "/api/v1/incidents?type=battle&sort=-fatalities_best&page_size=50&page=1"),
    ("overview page /", "/"),
]
CACHE_MODES = [("off", ["--no-cache"]), ("on", [])]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_million(mode):
    # Smoke: the first 20,000 REAL rows (ingest.py's smoke run writes no 10x copy).
    src = DATA / ("ged211_global_subset.csv" if mode == "--smoke" else "synthetic_ged211_global_x10.csv")
    n = 20_000 if mode == "--smoke" else 1_000_000
    out = DATA / f"synthetic_{n}.csv"
    if not out.exists():
        if not src.exists():
            sys.exit(f"{src} is missing: run bench/run (bench/ingest.py writes it) first")
        with open(src) as f, open(out, "w") as g:
            for i, line in enumerate(f):
                if i > n:
                    break
                g.write(line)
    return out, n


def start(bin_, store, env, extra=()):
    port = free_port()
    args = [bin_, "--quiet"] + (["--store", str(store)] if store else []) + ["serve", "--bind", f"127.0.0.1:{port}", *extra]
    p = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=2).read()
            return p, base
        except OSError:
            if p.poll() is not None:
                sys.exit(f"sitrep serve exited: {p.stderr.read().decode()[-2000:]}")
            time.sleep(0.5)
    sys.exit("sitrep serve did not answer in 300 s")


def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    x = float(m.group(1))
    return {"us": x / 1000, "ms": x, "s": x * 1000}[m.group(2)]


def wrk(url, conns, secs):
    out = subprocess.run(["wrk", f"-t{min(2, conns)}", f"-c{conns}", f"-d{secs}s", "--timeout", "60s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_err = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    sock = [int(x) for x in socket_err.groups()] if socket_err else [0, 0, 0, 0]
    # errors: non-2xx plus connect/read/write errors; time-outs apart.
    return p50, p99, rps, (int(errors.group(1)) if errors else 0) + sum(sock[:3]), sock[3]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--mode", default="full")
    ap.add_argument("--profile", default="release")
    ap.add_argument("--stores", default="bundled,big", help="comma-separated: bundled, big (1M records)")
    a = ap.parse_args()
    stores = a.stores.split(",")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (bench/run installs it: apt-get install wrk)")
    secs = 1 if a.mode == "--smoke" else 10
    clients = (1,) if a.mode == "--smoke" else (1, 50, 200)
    env = dict(os.environ, SITREP_CACHE_DIR=str(DATA / "cache"))
    env.pop("SITREP_SERVE_NO_CACHE", None)
    big, n = one_million(a.mode) if "big" in stores else (None, 0)
    store = DATA / f"store-{n}"
    if big and not (store / "manifest.json").exists():
        t = time.perf_counter()
        r = subprocess.run([a.bin, "--quiet", "--store", str(store), "ingest", "--source", "synthetic", str(big)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"ingest failed: {r.stderr[-2000:]}")
        print(f"ingested {n:,} records in {time.perf_counter() - t:.1f} s")
    results = {}
    kind = "real" if a.mode == "--smoke" else "synthetic"
    targets = [("bundled, real", None)] if "bundled" in stores else []
    if big:
        targets.append((f"{n:,} {kind}", store))
    incidents = {}
    for label, st in targets:
        for mode, extra in CACHE_MODES:
            p, base = start(a.bin, st, env, extra)
            try:
                # What the store holds, as the server counts it (not a constant here).
                summary = json.load(urllib.request.urlopen(base + "/api/v1/summary", timeout=120))
                incidents[label] = summary["incidents"]
                for name, path in ENDPOINTS:
                    urllib.request.urlopen(base + path, timeout=120).read()  # warm-up
                    for c in clients:
                        r = wrk(base + path, c, secs)
                        results[(label, name, c, mode)] = r
                        print(label, name, c, mode, r, flush=True)
            finally:
                p.terminate()
                p.wait()
    lines = [
        "## Serve (load)",
        "",
        f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores "
        f"(wrk and the server share them); `sitrep serve` {a.profile} build; wrk -t2 --timeout 60s, {secs} s per cell, "
        "after one warm-up request, no `Accept-Encoding` (identity bodies). Each store is served twice in the same run: "
        "response cache **off** (`sitrep serve --no-cache`: every request runs its SQL and draws its SVG, as before "
        "the cache) and **on** (the default). wrk repeats one URL, so *on* measures cache hits: many clients on one "
        "dashboard between two commits; the first request after a commit costs what *off* at 1 client shows. "
        "errors = non-2xx + connect/read/write errors; t/o = wrk time-outs. "
        "No peer: ACLED's and UCDP's own dashboards are remote services that cannot run here.",
        "",
        "| store | endpoint | clients | off p50 ms | off p99 ms | off req/s | off errors, t/o | on p50 ms | on p99 ms | on req/s | on errors, t/o | req/s on ÷ off | p99 off ÷ on |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def cells(r):
        p50, p99, rps, bad, tmo = r
        if rps == 0:
            return ["–", "–", f"none in {secs} s", f"{bad}, {tmo}"]
        return [f"{p50:.1f}", f"{p99:.1f}", f"{rps:,.1f}", f"{bad}, {tmo}"]

    for label, _ in targets:
        for name, _ in ENDPOINTS:
            for c in clients:
                off, on = results[(label, name, c, "off")], results[(label, name, c, "on")]
                rps_ratio = f"{on[2] / off[2]:,.1f}" if off[2] and on[2] else "–"
                p99_ratio = f"{off[1] / on[1]:,.1f}" if off[2] and on[2] and on[1] else "–"
                shown = f"{label} ({incidents[label]:,} incidents)"
                lines.append("| " + " | ".join([shown, name, str(c)] + cells(off) + cells(on) + [rps_ratio, p99_ratio]) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    if a.mode != "--smoke":
        write_section("Serve (load)", text)


if __name__ == "__main__":
    main()
