#!/usr/bin/env bash
# Downloads IDMT-SMT-Audio-Effects (Fraunhofer IDMT, Zenodo DOI 10.5281/zenodo.7544032) and
# unpacks it into DATA_DIR/IDMT-SMT-AUDIO-EFFECTS (DATA_DIR defaults to "data"), the inner
# per-instrument archives included. Safe to run again: it does nothing once that is complete.
#
#   scripts/fetch-idmt.sh [DATA_DIR]
#
# Environment: IDMT_URL (the archive's address), IDMT_MD5 (its MD5; "skip" to skip the check),
# IDMT_KEEP_ZIP=1 (keep the downloaded archive). Needs curl, unzip and md5sum. Several GB.
# Licence CC BY-NC-ND 4.0: research use only; never redistribute the data or derived copies.
set -euo pipefail

# The record's file as Zenodo lists it; mirdata's loader for this dataset uses the same name.
readonly URL="${IDMT_URL:-https://zenodo.org/records/7544032/files/IDMT-SMT-AUDIO-EFFECTS.zip}"
# The MD5 that mirdata's loader (mirdata/datasets/idmt_smt_audio_effects.py) records for this
# file; not checked against Zenodo here (this script was written offline). Override with IDMT_MD5.
readonly MD5="${IDMT_MD5:-91e845a1b347352993ebd5ba948d5a7c}"

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
if [[ $# -gt 1 ]]; then
  echo "usage: $0 [DATA_DIR]" >&2
  exit 2
fi

readonly data_dir="${1:-data}"
readonly target="$data_dir/IDMT-SMT-AUDIO-EFFECTS"
readonly marker="$target/.fetch-idmt.complete"
readonly archive="$data_dir/IDMT-SMT-AUDIO-EFFECTS.zip"

licence() {
  cat <<'MSG'
fetch-idmt: IDMT-SMT-Audio-Effects, (c) Fraunhofer IDMT (Michael Stein), Zenodo
  DOI 10.5281/zenodo.7544032, licence CC BY-NC-ND 4.0
  (https://creativecommons.org/licenses/by-nc-nd/4.0/): research and other non-commercial use,
  with attribution; never redistribute the data or derived copies (MP3 versions, features).
MSG
}

fail() {
  echo "fetch-idmt: error: $*" >&2
  exit 1
}

licence
if [[ -f "$marker" ]]; then
  echo "fetch-idmt: IDMT-SMT-Audio-Effects is already in $target; nothing to do."
  exit 0
fi
if [[ -e "$target" ]]; then
  fail "$target exists but was not completed by this script. If you unpacked the dataset there by hand, use it as it is (helmholtz reads Samples/<Class>/*.wav and the original instrument folders); otherwise remove it and run this script again."
fi

for tool in curl unzip md5sum find; do
  command -v "$tool" >/dev/null ||
    fail "'$tool' is not installed (on Debian or Ubuntu: sudo apt-get install $tool)."
done

mkdir -p "$data_dir"
if [[ -f "$archive" ]]; then
  echo "fetch-idmt: using the archive already downloaded, $archive."
else
  echo "fetch-idmt: downloading $URL (several GB) ..."
  progress=(--silent --show-error)
  [[ -t 2 ]] && progress=(--progress-bar)
  # Download beside the target under another name, renamed only when complete.
  if ! curl --fail --location --retry 3 --retry-delay 5 --connect-timeout 30 "${progress[@]}" \
    --output "$archive.part" "$URL"; then
    rm -f "$archive.part"
    cat >&2 <<MSG
fetch-idmt: error: could not download $URL
  (no network, a proxy or firewall in the way, or an HTTP error: curl's message is above).
  Run this script again when the machine is online, or download the file from
  https://doi.org/10.5281/zenodo.7544032 by hand and put it at $archive
  (set IDMT_URL if the record's file has another name), or use the offline stand-in:
  helmholtz synth audio-effects --out DIR
MSG
    exit 1
  fi
  mv -f "$archive.part" "$archive"
fi

if [[ "$MD5" == "skip" ]]; then
  echo "fetch-idmt: IDMT_MD5=skip: not checking the archive's MD5."
else
  echo "fetch-idmt: checking MD5 ..."
  actual=$(md5sum "$archive" | cut -d ' ' -f 1)
  [[ "$actual" == "$MD5" ]] ||
    fail "the MD5 of $archive is $actual, expected $MD5: it is damaged or another file; nothing was unpacked. Delete it and run the script again, or, if you trust the file, run again with IDMT_MD5=$actual."
fi

# Unpack in a temporary folder beside the target (same file system for the final move), so that
# an interrupted run leaves nothing half-written in $target.
tmp=$(mktemp -d "$data_dir/.fetch-idmt.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "fetch-idmt: unpacking ..."
unzip -q "$archive" -d "$tmp/outer" ||
  fail "$archive is not a readable zip archive; delete it and run again."

# The archive holds one zip per instrument part ("Gitarre monophon.zip", "Bass monophon2.zip",
# ...) in IDMT-SMT-AUDIO-EFFECTS/IDMT-SMT-AUDIO-EFFECTS/. Unpack each where it lies, then drop it.
# "Gitarre_polyphon2.zip" is reported to duplicate "Gitarre polyphon2.zip"; skip it then.
while IFS= read -r -d '' dup; do
  if [[ -f "$(dirname "$dup")/Gitarre polyphon2.zip" ]]; then
    echo "fetch-idmt: skipping Gitarre_polyphon2.zip (a duplicate of 'Gitarre polyphon2.zip')."
    rm -f "$dup"
  fi
done < <(find "$tmp/outer" -type f -name 'Gitarre_polyphon2.zip' -print0)
root=""
while IFS= read -r -d '' inner; do
  root=$(dirname "$inner")
  echo "fetch-idmt: unpacking $(basename "$inner") ..."
  unzip -q -o "$inner" -d "$root" ||
    fail "the inner archive $(basename "$inner") is damaged; delete $archive and run again."
  rm -f "$inner"
done < <(find "$tmp/outer" -type f -iname '*.zip' -print0 | sort -z)

# Without inner archives: descend through folders that hold only one folder.
if [[ -z "$root" ]]; then
  root="$tmp/outer"
  while entries=("$root"/*) && [[ ${#entries[@]} -eq 1 && -d "${entries[0]}" ]]; do
    root="${entries[0]}"
  done
fi

wavs=$(find "$root" -type f -iname '*.wav' | wc -l)
[[ "$wavs" -gt 0 ]] || fail "the archive holds no .wav files; nothing was installed. Is $URL the right file?"

mv "$root" "$target"
touch "$marker"
[[ "${IDMT_KEEP_ZIP:-0}" == "1" ]] || rm -f "$archive"
echo "fetch-idmt: IDMT-SMT-Audio-Effects is in $target ($wavs WAV files, $(du -sh "$target" | cut -f 1))."
echo "fetch-idmt: use it with the instrument guitar (the monophonic guitar notes, as the reference), bass or all."
licence
