#!/usr/bin/env bash
# One run on a rented GPU machine with no package archive and no network: builds helmholtz
# against the machine's CUDA PyTorch (python3's torch) and the Debian libraries that
# scripts/gpu-debs.sh downloaded, runs the test suite, benchmarks training against the PyTorch
# (Python) peer, measures how well several processes share one GPU, and trains all-cnns on a
# generated CIFAR-format set. Everything it prints goes to OUT/gpu-check.log; the results,
# as markdown tables, to OUT/gpu-check.md. It keeps going after a failure and exits non-zero
# at the end if anything failed; steps that do not fit in the time left are skipped and say so
# (the CUDA tests, which run nowhere else, count as failed when skipped).
#
#   scripts/gpu-check.sh
#
# Steps: facts, unpack, build (the CUDA-only sources first), ctest -L cuda, bench, pack, train,
# ctest -LE cuda (the other tests, in the time left), the report. The Python parts are in
# scripts/gpu_check/, the stand-in Torch config (for a torch without nvcc) in cmake/torch-wheel/.
#
# Environment:
#   DEBS                  the .deb folder of scripts/gpu-debs.sh (default build-debs)
#   OUT                   where the log, the report and raw results go (default: build-gpucheck-out)
#   GPU_CHECK_DEADLINE    seconds for the whole run (default 480); each step checks the time left
#   GPU_CHECK_SMOKE       1: tiny sizes (default: 1 where torch sees no GPU, and all runs on the CPU)
#   GPU_CHECK_TORCH       auto (default): torch's own CMake config, then cmake/torch-wheel where
#                         that fails (no CUDA toolkit); or official, or shim (cmake/torch-wheel)
#   TORCH_DIR             folder of a TorchConfig.cmake to use instead of python3's torch's
#   GPU_CHECK_CUDA_ARCH   TORCH_CUDA_ARCH_LIST for torch's own config (default: the first GPU's
#                         compute capability, e.g. 9.0 on H100/H200)
#   GPU_CHECK_PYTHON      the python with torch (default: python3, then /usr/bin/python3)
#   GPU_CHECK_STEPS       comma-separated subset of facts,unpack,build,ctest,bench,pack,train
#   GPU_CHECK_CMAKE_ARGS  extra configure arguments (split at spaces)
#   GPU_CHECK_CONFIGURE_ONLY 1: the build step stops after configuring
#   GPU_CHECK_CTEST_CAP   seconds for each of the two ctest runs at most (default 240)
#   GPU_CHECK_RESERVE_BENCH, _PACK, _TRAIN: seconds kept for those steps while earlier ones run
#                         (default 90, 45, 60)
#   GPU_CHECK_FORCE_TOOLS 1: use the unpacked cmake, pkg-config and ninja even where the machine
#                         has its own (to test them)
#   GPU_CHECK_UNPACKER    dpkg, ar or python: how to unpack the .debs (default: the first found)
#   GPU_CHECK_BUILD_DIR, GPU_CHECK_PREFIX, GPU_CHECK_RUNS: folders (default build-gpucheck,
#                         build-gpucheck-prefix, build-gpucheck-runs)
#
# A rehearsal on a CPU-only Debian bookworm machine, against Debian's LibTorch (packages
# libtorch-dev and python3-torch; every step then runs on the CPU at smoke sizes):
#   scripts/gpu-debs.sh && GPU_CHECK_TORCH=official TORCH_DIR=/usr/lib/x86_64-linux-gnu/cmake/Torch \
#     GPU_CHECK_PYTHON=/usr/bin/python3 GPU_CHECK_DEADLINE=3600 scripts/gpu-check.sh
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
here="$root/scripts/gpu_check"
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
sysroot="$prefix/root" # the dev packages, as if installed under $sysroot/usr
tools="$prefix/tools"  # cmake, pkg-config, make, ninja and their libraries
lib="$sysroot/usr/lib/x86_64-linux-gnu"
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
min() { if (($1 < $2)); then echo "$1"; else echo "$2"; fi; }
run_py() { "${py:-python3}" "$@"; } # the python with torch, else python3
failures=()
fail_note() { failures+=("$1"); say "FAILED: $1"; }
step_start() { step_name="$1" step_t0=$(now); say "=== step $1: $2 ($(left)s left)"; }
step_row() { printf '%s\t%s\t%s\t%s\n' "$@" >>"$raw/steps.tsv"; [[ "$2" == failed ]] && fail_note "$1: ${4:-failed}"; return 0; }
step_done() { local secs=$(($(now) - step_t0)); say "=== $step_name: $1 in ${secs}s${2:+ ($2)}"; step_row "$step_name" "$1" "$secs" "${2:-}"; }
step_skip() { say "=== step $1 ${3:-skipped}: $2"; step_row "$1" "${3:-skipped}" 0 "$2"; } # STEP NOTE [failed]
# bounded SECONDS COMMAND...: the command, killed after SECONDS (exit status 124).
bounded() {
  local secs=$(($1 < 1 ? 1 : $1))
  shift
  if command -v timeout >/dev/null; then timeout -k 10 "$secs" "$@"; else "$@"; fi
}

# --- step 1: facts ---------------------------------------------------------------------------
step_facts() {
  step_start facts "machine, driver, torch, compiler"
  local cand abi
  for cand in ${GPU_CHECK_PYTHON:-} python3 /usr/bin/python3; do
    command -v "$cand" >/dev/null && "$cand" -c 'import torch' 2>/dev/null && { py=$(command -v "$cand"); break; }
  done
  [[ -n "$py" ]] && { fact python "$py"; say "python with torch: $py"; }
  bounded 150 "${py:-python3}" "$here/facts.py" ${py:+--torch} --manifest "$debs/MANIFEST" | tee -a "$raw/facts.txt"
  [[ -n "$py" ]] || { step_done failed "no python3 that imports torch"; return 1; }
  abi=$(get_fact cxx11_abi)
  if [[ "$abi" != "True" && "$abi" != "1" ]]; then
    step_done failed "torch was built with the old C++ ABI (_GLIBCXX_USE_CXX11_ABI=$abi): the Debian libraries use the new one, so helmholtz cannot link both; use a torch built with the CXX11 ABI (pip wheels since 2.7) or a LibTorch cxx11-abi download"
    return 1
  fi
  if [[ "$(get_fact cuda_available)" == "True" ]]; then
    smoke=${GPU_CHECK_SMOKE:-0} device=cuda
  else
    smoke=${GPU_CHECK_SMOKE:-1} device=cpu
    say "torch sees no GPU: benchmarks run on the CPU$([[ $smoke == 1 ]] && echo ' (smoke sizes)')"
    [[ "$(get_fact torch_cuda)" != "None" ]] && fail_note "facts: torch has CUDA $(get_fact torch_cuda) but sees no GPU"
  fi
  fact device "$device"
  fact smoke "$smoke"
  step_done ok
}

# --- step 2: unpack the .debs into $prefix (nothing is installed) ----------------------------
step_unpack() {
  step_start unpack "the .debs of $debs into $prefix"
  rm -rf "$prefix"
  mkdir -p "$sysroot" "$tools"
  local status=ok
  run_py "$here/unpack.py" "$debs" "$sysroot" "$tools" ${GPU_CHECK_UNPACKER:+"$GPU_CHECK_UNPACKER"} | tee "$raw/unpack.txt"
  ((PIPESTATUS[0])) && status=failed
  run_py "$here/fix_sysroot.py" "$sysroot" "$tools"
  # cmake, pkg-config, ninja: the machine's own where it has them, else wrappers in $prefix/bin.
  run_py "$here/tools.py" "$prefix" "$tools" "$sysroot" "$([[ ${GPU_CHECK_FORCE_TOOLS:-0} == 1 ]] && echo --force)" >>"$raw/facts.txt"
  export PATH="$prefix/bin:$PATH"
  step_done "$status" "$(tail -1 "$raw/unpack.txt")"
}

# --- step 3: configure and build -------------------------------------------------------------
# configure official|shim-cuda|shim-cpu: a fresh configure with that way to find LibTorch
# (scripts/gpu_check/cmake_args.py); 0 when it configured, with CUDA code ON where torch has
# CUDA (shim-cpu: never). Sets cuda_line, the build's "helmholtz: LibTorch ..." line.
configure() {
  local way=$1 label=${1/shim-cuda/shim} torch_dir="$root/cmake/torch-wheel" args=() status
  case $way in
    official)
      torch_dir=${TORCH_DIR:-$(get_fact torch_cmake_prefix)/Torch}
      [[ -f "$torch_dir/TorchConfig.cmake" ]] || { say "no TorchConfig.cmake at $torch_dir"; return 1; } ;;
    shim-cuda) # a quick probe first: whether the CUDA headers compile with pip's nvidia-* folders
      run_py "$here/cuda_probe.py" "$raw/facts.txt" "$root" "$prefix/cuda-probe.cpp" ||
        { say "the CUDA headers do not compile with pip's nvidia-* folders"; return 1; } ;;
    shim-cpu) say "LibTorch without the CUDA-only code (no CUDA graphs; the CUDA backend is still linked)" ;;
  esac
  # A fresh cache each time, and a second configure (another way to find LibTorch) also starts
  # from empty CMakeFiles, so that nothing of the first one's CUDA set-up stays.
  rm -f "$build/CMakeCache.txt"
  ((configures++)) && rm -rf "$build/CMakeFiles"
  mapfile -t args < <(run_py "$here/cmake_args.py" "$raw/facts.txt" "$sysroot" "$root" "$build" "$way" "$torch_dir")
  say "configure ($label): cmake ${args[*]}"
  bounded 300 cmake "${args[@]}" 2>&1 | tee "$raw/configure-$label.txt"
  status=${PIPESTATUS[0]}
  cuda_line=$(grep -o 'helmholtz: LibTorch.*' "$raw/configure-$label.txt" | tail -1)
  say "configure ($label): exit $status; ${cuda_line:-no helmholtz line}"
  ((status == 0)) || return "$status"
  if [[ $way == official && $want_cuda == 1 && "$cuda_line" != *"CUDA code ON"* ]]; then
    say "torch has CUDA $(get_fact torch_cuda) but the build says: $cuda_line"
    return 1
  fi
}

# The CUDA-only sources (#ifdef HELMHOLTZ_WITH_CUDA), compiled first by their object targets:
# a CUDA header that does not compile then fails in seconds, not after the whole build.
build_cuda_objects() {
  [[ "$cuda_line" == *"CUDA code ON"* ]] || return 0
  local gen=make sources=() targets=() dir target status=0
  [[ -f "$build/build.ninja" ]] && gen=ninja
  mapfile -t sources < <(grep -rl --include='*.cpp' HELMHOLTZ_WITH_CUDA "$root/src")
  ((${#sources[@]})) || return 0
  run_py "$here/object_targets.py" "$build/compile_commands.json" "$gen" "${sources[@]}" >"$raw/cuda-objects.tsv" ||
    { say "no object targets for the CUDA-only code: building everything at once"; return 0; }
  mapfile -t targets < <(cut -f2 "$raw/cuda-objects.tsv")
  say "compiling the CUDA-only code first: ${targets[*]}"
  if [[ $gen == ninja ]]; then # ninja names each object file a target (paths from the build folder)
    ((${#targets[@]} == 0)) || bounded $(($(left) - reserve_report - 30)) cmake --build "$build" -j "$jobs" --target "${targets[@]}" </dev/null
    status=$?
  else # Makefiles: the object rules are in the Makefile of the target's folder
    while IFS=$'\t' read -r dir target; do
      bounded $(($(left) - reserve_report - 30)) make -C "$dir" "$target" </dev/null || { status=$?; break; }
    done <"$raw/cuda-objects.tsv"
  fi
  ((status == 0)) || say "the CUDA-only code did not compile (exit $status)"
  return $status
}

# build_all: the CUDA-only objects, then the binary and the tests in one build, in the time
# left. Exit status: 0 all built, 124 out of time, 2 the binary built but the tests did not, 1
# the binary did not build.
build_all() {
  local status
  rm -f "$build/helmholtz" "$build/helmholtz_tests" "$build/helmholtz_unit_tests"
  build_cuda_objects
  status=$?
  ((status == 0)) || return $((status == 124 ? 124 : 1))
  say "building helmholtz and its tests (-j$jobs, at most $(($(left) - reserve_report - 30))s)"
  bounded $(($(left) - reserve_report - 30)) "${hz_env[@]}" cmake --build "$build" -j "$jobs"
  status=$?
  [[ $status == 0 || $status == 124 ]] && return "$status"
  say "the build failed (exit $status): building helmholtz alone" # what is compiled is kept
  bounded $(($(left) - reserve_report - 30)) "${hz_env[@]}" cmake --build "$build" -j "$jobs" --target helmholtz
  status=$?
  return $((status == 124 ? 124 : status == 0 ? 2 : 1))
}

step_build() {
  step_start build "configure (torch: $torch_mode) and build into $build"
  export PKG_CONFIG_PATH="$lib/pkgconfig:$sysroot/usr/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  [[ "$(get_fact torch_cuda)" != "None" && -n "$(get_fact torch_cuda)" ]] && want_cuda=1
  # The ways to configure, best first: torch's own config; the stand-in with the CUDA-only
  # code; the stand-in without it (LibTorch's CUDA backend is linked all the same).
  local ways=(official shim-cuda shim-cpu) way chosen="" status=1
  [[ $torch_mode == official ]] && ways=(official)
  [[ $torch_mode == shim ]] && ways=(shim-cuda shim-cpu)
  ((want_cuda)) || ways=("${ways[@]/shim-cuda/}")
  mkdir -p "$build"
  for way in "${ways[@]}"; do
    [[ -z "$way" ]] && continue
    if [[ -n "$chosen" ]]; then # it configured but its binary did not build: retry if a rebuild fits
      (($(left) > 200)) || break
      say "the build with '$chosen' failed (exit $status): trying '$way'"
      fail_note "build: '$chosen' configured but did not build"
    fi
    configure "$way" || continue
    chosen=$way
    fact torch_cmake "$chosen"
    fact cmake_line "$cuda_line"
    if [[ "${GPU_CHECK_CONFIGURE_ONLY:-0}" == 1 ]]; then
      step_done ok "configured only (GPU_CHECK_CONFIGURE_ONLY=1); torch config: $chosen; $cuda_line"
      return 0
    fi
    # Where each library came from (the unpacked prefix, not the machine).
    grep -E '^((CLI11|spdlog|fmt|nlohmann_json|tomlplusplus|GTest|Torch)_DIR|TORCH_WHEEL_[A-Z_]+|TORCH_CUDA_ARCH_LIST|CUDA_TOOLKIT_ROOT_DIR|LAME_LIBRARY|ZLIB_LIBRARY)[:=]|^pkgcfg_lib_|^HELMHOLTZ_WITH' \
      "$build/CMakeCache.txt" | cut -c1-300 | tee "$raw/cmake-cache.txt"
    build_all
    status=$?
    ((status != 1)) && break
  done
  [[ -n "$chosen" ]] || { step_done failed "configure failed (see the configure output above)"; return 1; }
  [[ $want_cuda == 1 && "$cuda_line" != *"CUDA code ON"* ]] && fail_note "build: $cuda_line (expected CUDA code ON)"
  if [[ -x "$hz" ]]; then
    say "linked libraries of helmholtz:"
    "${hz_env[@]}" ldd "$hz" 2>/dev/null | grep -E 'sndfile|turbojpeg|soxr|kissfft|mp3lame|spdlog|fmt|toml|FLAC|torch|c10|cudart|gd\.' | tee "$raw/ldd.txt"
    "${hz_env[@]}" "$hz" --version
  fi
  if [[ $status == 0 ]]; then step_done ok "torch config: $chosen; $cuda_line"
  elif [[ -x "$hz" ]]; then step_done failed "the tests did not build (exit $status); the binary did"
  elif [[ $status == 124 ]]; then step_done failed "out of time"
  else step_done failed "the binary did not build"; fi
}

# --- step 4: the tests, by label ---------------------------------------------------------------
# cuda: the tests labelled cuda, before the benchmarks (they skip without a GPU, so only here do
# they run, and not running them for lack of time is a failure). rest: the others (labels
# build, slurm, slow or none; CI runs them on CPU machines), in the time left at the end.
step_ctest() { # step_ctest cuda|rest
  local sel=(-L '^cuda$') what="-L cuda" label=ctest-$1 cap status summary
  cap=$(min "${GPU_CHECK_CTEST_CAP:-240}" $(($(left) - reserve_bench - reserve_pack - reserve_train - reserve_report)))
  [[ $1 == rest ]] && sel=(-LE '^cuda$') what="-LE cuda" cap=$(min "${GPU_CHECK_CTEST_CAP:-240}" $(($(left) - reserve_report)))
  [[ -x "$build/helmholtz_tests" ]] || { step_skip "$label" "no test binary"; return; }
  ((cap >= 30)) || { step_skip "$label" "not run: no time ($(left)s left)" "$([[ $1 == cuda ]] && echo failed)"; return; }
  step_start "$label" "ctest -j8 $what, at most ${cap}s"
  echo "== ctest $what" | tee -a "$raw/ctest.txt"
  (cd "$build" && bounded "$cap" "${hz_env[@]}" ctest -j8 --output-on-failure --timeout 300 "${sel[@]}") 2>&1 | tee -a "$raw/ctest.txt"
  status=${PIPESTATUS[0]}
  [[ $status == 124 ]] && echo "== ctest $what: stopped at the cap" | tee -a "$raw/ctest.txt"
  summary=$(sed -n "/^== ctest $what\$/,\$p" "$raw/ctest.txt" | grep -E 'tests passed|tests failed|stopped at the cap|No tests were found' | tr '\n' ' ')
  if [[ $1 == cuda && "$summary" == *"No tests were found"* ]]; then step_done failed "no test has the label cuda"
  elif [[ $status == 0 ]]; then step_done ok "$summary"
  elif [[ $status == 124 ]]; then step_done failed "stopped after ${cap}s: $summary"
  else step_done failed "$summary"; fi
}

# --- step 5: benchmarks against the Python peer ------------------------------------------------
step_bench() {
  [[ -x "$hz" ]] || { step_skip bench "no helmholtz binary"; return; }
  step_start bench "helmholtz vs PyTorch (Python), settings 0..5, $bench_images images x $bench_epochs epochs on $device"
  mkdir -p "$raw/bench"
  local peer_help tuned=() missing=() s kind t0 secs longest=20 status skipped="" cmd
  peer_help=$(run_py scripts/bench-peer.py --help 2>&1) # the tuned peer's flags, where it has them
  if [[ "$peer_help" == *--precision* ]]; then tuned+=(--precision bf16); else missing+=(--precision); fi
  if [[ "$peer_help" == *--channels-last* ]]; then tuned+=(--channels-last); else missing+=(--channels-last); fi
  ((${#missing[@]})) && say "bench-peer.py lacks ${missing[*]}: the tuned peer runs without them"
  printf '%s\n' "${missing[*]:-}" >"$raw/bench/tuned-missing.txt"
  for s in 0 1 2 3 4 5; do
    for kind in ours peer tuned; do
      (($(left) < reserve_pack + reserve_train + reserve_report + longest)) && { skipped+=" $s/$kind"; continue; }
      case "$kind" in
        ours) cmd=("${hz_env[@]}" "$hz" bench train) ;;
        peer) cmd=("$py" scripts/bench-peer.py) ;;
        tuned) cmd=("$py" scripts/bench-peer.py ${tuned[@]+"${tuned[@]}"}) ;;
      esac
      cmd+=(--setting "$s" --device "$device" --images "$bench_images" --epochs "$bench_epochs" --json)
      say "bench: ${cmd[*]}"
      t0=$(now)
      bounded "$(min 180 $(($(left) - reserve_report)))" "${cmd[@]}" >"$raw/bench/$kind-$s.out"
      status=$? secs=$(($(now) - t0))
      ((secs > longest)) && longest=$secs
      say "bench: $kind setting $s: exit $status in ${secs}s: $(tail -1 "$raw/bench/$kind-$s.out" | cut -c1-400)"
      echo "$status $secs" >"$raw/bench/$kind-$s.status"
      [[ $status != 0 ]] && fail_note "bench: $kind setting $s exit $status"
    done
  done
  if [[ -n "$skipped" ]]; then step_done partial "no time for:$skipped"; else step_done ok; fi
}

# --- step 6: several processes on one GPU ------------------------------------------------------
pack_setting() { # pack_setting SETTING: K concurrent `bench train` runs, for each K in $pack_ks
  local s=$1 k i t0 status=0 pids
  for k in $pack_ks; do
    (($(left) < reserve_train / 2 + reserve_report + 20)) && { say "packing: no time for setting $s, K=$k"; return 1; }
    say "packing: setting $s, $k processes"
    t0=$(now) pids=()
    for ((i = 1; i <= k; i++)); do
      bounded "$(min 180 $(($(left) - reserve_report)))" "${hz_env[@]}" "$hz" bench train --setting "$s" \
        --device "$pack_device" --images "$bench_images" --epochs "$pack_epochs" \
        ${pack_threads[@]+"${pack_threads[@]}"} --json >"$raw/pack/s$s-k$k-$i.out" &
      pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || status=1; done
    say "packing: setting $s, K=$k done in $(($(now) - t0))s: $(cat "$raw/pack/s$s-k$k-"*.out | grep -o '"train_images_per_second":[0-9.e+]*' | tr '\n' ' ')"
  done
  return $status
}

step_pack() {
  [[ -x "$hz" ]] || { step_skip pack "no helmholtz binary"; return; }
  (($(left) < reserve_pack / 2 + reserve_report)) && { step_skip pack "no time ($(left)s left)"; return; }
  step_start pack "K concurrent trainings on one GPU (--jobs-per-gpu), K in $pack_ks"
  mkdir -p "$raw/pack"
  local note=""
  pack_setting 0 || note="setting 0 incomplete"
  if (($(left) > reserve_pack + reserve_train + reserve_report)); then
    pack_setting 5 || note+=" setting 5 incomplete"
  else
    note+=" setting 5 skipped (time)"
  fi
  step_done "$([[ "$note" == *incomplete* ]] && echo failed || echo ok)" "$note"
}

# --- step 7: train all-cnns on a generated CIFAR-format set ------------------------------------
train_run() { # train_run LABEL [ARGS...]: its run folder is <log-root>/<dataset>/<model>/<level>
  local label="$1" logs="$runs/logs-$1" t0 status dir f
  shift
  rm -rf "$logs"
  t0=$(now)
  bounded "$(($(left) - reserve_report))" "${hz_env[@]}" "$hz" train --dataset cifar10 --data-dir "$runs/cifar" \
    --quality 50 --setting 0 --epochs "$train_epochs" --device "$device" --log-root "$logs" --no-progress "$@"
  status=$?
  echo "$status $(($(now) - t0))" >"$raw/train-$label.status"
  dir="$logs/cifar10/all-cnns/quality_50" f=$(find "$logs" -name summary.json 2>/dev/null | head -1)
  [[ -f "$dir/summary.json" ]] || { say "WARNING: no $dir/summary.json; found: ${f:-none}"; dir=${f:+$(dirname "$f")}; }
  mkdir -p "$raw/train-$label"
  for f in summary.json history.csv config.toml; do [[ -n "$dir" && -f "$dir/$f" ]] && cp "$dir/$f" "$raw/train-$label/"; done
  [[ -n "$dir" ]] && echo "${dir#"$logs"/}" >"$raw/train-$label/run-dir.txt"
  say "train ($label): exit $status in $(($(now) - t0))s; run folder ${dir:-none}"
  [[ $status == 0 ]] || fail_note "train ($label): exit $status"
  return "$status"
}

step_train() {
  [[ -x "$hz" ]] || { step_skip train "no helmholtz binary"; return; }
  (($(left) < reserve_train / 2 + reserve_report)) && { step_skip train "no time ($(left)s left)"; return; }
  step_start train "all-cnns, quality 50, $train_epochs epochs on $synth_train generated images"
  mkdir -p "$runs"
  rm -rf "$runs/cifar"
  bounded "$(($(left) - reserve_report))" "${hz_env[@]}" "$hz" synth cifar10 --out "$runs/cifar" \
    --train "$synth_train" --test "$synth_test" || fail_note "train: synth cifar10 failed"
  local note="" need
  train_run default || note="default precision failed"
  need=$(awk '{print $2}' "$raw/train-default.status" 2>/dev/null)
  if (($(left) > ${need:-60} + reserve_report)); then
    train_run fp32 --precision fp32 || note+=" fp32 failed"
  else
    note+=" fp32 run skipped (time)"
    printf 'skipped\n' >"$raw/train-fp32.status"
  fi
  step_done "$([[ "$note" == *failed* ]] && echo failed || echo ok)" "$note"
}

# --- the report, and the run ---------------------------------------------------------------------
write_report() {
  say "writing $out/gpu-check.md"
  if run_py "$here/report.py" "$raw" "$out/gpu-check.md" "$(elapsed)" "${failures[@]+"${failures[@]}"}"; then
    cat "$out/gpu-check.md"
  else
    echo "report: the python report writer failed (exit $?)"
  fi
}

main() {
  say "gpu-check: $root, deadline ${deadline_s}s, steps $steps, out $out"
  py="" hz="$build/helmholtz" device=cpu smoke=${GPU_CHECK_SMOKE:-1} cuda_line="" configures=0 want_cuda=0
  if enabled facts && ! step_facts; then
    write_report
    return 1
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
  local torch_dir
  torch_dir=$(get_fact torch_dir)
  hz_env=(env "LD_LIBRARY_PATH=$lib:$sysroot/lib/x86_64-linux-gnu${torch_dir:+:$torch_dir/lib}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
  if enabled unpack; then step_unpack; else export PATH="$prefix/bin:$PATH"; fi
  enabled build && step_build
  : >"$raw/ctest.txt"
  enabled ctest && step_ctest cuda
  enabled bench && step_bench
  enabled pack && step_pack
  enabled train && step_train
  enabled ctest && step_ctest rest
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
