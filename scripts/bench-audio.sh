#!/usr/bin/env bash
# The audio stage against Debian's `lame` command-line encoder, measured in the same run and
# printed as a ratio: clips per second for the whole stage of `helmholtz bench audio` (read,
# MP3 encode + decode, resample back to 44.1 kHz, align, mel spectrogram; all cores, no cache)
# vs `lame -b B` encoding the same WAV files (one process per core via xargs -P, encode only).
# The clips are generated (`helmholtz synth audio-effects`), 2 s each. Each figure is the best
# of --rounds passes, ours and the peer's alternating, as this machine is shared and noisy.
# Usage: scripts/bench-audio.sh [--per-class 20] [--bitrates "8 32 128"] [--rounds 3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${HELMHOLTZ:-$root/build/helmholtz}"
per_class=20
bitrates="8 32 128"
rounds=3
while (($#)); do
  case "$1" in
    --per-class) per_class="$2"; shift ;;
    --bitrates) bitrates="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    *) echo "bench-audio.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -x "$bin" ]] || { echo "bench-audio.sh: build first (scripts/setup.sh): no $bin" >&2; exit 1; }
command -v lame >/dev/null || { echo "bench-audio.sh: needs the lame encoder (apt-get install lame)" >&2; exit 1; }
py=/usr/bin/python3
cores=$(nproc)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

"$bin" synth audio-effects --out "$tmp/set" --per-class "$per_class" --seed 1 2>/dev/null
find "$tmp/set" -name '*.wav' | sort >"$tmp/files"
clips=$(wc -l <"$tmp/files")

now() { date +%s.%N; }
echo "# helmholtz audio stage vs lame ($cores cores, $clips clips of 2 s, $(date -u +%Y-%m-%d))"
echo
echo "| bitrate | helmholtz clips/s (encode+decode+resample+align+mel) | lame -b clips/s (encode only) | ratio |"
echo "|---|---|---|---|"
for b in $bitrates; do
  ours=0
  peer=0
  for ((r = 0; r < rounds; r++)); do
    rate=$("$bin" bench audio --data-dir "$tmp/set" --bitrate "$b" --repeat 1 --threads "$cores" \
      --json 2>/dev/null | "$py" -c "import json,sys; print(json.loads(sys.stdin.read())['clips_per_second'])")
    ours=$("$py" -c "print(max($ours, $rate))")
    mkdir -p "$tmp/mp3"
    start=$(now)
    xargs -P "$cores" -I{} sh -c 'lame --quiet -b "$1" "$2" "$3/$(basename "$2").mp3"' _ "$b" {} \
      "$tmp/mp3" <"$tmp/files"
    end=$(now)
    rate=$("$py" -c "print($clips / ($end - $start))")
    peer=$("$py" -c "print(max($peer, $rate))")
    rm -rf "$tmp/mp3"
  done
  "$py" -c "print(f'| $b kbit/s | {$ours:.1f} | {$peer:.1f} | {$ours / $peer:.2f} |')"
done
