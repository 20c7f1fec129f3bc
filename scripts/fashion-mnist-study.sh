#!/usr/bin/env bash
# The Fashion-MNIST study committed under docs/results/fashion-mnist: cnns-dense-64 (setting 1)
# at JPEG qualities 1, 5, 10, 20, 50, 100 and raw, seeds 0-2, on the first 4,000 training and
# 2,000 test images for 15 epochs, two runs at a time on one thread each (about 90 minutes on a
# 2-core CPU), then every run's best weights at every level (--cross-eval) and the report.
# Rerunning skips what is done. Environment: HELMHOLTZ (the binary, default build/helmholtz),
# LOG_ROOT (run folders, default runs/fashion-mnist-study; never committed), OUT (the report,
# default docs/results/fashion-mnist).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${HELMHOLTZ:-$root/build/helmholtz}
logs=${LOG_ROOT:-runs/fashion-mnist-study}
out=${OUT:-$root/docs/results/fashion-mnist}
[[ -x $bin ]] || { echo "fashion-mnist-study: no helmholtz at $bin (run scripts/setup.sh)" >&2; exit 1; }

"$bin" sweep --dataset fashion-mnist --settings 1 --qualities 1,5,10,20,50,100,raw --seeds 0-2 \
  --train-size 4000 --val-size 2000 --epochs 15 --jobs 2 --threads 1 --log-root "$logs" \
  --cross-eval
"$bin" report "$logs" --out "$out"
echo "fashion-mnist-study: report in $out/report.md"
