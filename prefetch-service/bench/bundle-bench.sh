#!/usr/bin/env bash
# Bundle HTTP throughput and latency of the prefetch service, side by side with nginx serving the
# same bytes from disk. Needs nginx and wrk (apt-get install -y nginx wrk), jq and curl.
# Parameters (environment): TITLES SEGMENTS EVENTS (synthetic catalog, default 100000 50 20),
# CONNECTIONS (64), DURATION (15s), THREADS (2).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/launcher/target/kickoff.jar"
TITLES=${TITLES:-100000}; SEGMENTS=${SEGMENTS:-50}; EVENTS=${EVENTS:-20}
CONNECTIONS=${CONNECTIONS:-64}; DURATION=${DURATION:-15s}; THREADS=${THREADS:-2}
LSM_PORT=9100; PREFETCH_PORT=9102; NGINX_PORT=9103
for tool in nginx wrk jq curl java; do
  command -v "$tool" >/dev/null || { echo "bundle-bench: $tool is required (apt-get install -y nginx wrk jq curl)" >&2; exit 2; }
done
[[ -f "$JAR" ]] || "$ROOT/kickoff" --help >/dev/null
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

log "publishing a synthetic catalog: $TITLES titles, $SEGMENTS segments, $EVENTS events"
java -jar "$JAR" catalog publish --dir "$RUN/blobs" --synthetic "$TITLES,$SEGMENTS,$EVENTS" >&2
java -jar "$JAR" kafka --bootstrap-file "$RUN/kafka" >"$RUN/kafka.log" 2>&1 & PIDS+=($!)
await 120 test -s "$RUN/kafka"
KAFKA="$(cat "$RUN/kafka")"
java -Xmx256m -jar "$JAR" lsm --kafka "$KAFKA" --port "$LSM_PORT" --admin-token bench >"$RUN/lsm.log" 2>&1 & PIDS+=($!)
java -Xms1g -Xmx1g -XX:+UseParallelGC -jar "$JAR" prefetch --kafka "$KAFKA" --catalog-dir "$RUN/blobs" \
  --port "$PREFETCH_PORT" >"$RUN/prefetch.log" 2>&1 & PIDS+=($!)
await 120 curl -sf "http://127.0.0.1:$LSM_PORT/healthz"
await 120 curl -sf "http://127.0.0.1:$PREFETCH_PORT/readyz"

log "creating $EVENTS events and moving them to PREFETCH"
for ((e = 0; e < EVENTS; e++)); do
  curl -sf -o /dev/null -H 'Authorization: Bearer bench' -H 'Content-Type: application/json' \
    -d "{\"id\":\"ev$e\",\"title\":\"Event $e\",\"scheduled_start\":\"2099-01-01T00:00:00Z\"}" "http://127.0.0.1:$LSM_PORT/v1/events"
  curl -sf -o /dev/null -H 'Authorization: Bearer bench' -H 'Content-Type: application/json' \
    -d '{"to":"PREFETCH"}' "http://127.0.0.1:$LSM_PORT/v1/events/ev$e/transitions"
done
URL="http://127.0.0.1:$PREFETCH_PORT/v1/bundles?segment=s0"
# A segment gets a bundle for each event whose title its maturity ceiling allows: wait until the
# count is positive and has not changed for three polls in a row.
echo -1 >"$RUN/count"; echo 0 >"$RUN/stable"
settled() {
  local now; now=$(curl -sf -H 'Accept: application/json' "$URL" | jq length)
  if [[ "$now" -gt 0 && "$now" == "$(cat "$RUN/count")" ]]; then echo $(( $(cat "$RUN/stable") + 1 )) >"$RUN/stable"; else echo 0 >"$RUN/stable"; fi
  echo "$now" >"$RUN/count"
  [[ "$(cat "$RUN/stable")" -ge 3 ]]
}
await 120 settled
COUNT=$(cat "$RUN/count")

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
KICKOFF=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H 'X-Priority: critical' "$URL")
NGINX=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$NGINX_PORT/bundles.bin")
rps() { echo "$1" | awk '/Requests\/sec/ {print $2}'; }
pct() { echo "$1" | awk -v p="$2" '$1 == p {print $2}'; }
K=$(rps "$KICKOFF"); N=$(rps "$NGINX")
echo "bundle list for segment s0: $COUNT bundles, $BYTES bytes (protobuf; catalog $TITLES titles, $SEGMENTS segments, $EVENTS events)"
printf '%-22s %12s %10s %10s\n' server requests/s p50 p99
printf '%-22s %12s %10s %10s\n' "kickoff prefetch" "$K" "$(pct "$KICKOFF" 50%)" "$(pct "$KICKOFF" 99%)"
printf '%-22s %12s %10s %10s\n' "nginx (file on disk)" "$N" "$(pct "$NGINX" 50%)" "$(pct "$NGINX" 99%)"
awk -v k="$K" -v n="$N" 'BEGIN {printf "ratio kickoff/nginx: %.2f\n", k / n}'
