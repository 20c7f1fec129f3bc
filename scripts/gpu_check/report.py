"""The device run's table (markdown) from its state (raw/state.json): render(state) -> str.

Sections: the verdict, the machine and build facts, the pre-flight's checks, the steps with
their seconds, the CUDA tests, the doctor's checks, training throughput against the PyTorch
(Python) peer, several trainings on one GPU, and the training run. What a step has not
measured (yet) is left out or says n/a, so a table written after any step reads whole.

    report.py STATE.json      prints the table
"""

import json
import sys


def cell(v):
    return str(v).replace("|", "/").replace("\n", " ")


def num(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def fmt(v, digits=0):
    v = num(v)
    return "n/a" if v is None else f"{v:,.{digits}f}"


def ratio(a, b):
    a, b = num(a), num(b)
    return "n/a" if a is None or not b else f"{a / b:.2f}x"


def table(head, rows, align=None):
    align = align or ["---"] * len(head)
    return (["| " + " | ".join(head) + " |", "| " + " | ".join(align) + " |"]
            + ["| " + " | ".join(cell(x) for x in row) + " |" for row in rows] + [""])


def verdict(s):
    steps = s.get("steps", [])
    failed = [x["name"] for x in steps if x["status"] == "failed"]
    running = [x["name"] for x in steps if x["status"] == "running"]
    f = s.get("facts", {})
    gpu = f.get("device_name") or (f.get("nvidia_smi", "none").split(",")[0].replace("none", "") or
                                   "no GPU (CPU rehearsal)")
    out = [f"# Device run: {gpu}, {s.get('started', '?')}", ""]
    if s.get("failure"):
        out += [f"**{s['failure']}**", ""]
    if running:
        out += [f"Still running: {running[0]} (if this stays, the run was killed there).", ""]
    elif failed:
        out += [f"**{len(failed)} failed**: {', '.join(failed)}; {s.get('elapsed', '?')} s of the "
                f"{s.get('deadline', 0):.0f} s deadline.", ""]
    else:
        out += [f"No step failed; {s.get('elapsed', '?')} s of the {s.get('deadline', 0):.0f} s deadline"
                + (" (CPU rehearsal at smoke sizes)." if s.get("smoke") else "."), ""]
    return out


def facts(s):
    f, d = s.get("facts", {}), s.get("decision", {})
    if not f:
        return []
    rows = [
        ("GPU (nvidia-smi: name, driver, memory, capability)", f.get("nvidia_smi", "none")),
        ("torch", f"{f.get('torch_version', '?')} (CUDA {f.get('torch_cuda') or 'none'}, cuDNN {f.get('cudnn', '?')}, "
                  f"CXX11 ABI {f.get('cxx11_abi', '?')}) in {f.get('python', '?')} {f.get('python_version', '')}"),
        ("torch sees", f"{f.get('device_count', 0)} x {f.get('device_name', '-')} ({f.get('device_memory_gib', '?')} GiB, "
                       f"capability {f.get('device_capability', '-')})" if f.get("cuda_available") else "no GPU"),
        ("C++ standard", f"C++{d.get('cxx_standard', '?')}; torch's files say: "
                         f"{', '.join(f.get('cxx_standard_evidence', [])) or 'nothing'}"),
        ("CUDA toolkit", f"nvcc {f.get('nvcc_version') or '-'} ({f.get('nvcc') or 'none'}); crt/host_defines.h: "
                         f"{f.get('host_defines') or 'none'}"),
        ("Torch config", f"chosen: {d.get('torch_config', '?')}, used: {f.get('torch_config_used', 'n/a')}; "
                         f"{f.get('cmake_line', 'not configured')}"),
        ("CUDA headers of the CUDA-only code", ", ".join(d.get("cuda_headers", [])) or "none"),
        ("compiler, C library", f"{f.get('cxx_line', '?')}; glibc {f.get('glibc', '?')}; libstdc++ {f.get('glibcxx', '?')}"),
        ("build tools", f"cmake {f.get('cmake_version') or 'none'}, ninja {f.get('ninja_version') or 'none'}, "
                        f"make {f.get('make_version') or 'none'}; from the .debs: {f.get('tools_unpacked', 'n/a')}"),
        ("system", f"{f.get('os', '?')}, kernel {f.get('kernel', '?')}, {f.get('nproc', '?')} cores, {f.get('memory', '?')}"),
        ("ran on", f"{s.get('device', '?')}" + (" (smoke sizes)" if s.get("smoke") else "")),
    ]
    return ["## Machine and build", ""] + table(["what", "value"], rows)


def checks(s):
    c = s.get("checks", [])
    return ["## Pre-flight", ""] + table(["check", "status", "detail"], [(x["name"], x["status"], x["detail"]) for x in c]) \
        if c else []


def steps(s):
    rows = [(x["name"], x["status"], x["seconds"], x.get("note", "")) for x in s.get("steps", [])]
    rows.append(("total", "", s.get("elapsed", "?"), f"deadline {s.get('deadline', 0):.0f} s"))
    return ["## Steps", ""] + table(["step", "status", "seconds", "note"], rows, ["---", "---", "---:", "---"])


def cuda_tests(s):
    t = s.get("cuda_tests")
    if not t:
        return []
    out = ["## CUDA tests", "", f"`helmholtz_tests --gtest_filter='{t.get('filter', '')}'`: exit {t.get('exit', 'n/a')}, "
           f"gtest's PASSED line: {t.get('passed') if t.get('passed') is not None else 'none'}.", ""]
    out += table(["test", "result", "ms"], [(x["name"], x["result"], x["ms"] if x["ms"] is not None else "")
                                            for x in t.get("tests", [])], ["---", "---", "---:"])
    if t.get("skip_reasons"):
        out += ["Skipped because: " + "; ".join(t["skip_reasons"]), ""]
    return out


def doctor(s):
    d = s.get("doctor")
    if not d:
        return []
    if d.get("note"):
        return ["## Doctor", "", f"doctor: {d['note']}", ""]
    out = ["## Doctor", "", f"`helmholtz doctor`: exit {d.get('exit', '?')}; device {d.get('device', '?')} "
           f"({d.get('device_name', '?')}), torch {d.get('torch', '?')}, CUDA {d.get('cuda', '?')}, "
           f"cuDNN {d.get('cudnn', '?')}" + (f"; {d['error']}" if d.get("error") else "") + ".", ""]
    out += table(["check", "status", "detail", "difference", "tolerance", "avoid with"],
                 [(x.get("name", "?"), x.get("status", "?"), x.get("detail", ""),
                   "" if x.get("difference") is None else f"{x['difference']:.3g}",
                   "" if x.get("tolerance") is None else f"{x['tolerance']:.3g}", x.get("avoid", ""))
                  for x in d.get("checks", [])])
    tp = d.get("throughput")
    if tp:
        out += [f"Throughput: setting {tp.get('setting', '?')} ({tp.get('model', '?')}), "
                f"{fmt(tp.get('images_per_second'))} images/s, {tp.get('precision', '?')}, "
                f"CUDA graphs {tp.get('cuda_graphs', '?')}.", ""]
    return out


def bench(s):
    b = s.get("bench")
    if not b:
        return []
    out = ["## Training throughput: helmholtz vs PyTorch (Python)", "",
           f"`helmholtz bench train` (default precision) against `scripts/bench-peer.py` (fp32, idiomatic) and "
           f"the peer with `{b.get('tuned', '?')}` (tuned); {b.get('images')} images x "
           f"{b.get('epochs')} epochs; images per second, ratio = helmholtz / peer.", ""]
    rows, notes = [], set()
    for setting, r in sorted(b.get("settings", {}).items(), key=lambda kv: int(kv[0])):
        o, p, t = (r.get(k) or {} for k in ("ours", "peer", "tuned"))
        ot, pt, tt = (x.get("train_images_per_second") for x in (o, p, t))
        rows.append((setting, o.get("name") or p.get("name") or "?", fmt(ot), fmt(pt), ratio(ot, pt), fmt(tt),
                     ratio(ot, tt), fmt(o.get("eval_images_per_second")), fmt(p.get("eval_images_per_second")),
                     ratio(o.get("eval_images_per_second"), p.get("eval_images_per_second"))))
        if o.get("precision"):
            notes.add(f"helmholtz: {o.get('device_name', o.get('device', '?'))}, precision {o.get('precision')}, "
                      f"CUDA graphs {o.get('cuda_graphs')}, channels last {o.get('channels_last')}, "
                      f"batch {o.get('batch_size')}")
    out += table(["setting", "name", "helmholtz train", "peer", "ratio", "tuned peer", "ratio",
                  "eval ours", "eval peer", "ratio"], rows, ["---"] * 2 + ["---:"] * 8)
    return out + [f"- {n}" for n in sorted(notes)] + ([""] if notes else [])


def pack(s):
    p = s.get("pack")
    if not p:
        return []
    out = ["## Several trainings on one GPU (`--jobs-per-gpu`)", "",
           f"K concurrent `helmholtz bench train --setting {p.get('setting')}` on {p.get('device')} "
           f"({p.get('images')} images x {p.get('epochs')} epochs{', ' + ' '.join(p['threads']) if p.get('threads') else ''}); "
           "aggregate = the sum of their training images per second.", ""]
    base = next((x["aggregate"] for x in p.get("rows", []) if x["k"] == 1), None)
    rows = [(x["k"], fmt(x["aggregate"]), fmt(x["aggregate"] / x["k"]) if num(x["aggregate"]) else "n/a",
             ratio(x["aggregate"], base), x["seconds"]) for x in p.get("rows", [])]
    return out + table(["K", "aggregate img/s", "per process", "vs K=1", "wall s"], rows, ["---:"] * 5)


def train(s):
    t = s.get("train")
    if not t:
        return []
    out = ["## Training all-cnns on a generated CIFAR-format set (quality 50)", "",
           f"{t.get('synth_train')} training and {t.get('synth_test')} test images, {t.get('epochs')} epochs.", ""]
    rows = []
    for x in t.get("runs", []):
        sm = x.get("summary", {})
        hist = x.get("history", [])
        secs = ", ".join(h["seconds"][:6] for h in hist if h.get("seconds")) or "n/a"
        accs = ", ".join(h["val_acc"][:6] for h in hist if h.get("val_acc")) or "n/a"
        rows.append((x["label"], "ok" if x["exit"] == 0 else f"exit {x['exit']}", sm.get("precision", "n/a"),
                     sm.get("cuda_graphs", "n/a"), secs, fmt(sm.get("train_samples_per_second")), accs, x["seconds"]))
    out += table(["run", "result", "precision", "CUDA graphs", "epoch seconds", "images/s", "val_acc per epoch", "wall s"],
                 rows, ["---"] * 5 + ["---:", "---", "---:"])
    return out


def render(s):
    return "\n".join(verdict(s) + steps(s) + checks(s) + cuda_tests(s) + doctor(s) + bench(s) + pack(s) + train(s)
                     + facts(s))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report.py STATE.json")
    print(render(json.load(open(sys.argv[1]))))
