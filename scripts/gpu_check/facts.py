"""What the device run needs to know of the machine: the system, the compiler, the CUDA toolkit
and, in the python that has torch, torch itself.

    facts.py --torch       (run by the python with torch) prints torch's facts as one JSON object

system() and toolkit() run in the driver's own python; torch() runs in the python with torch
(`import torch` takes seconds, so it is done once, in a child process the driver can time out).
cxx_standard() reads torch's headers and CMake files for the C++ standard they need.
"""

import glob
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time

ARCH = "x86_64-linux-gnu"


def run(*cmd, timeout=20):
    """The command's stdout and stderr, or "" where it is missing, fails to start or hangs."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return done.stdout + done.stderr
    except (OSError, subprocess.SubprocessError):
        return ""


def first_line(text):
    return (text.strip().splitlines() or [""])[0]


def version_of(text):
    """The first dotted version number in text ("12.2.0"), or ""."""
    m = re.search(r"\b([0-9]+\.[0-9]+(?:\.[0-9]+)?)\b", text)
    return m.group(1) if m else ""


def as_tuple(version):
    return tuple(int(x) for x in re.findall(r"[0-9]+", version or ""))


def system():
    f = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "kernel": platform.release()}
    smi = shutil.which("nvidia-smi")
    f["nvidia_smi"] = first_line(run(smi, "--query-gpu=name,driver_version,memory.total,compute_cap",
                                     "--format=csv,noheader")) if smi else "none"
    f["gpu_count_smi"] = sum(1 for l in run(smi, "-L").splitlines() if l.startswith("GPU")) if smi else 0
    try:
        m = re.search(r'^PRETTY_NAME="?([^"\n]*)', open("/etc/os-release").read(), re.M)
        f["os"] = m.group(1) if m else "?"
    except OSError:
        f["os"] = platform.system()
    f["nproc"] = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 4
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1))
        f["memory"] = f"{kib / 1048576:.0f} GiB"
    except (OSError, AttributeError):
        f["memory"] = "?"
    try:
        f["glibc"] = version_of(os.confstr("CS_GNU_LIBC_VERSION") or "")
    except (ValueError, OSError):
        f["glibc"] = version_of(first_line(run("ldd", "--version")))
    # The C++ compiler the build uses: $CXX, else g++ (configure is told which).
    cxx = shutil.which(os.environ.get("CXX") or "g++") or ""
    f["cxx"] = cxx
    f["cxx_line"] = first_line(run(cxx, "--version")) if cxx else "none"
    f["cxx_version"] = run(cxx, "-dumpfullversion", "-dumpversion").strip() if cxx else ""
    libstdcxx = run(cxx, "-print-file-name=libstdc++.so.6").strip() if cxx else ""
    if not os.path.isfile(libstdcxx):
        libstdcxx = next((p for p in (f"/usr/lib/{ARCH}/libstdc++.so.6", "/usr/lib64/libstdc++.so.6")
                          if os.path.isfile(p)), "")
    found = set(re.findall(rb"GLIBCXX_3\.4\.[0-9]+", open(libstdcxx, "rb").read())) if libstdcxx else set()
    f["glibcxx"] = max((v.decode() for v in found), key=as_tuple, default="")
    for tool in ("cmake", "ninja", "make", "pkg-config"):
        path = shutil.which(tool)
        f[f"{tool}_path"] = path or ""
        f[f"{tool}_version"] = version_of(first_line(run(path, "--version"))) if path else ""
    return f


def cuda_include_dir(root):
    """The include folder of a CUDA toolkit root that has cuda_runtime.h, or ""."""
    for d in (os.path.join(root, "include"), os.path.join(root, "targets", "x86_64-linux", "include")):
        if os.path.isfile(os.path.join(d, "cuda_runtime.h")):
            return d
    return ""


def toolkit():
    """nvcc (GPU_CHECK_NVCC, PATH, CUDA_HOME, /usr/local/cuda; GPU_CHECK_NVCC=none: no toolkit), its
    version, its root and include folder, and whether crt/host_defines.h is there."""
    home = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH") or ""
    given = os.environ.get("GPU_CHECK_NVCC", "")
    if given == "none":
        candidates = []
    elif given:
        candidates = [given]
    else:
        candidates = [shutil.which("nvcc"), home and os.path.join(home, "bin", "nvcc"), "/usr/local/cuda/bin/nvcc"]
    nvcc = next((p for p in candidates if p and os.path.isfile(p) and os.access(p, os.X_OK)), "")
    f = {"nvcc": nvcc, "nvcc_version": "", "cuda_root": "", "cuda_include": "", "host_defines": ""}
    if not nvcc:
        return f
    m = re.search(r"release ([0-9]+\.[0-9]+)", run(nvcc, "--version"))
    f["nvcc_version"] = m.group(1) if m else ""
    f["cuda_root"] = os.path.dirname(os.path.dirname(os.path.realpath(nvcc)))
    f["cuda_include"] = cuda_include_dir(f["cuda_root"])
    if f["cuda_include"] and os.path.isfile(os.path.join(f["cuda_include"], "crt", "host_defines.h")):
        f["host_defines"] = os.path.join(f["cuda_include"], "crt", "host_defines.h")
    return f


def torch():
    """What this interpreter's torch knows (run in the python with torch)."""
    import torch as t

    f = {"python": sys.executable, "python_version": platform.python_version(), "torch_version": t.__version__,
         "torch_cuda": t.version.cuda or "", "cxx11_abi": bool(getattr(t._C, "_GLIBCXX_USE_CXX11_ABI", False)),
         "torch_dir": os.path.dirname(t.__file__),
         "torch_cmake_prefix": getattr(getattr(t, "utils", None), "cmake_prefix_path", "") or ""}
    try:
        f["cudnn"] = str(t.backends.cudnn.version())
    except Exception as e:  # noqa: BLE001 (any failure is a fact)
        f["cudnn"] = f"n/a ({e})"
    f["cuda_available"] = bool(t.cuda.is_available())
    if f["cuda_available"]:
        f["device_count"] = t.cuda.device_count()
        f["device_name"] = t.cuda.get_device_name(0)
        f["device_capability"] = ".".join(map(str, t.cuda.get_device_capability(0)))
        f["device_memory_gib"] = round(t.cuda.mem_get_info(0)[1] / 2**30, 1)
        f["arch_list"] = list(t.cuda.get_arch_list())
    # The CUDA headers and libraries of pip's nvidia-* packages (nvidia/<name>/include, lib).
    incs, libs = [], []
    for base in sys.path:
        for d in sorted(glob.glob(os.path.join(base, "nvidia", "*"))):
            for sub, found in (("include", incs), ("lib", libs)):
                p = os.path.join(d, sub)
                if os.path.isdir(p) and p not in found:
                    found.append(p)
    f["nvidia_include"], f["nvidia_lib"] = incs, libs
    f["cudart"] = next((x for d in libs for x in sorted(glob.glob(os.path.join(d, "libcudart.so*")))), "")
    return f


STANDARDS = {"201402": 14, "201703": 17, "202002": 20, "202302": 23}
HEADERS = ("ATen/ATen.h", "torch/csrc/api/include/torch/all.h", "c10/util/C++17.h", "c10/macros/Macros.h",
           "torch/headeronly/macros/Macros.h")


def cxx_standard(torch_dir, cmake_dirs):
    """[(standard, where)] from torch's headers (`#if ... __cplusplus < 2020xxL` guards of an
    #error) and CMake files (cxx_std_NN, CXX_STANDARD NN), and the standard torch builds its
    extensions with (torch/utils/cpp_extension.py's -std=c++NN) as (NN, "cpp_extension")."""
    found = []
    include = os.path.join(torch_dir, "include")
    for h in HEADERS:
        try:
            text = open(os.path.join(include, h), errors="replace").read()
        except OSError:
            continue
        for m in re.finditer(r"__cplusplus\s*<\s*(20[0-9]{4})L[^\n]*\n\s*#\s*error", text):
            if m.group(1) in STANDARDS:
                found.append((STANDARDS[m.group(1)], h))
    for d in cmake_dirs:
        for p in sorted(glob.glob(os.path.join(d, "**", "*.cmake"), recursive=True)):
            try:
                text = open(p, errors="replace").read()
            except OSError:
                continue
            for m in re.finditer(r"cxx_std_([0-9]{2})|CXX_STANDARD\s+([0-9]{2})\b", text):
                found.append((int(m.group(1) or m.group(2)), os.path.relpath(p, os.path.dirname(d))))
    try:
        ext = open(os.path.join(torch_dir, "utils", "cpp_extension.py"), errors="replace").read()
        stds = [int(x) for x in re.findall(r"['\"]-std=c\+\+([0-9]{2})['\"]", ext)]
        if stds:
            found.append((max(stds), "cpp_extension"))
    except OSError:
        pass
    return found


if __name__ == "__main__":
    if sys.argv[1:] != ["--torch"]:
        sys.exit("usage: facts.py --torch")
    print(json.dumps(torch()))
