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
# `bash bench/run.sh` runs the service suite (bench/run.py); one flag picks another suite:
#   --serdes  serializer/deserializer throughput vs confluent-kafka and raw fastavro (bench/serdes.py)
#   --compat  compatibility-check time per format vs Avro (bench/compat.py)
#   --kafka   the Kafka backend vs the embedded log, replay and failover (bench/kafka_bench.py; starts an
#             Apache Kafka broker, fetched first with tests/kafka/fetch.sh: Maven and Java 17)
#   --middleware  what each middleware costs per request, in-process (bench/middleware.py)
#   --workers  `charter serve --workers 2` vs `--workers 1`: reads, registration and memory, each against
#             the baseline app under uvicorn with as many workers (bench/workers.py)
#   --all     all four, one after the other
case "${1:-}" in
  --serdes) shift; exec .venv/bin/python bench/serdes.py "$@" ;;
  --compat) shift; exec .venv/bin/python bench/compat.py "$@" ;;
  --kafka) shift; bash tests/kafka/fetch.sh; exec .venv/bin/python bench/kafka_bench.py "$@" ;;
  --middleware) shift; exec .venv/bin/python bench/middleware.py "$@" ;;
  --workers) shift; exec .venv/bin/python bench/workers.py "$@" ;;
  --all)
    shift
    .venv/bin/python bench/run.py "$@"
    .venv/bin/python bench/serdes.py --seconds 1.0 --json bench/results/serdes.json
    .venv/bin/python bench/compat.py --json bench/results/compat.json
    bash tests/kafka/fetch.sh
    exec .venv/bin/python bench/kafka_bench.py
    ;;
esac
exec .venv/bin/python bench/run.py "$@"
