"""The device run's measuring steps: the CUDA tests, the doctor, the benchmark against the
PyTorch (Python) peer, several trainings on one GPU, and a short training run. Each step is a
function of the runner, the shared context (steps.Context) and its seconds that returns
(status, note), and puts what it measured into runner.state under its own key.
"""

import csv
import glob
import json
import os
import re
import shutil
import time

CUDA_TESTS_DEFAULT = "Cuda*:*.*Cuda*"


# --- cuda-tests -----------------------------------------------------------------------------------
def cuda_filter(root):
    try:
        m = re.search(r'set\(HELMHOLTZ_CUDA_TESTS\s+"([^"]+)"\)', open(os.path.join(root, "CMakeLists.txt")).read())
        return m.group(1) if m else CUDA_TESTS_DEFAULT
    except OSError:
        return CUDA_TESTS_DEFAULT


def parse_gtest(out):
    """{"tests": [{"name", "result": passed|failed|skipped|running, "ms"}], "passed_line"}."""
    tests, index = [], {}
    for line in out.splitlines():
        m = re.match(r"\[\s*(RUN|OK|FAILED|SKIPPED)\s*\] (\S+)(?: \((\d+) ms\))?$", line)
        if not m:
            continue
        kind, name, ms = m.groups()
        if kind == "RUN":
            index[name] = len(tests)
            tests.append({"name": name, "result": "running", "ms": None})
        elif name in index:  # its result line, or its line in the summary at the end (no ms)
            t = tests[index[name]]
            t["result"] = {"OK": "passed", "FAILED": "failed", "SKIPPED": "skipped"}[kind]
            if ms:
                t["ms"] = int(ms)
    passed = re.search(r"^\[\s*PASSED\s*\] (\d+) tests?", out, re.M)
    reasons = re.findall(r"^\S+:\d+: Skipped\n(.*)$", out, re.M)
    return {"tests": tests, "passed": int(passed.group(1)) if passed else None, "skip_reasons": sorted(set(reasons))}


def step_cuda_tests(r, c, budget):
    if not os.path.exists(c.tests):
        r.state["cuda_tests"] = {"filter": "", "tests": [], "note": "no helmholtz_tests binary"}
        return "failed", "no helmholtz_tests binary"
    flt = cuda_filter(r.root)
    rc, out = r.command([c.tests, f"--gtest_filter={flt}", "--gtest_brief=0", "--gtest_color=no"], budget,
                        "cuda-tests.txt", env=c.env, cwd=r.build)
    g = parse_gtest(out)
    g.update(filter=flt, exit=rc)
    r.state["cuda_tests"] = g
    count = {k: sum(1 for t in g["tests"] if t["result"] == k) for k in ("passed", "failed", "skipped", "running")}
    summary = ", ".join(f"{n} {k}" for k, n in count.items() if n) or "none run"
    if rc == 124:
        return "failed", f"stopped after {budget:.0f}s: {summary}"
    if count["failed"] or (rc != 0 and rc != 124):
        return "failed", f"exit {rc}: {summary}"
    if not g["tests"]:
        return ("failed" if c.gpu else "n/a"), f"no test matches {flt}"
    if count["skipped"]:
        if c.gpu:
            return "failed", f"{summary}: on a GPU machine no CUDA test may skip"
        return "n/a", f"{summary} (no GPU: rehearsal)"
    return "ok", summary


# --- doctor ---------------------------------------------------------------------------------------
def step_doctor(r, c, budget):
    if not os.path.exists(c.hz):
        return "failed", "no helmholtz binary"
    rc, out = r.command([c.hz, "--help"], 30, env=c.env, console=False)
    if not re.search(r"^\s+doctor\b", out, re.M):
        r.say("doctor: not in this build")
        r.state["doctor"] = {"note": "not in this build"}
        return "failed", "doctor: not in this build"
    path = os.path.join(r.raw, "doctor.json")
    rc, out = r.command([c.hz, "doctor", "--device", "auto" if c.gpu else "cpu", "--json", path], budget,
                        "doctor.txt", env=c.env)
    try:
        doc = json.load(open(path))
    except (OSError, ValueError) as e:
        doc = {"error": f"no readable {os.path.basename(path)} ({e})"}
    doc["exit"] = rc
    r.state["doctor"] = doc
    failed = [x.get("name", "?") for x in doc.get("checks", []) if x.get("status") == "failed"]
    if rc == 124:
        return "failed", f"stopped after {budget:.0f}s"
    if rc == 2:
        return "failed", "exit 2 (bad input): " + ((out.strip().splitlines() or [""])[-1])
    if rc != 0 or failed:
        return "failed", f"exit {rc}; failed: {', '.join(failed) or '?'}"
    skipped = [x.get("name", "?") for x in doc.get("checks", []) if x.get("status") == "skipped"]
    tp = doc.get("throughput") or {}
    rate = tp.get("images_per_second")
    note = (f"{len(doc.get('checks', [])) - len(skipped)} checks ok" + (f", skipped: {', '.join(skipped)}" if skipped else "")
            + (f"; {rate:.1f} images/s" if isinstance(rate, (int, float)) else ""))
    if skipped and c.gpu:  # as with the CUDA tests: on a GPU, a check that skips was not made
        return "failed", note + " (on a GPU machine no check may skip)"
    return "ok", note


# --- bench ----------------------------------------------------------------------------------------
def last_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                pass
    return None


def step_bench(r, c, budget):
    if not os.path.exists(c.hz):
        return "failed", "no helmholtz binary"
    end = time.monotonic() + budget
    settings = [int(s) for s in (os.environ.get("GPU_CHECK_BENCH_SETTINGS") or "0,5").split(",") if s]
    peer = os.path.join(r.root, "scripts", "bench-peer.py")
    # The tuned peer at helmholtz's own precision: bfloat16 on a GPU, float32 on the CPU (where
    # torch's bfloat16 is many times slower).
    tuned = (["--precision", "bf16"] if c.gpu else []) + ["--channels-last"]
    kinds = {"ours": [c.hz, "bench", "train"], "peer": [c.python, peer], "tuned": [c.python, peer] + tuned}
    results, missed, failed = {}, [], []
    os.makedirs(os.path.join(r.raw, "bench"), exist_ok=True)
    longest = 10
    for s in settings:
        for kind, cmd in kinds.items():
            left = end - time.monotonic()
            if left < longest:
                missed.append(f"{kind} {s}")
                continue
            cmd = cmd + ["--setting", str(s), "--device", c.device, "--images", str(c.bench["images"]),
                         "--epochs", str(c.bench["epochs"]), "--json"]
            t = time.monotonic()
            rc, out = r.command(cmd, min(c.bench["cap"], left), f"bench/{kind}-{s}.txt", env=c.env)
            longest = max(longest, time.monotonic() - t)
            j = last_json(out) if rc == 0 else None
            results.setdefault(str(s), {})[kind] = j or {"error": f"exit {rc}"}
            if j is None:
                failed.append(f"{kind} {s} (exit {rc})")
            r.state["bench"] = {"settings": results, "images": c.bench["images"], "epochs": c.bench["epochs"],
                                "tuned": " ".join(tuned)}
    note = "; ".join(x for x in (f"failed: {', '.join(failed)}" if failed else "",
                                 f"no time for: {', '.join(missed)}" if missed else "") if x)
    return ("failed" if failed else "ok"), note or f"settings {', '.join(map(str, settings))}"


# --- pack -----------------------------------------------------------------------------------------
def step_pack(r, c, budget):
    if not os.path.exists(c.hz):
        return "failed", "no helmholtz binary"
    end = time.monotonic() + budget
    os.makedirs(os.path.join(r.raw, "pack"), exist_ok=True)
    device = "cuda:0" if c.gpu else "cpu"
    rows, missed, failed = [], [], []
    longest = 10
    for k in c.pack["ks"]:
        left = end - time.monotonic()
        if left < longest:
            missed.append(f"K={k}")
            continue
        cmd = [c.hz, "bench", "train", "--setting", "0", "--device", device, "--images", str(c.pack["images"]),
               "--epochs", str(c.pack["epochs"]), "--json"] + c.pack["extra"]
        files = [os.path.join(r.raw, "pack", f"k{k}-{i}.txt") for i in range(1, k + 1)]
        t = time.monotonic()
        codes = r.parallel([cmd] * k, files, left, env=c.env)
        longest = max(longest, (time.monotonic() - t) * 1.5)
        rates = []
        for f, code in zip(files, codes):
            j = last_json(open(f, errors="replace").read()) if code == 0 else None
            rates.append(j.get("train_images_per_second") if j else None)
        ok = [x for x in rates if isinstance(x, (int, float))]
        rows.append({"k": k, "rates": rates, "aggregate": sum(ok) if len(ok) == k else None,
                     "seconds": round(time.monotonic() - t, 1)})
        r.say(f"pack: K={k}: {', '.join(f'{x:.0f}' if isinstance(x, (int, float)) else 'failed' for x in rates)} "
              "images/s")
        if len(ok) < k:
            failed.append(f"K={k} ({k - len(ok)} of {k} failed)")
        r.state["pack"] = {"setting": 0, "device": device, "rows": rows, "images": c.pack["images"],
                           "epochs": c.pack["epochs"], "threads": c.pack["extra"]}
    note = "; ".join(x for x in (f"failed: {', '.join(failed)}" if failed else "",
                                 f"no time for: {', '.join(missed)}" if missed else "") if x)
    return ("failed" if failed else "ok"), note or f"K = {', '.join(str(k) for k in c.pack['ks'])}"


# --- train ----------------------------------------------------------------------------------------
def train_run(r, c, label, extra, seconds):
    logs = os.path.join(r.runs, f"logs-{label}")
    shutil.rmtree(logs, ignore_errors=True)
    t = time.monotonic()
    rc, _ = r.command([c.hz, "train", "--dataset", "cifar10", "--data-dir", os.path.join(r.runs, "cifar"),
                       "--quality", "50", "--setting", "0", "--epochs", str(c.train["epochs"]), "--device",
                       c.device, "--log-root", logs, "--no-progress"] + extra, seconds, f"train-{label}.txt", env=c.env)
    run = {"label": label, "exit": rc, "seconds": round(time.monotonic() - t, 1)}
    found = sorted(glob.glob(os.path.join(logs, "**", "summary.json"), recursive=True))
    if found:
        folder = os.path.dirname(found[0])
        run["folder"] = os.path.relpath(folder, logs)
        dest = os.path.join(r.raw, f"train-{label}")
        os.makedirs(dest, exist_ok=True)
        for name in ("summary.json", "history.csv", "config.toml"):
            if os.path.isfile(os.path.join(folder, name)):
                shutil.copy(os.path.join(folder, name), dest)
        try:
            run["summary"] = json.load(open(found[0]))
        except (OSError, ValueError):
            pass
        try:
            run["history"] = [{k: row.get(k) for k in ("epoch", "seconds", "val_acc", "train_loss")}
                              for row in csv.DictReader(open(os.path.join(folder, "history.csv")))]
        except OSError:
            pass
    r.state.setdefault("train", {"runs": []})["runs"].append(run)
    return rc


def step_train(r, c, budget):
    if not os.path.exists(c.hz):
        return "failed", "no helmholtz binary"
    end = time.monotonic() + budget
    cifar = os.path.join(r.runs, "cifar")
    shutil.rmtree(cifar, ignore_errors=True)
    os.makedirs(r.runs, exist_ok=True)
    r.state["train"] = {"runs": [], "synth_train": c.train["synth_train"], "synth_test": c.train["synth_test"],
                        "epochs": c.train["epochs"]}
    rc, _ = r.command([c.hz, "synth", "cifar10", "--out", cifar, "--train", str(c.train["synth_train"]),
                       "--test", str(c.train["synth_test"])], end - time.monotonic(), "train-synth.txt", env=c.env)
    if rc != 0:
        return "failed", f"synth cifar10: exit {rc}"
    t = time.monotonic()
    rc = train_run(r, c, "default", [], end - time.monotonic())
    if rc != 0:
        return "failed", f"default precision: exit {rc}"
    took = time.monotonic() - t
    if end - time.monotonic() < took * 1.2:
        return "ok", "default precision; no time for fp32"
    rc = train_run(r, c, "fp32", ["--precision", "fp32"], end - time.monotonic())
    return ("ok", "default precision and fp32") if rc == 0 else ("failed", f"fp32: exit {rc}")
