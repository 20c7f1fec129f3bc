#!/usr/bin/env bash
# Compiles the CUDA-only code (every source with `#ifdef HELMHOLTZ_WITH_CUDA`) as a CUDA build
# would, syntax only, against this machine's LibTorch headers and a CUDA toolkit's headers:
# a CPU-only build never compiles those branches otherwise. Exit 77 (skipped) without CUDA
# headers or without LibTorch's CUDA headers.
#   tests/cuda/cuda_syntax_check.sh BUILD_DIR/compile_commands.json SOURCE_DIR
set -euo pipefail
commands="$1"
source_dir="$2"

cuda_include=""
for dir in ${CUDA_HOME:+"$CUDA_HOME/include"} /usr/local/cuda/include /usr/local/cuda-*/include \
  /usr/include; do
  if [[ -f "$dir/cuda_runtime.h" ]]; then cuda_include="$dir"; break; fi
done
[[ -n "$cuda_include" ]] || { echo "SKIP: no CUDA toolkit headers (cuda_runtime.h)"; exit 77; }

files=$(grep -l "HELMHOLTZ_WITH_CUDA" "$source_dir"/src/*/*.cpp || true)
[[ -n "$files" ]] || { echo "no CUDA-only code found under $source_dir/src" >&2; exit 1; }

# A CPU LibTorch package may lack the one header its CUDA build generates; it only declares
# how the CUDA library is linked, so an empty stand-in is enough for a syntax check.
stub="$(mktemp -d)"
trap 'rm -rf "$stub"' EXIT
mkdir -p "$stub/c10/cuda/impl"
echo '#pragma once' >"$stub/c10/cuda/impl/cuda_cmake_macros.h"

# One translation unit that includes every such source: LibTorch's headers are parsed once, not
# once per file (the whole check is then one compile of about 15 s on two cores). They are all
# sources of helmholtz_core, so the first one's compile command fits them all.
combined="$stub/cuda_only_sources.cpp"
for file in $files; do printf '#include "%s"\n' "$file" >>"$combined"; done
first=$(head -n 1 <<<"$files")
command=$(python3 - "$commands" "$first" <<'PY'
import json, re, shlex, sys
for entry in json.load(open(sys.argv[1])):
    if entry["file"] == sys.argv[2]:
        args = shlex.split(entry["command"])
        out, skip = [], False
        for a in args:
            if skip:
                skip = False
                continue
            if a in ("-o", "-include", "-Xclang", "-c"):
                skip = a != "-c"  # output file and precompiled header; -c takes no argument
                continue
            if a == sys.argv[2]:
                continue  # the source itself: the combined file replaces it
            out.append(a)
        print(entry["directory"] + "\t" + shlex.join(out))
        break
PY
)
if [[ -z "$command" ]]; then
  echo "$first: not in $commands" >&2
  exit 1
fi
dir="${command%%$'\t'*}"
args="${command#*$'\t'}"
has_torch_cuda=0
for inc in /usr/include /usr/local/include $(grep -oE -- '-(I|isystem ?)[^ ]+' <<<"$args" | sed -E 's/^-(I|isystem ?)//'); do
  [[ -f "$inc/ATen/cuda/CUDAGraph.h" ]] && has_torch_cuda=1
done
if ((!has_torch_cuda)); then
  echo "SKIP: this LibTorch has no CUDA headers (ATen/cuda/CUDAGraph.h)"
  exit 77
fi
if (cd "$dir" && eval "$args -fsyntax-only -DHELMHOLTZ_WITH_CUDA=1 -I'$stub' -I'$cuda_include' -c '$combined'"); then
  for file in $files; do echo "ok: $file"; done
else
  echo "FAILED: the CUDA-only code of these sources does not compile: ${files//$'\n'/ }" >&2
  exit 1
fi
