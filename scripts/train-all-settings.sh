#!/usr/bin/env bash
# All six architectures on CIFAR-10 at one JPEG quality, one run per GPU slot. GPUs come from
# GPUS or CUDA_VISIBLE_DEVICES (e.g. GPUS=0,1); JOBS_PER_GPU (default 1) runs that many per GPU;
# without GPUs, JOBS runs on the CPU.
# DATASET=fashion-mnist picks the offline image set instead of CIFAR-10.
# Usage: scripts/train-all-settings.sh QUALITY [more helmholtz sweep/train options]
#   e.g. GPUS=0-5 scripts/train-all-settings.sh 5 --seeds 0-2
set -euo pipefail
(($# >= 1)) || { sed -n '2,7p' "$0" >&2; exit 2; }
quality="$1"
shift
# shellcheck source=scripts/sweep-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/sweep-common.sh"
exec "$bin" sweep --dataset "${DATASET:-cifar10}" --qualities "$quality" --settings 0-5 "${device_options[@]}" "$@"
