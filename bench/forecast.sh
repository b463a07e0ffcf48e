#!/usr/bin/env bash
# Forecast back-test benchmark (issue 19): the bundled UCDP GED 21.1 Afghanistan file
# (1989-2020) as province-months, rolling origins every month 2015-01 ... 2020-12 (72),
# horizons 1-6, 1,000 predictive samples per cell, 500 bootstrap replicates.
#
# 1. `sitrep forecast` (the dev build of the CLI: sitrep-stats is compiled at
#    opt-level 2 even there) ingests nothing new: it back-tests the store, times the
#    whole command, and writes the panel it used (--panel-out).
# 2. The same panel is back-tested by the release example of sitrep-stats
#    (examples/forecast_backtest.rs) for seeds 1, 2, 3; seed 1 must reproduce the
#    CLI's scores exactly.
# 3. bench/forecast_report.py prints the Markdown table BENCHMARKS.md holds.
#
# Usage: bench/forecast.sh   (needs `cargo test --workspace --no-run` or a dev build
# of the workspace in $CARGO_TARGET_DIR; never builds the CLI in release).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sitrep-target}"
SITREP="${SITREP:-$CARGO_TARGET_DIR/debug/sitrep}"
[ -x "$SITREP" ] || { echo "no $SITREP: build the workspace first (cargo build)" >&2; exit 1; }
OUT="${OUT:-$(mktemp -d)}"
export SITREP_CACHE_DIR="$OUT/cache"
"$SITREP" --store "$OUT/store" --quiet ingest data/ucdp/ged211_afghanistan_subset.csv 2>/dev/null
start=$(date +%s.%N)
"$SITREP" --store "$OUT/store" --quiet forecast --level province --horizons 6 \
  --backtest-months 72 --samples 1000 --bootstrap 500 --seed 1 \
  --panel-out "$OUT/panel.csv" --format json > "$OUT/cli.json"
end=$(date +%s.%N)
echo "cli_seconds $(echo "$end - $start" | bc)" > "$OUT/cli_time.txt"
cargo build -q --release -p sitrep-stats --example forecast_backtest
for seed in 1 2 3; do
  "$CARGO_TARGET_DIR/release/examples/forecast_backtest" "$OUT/panel.csv" \
    --from 2015-01 --to 2020-12 --horizons 6 --samples 1000 --boot 500 --seed "$seed" \
    --models glm-poisson,glm-nb,gbm-poisson,mix-gbm-conflictology > "$OUT/seed$seed.csv"
done
python3 bench/forecast_report.py "$OUT"
