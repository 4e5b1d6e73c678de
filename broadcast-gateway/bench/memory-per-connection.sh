#!/usr/bin/env bash
# Heap and RSS per idle device connection of `kickoff serve` (see README.md, "Memory per connection").
#   broadcast-gateway/bench/memory-per-connection.sh [DEVICES] [LABEL]
# Starts `kickoff serve` (JVM options: JAVA_OPTS, default none; the jar as `./kickoff` builds it),
# reads the live heap (class histogram after a full GC), G1's used heap after `GC.run` and VmRSS,
# connects DEVICES idle JSON devices with `kickoff simulate` (2,000 per second, 4,000 per source
# address), waits until the gateway counts them all, waits 5 s, reads the same again and prints
# the differences per connection. Writes both histograms to results/memory-<LABEL>/. NMT=1 adds
# a native-memory diff (give JAVA_OPTS=-XX:NativeMemoryTracking=summary).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="${JAR:-$ROOT/launcher/target/kickoff.jar}"
N="${1:-10000}"; LABEL="${2:-$(date +%Y%m%d-%H%M%S)}"
OUT="$ROOT/broadcast-gateway/bench/results/memory-$LABEL"; mkdir -p "$OUT"
PORT="${BASE_PORT:-9301}"
export KICKOFF_TOKEN_SECRET=memory-bench-secret-memory-bench-secret
[[ "${BUILD:-1}" == 1 ]] && "$ROOT/kickoff" --version >/dev/null
# shellcheck disable=SC2086 # JAVA_OPTS are words on purpose
java ${JAVA_OPTS:-} -jar "$JAR" serve --gateway-port "$PORT" --admin-port $((PORT + 1)) --bundle-port $((PORT + 2)) \
  >"$OUT/server.log" 2>&1 &
SPID=$!; CPID=""
trap '[[ -n "$CPID" ]] && kill "$CPID" 2>/dev/null; kill "$SPID" 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/readyz" && break; sleep 1; done
sleep 3
connections() { curl -sf "http://127.0.0.1:$PORT/metrics" | awk '$1 ~ "^kickoff_gateway_connections({|$)" { print int($NF) }'; }
g1_used() { jcmd "$SPID" GC.run >/dev/null; jcmd "$SPID" GC.heap_info | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { sub("K", "", $(i + 1)); print $(i + 1); exit } }'; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$SPID/status"; }
cpu_ms() { local st; st=$(<"/proc/$SPID/stat"); st=${st##*) }; set -- $st; echo $(( (${12} + ${13}) * 1000 / $(getconf CLK_TCK) )); }
h0=$(g1_used); jcmd "$SPID" GC.class_histogram >"$OUT/histo-before.txt"; r0=$(rss)
[[ -n "${NMT:-}" ]] && jcmd "$SPID" VM.native_memory baseline >/dev/null
cpu0=$(cpu_ms)
SRC=""; for ((a = 0; a < (N + 3999) / 4000; a++)); do SRC+="${SRC:+,}127.0.0.$((2 + a))"; done
java -jar "$JAR" simulate --gateway "ws://127.0.0.1:$PORT" --devices "$N" --id-prefix d- --source-addresses "$SRC" \
  --format json --connects-per-second 2000 >"$OUT/client.log" 2>&1 &
CPID=$!
for _ in $(seq 1 180); do [[ "$(connections)" -ge "$N" ]] 2>/dev/null && break; sleep 1; done
rc=$(rss); cpu1=$(cpu_ms)
sleep 5
c=$(connections)
h1=$(g1_used); jcmd "$SPID" GC.class_histogram >"$OUT/histo-after.txt"; r1=$(rss)
[[ -n "${NMT:-}" ]] && jcmd "$SPID" VM.native_memory summary.diff >"$OUT/nmt-diff.txt"
t0=$(awk '$1 == "Total" { print $3 }' "$OUT/histo-before.txt"); t1=$(awk '$1 == "Total" { print $3 }' "$OUT/histo-after.txt")
(( c > 0 )) || { echo "no device connected; see $OUT" >&2; exit 1; }
{
  echo "$c connections, JVM options: ${JAVA_OPTS:-none}"
  echo "live heap (class histogram): $((t0 / 1024)) -> $((t1 / 1024)) KiB: $(( (t1 - t0) / c )) B per connection"
  echo "G1 used after GC.run: $h0 -> $h1 KiB: $(( (h1 - h0) * 1024 / c )) B per connection"
  echo "RSS: $r0 KiB -> $rc KiB (all connected) -> $r1 KiB (after 5 s and two full GCs): $(( (r1 - r0) * 1024 / c )) B per connection"
  echo "server CPU while the devices connected: $((cpu1 - cpu0)) ms"
} | tee "$OUT/summary.txt"
