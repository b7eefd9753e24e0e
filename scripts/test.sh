#!/usr/bin/env bash
# Install Charter with its test dependencies into ./.venv, lint, then run the whole test suite.
# The tests start every server they need themselves (Charter processes on free ports, and an Apache
# Kafka broker for the Kafka tests, whose jars are fetched from Maven Central once, below).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k compat -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e ".[test]"
# The web console's browser tests drive Debian's Chromium through its chromedriver (selenium
# downloads nothing). Install both once, quietly, when the driver is missing (CI runs as root).
if [ ! -x /usr/bin/chromedriver ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing chromium and chromium-driver (apt-get)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
fi
# The Kafka tests run a real Apache Kafka broker (Java 17): Maven fetches it (tests/kafka/pom.xml)
# into .cache/kafka/<version>/libs when it is not there yet; one line of output.
bash tests/kafka/fetch.sh
echo "== ruff check"
.venv/bin/ruff check .
echo "== pytest"
# pytest exits 5 when it collected no test: that is a failure here too.
exec .venv/bin/pytest "$@"
