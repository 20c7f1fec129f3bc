#!/usr/bin/env bash
# CPU benchmarks against peers measured in the same run, printed as ratios:
#   1. JPEG round trips per second: helmholtz (TurboJPEG, all cores) vs Pillow in memory
#      (one process), on Fashion-MNIST (grayscale) and on generated 32x32 colour images
#      (CIFAR-10 itself when data/cifar-10-batches-bin exists).
#   2. Training images per second: helmholtz bench train vs scripts/bench-peer.py (the same
#      network and recipe in PyTorch Python on the same LibTorch), per setting.
# This machine is shared and noisy: each training figure is the best of --rounds runs, ours and
# the peer's alternating, so that a passing disturbance hits both alike.
# Usage: scripts/bench-cpu.sh [--settings "0 1 2 3 4 5"] [--images 1024] [--epochs 1] [--rounds 3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${HELMHOLTZ:-$root/build/helmholtz}"
py=/usr/bin/python3
settings="0 1 2 3 4 5"
images=1024
epochs=1
rounds=3
threads=$(nproc)
while (($#)); do
  case "$1" in
    --settings) settings="$2"; shift ;;
    --images) images="$2"; shift ;;
    --epochs) epochs="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    *) echo "bench-cpu.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -x "$bin" ]] || { echo "bench-cpu.sh: build first (scripts/setup.sh): no $bin" >&2; exit 1; }
field() { "$py" -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['$1'])"; }
# best KEY over JSON lines on stdin
best() { "$py" -c "import json,sys; print(max(json.loads(l)['$1'] for l in sys.stdin if l.strip()))"; }
ratio() { "$py" -c "print(f'{$1 / $2:.2f}')"; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "# helmholtz CPU benchmarks ($(nproc) cores, $(date -u +%Y-%m-%d))"
echo
echo "## JPEG round trips per second (quality 50, 10,000 images, fastest of 3 passes)"
echo
echo "| images | helmholtz (${threads} threads) | Pillow (1 process) | ratio |"
echo "|---|---|---|---|"
jpeg_row() {  # label, helmholtz args, peer args
  local ours peer
  ours=$("$bin" bench jpeg $2 --images 10000 --quality 50 --repeat 3 --json | field round_trips_per_second)
  peer=$("$py" "$root/scripts/bench-jpeg-peer.py" $3 --images 10000 --quality 50 --repeat 3 | field round_trips_per_second)
  printf '| %s | %.0f | %.0f | %s |\n' "$1" "$ours" "$peer" "$(ratio "$ours" "$peer")"
}
if [[ -d /usr/share/datasets/fashion-mnist ]]; then
  jpeg_row "Fashion-MNIST 32x32 gray" "--dataset fashion-mnist" "--dataset fashion-mnist"
fi
if [[ -f "$root/data/cifar-10-batches-bin/data_batch_1.bin" ]]; then
  jpeg_row "CIFAR-10 32x32 RGB" "--dataset cifar10 --data-dir $root/data/cifar-10-batches-bin" \
    "--dataset cifar10 --data-dir $root/data/cifar-10-batches-bin"
else
  "$bin" synth cifar10 --out "$tmp/pattern" --train 10000 --test 10 2>/dev/null
  jpeg_row "generated 32x32 RGB" "--dataset cifar10 --data-dir $tmp/pattern" \
    "--dataset pattern --cifar-dir $tmp/pattern"
fi

echo
echo "## Training images per second ($images images x $epochs epoch(s), batch 128, augmentation on, $threads threads, best of $rounds)"
echo
echo "| setting | name | helmholtz | PyTorch Python | ratio | eval helmholtz | eval Python | eval ratio |"
echo "|---|---|---|---|---|---|---|---|"
for s in $settings; do
  common=(--setting "$s" --images "$images" --epochs "$epochs" --threads "$threads" --json)
  : > "$tmp/ours"; : > "$tmp/peer"
  for ((r = 0; r < rounds; r++)); do
    "$bin" bench train "${common[@]}" --device cpu | tail -n 1 >> "$tmp/ours"
    "$py" "$root/scripts/bench-peer.py" "${common[@]}" --device cpu | tail -n 1 >> "$tmp/peer"
  done
  ot=$(best train_images_per_second < "$tmp/ours"); pt=$(best train_images_per_second < "$tmp/peer")
  oe=$(best eval_images_per_second < "$tmp/ours"); pe=$(best eval_images_per_second < "$tmp/peer")
  printf '| %s | %s | %.1f | %.1f | %s | %.1f | %.1f | %s |\n' "$s" "$(field name < "$tmp/ours")" \
    "$ot" "$pt" "$(ratio "$ot" "$pt")" "$oe" "$pe" "$(ratio "$oe" "$pe")"
done
