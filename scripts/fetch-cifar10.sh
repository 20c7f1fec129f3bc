#!/usr/bin/env bash
# Downloads CIFAR-10 (binary version) from its official home and unpacks it into
# DATA_DIR/cifar-10-batches-bin (DATA_DIR defaults to "data"). Safe to run again: it does nothing
# when the six batch files are already there with their full size.
#
#   scripts/fetch-cifar10.sh [DATA_DIR]
#
# Terms of use: https://www.cs.toronto.edu/~kriz/cifar.html
set -euo pipefail

readonly URL="https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
readonly MD5="c32a1d4ab5d03f1284b67883e8d87530"
readonly BATCH_BYTES=30730000 # 10,000 records of 3,073 bytes
readonly FILES=(data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin
  data_batch_5.bin test_batch.bin)

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
if [[ $# -gt 1 ]]; then
  echo "usage: $0 [DATA_DIR]" >&2
  exit 2
fi

readonly data_dir="${1:-data}"
readonly target="$data_dir/cifar-10-batches-bin"

fail() {
  echo "fetch-cifar10: error: $*" >&2
  exit 1
}

# True when all six batch files exist in $1 with the full size.
complete() {
  local f size
  for f in "${FILES[@]}"; do
    [[ -f "$1/$f" ]] || return 1
    size=$(stat -c %s "$1/$f")
    [[ "$size" == "$BATCH_BYTES" ]] || return 1
  done
}

if complete "$target"; then
  echo "fetch-cifar10: CIFAR-10 is already in $target; nothing to do."
  exit 0
fi

for tool in curl tar md5sum stat; do
  command -v "$tool" >/dev/null || fail "'$tool' is not installed."
done

mkdir -p "$data_dir"
# Work in a temporary folder beside the target, so that the final moves stay on one file system
# and an interrupted run leaves nothing half-written in $target.
tmp=$(mktemp -d "$data_dir/.fetch-cifar10.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
archive="$tmp/cifar-10-binary.tar.gz"

echo "fetch-cifar10: downloading $URL (about 163 MB) ..."
progress=(--silent --show-error)
[[ -t 2 ]] && progress=(--progress-bar)
if ! curl --fail --location --retry 3 --retry-delay 5 --connect-timeout 30 "${progress[@]}" \
  --output "$archive" "$URL"; then
  cat >&2 <<MSG
fetch-cifar10: error: could not download $URL
  (no network, a proxy or firewall in the way, or an HTTP error: curl's message is above).
  Run this script again when the machine is online, or copy the six files
  (${FILES[*]}) into $target by hand,
  or use the offline dataset: --dataset fashion-mnist (apt-get install dataset-fashion-mnist).
MSG
  exit 1
fi

echo "fetch-cifar10: checking MD5 ..."
actual=$(md5sum "$archive" | cut -d ' ' -f 1)
[[ "$actual" == "$MD5" ]] ||
  fail "the download's MD5 is $actual, expected $MD5: it is damaged or not the CIFAR-10 archive; nothing was unpacked. Run the script again."

echo "fetch-cifar10: unpacking ..."
tar -xzf "$archive" -C "$tmp"
complete "$tmp/cifar-10-batches-bin" ||
  fail "the archive does not hold the six batch files of $BATCH_BYTES bytes each; nothing was installed."

mkdir -p "$target"
for f in "$tmp"/cifar-10-batches-bin/*; do
  mv -f "$f" "$target/"
done
echo "fetch-cifar10: CIFAR-10 is in $target ($(du -sh "$target" | cut -f 1))."
