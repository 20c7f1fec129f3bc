#!/usr/bin/env bash
# Installs every dependency from Debian's archive, builds the helmholtz binary (Release) into
# build/, and fetches CIFAR-10 when the network allows. Idempotent: run it again any time. The
# tests and fuzz replays are built by scripts/test.sh (or --all here), not before a first run.
#   scripts/setup.sh [--no-fetch] [--all] [--build-dir DIR]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$root/build"
fetch=1
targets=(--target helmholtz)
while (($#)); do
  case "$1" in
    --no-fetch) fetch=0 ;;
    --all) targets=() ;;
    --build-dir) build_dir="$2"; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

packages=(
  build-essential cmake pkg-config
  libtorch-dev            # LibTorch (CPU build); GPU users point CMake at a CUDA LibTorch
  libgloo-dev             # Gloo's headers: data-parallel training on CPUs (c10d's Gloo group)
  libopenblas0-openmp     # fast BLAS for LibTorch (dense layers, mel filterbank): the
                          # reference BLAS it would otherwise use is ~10x slower
  libturbojpeg0-dev       # JPEG codec
  libjpeg62-turbo-dev     # the same library's libjpeg API: decoding a crop's window
  libmp3lame-dev          # MP3 encoder
  libsndfile1-dev         # WAV/MP3 reading
  libsoxr-dev             # resampling decoded MP3 back to 44.1 kHz
  libkissfft-dev          # FFT for aligning decoded MP3 with the original
  lame                    # the command-line encoder, peer of the audio benchmark
  libwebp-dev             # WebP codec (--codec webp)
  libavif-dev             # AVIF codec (--codec avif; libavif with the aom encoder)
  libjxl-dev              # JPEG XL codec (--codec jxl)
  libopenjp2-7-dev        # JPEG 2000 codec (--codec j2k)
  libopus-dev libopusenc-dev libopusfile-dev  # Opus codec (--codec opus)
  libvorbis-dev libogg-dev  # Vorbis codec (--codec vorbis) and the Ogg pages of both
  libavif-bin libjxl-tools libopenjp2-tools opus-tools vorbis-tools  # reference encoders:
                          # avifenc, cjxl, opj_compress, opusenc, oggenc (tests, benchmarks)
  libcli11-dev libspdlog-dev nlohmann-json3-dev zlib1g-dev
  libpng-dev              # lossless reference sizes of images (PNG)
  libtomlplusplus-dev     # TOML: config files and architecture files
  libgtest-dev
  dataset-fashion-mnist   # the offline real dataset
  gnuplot-nox             # plots of `helmholtz report`
  libgd-dev               # PNG drawing with built-in fonts for `helmholtz preview`
  python3-pil python3-torch python3-numpy  # benchmark peers (Pillow, PyTorch Python)
  python3-torchvision     # benchmark peer of `bench loader` (ImageFolder with Pillow)
  slurmctld slurmd slurm-client munge  # scripts/slurm-local.sh: a Slurm cluster for tests
  clang libclang-rt-14-dev  # scripts/fuzz.sh: clang with libFuzzer and its sanitizer runtimes
  curl ca-certificates
)

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup.sh: run as root or install sudo" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing ${#missing[@]} Debian packages: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "== all Debian packages already installed"
fi

echo "== building into $build_dir"
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build_dir" -j"$(nproc)" "${targets[@]}"

if ((fetch)); then
  if "$root/scripts/fetch-cifar10.sh" "$root/data"; then
    :
  else
    echo "== NOTE: could not fetch CIFAR-10 (no network?). Everything else is ready;"
    echo "   train offline on Fashion-MNIST with --dataset fashion-mnist, or run"
    echo "   scripts/fetch-cifar10.sh later."
  fi
fi
echo "== ready: $build_dir/helmholtz"
