#!/usr/bin/env bash
# Image codec round trips per second: `helmholtz bench codec` (every codec of this build, all
# cores) beside Pillow (scripts/bench-codec-peer.py, one process per core) where Pillow has the
# codec (JPEG, WebP, JPEG 2000), measured in the same run and printed as ratios (markdown).
# Each figure is the fastest of --repeat passes; ours and the peer's alternate per codec, so a
# passing disturbance of this shared machine hits both alike.
# Usage: scripts/bench-codecs.sh [--dataset fashion-mnist|cifar10] [--images 2000] [--repeat 3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${HELMHOLTZ:-$root/build/helmholtz}"
py=/usr/bin/python3
dataset=fashion-mnist
images=2000
repeat=3
threads=$(nproc)
while (($#)); do
  case "$1" in
    --dataset) dataset="$2"; shift ;;
    --images) images="$2"; shift ;;
    --repeat) repeat="$2"; shift ;;
    *) echo "bench-codecs.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -x "$bin" ]] || { echo "bench-codecs.sh: build first (scripts/setup.sh): no $bin" >&2; exit 1; }
field() { "$py" -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['$1'])"; }
ratio() { "$py" -c "print(f'{$1 / $2:.2f}')"; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
ours_args=(--dataset "$dataset")
peer_args=(--dataset "$dataset")
label="Fashion-MNIST 32x32 gray"
if [[ $dataset == cifar10 ]]; then
  if [[ -f "$root/data/cifar-10-batches-bin/data_batch_1.bin" ]]; then
    ours_args+=(--data-dir "$root/data/cifar-10-batches-bin")
    peer_args+=(--data-dir "$root/data/cifar-10-batches-bin")
    label="CIFAR-10 32x32 RGB"
  else
    "$bin" synth cifar10 --out "$tmp/pattern" --train "$images" --test 10 2>/dev/null
    ours_args+=(--data-dir "$tmp/pattern")
    peer_args=(--dataset pattern --cifar-dir "$tmp/pattern")
    label="generated 32x32 RGB"
  fi
fi

echo "# Image codec round trips per second ($(nproc) cores, $(date -u +%Y-%m-%d))"
echo
echo "$label, the first $images training images, fastest of $repeat passes; helmholtz on"
echo "$threads threads, Pillow $("$py" -c 'import PIL; print(PIL.__version__)') on $threads processes."
echo
echo "| codec | level | library | bytes/image | helmholtz | per thread | Pillow | per process | ratio |"
echo "|---|---|---|---|---|---|---|---|---|"
codecs=$("$bin" bench codec --help | sed -n 's/.*every codec of this build: \([a-z0-9, ]*\)).*/\1/p' | tr -d ' ')
for codec in ${codecs//,/ }; do
  line=$("$bin" bench codec "${ours_args[@]}" --codecs "$codec" --images "$images" \
         --repeat "$repeat" --threads "$threads" --json | tail -n 1)
  ours=$(field round_trips_per_second <<<"$line")
  quality=$(field quality <<<"$line")
  library=$(field library <<<"$line")
  bytes=$(field mean_bytes <<<"$line")
  case "$codec" in
    jpeg|webp|j2k)
      peer=$("$py" "$root/scripts/bench-codec-peer.py" --codec "$codec" "${peer_args[@]}" \
             --images "$images" --quality "$quality" --processes "$threads" --repeat "$repeat" |
             field round_trips_per_second)
      printf '| %s | %s | %s | %.1f | %.0f | %.0f | %.0f | %.0f | %s |\n' "$codec" "$quality" \
        "$library" "$bytes" "$ours" "$(ratio "$ours" "$threads")" "$peer" \
        "$(ratio "$peer" "$threads")" "$(ratio "$ours" "$peer")" ;;
    *)
      printf '| %s | %s | %s | %.1f | %.0f | %.0f | (no Pillow codec) | | |\n' "$codec" \
        "$quality" "$library" "$bytes" "$ours" "$(ratio "$ours" "$threads")" ;;
  esac
done
