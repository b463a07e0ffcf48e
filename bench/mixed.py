"""Reads and analysts' writes at once (issue 21 item 5): wrk with bench/mixed.lua against
`sitrep serve` on a copy of the bundled store (REAL data) with one analyst, 200 clients
for 60 s (smoke: 10 clients, 2 s); one request in 20 writes a claim. Reports p50/p99,
requests/s and errors, and checks that every acknowledged write is in the ledger (a lost
write fails the run). No peer: the dashboards analysts use are remote services.

    python3 bench/mixed.py --bin target/release/sitrep [--mode=--smoke] [--profile dev]
"""
import argparse, datetime, glob, json, os, platform, re, shutil, subprocess, sys, tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import ms, start  # noqa: E402
from report import write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--mode", default="full")
    ap.add_argument("--profile", default="release")
    a = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (bench/run installs it: apt-get install wrk)")
    smoke = a.mode == "--smoke"
    secs, clients = (2, 10) if smoke else (60, 200)
    env = dict(os.environ, SITREP_CACHE_DIR=str(DATA / "cache"))
    # The bundled store, built once into the cache, copied so the run may write to it.
    subprocess.run([a.bin, "--quiet", "sources"], env=env, check=True, capture_output=True)
    bundles = sorted(glob.glob(str(DATA / "cache" / "bundled-*")))
    bundles = [b for b in bundles if (Path(b) / "manifest.json").exists()]
    if not bundles:
        sys.exit("no bundled store in bench/data/cache")
    work = Path(tempfile.mkdtemp(prefix="sitrep-mixed-"))
    store = work / "store"
    shutil.copytree(bundles[-1], store)
    try:
        pw = "mixed load password"
        r = subprocess.run([a.bin, "--quiet", "--store", str(store), "users", "add", "ana", "--role", "analyst",
                            "--password-stdin"], input=f"{pw}\n", text=True, env=env, capture_output=True)
        if r.returncode != 0:
            sys.exit(f"users add failed: {r.stderr}")
        r = subprocess.run([a.bin, "--quiet", "--store", str(store), "users", "token", "ana"],
                           text=True, env=env, capture_output=True, check=True)
        token = r.stdout.strip().split()[-1]
        p, base = start(a.bin, store, env)
        try:
            out = subprocess.run(
                ["wrk", "-t2", f"-c{clients}", f"-d{secs}s", "--timeout", "60s", "--latency",
                 "-s", str(ROOT / "bench" / "mixed.lua"), base],
                capture_output=True, text=True, check=True, env=dict(env, SITREP_TOKEN=token, WRITE_EVERY="20")).stdout
        finally:
            p.terminate()
            p.wait()
        p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
        p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        total = int(re.search(r"(\d+) requests in", out).group(1))
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
        errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(x) for x in sock.groups()[:3]) if sock else 0)
        timeouts = int(sock.group(4)) if sock else 0
        acked = int(re.search(r"ACKED (\d+)", out).group(1))
        r = subprocess.run([a.bin, "--quiet", "--store", str(store), "claims", "list", "--format", "json"],
                           capture_output=True, text=True, env=env, check=True)
        stored = sum(1 for c in json.loads(r.stdout) if str(c.get("claimant", "")).startswith("load-"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"mixed: {total} requests, p50 {p50:.1f} ms, p99 {p99:.1f} ms, {rps:.1f} req/s, "
          f"errors {errors}, time-outs {timeouts}, writes acknowledged {acked}, in the ledger {stored}")
    if stored < acked:
        sys.exit(f"LOST WRITES: {acked - stored} acknowledged claims are not in the ledger")
    if smoke:
        return
    text = "\n".join([
        "## Serve (reads and writes)",
        "",
        f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores "
        f"(wrk and the server share them); `sitrep serve` {a.profile} build on a copy of the bundled store (real data) "
        f"with one analyst; wrk -t2 -c{clients} -d{secs}s with `bench/mixed.lua`: one request in 20 writes a claim "
        "(POST /api/v1/claims with a bearer token), the others cycle through series, provinces map, summary, "
        "incidents page 1 and the overview page. Each write invalidates the response cache. "
        "errors = non-2xx + connect/read/write errors. A write is acknowledged when its 2xx answer carries the "
        "journal entry; the harness then counts the claims in the ledger. No peer: the dashboards analysts use "
        "are remote services.",
        "",
        "| clients | seconds | requests | req/s | p50 ms | p99 ms | errors | time-outs | writes acknowledged | writes in the ledger | lost |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        f"| {clients} | {secs} | {total:,} | {rps:,.1f} | {p50:.1f} | {p99:.1f} | {errors} | {timeouts} | {acked:,} | {stored:,} | {acked - stored if acked > stored else 0} |",
        "",
    ])
    print(text)
    write_section("Serve (reads and writes)", text)


if __name__ == "__main__":
    main()
