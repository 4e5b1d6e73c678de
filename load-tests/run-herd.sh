#!/usr/bin/env bash
# The broadcast herd end to end: builds the simulations, starts the platform in memory mode
# (`kickoff serve`) in the background, waits for the gateway's /readyz, runs BroadcastHerdSimulation
# against it and stops the platform. Exits with Gatling's status (non-zero if an assertion failed).
#
# Environment: DEVICES (200), CONNECT_RATE (devices per second, 100), GATEWAY_PORT (8080),
# ADMIN_PORT (8081), KICKOFF (the command that runs kickoff; default: ./kickoff, which builds the
# launcher when its sources changed). Further arguments go to Maven, e.g. -Dherd.segment=fr-fr.
# The platform's log is kept in a temporary directory whose name is printed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KICKOFF=${KICKOFF:-$ROOT/kickoff}
DEVICES=${DEVICES:-200}; CONNECT_RATE=${CONNECT_RATE:-100}
GATEWAY_PORT=${GATEWAY_PORT:-8080}; ADMIN_PORT=${ADMIN_PORT:-8081}
for tool in curl java; do
  command -v "$tool" >/dev/null || { echo "run-herd: $tool is required" >&2; exit 2; }
done
log() { echo "$(date +%T) run-herd: $*" >&2; }

log "building the simulations"
"$ROOT/mvnw" -B -q -f "$ROOT/pom.xml" -pl load-tests -am install -DskipTests
# Builds the launcher now if it needs it, so the readiness wait below only covers start-up.
$KICKOFF --version >/dev/null

RUN="$(mktemp -d /tmp/kickoff-herd.XXXXXX)"
PLATFORM=""
cleanup() {
  if [[ -n "$PLATFORM" ]]; then
    kill "$PLATFORM" 2>/dev/null || true   # SIGTERM: the platform drains, then exits
    wait "$PLATFORM" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM

log "starting the platform (memory mode, gateway :$GATEWAY_PORT, admin :$ADMIN_PORT); log in $RUN/serve.log"
$KICKOFF serve --gateway-port "$GATEWAY_PORT" --admin-port "$ADMIN_PORT" >"$RUN/serve.log" 2>&1 &
PLATFORM=$!
deadline=$((SECONDS + 120))
until curl -sf "http://127.0.0.1:$GATEWAY_PORT/readyz" >/dev/null 2>&1; do
  if ! kill -0 "$PLATFORM" 2>/dev/null; then log "the platform exited:"; cat "$RUN/serve.log" >&2; exit 1; fi
  (( SECONDS < deadline )) || { log "the gateway was not ready after 120 s"; cat "$RUN/serve.log" >&2; exit 1; }
  sleep 0.2
done
log "platform ready: $(grep -m1 'device socket' "$RUN/serve.log" | sed 's/^ *//')"

log "running BroadcastHerdSimulation: $DEVICES devices at $CONNECT_RATE/s"
"$ROOT/mvnw" -B -f "$ROOT/pom.xml" -pl load-tests gatling:test \
  -Dgatling.simulationClass=io.kickoff.loadtests.BroadcastHerdSimulation \
  -Dherd.devices="$DEVICES" -Dherd.connectRate="$CONNECT_RATE" \
  -Dherd.gatewayUrl="ws://127.0.0.1:$GATEWAY_PORT" -Dherd.adminUrl="http://127.0.0.1:$ADMIN_PORT" \
  "$@"
