"""Watching and claim checking on the bundled data, timed as a user runs them.

  watch        `sitrep watch --from 2021-01-01 --to 2023-12-31 --format json`: every
               bundled indicator (10) and scenario (4) evaluated over 2021-2023
  check        `sitrep check --date 2022-09-11 --format json` on the seed report's
               section II (crates/sitrep-check/tests/fixtures/), and on that text
               repeated to about 4,000 words

Each command starts a process that opens the bundled store (built once into a private
cache before timing), so each is also run against a baseline that does the same
start-up and one query: `sitrep series --bucket month` for watch, `sitrep check` on a
sentence with no claim for check. The figures of interest are the differences:
evaluation time of all bundled indicators, and check time per 1,000 words. There is no
peer tool that evaluates these indicators or checks claims, so the figures are absolute.

    python3 bench/watch_check.py --bin target/release/sitrep [--reps 5] [--profile release]
"""
import argparse, datetime, os, platform, statistics, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SECTION_II = ROOT / "crates/sitrep-check/tests/fixtures/crisis_group_2022_section2.txt"


def run(bin_, args, env, stdin=None):
    t = time.perf_counter()
    p = subprocess.run([bin_, "--quiet", *args], input=stdin, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ms = (time.perf_counter() - t) * 1000
    if p.returncode not in (0, 6, 7):
        sys.exit(f"{args}: exit {p.returncode}: {p.stderr.decode()[:500]}")
    return ms


def timed(bin_, args, env, reps, stdin=None):
    run(bin_, args, env, stdin)
    ts = [run(bin_, args, env, stdin) for _ in range(reps)]
    return statistics.median(ts), min(ts), max(ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--profile", default="release")
    ap.add_argument("--mode", default="full")
    a = ap.parse_args()
    reps = 1 if a.mode == "--smoke" else a.reps
    env = dict(os.environ)
    env.pop("SITREP_STORE", None)
    env["SITREP_CACHE_DIR"] = tempfile.mkdtemp(prefix="sitrep-bench-cache-")
    text = SECTION_II.read_bytes()
    words = len(text.split())
    long = b"\n\n".join([text] * 5)
    long_words = len(long.split())
    empty = b"The weather was fine.\n"
    rows = []
    w = timed(a.bin, ["watch", "--from", "2021-01-01", "--to", "2023-12-31", "--format", "json"], env, reps)
    base_w = timed(a.bin, ["series", "--bucket", "month", "--format", "csv"], env, reps)
    rows.append(("watch: 10 indicators, 4 scenarios, 2021–2023", w))
    rows.append(("baseline: sitrep series --bucket month", base_w))
    check = ["check", "--date", "2022-09-11", "--format", "json", "-"]
    c = timed(a.bin, check, env, reps, text)
    cl = timed(a.bin, check, env, reps, long)
    c0 = timed(a.bin, check, env, reps, empty)
    rows.append((f"check: section II ({words} words)", c))
    rows.append((f"check: section II ×5 ({long_words} words)", cl))
    rows.append(("baseline: check of one sentence without a claim", c0))
    per_k = (c[0] - c0[0]) / words * 1000
    per_k_long = (cl[0] - c0[0]) / long_words * 1000
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "## Watch and check",
        "",
        f"Run {now} on {platform.machine()}, {os.cpu_count()} cores; sitrep {a.profile} build; "
        f"bundled data (no --store); median of {reps} after a warm-up (min–max), milliseconds. "
        "Each row is a process as a user runs it; baselines do the same start-up and store "
        "open with one query. No peer tool evaluates these indicators or checks claims: the "
        "figures are absolute. `bench/watch_check.py`.",
        "",
        "| command | median ms | min–max ms |",
        "|---|---|---|",
    ]
    for name, (m, lo, hi) in rows:
        lines.append(f"| {name} | {m:.0f} | {lo:.0f}–{hi:.0f} |")
    lines += [
        "",
        f"* Evaluation of all bundled indicators and scenarios over 2021–2023 (watch − its "
        f"baseline): **{w[0] - base_w[0]:.0f} ms**.",
        f"* `sitrep check` per 1,000 words (check − its baseline, per word ×1,000): "
        f"**{per_k:.0f} ms** on section II, **{per_k_long:.0f} ms** on ×5 "
        "(repeated sentences are checked again: nothing is cached).",
    ]
    write_section("Watch and check", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
