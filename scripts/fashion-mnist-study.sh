#!/usr/bin/env bash
# The Fashion-MNIST study committed under docs/results/fashion-mnist (its README states the
# design): small-cnn (configs/small-cnn.toml) at JPEG and WebP qualities 1, 5, 10, 20, 50, 100
# and raw, seeds 0-5, under the corrected protocol: 5,000 validation images held out of the
# training split choose the kept weights, the first 10,000 of the rest train, and all 10,000
# test images test. At most 40 epochs, early stopping after 5 without a better validation
# accuracy. Two runs at a time on one thread each; then each run's kept weights on the test split
# at every level of its codec's line (the cross-level matrix), the report, and the report of the
# earlier estimator (--estimator reference) beside it.
# Rerunning skips what is done and resumes what was interrupted.
# Environment: HELMHOLTZ (the binary, default build/helmholtz), LOG_ROOT (run folders, default
# runs/fashion-mnist-study; never committed), OUT (the report, default
# docs/results/fashion-mnist), JOBS (runs at once, default 2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${HELMHOLTZ:-$root/build/helmholtz}
logs=${LOG_ROOT:-runs/fashion-mnist-study}
out=${OUT:-$root/docs/results/fashion-mnist}
jobs=${JOBS:-2}
[[ -x $bin ]] || { echo "fashion-mnist-study: no helmholtz at $bin (run scripts/setup.sh)" >&2; exit 1; }

levels=1,5,10,20,50,100
"$bin" sweep --dataset fashion-mnist --architecture "$root/configs/small-cnn.toml" \
  --codecs jpeg,webp --qualities "$levels,raw" --seeds 0-5 \
  --train-size 10000 --holdout-size 5000 --epochs 40 --patience 5 \
  --lr 0.05 --decay 0.01 --shift 0 --no-flip \
  --jobs "$jobs" --threads 1 --cache-dir "$logs/cache" --log-root "$logs"

# The cross-level matrix: every run's kept weights on the test split at each level of its line
# (JPEG runs at JPEG levels, WebP runs at WebP levels, raw runs at both, one codec after the
# other), levels done skipped, $jobs runs at a time on one thread each.
models="$logs/fashion-mnist/small-cnn"
find "$models" -name summary.json -printf '%h\n' | sort | while read -r run; do
  case "$run" in
    */webp_*) echo "$run webp" ;;
    */quality_raw*) echo "$run jpeg webp" ;;
    *) echo "$run jpeg" ;;
  esac
done | xargs -P "$jobs" -L 1 sh -c \
  "for codec; do \"$bin\" eval \"\$0\" --codec \"\$codec\" --quality $levels,raw --skip-done \
     --threads 1 >/dev/null || exit 1; done"
"$bin" report "$logs" --out "$out"
# The earlier definition on the same runs, for comparison (tables only).
"$bin" report "$logs" --estimator reference --no-plots --out "$out/reference-estimator"
echo "fashion-mnist-study: report in $out/report.md"
