#!/usr/bin/env bash
# Install everything, then run the whole test suite (SQLite always; PostgreSQL at 127.0.0.1:5432,
# database `test`, when reachable — WITNESS_REQUIRE_POSTGRES=1 makes its absence a failure).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pytest "$@"
