#!/usr/bin/env bash
# The device run: one call on a rented GPU machine (no package archive, no network) that checks
# the machine in a minute, builds helmholtz against its CUDA PyTorch and the .debs of
# scripts/gpu-debs.sh, runs the CUDA tests, the doctor, a benchmark against the PyTorch peer,
# several trainings on one GPU and a short training, and always leaves a table in OUT.
#
#   OUT=results scripts/gpu-check.sh [--preflight]
#
# The steps are in scripts/gpu_check/run.py (`scripts/gpu-check.sh --help` lists them and the
# settings); this wrapper only finds a python 3 to run it.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for py in python3 /usr/bin/python3; do
  if command -v "$py" >/dev/null && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null; then
    exec "$py" "$root/scripts/gpu_check/run.py" "$@"
  fi
done
line="pre-flight: no python 3.8 or newer on PATH (python3) to run scripts/gpu_check/run.py"
echo "$line"
out="${OUT:-build-gpucheck-out}"
[[ "$out" == /* ]] || out="$root/$out"
mkdir -p "$out" && printf '# Device run\n\n**%s**\n' "$line" >"$out/gpu-check.md"
exit 1
