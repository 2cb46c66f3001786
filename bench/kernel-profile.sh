#!/usr/bin/env bash
# Where the kernel time goes, nginx against Caravan under the same 1 KiB keep-alive load: `perf record -e cpu-clock -g`
# of the nginx proxy's worker and of Caravan's JVM, 10 s each, with the involuntary context switches each took. Same
# topology as run.sh (origin and proxy on CPU 0, wrk on CPU 1; nginx 1 worker, Caravan 1 event loop).
#
# Needs perf and kernel stacks: kernel.perf_event_paranoid at 1 or lower. This script does not change it; as root,
# `sysctl kernel.perf_event_paranoid=1` before and `=2` (or what it was) after. See bench/README.md, "Sixth pass".
# Environment: CONNECTIONS (50), RECORD (10 s), BACKEND_PORT (18480), NGINX_PORT (18481), CARAVAN_PORT (18482)
set -euo pipefail

CONNECTIONS=${CONNECTIONS:-50}
RECORD=${RECORD:-10}
BACKEND_PORT=${BACKEND_PORT:-18480}
NGINX_PORT=${NGINX_PORT:-18481}
CARAVAN_PORT=${CARAVAN_PORT:-18482}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

command -v perf >/dev/null || die "perf is not installed (apt-get install linux-perf)"
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
((paranoid <= 1)) || die "kernel.perf_event_paranoid is $paranoid: kernel stacks need 1 or lower (see the header)"
install_missing nginx:nginx wrk:wrk curl:curl
require_jar
require_ports_free "$BACKEND_PORT" "$NGINX_PORT" "$CARAVAN_PORT"
pinning 1
start_run caravan-kprof "-kprof"
machine_info >"$RESULTS/summary.txt"

start_origin "$BACKEND_PORT"
start_nginx_proxy "$NGINX_PORT" "$BACKEND_PORT"
proxy_route_file "$WORK/routes" "http://127.0.0.1:$BACKEND_PORT"
CARAVAN_ARGS="--caravan.io.threads=1 --caravan.client.maxRequestsPerConnection=100000 --caravan.accessLog.enabled=false"
start_caravan "$CARAVAN_PORT" "$WORK/routes" "$WORK/caravan.log"
wait_http "http://127.0.0.1:$NGINX_PORT/" "$PROXY_PID" nginx 30
wait_http "http://127.0.0.1:$CARAVAN_PORT/" "$CARAVAN_PID" Caravan 60
WORKER=$(pgrep -P "$PROXY_PID" | head -1)

log "warm-up: 30 s of load on Caravan"
$LOAD_CPU wrk -t2 -c"$CONNECTIONS" -d30s "http://127.0.0.1:$CARAVAN_PORT/" >/dev/null

switches() { awk '/^nonvoluntary_ctxt_switches/ { s += $2 } END { print s }' /proc/"$1"/task/*/status; }
for target in "nginx $NGINX_PORT $WORKER" "caravan $CARAVAN_PORT $CARAVAN_PID"; do
    read -r name port pid <<<"$target"
    $LOAD_CPU wrk -t2 -c"$CONNECTIONS" -d$((RECORD + 6))s "http://127.0.0.1:$port/" >"$RESULTS/$name.wrk" &
    load=$!
    sleep 3
    read -r u0 s0 < <(cpu_ticks "$pid")
    c0=$(switches "$pid")
    perf record -q -e cpu-clock -g -p "$pid" -o "$RESULTS/$name.perf" -- sleep "$RECORD" 2>/dev/null || true
    c1=$(switches "$pid")
    read -r u1 s1 < <(cpu_ticks "$pid")
    wait "$load"
    read -r rps _ _ < <(parse_wrk "$RESULTS/$name.wrk")
    requests=$(awk -v r="$rps" -v s="$RECORD" 'BEGIN { printf "%d", r * s }')
    (perf report -q -i "$RESULTS/$name.perf" --no-children --sort symbol -g none 2>/dev/null | head -40 \
        >"$RESULTS/$name.top") || true
    printf '%-8s %9s req/s  CPU %5s us/req (user %s, system %s)  involuntary switches %s in %s s (%s per request)\n' \
        "$name" "$rps" "$(cpu_us_per_request $((u1 + s1 - u0 - s0)) "$requests")" \
        "$(cpu_us_per_request $((u1 - u0)) "$requests")" "$(cpu_us_per_request $((s1 - s0)) "$requests")" \
        "$((c1 - c0))" "$RECORD" "$(awk -v c=$((c1 - c0)) -v n="$requests" 'BEGIN { printf "%.2f", c / n }')" \
        | tee -a "$RESULTS/summary.txt"
    grep -v '^#' "$RESULTS/$name.top" | grep -v '^$' | head -6 | tee -a "$RESULTS/summary.txt"
done
log "perf data, top symbols and summary: $RESULTS"
