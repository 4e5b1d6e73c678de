#!/usr/bin/env bash
# Bundle HTTP throughput and latency of the prefetch service, side by side with nginx serving the
# same bytes from disk. Needs nginx and wrk (apt-get install -y nginx wrk), jq and curl.
# Parameters (environment): TITLES SEGMENTS EVENTS (synthetic catalog, default 100000 50 20),
# CONNECTIONS (64), DURATION (15s), THREADS (2).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TITLES=${TITLES:-100000}; SEGMENTS=${SEGMENTS:-50}; EVENTS=${EVENTS:-20}
CONNECTIONS=${CONNECTIONS:-64}; DURATION=${DURATION:-15s}; THREADS=${THREADS:-2}
LSM_PORT=9100; PREFETCH_PORT=9102; NGINX_PORT=9103; ADMIN_TOKEN=bench
KICKOFF="$ROOT/kickoff"; PREFETCH_JAVA_OPTS="-Xms1g -Xmx1g -XX:+UseParallelGC"
for tool in nginx wrk jq curl java; do
  command -v "$tool" >/dev/null || { echo "bundle-bench: $tool is required (apt-get install -y nginx wrk jq curl)" >&2; exit 2; }
done
"$ROOT/kickoff" --help >/dev/null   # builds the jar if it is missing or stale
RUN="$(mktemp -d /tmp/kickoff-bundle-bench.XXXXXX)"
chmod 755 "$RUN"   # nginx workers may run as another user
PIDS=()
cleanup() {
  [[ -f "$RUN/nginx.pid" ]] && kill "$(cat "$RUN/nginx.pid")" 2>/dev/null || true
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM
log() { echo "$(date +%T) bundle-bench: $*" >&2; }
await() { # await SECONDS COMMAND...
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do (( SECONDS < deadline )) || { log "timed out: $*"; exit 1; }; sleep 0.5; done
}
# shellcheck source=prefetch-stack.sh
source "$ROOT/prefetch-service/bench/prefetch-stack.sh"

prefetch_stack_start
await 120 prefetch_stack_settled s0
COUNT=$(prefetch_stack_count s0)
URL="http://127.0.0.1:$PREFETCH_PORT/v1/bundles?segment=s0"

mkdir -p "$RUN/www"
curl -sf "$URL" -o "$RUN/www/bundles.bin"   # protobuf, the devices' default
BYTES=$(stat -c %s "$RUN/www/bundles.bin")
cat >"$RUN/nginx.conf" <<CONF
worker_processes auto;
pid $RUN/nginx.pid;
error_log $RUN/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $RUN/tmp; proxy_temp_path $RUN/tmp; fastcgi_temp_path $RUN/tmp; uwsgi_temp_path $RUN/tmp; scgi_temp_path $RUN/tmp;
  server { listen 127.0.0.1:$NGINX_PORT; root $RUN/www; default_type application/x-protobuf; etag on; }
}
CONF
mkdir -p "$RUN/tmp"
nginx -c "$RUN/nginx.conf"
await 30 curl -sf "http://127.0.0.1:$NGINX_PORT/bundles.bin"

log "warming up"
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -H 'X-Priority: critical' "$URL" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "http://127.0.0.1:$NGINX_PORT/bundles.bin" >/dev/null
log "measuring: $THREADS threads, $CONNECTIONS connections, $DURATION each, $BYTES bytes per response"
KICKOFF_RESULT=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H 'X-Priority: critical' "$URL")
NGINX=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$NGINX_PORT/bundles.bin")
rps() { echo "$1" | awk '/Requests\/sec/ {print $2}'; }
pct() { echo "$1" | awk -v p="$2" '$1 == p {print $2}'; }
K=$(rps "$KICKOFF_RESULT"); N=$(rps "$NGINX")
echo "bundle list for segment s0: $COUNT bundles, $BYTES bytes (protobuf; catalog $TITLES titles, $SEGMENTS segments, $EVENTS events)"
printf '%-22s %12s %10s %10s\n' server requests/s p50 p99
printf '%-22s %12s %10s %10s\n' "kickoff prefetch" "$K" "$(pct "$KICKOFF_RESULT" 50%)" "$(pct "$KICKOFF_RESULT" 99%)"
printf '%-22s %12s %10s %10s\n' "nginx (file on disk)" "$N" "$(pct "$NGINX" 50%)" "$(pct "$NGINX" 99%)"
awk -v k="$K" -v n="$N" 'BEGIN {printf "ratio kickoff/nginx: %.2f\n", k / n}'
