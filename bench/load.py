"""Load benchmark of `sitrep serve`: p50/p99 latency and requests/s of the series and
incidents endpoints at 1, 50 and 200 concurrent clients (wrk, from Debian), on the
bundled store (REAL UCDP GED Afghanistan rows, 16,038) and on a 1,000,000-record store
(SYNTHETIC: the first 1M rows of the 10x jittered copy of the real global GED subset
that bench/ingest.py writes). Server and wrk share this machine's cores; the figures
are what one box gives, not a cluster.
"""
import argparse, datetime, os, platform, re, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
ENDPOINTS = [
    ("series (weekly, battles, 2015-2020)", "/api/v1/series?bucket=week&from=2015-01-01&to=2020-12-31&type=battle"),
    ("incidents (battles, by fatalities, 50/page)", "/api/v1/incidents?type=battle&sort=-fatalities_best&page_size=50"),
]


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


def start(bin_, store, env):
    port = free_port()
    args = [bin_, "--quiet"] + (["--store", str(store)] if store else []) + ["serve", "--bind", f"127.0.0.1:{port}"]
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
    socket_err = re.search(r"Socket errors: (.*)", out)
    return p50, p99, rps, (int(errors.group(1)) if errors else 0), (socket_err.group(1) if socket_err else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--mode", default="full")
    ap.add_argument("--profile", default="release")
    a = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (bench/run installs it: apt-get install wrk)")
    secs = 2 if a.mode == "--smoke" else 10
    env = dict(os.environ, SITREP_CACHE_DIR=str(DATA / "cache"))
    big, n = one_million(a.mode)
    store = DATA / f"store-{n}"
    if not (store / "manifest.json").exists():
        t = time.perf_counter()
        r = subprocess.run([a.bin, "--quiet", "--store", str(store), "ingest", "--source", "synthetic", str(big)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"ingest failed: {r.stderr[-2000:]}")
        print(f"ingested {n:,} records in {time.perf_counter() - t:.1f} s")
    rows = []
    kind = "real" if a.mode == "--smoke" else "synthetic"
    for label, st in [("bundled (16,038 real)", None), (f"{n:,} {kind}", store)]:
        p, base = start(a.bin, st, env)
        try:
            for name, path in ENDPOINTS:
                urllib.request.urlopen(base + path, timeout=120).read()  # warm-up
                for c in (1, 50, 200):
                    p50, p99, rps, bad, sock = wrk(base + path, c, secs)
                    rows.append((label, name, c, p50, p99, rps, bad, sock))
                    print(rows[-1], flush=True)
        finally:
            p.terminate()
            p.wait()
    lines = [
        "## Serve (load)",
        "",
        f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores "
        f"(wrk and the server share them); `sitrep serve` {a.profile} build; wrk -t2, {secs} s per cell, after one warm-up request. "
        "No peer: ACLED's and UCDP's own dashboards are remote services that cannot run here.",
        "",
        "| store | endpoint | clients | p50 ms | p99 ms | requests/s | non-2xx | socket errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, name, c, p50, p99, rps, bad, sock in rows:
        if rps == 0:
            lines.append(f"| {label} | {name} | {c} | – | – | none completed in {secs} s | {bad} | {sock or '0'} |")
        else:
            lines.append(f"| {label} | {name} | {c} | {p50:.1f} | {p99:.1f} | {rps:,.1f} | {bad} | {sock or '0'} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if a.mode != "--smoke":
        write_section("Serve (load)", text)


if __name__ == "__main__":
    main()
