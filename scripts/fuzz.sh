#!/usr/bin/env bash
# Fuzzes every reader of outside bytes (tests/fuzz: CIFAR-10 batches, IDX/gzip, audio, coded
# samples' payloads, settings and architecture TOML, run folders' JSON and CSV, checked files)
# with libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer: configures and builds
# build-fuzz/ with clang (HELMHOLTZ_FUZZ=ON), writes the seed corpora, then runs each target for
# a bounded time. Prints each target's executions and coverage; exits 1 naming the input when a
# target crashed. A crash's input goes to tests/fuzz/regressions/<target>/ once it is fixed.
#   scripts/fuzz.sh [--seconds N] [--targets "idx audio ..."] [--jobs N] [--build-dir DIR]
#   --seconds N   fuzzing time per target (default 10, a CI-sized round; by hand e.g. 600)
#   --jobs N      build jobs and targets fuzzed at once (default: the number of cores)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$root/build-fuzz"
seconds=10
jobs="$(nproc)"
# Every target of tests/fuzz/CMakeLists.txt (its HELMHOLTZ_FUZZ_TARGETS list is the one list).
targets=$(sed -n '/set(HELMHOLTZ_FUZZ_TARGETS/,/)/p' "$root/tests/fuzz/CMakeLists.txt" |
          sed 's/set(HELMHOLTZ_FUZZ_TARGETS//; s/)//' | tr -s ' \n' ' ')
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    --targets) targets="$2"; shift ;;
    --jobs) jobs="$2"; shift ;;
    --build-dir) build_dir="$2"; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
start=$SECONDS

# Per target: the longest input worth trying (a few records, a few frames, a config file) and
# the dictionaries: syntax from tests/fuzz/dicts, names from the project's tables (generated).
declare -A max_len=([cifar10]=12500 [idx]=4096 [audio]=8192 [codec_payload]=4096
                    [new_codecs]=4096 [settings]=4096 [architecture]=4096 [run_csv]=4096
                    [run_folder]=8192 [checked]=4096 [folder_image]=8192)
declare -A dicts=([cifar10]="" [idx]="idx" [audio]="audio" [codec_payload]="codec"
                  [new_codecs]="" [settings]="toml" [architecture]="toml" [run_csv]="csv"
                  [run_folder]="json csv" [checked]="json" [folder_image]="codec")

build_targets=(helmholtz_fuzz_corpus)
for t in $targets; do
  if [[ -z "${max_len[$t]+x}" ]]; then
    echo "fuzz.sh: no target '$t' (one of: ${!max_len[*]})" >&2
    exit 2
  fi
  build_targets+=("fuzz_$t")
done
command -v clang++ >/dev/null || {
  echo "fuzz.sh: clang++ not found: install clang and libclang-rt-14-dev" \
       "(scripts/setup.sh does)" >&2
  exit 2
}

echo "== building the fuzz targets into $build_dir (clang, libFuzzer, ASan, UBSan)"
cmake -S "$root" -B "$build_dir" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHELMHOLTZ_FUZZ=ON -DHELMHOLTZ_BUILD_TESTS=OFF >/dev/null
fuzz_bins="$build_dir/tests/fuzz"
cmake --build "$build_dir" -j"$jobs" --target "${build_targets[@]}"
build_seconds=$((SECONDS - start))

# The files the path readers read lie in a folder of this run, removed at the end even when a
# crashed target could not remove its own.
scratch_root="/dev/shm"
[[ -d "$scratch_root" && -w "$scratch_root" ]] || scratch_root="${TMPDIR:-/tmp}"
export HELMHOLTZ_FUZZ_TMP="$scratch_root/helmholtz-fuzz.$$"
mkdir -p "$HELMHOLTZ_FUZZ_TMP"
trap 'rm -rf "$HELMHOLTZ_FUZZ_TMP"' EXIT

echo "== seed corpora and dictionaries"
corpus="$build_dir/corpus"
dict_dir="$build_dir/dicts"
"$fuzz_bins/helmholtz_fuzz_corpus" "$corpus" "$dict_dir/generated"
for t in $targets; do
  {
    for d in ${dicts[$t]}; do cat "$root/tests/fuzz/dicts/$d.dict"; done
    [[ ! -f "$dict_dir/generated/$t.dict" ]] || cat "$dict_dir/generated/$t.dict"
  } >"$dict_dir/$t.dict"
done

fuzz_one() {
  local t="$1" crashes="$build_dir/crashes/$t" options=() inputs=("$corpus/$t")
  rm -rf "$crashes" && mkdir -p "$crashes" "$corpus/$t"
  [[ ! -s "$dict_dir/$t.dict" ]] || options+=(-dict="$dict_dir/$t.dict")
  # The committed regression inputs are read as corpus too: every run tries them first.
  [[ ! -d "$root/tests/fuzz/regressions/$t" ]] || inputs+=("$root/tests/fuzz/regressions/$t")
  # An input may take 10 s and allocate 512 MiB at once; past that it is a fault (a loop, an
  # allocation sized by a length field).
  "$fuzz_bins/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
    -malloc_limit_mb=512 -max_len="${max_len[$t]}" "${options[@]}" \
    -artifact_prefix="$crashes/" "${inputs[@]}" >"$build_dir/fuzz-$t.log" 2>&1
}

echo "== fuzzing $seconds s per target, $jobs at a time; logs in $build_dir/fuzz-<target>.log"
running=0
for t in $targets; do
  fuzz_one "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then wait -n || true; running=$((running - 1)); fi
done
wait || true

failed=0
printf '%-14s %12s %7s %7s %7s  %s\n' target executions cov ft corpus result
for t in $targets; do
  log="$build_dir/fuzz-$t.log"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  status=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$status")
  artifacts=$(find "$build_dir/crashes/$t" -type f | sort | tr '\n' ' ')
  result=ok
  if [[ -n "$artifacts" ]] || ! grep -q '^stat::number_of_executed_units' "$log"; then
    result="FAILED: ${artifacts:-no final stats} (log $log)"
    failed=1
  fi
  printf '%-14s %12s %7s %7s %7s  %s\n' "$t" "${execs:--}" "${cov:--}" "${ft:--}" \
    "${corp:--}" "$result"
done
echo "== fuzz.sh took $((SECONDS - start)) s (build $build_seconds s)"
if ((failed)); then
  echo "fuzz.sh: a target crashed: replay an input with $fuzz_bins/fuzz_<target> FILE; once" \
       "the reader is fixed, keep the input in tests/fuzz/regressions/<target>/" >&2
  exit 1
fi
