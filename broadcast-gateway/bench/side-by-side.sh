#!/usr/bin/env bash
# Side-by-side broadcast bench: Kickoff (`kickoff serve` with its defaults: memory mode, default JVM) and
# a minimal Node.js server on the `ws` library (peer/server.js), run one after the other in one command
# and driven by the same client (`kickoff simulate --format json`: same devices, pacing, source
# addresses, acks, broadcasts and pauses). Prints Kickoff ÷ peer ratios: server CPU per delivered update,
# p50/p99/time to 100 %, heap and RSS per connection, cold (first broadcast after start) and steady.
# See README.md next to this script.
#
#   broadcast-gateway/bench/side-by-side.sh                        # 10,000 devices, 8 broadcasts, 2 rounds
#   broadcast-gateway/bench/side-by-side.sh --devices 2000 --rounds 1
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="$ROOT/launcher/target/kickoff.jar"
PEER_DIR="$HERE/peer"

# ---------------------------------------------------------------- parameters (env, then flags)
DEVICES="${DEVICES:-10000}"
BROADCASTS="${BROADCASTS:-8}"              # the last min(4, B) are transitions, the ones before schedule changes
ROUNDS="${ROUNDS:-2}"                      # each round runs both servers; odd rounds Kickoff first, even ones the peer
CLIENTS="${CLIENTS:-}"                     # client processes; default: as few as the open-files limit allows
PER_ADDRESS="${PER_ADDRESS:-4000}"
FIRST_ADDRESS="${FIRST_ADDRESS:-2}"
CONNECT_RATE="${CONNECT_RATE:-2000}"
CONNECT_TIMEOUT="${CONNECT_TIMEOUT:-300}"
WATCH_TIMEOUT="${WATCH_TIMEOUT:-60}"
ACK_TIMEOUT="${ACK_TIMEOUT:-30}"           # seconds to wait, after the devices' figures, for the server to count every ack
SETTLE="${SETTLE:-5}"
PAUSE="${PAUSE:-3}"
SERVERS="${SERVERS:-kickoff,peer}"        # which servers, in the order of odd rounds
PROFILE="${PROFILE:-0}"                    # 1: profile Kickoff's steady broadcasts with async-profiler (perturbs its figures)
PROFILER_VERSION="${PROFILER_VERSION:-4.1}"
BASE_PORT="${BASE_PORT:-9201}"             # Kickoff: gateway BASE, admin BASE+1, bundles BASE+2; peer BASE+3
RESULTS_DIR="${RESULTS_DIR:-$HERE/results}"
BUILD="${BUILD:-1}"
SERVE_JAVA_OPTS="${SERVE_JAVA_OPTS:-}"     # empty: the JVM defaults a user gets from `kickoff serve`
PEER_NODE_OPTS="${PEER_NODE_OPTS:---expose-gc}"
CLIENT_JAVA_OPTS="${CLIENT_JAVA_OPTS:--Xms512m -Xmx2g -XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError}"
CLIENT_IO_THREADS="${CLIENT_IO_THREADS:-1}"
MAX_PER_CLIENT=19000
ADMIN_TOKEN="bench-operator-token"
TOKEN_SECRET="bench-device-token-secret-0123456789abcdef"

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  cat <<EOF

Options (each also an environment variable, e.g. DEVICES=2000):
  --devices N        simulated devices                              (DEVICES, default 10000)
  --broadcasts B     broadcasts per server run, 1..63                (BROADCASTS, default 8)
  --rounds R         rounds; each runs both servers, alternating      (ROUNDS, default 2)
  --clients C        client processes, <= $MAX_PER_CLIENT devices each  (CLIENTS, default: the fewest)
  --servers LIST     some of kickoff, peer, kickoff-proto (Kickoff again, devices on the binary
                     sub-protocol), in the order of odd rounds       (SERVERS, default kickoff,peer)
  --profile          profile Kickoff's steady broadcasts (async-profiler $PROFILER_VERSION from Maven
                     Central, CPU samples of every thread); its figures are then perturbed (PROFILE=1)
  --results-dir DIR  where the run directory goes                   (RESULTS_DIR, default bench/results)
More settings (environment only): PER_ADDRESS FIRST_ADDRESS CONNECT_RATE CONNECT_TIMEOUT WATCH_TIMEOUT
ACK_TIMEOUT SETTLE PAUSE BASE_PORT BUILD SERVE_JAVA_OPTS PEER_NODE_OPTS CLIENT_JAVA_OPTS CLIENT_IO_THREADS;
see README.md. Needs java, jcmd, node, npm, jq, curl, ss.
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --devices) DEVICES="$2"; shift 2 ;;
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
for n in DEVICES BROADCASTS ROUNDS PER_ADDRESS FIRST_ADDRESS CONNECT_RATE CONNECT_TIMEOUT WATCH_TIMEOUT ACK_TIMEOUT \
         SETTLE PAUSE BASE_PORT; do
  [[ "${!n}" =~ ^[0-9]+$ ]] || { echo "side-by-side: $n must be a whole number, got '${!n}'" >&2; exit 2; }
done
CLIENTS="${CLIENTS:-$(( (DEVICES + MAX_PER_CLIENT - 1) / MAX_PER_CLIENT ))}"
[[ "$CLIENTS" =~ ^[0-9]+$ ]] || { echo "side-by-side: CLIENTS must be a whole number" >&2; exit 2; }
(( DEVICES >= 1 && ROUNDS >= 1 && CLIENTS >= 1 )) || { echo "side-by-side: DEVICES, ROUNDS, CLIENTS must be >= 1" >&2; exit 2; }
(( BROADCASTS >= 1 && BROADCASTS <= 63 )) || { echo "side-by-side: BROADCASTS must be 1..63" >&2; exit 2; }
(( PER_ADDRESS >= 1 && PER_ADDRESS <= 5000 )) || { echo "side-by-side: PER_ADDRESS must be 1..5000" >&2; exit 2; }
(( (DEVICES + CLIENTS - 1) / CLIENTS <= MAX_PER_CLIENT )) \
  || { echo "side-by-side: over $MAX_PER_CLIENT devices per client process (20,000 open files per process): raise --clients" >&2; exit 2; }
(( DEVICES <= 19500 )) || { echo "side-by-side: both servers are one process each, which may hold at most ~19,500 connections" >&2; exit 2; }
IFS=',' read -r -a SERVER_LIST <<< "$SERVERS"
(( ${#SERVER_LIST[@]} >= 1 )) || { echo "side-by-side: SERVERS is empty" >&2; exit 2; }
for s in "${SERVER_LIST[@]}"; do
  [[ "$s" == kickoff || "$s" == kickoff-proto || "$s" == peer ]] \
    || { echo "side-by-side: SERVERS wants kickoff, kickoff-proto, peer, got '$s'" >&2; exit 2; }
done
for tool in java jcmd node npm jq curl ss awk getconf; do
  command -v "$tool" >/dev/null || die "$tool is needed on the PATH"
done
for ((p = BASE_PORT; p < BASE_PORT + 4; p++)); do
  [[ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]] || die "port $p is in use (BASE_PORT=$BASE_PORT)"
done
ulimit -n "$(ulimit -Hn)"
install_cleanup

GATEWAY_PORT=$BASE_PORT
ADMIN_PORT=$((BASE_PORT + 1))
BUNDLE_PORT=$((BASE_PORT + 2))
PEER_PORT=$((BASE_PORT + 3))

# The broadcasts: schedule changes first (stage SCHEDULED, reason "delayed"), then up to four transitions.
STAGE_PLAN=(PREFETCH PRE_SHOW LIVE ENDED)
TRANSITIONS=$(( BROADCASTS < 4 ? BROADCASTS : 4 ))
SCHEDULE_CHANGES=$(( BROADCASTS - TRANSITIONS ))
SEQS="$(seq -s, 1 "$BROADCASTS")"
STEADY_FROM=$(( BROADCASTS >= 3 ? 3 : BROADCASTS ))   # steady state: broadcasts 3..B

# ---------------------------------------------------------------- build and install
STAMP="$(date +%Y%m%d-%H%M%S)"
RUN="$RESULTS_DIR/$STAMP-side-by-side-d$DEVICES"
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
# profiler ACTION : async-profiler's agent command (start, dump, stop and their options) in the Kickoff JVM.
# Quoted, or jcmd would read "start,event=cpu" as one of its own key=value arguments.
profiler() { jcmd "$SERVER_PID" JVMTI.agent_load "$PROFILER_LIB" "\"$1\"" > /dev/null; }
export KICKOFF_TOKEN_SECRET="$TOKEN_SECRET" KICKOFF_ADMIN_TOKEN="$ADMIN_TOKEN"

# ---------------------------------------------------------------- one server, one phase
peer_stat() { curl -sf "http://127.0.0.1:$PEER_PORT/stats${2:-}" | jq -r "$1"; }
server_acks() {
  if [[ "$SERVER" == kickoff* ]]; then metric_or_0 "$GATEWAY_PORT" kickoff_gateway_acks_total; else peer_stat .acks; fi
}
server_heap_kb() {
  if [[ "$SERVER" == kickoff* ]]; then heap_used_kb "$SERVER_PID"; else peer_stat '.heapUsed / 1024 | floor' '?gc=1'; fi
}
acks_at_least() { (( $(server_acks) >= $1 )); }

# trigger B : sends broadcast number B of the plan; sets SEQ (what the server gave it), LABEL and CALL_US.
trigger() {
  local b="$1" w stage reason start_at code
  if (( b <= SCHEDULE_CHANGES )); then
    w=$b; stage=SCHEDULED; reason=delayed
  else
    w=$SCHEDULE_CHANGES; stage=${STAGE_PLAN[b - SCHEDULE_CHANGES - 1]}; reason=manual
  fi
  start_at="2099-01-01T00:$(printf '%02d' "$w"):00Z"
  CALL_US=$(date +%s%6N)
  if [[ "$SERVER" == kickoff* ]]; then
    if [[ "$stage" == SCHEDULED ]]; then
      code=$(api "/v1/events/$EVENT" "{\"scheduled_start\":\"$start_at\"}" PATCH)
    else
      code=$(api "/v1/events/$EVENT/transitions" "{\"to\":\"$stage\"}" POST)
    fi
  else
    code=$(curl -sS -o "$RUN/api.json" -w '%{http_code}' -H 'Content-Type: application/json' \
      -d "{\"eventId\":\"$EVENT\",\"stage\":\"$stage\",\"reason\":\"$reason\",\"scheduledStart\":\"$start_at\"}" \
      "http://127.0.0.1:$PEER_PORT/broadcast")
  fi
  [[ "$code" == 200 ]] || die "broadcast $b ($stage) on $SERVER answered HTTP $code: $(cat "$RUN/api.json")"
  LABEL=$stage
  SEQ=$(jq -r .seq "$RUN/api.json")
}
# acks_within EXPECTED SECONDS : true once the server has counted EXPECTED acks, false after SECONDS.
acks_within() {
  local deadline=$((SECONDS + $2))
  until acks_at_least "$1"; do
    (( SECONDS < deadline )) || return 1
    sleep 0.2
  done
}

# run_phase SERVER ROUND : start the server, connect the devices, measure, broadcast, stop; writes DIR/phase.json.
run_phase() {
  SERVER="$1"
  local round="$2" dir="$RUN/$1-r$2" c n sources address port heap_before rss_before heap_after rss_after conns
  local format=json
  [[ "$SERVER" == kickoff-proto ]] && format=proto
  local idle0 idle1 welcomed connect_ms b seq cpu0 cpu1 t0 t1 acks redeliveries code
  mkdir -p "$dir"
  EVENT="bench-r$round"
  local started_at
  started_at=$(date +%s%3N)
  if [[ "$SERVER" == kickoff* ]]; then
    port=$GATEWAY_PORT
    log "round $round: starting kickoff serve for $SERVER (gateway :$GATEWAY_PORT, admin :$ADMIN_PORT; JVM options: ${SERVE_JAVA_OPTS:-none})"
    # shellcheck disable=SC2086 # JAVA_OPTS are words on purpose
    spawn "$SERVER-r$round" "$dir/server.log" java $SERVE_JAVA_OPTS -jar "$JAR" serve \
      --gateway-port "$GATEWAY_PORT" --admin-port "$ADMIN_PORT" --bundle-port "$BUNDLE_PORT"
    SERVER_PID=$LAST_PID
    wait_until "kickoff serve to be ready" 180 "$SERVER_PID" curl -sf -o /dev/null "http://127.0.0.1:$GATEWAY_PORT/readyz"
    wait_until "the admin API" 60 "$SERVER_PID" curl -sf -o /dev/null "http://127.0.0.1:$ADMIN_PORT/healthz"
  else
    port=$PEER_PORT
    log "round $round: starting the ws peer (:$PEER_PORT; node $(node --version) $PEER_NODE_OPTS, ws $WS_VERSION)"
    # shellcheck disable=SC2086 # node options are words on purpose
    spawn "peer-r$round" "$dir/server.log" node $PEER_NODE_OPTS "$PEER_DIR/server.js" --port "$PEER_PORT"
    SERVER_PID=$LAST_PID
    wait_until "the ws peer to listen" 60 "$SERVER_PID" curl -sf -o /dev/null "http://127.0.0.1:$PEER_PORT/healthz"
  fi
  heap_before=$(server_heap_kb); rss_before=$(rss_kb "$SERVER_PID")

  CLIENT_PIDS=(); CLIENT_REPORTS=()
  address=$FIRST_ADDRESS
  for ((c = 1; c <= CLIENTS; c++)); do
    n=$(( DEVICES / CLIENTS + (c - 1 < DEVICES % CLIENTS ? 1 : 0) ))
    sources=$(client_sources "$n" "$address" "$PER_ADDRESS")
    address=$(( address + (n + PER_ADDRESS - 1) / PER_ADDRESS ))
    start "client-$c-$SERVER-r$round" "$dir/client-$c.log" "$CLIENT_JAVA_OPTS" simulate \
      --gateway "ws://127.0.0.1:$port" --devices "$n" --id-prefix "c$c-" --source-addresses "$sources" --format "$format" \
      --connects-per-second "$CONNECT_RATE" --connect-timeout "PT${CONNECT_TIMEOUT}S" --watch "$EVENT" --watch-seq "$SEQS" \
      --watch-timeout "PT${WATCH_TIMEOUT}S" --hold --report-json "$dir/client-$c.json" --report-latencies \
      --io-threads "$CLIENT_IO_THREADS"
    CLIENT_PIDS+=("$LAST_PID"); CLIENT_REPORTS+=("$dir/client-$c.json")
  done
  POLL=1
  wait_until "the devices to connect to $SERVER" $((CONNECT_TIMEOUT + 60)) "" clients_connected
  welcomed=$(jq -s '[.[].welcomed] | add' "${CLIENT_REPORTS[@]}")
  connect_ms=$(jq -s '[.[].connect_ms // empty] | max // 0' "${CLIENT_REPORTS[@]}")
  log "$SERVER: $welcomed/$DEVICES devices connected in $connect_ms ms"
  (( welcomed == DEVICES )) || log "WARNING: not every device connected to $SERVER; see $dir"
  # Idle cost with every device connected (heartbeats both ways), over the settle time.
  idle0=$(cpu_us "$SERVER_PID"); sleep "$SETTLE"; idle1=$(cpu_us "$SERVER_PID")
  if [[ "$SERVER" == kickoff* ]]; then conns=$(metric "$GATEWAY_PORT" kickoff_gateway_connections); else conns=$(peer_stat .connections); fi
  heap_after=$(server_heap_kb); rss_after=$(rss_kb "$SERVER_PID")
  log "$SERVER: $conns connections; heap $heap_before -> $heap_after KiB, RSS $rss_before -> $rss_after KiB"

  if [[ "$SERVER" == kickoff* ]]; then
    code=$(api /v1/events "{\"id\":\"$EVENT\",\"title\":\"Side-by-side bench\",\"scheduled_start\":\"2099-01-01T00:00:00Z\"}")
    [[ "$code" == 201 ]] || die "creating event $EVENT answered HTTP $code: $(cat "$RUN/api.json")"
  fi
  local figures="[" f expected
  for ((b = 1; b <= BROADCASTS; b++)); do
    if [[ -n "$PROFILER_LIB" && "$SERVER" == kickoff* && $b == "$STEADY_FROM" ]]; then
      log "profiling $SERVER from broadcast $b on (async-profiler, CPU samples every ms, all threads)"
      profiler "start,event=cpu,interval=1ms,threads"
    fi
    t0=$(date +%s%6N); cpu0=$(cpu_us "$SERVER_PID")
    trigger "$b"
    local call_us=$CALL_US label=$LABEL
    seq=$SEQ
    [[ "$seq" == "$b" ]] || die "broadcast $b on $SERVER got seq $seq"
    # grep on the reports every 0.2 s: cheap, and it keeps the measured window close to the broadcast.
    POLL=0.2
    wait_until "the figures of broadcast $b on $SERVER" $((WATCH_TIMEOUT + 120)) "" clients_reported "$seq"
    expected=$(( welcomed * b ))
    if ! acks_within "$expected" "$ACK_TIMEOUT"; then
      log "WARNING: $SERVER counted $(server_acks) acks after broadcast $b, expected $expected"
    fi
    cpu1=$(cpu_us "$SERVER_PID"); t1=$(date +%s%6N)
    f=$(broadcast_figures "$seq" "$DEVICES" "${CLIENT_REPORTS[@]}")
    figures+=$( (( b > 1 )) && echo ,)$(jq -c --arg stage "$label" --argjson cpu "$((cpu1 - cpu0))" --argjson call "$call_us" \
      --argjson window "$(( (t1 - t0) / 1000 ))" '. + {stage: $stage, cpu_us: $cpu, window_ms: $window, trigger_to_100_ms: (if .time_to_100_ms == null or .issued_at_us == null then null
            else (.issued_at_us - $call) / 1000 + .time_to_100_ms end)}' <<< "$f")
    log "$SERVER broadcast $b ($label): $(jq -r '"p99 \(.p99_ms) ms, 100 % in \(.time_to_100_ms) ms, reached \(.reached)"' <<< "$f"), CPU $(( (cpu1 - cpu0) / 1000 )) ms"
    sleep "$PAUSE"
  done
  figures+="]"
  if [[ -n "$PROFILER_LIB" && "$SERVER" == kickoff* ]]; then
    profiler "dump,file=$dir/profile-collapsed.txt,collapsed"
    profiler "stop,file=$dir/profile-flat.txt,flat=40,traces=15"
    # CPU by thread (collapsed stacks start with the thread name; digits folded: one line per pool).
    awk '{ n = $NF; $NF = ""; split($0, f, ";"); t = f[1]; gsub(/[0-9]+/, "N", t); sub(/ tid=N\]/, "]", t); sum[t] += n; all += n }
         END { for (t in sum) printf "%6.2f%%  %s\n", 100 * sum[t] / all, t }' "$dir/profile-collapsed.txt" \
      | sort -rn > "$dir/profile-threads.txt"
    log "profile: $dir/profile-flat.txt (top frames, hottest stacks), profile-collapsed.txt (collapsed stacks)"
  fi
  acks=$(server_acks)
  if [[ "$SERVER" == kickoff* ]]; then redeliveries=$(metric_or_0 "$GATEWAY_PORT" kickoff_gateway_redeliveries_total); else redeliveries=0; fi
  # Steady state: every latency of broadcasts STEADY_FROM..B merged, exact percentiles by nearest rank.
  jq -s --argjson from "$STEADY_FROM" --argjson figures "$figures" --arg server "$SERVER" --argjson round "$round" \
    --argjson devices "$DEVICES" --argjson welcomed "$welcomed" --argjson connect_ms "$connect_ms" \
    --argjson conns "${conns:-0}" --argjson hb "$heap_before" --argjson ha "$heap_after" --argjson rb "$rss_before" \
    --argjson ra "$rss_after" --argjson idle "$((idle1 - idle0))" --argjson settle "$SETTLE" --argjson acks "$acks" \
    --argjson redeliveries "$redeliveries" --argjson started_at "$started_at" '
    ([.[].broadcasts[] | select(.seq >= $from) | .latencies_us[]?] | sort) as $l
    | def rank(p): if ($l | length) == 0 then null else $l[([(($l | length) * p / 100 | ceil) - 1, 0] | max)] / 1000 end;
      def median: sort | if length == 0 then null else .[(length - 1) / 2 | floor] end;
      ($figures | map(select(.seq >= $from))) as $steady
    | { server: $server, round: $round, started_at_ms: $started_at, devices: $devices, welcomed: $welcomed, connect_ms: $connect_ms,
        connections: $conns, heap_before_kb: $hb, heap_after_kb: $ha, rss_before_kb: $rb, rss_after_kb: $ra,
        heap_per_conn_kib: (if $conns > 0 then ($ha - $hb) / $conns else null end),
        rss_per_conn_kib: (if $conns > 0 then ($ra - $rb) / $conns else null end),
        idle_cpu_ms_per_s: ($idle / 1000 / $settle), acks: $acks, redeliveries: $redeliveries,
        duplicates: ([.[].duplicates] | add),
        complete: ($welcomed == $devices and ($figures | length) > 0
                   and all($figures[]; .reached == $devices and .time_to_100_ms != null)),
        delivered: ([$figures[].reached] | add), expected: ($devices * ($figures | length)),
        cpu_per_update_us: (([$figures[].cpu_us] | add) / ([[$figures[].reached] | add, 1] | max)),
        cold: ($figures[0] + {cpu_per_update_us: ($figures[0].cpu_us / ([$figures[0].reached, 1] | max))}),
        steady: { from: $from, p50_ms: rank(50), p99_ms: rank(99),
                  time_to_100_ms: ([$steady[].time_to_100_ms | select(. != null)] | median),
                  trigger_to_100_ms: ([$steady[].trigger_to_100_ms | select(. != null)] | median),
                  cpu_per_update_us: (([$steady[].cpu_us] | add) / ([[$steady[].reached] | add, 1] | max)) },
        broadcasts: $figures }' "${CLIENT_REPORTS[@]}" > "$dir/phase.json"
  # The clients hold their devices until now, so that no disconnection lands in a measured window.
  for ((c = 0; c < CLIENTS; c++)); do stop_pid "${CLIENT_PIDS[c]}" "client $((c + 1))"; done
  log "$SERVER round $round: $(jq -r '"CPU per update \(.cpu_per_update_us | floor) us, steady p99 \(.steady.p99_ms) ms, delivered \(.delivered)/\(.expected)"' "$dir/phase.json")"
  stop_pid "$SERVER_PID" "$SERVER"
}

# ---------------------------------------------------------------- run
log "$DEVICES devices, $CLIENTS client process(es), $BROADCASTS broadcasts ($SCHEDULE_CHANGES schedule changes, then ${STAGE_PLAN[*]:0:$TRANSITIONS}), $ROUNDS round(s)"
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
  line=$(printf '%-44s' figure)
  for s in "${COLUMNS[@]}"; do
    line+=$(printf ' %13s' "$(column_title "$s")")
    [[ "$s" != peer && ",$SERVERS," == *",peer,"* ]] && line+=$(printf ' %8s' "/ peer")
  done
  echo "$line"
}
row() { # LABEL JQ_EXPR : the mean over rounds of each server's figure, and each Kickoff's ratio to the peer.
  local s v p line
  line=$(printf '%-44s' "$1")
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
  echo "Kickoff: kickoff serve (memory mode), JVM options: ${SERVE_JAVA_OPTS:-none}; peer: node $PEER_NODE_OPTS peer/server.js"
  echo "$DEVICES devices, $CLIENTS client process(es) of kickoff simulate (--format json; proto for kickoff-proto), $BROADCASTS broadcasts per server, $ROUNDS round(s) (figures: mean over rounds)"
  echo
  header
  row "server CPU per delivered update, us" '.cpu_per_update_us'
  row "  cold (broadcast 1), us" '.cold.cpu_per_update_us'
  row "  steady (broadcasts $STEADY_FROM..$BROADCASTS), us" '.steady.cpu_per_update_us'
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
  echo
  echo "Per run (latency: issued_at -> device receipt; CPU: server process, trigger -> every ack counted)"
  jq -r 'def r1: if . == null then "-" else (. * 10 | round / 10 | tostring) end;
    .[] | "\(.server) round \(.round): connected \(.welcomed)/\(.devices) in \(.connect_ms) ms; delivered \(.delivered)/\(.expected); server counted \(.acks) acks, \(.redeliveries) redeliveries; devices saw \(.duplicates) duplicates\(if .complete then "" else "; NOT every device got every broadcast" end)",
    (.broadcasts[] | "  \(.seq) \(.stage | . + " " * (10 - length)) reached \(.reached)  p50 \(.p50_ms | r1) ms  p99 \(.p99_ms | r1) ms  100 % \(.time_to_100_ms | r1) ms  trigger->100 % \(.trigger_to_100_ms | r1) ms  CPU \(.cpu_us / 1000 | round) ms in \(.window_ms) ms (\(.cpu_us / ([.reached, 1] | max) | . * 10 | round / 10) us/update)")' "$RUN/phases.json"
  echo
  echo "details: $RUN (phases.json; per server and round: phase.json, client-N.json, logs)"
} > "$SUMMARY"
mkdir -p "$RESULTS_DIR"
cp "$SUMMARY" "$RESULTS_DIR/side-by-side-latest.txt"
cat "$SUMMARY"
# Exit status 0 only if every device of every run connected and got every broadcast.
jq -e 'all(.[]; .complete)' "$RUN/phases.json" >/dev/null
