"""Whether the CUDA headers that the project's CUDA-only code includes compile, in seconds.

    cuda_probe.py FACTS SOURCE_DIR PROBE.cpp

Writes PROBE.cpp: every `#include <ATen/cuda/...>` and `<c10/cuda/...>` of SOURCE_DIR/src and
SOURCE_DIR/include, and <ATen/cuda/CUDAContext.h>; compiles it syntax-only ($CXX, else c++,
else g++) against torch's headers (torch_dir of the FACTS file) and pip's nvidia-* include
folders (nvidia_include). scripts/gpu-check.sh runs it before it configures with
cmake/torch-wheel: a failed build would cost a configure and more. Exit status: the compiler's
(124 after 120 s); its first 20 lines of output are printed.
"""

import os
import re
import shutil
import subprocess
import sys


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: cuda_probe.py FACTS SOURCE_DIR PROBE.cpp")
    facts = dict(l.rstrip("\n").split("=", 1) for l in open(argv[0]) if "=" in l)
    includes = set()
    for top in ("src", "include"):
        for d, _, files in os.walk(os.path.join(argv[1], top)):
            for n in files:
                if n.endswith((".cpp", ".hpp")):
                    text = open(os.path.join(d, n), errors="replace").read()
                    includes.update(re.findall(r"#include <(?:ATen|c10)/cuda/[^>]*>", text))
    includes.add("#include <ATen/cuda/CUDAContext.h>")
    os.makedirs(os.path.dirname(os.path.abspath(argv[2])), exist_ok=True)
    with open(argv[2], "w") as f:
        f.write("\n".join(sorted(includes)) + "\nint main() { return 0; }\n")
    torch = facts.get("torch_dir", "")
    dirs = [os.path.join(torch, "include"), os.path.join(torch, "include", "torch", "csrc", "api", "include")]
    dirs += [d for d in facts.get("nvidia_include", "").split(":") if d]
    cxx = next((c for c in (os.environ.get("CXX", ""), "c++") if c and shutil.which(c)), "g++")
    print(f"probing the CUDA headers: {len(includes)} includes", flush=True)
    cmd = [cxx, "-std=c++17", "-fsyntax-only", "-D_GLIBCXX_USE_CXX11_ABI=1"]
    cmd += [a for d in dirs for a in ("-isystem", d)] + [argv[2]]
    try:
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        print("the compiler ran past 120 s")
        return 124
    print("\n".join(done.stdout.splitlines()[:20]))
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
