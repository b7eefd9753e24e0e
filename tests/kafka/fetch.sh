#!/usr/bin/env bash
# Fetch the Apache Kafka broker the Kafka tests run (tests/kafka/pom.xml) into
# .cache/kafka/<version>/libs, only when it is not there yet. Maven's local repository
# (~/.m2) caches the jars between runs. Prints one line.
set -euo pipefail
cd "$(dirname "$0")/../.."
POM=tests/kafka/pom.xml
VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")"
DIR=".cache/kafka/$VERSION"
if [ -f "$DIR/libs/kafka_2.13-$VERSION.jar" ] && [ -f "$DIR/complete" ]; then
  echo "== kafka $VERSION broker: cached in $DIR/libs"
  exit 0
fi
if ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends maven openjdk-17-jre-headless >/dev/null
  fi
fi
rm -rf "$DIR"
mkdir -p "$DIR"
started=$(date +%s)
if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
    -DoutputDirectory="$PWD/$DIR/libs.tmp" >"$DIR/mvn.log" 2>&1; then
  cat "$DIR/mvn.log" >&2
  echo "== kafka $VERSION broker: mvn dependency:copy-dependencies failed (log above)" >&2
  exit 1
fi
mv "$DIR/libs.tmp" "$DIR/libs"
touch "$DIR/complete"
echo "== kafka $VERSION broker: fetched $(ls "$DIR/libs" | wc -l) jars into $DIR/libs ($(( $(date +%s) - started )) s)"
