"""What scripts/gpu-check.sh needs to know of the machine, printed as key=value lines.

    facts.py [--torch] [--manifest DEBS/MANIFEST]

The system (GPU by nvidia-smi, OS, kernel, cores, memory, glibc, compilers, libstdc++, build
tools) always; with --torch also what this interpreter's torch knows (import torch takes
seconds, so it is done once here): its version, CUDA, C++ ABI, folders, cuDNN, the GPU it sees,
and the CUDA headers and libraries of pip's nvidia-* packages (no CUDA toolkit needed).
nvcc and cuda_root: a CUDA toolkit (PATH, CUDA_HOME, /usr/local/cuda), or empty. cuda_arch: the
first GPU's compute capability ("9.0" on H100/H200), from torch, else nvidia-smi.
With --manifest, warns (on stderr) where this glibc is older than the .debs need.
"""

import glob
import os
import platform
import re
import shutil
import subprocess
import sys
import time


def out(key, value):
    print(f"{key}={value}", flush=True)


def run(*cmd, timeout=30):
    """The command's stdout, or "" where it is missing or fails."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def first_line(text):
    return (text.splitlines() or [""])[0]


def system():
    smi = ""
    if shutil.which("nvidia-smi"):
        print(run("nvidia-smi"), file=sys.stderr, flush=True)
        smi = first_line(run("nvidia-smi", "--query-gpu=name,driver_version,memory.total,compute_cap",
                             "--format=csv,noheader"))
        out("nvidia_smi", smi)
        out("gpu_count", sum(1 for l in run("nvidia-smi", "-L").splitlines() if l.startswith("GPU")))
    else:
        print("no nvidia-smi", file=sys.stderr)
        out("nvidia_smi", "none")
    out("date", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    pretty = ""
    try:
        m = re.search(r'^PRETTY_NAME="?([^"\n]*)', open("/etc/os-release").read(), re.M)
        pretty = m.group(1) if m else "?"
    except OSError:
        pretty = platform.system()
    out("os", pretty)
    out("kernel", platform.release())
    out("nproc", len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 4)
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1))
        out("memory", f"{kib / 1048576:.0f} GiB")
    except (OSError, AttributeError):
        out("memory", "")
    try:
        glibc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError):
        glibc = first_line(run("ldd", "--version"))
    out("glibc", glibc)
    for cc in ("gcc", "g++"):
        out(cc, first_line(run(cc, "--version")) if shutil.which(cc) else "none")
    libstdcxx = run("g++", "-print-file-name=libstdc++.so.6").strip()
    if not os.path.isfile(libstdcxx):
        libstdcxx = next((p for p in ("/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6")
                          if os.path.isfile(p)), "")
    best = ""
    if libstdcxx:
        found = set(re.findall(rb"GLIBCXX_3\.4\.[0-9]*", open(libstdcxx, "rb").read()))
        key = lambda v: [int(x) if x.isdigit() else 0 for x in re.split(r"[._]", v)]
        best = max((v.decode() for v in found), key=key, default="")
    out("libstdcxx", best)
    for tool in ("cmake", "pkg-config", "ninja", "make", "nvcc"):
        path = shutil.which(tool)
        out(f"tool_{tool}", f"{path} ({first_line(run(tool, '--version'))})" if path else "none")
    # A CUDA toolkit, for torch's own CMake config: nvcc and the folder above its bin/.
    home = os.environ.get("CUDA_HOME", "")
    nvcc = next((p for p in (shutil.which("nvcc"), home and os.path.join(home, "bin", "nvcc"),
                             "/usr/local/cuda/bin/nvcc") if p and os.access(p, os.X_OK)), "")
    out("nvcc", nvcc)
    out("cuda_root", os.path.dirname(os.path.dirname(nvcc)) if nvcc else
        next((d for d in (home, "/usr/local/cuda") if d and os.path.isdir(d)), ""))
    return smi, glibc, best


def check_manifest(manifest, glibc, libstdcxx):
    """What the Debian libraries ask of the system (scripts/gpu-debs.sh wrote it in MANIFEST)."""
    try:
        m = re.search(r"glibc >= ([0-9.]+), libstdc\+\+6 >= [0-9]+", open(manifest).read())
    except OSError:
        return
    if not m:
        return
    print(f"the .debs need {m.group(0)}; this machine has {glibc}, {libstdcxx}", file=sys.stderr)
    have = re.search(r"[0-9]+\.[0-9]+", glibc)
    version = lambda v: [int(x) for x in v.split(".") if x.isdigit()]
    if have and version(have.group(0)) < version(m.group(1)):
        print(f"WARNING: glibc {have.group(0)} is older than the {m.group(1)} the Debian libraries "
              "were built for", file=sys.stderr)


def torch_facts(smi):
    import torch

    out("python_version", platform.python_version())
    out("torch_version", torch.__version__)
    out("torch_cuda", torch.version.cuda)
    out("cxx11_abi", getattr(torch._C, "_GLIBCXX_USE_CXX11_ABI", "unknown"))
    out("torch_dir", os.path.dirname(torch.__file__))
    out("torch_cmake_prefix", getattr(torch.utils, "cmake_prefix_path", ""))
    try:
        out("cudnn", torch.backends.cudnn.version())
    except Exception as e:  # noqa: BLE001 (any failure is a fact)
        out("cudnn", f"n/a ({e})")
    available = torch.cuda.is_available()
    out("cuda_available", available)
    arch = ""
    if available:
        out("device_count", torch.cuda.device_count())
        out("device_name", torch.cuda.get_device_name(0))
        arch = ".".join(map(str, torch.cuda.get_device_capability(0)))
        out("device_capability", arch)
        free, total = torch.cuda.mem_get_info(0)
        out("device_memory_gib", f"{total / 2**30:.1f}")
    if not arch and smi.count(",") >= 3:
        arch = smi.split(",")[3].strip()
    out("cuda_arch", arch if re.fullmatch(r"[0-9]+\.[0-9]+", arch) else "")
    incs, libs = [], []
    for base in sys.path:
        for d in sorted(glob.glob(os.path.join(base, "nvidia", "*"))):
            for sub, found in (("include", incs), ("lib", libs)):
                p = os.path.join(d, sub)
                if os.path.isdir(p) and p not in found:
                    found.append(p)
    incs.sort(key=lambda d: "cuda_runtime" not in d)  # cuda_runtime's headers first
    out("nvidia_include", ":".join(incs))
    out("nvidia_lib", ":".join(libs))
    cudart = [f for d in libs for f in sorted(glob.glob(os.path.join(d, "libcudart.so*")))]
    out("cudart", cudart[0] if cudart else "")


def main(argv):
    manifest = argv[argv.index("--manifest") + 1] if "--manifest" in argv else ""
    smi, glibc, libstdcxx = system()
    if manifest:
        check_manifest(manifest, glibc, libstdcxx)
    if "--torch" in argv:
        torch_facts(smi)


if __name__ == "__main__":
    main(sys.argv[1:])
