#!/usr/bin/env bash
# The LIVE herd at scale from one simulator command: a Kafka broker, a Live State Manager and N gateways (each
# process holds at most ~19,500 devices under the open-files limit), then ONE `kickoff simulate --workers W`
# that spreads the devices over W child processes and source addresses, merges their reports and reports memory
# per device. Once every device is welcomed the script moves an event to LIVE through the admin API; simulate
# --watch reports the delivery figures and --expect fails the run unless every device shows LIVE.
#
#   device-simulator/bench/herd.sh                                # 100,000 devices, 6 gateways, 6 workers
#   device-simulator/bench/herd.sh --devices 20000 --gateways 2 --workers 2
#
# Options (each also an environment variable): --devices N (DEVICES), --gateways N (GATEWAYS), --workers W
# (WORKERS), --results DIR (RESULTS_DIR). Needs only a JDK (and curl); builds the jar if needed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DEVICES="${DEVICES:-100000}"
GATEWAYS="${GATEWAYS:-6}"
WORKERS="${WORKERS:-6}"
RESULTS_DIR="${RESULTS_DIR:-$HERE/results/herd-$(date -u +%Y%m%dT%H%M%SZ)}"
BASE_PORT="${BASE_PORT:-9301}"   # gateways BASE..BASE+N-1, admin API BASE+100
EVENT="herd-$(date +%s)"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --devices) DEVICES="$2"; shift 2 ;;
    --gateways) GATEWAYS="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --results) RESULTS_DIR="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "herd.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$RESULTS_DIR"
export KICKOFF_TOKEN_SECRET="herd-device-token-secret-0123456789abcdef"
export KICKOFF_ADMIN_TOKEN="herd-operator-token"
ADMIN="http://127.0.0.1:$((BASE_PORT + 100))"
PIDS=()
log() { echo "herd: $*" >&2; }
cleanup() {
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
wait_for() { # wait_for WHAT SECONDS CMD...
  local what="$1" deadline=$((SECONDS + $2)); shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { log "gave up waiting for $what (logs in $RESULTS_DIR)"; exit 1; }
    sleep 1
  done
}

"$ROOT/kickoff" --help >/dev/null   # builds the jar first if needed, once
log "results in $RESULTS_DIR"
"$ROOT/kickoff" kafka --bootstrap-file "$RESULTS_DIR/kafka.bootstrap" >"$RESULTS_DIR/kafka.log" 2>&1 &
PIDS+=($!)
wait_for "the Kafka broker" 180 test -s "$RESULTS_DIR/kafka.bootstrap"
KAFKA="$(cat "$RESULTS_DIR/kafka.bootstrap")"
KICKOFF_JAVA_OPTS="-Xmx256m" "$ROOT/kickoff" lsm --kafka "$KAFKA" --port $((BASE_PORT + 100)) >"$RESULTS_DIR/lsm.log" 2>&1 &
PIDS+=($!)
GATEWAY_ARGS=()
for ((i = 0; i < GATEWAYS; i++)); do
  port=$((BASE_PORT + i))
  "$ROOT/kickoff" gateway --kafka "$KAFKA" --port "$port" --node-id "gw-$((i + 1))" --drain-window 2s \
    >"$RESULTS_DIR/gateway-$((i + 1)).log" 2>&1 &
  PIDS+=($!)
  GATEWAY_ARGS+=(--gateway "ws://127.0.0.1:$port")
  wait_for "gateway $((i + 1))" 300 curl -sf "http://127.0.0.1:$port/readyz"
  log "gateway $((i + 1)) ready on :$port"
done
wait_for "the admin API" 120 curl -sf "$ADMIN/readyz"
curl -sf -X POST "$ADMIN/v1/events" -H "Authorization: Bearer $KICKOFF_ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d "{\"id\":\"$EVENT\",\"title\":\"Herd\",\"scheduled_start\":\"2099-01-01T00:00:00Z\"}" >/dev/null

# Moves the event to LIVE once every device is welcomed (the gateways count them).
connected() {
  local total=0 i n
  for ((i = 0; i < GATEWAYS; i++)); do
    n=$(curl -sf "http://127.0.0.1:$((BASE_PORT + i))/metrics" | awk '/^kickoff_gateway_connections[ {]/ {print int($NF)}' | head -1)
    total=$((total + ${n:-0}))
  done
  echo "$total"
}
(
  until [[ "$(connected)" -ge "$DEVICES" ]]; do sleep 2; done
  sleep 3
  date -u +%s%6N >"$RESULTS_DIR/live-at-us"
  curl -sf -X POST "$ADMIN/v1/events/$EVENT/transitions" -H "Authorization: Bearer $KICKOFF_ADMIN_TOKEN" \
    -H 'Content-Type: application/json' -d '{"to":"LIVE","reason":"herd"}' >/dev/null && log "$EVENT moved to LIVE"
) &
PIDS+=($!)

log "simulate --workers $WORKERS --devices $DEVICES against $GATEWAYS gateways"
/usr/bin/time -v -o "$RESULTS_DIR/simulate.time" "$ROOT/kickoff" simulate "${GATEWAY_ARGS[@]}" --devices "$DEVICES" \
  --workers "$WORKERS" --connect-timeout 10m --watch "$EVENT" --watch-timeout 5m --expect "$EVENT:LIVE" --timeout 5m \
  --report-json "$RESULTS_DIR/herd.json" | tee "$RESULTS_DIR/simulate.out"
status=${PIPESTATUS[0]}
log "simulate exited $status; merged report $RESULTS_DIR/herd.json"
exit "$status"
