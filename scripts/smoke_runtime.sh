#!/usr/bin/env bash
# Smoke test of the runtime-only install (what `pip install .` and the Dockerfile give): a fresh
# venv in a temp dir, the sources the Dockerfile copies, `pip install` with no extras and no -e,
# then scripts/smoke_runtime.py with that venv's Python: import every charter.* module, start
# `charter serve`, register and read back Avro, Protobuf (confluent/meta.proto) and JSON schemas,
# stop it with SIGTERM (exit 0). Fails loudly, with the server log. Prints timings.
# Run by hand: `bash scripts/smoke_runtime.sh` (PYTHON=python3.12 to pick another interpreter;
# SMOKE_KEEP=1 keeps the temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
INSTALL_TIMEOUT="${SMOKE_INSTALL_TIMEOUT:-900}"  # seconds, for creating the venv and installing
SMOKE_TIMEOUT="${SMOKE_TIMEOUT:-300}"            # seconds, for the whole Python smoke

WORK="$(mktemp -d "${TMPDIR:-/tmp}/charter-smoke.XXXXXX")"
cleanup() {
  if [ "${SMOKE_KEEP:-}" = "1" ]; then echo "smoke: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

TOTAL=$(now)
echo "== smoke: runtime-only install in $WORK"

# The build context is exactly what the Dockerfile's build stage copies (COPY lines without
# --from), so a file missing there fails here too; building from a copy also leaves no build/
# or egg-info behind in the working tree.
mkdir -p "$WORK/src"
SOURCES=$(awk '$1 == "COPY" && $2 !~ /^--/ { for (i = 2; i < NF; i++) print $i }' Dockerfile)
[ -n "$SOURCES" ] || fail "no COPY sources found in the Dockerfile"
for src in $SOURCES; do
  cp -R "$src" "$WORK/src/" || fail "cannot copy $src (named by the Dockerfile)"
done
find "$WORK/src" \( -name __pycache__ -o -name '*.egg-info' \) -prune -exec rm -rf {} +

T=$(now)
timeout "$INSTALL_TIMEOUT" "$PYTHON" -m venv "$WORK/venv" || fail "python -m venv failed"
echo "smoke: venv created ($(elapsed "$T") s)"
T=$(now)
if ! timeout "$INSTALL_TIMEOUT" "$WORK/venv/bin/pip" install --quiet --disable-pip-version-check --timeout 60 \
    "$WORK/src" >"$WORK/pip.log" 2>&1; then
  cat "$WORK/pip.log" >&2
  fail "pip install (runtime only) failed or timed out after ${INSTALL_TIMEOUT}s"
fi
echo "smoke: pip install (no extras, no -e) done ($(elapsed "$T") s)"
"$WORK/venv/bin/pip" list --disable-pip-version-check --format=freeze 2>/dev/null \
  | grep -iE "^(authlib|confluent-kafka|protobuf|grpcio-tools|fastapi)==" | tr "\n" " " | sed "s/^/smoke: installed: /" || true
echo

T=$(now)
# The venv's own Python runs the (stdlib-only) smoke, from the temp dir so that nothing in the
# working tree can be imported instead of the installed package.
cp scripts/smoke_runtime.py "$WORK/smoke_runtime.py"
(cd "$WORK" && timeout "$SMOKE_TIMEOUT" "$WORK/venv/bin/python" -I smoke_runtime.py \
    --charter "$WORK/venv/bin/charter" --workdir "$WORK") \
  || fail "the runtime-only install does not work (exit $?; details above)"
echo "smoke: server checks done ($(elapsed "$T") s); total $(elapsed "$TOTAL") s"
