#!/usr/bin/env bash
# Builds the torch-free libraries (helmholtz_media, helmholtz_study), their unit tests and the
# fuzz replays with AddressSanitizer and UndefinedBehaviorSanitizer into build-asan/
# (HELMHOLTZ_SANITIZE=ON, HELMHOLTZ_TORCH_FREE_ONLY=ON) and runs them; any sanitizer report
# fails its test. The unit tests that run the CLI run the normal, uninstrumented helmholtz
# binary (its LibTorch part would take most of the build here and is out of scope):
# build/helmholtz, which scripts/setup.sh builds, or the one --binary names.
#   scripts/sanitize.sh [--binary PATH] [--jobs N] [--build-dir DIR] [-- CTEST_ARGS...]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$root/build-asan"
binary="$root/build/helmholtz"
jobs="$(nproc)"
ctest_args=()
while (($#)); do
  case "$1" in
    --binary) binary="$2"; shift ;;
    --jobs) jobs="$2"; shift ;;
    --build-dir) build_dir="$2"; shift ;;
    --) shift; ctest_args=("$@"); break ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "sanitize.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
start=$SECONDS

if [[ ! -x "$binary" ]]; then
  echo "sanitize.sh: no helmholtz binary at '$binary' for the CLI tests: run scripts/setup.sh" \
       "(it builds build/helmholtz) or pass --binary PATH" >&2
  exit 2
fi
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"

echo "== building the torch-free libraries and their tests into $build_dir (ASan, UBSan)"
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHELMHOLTZ_SANITIZE=ON \
  -DHELMHOLTZ_TORCH_FREE_ONLY=ON -DHELMHOLTZ_TEST_BINARY="$binary" >/dev/null
cmake --build "$build_dir" -j"$jobs"
build_seconds=$((SECONDS - start))

# A finding stops the test it happens in (UBSan: -fno-sanitize-recover; ASan by default),
# leaks included, with a symbolized stack.
asan_options="detect_leaks=1:check_initialization_order=1:strict_string_checks=1"
export ASAN_OPTIONS="$asan_options:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}"
# Left out: the tests on a real Slurm cluster (labels slurm and slow: SlurmSmoke and
# SweepCli.*RealSlurm*, about 4 minutes). The code they test runs in the helmholtz binary and in
# Slurm, neither built here; the normal build's ctest runs them.
echo "== running the tests (all but those on a real Slurm cluster)"
status=0
ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" -LE 'slurm|slow' "${ctest_args[@]}" ||
  status=$?
echo "== sanitize.sh took $((SECONDS - start)) s (build $build_seconds s)"
exit "$status"
