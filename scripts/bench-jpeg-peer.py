#!/usr/bin/python3
"""Pillow peer of `helmholtz bench jpeg`: in-memory JPEG encode + decode round trips per second.

Reads the same images as our benchmark (the first N training images), then, in one process on
one core, for each image: Image.frombytes -> save(BytesIO, "JPEG", quality=Q) with Pillow's
defaults (4:2:0 for RGB, baseline, no optimize) -> Image.open -> np.asarray. Prints one JSON
line: {"round_trips_per_second": ..., "images": ..., "mean_bytes": ...}.

  /usr/bin/python3 scripts/bench-jpeg-peer.py --dataset fashion-mnist --images 10000 --quality 50
  /usr/bin/python3 scripts/bench-jpeg-peer.py --dataset pattern --cifar-dir DIR
"""

import argparse
import gzip
import io
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

CIFAR_RECORD = 3073
CIFAR_TRAIN = [f"data_batch_{i}.bin" for i in range(1, 6)]
DEFAULT_DIRS = {"cifar10": "data/cifar-10-batches-bin",
                "fashion-mnist": "/usr/share/datasets/fashion-mnist"}


def fail(message):
    sys.exit(f"bench-jpeg-peer: error: {message}")


def read_cifar(folder, n):
    """First n training images of a CIFAR-10-format folder, as (n, 32, 32, 3) uint8 HWC."""
    records = []
    for name in CIFAR_TRAIN:
        path = Path(folder) / name
        if not path.is_file():
            fail(f"missing {path}: fetch CIFAR-10 with scripts/fetch-cifar10.sh, or write a "
                 f"pattern folder with `helmholtz synth cifar10 --out DIR`")
        data = np.fromfile(path, dtype=np.uint8)
        if data.size % CIFAR_RECORD:
            fail(f"{path} is not a whole number of {CIFAR_RECORD}-byte records")
        records.append(data.reshape(-1, CIFAR_RECORD))
        if sum(len(r) for r in records) >= n:
            break
    pixels = np.concatenate(records)[:n, 1:]
    return np.ascontiguousarray(pixels.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))


def read_fashion_mnist(folder, n):
    """First n training images, zero-padded from 28x28 to 32x32, as (n, 32, 32) uint8."""
    path = Path(folder) / "train-images-idx3-ubyte.gz"
    if not path.is_file():
        fail(f"missing {path}: apt-get install dataset-fashion-mnist")
    data = np.frombuffer(gzip.open(path).read(), dtype=np.uint8)
    if int.from_bytes(data[:4].tobytes(), "big") != 0x803:
        fail(f"{path} is not an IDX images file")
    count, rows, cols = (int.from_bytes(data[i:i + 4].tobytes(), "big") for i in (4, 8, 12))
    images = data[16:16 + count * rows * cols].reshape(count, rows, cols)[:n]
    return np.pad(images, ((0, 0), (2, 2), (2, 2)))


def round_trips(images, quality):
    """Returns (seconds, total JPEG bytes) for one encode + decode pass over all images."""
    mode = "RGB" if images.ndim == 4 else "L"
    size = (images.shape[2], images.shape[1])
    total_bytes = 0
    start = time.perf_counter()
    for pixels in images:
        buffer = io.BytesIO()
        Image.frombytes(mode, size, pixels.tobytes()).save(buffer, format="JPEG", quality=quality)
        total_bytes += buffer.tell()
        buffer.seek(0)
        np.asarray(Image.open(buffer))
    return time.perf_counter() - start, total_bytes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=["cifar10", "fashion-mnist", "pattern"],
                        default="fashion-mnist")
    parser.add_argument("--data-dir", help="dataset folder (default: the dataset's own)")
    parser.add_argument("--cifar-dir", help="a CIFAR-10-format folder (required for pattern)")
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--quality", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=1, help="passes; the fastest counts")
    args = parser.parse_args()
    if not 1 <= args.quality <= 100:
        fail(f"--quality {args.quality} is not in 1..100")
    if args.images < 1 or args.repeat < 1:
        fail("--images and --repeat must be positive")

    if args.dataset == "fashion-mnist":
        images = read_fashion_mnist(args.data_dir or DEFAULT_DIRS["fashion-mnist"], args.images)
    else:
        folder = args.cifar_dir or args.data_dir or DEFAULT_DIRS.get(args.dataset)
        if folder is None:
            fail("--dataset pattern needs --cifar-dir DIR (from `helmholtz synth cifar10 --out DIR`)")
        images = read_cifar(folder, args.images)

    seconds, total_bytes = min(round_trips(images, args.quality) for _ in range(args.repeat))
    print(json.dumps({"round_trips_per_second": len(images) / seconds,
                      "images": len(images),
                      "mean_bytes": total_bytes / len(images)}))


if __name__ == "__main__":
    main()
