#!/usr/bin/env bash
# The streaming folder loader against torchvision: `helmholtz bench loader` (which runs
# scripts/bench_loader_peer.py, ImageFolder + Pillow + DataLoader, in the same run) for each
# worker count, printed as a markdown table. Without --data-dir it first makes a folder of
# photo-like JPEGs of ImageNet-like sizes (300-500 px a side, quality 90, ~80 KB: gradients,
# shapes, blur, coarse and fine noise, drawn with Pillow) in a temporary folder.
# Usage: scripts/bench-loader.sh [--data-dir D] [--workers "1 2"] [--images 1000]
#        [--repeat 2] [--transform train|eval] [-- more bench loader options, e.g. --quality 50]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${HELMHOLTZ:-$root/build/helmholtz}"
py=/usr/bin/python3
data_dir=""
workers="1 2"
images=1000
repeat=2
transform=train
extra=()
while (($#)); do
  case "$1" in
    --data-dir) data_dir="$2"; shift ;;
    --workers) workers="$2"; shift ;;
    --images) images="$2"; shift ;;
    --repeat) repeat="$2"; shift ;;
    --transform) transform="$2"; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "bench-loader.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -x "$bin" ]] || { echo "bench-loader.sh: build first (scripts/setup.sh): no $bin" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [[ -z "$data_dir" ]]; then
  data_dir="$tmp/photos"
  "$py" - "$data_dir" "$images" <<'PY'
import os, random, sys
from PIL import Image, ImageDraw, ImageFilter
root, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(0)
classes = [f"class{c}" for c in range(10)]
for split, n in (("train", count), ("val", 20)):
    for i in range(n):
        w, h = rng.randint(300, 500), rng.randint(300, 500)
        top = [rng.randint(0, 255) for _ in range(3)]
        bottom = [rng.randint(0, 255) for _ in range(3)]
        im = Image.linear_gradient("L").resize((w, h)).convert("RGB")
        im = Image.merge("RGB", [band.point(lambda v, a=a, b=b: a + (b - a) * v // 255)
                                 for band, a, b in zip(im.split(), top, bottom)])
        draw = ImageDraw.Draw(im)
        for _ in range(rng.randint(3, 8)):
            x, y, r = rng.randint(0, w), rng.randint(0, h), rng.randint(20, 150)
            colour = tuple(rng.randint(0, 255) for _ in range(3))
            (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x - r, y - r, x + r, y + r), fill=colour)
        im = im.filter(ImageFilter.GaussianBlur(rng.uniform(1, 3)))
        # Texture: coarse colour noise (shading) and fine noise (detail), ~80 KB a file as
        # ImageNet's ~110 KB photos.
        coarse = Image.merge("RGB", [Image.effect_noise((w // 8 + 1, h // 8 + 1), 60)
                                     .resize((w, h), Image.BICUBIC) for _ in range(3)])
        fine = Image.merge("RGB", [Image.effect_noise((w, h), 50) for _ in range(3)])
        im = Image.blend(Image.blend(im, coarse, 0.4), fine, 0.3)
        folder = os.path.join(root, split, classes[i % len(classes)])
        os.makedirs(folder, exist_ok=True)
        im.save(os.path.join(folder, f"{i:06d}.jpg"), quality=90)
PY
  made="generated: $images photo-like JPEGs, 300-500 px a side, quality 90, $(du -sh "$data_dir/train" | cut -f1)"
else
  made="$data_dir"
fi

echo "# Streaming loader against torchvision ($(nproc) cores, $(date -u +%Y-%m-%d))"
echo
echo "Data: $made. Transform: $transform, 224 px, batch 64, fastest of $repeat epochs."
echo
echo "| workers | helmholtz images/s | per worker | torchvision images/s | per worker | ratio |"
echo "|---|---|---|---|---|---|"
for w in $workers; do
  line=$("$bin" bench loader --data-dir "$data_dir" --workers "$w" --images "$images" \
         --repeat "$repeat" --transform "$transform" "${extra[@]}" --json | tail -n 1)
  "$py" -c '
import json, sys
j = json.loads(sys.argv[1])
cells = [j["workers"], j["images_per_second"], j["images_per_second_per_worker"],
         j["peer_images_per_second"], j["peer_images_per_second_per_worker"], j["ratio"]]
print("| {} | {:.1f} | {:.1f} | {:.1f} | {:.1f} | {:.2f}x |".format(*cells))' "$line"
done
