#!/usr/bin/env bash
# The device run's pre-flight (scripts/gpu-check.sh --preflight) on broken machines, faked here in
# seconds and without a build: a python without torch, a CUDA torch without nvcc, a g++ too old
# for the C++ standard torch's headers ask for, a toolkit of another CUDA version, a cmake too
# old with no cmake among the .debs. Each must fail with exit 1 and one line, "pre-flight: ...",
# naming the fault, within 60 s; a fake machine with nothing broken must pass.
#   tests/cuda/device_run_preflight_test.sh [SOURCE_DIR]
set -uo pipefail
root="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# A torch that imports in milliseconds and says what FAKE_TORCH_* ask; its headers ask for
# FAKE_TORCH_STD (the __cplusplus guard of ATen/ATen.h).
mkdir -p "$tmp/fake/torch/include/ATen" "$tmp/cuda/bin" "$tmp/cuda/include/crt" "$tmp/bin" "$tmp/debs"
cat >"$tmp/fake/torch/__init__.py" <<'PY'
import os
__version__ = "2.11.0+cu130"
class version:
    cuda = "13.0"
class _C:
    _GLIBCXX_USE_CXX11_ABI = True
class utils:
    cmake_prefix_path = ""
class backends:
    class cudnn:
        version = staticmethod(lambda: 91300)
class cuda:
    is_available = staticmethod(lambda: True)
    device_count = staticmethod(lambda: 1)
    get_device_name = staticmethod(lambda i=0: "Fake GPU")
    get_device_capability = staticmethod(lambda i=0: (9, 0))
    mem_get_info = staticmethod(lambda i=0: (79 * 2**30, 80 * 2**30))
    get_arch_list = staticmethod(lambda: ["sm_80", "sm_90", "sm_100"])
PY
header() { printf '#pragma once\n#if !defined(_MSC_VER) && __cplusplus < %s\n#error C++ too old\n#endif\n' "$1" \
  >"$tmp/fake/torch/include/ATen/ATen.h"; }
# A CUDA toolkit: nvcc of FAKE_NVCC's version, with the headers the pre-flight looks for.
cat >"$tmp/cuda/bin/nvcc" <<'SH'
#!/bin/sh
echo "Cuda compilation tools, release ${FAKE_NVCC:-13.0}, V${FAKE_NVCC:-13.0}.48"
SH
touch "$tmp/cuda/include/cuda_runtime.h" "$tmp/cuda/include/crt/host_defines.h"
# An old g++ and an old cmake, put first on PATH where a case asks.
mkdir -p "$tmp/old-gxx" "$tmp/old-cmake"
printf '#!/bin/sh\ncase "$1" in -dump*) echo 9.4.0 ;; --version) echo "g++ (GCC) 9.4.0" ;; esac\n' >"$tmp/old-gxx/g++"
printf '#!/bin/sh\necho "cmake version 3.16.3"\n' >"$tmp/old-cmake/cmake"
chmod +x "$tmp/cuda/bin/nvcc" "$tmp/old-gxx/g++" "$tmp/old-cmake/cmake"
# The python the pre-flight asks about torch: python3 without site-packages (-S), so that only
# the fake torch imports, and no pip nvidia-* headers of this machine are seen.
printf '#!/bin/sh\nexec python3 -S "$@"\n' >"$tmp/bin/python3-nosite"
chmod +x "$tmp/bin/python3-nosite"
# .debs that ask little of the system (and bring no cmake).
printf '# fake\n# dev libraries need: glibc >= 2.17, libstdc++6 >= 8 (gcc 8)\n# role\tpackage\tversion\tfile\tbytes\n' \
  >"$tmp/debs/MANIFEST"

failures=0
# expect NAME STATUS PATTERN [VAR=VALUE...]: runs the pre-flight with those settings.
expect() {
  local name="$1" want="$2" pattern="$3" out rc t0 secs lines
  shift 3
  t0=$EPOCHREALTIME
  out=$(env OUT="$tmp/out-$name" GPU_CHECK_RAW="$tmp/raw-$name" DEBS="$tmp/debs" \
    PYTHONPATH="$tmp/fake" GPU_CHECK_PYTHON="$tmp/bin/python3-nosite" GPU_CHECK_NVCC="$tmp/cuda/bin/nvcc" \
    GPU_CHECK_REQUIRE_GPU=1 CUDA_HOME= CXX= "$@" \
    timeout 90 bash "$root/scripts/gpu-check.sh" --preflight 2>&1)
  rc=$?
  secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  lines=$(printf '%s\n' "$out" | grep -c .)
  if [[ $rc != "$want" || $lines != 1 || "$out" != pre-flight:* || ! "$out" =~ $pattern ]] ||
    ((${secs%.*} >= 60)); then
    echo "FAILED: $name: exit $rc (want $want), $lines lines, ${secs}s, output:"
    printf '%s\n' "$out" | sed 's/^/    /'
    failures=$((failures + 1))
  else
    printf 'ok: %-22s exit %s in %4ss: %s\n' "$name" "$rc" "$secs" "$out"
  fi
}

header 201703L
expect nothing-broken 0 '^pre-flight: ok: torch 2\.11\.0\+cu130, Fake GPU, C\+\+20'
expect python-without-torch 1 'nonexistent' GPU_CHECK_PYTHON=/nonexistent
expect python-cannot-import 1 'cannot import torch' PYTHONPATH="$tmp/none"
expect no-nvcc 1 'no nvcc' GPU_CHECK_NVCC=none
expect toolkit-mismatch 1 'cannot compile .* nvcc 12\.4 .* is not torch.s CUDA 13\.0' FAKE_NVCC=12.4
expect old-cmake 1 'cmake 3\.16\.3 .* older than the 3\.18' PATH="$tmp/old-cmake:$PATH"
header 202002L
expect old-gxx-for-cxx20 1 'needs C\+\+20 .* g\+\+ 9\.4\.0' PATH="$tmp/old-gxx:$PATH"
((failures == 0)) || { echo "$failures case(s) failed"; exit 1; }
echo "all pre-flight cases behave"
