#!/usr/bin/env bash
# Installs what witness needs on a fresh Debian 12 machine: system packages (fonts and shaping for
# ASEAN scripts, PDF tools used by the tests, redis-server for the cluster test) and a Python 3.11
# virtual environment in .venv.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(libharfbuzz-subset0 fonts-noto-core poppler-utils qpdf libpango-1.0-0 libpangoft2-1.0-0
      libicu-dev pkg-config g++ gir1.2-ical-3.0 python3-gi chromium
      redis-server)  # the cluster test's Redis for two Prefect API servers (started by the test, on its own port)
missing=()
for p in "${DEBS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -c 'import sys; assert sys.version_info[:2] == (3, 11), "witness needs Python 3.11"'
  "$PY" -m venv .venv
fi
stamp=.venv/.witness-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[test]"
  touch "$stamp"
fi
