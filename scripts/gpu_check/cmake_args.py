"""The arguments of the device run's `cmake` configure.

args(f, decision, way, paths): f is the pre-flight's facts, decision its decision, way how
LibTorch is found:
  official   torch's own TorchConfig.cmake (decision["torch_cmake_dir"]). Where the CUDA-only code
             is compiled, its CUDA set-up is told the toolkit (CMAKE_CUDA_COMPILER,
             CUDA_TOOLKIT_ROOT_DIR, CUDAToolkit_ROOT) and the GPU's architecture
             (TORCH_CUDA_ARCH_LIST, CMAKE_CUDA_ARCHITECTURES: GPU_CHECK_CUDA_ARCH, else the GPU's
             compute capability), so that it probes nothing.
  stand-in   cmake/torch-wheel, with the torch_cuda target and decision["cuda_headers"] where the
             CUDA-only code is compiled, without them elsewhere (libtorch_cuda is still linked).
paths: root, build, sysroot. The Debian packages unpacked under SYSROOT/usr win over any copy on
the machine: each CMake config package by its folder, LAME, zlib and GTest by their files;
without libgd (pkg-config gdlib) the build goes without `preview`. The C++ standard is the
pre-flight's (HELMHOLTZ_CXX_STANDARD), the fuzz replay programs are not built, and
GPU_CHECK_CMAKE_ARGS (split at spaces) comes last.
"""

import os
import shutil
import subprocess

import facts as machine

ARCH = "x86_64-linux-gnu"
PACKAGES = ("CLI11", "spdlog", "fmt", "nlohmann_json", "tomlplusplus", "GTest")


def config_dir(usr, package):
    names = (f"{package}Config.cmake", f"{package.lower()}-config.cmake")
    for d, _, files in sorted(os.walk(usr)):
        if any(n in files for n in names):
            return d
    return ""


def torch_args(f, decision, way, root):
    if way == "official":
        args = [f"-DTorch_DIR={decision['torch_cmake_dir']}"]
        if decision["cuda_code"]:
            arch = os.environ.get("GPU_CHECK_CUDA_ARCH") or f.get("device_capability", "")
            args += [f"-DCMAKE_CUDA_COMPILER={f['nvcc']}", f"-DCUDA_TOOLKIT_ROOT_DIR={f['cuda_root']}",
                     f"-DCUDAToolkit_ROOT={f['cuda_root']}"]
            if arch:
                args += [f"-DTORCH_CUDA_ARCH_LIST={arch}", f"-DCMAKE_CUDA_ARCHITECTURES={arch.replace('.', '')}"]
        return args
    cuda = decision["cuda_code"]
    libs = list(f.get("nvidia_lib", []))
    cudart = f.get("cudart", "")
    if cuda and not cudart and f.get("cuda_root"):
        for d in ("lib64", "lib", "targets/x86_64-linux/lib"):
            p = os.path.join(f["cuda_root"], d, "libcudart.so")
            if os.path.exists(p):
                cudart = p
                libs.append(os.path.dirname(p))
                break
    return [f"-DTorch_DIR={os.path.join(root, 'cmake', 'torch-wheel')}",
            f"-DTORCH_WHEEL_DIR={f['torch_dir']}",
            f"-DTORCH_WHEEL_CUDA={'ON' if cuda else 'OFF'}",
            f"-DTORCH_WHEEL_CUDA_INCLUDE_DIRS={';'.join(decision['cuda_headers']) if cuda else ''}",
            f"-DTORCH_WHEEL_CUDA_LIBRARY_DIRS={';'.join(libs)}",
            f"-DTORCH_WHEEL_CUDART={cudart if cuda else ''}"]


def args(f, decision, way, paths):
    root, build, sysroot = paths["root"], paths["build"], paths["sysroot"]
    usr = os.path.join(sysroot, "usr")
    lib = os.path.join(usr, "lib", ARCH)
    out = (["-G", "Ninja"] if shutil.which("ninja") else []) + [
        "-S", root, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
        f"-DCMAKE_CXX_COMPILER={f['cxx']}",
        f"-DHELMHOLTZ_CXX_STANDARD={decision['cxx_standard']}", "-DHELMHOLTZ_BUILD_FUZZ_REPLAY=OFF",
        f"-DCMAKE_PREFIX_PATH={usr};{lib}/cmake;{usr}/share/cmake",
        f"-DCMAKE_LIBRARY_PATH={lib}", f"-DCMAKE_INCLUDE_PATH={usr}/include"]
    # CMake 4 refuses config files that ask for a CMake older than 3.5; some Debian ones do.
    version = machine.version_of(subprocess.run(["cmake", "--version"], capture_output=True, text=True).stdout)
    if machine.as_tuple(version) >= (4,):
        out.append("-DCMAKE_POLICY_VERSION_MINIMUM=3.5")
    out += [f"-D{p}_DIR={d}" for p in PACKAGES for d in [config_dir(usr, p)] if d]
    if os.path.isfile(os.path.join(lib, "libmp3lame.so")):
        out += [f"-DLAME_LIBRARY={lib}/libmp3lame.so", f"-DLAME_INCLUDE_DIR={usr}/include"]
    if os.path.isfile(os.path.join(lib, "libz.so")):
        out += [f"-DZLIB_LIBRARY={lib}/libz.so", f"-DZLIB_INCLUDE_DIR={usr}/include"]
    if os.path.isdir(os.path.join(usr, "include", "gtest")):
        out.append(f"-DGTEST_ROOT={usr}")
    try:
        gd = subprocess.run(["pkg-config", "--exists", "gdlib"]).returncode == 0
    except OSError:
        gd = False
    if not gd:
        out.append("-DHELMHOLTZ_WITH_PREVIEW=OFF")
    return out + torch_args(f, decision, way, root) + os.environ.get("GPU_CHECK_CMAKE_ARGS", "").split()
