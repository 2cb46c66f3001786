#!/usr/bin/env bash
# What a request costs Caravan besides CPU time, against bench/NettyFloor.java (Netty's codecs on the same JVM): system
# calls, context switches (the proxy's and the origin's, on the same core) and bytes allocated, per request, under the
# 1 KiB keep-alive load. Each proxy runs alone on CPU 0 with the origin, wrk on CPU 1. See bench/README.md.
#
# Environment: ROUNDS (2), DURATION (6s), WARMUP (20s), CONNECTIONS (50), CLOSE (0; 1: Connection: close),
#              BACKEND_PORT (18390), CARAVAN_PORT (18391), FLOOR_PORT (18392)
# System calls need perf with the syscall tracepoints (root, or kernel.perf_event_paranoid <= -1); without them that
# column is left out.
set -euo pipefail

ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-6s}
WARMUP=${WARMUP:-20s}
CONNECTIONS=${CONNECTIONS:-50}
BACKEND_PORT=${BACKEND_PORT:-18390}
CARAVAN_PORT=${CARAVAN_PORT:-18391}
FLOOR_PORT=${FLOOR_PORT:-18392}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

require_jar
install_missing nginx:nginx wrk:wrk curl:curl
require_ports_free "$BACKEND_PORT" "$CARAVAN_PORT" "$FLOOR_PORT"
pinning 1
start_run caravan-floor-costs "-floorcosts"

start_origin "$BACKEND_PORT"
proxy_route_file "$WORK/routes" "http://127.0.0.1:$BACKEND_PORT"
CARAVAN_ARGS="--caravan.io.threads=1 --caravan.client.maxRequestsPerConnection=100000 --caravan.accessLog.enabled=false"
start_caravan "$CARAVAN_PORT" "$WORK/routes" "$RESULTS/caravan.log"
start_floor http "$FLOOR_PORT" "$BACKEND_PORT" "$RESULTS/floor.log"
wait_http "http://127.0.0.1:$BACKEND_PORT/" "$BACKEND_PID" origin 20
wait_http "http://127.0.0.1:$CARAVAN_PORT/" "$CARAVAN_PID" Caravan 60
wait_http "http://127.0.0.1:$FLOOR_PORT/" "$FLOOR_PID" floor 60
ORIGIN_WORKER=$(pgrep -P "$BACKEND_PID" | head -1)

extra=()
[[ ${CLOSE:-0} == 1 ]] && extra=(-H 'Connection: close')
load() { $LOAD_CPU wrk -t2 -c"$CONNECTIONS" -d"$2" "${extra[@]}" "http://127.0.0.1:$1/" >"$3" 2>&1; }
switches() { # PID: voluntary and involuntary context switches of all its threads so far
    awk '/^voluntary_ctxt/ { v += $2 } /^nonvoluntary_ctxt/ { n += $2 } END { print v + 0, n + 0 }' \
        /proc/"$1"/task/*/status
}
allocated_kib() { # PID: KiB allocated so far, as far as jstat tells (young collections x eden, plus eden in use)
    jstat -gc "$1" | awk 'NR == 2 { for (i = 1; i <= NF; i++) if (h[i] == "EC") ec = $i; else if (h[i] == "EU") eu = $i;
        else if (h[i] == "YGC") ygc = $i; printf "%.0f\n", ygc * ec + eu } NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i }'
}
SYSCALLS=0
if command -v perf >/dev/null && perf stat -e raw_syscalls:sys_enter -p "$CARAVAN_PID" -- sleep 0.1 >/dev/null 2>&1; then
    SYSCALLS=1
fi

log "warm-up $WARMUP each"
load "$CARAVAN_PORT" "$WARMUP" "$RESULTS/warmup-caravan.txt"
load "$FLOOR_PORT" "$WARMUP" "$RESULTS/warmup-floor.txt"

printf 'round\tproxy\treq_per_sec\tcpu_us\tsyscalls\tpreempted\tblocked\torigin_switches\talloc_bytes\n' \
    >"$RESULTS/rounds.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
    for name in caravan floor; do
        pid=$CARAVAN_PID port=$CARAVAN_PORT
        [[ $name == floor ]] && pid=$FLOOR_PID port=$FLOOR_PORT
        out="$RESULTS/round$r-$name.txt"
        read -r v0 n0 < <(switches "$pid")
        read -r ov0 on0 < <(switches "$ORIGIN_WORKER")
        read -r u0 s0 < <(cpu_ticks "$pid")
        a0=$(allocated_kib "$pid")
        if [[ $SYSCALLS == 1 ]]; then
            perf stat -x, -e raw_syscalls:sys_enter -p "$pid" -o "$RESULTS/round$r-$name.perf" -- sleep "${DURATION%s}" &
            perf_pid=$!
        fi
        load "$port" "$DURATION" "$out"
        [[ $SYSCALLS == 1 ]] && wait "$perf_pid"
        a1=$(allocated_kib "$pid")
        read -r u1 s1 < <(cpu_ticks "$pid")
        read -r ov1 on1 < <(switches "$ORIGIN_WORKER")
        read -r v1 n1 < <(switches "$pid")
        n=$(wrk_requests "$out")
        read -r rps _ < <(parse_wrk "$out")
        calls=NaN
        [[ $SYSCALLS == 1 ]] && calls=$(awk -F, -v n="$n" '/raw_syscalls/ { printf "%.2f", $1 / n }' "$RESULTS/round$r-$name.perf")
        awk -v r="$r" -v p="$name" -v rps="$rps" -v cpu="$(cpu_us_per_request $((u1 + s1 - u0 - s0)) "$n")" -v c="$calls" \
            -v pre=$((n1 - n0)) -v blk=$((v1 - v0)) -v o=$((ov1 + on1 - ov0 - on0)) -v a=$((a1 - a0)) -v n="$n" \
            'BEGIN { printf "%d\t%s\t%s\t%s\t%s\t%.3f\t%.3f\t%.3f\t%.0f\n", r, p, rps, cpu, c, pre / n, blk / n, o / n, a * 1024 / n }' \
            >>"$RESULTS/rounds.tsv"
    done
done

col() { awk -F'\t' -v p="$1" -v c="$2" 'NR > 1 && $2 == p { print $c }' "$RESULTS/rounds.tsv" | median; }
{
    machine_info
    echo "1 KiB keep-alive${CLOSE:+ (CLOSE=$CLOSE)}, $CONNECTIONS connections, $ROUNDS rounds of $DURATION, medians, per request:"
    printf '%-8s %9s %8s %9s %10s %8s %14s %12s\n' proxy "req/s" "CPU us" syscalls preempted blocked "origin switch" "allocated B"
    for p in caravan floor; do
        printf '%-8s %9.0f %8s %9s %10s %8s %14s %12s\n' "$p" "$(col "$p" 3)" "$(col "$p" 4)" "$(col "$p" 5)" \
            "$(col "$p" 6)" "$(col "$p" 7)" "$(col "$p" 8)" "$(col "$p" 9)"
    done
    echo "rounds: $RESULTS/rounds.tsv"
} | tee "$RESULTS/summary.txt"
