#!/usr/bin/env bash
# All six audio architectures on IDMT-SMT-Audio-Effects at one MP3 bitrate, one run per GPU
# slot. GPUs come from GPUS or CUDA_VISIBLE_DEVICES; JOBS_PER_GPU (default 1) runs that many per
# GPU; without GPUs, JOBS runs on the CPU.
# Usage: scripts/train-all-audio-settings.sh BITRATE [more helmholtz sweep/train options]
#   e.g. GPUS=0,1 scripts/train-all-audio-settings.sh 32 --data-dir data/guitar-fx
set -euo pipefail
(($# >= 1)) || { sed -n '2,6p' "$0" >&2; exit 2; }
bitrate="$1"
shift
# shellcheck source=scripts/sweep-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/sweep-common.sh"
exec "$bin" sweep --dataset audio-effects --bitrates "$bitrate" --settings 0-5 "${device_options[@]}" "$@"
