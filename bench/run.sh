#!/usr/bin/env bash
# Run Charter's benchmark suite: `bash bench/run.sh [--duration 6] [--warmup 2] [--keep]`.
# Sets up ./.venv the way scripts/test.sh does when it is absent and installs wrk (Debian package)
# when it is missing, then runs bench/run.py: a table on stdout, JSON in bench/results/.
# All traffic goes to 127.0.0.1; the whole suite takes about two minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import charter.registry, uvicorn" 2>/dev/null; then
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e ".[test]"
fi
if ! command -v wrk >/dev/null 2>&1; then
  apt-get update
  apt-get install -y wrk
fi
if [ "${1:-}" = "--kafka" ]; then  # the Kafka backend benchmark (bench/kafka_bench.py) instead
  shift
  exec .venv/bin/python bench/kafka_bench.py "$@"
fi
exec .venv/bin/python bench/run.py "$@"
