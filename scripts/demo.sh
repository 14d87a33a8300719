#!/usr/bin/env bash
# Install everything, then run the end-to-end demonstration into DIR ($1; default witness-demo/ in
# the repository). DIR may be absolute or relative to where you stand: only the installation runs
# in the repository, the demo runs from here. Prefect's settings for the demo (its home beside DIR,
# a start-up timeout long enough for a busy machine) are set by `witness demo` itself.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
(cd "$repo" && bash scripts/setup.sh)
exec "$repo/.venv/bin/witness" demo --out "${1:-$repo/witness-demo}"
