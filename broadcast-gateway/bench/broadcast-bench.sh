#!/usr/bin/env bash
# Broadcast benchmark: Kafka + Live State Manager + G gateway processes + C simulated-device client
# processes on this machine; measures gateway heap and RSS per connection, then triggers stage
# broadcasts through the admin API and reports, per broadcast, devices reached, p50/p99/max latency
# (issued_at -> receipt) and time to 100%. See README.md next to this script.
#
#   broadcast-gateway/bench/broadcast-bench.sh                      # 2,000 devices, 2 gateways, 2 clients
#   DEVICES=100000 GATEWAYS=6 CLIENTS=6 broadcast-gateway/bench/broadcast-bench.sh
#   broadcast-gateway/bench/broadcast-bench.sh --devices 100000 --gateways 6 --clients 6
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="$ROOT/launcher/target/kickoff.jar"

# ---------------------------------------------------------------- parameters (env, then flags)
DEVICES="${DEVICES:-2000}"
GATEWAYS="${GATEWAYS:-2}"
CLIENTS="${CLIENTS:-2}"
FORMAT="${FORMAT:-proto}"                          # proto | json
STAGES="${STAGES:-PREFETCH,PRE_SHOW,LIVE,ENDED}"   # one broadcast each, in order
WARM_BROADCASTS="${WARM_BROADCASTS:-3}"            # schedule changes broadcast first, reported apart (see below)
ADMIN_PORT="${ADMIN_PORT:-9000}"
BASE_PORT="${BASE_PORT:-9001}"                     # gateway g listens on BASE_PORT + g - 1
PER_ADDRESS="${PER_ADDRESS:-4000}"                 # client sockets per 127.0.0.x source address (<= 5000)
FIRST_ADDRESS="${FIRST_ADDRESS:-2}"                # source addresses are 127.0.0.FIRST_ADDRESS and up
CONNECT_RATE="${CONNECT_RATE:-2000}"               # connection attempts per second, per client process
CONNECT_TIMEOUT="${CONNECT_TIMEOUT:-300}"          # seconds for every device to connect
WATCH_TIMEOUT="${WATCH_TIMEOUT:-60}"               # seconds per broadcast, from its first receipt to 100%
SETTLE="${SETTLE:-5}"                              # seconds between "all connected" and the heap reading
WARMUP="${WARMUP:-200}"                            # warm-up devices per gateway (0: no warm-up), see below
PAUSE="${PAUSE:-3}"                                # seconds between broadcasts
RESULTS_DIR="${RESULTS_DIR:-$HERE/results}"
BUILD="${BUILD:-1}"                                # 0: use launcher/target/kickoff.jar as it is
# Gateways: fixed, pre-touched heap and the parallel collector (see README.md for why).
GATEWAY_JAVA_OPTS="${GATEWAY_JAVA_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError}"
CLIENT_JAVA_OPTS="${CLIENT_JAVA_OPTS:--Xms512m -Xmx2g -XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError}"
LSM_JAVA_OPTS="${LSM_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC}"
KAFKA_JAVA_OPTS="${KAFKA_JAVA_OPTS:--Xmx128m -XX:+UseSerialGC}"  # the launcher of the broker; the broker is its own JVM

MAX_PER_CLIENT=19000    # a process may open 20,000 files
MAX_PER_GATEWAY=19600   # the same ceiling, less ~300 descriptors for Kafka, jars, epoll and health checks
GATEWAY_MAX_CONNECTIONS=${GATEWAY_MAX_CONNECTIONS:-19700}
# Event loops per process. Many JVMs share two cores here, so one loop each avoids most context switches.
GATEWAY_IO_THREADS=${GATEWAY_IO_THREADS:-1}
CLIENT_IO_THREADS=${CLIENT_IO_THREADS:-1}
ADMIN_TOKEN="bench-operator-token"
TOKEN_SECRET="bench-device-token-secret-0123456789abcdef"

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  cat <<EOF

Options (each also an environment variable, e.g. DEVICES=100000):
  --devices N        simulated devices in total             (DEVICES, default 2000)
  --gateways G       gateway processes, ports $BASE_PORT..      (GATEWAYS, default 2)
  --clients C        client processes, <= $MAX_PER_CLIENT devices each (CLIENTS, default 2)
  --format F         proto or json                          (FORMAT, default proto)
  --stages LIST      stage broadcasts, comma-separated      (STAGES, default $STAGES)
  --warm-broadcasts W  schedule-change broadcasts first, reported as warm-up (WARM_BROADCASTS, default 3)
  --results-dir DIR  where the run directory goes           (RESULTS_DIR, default bench/results)
More settings (environment only): ADMIN_PORT BASE_PORT PER_ADDRESS FIRST_ADDRESS CONNECT_RATE
CONNECT_TIMEOUT WATCH_TIMEOUT SETTLE PAUSE WARMUP BUILD GATEWAY_JAVA_OPTS CLIENT_JAVA_OPTS LSM_JAVA_OPTS
KAFKA_JAVA_OPTS; see README.md.
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --devices) DEVICES="$2"; shift 2 ;;
    --gateways) GATEWAYS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --format) FORMAT="$2"; shift 2 ;;
    --stages) STAGES="$2"; shift 2 ;;
    --warm-broadcasts) WARM_BROADCASTS="$2"; shift 2 ;;
    --results-dir) RESULTS_DIR="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "broadcast-bench: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

BENCH_NAME=bench
# shellcheck source=bench-lib.sh
source "$HERE/bench-lib.sh"

# ---------------------------------------------------------------- checks
for n in DEVICES GATEWAYS CLIENTS PER_ADDRESS FIRST_ADDRESS CONNECT_RATE CONNECT_TIMEOUT WATCH_TIMEOUT SETTLE PAUSE \
         WARMUP ADMIN_PORT BASE_PORT; do
  [[ "${!n}" =~ ^[0-9]+$ ]] || { echo "broadcast-bench: $n must be a whole number, got '${!n}'" >&2; exit 2; }
done
(( DEVICES >= 1 && GATEWAYS >= 1 && CLIENTS >= 1 )) || { echo "broadcast-bench: DEVICES, GATEWAYS, CLIENTS must be >= 1" >&2; exit 2; }
[[ "$FORMAT" == proto || "$FORMAT" == json ]] || { echo "broadcast-bench: FORMAT must be proto or json" >&2; exit 2; }
(( PER_ADDRESS >= 1 && PER_ADDRESS <= 5000 )) || { echo "broadcast-bench: PER_ADDRESS must be 1..5000 (one source address connects fast only up to ~5,000 sockets)" >&2; exit 2; }
per_client=$(( (DEVICES + CLIENTS - 1) / CLIENTS ))
(( per_client <= MAX_PER_CLIENT )) || { echo "broadcast-bench: $per_client devices per client process is over $MAX_PER_CLIENT (20,000 open files per process): use CLIENTS >= $(( (DEVICES + MAX_PER_CLIENT - 1) / MAX_PER_CLIENT ))" >&2; exit 2; }
per_gateway=$(( (DEVICES + GATEWAYS - 1) / GATEWAYS ))
(( per_gateway <= MAX_PER_GATEWAY )) || { echo "broadcast-bench: $per_gateway devices per gateway process is over $MAX_PER_GATEWAY: use GATEWAYS >= $(( (DEVICES + MAX_PER_GATEWAY - 1) / MAX_PER_GATEWAY ))" >&2; exit 2; }
addresses_needed=0
for ((c = 0; c < CLIENTS; c++)); do
  n=$(( DEVICES / CLIENTS + (c < DEVICES % CLIENTS ? 1 : 0) ))
  addresses_needed=$(( addresses_needed + (n + PER_ADDRESS - 1) / PER_ADDRESS ))
done
(( FIRST_ADDRESS >= 1 && FIRST_ADDRESS + addresses_needed - 1 <= 254 )) || { echo "broadcast-bench: needs $addresses_needed source addresses from 127.0.0.$FIRST_ADDRESS, more than 127.0.0.254" >&2; exit 2; }
IFS=',' read -r -a STAGE_LIST <<< "$STAGES"
(( ${#STAGE_LIST[@]} >= 1 )) || { echo "broadcast-bench: STAGES is empty" >&2; exit 2; }
[[ "$WARM_BROADCASTS" =~ ^[0-9]+$ ]] && (( WARM_BROADCASTS <= 59 )) \
  || { echo "broadcast-bench: WARM_BROADCASTS must be 0..59, got '$WARM_BROADCASTS'" >&2; exit 2; }
for tool in java jcmd jq curl ss awk; do
  command -v "$tool" >/dev/null || die "$tool is needed on the PATH"
done
for ((p = ADMIN_PORT; p < BASE_PORT + GATEWAYS; p++)); do
  [[ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]] || die "port $p is in use (ADMIN_PORT=$ADMIN_PORT, BASE_PORT=$BASE_PORT)"
done
# Every process may open as many files as the hard limit allows (20,000 here; it cannot be raised).
ulimit -n "$(ulimit -Hn)"

install_cleanup

# ---------------------------------------------------------------- run
STAMP="$(date +%Y%m%d-%H%M%S)"
RUN="$RESULTS_DIR/$STAMP-d$DEVICES-g$GATEWAYS-c$CLIENTS"
mkdir -p "$RUN"
EVENT="bench-$(date +%s)"
TOTAL_BROADCASTS=$(( WARM_BROADCASTS + ${#STAGE_LIST[@]} ))
SEQS="$(seq -s, 1 "$TOTAL_BROADCASTS")"
log "run directory $RUN"
log "$DEVICES devices, $GATEWAYS gateways, $CLIENTS clients, format $FORMAT, broadcasts ${STAGE_LIST[*]}"

if [[ "$BUILD" == 0 ]]; then
  [[ -f "$JAR" ]] || die "BUILD=0 but there is no $JAR"
  log "using $JAR as it is (BUILD=0)"
else
  log "building the kickoff jar if needed"
  "$ROOT/kickoff" --version >/dev/null
fi

export KICKOFF_TOKEN_SECRET="$TOKEN_SECRET" KICKOFF_ADMIN_TOKEN="$ADMIN_TOKEN"

log "starting Kafka"
start kafka "$RUN/kafka.log" "$KAFKA_JAVA_OPTS" kafka --bootstrap-file "$RUN/kafka.bootstrap"
KAFKA_PID=$LAST_PID
wait_until "the Kafka broker" 180 "$KAFKA_PID" test -s "$RUN/kafka.bootstrap"
BOOTSTRAP="$(cat "$RUN/kafka.bootstrap")"
log "Kafka at $BOOTSTRAP"

log "starting the Live State Manager on port $ADMIN_PORT"
start lsm "$RUN/lsm.log" "$LSM_JAVA_OPTS" lsm --kafka "$BOOTSTRAP" --port "$ADMIN_PORT"
LSM_PID=$LAST_PID

GW_PIDS=()
GW_PORTS=()
for ((g = 1; g <= GATEWAYS; g++)); do
  port=$((BASE_PORT + g - 1))
  start "gateway-$g" "$RUN/gateway-$g.log" "$GATEWAY_JAVA_OPTS" gateway --kafka "$BOOTSTRAP" --port "$port" \
    --node-id "gw-$g" --drain-window PT2S --max-connections "$GATEWAY_MAX_CONNECTIONS" --io-threads "$GATEWAY_IO_THREADS"
  GW_PIDS+=("$LAST_PID")
  GW_PORTS+=("$port")
done
wait_until "the admin API" 120 "$LSM_PID" curl -sf -o /dev/null "http://127.0.0.1:$ADMIN_PORT/healthz"
for ((g = 0; g < GATEWAYS; g++)); do
  wait_until "gateway $((g + 1)) to be ready" 180 "${GW_PIDS[g]}" curl -sf -o /dev/null "http://127.0.0.1:${GW_PORTS[g]}/readyz"
done
log "all $GATEWAYS gateways ready"

GATEWAY_ARGS=()
for port in "${GW_PORTS[@]}"; do GATEWAY_ARGS+=(--gateway "ws://127.0.0.1:$port"); done

# Warm-up: some devices connect, get two broadcasts of a warm-up event (LIVE, ENDED) and leave, so
# that one-off costs of the first connections and broadcasts (lazily built caches, buffer arenas,
# JIT-compiled code, Kafka producer and consumer warm-up) count neither as per-connection heap nor
# as latency of the first measured broadcast.
gateways_empty() {
  local port
  for port in "${GW_PORTS[@]}"; do [[ "$(metric "$port" kickoff_gateway_connections)" == 0 ]] || return 1; done
}
warmup_phase() { [[ -s "$RUN/warmup.json" ]] && [[ "$(jq -r .phase "$RUN/warmup.json")" == "$1" ]]; }
warmup_connected() { [[ -s "$RUN/warmup.json" ]] && [[ "$(jq -r .phase "$RUN/warmup.json")" != connecting ]]; }
if (( WARMUP > 0 )); then
  WARM_EVENT="warmup-$(date +%s)"
  log "warm-up: $((WARMUP * GATEWAYS)) devices connect, get 2 broadcasts of $WARM_EVENT and leave"
  start warmup "$RUN/warmup.log" "$CLIENT_JAVA_OPTS" simulate "${GATEWAY_ARGS[@]}" --devices $((WARMUP * GATEWAYS)) \
    --id-prefix warmup- --format "$FORMAT" --connects-per-second "$CONNECT_RATE" --watch "$WARM_EVENT" \
    --watch-seq 1,2 --watch-timeout "PT${WATCH_TIMEOUT}S" --hold --report-json "$RUN/warmup.json"
  WARMUP_PID=$LAST_PID
  wait_until "the warm-up devices to connect" 180 "$WARMUP_PID" warmup_connected
  code=$(api /v1/events "{\"id\":\"$WARM_EVENT\",\"title\":\"Warm-up\",\"scheduled_start\":\"2099-01-01T00:00:00Z\"}")
  [[ "$code" == 201 ]] || die "creating event $WARM_EVENT answered HTTP $code: $(cat "$RUN/api.json")"
  for stage in LIVE ENDED; do
    code=$(api "/v1/events/$WARM_EVENT/transitions" "{\"to\":\"$stage\"}")
    [[ "$code" == 200 ]] || die "warm-up transition to $stage answered HTTP $code: $(cat "$RUN/api.json")"
  done
  wait_until "the warm-up broadcasts" $((WATCH_TIMEOUT + 60)) "$WARMUP_PID" warmup_phase holding
  kill -TERM "$WARMUP_PID"
  wait "$WARMUP_PID" 2>/dev/null || true
  wait_until "the warm-up devices to leave the gateways" 60 "" gateways_empty
fi

declare -a HEAP_BEFORE RSS_BEFORE FD_BEFORE HEAP_AFTER RSS_AFTER FD_AFTER CONNS
for ((g = 0; g < GATEWAYS; g++)); do
  HEAP_BEFORE[g]=$(heap_used_kb "${GW_PIDS[g]}")
  RSS_BEFORE[g]=$(rss_kb "${GW_PIDS[g]}")
  FD_BEFORE[g]=$(fd_count "${GW_PIDS[g]}")
done
log "gateway heap before devices (KiB): ${HEAP_BEFORE[*]}"

address=$FIRST_ADDRESS
for ((c = 1; c <= CLIENTS; c++)); do
  n=$(( DEVICES / CLIENTS + (c - 1 < DEVICES % CLIENTS ? 1 : 0) ))
  sources=$(client_sources "$n" "$address" "$PER_ADDRESS")
  address=$(( address + (n + PER_ADDRESS - 1) / PER_ADDRESS ))
  start "client-$c" "$RUN/client-$c.log" "$CLIENT_JAVA_OPTS" simulate "${GATEWAY_ARGS[@]}" --devices "$n" \
    --id-prefix "c$c-" --source-addresses "$sources" --format "$FORMAT" --connects-per-second "$CONNECT_RATE" \
    --connect-timeout "PT${CONNECT_TIMEOUT}S" --watch "$EVENT" --watch-seq "$SEQS" --watch-timeout "PT${WATCH_TIMEOUT}S" \
    --report-json "$RUN/client-$c.json" --io-threads "$CLIENT_IO_THREADS"
  CLIENT_PIDS+=("$LAST_PID")
  CLIENT_REPORTS+=("$RUN/client-$c.json")
  log "client $c: $n devices from $sources"
done

connect_start=$SECONDS
POLL=1
wait_until "the devices to connect" $((CONNECT_TIMEOUT + 60)) "" clients_connected
welcomed=$(jq -s '[.[].welcomed] | add' "$RUN"/client-*.json)
connect_ms=$(jq -s '[.[].connect_ms // empty] | max // 0' "$RUN"/client-*.json)
log "$welcomed/$DEVICES devices connected (slowest client: $connect_ms ms; $((SECONDS - connect_start)) s in all)"
(( welcomed == DEVICES )) || log "WARNING: not every device connected; see the client logs"

sleep "$SETTLE"
for ((g = 0; g < GATEWAYS; g++)); do
  CONNS[g]=$(metric "${GW_PORTS[g]}" kickoff_gateway_connections)
  FD_AFTER[g]=$(fd_count "${GW_PIDS[g]}")
  [[ -n "${CONNS[g]}" ]] || CONNS[g]=$(( FD_AFTER[g] - FD_BEFORE[g] ))
  HEAP_AFTER[g]=$(heap_used_kb "${GW_PIDS[g]}")
  RSS_AFTER[g]=$(rss_kb "${GW_PIDS[g]}")
done
log "gateway heap with devices (KiB): ${HEAP_AFTER[*]}; connections: ${CONNS[*]}"

# ---------------------------------------------------------------- broadcasts
code=$(api /v1/events "{\"id\":\"$EVENT\",\"title\":\"Broadcast benchmark\",\"scheduled_start\":\"2099-01-01T00:00:00Z\"}")
[[ "$code" == 201 ]] || die "creating event $EVENT answered HTTP $code: $(cat "$RUN/api.json")"
declare -a CALL_US STAGE_OF
# Warm-up broadcasts: schedule changes of the bench event (stage SCHEDULED, reason "delayed"), each a
# broadcast to every device like the stage changes after them. The simulated-device clients are
# JVMs that have not yet run their receive path at full scale; the first broadcasts would mostly
# measure their JIT compiler (a system-wide profile of a cold 19.5k run showed the clients' C2
# threads using about as much CPU as their event loops). Real devices have no such warm-up cost, and
# a gateway in service has long compiled its fan-out. These rows are reported, marked "warm-up".
broadcast() { # LABEL PATH JSON METHOD
  local t_call code seq
  t_call=$(date +%s%6N)
  code=$(api "$2" "$3" "$4")
  [[ "$code" == 200 ]] || die "$1 answered HTTP $code: $(cat "$RUN/api.json")"
  seq=$(jq -r .seq "$RUN/api.json")
  CALL_US[seq]=$t_call
  STAGE_OF[seq]=$1
  log "broadcast $1 (seq $seq) sent; waiting for every client's figures"
  wait_until "the figures of $1 (seq $seq)" $((WATCH_TIMEOUT + 120)) "" clients_reported "$seq"
  sleep "$PAUSE"
}
for ((w = 1; w <= WARM_BROADCASTS; w++)); do
  broadcast warm-up "/v1/events/$EVENT" "{\"scheduled_start\":\"2099-01-01T00:$(printf '%02d' "$w"):00Z\"}" PATCH
done
for stage in "${STAGE_LIST[@]}"; do
  broadcast "$stage" "/v1/events/$EVENT/transitions" "{\"to\":\"$stage\"}" POST
done

client_rc=0
for ((c = 1; c <= CLIENTS; c++)); do
  rc=0
  wait "${CLIENT_PIDS[c - 1]}" || rc=$?
  (( rc == 0 )) || { log "client $c exited with status $rc (not every device connected or reached every broadcast)"; client_rc=1; }
done
REDELIVERIES=0
ACKS=0
for ((g = 0; g < GATEWAYS; g++)); do
  REDELIVERIES=$(( REDELIVERIES + $(metric_or_0 "${GW_PORTS[g]}" kickoff_gateway_redeliveries_total) ))
  ACKS=$(( ACKS + $(metric_or_0 "${GW_PORTS[g]}" kickoff_gateway_acks_total) ))
done

# ---------------------------------------------------------------- summary
kib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
per_conn() { awk -v d="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.2f KiB", d / n; else print "-" }'; }

SUMMARY="$RUN/summary.txt"
{
  echo "Kickoff broadcast benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$( [[ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]] && echo ' (with local changes)'); $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(java -version 2>&1 | head -1)"
  echo "devices $DEVICES, gateways $GATEWAYS, clients $CLIENTS, format $FORMAT, warm-up $WARMUP devices per gateway and $WARM_BROADCASTS broadcasts"
  echo "gateway JVM: $GATEWAY_JAVA_OPTS"
  echo "connected $welcomed/$DEVICES (slowest client took $connect_ms ms)"
  echo
  echo "Gateway memory (heap: live objects after a full GC; RSS: VmRSS; per connection = (after - before) / connections)"
  printf '%-8s %11s %13s %13s %12s %13s %13s %12s\n' gateway connections "heap before" "heap after" "heap/conn" \
    "RSS before" "RSS after" "RSS/conn"
  total_conns=0; total_heap=0; total_rss=0
  for ((g = 0; g < GATEWAYS; g++)); do
    dh=$(( HEAP_AFTER[g] - HEAP_BEFORE[g] )); dr=$(( RSS_AFTER[g] - RSS_BEFORE[g] ))
    total_conns=$(( total_conns + CONNS[g] )); total_heap=$(( total_heap + dh )); total_rss=$(( total_rss + dr ))
    printf '%-8s %11s %13s %13s %12s %13s %13s %12s\n' "gw-$((g + 1))" "${CONNS[g]}" "$(kib "${HEAP_BEFORE[g]}")" \
      "$(kib "${HEAP_AFTER[g]}")" "$(per_conn "$dh" "${CONNS[g]}")" "$(kib "${RSS_BEFORE[g]}")" \
      "$(kib "${RSS_AFTER[g]}")" "$(per_conn "$dr" "${CONNS[g]}")"
  done
  printf '%-8s %11s %13s %13s %12s %13s %13s %12s\n' all "$total_conns" "" "" "$(per_conn "$total_heap" "$total_conns")" \
    "" "" "$(per_conn "$total_rss" "$total_conns")"
  echo
  echo "Broadcasts (latency: issued_at -> device receipt, all devices merged; admin->100%: admin call sent -> last device)"
  printf '%-10s %4s %17s %9s %9s %9s %14s %14s\n' stage seq "reached/devices" "p50 ms" "p99 ms" "max ms" \
    "time to 100%" "admin->100%"
} > "$SUMMARY"
# The clients' reports merged (kickoff merge-reports); admin->100% is its trigger -> 100 %, from the admin call.
FIGURES="$RUN/broadcasts.json"
trigger_args=()
for ((s = 1; s <= TOTAL_BROADCASTS; s++)); do trigger_args+=(--triggered-at "$s=${CALL_US[s]}"); done
merge_reports "$RUN/figures.json" --devices "$DEVICES" --seq "$SEQS" "${trigger_args[@]}" "${CLIENT_REPORTS[@]}"
jq --argjson stages "$(printf '%s\n' "${STAGE_OF[@]}" | jq -R . | jq -s .)" \
  '[.broadcasts[] | . + {stage: $stages[.seq - 1], admin_to_100_ms: .trigger_to_100_ms}]' "$RUN/figures.json" > "$FIGURES"
while read -r stage s reached p50 p99 max t100 a100; do
  printf '%-10s %4s %17s %9s %9s %9s %14s %14s\n' "$stage" "$s" "$reached/$DEVICES" "$(fmt "$p50")" \
    "$(fmt "$p99")" "$(fmt "$max")" "$(fmt "$t100")" "$(fmt "$a100")" >> "$SUMMARY"
done < <(jq -r '.[] | [.stage, .seq, .reached, .p50_ms, .p99_ms, .max_ms, .time_to_100_ms, .admin_to_100_ms]
                | map(tostring) | join(" ")' "$FIGURES")
{
  echo
  echo "gateways: $ACKS acks, $REDELIVERIES redeliveries; clients: $( (( client_rc == 0 )) && echo 'all exited 0' || echo 'some exited non-zero (see logs)')"
  echo "details: $RUN (client-N.json: per-client figures; broadcasts.json; logs)"
} >> "$SUMMARY"
mkdir -p "$RESULTS_DIR"
cp "$SUMMARY" "$RESULTS_DIR/latest.txt"
cat "$SUMMARY"
exit "$client_rc"
