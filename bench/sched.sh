#!/usr/bin/env bash
# Who holds the proxy's core under the 1 KiB keep-alive load, and for how long at a time: one target (Caravan, the
# bare Netty floor or nginx) runs alone with the origin on CPU 0 and wrk on CPU 1, as in run.sh; after a warm-up,
# `perf record -e sched:sched_switch` traces CPU 0 for a few seconds of the load. Prints wrk's latency distribution and,
# per task on the core, its runs (count, CPU ms a second, median, p99 and longest run), then every run over LONG_MS.
# A tail latency that a proxy's CPU cost does not explain shows here: long runs of its event loop, or other threads
# (the JIT, the collector) taking the core. See bench/README.md, "Eighteenth pass".
#
# Environment: TARGET (caravan | floor | nginx), WARMUP (30s), DURATION (12s of load), TRACE (3: seconds traced,
#              from 3 s into the load), CONNECTIONS (50), LONG_MS (3), BACKEND_PORT (18395), PROXY_PORT (18396)
# Needs perf with the sched tracepoints (root, or kernel.perf_event_paranoid <= -1).
set -euo pipefail

TARGET=${TARGET:-caravan}
WARMUP=${WARMUP:-30s}
DURATION=${DURATION:-12s}
TRACE=${TRACE:-3}
CONNECTIONS=${CONNECTIONS:-50}
LONG_MS=${LONG_MS:-3}
BACKEND_PORT=${BACKEND_PORT:-18395}
PROXY_PORT=${PROXY_PORT:-18396}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

install_missing nginx:nginx wrk:wrk curl:curl python3:python3 perf:linux-perf
require_ports_free "$BACKEND_PORT" "$PROXY_PORT"
perf record -e sched:sched_switch -C 0 -o /dev/null -- true >/dev/null 2>&1 ||
    die "perf cannot trace sched:sched_switch here (needs root or kernel.perf_event_paranoid <= -1)"
pinning 1
start_run caravan-sched "-sched-$TARGET"

start_origin "$BACKEND_PORT"
case "$TARGET" in
caravan)
    require_jar
    proxy_route_file "$WORK/routes" "http://127.0.0.1:$BACKEND_PORT"
    CARAVAN_ARGS="--caravan.io.threads=1 --caravan.client.maxRequestsPerConnection=100000 \
        --caravan.accessLog.enabled=false ${CARAVAN_ARGS:-}"
    start_caravan "$PROXY_PORT" "$WORK/routes" "$RESULTS/caravan.log"
    PID=$CARAVAN_PID
    ;;
floor)
    require_jar
    start_floor http "$PROXY_PORT" "$BACKEND_PORT" "$RESULTS/floor.log"
    PID=$FLOOR_PID
    ;;
nginx)
    WARMUP=${NGINX_WARMUP:-3s}
    start_nginx_proxy "$PROXY_PORT" "$BACKEND_PORT"
    PID=$PROXY_PID
    ;;
*) die "TARGET must be caravan, floor or nginx" ;;
esac
wait_http "http://127.0.0.1:$PROXY_PORT/" "$PID" "$TARGET" 60

log "warm-up $WARMUP"
$LOAD_CPU wrk -t2 -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$PROXY_PORT/" >"$RESULTS/warmup.txt" 2>&1
log "load $DURATION, CPU 0 traced for ${TRACE}s from 3 s in"
(sleep 3 && perf record -e sched:sched_switch -C 0 -o "$RESULTS/sched.data" -- sleep "$TRACE" >/dev/null 2>&1) &
tracer=$!
$LOAD_CPU wrk --latency -t2 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$PROXY_PORT/" >"$RESULTS/load.txt" 2>&1
wait "$tracer" || die "perf record failed"
perf script -i "$RESULTS/sched.data" -F time,event,trace >"$RESULTS/switches.txt" 2>/dev/null

{
    echo "Caravan scheduler trace $(date -Iseconds), target $TARGET"
    machine_info
    echo "pinned: ${PROXY_CPU:-no} (origin, $TARGET), ${LOAD_CPU:-no} (wrk -t2 -c$CONNECTIONS -d$DURATION)"
    echo "load: $(awk '/Requests\/sec/ { print $2 }' "$RESULTS/load.txt") req/s; latency $(awk '/^ +(50|75|90|99)%/ { printf "p%s %s  ", $1, $2 }' "$RESULTS/load.txt" | tr -d '%')"
    python3 "$BENCH_DIR/sched.py" "$RESULTS/switches.txt" "$LONG_MS"
    echo "raw output: $RESULTS"
} | tee "$RESULTS/summary.txt"
