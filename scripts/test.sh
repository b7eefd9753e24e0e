#!/usr/bin/env bash
# Install Charter with its test dependencies into ./.venv, lint, then run the whole test suite.
# The tests start every server they need themselves (Charter processes on free ports).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k compat -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e ".[test]"
echo "== ruff check"
.venv/bin/ruff check .
echo "== pytest"
# pytest exits 5 when it collected no test: that is a failure here too.
exec .venv/bin/pytest "$@"
