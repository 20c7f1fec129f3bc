#!/usr/bin/env bash
# One run on a rented GPU machine with no package archive and no network: builds helmholtz
# against the machine's CUDA PyTorch (python3's torch) and the Debian libraries that
# scripts/gpu-debs.sh downloaded, runs the test suite, benchmarks training against the PyTorch
# (Python) peer, measures how well several processes share one GPU, and trains all-cnns on a
# generated CIFAR-format set. Everything it prints goes to OUT/gpu-check.log; the results,
# as markdown tables, to OUT/gpu-check.md. It keeps going after a failure and exits non-zero
# at the end if anything failed; steps that do not fit in the time left are skipped and say so.
#
#   scripts/gpu-check.sh
#
# Environment:
#   DEBS                  the .deb folder of scripts/gpu-debs.sh (default build-debs)
#   OUT                   where the log, the report and raw results go (default: build-gpucheck-out)
#   GPU_CHECK_DEADLINE    seconds for the whole run (default 480); each step checks the time left
#   GPU_CHECK_SMOKE       1: tiny sizes (default: 1 where torch sees no GPU, and all runs on the CPU)
#   GPU_CHECK_TORCH       auto (default): torch's own CMake config, then a stand-in config written
#                         here where that fails (no CUDA toolkit); or official, or shim
#   TORCH_DIR             folder of a TorchConfig.cmake to use instead of python3's torch's
#   GPU_CHECK_PYTHON      the python with torch (default: python3, then /usr/bin/python3)
#   GPU_CHECK_STEPS       comma-separated subset of facts,unpack,build,ctest,bench,pack,train
#   GPU_CHECK_CMAKE_ARGS  extra configure arguments (split at spaces)
#   GPU_CHECK_CONFIGURE_ONLY 1: the build step stops after configuring
#   GPU_CHECK_CTEST_CAP   seconds for ctest at most (default 240)
#   GPU_CHECK_RESERVE_BENCH, _PACK, _TRAIN: seconds kept for those steps while earlier ones run
#                         (default 90, 45, 60)
#   GPU_CHECK_FORCE_TOOLS 1: use the unpacked cmake, pkg-config and ninja even where the machine
#                         has its own (to test them)
#   GPU_CHECK_UNPACKER    dpkg, ar or python: how to unpack the .debs (default: the first found)
#   GPU_CHECK_BUILD_DIR, GPU_CHECK_PREFIX, GPU_CHECK_RUNS: folders (default build-gpucheck,
#                         build-gpucheck-prefix, build-gpucheck-runs)
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
case "${1:-}" in
  -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  "") ;;
  *) echo "gpu-check.sh: no arguments (settings come from the environment; see --help)" >&2; exit 2 ;;
esac

abspath() { case "$1" in /*) echo "$1" ;; *) echo "$root/$1" ;; esac; }
start_s=$(date +%s)
deadline_s=${GPU_CHECK_DEADLINE:-480}
debs=$(abspath "${DEBS:-build-debs}")
out=$(abspath "${OUT:-build-gpucheck-out}")
build=$(abspath "${GPU_CHECK_BUILD_DIR:-build-gpucheck}")
prefix=$(abspath "${GPU_CHECK_PREFIX:-build-gpucheck-prefix}")
runs=$(abspath "${GPU_CHECK_RUNS:-build-gpucheck-runs}")
steps=${GPU_CHECK_STEPS:-facts,unpack,build,ctest,bench,pack,train}
torch_mode=${GPU_CHECK_TORCH:-auto}
raw="$out/raw"
sysroot="$prefix/root"  # the dev packages, as if installed under $sysroot/usr
tools="$prefix/tools"   # cmake, pkg-config, make, ninja and their libraries
arch_dir="x86_64-linux-gnu"
jobs=$(nproc 2>/dev/null || echo 4)

# Seconds set aside for what comes after a step, so that a slow step cannot starve the rest.
reserve_report=15
reserve_train=${GPU_CHECK_RESERVE_TRAIN:-60}
reserve_pack=${GPU_CHECK_RESERVE_PACK:-45}
reserve_bench=${GPU_CHECK_RESERVE_BENCH:-90}

# --- helpers ---------------------------------------------------------------------------------
now() { date +%s; }
elapsed() { echo $(($(now) - start_s)); }
left() { echo $((start_s + deadline_s - $(now))); }
say() { printf '[%s +%4ds] %s\n' "$(date +%H:%M:%S)" "$(elapsed)" "$*"; }
fact() { printf '%s=%s\n' "$1" "$2" >>"$raw/facts.txt"; }
get_fact() { awk -v k="$1" 'index($0, k "=") == 1 { v = substr($0, length(k) + 2) } END { print v }' "$raw/facts.txt"; }
enabled() { [[ ",$steps," == *",$1,"* ]]; }
failures=()
fail_note() { failures+=("$1"); say "FAILED: $1"; }
step_start() {
  step_name="$1"
  step_t0=$(now)
  say "=== step $1: $2 ($(left)s left)"
}
step_done() { # step_done STATUS [NOTE]
  local secs=$(($(now) - step_t0))
  printf '%s\t%s\t%s\t%s\n' "$step_name" "$1" "$secs" "${2:-}" >>"$raw/steps.tsv"
  say "=== $step_name: $1 in ${secs}s${2:+ ($2)}"
  [[ "$1" == failed ]] && fail_note "$step_name: ${2:-failed}"
  return 0
}
step_skip() {
  printf '%s\tskipped\t0\t%s\n' "$1" "$2" >>"$raw/steps.tsv"
  say "=== step $1 skipped: $2"
}
# bounded SECONDS COMMAND...: the command, killed after SECONDS (exit status 124).
bounded() {
  local secs=$1
  shift
  ((secs < 1)) && secs=1
  if command -v timeout >/dev/null; then
    timeout -k 10 "$secs" "$@"
  else
    "$@"
  fi
}
first_existing() { local f; for f in "$@"; do [[ -e "$f" ]] && { echo "$f"; return 0; }; done; return 1; }
min() { if (($1 < $2)); then echo "$1"; else echo "$2"; fi; }

# --- step 1: facts -------------------------------------------------------------------------
step_facts() {
  step_start facts "machine, driver, torch, compiler"
  if command -v nvidia-smi >/dev/null; then
    bounded 30 nvidia-smi
    local q
    q=$(bounded 30 nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap \
      --format=csv,noheader 2>/dev/null | head -1)
    fact nvidia_smi "$q"
    fact gpu_count "$(bounded 30 nvidia-smi -L 2>/dev/null | grep -c '^GPU')"
  else
    say "no nvidia-smi"
    fact nvidia_smi "none"
  fi
  py=""
  local cand
  for cand in ${GPU_CHECK_PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import torch' 2>/dev/null; then
      py=$(command -v "$cand")
      break
    fi
  done
  if [[ -z "$py" ]]; then
    step_done failed "no python3 that imports torch"
    return 1
  fi
  fact python "$py"
  say "python with torch: $py"
  # One interpreter start for everything torch knows (import torch takes seconds).
  bounded 120 "$py" - <<'PY' | tee -a "$raw/facts.txt"
import glob, os, platform, sys
import torch
def out(k, v):
    print(f"{k}={v}")
out("python_version", platform.python_version())
out("torch_version", torch.__version__)
out("torch_cuda", torch.version.cuda)
out("cxx11_abi", getattr(torch._C, "_GLIBCXX_USE_CXX11_ABI", "unknown"))
out("torch_dir", os.path.dirname(torch.__file__))
out("torch_cmake_prefix", getattr(torch.utils, "cmake_prefix_path", ""))
try:
    out("cudnn", torch.backends.cudnn.version())
except Exception as e:
    out("cudnn", f"n/a ({e})")
available = torch.cuda.is_available()
out("cuda_available", available)
if available:
    out("device_count", torch.cuda.device_count())
    out("device_name", torch.cuda.get_device_name(0))
    out("device_capability", ".".join(map(str, torch.cuda.get_device_capability(0))))
    free, total = torch.cuda.mem_get_info(0)
    out("device_memory_gib", f"{total / 2**30:.1f}")
# The CUDA headers and libraries that pip's nvidia-* packages bring (no CUDA toolkit needed).
incs, libs = [], []
for base in sys.path:
    for d in sorted(glob.glob(os.path.join(base, "nvidia", "*"))):
        if os.path.isdir(os.path.join(d, "include")) and os.path.join(d, "include") not in incs:
            incs.append(os.path.join(d, "include"))
        if os.path.isdir(os.path.join(d, "lib")) and os.path.join(d, "lib") not in libs:
            libs.append(os.path.join(d, "lib"))
incs.sort(key=lambda d: "cuda_runtime" not in d)  # cuda_runtime's headers first
out("nvidia_include", ":".join(incs))
out("nvidia_lib", ":".join(libs))
cudart = [f for d in libs for f in sorted(glob.glob(os.path.join(d, "libcudart.so*")))]
out("cudart", cudart[0] if cudart else "")
PY
  fact date "$(date -u '+%Y-%m-%d %H:%M UTC')"
  # shellcheck disable=SC1091
  fact os "$( (. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-?}") || uname -s)"
  fact kernel "$(uname -r)"
  fact nproc "$jobs"
  fact memory "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null)"
  fact glibc "$(getconf GNU_LIBC_VERSION 2>/dev/null || ldd --version 2>/dev/null | head -1)"
  local cc
  for cc in gcc g++; do
    if command -v "$cc" >/dev/null; then
      fact "$cc" "$("$cc" --version | head -1)"
    else
      fact "$cc" "none"
    fi
  done
  local libstdcxx
  libstdcxx=$(g++ -print-file-name=libstdc++.so.6 2>/dev/null)
  [[ -f "$libstdcxx" ]] || libstdcxx=$(first_existing /usr/lib/$arch_dir/libstdc++.so.6 /usr/lib64/libstdc++.so.6)
  fact libstdcxx "$( [[ -f "$libstdcxx" ]] && grep -ao 'GLIBCXX_3\.4\.[0-9]*' "$libstdcxx" | sort -uV | tail -1)"
  local tool
  for tool in cmake pkg-config ninja make nvcc; do
    if command -v "$tool" >/dev/null; then
      fact "tool_$tool" "$(command -v "$tool") ($("$tool" --version 2>/dev/null | head -1))"
    else
      fact "tool_$tool" "none"
    fi
  done
  grep '^tool_\|^gcc\|^g++\|^glibc\|^libstdcxx\|^os=\|^nproc\|^memory' "$raw/facts.txt"
  # What the Debian libraries ask of the system (scripts/gpu-debs.sh wrote it in MANIFEST).
  local need
  need=$(grep -o 'glibc >= [0-9.]*, libstdc++6 >= [0-9]*' "$debs/MANIFEST" 2>/dev/null)
  if [[ -n "$need" ]]; then
    say "the .debs need $need; this machine has $(get_fact glibc), $(get_fact libstdcxx)"
    local want have
    want=${need#glibc >= }
    want=${want%%,*}
    have=$(grep -o '[0-9]\+\.[0-9]\+' <<<"$(get_fact glibc)" | head -1)
    if [[ -n "$have" && "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -1)" != "$want" ]]; then
      say "WARNING: glibc $have is older than the $want the Debian libraries were built for"
    fi
  fi
  local abi
  abi=$(get_fact cxx11_abi)
  if [[ "$abi" != "True" && "$abi" != "1" ]]; then
    step_done failed "torch was built with the old C++ ABI (_GLIBCXX_USE_CXX11_ABI=$abi): the Debian libraries use the new one, so helmholtz cannot link both; use a torch built with the CXX11 ABI (pip wheels since 2.7) or a LibTorch cxx11-abi download"
    return 1
  fi
  if [[ "$(get_fact cuda_available)" == "True" ]]; then
    smoke=${GPU_CHECK_SMOKE:-0}
    device=cuda
  else
    smoke=${GPU_CHECK_SMOKE:-1}
    device=cpu
    say "torch sees no GPU: benchmarks run on the CPU$([[ $smoke == 1 ]] && echo ' (smoke sizes)')"
    [[ "$(get_fact torch_cuda)" != "None" ]] && fail_note "facts: torch has CUDA $(get_fact torch_cuda) but sees no GPU"
  fi
  fact device "$device"
  fact smoke "$smoke"
  step_done ok
}

# --- step 2: unpack the .debs ----------------------------------------------------------------
unpack_deb() { # unpack_deb FILE DIR
  local deb="$1" dir="$2"
  case "$unpacker" in
    dpkg) dpkg-deb -x "$deb" "$dir" ;;
    ar)
      local tmp member
      tmp=$(mktemp -d) || return 1
      (cd "$tmp" && ar x "$deb") || { rm -rf "$tmp"; return 1; }
      member=$(first_existing "$tmp"/data.tar*)
      case "$member" in
        *.zst) zstd -dc "$member" | tar -x -C "$dir" ;;
        *) tar -xf "$member" -C "$dir" ;;
      esac
      local status=$?
      rm -rf "$tmp"
      return $status
      ;;
    python)
      "${py:-python3}" - "$deb" "$dir" <<'PY'
import io, sys, tarfile
deb, dest = sys.argv[1], sys.argv[2]
with open(deb, "rb") as f:
    assert f.read(8) == b"!<arch>\n", "not an ar archive"
    while True:
        header = f.read(60)
        if len(header) < 60:
            sys.exit(f"{deb}: no data.tar member")
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        data = f.read(size)
        if size % 2:
            f.read(1)
        if name.startswith("data.tar"):
            if name.endswith(".zst"):
                sys.exit(f"{deb}: data.tar.zst needs zstd (python's tarfile cannot read it)")
            with tarfile.open(fileobj=io.BytesIO(data)) as t:
                t.extractall(dest)
            break
PY
      ;;
  esac
}

# make_wrapper NAME TARGET: $prefix/bin/NAME runs TARGET with the unpacked libraries that this
# machine lacks (found with ldd; the others stay the machine's own).
make_wrapper() {
  local name="$1" target="$2" libdir="$prefix/tool-lib" missing so found i
  mkdir -p "$prefix/bin" "$libdir"
  if command -v ldd >/dev/null; then
    for i in 1 2 3 4 5 6; do
      missing=$(LD_LIBRARY_PATH="$libdir" ldd "$target" 2>/dev/null | awk '/not found/ {print $1}' | sort -u)
      [[ -z "$missing" ]] && break
      for so in $missing; do
        found=$(first_existing "$tools/usr/lib/$arch_dir/$so" "$tools/lib/$arch_dir/$so" \
          "$sysroot/usr/lib/$arch_dir/$so" "$sysroot/lib/$arch_dir/$so")
        if [[ -n "$found" ]]; then
          ln -sf "$found" "$libdir/$so"
        else
          say "WARNING: $name needs $so, which neither this machine nor the .debs have"
        fi
      done
    done
  else
    # No ldd: all unpacked libraries (they may shadow newer ones of the machine).
    for so in "$tools/usr/lib/$arch_dir"/*.so.* "$tools/lib/$arch_dir"/*.so.*; do
      [[ -e "$so" ]] && ln -sf "$so" "$libdir/"
    done
  fi
  # shellcheck disable=SC2016
  printf '#!/bin/sh\nLD_LIBRARY_PATH="%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "%s" "$@"\n' \
    "$libdir" "$target" >"$prefix/bin/$name"
  chmod +x "$prefix/bin/$name"
  say "using the unpacked $name ($target); libraries it lacked: $(shopt -s nullglob; cd "$libdir" && echo *)"
}

version_at_least() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" == "$2" ]]; }

step_unpack() {
  step_start unpack "the .debs of $debs into $prefix"
  rm -rf "$prefix"
  mkdir -p "$sysroot" "$tools"
  unpacker=${GPU_CHECK_UNPACKER:-}
  if [[ -z "$unpacker" ]]; then
    if command -v dpkg-deb >/dev/null; then
      unpacker=dpkg
    elif command -v ar >/dev/null && command -v tar >/dev/null; then
      unpacker="ar"
    else
      unpacker=python
    fi
  fi
  say "unpacking with $unpacker"
  local count=0 errors=0 role file
  if [[ -f "$debs/MANIFEST" ]]; then
    while IFS=$'\t' read -r role _ _ file _; do
      [[ "$role" == \#* || -z "$file" ]] && continue
      if [[ ! -f "$debs/$file" ]]; then
        say "missing $debs/$file"
        errors=$((errors + 1))
        continue
      fi
      if [[ "$role" == tool ]]; then
        unpack_deb "$debs/$file" "$tools" || errors=$((errors + 1))
      else
        unpack_deb "$debs/$file" "$sysroot" || errors=$((errors + 1))
      fi
      count=$((count + 1))
    done <"$debs/MANIFEST"
  else
    say "no $debs/MANIFEST: unpacking every .deb there as a build dependency"
    for file in "$debs"/*.deb; do
      [[ -f "$file" ]] || continue
      unpack_deb "$file" "$sysroot" || errors=$((errors + 1))
      count=$((count + 1))
    done
  fi
  say "unpacked $count .debs ($errors errors)"
  # Absolute symlinks (to /usr/lib/...) would point out of the prefix: make them relative.
  "${py:-python3}" - "$sysroot" "$tools" <<'PY'
import os, sys
for top in sys.argv[1:]:
    fixed = 0
    for d, dirs, files in os.walk(top):
        for n in dirs + files:
            p = os.path.join(d, n)
            if os.path.islink(p) and os.readlink(p).startswith("/"):
                target = top + os.readlink(p)
                os.remove(p)
                os.symlink(os.path.relpath(target, d), p)
                fixed += 1
    print(f"{top}: {fixed} absolute symlinks made relative")
PY
  # pkg-config files: prefix=/usr (and -I/usr/..., -L/usr/... written out) point into the prefix.
  local pc n=0
  for pc in "$sysroot"/usr/lib/"$arch_dir"/pkgconfig/*.pc "$sysroot"/usr/share/pkgconfig/*.pc \
    "$sysroot"/usr/lib/pkgconfig/*.pc; do
    [[ -f "$pc" ]] || continue
    sed -i -E "s#(^|[=[:space:]]|-I|-L)/usr(/|[[:space:]]|\$)#\1$sysroot/usr\2#g" "$pc"
    n=$((n + 1))
  done
  say "rewrote $n pkg-config files to $sysroot/usr"
  local absolute
  absolute=$(grep -r '"/usr/\(include\|lib\)' "$sysroot"/usr/lib/"$arch_dir"/cmake "$sysroot"/usr/share/cmake* 2>/dev/null |
    grep -v '_realOrig\|_IMPORT_PREFIX' | cut -d: -f1 | sort -u)
  [[ -n "$absolute" ]] && say "note: CMake files naming /usr paths (left as they are): $absolute"

  # Build tools: the machine's own where it has them (CMake >= 3.18), else the unpacked ones.
  mkdir -p "$prefix/bin"
  local sys_cmake
  sys_cmake=$(cmake --version 2>/dev/null | head -1 | grep -o '[0-9][0-9.]*' | head -1)
  if [[ "${GPU_CHECK_FORCE_TOOLS:-0}" == 1 || -z "$sys_cmake" ]] || ! version_at_least "$sys_cmake" 3.18; then
    [[ -x "$tools/usr/bin/cmake" ]] && make_wrapper cmake "$tools/usr/bin/cmake" && make_wrapper ctest "$tools/usr/bin/ctest"
  fi
  if [[ "${GPU_CHECK_FORCE_TOOLS:-0}" == 1 ]] || ! command -v pkg-config >/dev/null; then
    [[ -x "$tools/usr/bin/pkgconf" ]] && make_wrapper pkg-config "$tools/usr/bin/pkgconf"
  fi
  if [[ "${GPU_CHECK_FORCE_TOOLS:-0}" == 1 ]] || { ! command -v ninja >/dev/null && ! command -v make >/dev/null; }; then
    [[ -x "$tools/usr/bin/ninja" ]] && make_wrapper ninja "$tools/usr/bin/ninja"
  fi
  export PATH="$prefix/bin:$PATH"
  local tool used=()
  for tool in cmake ctest pkg-config ninja make; do
    say "$tool: $(command -v "$tool" || echo none) $("$tool" --version 2>/dev/null | head -1)"
    [[ "$(command -v "$tool")" == "$prefix/bin/"* ]] && used+=("$tool")
  done
  fact tools_unpacked "${used[*]:-none}"
  if ((errors)); then step_done failed "$errors .debs did not unpack"; else step_done ok "$count .debs"; fi
}

# --- step 3: configure and build ------------------------------------------------------------
# A TorchConfig.cmake for a pip torch: its own needs a CUDA toolkit (nvcc) that such machines
# often lack; this one takes LibTorch's libraries and headers from the torch package and the
# CUDA headers from pip's nvidia-* packages. with_cuda=0 leaves out the torch_cuda target (the
# CUDA-only code is then not compiled, but libtorch_cuda is still linked, so the GPU works).
write_torch_shim() { # write_torch_shim DIR WITH_CUDA
  mkdir -p "$1"
  "$py" - "$1/TorchConfig.cmake" "$2" "$(get_fact torch_dir)" "$(get_fact torch_version)" \
    "$(get_fact nvidia_include)" "$(get_fact nvidia_lib)" "$(get_fact cudart)" <<'PY'
import os, re, sys
path, with_cuda, torch_dir, version, incs, libs, cudart = sys.argv[1:8]
version = version.split("+")[0]
lib = os.path.join(torch_dir, "lib")
includes = [os.path.join(torch_dir, "include"),
            os.path.join(torch_dir, "include", "torch", "csrc", "api", "include")]
if with_cuda == "1":
    includes += [d for d in incs.split(":") if d]
    if not incs and os.path.isdir("/usr/local/cuda/include"):
        includes.append("/usr/local/cuda/include")
names = ["c10", "torch_cpu", "torch"]
if os.path.exists(os.path.join(lib, "libtorch_cuda.so")):
    names += ["c10_cuda", "torch_cuda"]
link_dirs = [lib] + [d for d in libs.split(":") if d]
q = lambda s: '"' + s.replace("\\", "/") + '"'
lines = [
    "# Written by scripts/gpu-check.sh: LibTorch from the torch package, without its CUDA toolkit check",
    f"set(Torch_FOUND TRUE)",
    f"set(Torch_VERSION {q(version)})",
    f"set(TORCH_INSTALL_PREFIX {q(torch_dir)})",
    f"set(TORCH_INCLUDE_DIRS {' '.join(q(i) for i in includes)})",
    'set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=1")',
    "add_library(torch_library INTERFACE IMPORTED)",
]
links = []
for n in names:
    f = os.path.join(lib, f"lib{n}.so")
    if not os.path.exists(f):
        continue
    target = n if (n != "torch_cuda" or with_cuda == "1") else "hz_torch_cuda"
    lines += [f"add_library({target} SHARED IMPORTED)",
              f"set_target_properties({target} PROPERTIES IMPORTED_LOCATION {q(f)})"]
    # As torch's own config does: keep the library even where the linker drops unused ones,
    # since its static initialisers register the CPU and CUDA backends.
    links.append(f"-Wl,--no-as-needed,{f} -Wl,--as-needed")
    links.append(target)
if with_cuda == "1" and cudart:
    links.append(cudart)
# A LibTorch built with glog (Debian's) needs it linked too.
macros = os.path.join(torch_dir, "include", "c10", "macros", "cmake_macros.h")
if os.path.exists(macros) and re.search(r"^#define C10_USE_GLOG", open(macros).read(), re.M):
    lines += ["find_library(HZ_GLOG glog REQUIRED)", "find_library(HZ_GFLAGS gflags REQUIRED)"]
    links += ["${HZ_GLOG}", "${HZ_GFLAGS}"]
links.append("-Wl,-rpath-link," + ":".join(link_dirs))
lines += [
    "set_target_properties(torch_library PROPERTIES",
    f"  INTERFACE_INCLUDE_DIRECTORIES \"${{TORCH_INCLUDE_DIRS}}\"",
    f"  INTERFACE_LINK_LIBRARIES \"{';'.join(links)}\")",
    "set(TORCH_LIBRARIES torch_library)",
]
open(path, "w").write("\n".join(lines) + "\n")
print(f"wrote {path}: {', '.join(names)}, CUDA target {'on' if with_cuda == '1' else 'off'}")
PY
}

# Whether the CUDA headers that the project's CUDA-only code includes compile with these
# include folders (a few seconds; a failed full build would cost minutes).
cuda_headers_compile() {
  local probe="$prefix/cuda-probe.cpp" flags=() d
  {
    grep -ho '#include <\(ATen\|c10\)/cuda/[^>]*>' "$root"/src/*/*.cpp "$root"/include/helmholtz/*/*.hpp 2>/dev/null | sort -u
    echo '#include <ATen/cuda/CUDAContext.h>'
    echo 'int main() { return 0; }'
  } >"$probe"
  local IFS=:
  for d in "$(get_fact torch_dir)/include" "$(get_fact torch_dir)/include/torch/csrc/api/include" $(get_fact nvidia_include); do
    [[ -n "$d" ]] && flags+=(-isystem "$d")
  done
  unset IFS
  say "probing the CUDA headers: $(grep -c include "$probe") includes"
  local cxx=${CXX:-c++}
  command -v "$cxx" >/dev/null || cxx=g++
  bounded 120 "$cxx" -std=c++17 -fsyntax-only -D_GLIBCXX_USE_CXX11_ABI=1 "${flags[@]}" "$probe" 2>&1 | head -20
  return "${PIPESTATUS[0]}"
}

configure() { # configure LABEL TORCH_DIR [ARGS...]
  local label="$1" torch_dir="$2"
  shift 2
  # A fresh cache each time; a second configure in one run (another way to find LibTorch) also
  # starts from empty CMakeFiles, so that nothing of the first one's CUDA set-up stays.
  rm -f "$build/CMakeCache.txt"
  ((configures++)) && rm -rf "$build/CMakeFiles"
  local gen=()
  if command -v ninja >/dev/null; then gen=(-G Ninja); fi
  local lib="$sysroot/usr/lib/$arch_dir" args=()
  args=(-S "$root" -B "$build" ${gen[@]+"${gen[@]}"} -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_PREFIX_PATH=$sysroot/usr;$lib/cmake;$sysroot/usr/share/cmake"
    "-DCMAKE_LIBRARY_PATH=$lib" "-DCMAKE_INCLUDE_PATH=$sysroot/usr/include"
    "-DTorch_DIR=$torch_dir")
  # Each config package by its folder in the prefix, so that the prefix wins over any copy on
  # the machine, and whatever the machine's CMake knows of Debian's multiarch folders.
  local pkg dir
  for pkg in CLI11 spdlog fmt nlohmann_json GTest; do
    dir=$(find "$sysroot/usr" \( -name "${pkg}Config.cmake" -o -name "$(tr '[:upper:]' '[:lower:]' <<<"$pkg")-config.cmake" \) 2>/dev/null | head -1)
    [[ -n "$dir" ]] && args+=("-D${pkg}_DIR=$(dirname "$dir")")
  done
  [[ -f "$lib/libmp3lame.so" ]] && args+=("-DLAME_LIBRARY=$lib/libmp3lame.so" "-DLAME_INCLUDE_DIR=$sysroot/usr/include")
  [[ -f "$lib/libz.so" ]] && args+=("-DZLIB_LIBRARY=$lib/libz.so" "-DZLIB_INCLUDE_DIR=$sysroot/usr/include")
  [[ -d "$sysroot/usr/include/gtest" ]] && args+=("-DGTEST_ROOT=$sysroot/usr")
  if ! pkg-config --exists gdlib 2>/dev/null; then args+=(-DHELMHOLTZ_WITH_PREVIEW=OFF); fi
  # shellcheck disable=SC2206
  local extra=(${GPU_CHECK_CMAKE_ARGS:-})
  say "configure ($label): cmake ${args[*]} ${extra[*]} $*"
  bounded 300 cmake "${args[@]}" ${extra[@]+"${extra[@]}"} "$@" 2>&1 | tee "$raw/configure-$label.txt"
  local status=${PIPESTATUS[0]}
  cuda_line=$(grep -o 'helmholtz: LibTorch.*' "$raw/configure-$label.txt" | tail -1)
  say "configure ($label): exit $status; ${cuda_line:-no helmholtz line}"
  return "$status"
}

# configure_torch official|shim-cuda|shim-cpu: configures with that LibTorch config; 0 when it
# configured, with CUDA code ON where torch has CUDA (shim-cpu: never).
configure_torch() {
  case "$1" in
    official)
      local official nvcc hints=()
      official=${TORCH_DIR:-$(get_fact torch_cmake_prefix)/Torch}
      if [[ ! -f "$official/TorchConfig.cmake" ]]; then
        say "no TorchConfig.cmake at $official"
        return 1
      fi
      for nvcc in "$(command -v nvcc)" "${CUDA_HOME:-/nonexistent}/bin/nvcc" /usr/local/cuda/bin/nvcc; do
        [[ -x "$nvcc" ]] && break
        nvcc=""
      done
      if [[ -n "$nvcc" ]]; then
        hints=("-DCMAKE_CUDA_COMPILER=$nvcc" "-DCUDAToolkit_ROOT=$(dirname "$(dirname "$nvcc")")")
      fi
      say "torch's own CMake config: $official (nvcc: ${nvcc:-none})"
      configure official "$official" ${hints[@]+"${hints[@]}"} || return 1
      if [[ $want_cuda == 1 && "$cuda_line" != *"CUDA code ON"* ]]; then
        say "torch has CUDA $(get_fact torch_cuda) but the build says: $cuda_line"
        return 1
      fi
      ;;
    shim-cuda)
      if ! cuda_headers_compile; then
        say "the CUDA headers do not compile with pip's nvidia-* folders"
        return 1
      fi
      write_torch_shim "$prefix/torch-shim" 1
      configure shim "$prefix/torch-shim"
      ;;
    shim-cpu)
      say "LibTorch without the CUDA-only code (no CUDA graphs; the CUDA backend is still linked)"
      write_torch_shim "$prefix/torch-shim" 0
      configure shim-cpu "$prefix/torch-shim"
      ;;
  esac
}

# build_all: the binary and the tests in one build (the test sources compile while the cores
# would otherwise wait for the binary's last steps), in the time left. Exit status: 0 all built,
# 124 out of time, 2 the binary built but the tests did not, 1 the binary did not build.
build_all() {
  local cap=$(($(left) - reserve_report - 30)) status
  rm -f "$build/helmholtz" "$build/helmholtz_tests"
  say "building helmholtz and its tests (-j$jobs, at most ${cap}s)"
  bounded "$cap" "${hz_env[@]}" cmake --build "$build" -j "$jobs"
  status=$?
  [[ $status == 0 || $status == 124 ]] && return "$status"
  # Whether the binary alone builds (what is already compiled is kept).
  say "the build failed (exit $status): building helmholtz alone"
  bounded $(($(left) - reserve_report - 30)) "${hz_env[@]}" cmake --build "$build" -j "$jobs" --target helmholtz
  status=$?
  [[ $status == 124 ]] && return 124
  [[ $status == 0 ]] && return 2
  return 1
}

step_build() {
  step_start build "configure (torch: $torch_mode) and build into $build"
  export PKG_CONFIG_PATH="$sysroot/usr/lib/$arch_dir/pkgconfig:$sysroot/usr/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  want_cuda=0
  [[ "$(get_fact torch_cuda)" != "None" && -n "$(get_fact torch_cuda)" ]] && want_cuda=1
  # The ways to configure, best first: torch's own config; the stand-in with the CUDA-only
  # code; the stand-in without it (LibTorch's CUDA backend is linked all the same).
  local ways=() way chosen="" status=1
  case "$torch_mode" in
    official) ways=(official) ;;
    shim) ways=(shim-cuda shim-cpu) ;;
    *) ways=(official shim-cuda shim-cpu) ;;
  esac
  ((want_cuda)) || ways=("${ways[@]/shim-cuda/}")
  mkdir -p "$build"
  for way in "${ways[@]}"; do
    [[ -z "$way" ]] && continue
    if [[ -n "$chosen" ]]; then
      # The previous way configured but its binary did not build: try this one only if a
      # full rebuild still fits.
      (($(left) > 200)) || break
      say "the build with '$chosen' failed (exit $status): trying '$way'"
      fail_note "build: '$chosen' configured but did not build"
    fi
    configure_torch "$way" || continue
    chosen=$way
    fact torch_cmake "$chosen"
    fact cmake_line "$cuda_line"
    if [[ "${GPU_CHECK_CONFIGURE_ONLY:-0}" == 1 ]]; then
      step_done ok "configured only (GPU_CHECK_CONFIGURE_ONLY=1); torch config: $chosen; $cuda_line"
      return 0
    fi
    # Where each library came from (the unpacked prefix, not the machine).
    grep -E '^(CLI11_DIR|spdlog_DIR|fmt_DIR|nlohmann_json_DIR|GTest_DIR|Torch_DIR|LAME_LIBRARY|ZLIB_LIBRARY)[:=]|^pkgcfg_lib_|^HELMHOLTZ_WITH' \
      "$build/CMakeCache.txt" | cut -c1-300 | tee "$raw/cmake-cache.txt"
    build_all
    status=$?
    ((status != 1)) && break
  done
  if [[ -z "$chosen" ]]; then
    step_done failed "configure failed (see the configure output above)"
    return 1
  fi
  [[ $want_cuda == 1 && "$cuda_line" != *"CUDA code ON"* ]] && fail_note "build: $cuda_line (expected CUDA code ON)"
  hz="$build/helmholtz"
  if [[ -x "$hz" ]]; then
    say "linked libraries of helmholtz:"
    "${hz_env[@]}" ldd "$hz" 2>/dev/null | grep -E 'sndfile|turbojpeg|soxr|kissfft|mp3lame|spdlog|fmt|FLAC|torch|c10|cudart|gd\.' | tee "$raw/ldd.txt"
    "${hz_env[@]}" "$hz" --version
  fi
  if [[ $status == 0 ]]; then
    step_done ok "torch config: $chosen; $cuda_line"
  elif [[ -x "$hz" ]]; then
    step_done failed "the tests did not build (exit $status); the binary did"
  elif [[ $status == 124 ]]; then
    step_done failed "out of time"
  else
    step_done failed "the binary did not build"
  fi
}

# --- step 4: the test suite -------------------------------------------------------------------
step_ctest() { # step_ctest cuda|rest
  # The tests with Cuda in their name run first, before the benchmarks (they skip without a
  # GPU, so only here do they run); the others, already run on CPU machines by CI, get what
  # is left of the time at the end.
  local part=$1 cap select label
  if [[ $part == cuda ]]; then
    select=-R
    label="ctest-cuda"
    cap=$(min "${GPU_CHECK_CTEST_CAP:-240}" $(($(left) - reserve_bench - reserve_pack - reserve_train - reserve_report)))
  else
    select=-E
    label="ctest-rest"
    cap=$(min "${GPU_CHECK_CTEST_CAP:-240}" $(($(left) - reserve_report)))
  fi
  if [[ ! -x "$build/helmholtz_tests" ]]; then step_skip "$label" "no test binary"; return; fi
  if ((cap < 30)); then step_skip "$label" "no time ($(left)s left)"; return; fi
  step_start "$label" "ctest -j8 $select Cuda, at most ${cap}s"
  local status
  echo "== ctest $select Cuda" | tee -a "$raw/ctest.txt"
  (cd "$build" && bounded "$cap" "${hz_env[@]}" ctest -j8 --output-on-failure --timeout 300 "$select" Cuda) 2>&1 |
    tee -a "$raw/ctest.txt"
  status=${PIPESTATUS[0]}
  [[ $status == 124 ]] && echo "== ctest $select Cuda: stopped at the cap" | tee -a "$raw/ctest.txt"
  local summary
  summary=$(sed -n "/^== ctest $select Cuda/,\$p" "$raw/ctest.txt" | grep -E 'tests passed|tests failed|stopped at the cap' | tr '\n' ' ')
  if [[ $status == 0 ]]; then
    step_done ok "$summary"
  elif [[ $status == 124 ]]; then
    step_done failed "stopped after ${cap}s: $summary"
  else
    step_done failed "$summary"
  fi
}

# --- step 5: benchmarks against the Python peer ------------------------------------------------
step_bench() {
  if [[ ! -x "${hz:-}" ]]; then step_skip bench "no helmholtz binary"; return; fi
  step_start bench "helmholtz vs PyTorch (Python), settings 0..5, $bench_images images x $bench_epochs epochs on $device"
  mkdir -p "$raw/bench"
  # The tuned peer's flags, where this bench-peer.py has them.
  local peer_help tuned_flags=() missing=()
  peer_help=$("$py" scripts/bench-peer.py --help 2>&1)
  if [[ "$peer_help" == *--precision* ]]; then tuned_flags+=(--precision bf16); else missing+=(--precision); fi
  if [[ "$peer_help" == *--channels-last* ]]; then tuned_flags+=(--channels-last); else missing+=(--channels-last); fi
  ((${#missing[@]})) && say "bench-peer.py lacks ${missing[*]}: the tuned peer runs without them"
  printf '%s\n' "${missing[*]:-}" >"$raw/bench/tuned-missing.txt"
  local s kind t0 secs longest=20 status skipped=""
  for s in 0 1 2 3 4 5; do
    for kind in ours peer tuned; do
      if (($(left) < reserve_pack + reserve_train + reserve_report + longest)); then
        skipped+=" $s/$kind"
        continue
      fi
      local cmd=()
      case "$kind" in
        ours) cmd=("${hz_env[@]}" "$hz" bench train) ;;
        peer) cmd=("$py" scripts/bench-peer.py) ;;
        tuned) cmd=("$py" scripts/bench-peer.py ${tuned_flags[@]+"${tuned_flags[@]}"}) ;;
      esac
      cmd+=(--setting "$s" --device "$device" --images "$bench_images" --epochs "$bench_epochs" --json)
      say "bench: ${cmd[*]}"
      t0=$(now)
      bounded "$(min 180 $(($(left) - reserve_report)))" "${cmd[@]}" >"$raw/bench/$kind-$s.out"
      status=$?
      secs=$(($(now) - t0))
      ((secs > longest)) && longest=$secs
      say "bench: $kind setting $s: exit $status in ${secs}s: $(tail -1 "$raw/bench/$kind-$s.out" | cut -c1-400)"
      echo "$status $secs" >"$raw/bench/$kind-$s.status"
      [[ $status != 0 ]] && fail_note "bench: $kind setting $s exit $status"
    done
  done
  if [[ -n "$skipped" ]]; then step_done partial "no time for:$skipped"; else step_done ok; fi
}

# --- step 6: several processes on one GPU ------------------------------------------------------
pack_setting() { # pack_setting SETTING
  local s=$1 k i t0 status=0
  for k in $pack_ks; do
    if (($(left) < reserve_train / 2 + reserve_report + 20)); then
      say "packing: no time for setting $s, K=$k"
      return 1
    fi
    say "packing: setting $s, $k processes"
    t0=$(now)
    local pids=()
    for ((i = 1; i <= k; i++)); do
      bounded "$(min 180 $(($(left) - reserve_report)))" "${hz_env[@]}" \
        "$hz" bench train --setting "$s" --device "$pack_device" --images "$bench_images" \
        --epochs "$pack_epochs" ${pack_threads[@]+"${pack_threads[@]}"} --json >"$raw/pack/s$s-k$k-$i.out" &
      pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || status=1; done
    say "packing: setting $s, K=$k done in $(($(now) - t0))s: $(cat "$raw/pack/s$s-k$k-"*.out | grep -o '"train_images_per_second":[0-9.e+]*' | tr '\n' ' ')"
  done
  return $status
}

step_pack() {
  if [[ ! -x "${hz:-}" ]]; then step_skip pack "no helmholtz binary"; return; fi
  if (($(left) < reserve_pack / 2 + reserve_report)); then step_skip pack "no time ($(left)s left)"; return; fi
  step_start pack "K concurrent trainings on one GPU (--jobs-per-gpu), K in $pack_ks"
  mkdir -p "$raw/pack"
  local note=""
  pack_setting 0 || note="setting 0 incomplete"
  if (($(left) > reserve_pack + reserve_train + reserve_report)); then
    pack_setting 5 || note+=" setting 5 incomplete"
  else
    note+=" setting 5 skipped (time)"
  fi
  if [[ "$note" == *incomplete* ]]; then step_done failed "$note"; else step_done ok "$note"; fi
}

# --- step 7: train all-cnns on a generated CIFAR-format set ------------------------------------
train_run() { # train_run LABEL [ARGS...]
  local label="$1" t0 status dir
  shift
  rm -rf "$runs/logs-$label"
  t0=$(now)
  bounded "$(($(left) - reserve_report))" "${hz_env[@]}" "$hz" train --dataset cifar10 --data-dir "$runs/cifar" \
    --quality 50 --setting 0 --epochs "$train_epochs" --device "$device" \
    --log-root "$runs/logs-$label" --no-progress "$@"
  status=$?
  echo "$status $(($(now) - t0))" >"$raw/train-$label.status"
  dir=$(dirname "$(find "$runs/logs-$label" -name summary.json 2>/dev/null | head -1)")
  mkdir -p "$raw/train-$label"
  for f in summary.json history.csv config.toml; do
    [[ -f "$dir/$f" ]] && cp "$dir/$f" "$raw/train-$label/"
  done
  say "train ($label): exit $status in $(($(now) - t0))s; run folder ${dir:-none}"
  [[ $status == 0 ]] || fail_note "train ($label): exit $status"
  return "$status"
}

step_train() {
  if [[ ! -x "${hz:-}" ]]; then step_skip train "no helmholtz binary"; return; fi
  if (($(left) < reserve_train / 2 + reserve_report)); then step_skip train "no time ($(left)s left)"; return; fi
  step_start train "all-cnns, quality 50, $train_epochs epochs on $synth_train generated images"
  mkdir -p "$runs"
  rm -rf "$runs/cifar"
  bounded "$(($(left) - reserve_report))" "${hz_env[@]}" "$hz" synth cifar10 --out "$runs/cifar" \
    --train "$synth_train" --test "$synth_test" || fail_note "train: synth cifar10 failed"
  local note=""
  train_run default || note="default precision failed"
  local need
  need=$(awk '{print $2}' "$raw/train-default.status" 2>/dev/null)
  if (($(left) > ${need:-60} + reserve_report)); then
    train_run fp32 --precision fp32 || note+=" fp32 failed"
  else
    note+=" fp32 run skipped (time)"
    printf 'skipped\n' >"$raw/train-fp32.status"
  fi
  if [[ "$note" == *failed* ]]; then step_done failed "$note"; else step_done ok "$note"; fi
}

# --- step 8: the report ------------------------------------------------------------------------
write_report() {
  local status
  say "writing $out/gpu-check.md"
  "${py:-python3}" - "$raw" "$out/gpu-check.md" "$(elapsed)" "${failures[@]+"${failures[@]}"}" <<'PY'
import csv, glob, json, os, re, sys
raw, md_path, elapsed = sys.argv[1], sys.argv[2], sys.argv[3]
failures = sys.argv[4:]

def facts():
    d = {}
    try:
        for line in open(os.path.join(raw, "facts.txt")):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                d[k] = v
    except OSError:
        pass
    return d

def last_json(path):
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return None
    for line in reversed(lines):
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

f = facts()
out = []
gpu = f.get("device_name") or (f.get("nvidia_smi", "none").split(",")[0].replace("none", "") or "no GPU (CPU smoke run)")
out.append(f"# GPU check: {gpu}, {f.get('date', '?')}")
out.append("")
out.append("Written by scripts/gpu-check.sh (build against the machine's PyTorch and Debian "
           "bookworm libraries from scripts/gpu-debs.sh, tests, benchmarks).")
out.append("")
out.append("| what | value |")
out.append("| --- | --- |")
smi = f.get("nvidia_smi", "none")
rows = [
    ("GPU (nvidia-smi: name, driver, memory, compute capability)", smi),
    ("torch", f"{f.get('torch_version', '?')} (CUDA {f.get('torch_cuda', '?')}, cuDNN {f.get('cudnn', '?')}, "
              f"CXX11 ABI {f.get('cxx11_abi', '?')}) from {f.get('python', '?')} {f.get('python_version', '')}"),
    ("torch sees", f"{f.get('cuda_available', '?')}: {f.get('device_count', '0')} x {f.get('device_name', '-')}"
                   f" ({f.get('device_memory_gib', '?')} GiB, sm {f.get('device_capability', '?')})"),
    ("helmholtz build", f"{f.get('cmake_line', 'n/a')} (torch CMake config: {f.get('torch_cmake', 'n/a')})"),
    ("benchmarks ran on", f"{f.get('device', '?')}" + (" (smoke sizes)" if f.get("smoke") == "1" else "")),
    ("system", f"{f.get('os', '?')}, kernel {f.get('kernel', '?')}, {f.get('nproc', '?')} cores, {f.get('memory', '?')}"),
    ("compiler, C library", f"{f.get('g++', '?')}; {f.get('glibc', '?')}; libstdc++ {f.get('libstdcxx', '?')}"),
    ("tools on the machine", "; ".join(f"{t}: {f.get('tool_' + t, '?')}" for t in ("cmake", "pkg-config", "ninja", "make", "nvcc"))),
    ("tools used from the .debs", f.get("tools_unpacked", "n/a")),
]
for k, v in rows:
    out.append(f"| {k} | {str(v).replace('|', '/')} |")
out.append("")

# Benchmarks
bench = os.path.join(raw, "bench")
if os.path.isdir(bench):
    missing = ""
    try:
        missing = open(os.path.join(bench, "tuned-missing.txt")).read().strip()
    except OSError:
        pass
    any_ours = last_json(os.path.join(bench, "ours-0.out")) or {}
    out.append("## Training throughput: helmholtz vs PyTorch (Python)")
    out.append("")
    out.append("`helmholtz bench train --setting S --device D --images N --epochs E --json` (default "
               "precision) against `scripts/bench-peer.py` with the same arguments (fp32, idiomatic), "
               "and the peer again with `--precision bf16 --channels-last` (tuned)"
               + (f"; this bench-peer.py lacks {missing}, so the tuned peer ran without it" if missing else "")
               + ". Images per second; ratio = helmholtz / peer.")
    out.append("")
    out.append("| setting | name | helmholtz train img/s | peer fp32 | ratio | peer bf16+CL | ratio | eval ours | eval peer | ratio |")
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    notes = set()
    for s in range(6):
        o = last_json(os.path.join(bench, f"ours-{s}.out")) or {}
        p = last_json(os.path.join(bench, f"peer-{s}.out")) or {}
        t = last_json(os.path.join(bench, f"tuned-{s}.out")) or {}
        if not (o or p or t) and not os.path.exists(os.path.join(bench, f"ours-{s}.status")):
            out.append(f"| {s} | not run (time) | | | | | | | | |")
            continue
        name = o.get("name") or p.get("name") or "?"
        ot, pt, tt = o.get("train_images_per_second"), p.get("train_images_per_second"), t.get("train_images_per_second")
        oe, pe = o.get("eval_images_per_second"), p.get("eval_images_per_second")
        out.append(f"| {s} | {name} | {fmt(ot)} | {fmt(pt)} | {ratio(ot, pt)} | {fmt(tt)} | {ratio(ot, tt)} "
                   f"| {fmt(oe)} | {fmt(pe)} | {ratio(oe, pe)} |")
        if o:
            notes.add(f"helmholtz: device {o.get('device_name', o.get('device', '?'))}, precision "
                      f"{o.get('precision', 'n/a')}, CUDA graphs {o.get('cuda_graphs', 'n/a')}, "
                      f"channels last {o.get('channels_last', 'n/a')}, batch {o.get('batch_size', 'n/a')}")
        if t:
            notes.add(f"tuned peer: precision {t.get('precision', 'n/a')}, channels last {t.get('channels_last', 'n/a')}")
    out.append("")
    for n in sorted(notes):
        out.append(f"- {n}")
    out.append("")

# Packing
pack = os.path.join(raw, "pack")
if os.path.isdir(pack):
    out.append("## Several trainings on one GPU (`--jobs-per-gpu`)")
    out.append("")
    where = "on GPU 0" if f.get("device") == "cuda" else "on the CPU, one thread each (smoke run)"
    out.append(f"K concurrent `helmholtz bench train --setting S` processes {where}; aggregate = "
               "sum of their training images per second.")
    for s in (0, 5):
        files = glob.glob(os.path.join(pack, f"s{s}-k*-*.out"))
        if not files:
            out.append("")
            out.append(f"Setting {s}: not run (time).")
            continue
        out.append("")
        out.append(f"Setting {s}:")
        out.append("")
        out.append("| K | aggregate img/s | per process | relative to K=1 |")
        out.append("| ---: | ---: | ---: | ---: |")
        ks = sorted({int(re.search(r"-k(\d+)-", x).group(1)) for x in files})
        base = None
        for k in ks:
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
    out.append("")

# Training
runs = [(label, os.path.join(raw, f"train-{label}")) for label in ("default", "fp32")]
if any(os.path.exists(os.path.join(raw, f"train-{label}.status")) for label, _ in runs):
    out.append("## Training all-cnns on a generated CIFAR-format set (quality 50)")
    out.append("")
    out.append("| run | precision | CUDA graphs | train images | epoch seconds | images/s | val_acc per epoch | wall s |")
    out.append("| --- | --- | --- | ---: | --- | ---: | --- | ---: |")
    for label, d in runs:
        status = ""
        try:
            status = open(os.path.join(raw, f"train-{label}.status")).read().strip()
        except OSError:
            pass
        if not status or status == "skipped":
            out.append(f"| {label} | skipped (time) | | | | | | |")
            continue
        summary = {}
        try:
            summary = json.load(open(os.path.join(d, "summary.json")))
        except (OSError, ValueError):
            pass
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
                   f"| {fmt(summary.get('train_images_per_second'))} | {', '.join(f'{x:.3f}' for x in accs) or 'n/a'} | {wall} |")
    out.append("")

# Tests
try:
    ctest = open(os.path.join(raw, "ctest.txt"), errors="replace").read()
    out.append("## Test suite (ctest -j8: the CUDA tests, then the others)")
    out.append("")
    summary = [l for l in ctest.splitlines() if re.search(r"^== ctest|tests passed|tests failed|Total Test time", l)]
    results = re.findall(r"Test +#\d+: (\S+) \.+\s*\**(\w+)", ctest)
    counts = {k: sum(1 for _, r in results if r == k) for k in ("Passed", "Failed", "Skipped")}
    cuda = [(n, r) for n, r in results if "Cuda" in n]
    out.append("```")
    out.extend(summary)
    out.append(f"counted in the output: {counts['Passed']} passed, {counts['Failed']} failed, "
               f"{counts['Skipped']} skipped")
    failed = [l.strip() for l in ctest.splitlines() if re.match(r"\s*\d+ - .*\((Failed|Timeout|SEGFAULT|Subprocess|Not Run|Exception)", l)]
    out.extend(failed)
    out.append("```")
    if cuda:
        out.append("")
        out.append("CUDA tests: " + ", ".join(f"{n} {r}" for n, r in cuda))
    out.append("")
except OSError:
    pass

# Steps
out.append("## Steps")
out.append("")
out.append("| step | status | seconds | note |")
out.append("| --- | --- | ---: | --- |")
try:
    for line in open(os.path.join(raw, "steps.tsv")):
        parts = (line.rstrip("\n").split("\t") + ["", "", "", ""])[:4]
        out.append("| " + " | ".join(p.replace("|", "/") for p in parts) + " |")
except OSError:
    pass
out.append(f"| total | | {elapsed} | |")
out.append("")
if failures:
    out.append("## Failures")
    out.append("")
    out.extend(f"- {x}" for x in failures)
    out.append("")
open(md_path, "w").write("\n".join(out))
print(f"wrote {md_path}")
PY
  status=$?
  if [[ $status == 0 ]]; then
    cat "$out/gpu-check.md"
  else
    echo "report: the python report writer failed (exit $status)"
  fi
}

main() {
  say "gpu-check: $root, deadline ${deadline_s}s, steps $steps, out $out"
  py=""
  hz="$build/helmholtz"
  device=cpu
  smoke=${GPU_CHECK_SMOKE:-1}
  cuda_line=""
  configures=0
  want_cuda=0
  if enabled facts; then
    if ! step_facts; then
      write_report
      return 1
    fi
  fi
  # Sizes: the real ones on a GPU, tiny ones for a CPU smoke run.
  if [[ "$smoke" == 1 ]]; then
    bench_images=256 bench_epochs=1 pack_epochs=1 pack_ks="1 2" pack_threads=(--threads 1)
    synth_train=500 synth_test=100 train_epochs=1 pack_device=cpu
  else
    bench_images=16384 bench_epochs=2 pack_epochs=3 pack_ks="1 2 3 4" pack_threads=()
    synth_train=50000 synth_test=10000 train_epochs=3 pack_device=cuda:0
  fi
  [[ "$device" == cpu ]] && pack_device=cpu
  # Our binaries find the unpacked libraries (and LibTorch's) through LD_LIBRARY_PATH: the run
  # path that CMake writes covers direct dependencies only, where the linker writes RUNPATH.
  hz_ld_path="$sysroot/usr/lib/$arch_dir:$sysroot/lib/$arch_dir"
  [[ -n "$(get_fact torch_dir)" ]] && hz_ld_path+=":$(get_fact torch_dir)/lib"
  hz_env=(env "LD_LIBRARY_PATH=$hz_ld_path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
  if enabled unpack; then step_unpack; else export PATH="$prefix/bin:$PATH"; fi
  if enabled build; then step_build; fi
  : >"$raw/ctest.txt"
  if enabled ctest; then step_ctest cuda; fi
  if enabled bench; then step_bench; fi
  if enabled pack; then step_pack; fi
  if enabled train; then step_train; fi
  if enabled ctest; then step_ctest rest; fi
  write_report
  if ((${#failures[@]})); then
    say "done in $(elapsed)s with ${#failures[@]} failure(s):"
    printf '  %s\n' "${failures[@]}"
    return 1
  fi
  say "done in $(elapsed)s, no failures"
}

rm -rf "$raw"
mkdir -p "$raw"
: >"$raw/facts.txt"
: >"$raw/steps.tsv"
main 2>&1 | tee "$out/gpu-check.log"
exit "${PIPESTATUS[0]}"
