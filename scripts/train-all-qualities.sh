#!/usr/bin/env bash
# Every JPEG quality of the reference (1,5,10,15,20,25,50,75,100) for one architecture on
# CIFAR-10, one run per GPU slot. GPUs come from GPUS or CUDA_VISIBLE_DEVICES (e.g. GPUS=0,1);
# JOBS_PER_GPU (default 1) runs that many per GPU; without GPUs, JOBS runs on the CPU.
# DATASET=fashion-mnist picks the offline image set instead of CIFAR-10.
# Usage: scripts/train-all-qualities.sh SETTING [more helmholtz sweep/train options]
#   e.g. GPUS=0,1,2,3 scripts/train-all-qualities.sh 2 --qualities 1,5,10,raw --epochs 100
set -euo pipefail
(($# >= 1)) || { sed -n '2,7p' "$0" >&2; exit 2; }
setting="$1"
shift
# shellcheck source=scripts/sweep-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/sweep-common.sh"
exec "$bin" sweep --dataset "${DATASET:-cifar10}" --settings "$setting" "${device_options[@]}" "$@"
