# shellcheck shell=bash
# Shell functions shared by broadcast-bench.sh and side-by-side.sh; sourced, not run.
#
# The sourcing script sets RUN (its run directory) before it starts processes, and, for api(),
# ADMIN_PORT and ADMIN_TOKEN; JAR for start(); BENCH_NAME for its messages.

JAR="${JAR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/launcher/target/kickoff.jar}"

log() { printf '%s %s: %s\n' "$(date +%H:%M:%S)" "${BENCH_NAME:-bench}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- processes and clean-up
PIDS=()
NAMES=()
LAST_PID=
# spawn NAME LOG CMD... : runs CMD in the background, output to LOG; its pid is LAST_PID.
spawn() {
  local name="$1" logfile="$2"
  shift 2
  "$@" >"$logfile" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  NAMES+=("$name")
}
# start NAME LOG JAVA_OPTS ARGS... : runs the kickoff jar in the background, output to LOG.
start() {
  local name="$1" logfile="$2" opts="$3"
  shift 3
  # shellcheck disable=SC2086 # JAVA_OPTS are words on purpose
  spawn "$name" "$logfile" java $opts -jar "$JAR" "$@"
}

# start_server NAME LOG ARGS... : runs a Kickoff server command as a user does, through the repository's
# kickoff script, so that the JVM options it chooses apply; SERVE_JAVA_OPTS, when set, come after them
# (KICKOFF_JAVA_OPTS). The script and env exec, so LAST_PID is the JVM's own pid.
start_server() {
  local name="$1" logfile="$2" root
  shift 2
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  if [[ -n "${SERVE_JAVA_OPTS:-}" ]]; then
    spawn "$name" "$logfile" env KICKOFF_JAVA_OPTS="$SERVE_JAVA_OPTS" "$root/kickoff" "$@"
  else
    spawn "$name" "$logfile" env -u KICKOFF_JAVA_OPTS "$root/kickoff" "$@"
  fi
}

# stop_pid PID NAME : SIGTERM, then SIGKILL if it is still there after 20 s; reaps it.
stop_pid() {
  local pid="$1" name="$2" deadline
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; forget_pid "$pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 20))
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) did not stop within 20 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}
# forget_pid PID : a reaped process's pid may be reused by another process: never signal it again.
forget_pid() {
  local i
  for i in "${!PIDS[@]}"; do
    [[ "${PIDS[i]}" == "$1" ]] && unset 'PIDS[i]' 'NAMES[i]'
  done
  PIDS=("${PIDS[@]}"); NAMES=("${NAMES[@]}")
}

# stop_pids NAME PID... : stop_pid for several processes at once: SIGTERM to all, then SIGKILL to those
# still there after 20 s; reaps them. Several gateways drain at the same time rather than one by one.
stop_pids() {
  local name="$1" pid deadline alive
  shift
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  deadline=$((SECONDS + 20))
  while (( SECONDS < deadline )); do
    alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    (( alive )) || break
    sleep 0.1
  done
  for pid in "$@"; do
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) did not stop within 20 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    forget_pid "$pid"
  done
}

# Every process started, newest first (clients before the servers they use).
stop_all() {
  local i pids=("${PIDS[@]}") names=("${NAMES[@]}")
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    stop_pid "${pids[i]}" "${names[i]}"
  done
  wait 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if (( ${#PIDS[@]} > 0 )); then
    log "stopping the processes this run started"
    stop_all
  fi
  [[ -n "${RUN:-}" ]] && log "logs and reports: $RUN"
  exit "$rc"
}
install_cleanup() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# wait_until WHAT TIMEOUT_S PID CMD... : polls CMD every $POLL s until it succeeds; fails if PID dies or
# time runs out. Polls that read client reports use POLL=1: the script's own CPU use (jq on 2 cores)
# would otherwise show up in the figures it measures.
POLL=0.2
wait_until() {
  local what="$1" timeout="$2" pid="$3"
  shift 3
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      die "$what: the process (pid $pid) exited; see its log in $RUN"
    fi
    (( SECONDS < deadline )) || die "timed out after ${timeout}s waiting for $what"
    sleep "$POLL"
  done
}

# ---------------------------------------------------------------- measurements
# Live heap of a JVM in KiB: the total of `jcmd PID GC.class_histogram`, which runs a full collection and
# then counts only reachable objects. (jstat's used columns, read a moment after a GC, also count whatever
# the gateway allocated in between, several MiB of noise.)
heap_used_kb() {
  jcmd "$1" GC.class_histogram | awk '$1 == "Total" { printf "%.0f\n", $3 / 1024 }'
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
# CPU time of a process, all its threads (dead ones included), user + system, in microseconds:
# fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends the command name.
# Plain bash, no awk: it is read for every server process before and after every broadcast.
CLK_TCK=$(getconf CLK_TCK)
cpu_us() {
  local stat f
  stat=$(<"/proc/$1/stat")
  read -r -a f <<< "${stat##*) }"
  echo $(( (f[11] + f[12]) * 1000000 / CLK_TCK ))
}
# tree_cpu_us PID : cpu_us of PID and of its live descendants (`kickoff kafka` runs the broker in a child
# JVM). Walks /proc without a subshell per level, so the walk's own processes never join the tree.
tree_cpu_us() {
  local queue=("$1") pid total=0 f kids seen=0
  while (( ${#queue[@]} > 0 && seen < 64 )); do
    pid=${queue[0]}; queue=("${queue[@]:1}"); seen=$((seen + 1))
    [[ -r "/proc/$pid/stat" ]] || continue
    total=$(( total + $(cpu_us "$pid" 2>/dev/null || echo 0) ))
    for f in /proc/"$pid"/task/*/children; do
      kids=()
      read -r -a kids < "$f" 2>/dev/null || true
      queue+=("${kids[@]}")
    done
  done
  echo "$total"
}
# A gateway's metric from /metrics (Prometheus text), as a whole number.
metric() {
  curl -sf "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 ~ "^"m"(\\{|$)" { printf "%.0f\n", $NF; found = 1 } END { if (!found) print "" }'
}
metric_or_0() { local v; v=$(metric "$1" "$2" || true); echo "${v:-0}"; }

api() { # PATH JSON [METHOD] -> HTTP status; body in $RUN/api.json
  curl -sS -o "$RUN/api.json" -w '%{http_code}' -X "${3:-POST}" -H "Authorization: Bearer $ADMIN_TOKEN" \
    -H 'Content-Type: application/json' -d "$2" "http://127.0.0.1:$ADMIN_PORT$1"
}

# ---------------------------------------------------------------- simulated-device clients
# client_sources N FIRST PER_ADDRESS : the source addresses of a client of N devices, 127.0.0.FIRST and up,
# at most PER_ADDRESS devices each, comma-separated.
client_sources() {
  local n="$1" first="$2" per="$3" a sources=""
  for ((a = 0; a < (n + per - 1) / per; a++)); do sources+="${sources:+,}127.0.0.$((first + a))"; done
  echo "$sources"
}

# Clients of the current phase: their pids and --report-json files, in the same order.
CLIENT_PIDS=()
CLIENT_REPORTS=()
# True once every client has finished connecting (all welcomed, or given up) or exited.
clients_connected() {
  local c
  for ((c = 0; c < ${#CLIENT_PIDS[@]}; c++)); do
    if kill -0 "${CLIENT_PIDS[c]}" 2>/dev/null; then
      [[ -s "${CLIENT_REPORTS[c]}" ]] && [[ "$(jq -r .phase "${CLIENT_REPORTS[c]}")" != connecting ]] || return 1
    fi
  done
}
# True once every live client has reported on seq $1.
clients_reported() {
  local c
  for ((c = 0; c < ${#CLIENT_PIDS[@]}; c++)); do
    if kill -0 "${CLIENT_PIDS[c]}" 2>/dev/null; then
      # grep, not jq: parsing it every 0.2 s while a broadcast lands would take CPU from the devices.
      # The client writes the file whole (compact JSON with --report-latencies, else pretty-printed).
      grep -Eq "\"seq\" ?: ?$1," "${CLIENT_REPORTS[c]}" || return 1
    fi
  done
}

# merge_reports OUT ARGS... : `kickoff merge-reports ARGS --output OUT`: the clients' reports merged into
# delivery figures, per broadcast and steady (see README.md): devices reached, p50/p99 (nearest rank over
# the merged HdrHistograms of every device's latency, 3 significant digits), max, time to 100 % (the slowest
# client's, each from the issued_at its devices got), last_at_us (when the last device of all clients had
# it), trigger -> 100 % (from --triggered-at SEQ=EPOCH_US), steady medians. The arithmetic is Java's.
MERGE_JAVA_OPTS="${MERGE_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
merge_reports() {
  local out="$1"
  shift
  # shellcheck disable=SC2086 # JAVA_OPTS are words on purpose
  java $MERGE_JAVA_OPTS -jar "$JAR" merge-reports --output "$out" "$@" >&2 \
    || die "kickoff merge-reports could not merge the clients' reports; see above"
}

fmt() { if [[ "$1" == null || -z "$1" ]]; then echo "-"; else printf '%.1f' "$1"; fi; }
