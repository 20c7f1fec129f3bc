#!/usr/bin/python3
"""Idiomatic PyTorch (Python) peer of helmholtz's training benchmark.

The same six image networks as src/models/architecture.cpp (a layer table per setting and one
builder; TensorFlow 'same' padding; Glorot-uniform weights, zero biases) trained with the same
recipe (SGD lr 0.01, momentum 0.9, Nesterov, Keras decay lr0 / (1 + 1e-6 * step); softmax
cross-entropy; batch 128; random sub-pixel shift up to 10% + horizontal flip per batch), on
synthetic uint8 images served by a DataLoader, the way a PyTorch user would write it.

Measures training images per second (data loading, augmentation, forward, backward, step) and
evaluation images per second (eval mode, no_grad, batch 1000) over the same images.
On CUDA the DataLoader pins its batches and copies them asynchronously, as the PyTorch docs
advise. --precision bf16 (torch.autocast) and --channels-last make a tuned peer; the default is
the idiomatic float32 script.

Runs on Debian's /usr/bin/python3 with python3-torch 1.13. Example:
    /usr/bin/python3 scripts/bench-peer.py --setting 0 --images 512 --epochs 1 --json
"""

import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

# --- Architectures as data (REFERENCE.md section 1) ------------------------------------------

CLASSES = 0  # units written as 0 stand for the class count, filled in by the builder
DROPOUT = 0.5


def conv(kernel, filters, stride=1, same=True):
    return ("conv", kernel, filters, stride, same)


def relu():
    return ("relu",)


def dropout(rate=DROPOUT):
    return ("dropout", rate)


def dense(units):
    return ("dense", units)


def stem():
    return [conv(3, 32), relu(), conv(3, 64), relu(), conv(3, 128, 2), dropout()]


def block():
    return [conv(3, 128), relu(), conv(3, 128), relu(), conv(3, 128, 2), dropout()]


def conv_head():
    return [conv(3, 128), relu(), conv(1, 128, same=False), relu(),
            conv(1, CLASSES, same=False), ("global_avg_pool",)]


def dense_head(*units):
    layers = [("flatten",)]
    for u in units:
        layers += [dense(u), relu(), dropout()]
    return layers + [dense(CLASSES), relu()]  # the reference's final ReLU, kept


ARCHITECTURES = [
    ("all-cnns", stem() + block() + conv_head()),
    ("cnns-dense-64", stem() + block() + dense_head(64, 256)),
    ("all-cnnsx2", stem() + block() + block() + conv_head()),
    ("cnns-x2-dense-128", stem() + block() + block() + dense_head(128, 256)),
    ("cnns-dense-128", stem() + block() + dense_head(128, 256)),
    ("cnns-dense-128-256", stem() + block() + dense_head(128, 256, 256)),
]

# The reference's model summaries for 3x32x32 input and 10 classes.
EXPECTED_PARAMETERS = [701386, 1079562, 1144138, 1276618, 1620298, 1686090]


def tf_same_padding(size, kernel, stride):
    """TensorFlow 'same': output ceil(size / stride), the odd pixel of padding goes after."""
    out = (size + stride - 1) // stride
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def glorot_(layer):
    # xavier_uniform_ uses fan_in = in * k * k and fan_out = out * k * k, as Keras does.
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def build(table, channels=3, height=32, width=32, num_classes=10):
    layers = []
    flat = None  # feature count once flattened
    for spec in table:
        kind = spec[0]
        if kind == "conv":
            _, k, units, stride, same = spec
            out = units or num_classes
            if same:
                top, bottom = tf_same_padding(height, k, stride)
                left, right = tf_same_padding(width, k, stride)
                if top == bottom and left == right:
                    padding = (top, left)
                else:
                    layers.append(nn.ZeroPad2d((left, right, top, bottom)))
                    padding = 0
                height, width = -(-height // stride), -(-width // stride)
            else:
                padding = 0
                height, width = (height - k) // stride + 1, (width - k) // stride + 1
            layers.append(glorot_(nn.Conv2d(channels, out, k, stride=stride, padding=padding)))
            channels = out
        elif kind == "relu":
            layers.append(nn.ReLU())
        elif kind == "dropout":
            layers.append(nn.Dropout(spec[1]))
        elif kind == "flatten":
            layers.append(nn.Flatten())
            flat = channels * height * width
        elif kind == "global_avg_pool":
            layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
            flat = channels
        elif kind == "dense":
            out = spec[1] or num_classes
            layers.append(glorot_(nn.Linear(flat, out)))
            flat = out
        else:
            raise ValueError(f"unknown layer {spec}")
    return nn.Sequential(*layers)


def count_parameters(model):
    return sum(p.numel() for p in model.parameters()) + sum(
        b.numel() for name, b in model.named_buffers() if not name.endswith("num_batches_tracked"))


# --- Augmentation (Keras ImageDataGenerator: width/height shift 0.1, horizontal flip) ---------

def augment(x, shift=0.1):
    """Random real-valued shift up to `shift` of the size, bilinear, edges repeated; h-flip."""
    n, _, h, w = x.shape
    # Pixel shifts, uniform in [-shift*size, shift*size]; with align_corners=True one pixel is
    # 2 / (size - 1) in the grid's normalised coordinates.
    tx = (torch.rand(n, device=x.device) * 2 - 1) * shift * w * 2 / (w - 1)
    ty = (torch.rand(n, device=x.device) * 2 - 1) * shift * h * 2 / (h - 1)
    theta = torch.zeros(n, 2, 3, device=x.device)
    theta[:, 0, 0] = 1
    theta[:, 1, 1] = 1
    theta[:, 0, 2] = tx
    theta[:, 1, 2] = ty
    grid = F.affine_grid(theta, list(x.shape), align_corners=True)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=True)
    flip = torch.rand(n, device=x.device) < 0.5
    return torch.where(flip[:, None, None, None], x.flip(3), x)


# --- Benchmark ---------------------------------------------------------------------------------

def device_name(device):
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setting", type=int, required=True, choices=range(6), metavar="S",
                        help="architecture 0..5")
    parser.add_argument("--images", type=int, default=2048)
    parser.add_argument("--channels", type=int, default=3, choices=(1, 3))
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs")
    parser.add_argument("--warmup-steps", type=int, default=3, help="untimed steps first")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--precision", choices=("fp32", "bf16"), default="fp32",
                        help="bf16: torch.autocast to bfloat16 (float32 weights)")
    parser.add_argument("--channels-last", action="store_true",
                        help="NHWC memory layout for weights and batches")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.images < 1 or args.batch_size < 1 or args.threads < 1 or args.epochs < 1:
        parser.error("--images, --batch-size, --threads and --epochs must be >= 1")
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: this torch has no CUDA device")

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = torch.device(args.device)
    name, table = ARCHITECTURES[args.setting]
    model = build(table, channels=args.channels).to(device)
    layout = torch.channels_last if args.channels_last else torch.contiguous_format
    model = model.to(memory_format=layout)
    parameters = count_parameters(model)
    expected = EXPECTED_PARAMETERS[args.setting] - (3 - args.channels) * 9 * 32
    if parameters != expected:
        sys.exit(f"{name}: {parameters} parameters, the reference has {expected}")

    images = torch.randint(0, 256, (args.images, args.channels, 32, 32), dtype=torch.uint8)
    labels = torch.randint(0, 10, (args.images,), dtype=torch.int64)
    loader = DataLoader(TensorDataset(images, labels), batch_size=args.batch_size, shuffle=True,
                        num_workers=0, pin_memory=device.type == "cuda")
    autocast_dtype = torch.bfloat16 if args.precision == "bf16" else None

    def autocast():
        return torch.autocast(device.type, dtype=autocast_dtype,
                              enabled=autocast_dtype is not None)

    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    # Keras "decay": lr_t = lr0 / (1 + 1e-6 * t), t = optimizer steps so far.
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 / (1.0 + 1e-6 * step))
    loss_fn = nn.CrossEntropyLoss()

    def train_step(x, y):
        x = x.to(device, non_blocking=True).float().div_(255)
        y = y.to(device, non_blocking=True)
        x = augment(x).contiguous(memory_format=layout)
        optimizer.zero_grad(set_to_none=True)
        with autocast():
            loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        return loss

    model.train()
    steps = 0
    while steps < args.warmup_steps:
        for x, y in loader:
            train_step(x, y)
            steps += 1
            if steps == args.warmup_steps:
                break
    synchronize(device)

    trained = 0
    start = time.perf_counter()
    for _ in range(args.epochs):
        for x, y in loader:
            loss = train_step(x, y)
            trained += x.shape[0]
    loss = loss.item()  # waits for the device
    synchronize(device)
    train_seconds = time.perf_counter() - start
    if not math.isfinite(loss):
        sys.exit(f"{name}: training loss is {loss}")

    model.eval()
    eval_batch = 1000
    with torch.no_grad(), autocast():
        model(images[:eval_batch].to(device).float().div_(255))  # warm-up, untimed
        synchronize(device)
        start = time.perf_counter()
        correct = 0
        for i in range(0, args.images, eval_batch):
            x = images[i:i + eval_batch].to(device).float().div_(255)
            x = x.contiguous(memory_format=layout)
            y = labels[i:i + eval_batch].to(device)
            correct += (model(x).argmax(1) == y).sum()
        correct = int(correct)
        synchronize(device)
        eval_seconds = time.perf_counter() - start

    result = {
        "setting": args.setting,
        "name": name,
        "device": args.device,
        "device_name": device_name(device),
        "threads": args.threads,
        "precision": args.precision,
        "channels_last": args.channels_last,
        "train_images_per_second": trained / train_seconds,
        "eval_images_per_second": args.images / eval_seconds,
        "parameters": parameters,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{name} (setting {args.setting}, {parameters:,} parameters) on {args.device}, "
              f"{args.threads} threads: train {result['train_images_per_second']:.1f} images/s, "
              f"eval {result['eval_images_per_second']:.1f} images/s")


if __name__ == "__main__":
    main()
