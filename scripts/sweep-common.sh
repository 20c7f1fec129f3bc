# shellcheck shell=bash disable=SC2034  # bin and device_options are read by the wrapper that sources this
# Sourced by the train-all-*.sh wrappers: finds the helmholtz binary and turns the GPUs named in
# GPUS or CUDA_VISIBLE_DEVICES (e.g. "0,1,2") into sweep options; none means CPU.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${HELMHOLTZ:-$root/build/helmholtz}"
[[ -x "$bin" ]] || { echo "$(basename "$0"): build first (scripts/setup.sh): no $bin" >&2; exit 1; }
gpus="${GPUS:-${CUDA_VISIBLE_DEVICES:-}}"
device_options=()
if [[ -n "$gpus" ]]; then
  # The children get CUDA_VISIBLE_DEVICES from the sweep, one GPU each.
  unset CUDA_VISIBLE_DEVICES
  device_options=(--gpus "$gpus" --jobs-per-gpu "${JOBS_PER_GPU:-1}")
else
  device_options=(--jobs "${JOBS:-1}")
fi
