#!/usr/bin/env bash
# A real single-node KRaft Apache Kafka broker without Docker.
#   kafka.sh fetch   download the broker jars from Maven Central (once; cached in .kafka/libs)
#   kafka.sh start   fetch if needed, format a fresh data dir, start, wait until ready
#                    (KAFKA_KEEP_DATA=1: keep an already formatted data dir — a restart after a crash)
#   kafka.sh stop    stop the broker started by `start` (by its saved pid)
#   kafka.sh status  exit 0 when the broker started by `start` is running
# Env: KAFKA_HOME_DIR (default <repo>/.kafka), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
#      KAFKA_HEAP (512m), KAFKA_START_TIMEOUT_S (120).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
K="${KAFKA_HOME_DIR:-$ROOT/.kafka}"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
HEAP="${KAFKA_HEAP:-512m}"
TIMEOUT_S="${KAFKA_START_TIMEOUT_S:-120}"
VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/pom.xml")"
CP="$K/libs/*"

log() { printf '[kafka] %s\n' "$*" >&2; }

fetch() {
  if [ -f "$K/libs/kafka_2.13-$VERSION.jar" ]; then
    log "broker $VERSION already fetched in $K/libs"
    return
  fi
  command -v java >/dev/null || { log "java not found: install a JDK 17+"; exit 1; }
  command -v mvn >/dev/null || { log "mvn not found: install Apache Maven"; exit 1; }
  log "fetching Apache Kafka $VERSION and its runtime dependencies from Maven Central"
  rm -rf "$K/libs" && mkdir -p "$K/libs"
  # Maven 3.8's super-POM binds maven-dependency-plugin 2.8; name a 3.x plugin explicitly.
  # includeScope=runtime: Kafka publishes most broker modules with runtime scope.
  mvn -B -q -ntp -f "$HERE/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$K/libs"
  javap -cp "$CP" kafka.Kafka kafka.tools.StorageTool >/dev/null
  log "fetched $(ls "$K/libs" | wc -l) jars"
}

running() {
  [ -f "$K/broker.pid" ] && kill -0 "$(cat "$K/broker.pid")" 2>/dev/null
}

start() {
  if running; then
    log "already running (pid $(cat "$K/broker.pid")) on 127.0.0.1:$PORT"
    return
  fi
  fetch
  local began; began=$(date +%s%N)
  sed -e "s:@PORT@:$PORT:g" -e "s:@CONTROLLER_PORT@:$CONTROLLER_PORT:g" -e "s:@DATA_DIR@:$K/data:g" \
    "$HERE/server.properties.template" >"$K/server.properties"
  if [ "${KAFKA_KEEP_DATA:-0}" = 1 ] && [ -f "$K/data/meta.properties" ]; then
    log "keeping the data dir $K/data (KAFKA_KEEP_DATA=1)"
    : >"$K/broker.log"
  else
    rm -rf "$K/data" && mkdir -p "$K/data"
    local cluster_id; cluster_id=$(java -cp "$CP" kafka.tools.StorageTool random-uuid 2>/dev/null)
    java -cp "$CP" kafka.tools.StorageTool format -t "$cluster_id" -c "$K/server.properties" >"$K/format.log" 2>&1 \
      || { cat "$K/format.log" >&2; exit 1; }
  fi
  # shellcheck disable=SC2086
  nohup java -Xms256m -Xmx"$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExplicitGCInvokesConcurrent \
    -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info \
    -Dorg.slf4j.simpleLogger.showDateTime=true -Dlog4j2.statusLoggerLevel=OFF \
    -cp "$CP" kafka.Kafka "$K/server.properties" >"$K/broker.log" 2>&1 </dev/null &
  echo $! >"$K/broker.pid"
  local deadline=$(( $(date +%s) + TIMEOUT_S ))
  until grep -q 'Kafka Server started' "$K/broker.log"; do
    if ! running; then log "broker exited during start-up:"; cat "$K/broker.log" >&2; exit 1; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then log "broker not ready after ${TIMEOUT_S}s:"; tail -50 "$K/broker.log" >&2; stop; exit 1; fi
    sleep 0.25
  done
  local ms=$(( ($(date +%s%N) - began) / 1000000 ))
  log "Kafka $VERSION broker started on 127.0.0.1:$PORT (pid $(cat "$K/broker.pid")) in ${ms} ms"
}

stop() {
  if ! [ -f "$K/broker.pid" ]; then log "not running"; return; fi
  local pid; pid=$(cat "$K/broker.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then log "no exit after 30s: SIGKILL"; kill -KILL "$pid" || true; fi
    log "stopped (pid $pid)"
  else
    log "not running (stale pid $pid)"
  fi
  rm -f "$K/broker.pid"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) running ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 1 ;;
esac
