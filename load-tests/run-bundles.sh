#!/usr/bin/env bash
# The bundle herd end to end, set up as prefetch-service/bench/bundle-bench.sh does: publishes a
# synthetic catalog, runs a development Kafka broker, a Live State Manager and one prefetch node,
# moves the catalog's events to PREFETCH through the admin API, waits until the devices' segments
# list their bundles, runs BundleHerdSimulation against the prefetch node and stops everything.
# Exits with Gatling's status (non-zero if an assertion failed).
#
# Environment: TITLES SEGMENTS EVENTS (synthetic catalog, default 10000 10 10), BUNDLE_SEGMENTS
# (segments of the simulated devices, default s3,s4), LSM_PORT (9110), PREFETCH_PORT (9112),
# KICKOFF (the command that runs kickoff; default: ./kickoff), PREFETCH_ARGS (more options of
# kickoff prefetch, e.g. "--max-in-flight 4 --critical-reserve 8"). Further arguments go to Maven,
# e.g. -Dbundles.prefetchDevices=300. Logs are kept in a temporary directory whose name is printed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KICKOFF=${KICKOFF:-$ROOT/kickoff}
TITLES=${TITLES:-10000}; SEGMENTS=${SEGMENTS:-10}; EVENTS=${EVENTS:-10}
BUNDLE_SEGMENTS=${BUNDLE_SEGMENTS:-s3,s4}
LSM_PORT=${LSM_PORT:-9110}; PREFETCH_PORT=${PREFETCH_PORT:-9112}
ADMIN_TOKEN=${KICKOFF_ADMIN_TOKEN:-kickoff-dev-operator}
for tool in curl jq java; do
  command -v "$tool" >/dev/null || { echo "run-bundles: $tool is required (apt-get install -y curl jq)" >&2; exit 2; }
done
log() { echo "$(date +%T) run-bundles: $*" >&2; }
await() { # await SECONDS COMMAND...: polls a readiness condition
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do (( SECONDS < deadline )) || { log "timed out: $*"; exit 1; }; sleep 0.5; done
}

log "building the simulations"
"$ROOT/mvnw" -B -q -f "$ROOT/pom.xml" -pl load-tests -am install -DskipTests
$KICKOFF --version >/dev/null   # builds the launcher now if it needs it

RUN="$(mktemp -d /tmp/kickoff-bundles.XXXXXX)"
PIDS=()
cleanup() {
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

log "publishing a synthetic catalog ($TITLES titles, $SEGMENTS segments, $EVENTS events); logs in $RUN"
$KICKOFF catalog publish --dir "$RUN/blobs" --synthetic "$TITLES,$SEGMENTS,$EVENTS" >&2
$KICKOFF kafka --bootstrap-file "$RUN/kafka" >"$RUN/kafka.log" 2>&1 & PIDS+=($!)
await 120 test -s "$RUN/kafka"
KAFKA="$(cat "$RUN/kafka")"
KICKOFF_JAVA_OPTS="-Xmx256m ${KICKOFF_JAVA_OPTS:-}" \
  $KICKOFF lsm --kafka "$KAFKA" --port "$LSM_PORT" --admin-token "$ADMIN_TOKEN" >"$RUN/lsm.log" 2>&1 & PIDS+=($!)
KICKOFF_JAVA_OPTS="-Xmx512m ${KICKOFF_JAVA_OPTS:-}" \
  $KICKOFF prefetch --kafka "$KAFKA" --catalog-dir "$RUN/blobs" --port "$PREFETCH_PORT" ${PREFETCH_ARGS:-} \
  >"$RUN/prefetch.log" 2>&1 & PIDS+=($!)
await 120 curl -sf "http://127.0.0.1:$LSM_PORT/healthz"
await 120 curl -sf "http://127.0.0.1:$PREFETCH_PORT/readyz"

log "creating $EVENTS events and moving them to PREFETCH"
for ((e = 0; e < EVENTS; e++)); do
  curl -sf -o /dev/null -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d "{\"id\":\"ev$e\",\"title\":\"Event $e\",\"scheduled_start\":\"2099-01-01T00:00:00Z\"}" "http://127.0.0.1:$LSM_PORT/v1/events"
  curl -sf -o /dev/null -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d '{"to":"PREFETCH"}' "http://127.0.0.1:$LSM_PORT/v1/events/ev$e/transitions"
done
# A segment gets a bundle for each event whose title its maturity ceiling allows: wait until each
# device segment's count is positive and has not changed for three polls in a row.
settled() { # settled SEGMENT
  local url="http://127.0.0.1:$PREFETCH_PORT/v1/bundles?segment=$1" state="$RUN/settle-$1" now
  now=$(curl -sf -H 'Accept: application/json' "$url" | jq length)
  [[ -f "$state" ]] || echo "-1 0" >"$state"
  read -r last stable <"$state"
  if [[ "$now" -gt 0 && "$now" == "$last" ]]; then stable=$((stable + 1)); else stable=0; fi
  echo "$now $stable" >"$state"
  [[ "$stable" -ge 3 ]]
}
IFS=, read -r -a segments <<<"$BUNDLE_SEGMENTS"
for segment in "${segments[@]}"; do
  await 120 settled "$segment"
  log "segment $segment lists $(cut -d' ' -f1 "$RUN/settle-$segment") bundles"
done

log "running BundleHerdSimulation against http://127.0.0.1:$PREFETCH_PORT"
"$ROOT/mvnw" -B -f "$ROOT/pom.xml" -pl load-tests gatling:test \
  -Dgatling.simulationClass=io.kickoff.loadtests.BundleHerdSimulation \
  -Dbundles.url="http://127.0.0.1:$PREFETCH_PORT" -Dbundles.segments="$BUNDLE_SEGMENTS" \
  "$@"
