"""The device run's pre-flight: in seconds, whether this machine can build and test helmholtz,
and how to configure it. Nothing is built or installed.

run(options, budget) returns {"facts", "checks", "decision", "failure"}: each check is
{"name", "status": ok|failed|n/a, "detail"}; failure is one line, "pre-flight: ...", naming the
first failed check (and the others), or "" when none failed. The decision says which Torch
CMake config to configure with (torch's own, or the stand-in cmake/torch-wheel), whether the
CUDA-only code is compiled and with which CUDA headers, and the C++ standard.

A GPU machine is one where torch sees a GPU, nvidia-smi lists one, or GPU_CHECK_REQUIRE_GPU=1;
elsewhere (a CPU-only rehearsal) the GPU's checks say "n/a (no GPU: rehearsal)".
"""

import json
import os
import re
import shutil
import subprocess
import time

import facts as machine

HERE = os.path.dirname(os.path.abspath(__file__))
CMAKE_MINIMUM = (3, 18)  # CMakeLists.txt's cmake_minimum_required
# The oldest g++ with -std=c++NN (GCC 9 is also the oldest torch 2.x accepts).
GXX_FOR_STANDARD = {17: 9, 20: 10, 23: 11}
# GCC major version -> the newest GLIBCXX_3.4.N its libstdc++ has.
GLIBCXX_OF_GCC = {8: 25, 9: 26, 10: 28, 11: 29, 12: 30, 13: 31, 14: 33, 15: 34}
REHEARSAL = "n/a (no GPU: rehearsal)"


def manifest(debs):
    """The .debs' MANIFEST: {"glibc", "gcc", "entries": [(role, package, version, file, bytes)]},
    or None where there is none."""
    try:
        text = open(os.path.join(debs, "MANIFEST")).read()
    except OSError:
        return None
    m = re.search(r"glibc >= ([0-9.]+), libstdc\+\+6 >= ([0-9.]+)", text)
    entries = [tuple(line.split("\t")) for line in text.splitlines()
               if line and not line.startswith("#") and len(line.split("\t")) >= 5]
    return {"glibc": m.group(1) if m else "", "gcc": m.group(2) if m else "", "entries": entries}


def torch_facts(options, budget):
    """(facts, error): the torch facts of the first python that imports torch."""
    given = options.get("python", "")
    candidates = [given] if given else ["python3", "/usr/bin/python3"]
    errors = []
    for cand in candidates:
        path = shutil.which(cand) if cand else None
        if not path:
            errors.append(f"{cand}: no such program")
            continue
        t0 = time.monotonic()
        try:
            done = subprocess.run([path, os.path.join(HERE, "facts.py"), "--torch"], capture_output=True,
                                  text=True, timeout=max(5, budget - 10))
        except subprocess.TimeoutExpired:
            return None, f"`{path} -c 'import torch'` did not finish in {max(5, budget - 10):.0f} s"
        if done.returncode == 0:
            try:
                f = json.loads(done.stdout.strip().splitlines()[-1])
                f["import_seconds"] = round(time.monotonic() - t0, 1)
                return f, ""
            except (ValueError, IndexError):
                errors.append(f"{path}: unreadable torch facts")
                continue
        last = (done.stderr.strip().splitlines() or ["exit %d" % done.returncode])[-1]
        errors.append(f"{path} cannot import torch ({last})")
    hint = "" if given else " (set GPU_CHECK_PYTHON to the python of torch's venv)"
    return None, "; ".join(errors) + hint


def standard_needed(t, options):
    """(standard, how): at least what CMakeLists.txt chooses by torch's version (< 2.10: 17,
    else 20), and more where torch's headers and CMake files, or else the version torch builds
    its extensions with, ask for more."""
    cmake_dirs = []
    given = options.get("torch_dir_cmake", "")
    for top in (given and os.path.dirname(given.rstrip("/")), t.get("torch_cmake_prefix", "")):
        for name in ("Torch", "Caffe2"):
            d = os.path.join(top, name) if top else ""
            if d and os.path.isdir(d) and d not in cmake_dirs:
                cmake_dirs.append(d)
    found = machine.cxx_standard(t["torch_dir"], cmake_dirs)
    hard = [(s, w) for s, w in found if w != "cpp_extension"]
    ext = [s for s, w in found if w == "cpp_extension"]
    if hard:
        top = max(s for s, _ in hard)
        where = sorted({w for s, w in hard if s == top})
        std = max(17, top)
        how = (f"{', '.join(where[:3])} ask for C++{top}" if top >= 17 else
               f"helmholtz's own minimum; {', '.join(where[:3])} ask for C++{top}")
    elif ext:
        std, how = max(17, ext[0]), f"nothing in torch's headers or CMake files says; it builds extensions with C++{ext[0]}"
    else:
        std = 17 if machine.as_tuple(t["torch_version"])[:2] < (2, 10) else 20
        how = "nothing in torch's headers or CMake files says; by torch's version"
    if ext and hard:
        how += f"; torch builds extensions with C++{ext[0]}"
    rule = 17 if machine.as_tuple(t["torch_version"])[:2] < (2, 10) else 20
    if rule > std:
        std, how = rule, f"CMakeLists.txt's choice for torch {t['torch_version']} ({how})"
    return std, how, found


def cuda_headers(t, k, want):
    """(toolkit, pip): the CUDA include folders that compile the CUDA-only code, each [] where
    they cannot: the toolkit's include folder where nvcc is torch's CUDA version and
    crt/host_defines.h is there; pip's nvidia-* include folders where one has crt/host_defines.h
    and one cuda_runtime.h. Each list is followed by the other nvidia-* include folders."""
    pip = t.get("nvidia_include", [])
    toolkit = []
    if k["host_defines"] and k["nvcc_version"] == want:
        toolkit = [k["cuda_include"]] + [d for d in pip if d != k["cuda_include"]]
    full = [d for d in pip if os.path.isfile(os.path.join(d, "crt", "host_defines.h"))]
    runtime = [d for d in pip if os.path.isfile(os.path.join(d, "cuda_runtime.h"))]
    if not (full and runtime):
        return toolkit, []
    first = runtime[:1] + [d for d in full if d not in runtime[:1]]
    return toolkit, first + [d for d in pip if d not in first]


def run(options, budget=60):
    t_start = time.monotonic()
    checks = []

    def check(name, status, detail):
        checks.append({"name": name, "status": status, "detail": detail})

    s = machine.system()
    k = machine.toolkit()
    f = dict(s, **k)
    debs = options["debs"]
    man = manifest(debs)
    decision = {"torch_config": "", "cuda_code": False, "cuda_headers": [], "cxx_standard": 17,
                "gpu": False, "python": "", "cmake_from_debs": False}

    # The .debs of scripts/gpu-debs.sh.
    if man is None:
        check("debs", "failed", f"no {debs}/MANIFEST: run scripts/gpu-debs.sh on a Debian bookworm "
              "machine and copy build-debs/ along with the working tree")
    else:
        missing = [e[3] for e in man["entries"] if not os.path.isfile(os.path.join(debs, e[3]))
                   or str(os.path.getsize(os.path.join(debs, e[3]))) != e[4]]
        if missing:
            check("debs", "failed", f"{len(missing)} of the {len(man['entries'])} .debs in {debs}/MANIFEST "
                  f"are missing or of another size ({', '.join(missing[:3])}): run scripts/gpu-debs.sh again")
        else:
            check("debs", "ok", f"{len(man['entries'])} .debs ({sum(int(e[4]) for e in man['entries']) / 2**20:.1f} "
                  f"MiB); they need glibc >= {man['glibc']}, libstdc++ of GCC >= {man['gcc']}")

    # torch, in its own python.
    t, error = torch_facts(options, budget - (time.monotonic() - t_start))
    if t is None:
        check("torch", "failed", error)
    else:
        f.update(t)
        decision["python"] = t["python"]
        check("torch", "ok", f"torch {t['torch_version']} (CUDA {t['torch_cuda'] or 'none'}, cuDNN {t['cudnn']}) "
              f"imports in {t['python']} ({t['import_seconds']} s)")
    smi_gpus = s["gpu_count_smi"]
    gpu = options.get("require_gpu", False) or smi_gpus > 0 or bool(t and t["cuda_available"])
    decision["gpu"] = gpu
    why_gpu = ("GPU_CHECK_REQUIRE_GPU=1" if options.get("require_gpu") else
               f"nvidia-smi lists {smi_gpus}" if smi_gpus else "")

    if t is not None:
        if t["cuda_available"]:
            check("gpu", "ok", f"{t['device_count']} x {t['device_name']} ({t['device_memory_gib']} GiB)")
            cap = t["device_capability"]
            sm = "sm_" + cap.replace(".", "")
            ptx = [a for a in t["arch_list"] if a.startswith("compute_")
                   and machine.as_tuple(a[8:]) <= machine.as_tuple(cap.replace(".", ""))]
            if sm in t["arch_list"] or ptx:
                check("compute capability", "ok", f"{cap} ({sm if sm in t['arch_list'] else ptx[-1]} among "
                      f"torch's {' '.join(t['arch_list'])})")
            else:
                check("compute capability", "failed", f"the GPU's {cap} ({sm}) is not among torch "
                      f"{t['torch_version']}'s architectures ({' '.join(t['arch_list'])}): use a torch built for it")
        elif gpu:
            check("gpu", "failed", f"torch {t['torch_version']} (CUDA {t['torch_cuda'] or 'none'}) sees no GPU "
                  f"but {why_gpu}" + ("" if t["torch_cuda"] else ": a CPU-only torch"))
            check("compute capability", "failed", "no GPU seen")
        else:
            check("gpu", "n/a", REHEARSAL)
            check("compute capability", "n/a", REHEARSAL)

        if t["cxx11_abi"]:
            check("C++ ABI", "ok", "CXX11 ABI (_GLIBCXX_USE_CXX11_ABI=1), as the Debian libraries")
        else:
            check("C++ ABI", "failed", f"torch {t['torch_version']} uses the old C++ ABI "
                  "(_GLIBCXX_USE_CXX11_ABI=0); the Debian libraries use the new one: use a torch with the "
                  "CXX11 ABI (pip wheels since 2.7)")

        std, how, found = standard_needed(t, options)
        decision["cxx_standard"] = std
        f["cxx_standard_evidence"] = [f"C++{a} {b}" for a, b in found]
        need = GXX_FOR_STANDARD.get(std, 11)
        have = machine.as_tuple(s["cxx_version"])
        if not s["cxx"]:
            check("C++ standard", "failed", f"torch {t['torch_version']} needs C++{std} but there is no "
                  f"{os.environ.get('CXX') or 'g++'} on PATH")
        elif not have or have[0] < need:
            check("C++ standard", "failed", f"torch {t['torch_version']} needs C++{std} ({how}) but g++ "
                  f"{s['cxx_version'] or '?'} ({s['cxx']}) has it only from g++ {need}: put a newer g++ first "
                  "on PATH or set CXX")
        else:
            check("C++ standard", "ok", f"C++{std} for torch {t['torch_version']} ({how}); g++ {s['cxx_version']}")

        # The CUDA toolkit, and the Torch config that follows from it.
        cuda = t["torch_cuda"]
        want = ".".join(cuda.split(".")[:2]) if cuda else ""
        toolkit_headers, pip_headers = cuda_headers(t, k, want)
        forced = options.get("torch", "auto")
        torch_cmake = options.get("torch_dir_cmake") or os.path.join(t["torch_cmake_prefix"], "Torch")
        has_official = os.path.isfile(os.path.join(torch_cmake, "TorchConfig.cmake"))
        decision["torch_cmake_dir"] = torch_cmake if has_official else ""
        # The stand-in's headers, also where torch's own config fails to configure.
        decision["standin_headers"] = toolkit_headers or pip_headers
        if not cuda:
            decision["torch_config"] = "official" if forced == "official" else "stand-in"
            check("CUDA toolkit", "failed" if gpu else "n/a",
                  f"torch {t['torch_version']} has no CUDA" if gpu else
                  REHEARSAL + f"; torch {t['torch_version']} has no CUDA, so no CUDA-only code")
        else:
            problem = ("no nvcc (PATH, CUDA_HOME, /usr/local/cuda)" if not k["nvcc"] else
                       f"{k['cuda_root']} has no crt/host_defines.h" if not k["host_defines"] else
                       f"nvcc {k['nvcc_version']} ({k['nvcc']}) is not torch's CUDA {want}"
                       if k["nvcc_version"] != want else "")
            if toolkit_headers and forced != "shim" and has_official:
                decision.update(torch_config="official", cuda_code=True, cuda_headers=toolkit_headers)
                check("CUDA toolkit", "ok", f"nvcc {k['nvcc_version']} ({k['nvcc']}) matches torch's CUDA {want}; "
                      f"crt/host_defines.h in {k['cuda_include']}: torch's own CMake config")
            elif decision["standin_headers"]:
                decision.update(torch_config="stand-in", cuda_code=True, cuda_headers=decision["standin_headers"])
                why = ("GPU_CHECK_TORCH=shim" if forced == "shim" else
                       problem or f"no {torch_cmake}/TorchConfig.cmake")
                check("CUDA toolkit", "ok", f"{why}; CUDA headers from {decision['cuda_headers'][0]} "
                      "(with crt/host_defines.h): the stand-in config cmake/torch-wheel")
            else:
                decision["torch_config"] = "stand-in"
                pip = ("pip's nvidia-* headers lack crt/host_defines.h" if t["nvidia_include"]
                       else "no pip nvidia-* headers")
                fix = (f"put a CUDA {want} toolkit first on PATH or in CUDA_HOME" if k["nvcc"]
                       else f"install CUDA {want}'s nvcc (or its headers with crt/host_defines.h)")
                check("CUDA toolkit", "failed" if gpu else "n/a",
                      (f"the CUDA-only code cannot compile for torch {t['torch_version']} (CUDA {want}): "
                       f"{problem}, and {pip}; {fix}") if gpu else
                      f"{REHEARSAL}; {problem}, {pip}: no CUDA-only code")
        if forced == "official" and not has_official:
            check("Torch config", "failed", f"GPU_CHECK_TORCH=official but there is no {torch_cmake}/TorchConfig.cmake")

    # What the Debian libraries ask of the system.
    if man is not None and man["glibc"]:
        if machine.as_tuple(s["glibc"]) >= machine.as_tuple(man["glibc"]):
            check("glibc", "ok", f"{s['glibc']} (the .debs need >= {man['glibc']})")
        else:
            check("glibc", "failed", f"glibc {s['glibc']} is older than the {man['glibc']} the .debs need "
                  "(Debian bookworm's libraries): use a newer system (Ubuntu 22.04 or later)")
        gcc = machine.as_tuple(man["gcc"])[:1]
        need = GLIBCXX_OF_GCC.get(gcc[0], 0) if gcc else 0
        have = machine.as_tuple(s["glibcxx"])
        if have and have[-1] >= need:
            check("libstdc++", "ok", f"{s['glibcxx']} (the .debs need GCC {man['gcc']}'s: GLIBCXX_3.4.{need})")
        else:
            check("libstdc++", "failed", f"the libstdc++ of {s['cxx'] or 'g++'} has {s['glibcxx'] or 'no GLIBCXX'}, "
                  f"older than GCC {man['gcc']}'s GLIBCXX_3.4.{need} that the .debs need: use g++ {man['gcc']} or newer")

    # CMake, and a build tool: the machine's, else the .debs'.
    packages = {e[1] for e in man["entries"]} if man else set()
    cmake_ok = machine.as_tuple(s["cmake_version"]) >= CMAKE_MINIMUM
    if cmake_ok and not options.get("force_tools"):
        check("cmake", "ok", f"{s['cmake_version']} ({s['cmake_path']})")
    elif "cmake" in packages:
        decision["cmake_from_debs"] = True
        check("cmake", "ok", f"the .debs' cmake (the machine's: {s['cmake_version'] or 'none'})")
    else:
        check("cmake", "failed", f"cmake {s['cmake_version'] or '(none)'} at {s['cmake_path'] or 'nowhere'} is older "
              f"than the {'.'.join(map(str, CMAKE_MINIMUM))} CMakeLists.txt needs, and the .debs have no cmake: "
              "pip install cmake, or run scripts/gpu-debs.sh again")
    if not (s["ninja_path"] or s["make_path"] or "ninja-build" in packages or "make" in packages):
        check("build tool", "failed", "neither ninja nor make, here or in the .debs: pip install ninja")

    f["preflight_seconds"] = round(time.monotonic() - t_start, 1)
    failed = [c for c in checks if c["status"] == "failed"]
    failure = ""
    if failed:
        failure = f"pre-flight: {failed[0]['detail']}"
        if len(failed) > 1:
            failure += f" (also failed: {', '.join(c['name'] for c in failed[1:])})"
    return {"facts": f, "checks": checks, "decision": decision, "failure": failure}
