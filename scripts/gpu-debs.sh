#!/usr/bin/env bash
# Downloads the Debian bookworm (amd64) .deb files that scripts/gpu-check.sh needs to build
# helmholtz on a machine with no package archive: the -dev packages and runtime libraries of
# every dependency except LibTorch and libgd, and fallbacks for the build tools (cmake, pkg-config,
# make, ninja). Nothing is installed: gpu-check.sh unpacks them into a folder of its own.
#
#   scripts/gpu-debs.sh [DIR]      (default: build-debs at the repository root)
#
# Writes DIR/MANIFEST: one line per .deb, "role<TAB>package<TAB>version<TAB>file<TAB>bytes", role
# "dev" (headers and libraries for the build and the binary) or "tool" (cmake, pkg-config and
# their libraries, used only where the machine lacks them). Header lines start with '#' and
# give the oldest glibc and libstdc++ that the dev libraries accept. Idempotent: .debs already
# there with the right version and size are kept, others are removed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "${1:-}" in
  -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
esac
(($# <= 1)) || { echo "usage: $0 [DIR]" >&2; exit 2; }
dir="${1:-$root/build-debs}"
readonly max_bytes=$((60 * 1024 * 1024))

fail() { echo "gpu-debs: error: $*" >&2; exit 1; }
if ! command -v apt-get >/dev/null || ! command -v apt-cache >/dev/null; then
  fail "needs apt-get and apt-cache (a Debian bookworm machine)"
fi
[[ "$(dpkg --print-architecture)" == amd64 ]] || fail "needs an amd64 machine (the GPU machine is x86_64)"
# shellcheck disable=SC1091
. /etc/os-release
[[ "${VERSION_CODENAME:-}" == bookworm ]] ||
  echo "gpu-debs: warning: this is ${PRETTY_NAME:-an unknown system}, not Debian bookworm" >&2

# Headers, CMake/pkg-config files and libraries of the build (CMakeLists.txt). libsndfile's
# pkg-config file names flac, ogg, vorbis, vorbisenc, opus and libmpg123 (Requires.private), so
# their -dev packages come too; zlib1g is named since zlib1g-dev's libz.so points into it.
# libtomlplusplus-dev: toml++ (CMake package tomlplusplus, pkg-config tomlplusplus); Debian
# builds it as a library, so libtomlplusplus3 comes along as its dependency.
dev_roots=(
  libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev
  libturbojpeg0-dev libjpeg62-turbo-dev libmp3lame-dev
  libsndfile1-dev libflac-dev libogg-dev libvorbis-dev libopus-dev libmpg123-dev
  libsoxr-dev libkissfft-dev zlib1g-dev zlib1g libpng-dev libgtest-dev
)
tool_roots=(cmake cmake-data pkgconf pkg-config make ninja-build)
# Never downloaded: the C library and the compiler's runtime (they must be the machine's own),
# and what the -dev packages depend on without the build needing it (catch2 and googletest are
# sources; procps is a dependency of the cmake package, not of the binary).
declare -A deny=()
for p in libc6 libc6-dev libgcc-s1 libstdc++6 gcc-12-base libcrypt1 catch2 googletest procps \
  debconf dpkg perl-base tzdata; do
  deny[$p]=1
done

if ! apt-cache show --no-all-versions "${dev_roots[0]}" >/dev/null 2>&1; then
  echo "== apt-get update (the package lists are missing)"
  apt-get update -qq || fail "apt-get update failed (run as root, with the network)"
fi

# The Depends/Pre-Depends of the packages named (one apt-cache call: each call reads the whole
# package list, a second or more): the first of each group of alternatives, and the first
# provider of a virtual package.
depends_of() {
  apt-cache depends -i "$@" | awk '
    /^[^ ]/ { skip = 0; virt = 0; next }
    /^ *\|?(Pre)?Depends:/ {
      alt = ($0 ~ /^ *\|/); name = $2
      if (skip) { skip = alt; virt = 0; next }
      skip = alt
      if (name ~ /^</) { virt = 1; next }
      virt = 0; print name; next
    }
    /^    / && virt { print $1; virt = 0 }' | sort -u
}

declare -A role=()
closure() { # closure ROLE PACKAGE...: adds each package and its dependencies not seen yet
  local r="$1" p
  shift
  local level=("$@") next
  while ((${#level[@]})); do
    next=()
    for p in "${level[@]}"; do
      [[ -n "${role[$p]:-}" || -n "${deny[$p]:-}" ]] && continue
      role[$p]="$r"
      next+=("$p")
    done
    ((${#next[@]})) || break
    mapfile -t level < <(depends_of "${next[@]}")
  done
}
closure dev "${dev_roots[@]}"
closure tool "${tool_roots[@]}"

mkdir -p "$dir"
cd "$dir"
mapfile -t packages < <(printf '%s\n' "${!role[@]}" | sort)
# One line per package: name version arch size, and the libc6 and libstdc++6 versions it
# depends on at least (0 when it does not say).
info="$(apt-cache show --no-all-versions "${packages[@]}" | awk '
  function at_least(text, lib,    m) {
    if (match(text, lib " \\(>= [0-9.]+\\)")) {
      m = substr(text, RSTART, RLENGTH); sub(/.*>= /, "", m); sub(/\)/, "", m); return m
    }
    return "0"
  }
  /^Package:/ { p = $2; dep = "" }
  /^Version:/ { v = $2 }
  /^Architecture:/ { a = $2 }
  /^(Pre-)?Depends:/ { dep = dep " " $0 }
  /^Size:/ { s = $2 }
  /^$/ && p != "" {
    print p, v, a, s, at_least(dep, "libc6"), at_least(dep, "libstdc\\+\\+6"); p = ""
  }
  END { if (p != "") print p, v, a, s, at_least(dep, "libc6"), at_least(dep, "libstdc\\+\\+6") }')"
manifest_body=""
total=0
declare -A wanted=()
need_libc="0"
need_libstdcxx="0"
while read -r p version arch size libc libstdcxx; do
  [[ -n "${role[$p]:-}" ]] || continue
  # apt-get download names the file package_version_arch.deb, with ':' written as %3a.
  file="${p}_${version//:/%3a}_${arch}.deb"
  [[ -n "${wanted[$file]:-}" ]] && continue
  wanted[$file]=1
  if [[ ! -f "$file" || "$(stat -c %s "$file")" != "$size" ]]; then
    rm -f "$file"
    apt-get download -qq -o APT::Sandbox::User=root "$p=$version" ||
      fail "apt-get download $p=$version failed"
    [[ -f "$file" ]] || fail "apt-get download $p did not write $file"
  fi
  bytes="$(stat -c %s "$file")"
  total=$((total + bytes))
  manifest_body+="${role[$p]}	$p	$version	$file	$bytes"$'\n'
  if [[ "${role[$p]}" == dev ]]; then
    need_libc="$(printf '%s\n%s\n' "$need_libc" "$libc" | sort -V | tail -1)"
    need_libstdcxx="$(printf '%s\n%s\n' "$need_libstdcxx" "$libstdcxx" | sort -V | tail -1)"
  fi
done <<<"$info"
for p in "${packages[@]}"; do
  grep -q "	$p	" <<<"$manifest_body" || fail "apt-cache show knows no package '$p'"
done
for f in *.deb; do
  [[ -e "$f" && -z "${wanted[$f]:-}" ]] && { echo "removing stale $f"; rm -f "$f"; }
done

{
  echo "# Debian ${VERSION_CODENAME:-?} amd64 packages for scripts/gpu-check.sh (scripts/gpu-debs.sh)"
  echo "# dev libraries need: glibc >= $need_libc, libstdc++6 >= $need_libstdcxx (gcc $need_libstdcxx)"
  echo "# role	package	version	file	bytes"
  printf '%s' "$manifest_body"
} >MANIFEST.tmp
mv MANIFEST.tmp MANIFEST

count_dev="$(grep -c '^dev' MANIFEST)"
count_tool="$(grep -c '^tool' MANIFEST)"
mib="$(awk -v b="$total" 'BEGIN {printf "%.1f", b / 1048576}')"
echo "== $((count_dev + count_tool)) .debs in $dir ($count_dev dev, $count_tool tool): $mib MiB"
echo "   dev libraries need glibc >= $need_libc and libstdc++6 >= $need_libstdcxx"
((total < max_bytes)) || fail "$mib MiB is over the $((max_bytes / 1048576)) MiB budget"
