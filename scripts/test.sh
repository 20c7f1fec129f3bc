#!/usr/bin/env bash
# Sets up (idempotent: installs what is missing, builds), then runs the whole test suite.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" --no-fetch
ctest --test-dir "$root/build" --output-on-failure -j2 "$@"
