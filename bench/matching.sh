#!/usr/bin/env bash
# Matching benchmark (issue 6): the Mexico ground truth and the perturbation benchmark
# at 20k, 100k and 1M records per side, one process per size (peak memory is per size).
# Prints the Markdown rows that bench/MATCHING.md holds. Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sitrep-target}"
cargo bench -p sitrep-match --bench perturb --no-run
run() { cargo bench -q -p sitrep-match --bench perturb -- "$@" 2>/dev/null; }
echo "| data | strict P / R / F1 | twin-aware P / R / F1 | candidates | time |"
echo "|---|---|---|---|---|"
run mexico
echo
echo "| records per side | precision | recall | F1 | candidates | time | RSS with data | peak RSS | matcher's peak | threads |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in 20000 100000 1000000; do run "$n"; done
# Issue 20: the learning matcher (run_em) beside the hand-weighted scorer on real rows
# against a perturbed copy (synthetic, seeded; every perturbation a key=value setting:
# n shift jitter respell deaths drop add days km seed decisions target lw tf
# oracle map o2ol collapse labels). oracle=1 adds the generator's own likelihood with
# the same assignment (a ceiling); labels=random draws the 50 decisions at random
# instead of from the review order; map=0 is the assignment before December 2026.
echo
echo "| data | EM setting | strict P / R / F1 | twin-aware P / R / F1 | candidates | time |"
echo "|---|---|---|---|---|---|"
run mexico | head -1
run mexico map=0 | head -1
run mexico o2ol=1 | head -1
echo
echo "| records per side | perturbation | matcher | precision | recall | P at R 0.90 | P at R 0.95 | true/links | time | model's own estimate |"
echo "|---|---|---|---|---|---|---|---|---|---|"
run learned n=10000 oracle=1
run learned n=10000 labels=random | tail -1
run learned n=10000 map=0 decisions=0 | tail -2
run learned n=10000 drop=0.1 add=0.1 oracle=1
run learned n=10000 drop=0.1 add=0.1 labels=random | tail -1
run learned n=10000 shift=1 jitter=5 oracle=1
run learned n=10000 respell=0 deaths=0
run learned n=20000 oracle=1
run learned n=100000 oracle=1
run learned n=100000 o2ol=1 decisions=0 | tail -2
run learned n=1000000 decisions=0 oracle=1
run learned n=1000000 decisions=0 o2ol=1 | tail -2
