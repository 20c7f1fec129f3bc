#!/usr/bin/env python3
"""Measures what --protocol reference changes against --protocol corrected, side by side.

  scripts/protocol_effect.py [--binary build/helmholtz] [--out DIR] [--seeds 0-4] ...

1. Codec: bytes and PSNR per JPEG quality of the image dataset's test split (--image-dataset,
   default fashion-mnist; cifar10 where it is downloaded), coded upright
   (corrected) and transposed (reference), from `helmholtz compress --json`.
2. Images: a sweep of that dataset at a few qualities x seeds under each protocol, with the
   small network of docs/results/protocol-effect/small-cnn.toml.
3. Audio: the same on a generated IDMT-SMT-Audio-Effects stand-in (`helmholtz synth`).

Each run's accuracy is its last epoch's val_acc with a 95% Wilson interval over its validation
samples; per level, the mean over seeds with a 95% t-interval; and the difference reference -
corrected paired by seed (a seed fixes the initial weights in both protocols), with its 95%
t-interval. Writes protocol-effect.md and protocol-effect.csv into --out and prints the tables.
Only the standard library: the t quantiles are tabulated below.
"""

import argparse
import csv
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

# Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom.
T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
       2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
       2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
PROTOCOLS = ("corrected", "reference")


def wilson(hits, n, z=1.959964):
    if n == 0:
        return (0.0, 1.0)
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half, centre + half)


def mean_ci(values):
    m = statistics.mean(values)
    if len(values) < 2:
        return m, float("nan")
    half = T95[min(len(values) - 1, len(T95)) - 1] * statistics.stdev(values) / math.sqrt(len(values))
    return m, half


def seeds_of(text):
    out = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def run(cmd, log):
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log.write("+ " + " ".join(cmd) + "\n" + r.stdout + "\n")
    if r.returncode != 0:
        sys.exit("failed (exit %d): %s\n%s" % (r.returncode, " ".join(cmd), r.stdout[-2000:]))
    return r.stdout


def json_at_end(text):
    return json.loads(text[text.rfind("\n{") + 1:] if "\n{" in text else text)


def codec_table(args, log):
    rows = []
    for q in args.codec_qualities.split(","):
        figures = {}
        for protocol in PROTOCOLS:
            out = run([args.binary, "compress", "--dataset", args.image_dataset, "--quality", q,
                       "--protocol", protocol, "--threads", "0", "--json"], log)
            figures[protocol] = json_at_end(out)["test"]
        c, r = figures["corrected"], figures["reference"]
        rows.append({"quality": q, "images": c["images"],
                     "bytes_corrected": c["mean_bytes"], "bytes_reference": r["mean_bytes"],
                     "psnr_corrected": c["mean_psnr"], "psnr_reference": r["mean_psnr"]})
    return rows


def sweep(args, log, dataset, levels_option, levels, network, extra, root):
    for protocol in PROTOCOLS:
        run([args.binary, "sweep", "--dataset", dataset, levels_option, levels,
             "--seeds", args.seeds, "--protocol", protocol] + network +
            ["--epochs", str(args.epochs),
             "--jobs", str(args.jobs), "--threads", "1", "--device", "cpu",
             "--log-root", root] + extra, log)


def read_runs(root, dataset):
    runs = []
    for folder, _, files in os.walk(os.path.join(root, dataset)):
        if "summary.json" not in files:
            continue
        with open(os.path.join(folder, "summary.json")) as f:
            s = json.load(f)
        with open(os.path.join(folder, "history.csv")) as f:
            history = list(csv.DictReader(f))
        last = float(history[-1]["val_acc"])
        n = s["validation_samples"]
        runs.append({"protocol": s["protocol"], "level": s[s["level_option"]], "seed": s["seed"],
                     "val_acc": last, "n": n, "hits": round(last * n),
                     "bits": s["bits_per_sample"], "train": s["train_samples"],
                     "steps": s["train_steps_per_epoch"], "wall": s["wall_seconds"]})
    return runs


def accuracy_rows(runs, levels):
    rows = []
    for level in levels.split(","):
        by = {p: {r["seed"]: r for r in runs if r["protocol"] == p and r["level"] == level}
              for p in PROTOCOLS}
        seeds = sorted(set(by["corrected"]) & set(by["reference"]))
        if not seeds:
            continue
        row = {"level": level, "seeds": len(seeds)}
        for p in PROTOCOLS:
            accs = [by[p][s]["val_acc"] for s in seeds]
            row[p] = mean_ci(accs)
            one = by[p][seeds[0]]
            row[p + "_wilson"] = wilson(one["hits"], one["n"])
            row[p + "_n"] = one["n"]
            row[p + "_train"] = one["train"]
            row[p + "_steps"] = one["steps"]
        row["difference"] = mean_ci([by["reference"][s]["val_acc"] - by["corrected"][s]["val_acc"]
                                     for s in seeds])
        rows.append(row)
    return rows


def pct(x):
    return "%.1f" % (100 * x)


def ci(m_h):
    m, h = m_h
    return "%s ± %s" % (pct(m), pct(h)) if not math.isnan(h) else pct(m)


def accuracy_md(title, level_name, rows):
    md = ["", "### " + title, "",
          "| %s | seeds | training / validation samples (corr., ref.) | steps per epoch (corr., ref.) "
          "| corrected val_acc %% | reference val_acc %% | reference - corrected, paired (points) |"
          % level_name,
          "|---|---|---|---|---|---|---|"]
    for r in rows:
        md.append("| %s | %d | %d / %d, %d / %d | %d, %d | %s | %s | %s |" % (
            r["level"], r["seeds"], r["corrected_train"], r["corrected_n"], r["reference_train"],
            r["reference_n"], r["corrected_steps"], r["reference_steps"], ci(r["corrected"]),
            ci(r["reference"]), ci(r["difference"])))
    if rows:
        w = rows[0]["corrected_wilson"]
        md += ["", "One run's own 95%% Wilson interval over its %d validation samples is about "
               "±%s points (seed %s's corrected run at %s: %s-%s%%)." % (
                   rows[0]["corrected_n"], pct((w[1] - w[0]) / 2), "0", rows[0]["level"],
                   pct(w[0]), pct(w[1]))]
    return md


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root_dir = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(root_dir, "build", "helmholtz"))
    ap.add_argument("--out", default=os.path.join(root_dir, "docs", "results", "protocol-effect"))
    ap.add_argument("--work", default=None, help="run folders (default: a temporary folder)")
    ap.add_argument("--architecture",
                    default=os.path.join(root_dir, "docs", "results", "protocol-effect",
                                         "small-cnn.toml"))
    ap.add_argument("--image-dataset", default="fashion-mnist", help="fashion-mnist or cifar10")
    ap.add_argument("--codec-qualities", default="1,5,10,25,50,75,100")
    ap.add_argument("--qualities", default="5,25,raw")
    ap.add_argument("--bitrates", default="32")
    ap.add_argument("--seeds", default="0-4")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--train-size", default="20000")
    ap.add_argument("--val-size", default="5000")
    ap.add_argument("--per-class", default="40", help="generated audio clips per class")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--audio-setting", default="0", help="the audio network (built-in setting)")
    ap.add_argument("--skip-audio", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    work = args.work or tempfile.mkdtemp(prefix="helmholtz-protocol-")
    os.makedirs(work, exist_ok=True)
    start = time.time()
    with open(os.path.join(work, "protocol-effect.log"), "w") as log:  # holds local paths
        codec = codec_table(args, log)
        sweep(args, log, args.image_dataset, "--qualities", args.qualities,
              ["--architecture", args.architecture],
              ["--train-size", args.train_size, "--val-size", args.val_size], work)
        image_runs = read_runs(work, args.image_dataset)
        images = accuracy_rows(image_runs, args.qualities)
        audio_runs = []
        audio = []
        if not args.skip_audio:
            audio_set = os.path.join(work, "audio-set")
            run([args.binary, "synth", "audio-effects", "--out", audio_set, "--per-class",
                 args.per_class, "--seed", "1"], log)
            sweep(args, log, "audio-effects", "--bitrates", args.bitrates,
                  ["--settings", args.audio_setting],
                  ["--data-dir", audio_set, "--cache-dir", os.path.join(work, "cache")], work)
            audio_runs = read_runs(work, "audio-effects")
            audio = accuracy_rows(audio_runs, args.bitrates)
    # The runs' own wall time, summed (a rerun skips finished runs, so not this call's time).
    minutes = sum(r["wall"] for r in image_runs + audio_runs) / 60
    del start

    md = ["# --protocol reference against --protocol corrected, measured", "",
          "Written by `scripts/protocol_effect.py` (%.0f minutes of training, two runs at a time "
          "on two CPU cores; "
          "seeds %s, %d epochs; %s's first %s training and %s test images with `%s`; "
          "a generated audio set of %s clips per class with setting %s)." % (
              minutes, args.seeds, args.epochs, args.image_dataset, args.train_size, args.val_size,
              os.path.basename(args.architecture), args.per_class, args.audio_setting),
          "", "### JPEG of %s's test split (%d images): upright vs transposed" %
          (args.image_dataset, codec[0]["images"]), "",
          "| quality | bytes, corrected | bytes, reference | difference | PSNR dB, corrected "
          "| PSNR dB, reference |", "|---|---|---|---|---|---|"]
    for r in codec:
        md.append("| %s | %.1f | %.1f | %+.2f%% | %.2f | %.2f |" % (
            r["quality"], r["bytes_corrected"], r["bytes_reference"],
            100 * (r["bytes_reference"] / r["bytes_corrected"] - 1), r["psnr_corrected"],
            r["psnr_reference"]))
    md += accuracy_md(args.image_dataset + ", last-epoch val_acc (mean ± 95% t-interval over seeds)",
                      "quality", images)
    if audio:
        md += accuracy_md("Generated audio effects, last-epoch val_acc (mean ± 95% t-interval "
                          "over seeds)", "bitrate", audio)
    text = "\n".join(md) + "\n"
    with open(os.path.join(args.out, "protocol-effect.md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, "protocol-effect.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["part", "level", "protocol", "mean_val_acc", "ci95_half", "seeds",
                    "paired_difference", "difference_ci95_half"])
        for part, rows in ((args.image_dataset, images), ("audio-effects", audio)):
            for r in rows:
                for p in PROTOCOLS:
                    w.writerow([part, r["level"], p, "%.4f" % r[p][0], "%.4f" % r[p][1],
                                r["seeds"], "%.4f" % r["difference"][0],
                                "%.4f" % r["difference"][1]])
    print(text)


if __name__ == "__main__":
    main()
