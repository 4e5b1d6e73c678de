# Sourced by the scripts that need a running prefetch node with bundles to serve
# (prefetch-service/bench/bundle-bench.sh, load-tests/run-bundles.sh): publishes a synthetic
# catalog, runs a development Kafka broker, a Live State Manager and one prefetch node, moves the
# catalog's events to PREFETCH through the admin API and waits until segments list their bundles.
#
# The caller defines log and await (await SECONDS COMMAND...: polls a readiness condition), an
# array PIDS (processes started here are appended, for the caller's clean-up) and these settings:
#   RUN            working directory (blobs, logs)
#   KICKOFF        command that runs kickoff, e.g. "java -jar launcher/target/kickoff.jar"
#   TITLES SEGMENTS EVENTS   size of the synthetic catalog
#   LSM_PORT PREFETCH_PORT ADMIN_TOKEN
#   PREFETCH_JAVA_OPTS       JVM flags of the prefetch node (optional)
#   PREFETCH_ARGS            more options of kickoff prefetch (optional)

# prefetch_stack_start: everything up to "every event is in PREFETCH".
prefetch_stack_start() {
  log "publishing a synthetic catalog ($TITLES titles, $SEGMENTS segments, $EVENTS events); logs in $RUN"
  $KICKOFF catalog publish --dir "$RUN/blobs" --synthetic "$TITLES,$SEGMENTS,$EVENTS" >&2
  $KICKOFF kafka --bootstrap-file "$RUN/kafka" >"$RUN/kafka.log" 2>&1 & PIDS+=($!)
  await 120 test -s "$RUN/kafka"
  local kafka
  kafka="$(cat "$RUN/kafka")"
  KICKOFF_JAVA_OPTS="-Xmx256m ${KICKOFF_JAVA_OPTS:-}" \
    $KICKOFF lsm --kafka "$kafka" --port "$LSM_PORT" --admin-token "$ADMIN_TOKEN" >"$RUN/lsm.log" 2>&1 & PIDS+=($!)
  # shellcheck disable=SC2086 # PREFETCH_ARGS are words on purpose
  KICKOFF_JAVA_OPTS="${PREFETCH_JAVA_OPTS:--Xmx512m} ${KICKOFF_JAVA_OPTS:-}" \
    $KICKOFF prefetch --kafka "$kafka" --catalog-dir "$RUN/blobs" --port "$PREFETCH_PORT" ${PREFETCH_ARGS:-} \
    >"$RUN/prefetch.log" 2>&1 & PIDS+=($!)
  await 120 curl -sf "http://127.0.0.1:$LSM_PORT/healthz"
  await 120 curl -sf "http://127.0.0.1:$PREFETCH_PORT/readyz"

  log "creating $EVENTS events and moving them to PREFETCH"
  local e
  for ((e = 0; e < EVENTS; e++)); do
    curl -sf -o /dev/null -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
      -d "{\"id\":\"ev$e\",\"title\":\"Event $e\",\"scheduled_start\":\"2099-01-01T00:00:00Z\"}" \
      "http://127.0.0.1:$LSM_PORT/v1/events"
    curl -sf -o /dev/null -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
      -d '{"to":"PREFETCH"}' "http://127.0.0.1:$LSM_PORT/v1/events/ev$e/transitions"
  done
}

# prefetch_stack_settled SEGMENT: true once the segment's bundle count is positive and unchanged for
# three polls in a row (a segment gets a bundle for each event whose title its maturity ceiling
# allows, materialized one by one). The count is in $RUN/settle-SEGMENT.
prefetch_stack_settled() {
  local url="http://127.0.0.1:$PREFETCH_PORT/v1/bundles?segment=$1" state="$RUN/settle-$1" now last stable
  now=$(curl -sf -H 'Accept: application/json' "$url" | jq length)
  [[ -f "$state" ]] || echo "-1 0" >"$state"
  read -r last stable <"$state"
  if [[ "$now" -gt 0 && "$now" == "$last" ]]; then stable=$((stable + 1)); else stable=0; fi
  echo "$now $stable" >"$state"
  [[ "$stable" -ge 3 ]]
}

# prefetch_stack_count SEGMENT: the bundle count the last poll saw.
prefetch_stack_count() {
  cut -d' ' -f1 "$RUN/settle-$1"
}
