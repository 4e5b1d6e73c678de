#!/usr/bin/env bash
# Side-by-side broadcast bench: Kickoff and a minimal Node.js server on the `ws` library (peer/server.js),
# run one after the other in one command and driven by the same client (`kickoff simulate --format json`:
# same devices, pacing, source addresses, acks, broadcasts and pauses). Kickoff is either `kickoff serve`
# (one process, memory mode) or the distributed shape (`kickoff kafka`, `kickoff lsm` and N `kickoff
# gateway` processes); the peer is N `node peer/server.js` processes. Prints Kickoff ÷ peer ratios:
# server CPU per delivered update, p50/p99/time to 100 %, heap and RSS per connection, cold (first
# broadcast after start) and steady. See README.md next to this script.
#
#   broadcast-gateway/bench/side-by-side.sh                        # 10,000 devices, kickoff serve, 8 broadcasts, 2 rounds
#   broadcast-gateway/bench/side-by-side.sh --devices 2000 --rounds 1
#   broadcast-gateway/bench/side-by-side.sh --mode gateway         # Kafka, LSM and one kickoff gateway
#   broadcast-gateway/bench/side-by-side.sh --devices 100000 --nodes 6   # 6 gateways against 6 ws processes
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="$ROOT/launcher/target/kickoff.jar"
PEER_DIR="$HERE/peer"

# ---------------------------------------------------------------- parameters (env, then flags)
DEVICES="${DEVICES:-10000}"
NODES="${NODES:-1}"                        # server processes per side
MODE="${MODE:-}"                           # Kickoff's shape: serve | gateway; default serve for 1 node, else gateway
BROADCASTS="${BROADCASTS:-8}"              # the last min(4, B) are transitions, the ones before schedule changes
ROUNDS="${ROUNDS:-2}"                      # each round runs both servers; odd rounds Kickoff first, even ones the peer
CLIENTS="${CLIENTS:-}"                     # client processes; default: as few as the open-files limit allows
PER_ADDRESS="${PER_ADDRESS:-4000}"
FIRST_ADDRESS="${FIRST_ADDRESS:-2}"
CONNECT_RATE="${CONNECT_RATE:-2000}"       # connection attempts per second, per client process
CONNECT_TIMEOUT="${CONNECT_TIMEOUT:-300}"
WATCH_TIMEOUT="${WATCH_TIMEOUT:-60}"
ACK_TIMEOUT="${ACK_TIMEOUT:-30}"           # seconds to wait, after the devices' figures, for the servers to count every ack
SETTLE="${SETTLE:-5}"
PAUSE="${PAUSE:-3}"
SERVERS="${SERVERS:-kickoff,peer}"        # which servers, in the order of odd rounds
PROFILE="${PROFILE:-0}"                    # 1: profile Kickoff's steady broadcasts with async-profiler (perturbs its figures)
PROFILE_FROM="${PROFILE_FROM:-}"              # with --profile: first broadcast sampled (default: the first steady one) ...
PROFILE_TO="${PROFILE_TO:-}"                  # ... and the last one in profile-collapsed.txt (default: the last)
PROFILER_VERSION="${PROFILER_VERSION:-4.1}"
BASE_PORT="${BASE_PORT:-9201}"             # node i: Kickoff BASE+4(i-1), peer BASE+4(i-1)+3; admin BASE+1, bundles BASE+2
RESULTS_DIR="${RESULTS_DIR:-$HERE/results}"
BUILD="${BUILD:-1}"
SERVE_JAVA_OPTS="${SERVE_JAVA_OPTS:-}"     # empty: the JVM defaults a user gets from `kickoff serve` / `kickoff gateway`
LSM_JAVA_OPTS="${LSM_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC}"
KAFKA_JAVA_OPTS="${KAFKA_JAVA_OPTS:--Xmx128m -XX:+UseSerialGC}"  # the launcher of the broker; the broker is its own JVM
PEER_NODE_OPTS="${PEER_NODE_OPTS:---expose-gc}"
CLIENT_JAVA_OPTS="${CLIENT_JAVA_OPTS:--Xms512m -Xmx2g -XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError}"
CLIENT_IO_THREADS="${CLIENT_IO_THREADS:-1}"
MAX_PER_CLIENT=19000    # a process may open 20,000 files
MAX_PER_NODE=19500      # the same ceiling for a server process, less what it needs besides its devices
ADMIN_TOKEN="bench-operator-token"
TOKEN_SECRET="bench-device-token-secret-0123456789abcdef"

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  cat <<EOF

Options (each also an environment variable, e.g. DEVICES=2000):
  --devices N        simulated devices in total                     (DEVICES, default 10000)
  --nodes N          server processes per side; devices spread evenly (NODES, default 1)
                     (Kickoff: N gateways; peer: N node processes; each <= $MAX_PER_NODE devices)
  --mode M           Kickoff's shape: serve (one kickoff serve process, memory mode; --nodes 1 only)
                     or gateway (kickoff kafka + kickoff lsm + N x kickoff gateway)
                                                                    (MODE, default serve for 1 node, else gateway)
  --broadcasts B     broadcasts per server run, 1..63                (BROADCASTS, default 8)
  --rounds R         rounds; each runs both servers, alternating      (ROUNDS, default 2)
  --clients C        client processes, a multiple of the nodes, <= $MAX_PER_CLIENT devices each;
                     each client drives one server process          (CLIENTS, default: the fewest)
  --servers LIST     some of kickoff, peer, kickoff-proto (Kickoff again, devices on the binary
                     sub-protocol), in the order of odd rounds       (SERVERS, default kickoff,peer)
  --profile          profile Kickoff's steady broadcasts (async-profiler $PROFILER_VERSION from Maven
                     Central, CPU samples of every thread of the first serve/gateway process); its
                     figures are then perturbed (PROFILE=1)
  --results-dir DIR  where the run directory goes                   (RESULTS_DIR, default bench/results)
More settings (environment only): PER_ADDRESS FIRST_ADDRESS CONNECT_RATE CONNECT_TIMEOUT WATCH_TIMEOUT
ACK_TIMEOUT SETTLE PAUSE BASE_PORT BUILD PROFILE_FROM PROFILE_TO SERVE_JAVA_OPTS LSM_JAVA_OPTS KAFKA_JAVA_OPTS PEER_NODE_OPTS
CLIENT_JAVA_OPTS CLIENT_IO_THREADS; see README.md. Needs java, jcmd, node, npm, jq, curl, ss.
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --devices) DEVICES="$2"; shift 2 ;;
    --nodes) NODES="$2"; shift 2 ;;
    --mode) MODE="$2"; shift 2 ;;
    --broadcasts) BROADCASTS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --servers) SERVERS="$2"; shift 2 ;;
    --profile) PROFILE=1; shift ;;
    --results-dir) RESULTS_DIR="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "side-by-side: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

BENCH_NAME=side-by-side
# shellcheck source=bench-lib.sh
source "$HERE/bench-lib.sh"

# ---------------------------------------------------------------- checks
bad() { echo "side-by-side: $*" >&2; exit 2; }
for n in DEVICES NODES BROADCASTS ROUNDS PER_ADDRESS FIRST_ADDRESS CONNECT_RATE CONNECT_TIMEOUT WATCH_TIMEOUT ACK_TIMEOUT \
         SETTLE PAUSE BASE_PORT; do
  [[ "${!n}" =~ ^[0-9]+$ ]] || bad "$n must be a whole number, got '${!n}'"
done
(( NODES >= 1 )) || bad "NODES must be >= 1"
MODE="${MODE:-$( (( NODES == 1 )) && echo serve || echo gateway)}"
[[ "$MODE" == serve || "$MODE" == gateway ]] || bad "MODE must be serve or gateway, got '$MODE'"
[[ "$MODE" == gateway ]] || (( NODES == 1 )) || bad "--mode serve is one kickoff serve process: use --mode gateway for --nodes $NODES"
PER_NODE=$(( (DEVICES + NODES - 1) / NODES ))
(( PER_NODE <= MAX_PER_NODE )) \
  || bad "$PER_NODE devices per server process is over $MAX_PER_NODE (20,000 open files per process): use --nodes $(( (DEVICES + MAX_PER_NODE - 1) / MAX_PER_NODE )) or more"
CLIENTS_PER_NODE=$(( (PER_NODE + MAX_PER_CLIENT - 1) / MAX_PER_CLIENT ))
CLIENTS="${CLIENTS:-$(( NODES * CLIENTS_PER_NODE ))}"
[[ "$CLIENTS" =~ ^[0-9]+$ ]] || bad "CLIENTS must be a whole number"
(( DEVICES >= NODES && ROUNDS >= 1 && CLIENTS >= 1 )) || bad "DEVICES (>= NODES), ROUNDS, CLIENTS must be >= 1"
(( CLIENTS % NODES == 0 )) || bad "CLIENTS ($CLIENTS) must be a multiple of NODES ($NODES): each client process drives one server process"
CLIENTS_PER_NODE=$(( CLIENTS / NODES ))
(( (PER_NODE + CLIENTS_PER_NODE - 1) / CLIENTS_PER_NODE <= MAX_PER_CLIENT )) \
  || bad "over $MAX_PER_CLIENT devices per client process (20,000 open files per process): raise --clients"
(( BROADCASTS >= 1 && BROADCASTS <= 63 )) || bad "BROADCASTS must be 1..63"
(( PER_ADDRESS >= 1 && PER_ADDRESS <= 5000 )) || bad "PER_ADDRESS must be 1..5000"
IFS=',' read -r -a SERVER_LIST <<< "$SERVERS"
(( ${#SERVER_LIST[@]} >= 1 )) || bad "SERVERS is empty"
for s in "${SERVER_LIST[@]}"; do
  [[ "$s" == kickoff || "$s" == kickoff-proto || "$s" == peer ]] || bad "SERVERS wants kickoff, kickoff-proto, peer, got '$s'"
done

# The devices of node i (0-based) and of client j (0-based) of a node with n devices: as even as can be.
node_devices() { echo $(( DEVICES / NODES + ($1 < DEVICES % NODES ? 1 : 0) )); }
client_devices() { echo $(( $1 / CLIENTS_PER_NODE + ($2 < $1 % CLIENTS_PER_NODE ? 1 : 0) )); }
addresses_needed=0
for ((i = 0; i < NODES; i++)); do
  nd=$(node_devices "$i")
  for ((j = 0; j < CLIENTS_PER_NODE; j++)); do
    n=$(client_devices "$nd" "$j")
    (( n >= 1 )) || bad "node $((i + 1)) has fewer devices than client processes: lower --clients"
    addresses_needed=$(( addresses_needed + (n + PER_ADDRESS - 1) / PER_ADDRESS ))
  done
done
(( FIRST_ADDRESS >= 1 && FIRST_ADDRESS + addresses_needed - 1 <= 254 )) \
  || bad "needs $addresses_needed source addresses from 127.0.0.$FIRST_ADDRESS, more than 127.0.0.254"

for tool in java jcmd node npm jq curl ss awk getconf; do
  command -v "$tool" >/dev/null || die "$tool is needed on the PATH"
done
for ((p = BASE_PORT; p < BASE_PORT + 4 * NODES; p++)); do
  [[ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]] || die "port $p is in use (BASE_PORT=$BASE_PORT)"
done
ulimit -n "$(ulimit -Hn)"
install_cleanup

ADMIN_PORT=$((BASE_PORT + 1))
BUNDLE_PORT=$((BASE_PORT + 2))
kickoff_port() { echo $(( BASE_PORT + 4 * $1 )); }      # node i (0-based): serve's or gateway i+1's device port
peer_port() { echo $(( BASE_PORT + 4 * $1 + 3 )); }

# The broadcasts: schedule changes first (stage SCHEDULED, reason "delayed"), then up to four transitions.
STAGE_PLAN=(PREFETCH PRE_SHOW LIVE ENDED)
TRANSITIONS=$(( BROADCASTS < 4 ? BROADCASTS : 4 ))
SCHEDULE_CHANGES=$(( BROADCASTS - TRANSITIONS ))
SEQS="$(seq -s, 1 "$BROADCASTS")"
STEADY_FROM=$(( BROADCASTS >= 3 ? 3 : BROADCASTS ))   # steady state: broadcasts 3..B

if [[ "$MODE" == serve ]]; then
  KICKOFF_SHAPE="kickoff serve (memory mode, one process)"
else
  KICKOFF_SHAPE="kickoff kafka + kickoff lsm + $NODES x kickoff gateway"
fi

# ---------------------------------------------------------------- build and install
STAMP="$(date +%Y%m%d-%H%M%S)"
RUN="$RESULTS_DIR/$STAMP-side-by-side-d$DEVICES-n$NODES-$MODE"
mkdir -p "$RUN"
log "run directory $RUN"
if [[ "$BUILD" == 0 ]]; then
  [[ -f "$JAR" ]] || die "BUILD=0 but there is no $JAR"
else
  log "building the kickoff jar if needed"
  "$ROOT/kickoff" --version >/dev/null
fi
if [[ ! -f "$PEER_DIR/node_modules/.package-lock.json" || "$PEER_DIR/package-lock.json" -nt "$PEER_DIR/node_modules/.package-lock.json" ]]; then
  log "installing the peer's dependencies (npm ci)"
  (cd "$PEER_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi
WS_VERSION=$(jq -r .version "$PEER_DIR/node_modules/ws/package.json")
PROFILER_LIB=
if [[ "$PROFILE" == 1 ]]; then
  # The native library inside the Maven Central artifact; loaded into the running JVM with jcmd JVMTI.agent_load.
  profiler_jar="$HOME/.m2/repository/tools/profiler/async-profiler/$PROFILER_VERSION/async-profiler-$PROFILER_VERSION.jar"
  [[ -f "$profiler_jar" ]] || "$ROOT/mvnw" -q -B dependency:get -Dartifact="tools.profiler:async-profiler:$PROFILER_VERSION" >&2
  mkdir -p "$RUN/async-profiler"
  unzip -q -o -j "$profiler_jar" "linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')/libasyncProfiler.so" -d "$RUN/async-profiler"
  PROFILER_LIB="$RUN/async-profiler/libasyncProfiler.so"
fi
# profiler ACTION : async-profiler's agent command (start, dump, stop and their options) in the first Kickoff JVM.
# Quoted, or jcmd would read "start,event=cpu" as one of its own key=value arguments.
profiler() { jcmd "${NODE_PIDS[0]}" JVMTI.agent_load "$PROFILER_LIB" "\"$1\"" > /dev/null; }
export KICKOFF_TOKEN_SECRET="$TOKEN_SECRET" KICKOFF_ADMIN_TOKEN="$ADMIN_TOKEN"

# ---------------------------------------------------------------- the server processes of one side
# The current phase's server processes (serve, gateways or peers), one per node, in node order; and, in
# gateway mode, Kafka (its launcher, whose child JVM is the broker) and the LSM. Empty pids otherwise.
NODE_PIDS=(); NODE_PORTS=(); NODE_NAMES=()
KAFKA_PID=; LSM_PID=
is_kickoff() { [[ "$SERVER" == kickoff* ]]; }

# start_side DIR : starts the current side's processes and waits until they serve.
start_side() {
  local dir="$1" i port
  NODE_PIDS=(); NODE_PORTS=(); NODE_NAMES=(); KAFKA_PID=; LSM_PID=
  if is_kickoff && [[ "$MODE" == serve ]]; then
    port=$(kickoff_port 0)
    log "round $ROUND: starting kickoff serve for $SERVER (gateway :$port, admin :$ADMIN_PORT; JVM options: the kickoff script's${SERVE_JAVA_OPTS:+, then $SERVE_JAVA_OPTS})"
    start_server "$SERVER-r$ROUND" "$dir/server.log" serve \
      --gateway-port "$port" --admin-port "$ADMIN_PORT" --bundle-port "$BUNDLE_PORT"
    NODE_PIDS=("$LAST_PID"); NODE_PORTS=("$port"); NODE_NAMES=(serve)
    wait_until "kickoff serve to be ready" 180 "$LAST_PID" curl -sf -o /dev/null "http://127.0.0.1:$port/readyz"
    wait_until "the admin API" 60 "$LAST_PID" curl -sf -o /dev/null "http://127.0.0.1:$ADMIN_PORT/healthz"
  elif is_kickoff; then
    log "round $ROUND: starting Kafka for $SERVER"
    start "kafka-r$ROUND" "$dir/kafka.log" "$KAFKA_JAVA_OPTS" kafka --bootstrap-file "$dir/kafka.bootstrap"
    KAFKA_PID=$LAST_PID
    wait_until "the Kafka broker" 180 "$KAFKA_PID" test -s "$dir/kafka.bootstrap"
    local bootstrap
    bootstrap="$(cat "$dir/kafka.bootstrap")"
    log "round $ROUND: Kafka at $bootstrap; starting the LSM (admin :$ADMIN_PORT) and $NODES gateway(s) (JVM options: the kickoff script's${SERVE_JAVA_OPTS:+, then $SERVE_JAVA_OPTS})"
    start "lsm-r$ROUND" "$dir/lsm.log" "$LSM_JAVA_OPTS" lsm --kafka "$bootstrap" --port "$ADMIN_PORT"
    LSM_PID=$LAST_PID
    for ((i = 0; i < NODES; i++)); do
      port=$(kickoff_port "$i")
      # The drain window only matters if a device is still connected when the gateway stops; none is.
      start_server "gateway-$((i + 1))-r$ROUND" "$dir/gateway-$((i + 1)).log" gateway --kafka "$bootstrap" \
        --port "$port" --node-id "gw-$((i + 1))" --drain-window PT2S
      NODE_PIDS+=("$LAST_PID"); NODE_PORTS+=("$port"); NODE_NAMES+=("gw-$((i + 1))")
      # One after the other, as a deployment rolls them out: six JVMs warming up at once on two cores
      # would each get a sixth of the machine for their warm-up.
      wait_until "gateway $((i + 1)) to be ready" 300 "${NODE_PIDS[i]}" curl -sf -o /dev/null "http://127.0.0.1:$port/readyz"
    done
    wait_until "the admin API" 180 "$LSM_PID" curl -sf -o /dev/null "http://127.0.0.1:$ADMIN_PORT/healthz"
  else
    log "round $ROUND: starting $NODES ws peer process(es) (node $(node --version) $PEER_NODE_OPTS, ws $WS_VERSION)"
    for ((i = 0; i < NODES; i++)); do
      port=$(peer_port "$i")
      # shellcheck disable=SC2086 # node options are words on purpose
      spawn "peer-$((i + 1))-r$ROUND" "$dir/peer-$((i + 1)).log" node $PEER_NODE_OPTS "$PEER_DIR/server.js" \
        --port "$port" --node-id "ws-peer-$((i + 1))"
      NODE_PIDS+=("$LAST_PID"); NODE_PORTS+=("$port"); NODE_NAMES+=("ws-peer-$((i + 1))")
    done
    for ((i = 0; i < NODES; i++)); do
      wait_until "ws peer $((i + 1)) to listen" 60 "${NODE_PIDS[i]}" curl -sf -o /dev/null "http://127.0.0.1:${NODE_PORTS[i]}/healthz"
    done
  fi
}
stop_side() {
  # Gateways (or peers) together, then the LSM, then Kafka.
  stop_pids "$SERVER" "${NODE_PIDS[@]}"
  [[ -z "$LSM_PID" ]] || stop_pid "$LSM_PID" "the LSM"
  [[ -z "$KAFKA_PID" ]] || stop_pid "$KAFKA_PID" "Kafka"
}

peer_stat() { curl -sf "http://127.0.0.1:$1/stats${3:-}" | jq -r "$2"; }
node_acks() {
  if is_kickoff; then metric_or_0 "${NODE_PORTS[$1]}" kickoff_gateway_acks_total; else peer_stat "${NODE_PORTS[$1]}" .acks; fi
}
node_heap_kb() {
  if is_kickoff; then heap_used_kb "${NODE_PIDS[$1]}"; else peer_stat "${NODE_PORTS[$1]}" '.heapUsed / 1024 | floor' '?gc=1'; fi
}
node_connections() {
  if is_kickoff; then metric_or_0 "${NODE_PORTS[$1]}" kickoff_gateway_connections; else peer_stat "${NODE_PORTS[$1]}" .connections; fi
}
# Acks counted by the side's server processes (the gateways' only, for Kickoff).
side_acks() { local i t=0; for ((i = 0; i < NODES; i++)); do t=$(( t + $(node_acks "$i") )); done; echo "$t"; }
acks_at_least() { (( $(side_acks) >= $1 )); }
# node_cpu_all : every server process's CPU in us, space-separated, node order.
node_cpu_all() { local p out=(); for p in "${NODE_PIDS[@]}"; do out+=("$(cpu_us "$p")"); done; echo "${out[*]}"; }
aux_cpu() { if [[ -n "$1" ]]; then tree_cpu_us "$1"; else echo 0; fi; }

# trigger B : sends broadcast number B of the plan; sets SEQ (what the server(s) gave it), LABEL and CALL_US.
trigger() {
  local b="$1" w stage reason start_at code i pids=()
  if (( b <= SCHEDULE_CHANGES )); then
    w=$b; stage=SCHEDULED; reason=delayed
  else
    w=$SCHEDULE_CHANGES; stage=${STAGE_PLAN[b - SCHEDULE_CHANGES - 1]}; reason=manual
  fi
  start_at="2099-01-01T00:$(printf '%02d' "$w"):00Z"
  LABEL=$stage
  CALL_US=$(date +%s%6N)
  if is_kickoff; then
    # One admin call; in gateway mode it reaches every gateway through Kafka.
    if [[ "$stage" == SCHEDULED ]]; then
      code=$(api "/v1/events/$EVENT" "{\"scheduled_start\":\"$start_at\"}" PATCH)
    else
      code=$(api "/v1/events/$EVENT/transitions" "{\"to\":\"$stage\"}" POST)
    fi
    [[ "$code" == 200 ]] || die "broadcast $b ($stage) on $SERVER answered HTTP $code: $(cat "$RUN/api.json")"
    SEQ=$(jq -r .seq "$RUN/api.json")
  else
    # The peers share nothing: the same call to every one of them at once, then wait for all.
    for ((i = 0; i < NODES; i++)); do
      curl -sS -o "$RUN/api-peer-$i.json" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"eventId\":\"$EVENT\",\"stage\":\"$stage\",\"reason\":\"$reason\",\"scheduledStart\":\"$start_at\"}" \
        "http://127.0.0.1:${NODE_PORTS[i]}/broadcast" > "$RUN/api-peer-$i.code" 2>&1 &
      pids+=("$!")
    done
    for i in "${pids[@]}"; do wait "$i" || true; done
    SEQ=
    for ((i = 0; i < NODES; i++)); do
      code=$(cat "$RUN/api-peer-$i.code")
      [[ "$code" == 200 ]] || die "broadcast $b ($stage) on ws peer $((i + 1)) answered $code: $(cat "$RUN/api-peer-$i.json" 2>/dev/null)"
      local s
      s=$(jq -r .seq "$RUN/api-peer-$i.json")
      [[ -z "$SEQ" || "$s" == "$SEQ" ]] || die "broadcast $b: ws peer $((i + 1)) gave seq $s, peer 1 seq $SEQ"
      SEQ=$s
    done
  fi
}
# acks_within EXPECTED SECONDS : true once the servers have counted EXPECTED acks, false after SECONDS.
acks_within() {
  local deadline=$((SECONDS + $2))
  until acks_at_least "$1"; do
    (( SECONDS < deadline )) || return 1
    sleep 0.2
  done
}
# json_array WORDS... : [w1,w2,...] (numbers)
json_array() { local IFS=,; echo "[$*]"; }

# run_phase SERVER ROUND : start the side, connect the devices, measure, broadcast, stop; writes DIR/phase.json.
run_phase() {
  SERVER="$1"; ROUND="$2"
  local round="$2" dir="$RUN/$1-r$2" i j c n nd sources address heap_before=() rss_before=() heap_after=() rss_after=()
  local conns=() format=json idle0 welcomed connect_ms b seq t0 t1 code started_at f expected
  local cpu0 cpu1 kafka0 kafka1 lsm0 lsm1 kafka_idle0 lsm_idle0 kafka_idle lsm_idle node_cpu=() node_devs=()
  [[ "$SERVER" == kickoff-proto ]] && format=proto
  mkdir -p "$dir"
  EVENT="bench-r$round"
  started_at=$(date +%s%3N)
  start_side "$dir"
  for ((i = 0; i < NODES; i++)); do
    heap_before[i]=$(node_heap_kb "$i"); rss_before[i]=$(rss_kb "${NODE_PIDS[i]}"); node_cpu[i]=0
  done

  # Clients: CLIENTS_PER_NODE per server process, each on its own source addresses.
  CLIENT_PIDS=(); CLIENT_REPORTS=()
  address=$FIRST_ADDRESS
  c=0
  for ((i = 0; i < NODES; i++)); do
    nd=$(node_devices "$i"); node_devs[i]=$nd
    for ((j = 0; j < CLIENTS_PER_NODE; j++)); do
      c=$((c + 1))
      n=$(client_devices "$nd" "$j")
      sources=$(client_sources "$n" "$address" "$PER_ADDRESS")
      address=$(( address + (n + PER_ADDRESS - 1) / PER_ADDRESS ))
      start "client-$c-$SERVER-r$round" "$dir/client-$c.log" "$CLIENT_JAVA_OPTS" simulate \
        --gateway "ws://127.0.0.1:${NODE_PORTS[i]}" --devices "$n" --id-prefix "c$c-" --source-addresses "$sources" \
        --format "$format" --connects-per-second "$CONNECT_RATE" --connect-timeout "PT${CONNECT_TIMEOUT}S" \
        --watch "$EVENT" --watch-seq "$SEQS" --watch-timeout "PT${WATCH_TIMEOUT}S" --hold \
        --report-json "$dir/client-$c.json" --io-threads "$CLIENT_IO_THREADS"
      CLIENT_PIDS+=("$LAST_PID"); CLIENT_REPORTS+=("$dir/client-$c.json")
    done
  done
  POLL=1
  wait_until "the devices to connect to $SERVER" $((CONNECT_TIMEOUT + 60)) "" clients_connected
  welcomed=$(jq -s '[.[].welcomed] | add' "${CLIENT_REPORTS[@]}")
  connect_ms=$(jq -s '[.[].connect_ms // empty] | max // 0' "${CLIENT_REPORTS[@]}")
  log "$SERVER: $welcomed/$DEVICES devices connected in $connect_ms ms"
  (( welcomed == DEVICES )) || log "WARNING: not every device connected to $SERVER; see $dir"
  # Idle cost with every device connected (heartbeats both ways), over the settle time.
  read -r -a cpu0 <<< "$(node_cpu_all)"; kafka_idle0=$(aux_cpu "$KAFKA_PID"); lsm_idle0=$(aux_cpu "$LSM_PID")
  sleep "$SETTLE"
  read -r -a cpu1 <<< "$(node_cpu_all)"; kafka_idle=$(( $(aux_cpu "$KAFKA_PID") - kafka_idle0 )); lsm_idle=$(( $(aux_cpu "$LSM_PID") - lsm_idle0 ))
  idle0=0; for ((i = 0; i < NODES; i++)); do idle0=$(( idle0 + cpu1[i] - cpu0[i] )); done
  for ((i = 0; i < NODES; i++)); do
    conns[i]=$(node_connections "$i")
    heap_after[i]=$(node_heap_kb "$i"); rss_after[i]=$(rss_kb "${NODE_PIDS[i]}")
    log "$SERVER ${NODE_NAMES[i]}: ${conns[i]} connections; heap ${heap_before[i]} -> ${heap_after[i]} KiB, RSS ${rss_before[i]} -> ${rss_after[i]} KiB"
  done

  if is_kickoff; then
    code=$(api /v1/events "{\"id\":\"$EVENT\",\"title\":\"Side-by-side bench\",\"scheduled_start\":\"2099-01-01T00:00:00Z\"}")
    [[ "$code" == 201 ]] || die "creating event $EVENT answered HTTP $code: $(cat "$RUN/api.json")"
  fi
  # Per broadcast, what only this script sees (its stage, the server CPU, the trigger time); the delivery
  # figures come from the clients' reports through kickoff merge-reports once the broadcasts are done.
  local windows="[" triggers=() cpu kafka lsm
  for ((b = 1; b <= BROADCASTS; b++)); do
    if [[ -n "$PROFILER_LIB" ]] && is_kickoff && [[ $b == "${PROFILE_FROM:-$STEADY_FROM}" ]]; then
      log "profiling ${NODE_NAMES[0]} of $SERVER from broadcast $b on (async-profiler, CPU samples every ms, all threads)"
      profiler "start,event=cpu,interval=1ms,threads"
    fi
    t0=$(date +%s%6N); read -r -a cpu0 <<< "$(node_cpu_all)"; kafka0=$(aux_cpu "$KAFKA_PID"); lsm0=$(aux_cpu "$LSM_PID")
    trigger "$b"
    local call_us=$CALL_US label=$LABEL
    seq=$SEQ
    [[ "$seq" == "$b" ]] || die "broadcast $b on $SERVER got seq $seq"
    # grep on the reports every 0.2 s: cheap, and it keeps the measured window close to the broadcast.
    POLL=0.2
    wait_until "the figures of broadcast $b on $SERVER" $((WATCH_TIMEOUT + 120)) "" clients_reported "$seq"
    expected=$(( welcomed * b ))
    if ! acks_within "$expected" "$ACK_TIMEOUT"; then
      log "WARNING: $SERVER counted $(side_acks) acks after broadcast $b, expected $expected"
    fi
    read -r -a cpu1 <<< "$(node_cpu_all)"; kafka1=$(aux_cpu "$KAFKA_PID"); lsm1=$(aux_cpu "$LSM_PID"); t1=$(date +%s%6N)
    cpu=0
    for ((i = 0; i < NODES; i++)); do
      cpu=$(( cpu + cpu1[i] - cpu0[i] )); node_cpu[i]=$(( node_cpu[i] + cpu1[i] - cpu0[i] ))
    done
    kafka=$(( kafka1 - kafka0 )); lsm=$(( lsm1 - lsm0 ))
    triggers+=(--triggered-at "$seq=$call_us")
    windows+=$( (( b > 1 )) && echo ,)$(jq -nc --argjson seq "$seq" --arg stage "$label" --argjson cpu "$cpu" \
      --argjson kafka "$kafka" --argjson lsm "$lsm" --argjson window "$(( (t1 - t0) / 1000 ))" \
      '{seq: $seq, stage: $stage, cpu_us: $cpu, kafka_cpu_us: $kafka, lsm_cpu_us: $lsm, window_ms: $window}')
    if [[ -n "$PROFILER_LIB" ]] && is_kickoff && [[ $b == "${PROFILE_TO:-$BROADCASTS}" ]]; then profiler "dump,file=$dir/profile-collapsed.txt,collapsed"; fi
    log "$SERVER broadcast $b ($label): every client reported it; CPU $(( cpu / 1000 )) ms$( [[ -n "$KAFKA_PID" ]] && echo " (Kafka $(( kafka / 1000 )) ms, LSM $(( lsm / 1000 )) ms)")"
    sleep "$PAUSE"
  done
  windows+="]"
  merge_reports "$dir/figures.json" --devices "$DEVICES" --seq "$SEQS" --steady-from "$STEADY_FROM" "${triggers[@]}" \
    "${CLIENT_REPORTS[@]}"
  # Each broadcast: the merged delivery figures, its stage and the server CPU of its window.
  local figures
  figures=$(jq -c --argjson windows "$windows" '[.broadcasts[] as $b | $b + ($windows[] | select(.seq == $b.seq))]' \
    "$dir/figures.json")
  jq -r '.[] | "\(.seq) \(.stage): p99 \(.p99_ms) ms, 100 % in \(.time_to_100_ms) ms, reached \(.reached)"' <<< "$figures" \
    | while read -r line; do log "$SERVER broadcast $line"; done
  if [[ -n "$PROFILER_LIB" ]] && is_kickoff; then
    profiler "stop,file=$dir/profile-flat.txt,flat=40,traces=15"
    # CPU by thread (collapsed stacks start with the thread name; digits folded: one line per pool).
    awk '{ n = $NF; $NF = ""; split($0, f, ";"); t = f[1]; gsub(/[0-9]+/, "N", t); sub(/ tid=N\]/, "]", t); sum[t] += n; all += n }
         END { for (t in sum) printf "%6.2f%%  %s\n", 100 * sum[t] / all, t }' "$dir/profile-collapsed.txt" \
      | sort -rn > "$dir/profile-threads.txt"
    log "profile: $dir/profile-flat.txt (top frames, hottest stacks), profile-collapsed.txt (collapsed stacks)"
  fi
  # Per server process: its devices, connections, memory, CPU over every broadcast window, acks, redeliveries.
  local nodes="[" acks=0 redeliveries=0 a r
  for ((i = 0; i < NODES; i++)); do
    a=$(node_acks "$i")
    if is_kickoff; then r=$(metric_or_0 "${NODE_PORTS[i]}" kickoff_gateway_redeliveries_total); else r=0; fi
    acks=$(( acks + a )); redeliveries=$(( redeliveries + r ))
    nodes+=$( (( i > 0 )) && echo ,)$(jq -nc --arg name "${NODE_NAMES[i]}" --argjson port "${NODE_PORTS[i]}" \
      --argjson devices "${node_devs[i]}" --argjson conns "${conns[i]:-0}" --argjson hb "${heap_before[i]}" \
      --argjson ha "${heap_after[i]}" --argjson rb "${rss_before[i]}" --argjson ra "${rss_after[i]}" \
      --argjson cpu "${node_cpu[i]}" --argjson acks "$a" --argjson redeliveries "$r" '
      { name: $name, port: $port, devices: $devices, connections: $conns, heap_before_kb: $hb, heap_after_kb: $ha,
        rss_before_kb: $rb, rss_after_kb: $ra, cpu_us: $cpu, acks: $acks, redeliveries: $redeliveries,
        heap_per_conn_kib: (if $conns > 0 then ($ha - $hb) / $conns else null end),
        rss_per_conn_kib: (if $conns > 0 then ($ra - $rb) / $conns else null end),
        cpu_per_ack_us: (if $acks > 0 then $cpu / $acks else null end) }')
  done
  nodes+="]"
  # Steady state: the latencies of broadcasts STEADY_FROM..B merged, and the medians (kickoff merge-reports);
  # CPU per update here. Memory and idle CPU: summed over the side's server processes (Kafka and the LSM apart).
  jq -s --slurpfile merged "$dir/figures.json" --argjson figures "$figures" --argjson nodes "$nodes" --arg server "$SERVER" \
    --arg mode "$(is_kickoff && echo "$MODE" || echo peer)" --argjson round "$round" --argjson node_count "$NODES" \
    --argjson devices "$DEVICES" --argjson welcomed "$welcomed" --argjson connect_ms "$connect_ms" \
    --argjson idle "$idle0" --argjson kafka_idle "$kafka_idle" --argjson lsm_idle "$lsm_idle" --argjson settle "$SETTLE" \
    --argjson acks "$acks" --argjson redeliveries "$redeliveries" --argjson started_at "$started_at" \
    --argjson aux "$( [[ -n "$KAFKA_PID" ]] && echo true || echo false)" '
    $merged[0].steady as $m
    | def per_update(f): ([$figures[] | f] | add) / ([[$figures[].reached] | add, 1] | max);
      ($figures | map(select(.seq >= $m.from))) as $steady
    | ([$nodes[].connections] | add) as $conns
    | { server: $server, mode: $mode, nodes: $node_count, round: $round, started_at_ms: $started_at, devices: $devices,
        welcomed: $welcomed, connect_ms: $connect_ms, connections: $conns,
        heap_before_kb: ([$nodes[].heap_before_kb] | add), heap_after_kb: ([$nodes[].heap_after_kb] | add),
        rss_before_kb: ([$nodes[].rss_before_kb] | add), rss_after_kb: ([$nodes[].rss_after_kb] | add),
        heap_per_conn_kib: (if $conns > 0 then ([$nodes[] | .heap_after_kb - .heap_before_kb] | add) / $conns else null end),
        rss_per_conn_kib: (if $conns > 0 then ([$nodes[] | .rss_after_kb - .rss_before_kb] | add) / $conns else null end),
        idle_cpu_ms_per_s: ($idle / 1000 / $settle),
        kafka_idle_cpu_ms_per_s: (if $aux then $kafka_idle / 1000 / $settle else null end),
        lsm_idle_cpu_ms_per_s: (if $aux then $lsm_idle / 1000 / $settle else null end),
        acks: $acks, redeliveries: $redeliveries,
        duplicates: ([.[].duplicates] | add),
        complete: ($welcomed == $devices and ($figures | length) > 0
                   and all($figures[]; .reached == $devices and .time_to_100_ms != null)),
        delivered: ([$figures[].reached] | add), expected: ($devices * ($figures | length)),
        cpu_per_update_us: per_update(.cpu_us),
        kafka_cpu_per_update_us: (if $aux then per_update(.kafka_cpu_us) else null end),
        lsm_cpu_per_update_us: (if $aux then per_update(.lsm_cpu_us) else null end),
        all_cpu_per_update_us: per_update(.cpu_us + .kafka_cpu_us + .lsm_cpu_us),
        cold: ($figures[0] + {cpu_per_update_us: ($figures[0].cpu_us / ([$figures[0].reached, 1] | max))}),
        steady: { from: $m.from, p50_ms: $m.p50_ms, p99_ms: $m.p99_ms,
                  time_to_100_ms: $m.time_to_100_ms, trigger_to_100_ms: $m.trigger_to_100_ms,
                  cpu_per_update_us: (([$steady[].cpu_us] | add) / ([[$steady[].reached] | add, 1] | max)) },
        per_node: $nodes, broadcasts: $figures }' "${CLIENT_REPORTS[@]}" > "$dir/phase.json"
  # The clients hold their devices until now, so that no disconnection lands in a measured window.
  stop_pids "clients" "${CLIENT_PIDS[@]}"
  log "$SERVER round $round: $(jq -r '"CPU per update \(.cpu_per_update_us | floor) us, steady p99 \(.steady.p99_ms) ms, delivered \(.delivered)/\(.expected), acks \(.acks)"' "$dir/phase.json")"
  stop_side
}

# ---------------------------------------------------------------- run
log "$DEVICES devices over $NODES server process(es) per side (Kickoff: $KICKOFF_SHAPE), $CLIENTS client process(es), $BROADCASTS broadcasts ($SCHEDULE_CHANGES schedule changes, then ${STAGE_PLAN[*]:0:$TRANSITIONS}), $ROUNDS round(s)"
for ((r = 1; r <= ROUNDS; r++)); do
  if (( r % 2 == 1 )); then order=("${SERVER_LIST[@]}"); else order=(); for s in "${SERVER_LIST[@]}"; do order=("$s" "${order[@]}"); done; fi
  for s in "${order[@]}"; do run_phase "$s" "$r"; done
done

# ---------------------------------------------------------------- summary
SUMMARY="$RUN/summary.txt"
jq -s 'sort_by(.started_at_ms)' "$RUN"/*/phase.json > "$RUN/phases.json"
# Columns: the peer, then each Kickoff variant run, each with its ratio to the peer.
COLUMNS=()
for s in peer kickoff kickoff-proto; do
  [[ ",$SERVERS," == *",$s,"* ]] && COLUMNS+=("$s")
done
column_title() { case "$1" in peer) echo "ws peer" ;; kickoff) echo "Kickoff" ;; kickoff-proto) echo "Kickoff proto" ;; esac; }
header() {
  local s line
  line=$(printf '%-48s' figure)
  for s in "${COLUMNS[@]}"; do
    line+=$(printf ' %13s' "$(column_title "$s")")
    [[ "$s" != peer && ",$SERVERS," == *",peer,"* ]] && line+=$(printf ' %8s' "/ peer")
  done
  echo "$line"
}
row() { # LABEL JQ_EXPR : the mean over rounds of each server's figure, and each Kickoff's ratio to the peer.
  local s v p line
  line=$(printf '%-48s' "$1")
  p=$(jq -r "map(select(.server == \"peer\") | $2) | map(select(. != null)) | if length == 0 then \"null\" else add / length end" "$RUN/phases.json")
  for s in "${COLUMNS[@]}"; do
    v=$(jq -r "map(select(.server == \"$s\") | $2) | map(select(. != null)) | if length == 0 then \"null\" else add / length end" "$RUN/phases.json")
    line+=$(awk -v x="$v" 'BEGIN { if (x == "null") s = "-"; else s = sprintf(x >= 100 ? "%.0f" : x >= 10 ? "%.1f" : "%.2f", x); printf " %13s", s }')
    if [[ "$s" != peer && ",$SERVERS," == *",peer,"* ]]; then
      line+=$(awk -v k="$v" -v p="$p" 'BEGIN { r = (p == "null" || k == "null" || p + 0 == 0) ? "-" : sprintf("%.2fx", k / p); printf " %8s", r }')
    fi
  done
  echo "$line"
}
{
  echo "Side-by-side broadcast bench, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$( [[ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]] && echo ' (with local changes)'); $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(java -version 2>&1 | head -1); node $(node --version), ws $WS_VERSION"
  echo "Kickoff: $KICKOFF_SHAPE, JVM options of serve/gateway: the kickoff script's${SERVE_JAVA_OPTS:+, then $SERVE_JAVA_OPTS}; peer: $NODES x node $PEER_NODE_OPTS peer/server.js"
  echo "$DEVICES devices over $NODES server process(es) per side, $CLIENTS client process(es) of kickoff simulate (--format json; proto for kickoff-proto; each drives one server process), $BROADCASTS broadcasts per server, $ROUNDS round(s) (figures: mean over rounds)"
  if [[ "$MODE" == gateway ]] && (( NODES > 1 )); then
    echo "Trigger: Kickoff one admin call (to every gateway through Kafka); peer: POST /broadcast to each of the $NODES processes at once"
  fi
  if (( NODES > 1 )); then
    echo "Server CPU, heap, RSS and idle CPU: summed over each side's $NODES server processes (gateways or ws processes), then per update or per connection"
  fi
  echo
  header
  row "server CPU per delivered update, us" '.cpu_per_update_us'
  row "  cold (broadcast 1), us" '.cold.cpu_per_update_us'
  row "  steady (broadcasts $STEADY_FROM..$BROADCASTS), us" '.steady.cpu_per_update_us'
  if [[ "$MODE" == gateway ]]; then
    row "Kafka broker CPU per delivered update, us" '.kafka_cpu_per_update_us'
    row "LSM CPU per delivered update, us" '.lsm_cpu_per_update_us'
    row "every process of the side (+ Kafka, LSM), us" '.all_cpu_per_update_us'
  fi
  row "cold p50, ms" '.cold.p50_ms'
  row "cold p99, ms" '.cold.p99_ms'
  row "cold time to 100 %, ms" '.cold.time_to_100_ms'
  row "steady p50, ms" '.steady.p50_ms'
  row "steady p99, ms" '.steady.p99_ms'
  row "steady time to 100 % (median), ms" '.steady.time_to_100_ms'
  row "steady trigger -> 100 % (median), ms" '.steady.trigger_to_100_ms'
  row "heap per connection, KiB" '.heap_per_conn_kib'
  row "RSS per connection, KiB" '.rss_per_conn_kib'
  row "idle CPU with devices connected, ms/s" '.idle_cpu_ms_per_s'
  if [[ "$MODE" == gateway ]]; then
    row "  Kafka broker idle CPU, ms/s" '.kafka_idle_cpu_ms_per_s'
    row "  LSM idle CPU, ms/s" '.lsm_idle_cpu_ms_per_s'
  fi
  echo
  echo "Per run (latency: issued_at -> device receipt; CPU: the server processes, trigger -> every ack counted)"
  jq -r 'def r1: if . == null then "-" else (. * 10 | round / 10 | tostring) end;
    def r2: if . == null then "-" else (. * 100 | round / 100 | tostring) end;
    .[] | "\(.server) round \(.round): connected \(.welcomed)/\(.devices) in \(.connect_ms) ms; delivered \(.delivered)/\(.expected); servers counted \(.acks) acks, \(.redeliveries) redeliveries; devices saw \(.duplicates) duplicates\(if .complete then "" else "; NOT every device got every broadcast" end)",
    (.per_node[] | "  \(.name) :\(.port): \(.devices) devices, \(.connections) connections; heap \(.heap_before_kb) -> \(.heap_after_kb) KiB (\(.heap_per_conn_kib | r2) KiB/conn), RSS \(.rss_before_kb) -> \(.rss_after_kb) KiB (\(.rss_per_conn_kib | r2) KiB/conn); CPU \(.cpu_us / 1000 | round) ms in broadcasts, \(.acks) acks (\(.cpu_per_ack_us | r1) us/ack), \(.redeliveries) redeliveries"),
    (.broadcasts[] | "  \(.seq) \(.stage | . + " " * (10 - length)) reached \(.reached)  p50 \(.p50_ms | r1) ms  p99 \(.p99_ms | r1) ms  100 % \(.time_to_100_ms | r1) ms  trigger->100 % \(.trigger_to_100_ms | r1) ms  CPU \(.cpu_us / 1000 | round) ms in \(.window_ms) ms (\(.cpu_us / ([.reached, 1] | max) | . * 10 | round / 10) us/update)\(if .kafka_cpu_us > 0 or .lsm_cpu_us > 0 then "; Kafka \(.kafka_cpu_us / 1000 | round) ms, LSM \(.lsm_cpu_us / 1000 | round) ms" else "" end)")' "$RUN/phases.json"
  echo
  echo "details: $RUN (phases.json; per server and round: phase.json, client-N.json, logs)"
} > "$SUMMARY"
mkdir -p "$RESULTS_DIR"
cp "$SUMMARY" "$RESULTS_DIR/side-by-side-latest.txt"
cat "$SUMMARY"
# Exit status 0 only if every device of every run connected and got every broadcast.
jq -e 'all(.[]; .complete)' "$RUN/phases.json" >/dev/null
