"""The arguments of scripts/gpu-check.sh's cmake configure, one per line on stdout.

    cmake_args.py FACTS SYSROOT SOURCE BUILD WAY TORCH_DIR

FACTS is the run's facts.txt (key=value, the last value of a key wins). WAY says how LibTorch
is found, TORCH_DIR where its config is:
  official   torch's own TorchConfig.cmake. Where torch has CUDA, its CUDA set-up is told the
             toolkit (CMAKE_CUDA_COMPILER, CUDA_TOOLKIT_ROOT_DIR, CUDAToolkit_ROOT, where there
             is one) and the GPU architecture (TORCH_CUDA_ARCH_LIST, CMAKE_CUDA_ARCHITECTURES:
             GPU_CHECK_CUDA_ARCH, else the GPU's compute capability), so that it probes nothing.
  shim-cuda  cmake/torch-wheel with the torch_cuda target and the CUDA headers of pip's nvidia-*
  shim-cpu   cmake/torch-wheel without it (no CUDA-only code; libtorch_cuda is still linked)
The Debian packages unpacked under SYSROOT/usr win over any copy on the machine: each CMake
config package by its folder, LAME, zlib and GTest by their files; without libgd (pkg-config
gdlib) the build goes without `preview`. GPU_CHECK_CMAKE_ARGS (split at spaces) comes last.
"""

import os
import shutil
import subprocess
import sys

ARCH = "x86_64-linux-gnu"
PACKAGES = ("CLI11", "spdlog", "fmt", "nlohmann_json", "tomlplusplus", "GTest")


def read_facts(path):
    facts = {}
    for line in open(path):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            facts[k] = v
    return facts


def config_dir(usr, package):
    names = (f"{package}Config.cmake", f"{package.lower()}-config.cmake")
    for d, _, files in sorted(os.walk(usr)):
        if any(n in files for n in names):
            return d
    return ""


def torch_args(way, torch_dir, f):
    if way == "official":
        args, cuda = [], f.get("torch_cuda", "None") not in ("None", "")
        nvcc, root, arch = f.get("nvcc", ""), f.get("cuda_root", ""), os.environ.get("GPU_CHECK_CUDA_ARCH") or f.get("cuda_arch", "")
        if cuda and nvcc:
            args.append(f"-DCMAKE_CUDA_COMPILER={nvcc}")
        if cuda and root:
            args += [f"-DCUDA_TOOLKIT_ROOT_DIR={root}", f"-DCUDAToolkit_ROOT={root}"]
        if cuda and arch:
            args += [f"-DTORCH_CUDA_ARCH_LIST={arch}", f"-DCMAKE_CUDA_ARCHITECTURES={arch.replace('.', '')}"]
        print(f"torch's own CMake config: {torch_dir} (nvcc: {nvcc if cuda and nvcc else 'none'}, "
              f"CUDA arch: {arch if cuda and arch else 'none given'})", file=sys.stderr)
        return args
    semicolons = lambda key: ";".join(d for d in f.get(key, "").split(":") if d)
    return [f"-DTORCH_WHEEL_DIR={f.get('torch_dir', '')}",
            f"-DTORCH_WHEEL_CUDA={'ON' if way == 'shim-cuda' else 'OFF'}",
            f"-DTORCH_WHEEL_CUDA_INCLUDE_DIRS={semicolons('nvidia_include')}",
            f"-DTORCH_WHEEL_CUDA_LIBRARY_DIRS={semicolons('nvidia_lib')}",
            f"-DTORCH_WHEEL_CUDART={f.get('cudart', '')}"]


def main(argv):
    if len(argv) != 6 or argv[4] not in ("official", "shim-cuda", "shim-cpu"):
        sys.exit("usage: cmake_args.py FACTS SYSROOT SOURCE BUILD official|shim-cuda|shim-cpu TORCH_DIR")
    facts, sysroot, source, build, way, torch_dir = argv
    f = read_facts(facts)
    usr = os.path.join(sysroot, "usr")
    lib = os.path.join(usr, "lib", ARCH)
    args = (["-G", "Ninja"] if shutil.which("ninja") else []) + [
        "-S", source, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
        f"-DTorch_DIR={torch_dir}", f"-DCMAKE_PREFIX_PATH={usr};{lib}/cmake;{usr}/share/cmake",
        f"-DCMAKE_LIBRARY_PATH={lib}", f"-DCMAKE_INCLUDE_PATH={usr}/include"]
    args += [f"-D{p}_DIR={d}" for p in PACKAGES for d in [config_dir(usr, p)] if d]
    if os.path.isfile(os.path.join(lib, "libmp3lame.so")):
        args += [f"-DLAME_LIBRARY={lib}/libmp3lame.so", f"-DLAME_INCLUDE_DIR={usr}/include"]
    if os.path.isfile(os.path.join(lib, "libz.so")):
        args += [f"-DZLIB_LIBRARY={lib}/libz.so", f"-DZLIB_INCLUDE_DIR={usr}/include"]
    if os.path.isdir(os.path.join(usr, "include", "gtest")):
        args.append(f"-DGTEST_ROOT={usr}")
    try:
        gd = subprocess.run(["pkg-config", "--exists", "gdlib"]).returncode == 0
    except OSError:
        gd = False
    if not gd:
        args.append("-DHELMHOLTZ_WITH_PREVIEW=OFF")
    args += torch_args(way, torch_dir, f) + os.environ.get("GPU_CHECK_CMAKE_ARGS", "").split()
    print("\n".join(args))


if __name__ == "__main__":
    main(sys.argv[1:])
