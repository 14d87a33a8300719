#!/usr/bin/env bash
# Install everything, then run the end-to-end demonstration into ./witness-demo (or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PREFECT_HOME="${PREFECT_HOME:-$PWD/${1:-witness-demo}.prefect}"
export PREFECT_SERVER_ANALYTICS_ENABLED=false PREFECT_LOGGING_LEVEL=WARNING
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=120
.venv/bin/witness demo --out "${1:-witness-demo}"
