"""Writes scripts/gpu-check.sh's markdown report from the raw results of one run.

    report.py RAW REPORT.md ELAPSED_SECONDS [FAILURE...]

RAW holds what the steps left: facts.txt (key=value), steps.tsv (step, status, seconds, note),
bench/{ours,peer,tuned}-S.out and .status, pack/sS-kK-I.out, train-LABEL.status and
train-LABEL/{summary.json,history.csv,run-dir.txt}, ctest.txt (sections "== ctest -L cuda" and
"== ctest -LE cuda"). Each table says "n/a" or "not run" for what is missing; the failures
passed on the command line end the report.
"""

import csv
import glob
import json
import os
import re
import sys


def read(path, default=""):
    try:
        return open(path, errors="replace").read()
    except OSError:
        return default


def read_facts(raw):
    d = {}
    for line in read(os.path.join(raw, "facts.txt")).splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            d[k] = v
    return d


def last_json(path):
    """The last line of a file that parses as a JSON object (the --json output), or None."""
    for line in reversed(read(path).splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                pass
    return None


def num(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def fmt(v, digits=0):
    v = num(v)
    return "n/a" if v is None else f"{v:,.{digits}f}"


def ratio(a, b):
    a, b = num(a), num(b)
    return "n/a" if a is None or not b else f"{a / b:.2f}x"


def header(f):
    gpu = f.get("device_name") or (f.get("nvidia_smi", "none").split(",")[0].replace("none", "")
                                   or "no GPU (CPU smoke run)")
    out = [f"# GPU check: {gpu}, {f.get('date', '?')}", "",
           "Written by scripts/gpu-check.sh (build against the machine's PyTorch and Debian "
           "bookworm libraries from scripts/gpu-debs.sh, tests, benchmarks).", "",
           "| what | value |", "| --- | --- |"]
    rows = [
        ("GPU (nvidia-smi: name, driver, memory, compute capability)", f.get("nvidia_smi", "none")),
        ("torch", f"{f.get('torch_version', '?')} (CUDA {f.get('torch_cuda', '?')}, cuDNN {f.get('cudnn', '?')}, "
                  f"CXX11 ABI {f.get('cxx11_abi', '?')}) from {f.get('python', '?')} {f.get('python_version', '')}"),
        ("torch sees", f"{f.get('cuda_available', '?')}: {f.get('device_count', '0')} x {f.get('device_name', '-')}"
                       f" ({f.get('device_memory_gib', '?')} GiB, sm {f.get('device_capability', '?')})"),
        ("helmholtz build", f"{f.get('cmake_line', 'n/a')} (torch CMake config: {f.get('torch_cmake', 'n/a')})"),
        ("benchmarks ran on", f"{f.get('device', '?')}" + (" (smoke sizes)" if f.get("smoke") == "1" else "")),
        ("system", f"{f.get('os', '?')}, kernel {f.get('kernel', '?')}, {f.get('nproc', '?')} cores, {f.get('memory', '?')}"),
        ("compiler, C library", f"{f.get('g++', '?')}; {f.get('glibc', '?')}; libstdc++ {f.get('libstdcxx', '?')}"),
        ("tools on the machine", "; ".join(f"{t}: {f.get('tool_' + t, '?')}"
                                           for t in ("cmake", "pkg-config", "ninja", "make", "nvcc"))),
        ("tools used from the .debs", f.get("tools_unpacked", "n/a")),
    ]
    out += [f"| {k} | {str(v).replace('|', '/')} |" for k, v in rows]
    return out + [""]


def benchmarks(raw):
    bench = os.path.join(raw, "bench")
    if not os.path.isdir(bench):
        return []
    missing = read(os.path.join(bench, "tuned-missing.txt")).strip()
    out = ["## Training throughput: helmholtz vs PyTorch (Python)", "",
           "`helmholtz bench train --setting S --device D --images N --epochs E --json` (default "
           "precision) against `scripts/bench-peer.py` with the same arguments (fp32, idiomatic), "
           "and the peer again with `--precision bf16 --channels-last` (tuned)"
           + (f"; this bench-peer.py lacks {missing}, so the tuned peer ran without it" if missing else "")
           + ". Images per second; ratio = helmholtz / peer.", "",
           "| setting | name | helmholtz train img/s | peer fp32 | ratio | peer bf16+CL | ratio | eval ours | eval peer | ratio |",
           "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    notes = set()
    for s in range(6):
        o, p, t = (last_json(os.path.join(bench, f"{kind}-{s}.out")) or {} for kind in ("ours", "peer", "tuned"))
        if not (o or p or t) and not os.path.exists(os.path.join(bench, f"ours-{s}.status")):
            out.append(f"| {s} | not run (time) | | | | | | | | |")
            continue
        name = o.get("name") or p.get("name") or "?"
        ot, pt, tt = (x.get("train_images_per_second") for x in (o, p, t))
        oe, pe = o.get("eval_images_per_second"), p.get("eval_images_per_second")
        out.append(f"| {s} | {name} | {fmt(ot)} | {fmt(pt)} | {ratio(ot, pt)} | {fmt(tt)} | {ratio(ot, tt)} "
                   f"| {fmt(oe)} | {fmt(pe)} | {ratio(oe, pe)} |")
        if o:
            notes.add(f"helmholtz: device {o.get('device_name', o.get('device', '?'))}, precision "
                      f"{o.get('precision', 'n/a')}, CUDA graphs {o.get('cuda_graphs', 'n/a')}, "
                      f"channels last {o.get('channels_last', 'n/a')}, batch {o.get('batch_size', 'n/a')}")
        if t:
            notes.add(f"tuned peer: precision {t.get('precision', 'n/a')}, channels last {t.get('channels_last', 'n/a')}")
    return out + [""] + [f"- {n}" for n in sorted(notes)] + [""]


def packing(raw, f):
    pack = os.path.join(raw, "pack")
    if not os.path.isdir(pack):
        return []
    where = "on GPU 0" if f.get("device") == "cuda" else "on the CPU, one thread each (smoke run)"
    out = ["## Several trainings on one GPU (`--jobs-per-gpu`)", "",
           f"K concurrent `helmholtz bench train --setting S` processes {where}; aggregate = "
           "sum of their training images per second."]
    for s in (0, 5):
        files = glob.glob(os.path.join(pack, f"s{s}-k*-*.out"))
        if not files:
            out += ["", f"Setting {s}: not run (time)."]
            continue
        out += ["", f"Setting {s}:", "", "| K | aggregate img/s | per process | relative to K=1 |",
                "| ---: | ---: | ---: | ---: |"]
        base = None
        for k in sorted({int(re.search(r"-k(\d+)-", x).group(1)) for x in files}):
            rates = [num((last_json(os.path.join(pack, f"s{s}-k{k}-{i}.out")) or {}).get("train_images_per_second"))
                     for i in range(1, k + 1)]
            ok = [r for r in rates if r is not None]
            if len(ok) < k:
                out.append(f"| {k} | n/a ({k - len(ok)} of {k} failed) | n/a | n/a |")
                continue
            agg = sum(ok)
            if k == 1:
                base = agg
            out.append(f"| {k} | {fmt(agg)} | {fmt(agg / k)} | {ratio(agg, base)} |")
    return out + [""]


def training(raw):
    labels = ("default", "fp32")
    if not any(os.path.exists(os.path.join(raw, f"train-{label}.status")) for label in labels):
        return []
    out = ["## Training all-cnns on a generated CIFAR-format set (quality 50)", "",
           "| run | precision | CUDA graphs | train images | epoch seconds | images/s | val_acc per epoch | wall s |",
           "| --- | --- | --- | ---: | --- | ---: | --- | ---: |"]
    folders = []
    for label in labels:
        d = os.path.join(raw, f"train-{label}")
        status = read(os.path.join(raw, f"train-{label}.status")).strip()
        if not status or status == "skipped":
            out.append(f"| {label} | skipped (time) | | | | | | |")
            continue
        try:
            summary = json.load(open(os.path.join(d, "summary.json")))
        except (OSError, ValueError):
            summary = {}
        secs, accs = [], []
        try:
            for row in csv.DictReader(open(os.path.join(d, "history.csv"))):
                secs.append(float(row.get("seconds", "nan")))
                accs.append(float(row.get("val_acc", "nan")))
        except (OSError, ValueError):
            pass
        wall = status.split()[1] if len(status.split()) > 1 else "?"
        if not summary and not secs:
            out.append(f"| {label} | failed (exit {status.split()[0]}) | | | | | | {wall} |")
            continue
        out.append(f"| {label} | {summary.get('precision', 'n/a')} | {summary.get('cuda_graphs', 'n/a')} "
                   f"| {fmt(summary.get('train_samples'))} | {', '.join(f'{x:.1f}' for x in secs) or 'n/a'} "
                   f"| {fmt(summary.get('train_samples_per_second'))} | {', '.join(f'{x:.3f}' for x in accs) or 'n/a'} | {wall} |")
        folder = read(os.path.join(d, "run-dir.txt")).strip()
        if folder:
            folders.append(f"- {label}: run folder `{folder}` (summary.json schema {summary.get('schema', 1)})")
    return out + [""] + (folders + [""] if folders else [])


def tests(raw):
    ctest = read(os.path.join(raw, "ctest.txt"), None)
    if ctest is None:
        return []
    out = ["## Test suite (ctest -j8: `-L cuda` first, then `-LE cuda`)", ""]
    summary = [l for l in ctest.splitlines() if re.search(r"^== ctest|tests passed|tests failed|Total Test time", l)]
    result = r"Test +#\d+: (\S+) \.+\s*\**(\w+)"
    results = re.findall(result, ctest)
    counts = {k: sum(1 for _, r in results if r == k) for k in ("Passed", "Failed", "Skipped")}
    # The CUDA tests: those of the "== ctest -L cuda" section (the tests labelled cuda).
    cuda = []
    for section in re.split(r"^(?=== ctest )", ctest, flags=re.M):
        if section.startswith("== ctest -L cuda"):
            cuda += re.findall(result, section)
    out.append("```")
    out.extend(summary)
    out.append(f"counted in the output: {counts['Passed']} passed, {counts['Failed']} failed, "
               f"{counts['Skipped']} skipped")
    out.extend(l.strip() for l in ctest.splitlines()
               if re.match(r"\s*\d+ - .*\((Failed|Timeout|SEGFAULT|Subprocess|Not Run|Exception)", l))
    out.append("```")
    if cuda:
        out += ["", "CUDA tests: " + ", ".join(f"{n} {r}" for n, r in cuda)]
    return out + [""]


def steps(raw, elapsed, failures):
    out = ["## Steps", "", "| step | status | seconds | note |", "| --- | --- | ---: | --- |"]
    for line in read(os.path.join(raw, "steps.tsv")).splitlines():
        parts = (line.split("\t") + ["", "", "", ""])[:4]
        out.append("| " + " | ".join(p.replace("|", "/") for p in parts) + " |")
    out += [f"| total | | {elapsed} | |", ""]
    if failures:
        out += ["## Failures", ""] + [f"- {x}" for x in failures] + [""]
    return out


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: report.py RAW REPORT.md ELAPSED_SECONDS [FAILURE...]")
    raw, md_path, elapsed, failures = argv[0], argv[1], argv[2], argv[3:]
    f = read_facts(raw)
    out = header(f) + benchmarks(raw) + packing(raw, f) + training(raw) + tests(raw) + steps(raw, elapsed, failures)
    open(md_path, "w").write("\n".join(out))
    print(f"wrote {md_path}")


if __name__ == "__main__":
    main(sys.argv[1:])
