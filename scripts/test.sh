#!/usr/bin/env bash
# Sets up (idempotent: installs what is missing, builds the binary, the tests and the fuzz
# replays), runs a bounded fuzzing round over every reader of outside bytes (scripts/fuzz.sh,
# 5 s per target), then the whole test suite.
#   scripts/test.sh [--no-fuzz] [ctest options...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fuzz=1
if [[ ${1:-} == --no-fuzz ]]; then
  fuzz=0
  shift
fi
"$root/scripts/setup.sh" --no-fetch --all
if ((fuzz)); then
  "$root/scripts/fuzz.sh" --seconds "${HELMHOLTZ_FUZZ_SECONDS:-5}"
fi
ctest --test-dir "$root/build" --output-on-failure -j2 "$@"
