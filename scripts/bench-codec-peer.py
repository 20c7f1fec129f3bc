#!/usr/bin/python3
"""Pillow peer of `helmholtz bench codec`: in-memory encode + decode round trips per second.

Reads the same images as our benchmark (the first N training images, as bench-jpeg-peer.py reads
them), gives every one of --processes worker processes (all cores by default, as ours uses all
threads) a copy before the timing, then times passes in which each worker takes its share and,
for each image: Image.frombytes -> save(BytesIO, FORMAT, ...) -> Image.open
-> np.asarray (grayscale back to "L", as our decoder gives it). The codecs Pillow has:
  jpeg  save(format="JPEG", quality=Q)                       (4:2:0, baseline: Pillow's defaults)
  webp  save(format="WEBP", quality=Q)                       (lossy, method 4: Pillow's defaults)
  j2k   save(format="JPEG2000", no_jp2=True, quality_mode="dB", quality_layers=[Q],
             num_resolutions=min(6, floor(log2(min(w, h))) + 1))   (a J2K codestream, 5/3)
Prints one JSON line: {"codec", "round_trips_per_second", "processes", "images", "mean_bytes"}.

  /usr/bin/python3 scripts/bench-codec-peer.py --codec webp --dataset fashion-mnist --quality 50
"""

import argparse
import importlib
import io
import json
import math
import multiprocessing
import os
import sys
import time

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
images_of = importlib.import_module("bench-jpeg-peer")  # one reader of the datasets

FORMATS = {"jpeg": "JPEG", "webp": "WEBP", "j2k": "JPEG2000"}


def save_options(codec, quality, width, height):
    if codec == "j2k":
        resolutions = min(6, int(math.floor(math.log2(min(width, height)))) + 1)
        return {"no_jp2": True, "quality_mode": "dB", "quality_layers": [quality],
                "num_resolutions": resolutions}
    return {"quality": quality}


_images = None  # each worker's copy of all the images, set once by the pool's initializer


def keep_images(images):
    global _images
    _images = images


def round_trips(job):
    """One worker's pass: (seconds, total bytes) over its part of the images."""
    codec, quality, begin, end = job
    images = _images[begin:end]
    mode = "RGB" if images.ndim == 4 else "L"
    size = (images.shape[2], images.shape[1])
    options = save_options(codec, quality, *size)
    total_bytes = 0
    start = time.perf_counter()
    for pixels in images:
        buffer = io.BytesIO()
        Image.frombytes(mode, size, pixels.tobytes()).save(buffer, format=FORMATS[codec],
                                                            **options)
        total_bytes += buffer.tell()
        buffer.seek(0)
        decoded = Image.open(buffer)
        np.asarray(decoded if decoded.mode == mode else decoded.convert(mode))
    return time.perf_counter() - start, total_bytes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codec", choices=sorted(FORMATS), required=True)
    parser.add_argument("--dataset", choices=["cifar10", "fashion-mnist", "pattern"],
                        default="fashion-mnist")
    parser.add_argument("--data-dir", help="dataset folder (default: the dataset's own)")
    parser.add_argument("--cifar-dir", help="a CIFAR-10-format folder (required for pattern)")
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--quality", type=int, default=50)
    parser.add_argument("--processes", type=int, default=os.cpu_count())
    parser.add_argument("--repeat", type=int, default=1, help="passes; the fastest counts")
    args = parser.parse_args()
    if args.images < 1 or args.repeat < 1 or args.processes < 1:
        images_of.fail("--images, --repeat and --processes must be positive")

    if args.dataset == "fashion-mnist":
        images = images_of.read_fashion_mnist(
            args.data_dir or images_of.DEFAULT_DIRS["fashion-mnist"], args.images)
    else:
        folder = args.cifar_dir or args.data_dir or images_of.DEFAULT_DIRS.get(args.dataset)
        if folder is None:
            images_of.fail("--dataset pattern needs --cifar-dir DIR")
        images = images_of.read_cifar(folder, args.images)

    # The images reach each worker once, before the timing: a pass sends only index ranges.
    bounds = np.linspace(0, len(images), args.processes + 1).astype(int)
    jobs = [(args.codec, args.quality, int(b), int(e)) for b, e in zip(bounds, bounds[1:]) if e > b]
    best = None
    with multiprocessing.Pool(len(jobs), initializer=keep_images, initargs=(images,)) as pool:
        for _ in range(args.repeat):
            start = time.perf_counter()
            results = pool.map(round_trips, jobs)
            seconds = time.perf_counter() - start  # wall time of the whole pass, as ours
            total = sum(b for _, b in results)
            if best is None or seconds < best[0]:
                best = (seconds, total)
    print(json.dumps({"codec": args.codec,
                      "round_trips_per_second": len(images) / best[0],
                      "processes": len(jobs),
                      "images": len(images),
                      "mean_bytes": best[1] / len(images)}))


if __name__ == "__main__":
    main()
