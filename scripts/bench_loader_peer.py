#!/usr/bin/python3
"""The peer of `helmholtz bench loader`: torchvision's ImageFolder (Pillow decoding) and a
DataLoader with the same workers, batch size and transforms as ours, timed the same way (each
epoch over the first --images files in a shuffled order, the fastest of --repeat epochs, workers
kept between epochs). Output: uint8 CHW tensors (PILToTensor), as our loader's batches.
Run with /usr/bin/python3 (Debian's python3-torchvision 0.14, Pillow 9.4).

Usage: bench_loader_peer.py --root SPLIT_DIR --workers N --images K [--size 224]
       [--resize 256] [--batch-size 64] [--repeat 2] [--transform train|eval] [--json]
"""

import argparse
import json
import sys
import time

import PIL
import torch
import torchvision
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", required=True, help="a split folder: <root>/<class>/<files>")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--images", type=int, default=2000)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--resize", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--transform", choices=["train", "eval"], default="train")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()

    if a.transform == "train":
        t = transforms.Compose([
            transforms.RandomResizedCrop(a.size),  # scale (0.08, 1), ratio (3/4, 4/3), bilinear
            transforms.RandomHorizontalFlip(),
            transforms.PILToTensor(),
        ])
    else:
        t = transforms.Compose([
            transforms.Resize(a.resize),
            transforms.CenterCrop(a.size),
            transforms.PILToTensor(),
        ])
    folder = datasets.ImageFolder(a.root, transform=t)
    n = min(a.images, len(folder))
    data = Subset(folder, range(n))
    torch.manual_seed(a.seed)
    loader = DataLoader(data, batch_size=a.batch_size, shuffle=True, num_workers=a.workers,
                        persistent_workers=a.workers > 0)
    best = None
    for _ in range(a.repeat):
        start = time.perf_counter()
        count = 0
        for images, labels in loader:
            assert images.dtype == torch.uint8 and images.shape[1:] == (3, a.size, a.size)
            count += images.shape[0]
        seconds = time.perf_counter() - start
        assert count == n
        best = seconds if best is None else min(best, seconds)
    rate = n / best
    result = {
        "peer": f"torchvision {torchvision.__version__}, Pillow {PIL.__version__}",
        "images": n,
        "workers": a.workers,
        "seconds": best,
        "images_per_second": rate,
    }
    if a.json:
        print(json.dumps(result))
    else:
        print(f"torchvision ImageFolder: {n} images, {a.workers} workers: {rate:.1f} images/s")


if __name__ == "__main__":
    sys.exit(main())
