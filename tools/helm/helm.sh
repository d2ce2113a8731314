#!/usr/bin/env bash
# Real Helm without a helm binary: Helm's Go library as Maven Central's helm-java publishes it.
#   helm.sh fetch                  download helm-java and its linux-amd64 native library (once; cached in .helm/libs)
#   helm.sh lint <chart>           helm lint --strict
#   helm.sh template <chart> [--name N] [--namespace NS] [-f values.yaml]...
# Env: HELM_HOME_DIR (default <repo>/.helm). Needs a JDK 17+ and Apache Maven (as tools/kafka does).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
H="${HELM_HOME_DIR:-$ROOT/.helm}"
VERSION="$(sed -n 's:.*<helm-java.version>\(.*\)</helm-java.version>.*:\1:p' "$HERE/pom.xml")"

log() { printf '[helm] %s\n' "$*" >&2; }

fetch() {
  if [ -f "$H/libs/helm-java-$VERSION.jar" ] && [ -f "$H/libs/linux-amd64-$VERSION.jar" ]; then return; fi
  command -v java >/dev/null || { log "java not found: install a JDK 17+"; exit 1; }
  command -v mvn >/dev/null || { log "mvn not found: install Apache Maven"; exit 1; }
  log "fetching helm-java $VERSION (Helm's Go library for linux-amd64) from Maven Central"
  local staging="$H/libs.staging.$$"
  rm -rf "$staging" && mkdir -p "$staging"
  mvn -B -q -ntp -f "$HERE/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$staging" >&2
  # Two test files may fetch at once: the first complete copy wins, the other is discarded.
  if [ -f "$H/libs/helm-java-$VERSION.jar" ] && [ -f "$H/libs/linux-amd64-$VERSION.jar" ]; then
    rm -rf "$staging"
  else
    rm -rf "$H/libs" && mv "$staging" "$H/libs"
  fi
  log "fetched $(ls "$H/libs" | wc -l) jars"
}

case "${1:-}" in
  fetch) fetch ;;
  lint|template)
    fetch
    exec java -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$H/libs/*" "$HERE/Helm.java" "$@"
    ;;
  *) sed -n '2,6p' "$0" >&2; exit 2 ;;
esac
