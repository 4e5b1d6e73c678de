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
RUN="$RESULTS_DIR"
BENCH_NAME=herd
ADMIN_PORT=$((BASE_PORT + 100))
ADMIN_TOKEN="herd-operator-token"
# shellcheck source=../../broadcast-gateway/bench/bench-lib.sh
source "$ROOT/broadcast-gateway/bench/bench-lib.sh"
export KICKOFF_TOKEN_SECRET="herd-device-token-secret-0123456789abcdef" KICKOFF_ADMIN_TOKEN="$ADMIN_TOKEN"
install_cleanup

"$ROOT/kickoff" --help >/dev/null   # builds the jar first if needed, once
log "results in $RESULTS_DIR"
start_server kafka "$RUN/kafka.log" kafka --bootstrap-file "$RUN/kafka.bootstrap"
wait_until "the Kafka broker" 180 "$LAST_PID" test -s "$RUN/kafka.bootstrap"
KAFKA="$(cat "$RUN/kafka.bootstrap")"
start_server lsm "$RUN/lsm.log" lsm --kafka "$KAFKA" --port "$ADMIN_PORT"
LSM_PID=$LAST_PID
GATEWAY_ARGS=()
for ((i = 0; i < GATEWAYS; i++)); do
  port=$((BASE_PORT + i))
  # One after the other, as a deployment rolls them out.
  start_server "gateway-$((i + 1))" "$RUN/gateway-$((i + 1)).log" gateway --kafka "$KAFKA" --port "$port" \
    --node-id "gw-$((i + 1))" --drain-window 2s
  GATEWAY_ARGS+=(--gateway "ws://127.0.0.1:$port")
  wait_until "gateway $((i + 1))" 300 "$LAST_PID" curl -sf -o /dev/null "http://127.0.0.1:$port/readyz"
  log "gateway $((i + 1)) ready on :$port"
done
wait_until "the admin API" 120 "$LSM_PID" curl -sf -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz"
[[ "$(api /v1/events "{\"id\":\"$EVENT\",\"title\":\"Herd\",\"scheduled_start\":\"2099-01-01T00:00:00Z\"}")" == 201 ]] \
  || die "could not create $EVENT: $(cat "$RUN/api.json")"

# Moves the event to LIVE once every device is welcomed (the gateways count them).
connected() {
  local total=0 i
  for ((i = 0; i < GATEWAYS; i++)); do
    total=$((total + $(metric_or_0 $((BASE_PORT + i)) kickoff_gateway_connections)))
  done
  echo "$total"
}
(
  until [[ "$(connected)" -ge "$DEVICES" ]]; do sleep 2; done
  sleep 3
  [[ "$(api "/v1/events/$EVENT/transitions" '{"to":"LIVE","reason":"herd"}')" == 200 ]] && log "$EVENT moved to LIVE"
) &
PIDS+=($!); NAMES+=(live-trigger)   # stopped with the rest if simulate ends first

log "simulate --workers $WORKERS --devices $DEVICES against $GATEWAYS gateways"
/usr/bin/time -v -o "$RUN/simulate.time" "$ROOT/kickoff" simulate "${GATEWAY_ARGS[@]}" --devices "$DEVICES" \
  --workers "$WORKERS" --connect-timeout 10m --watch "$EVENT" --watch-timeout 5m --expect "$EVENT:LIVE" --timeout 5m \
  --report-json "$RUN/herd.json" | tee "$RUN/simulate.out"
status=${PIPESTATUS[0]}
log "simulate exited $status; merged report $RUN/herd.json"
exit "$status"
