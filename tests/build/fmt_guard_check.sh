#!/usr/bin/env bash
# The compile-time guard of include/helmholtz/core/spdlog.hpp: a source that includes spdlog
# through it compiles with the fmt version CMake recorded, and stops with the guard's message
# when the recorded version is another (as when LibTorch's own fmt headers come first).
#   tests/build/fmt_guard_check.sh CXX SOURCE_DIR HELMHOLTZ_FMT_VERSION=N
# Exit 77 (skipped) where spdlog bundles its fmt (CMake then records no version).
set -euo pipefail
cxx="$1" source_dir="$2" definition="${3:-}"
[[ -n "$definition" ]] || { echo "SKIP: spdlog bundles its fmt here: nothing to guard"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '#include "helmholtz/core/spdlog.hpp"\nint main() { return 0; }\n' >"$work/probe.cpp"
compile() { "$cxx" -std=c++17 -fsyntax-only -DSPDLOG_FMT_EXTERNAL -I"$source_dir/include" "$@" "$work/probe.cpp"; }
if ! compile "-D$definition" 2>"$work/ok.txt"; then
  echo "FAILED: spdlog.hpp does not compile with the recorded fmt ($definition):"
  cat "$work/ok.txt"
  exit 1
fi
echo "ok: compiles with $definition"
if compile "-DHELMHOLTZ_FMT_VERSION=1" 2>"$work/wrong.txt"; then
  echo "FAILED: spdlog.hpp compiled although the recorded fmt version (1) is not the one seen"
  exit 1
fi
grep -q "not the fmt spdlog was built with" "$work/wrong.txt" ||
  { echo "FAILED: another error than the guard's:"; cat "$work/wrong.txt"; exit 1; }
echo "ok: stops with the guard's message when the recorded version differs"
