#!/usr/bin/env bash
# Install Charter into ./.venv (first run only) and start the registry on the embedded log.
# Extra arguments go to `charter serve`, e.g. `bash scripts/serve.sh --port 9081`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/charter ]; then
  echo "charter: creating .venv and installing (first run only)..." >&2
  "$PYTHON" -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e .
fi
exec .venv/bin/charter serve "$@"
