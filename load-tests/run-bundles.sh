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
# shellcheck source=../prefetch-service/bench/prefetch-stack.sh
source "$ROOT/prefetch-service/bench/prefetch-stack.sh"

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

prefetch_stack_start
IFS=, read -r -a segments <<<"$BUNDLE_SEGMENTS"
for segment in "${segments[@]}"; do
  await 120 prefetch_stack_settled "$segment"
  log "segment $segment lists $(prefetch_stack_count "$segment") bundles"
done

log "running BundleHerdSimulation against http://127.0.0.1:$PREFETCH_PORT"
"$ROOT/mvnw" -B -f "$ROOT/pom.xml" -pl load-tests gatling:test \
  -Dgatling.simulationClass=io.kickoff.loadtests.BundleHerdSimulation \
  -Dbundles.url="http://127.0.0.1:$PREFETCH_PORT" -Dbundles.segments="$BUNDLE_SEGMENTS" \
  "$@"
