#!/usr/bin/env bash
# Every MP3 bitrate of the reference (8,16,32,64,96,128,160) for one audio architecture on
# IDMT-SMT-Audio-Effects, one run per GPU slot. GPUs come from GPUS or CUDA_VISIBLE_DEVICES;
# JOBS_PER_GPU (default 1) runs that many per GPU; without GPUs, JOBS runs on the CPU.
# Usage: scripts/train-all-bitrates.sh SETTING [more helmholtz sweep/train options]
#   e.g. GPUS=0,1 scripts/train-all-bitrates.sh 3 --data-dir data/guitar-fx
set -euo pipefail
(($# >= 1)) || { sed -n '2,6p' "$0" >&2; exit 2; }
setting="$1"
shift
# shellcheck source=scripts/sweep-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/sweep-common.sh"
exec "$bin" sweep --dataset audio-effects --settings "$setting" "${device_options[@]}" "$@"
