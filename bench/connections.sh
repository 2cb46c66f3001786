#!/usr/bin/env bash
# Many connections at equal cores: nginx (1 worker) and Caravan (1 event loop) in front of the same 1 KiB origin hold
# IDLE mostly idle keep-alive clients (bench/idle_clients.py: a request every ~INTERVAL s each) while wrk drives
# ACTIVE busy ones. Per target and round: p99 with 50 and with ACTIVE connections alone, then with the idle crowd
# added, and the proxy's RSS before and after the crowd. See bench/README.md.
#
# Environment: ROUNDS (3), DURATION (8s), IDLE (9800), ACTIVE (200), INTERVAL (20), THREADS (2), WARMUP (3s: nginx),
#              CARAVAN_WARMUP (20s: the JIT shares Caravan's core),
#              PIN (1), BACKEND_PORT (18580), NGINX_PORT (18581), CARAVAN_PORT (18582)
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8s}
IDLE=${IDLE:-9800}
ACTIVE=${ACTIVE:-200}
INTERVAL=${INTERVAL:-20}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-3s}
CARAVAN_WARMUP=${CARAVAN_WARMUP:-20s}
PIN=${PIN:-1}
BACKEND_PORT=${BACKEND_PORT:-18580}
NGINX_PORT=${NGINX_PORT:-18581}
CARAVAN_PORT=${CARAVAN_PORT:-18582}
export NGINX_WORKERS=1 NGINX_WORKER_CONNECTIONS=$((IDLE + ACTIVE + 1000))

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

require_jar
install_missing nginx:nginx wrk:wrk curl:curl python3:python3
require_ports_free "$BACKEND_PORT" "$NGINX_PORT" "$CARAVAN_PORT"
ulimit -n "$(ulimit -Hn)"
(($(ulimit -n) > IDLE + ACTIVE + 500)) || die "open-file limit $(ulimit -n) is too low for $IDLE + $ACTIVE connections"
pinning "$PIN"

start_run caravan-connections "-connections"

BODY=$(printf 'x%.0s' $(seq 1 1023))
start_nginx backend "
    server {
        listen 127.0.0.1:$BACKEND_PORT;
        default_type text/plain;
        location / { return 200 \"$BODY\n\"; }
    }"
BACKEND_PID=$NGINX_PID
start_nginx proxy "
    upstream bench_backend {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT backlog=4096;
        location / {
            proxy_pass http://bench_backend;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }
    }"
PROXY_PID=$NGINX_PID

proxy_route_file "$WORK/routes" "http://127.0.0.1:$BACKEND_PORT"
CARAVAN_ARGS="--caravan.io.threads=1 --caravan.client.maxRequestsPerConnection=100000 --caravan.accessLog.enabled=false \
    ${CARAVAN_ARGS:-}"
start_caravan "$CARAVAN_PORT" "$WORK/routes" "$RESULTS/caravan.log"
wait_http "http://127.0.0.1:$BACKEND_PORT/" "$BACKEND_PID" "backend nginx" 20
wait_http "http://127.0.0.1:$NGINX_PORT/" "$PROXY_PID" "nginx proxy" 20
wait_http "http://127.0.0.1:$CARAVAN_PORT/" "$CARAVAN_PID" Caravan 60

NAMES=(nginx caravan)
declare -A PORT=([nginx]=$NGINX_PORT [caravan]=$CARAVAN_PORT)
declare -A PIDS=([nginx]=$PROXY_PID [caravan]=$CARAVAN_PID)

# rss_tree PID — KiB of RSS of a process and its children (nginx's worker holds the connections)
rss_tree() {
    local total=0 p r
    for p in "$1" $(pgrep -P "$1" || true); do
        r=$(rss_kib "$p"); total=$((total + ${r:-0}))
    done
    echo "$total"
}

wrk_p99() { # name connections duration outfile
    $LOAD_CPU wrk --latency -t"$THREADS" -c"$2" -d"$3" "http://127.0.0.1:${PORT[$1]}/" >"$4" 2>&1 || true
    parse_wrk "$4"
}

log "warm-up: nginx $WARMUP, Caravan $CARAVAN_WARMUP"
wrk_p99 nginx "$ACTIVE" "$WARMUP" "$RESULTS/warmup-nginx.txt" >/dev/null
wrk_p99 caravan "$ACTIVE" "$CARAVAN_WARMUP" "$RESULTS/warmup-caravan.txt" >/dev/null

printf 'round\ttarget\tp99_50\tp99_active\tp99_active_idle\trps_active\trps_active_idle\terrors\trss_before_kib\trss_idle_kib\trss_after_kib\tidle_open\n' \
    >"$RESULTS/rounds.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
    for name in "${NAMES[@]}"; do
        read -r _ p50 e1 < <(wrk_p99 "$name" 50 "$DURATION" "$RESULTS/round$r-$name-50.txt")
        read -r rps_a pa e2 < <(wrk_p99 "$name" "$ACTIVE" "$DURATION" "$RESULTS/round$r-$name-active.txt")
        rss_before=$(rss_tree "${PIDS[$name]}")
        $LOAD_CPU python3 "$BENCH_DIR/idle_clients.py" 127.0.0.1 "${PORT[$name]}" "$IDLE" "$INTERVAL" \
            >"$RESULTS/round$r-$name-idle.txt" 2>&1 &
        holder=$!
        for ((i = 0; i < 600; i++)); do
            grep -q '^open' "$RESULTS/round$r-$name-idle.txt" && break
            kill -0 "$holder" 2>/dev/null || break
            sleep 0.2
        done
        opened=$(awk '/^open/ { print $2 }' "$RESULTS/round$r-$name-idle.txt")
        rss_idle=$(rss_tree "${PIDS[$name]}")
        read -r rps_ai pai e3 < <(wrk_p99 "$name" "$ACTIVE" "$DURATION" "$RESULTS/round$r-$name-active-idle.txt")
        rss_after=$(rss_tree "${PIDS[$name]}")
        kill -TERM "$holder" 2>/dev/null || true
        wait "$holder" 2>/dev/null || true
        errors=$((e1 + e2 + e3))
        printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n' "$r" "$name" "$p50" "$pa" "$pai" "$rps_a" "$rps_ai" \
            "$errors" "$rss_before" "$rss_idle" "$rss_after" "${opened:-0}" >>"$RESULTS/rounds.tsv"
        log "round $r $(printf '%-8s' "$name") p99 ms: 50 conns $p50, $ACTIVE $pa, $ACTIVE + ${opened:-0} idle $pai; RSS $(mib "$rss_before") -> $(mib "$rss_after") MiB; errors $errors"
        sleep 2   # let the closed crowd's sockets go
    done
done

col() { awk -F'\t' -v t="$1" -v k="$2" 'NR > 1 && $2 == t { print $k }' "$RESULTS/rounds.tsv"; }
{
    echo "Caravan connections benchmark $(date -Iseconds)"
    machine_info
    echo "pinned: ${PROXY_CPU:-no} (origin, proxies), ${LOAD_CPU:-no} (wrk, idle clients); $IDLE idle clients (a request every ~${INTERVAL}s each), $ACTIVE active (wrk -t$THREADS -d$DURATION), $ROUNDS rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
    printf '%-8s %10s %10s %14s %12s %14s %14s %8s %10s\n' target "p99 50c" "p99 ${ACTIVE}c" "p99 +idle" "req/s ${ACTIVE}c" "req/s +idle" "RSS growth MiB" errors "idle open"
    for name in "${NAMES[@]}"; do
        growth=$(paste <(col "$name" 9) <(col "$name" 11) | awk '{ print ($2 - $1) / 1024 }' | median)
        printf '%-8s %10.2f %10.2f %14.2f %12.0f %14.0f %14.1f %8d %10s\n' "$name" "$(col "$name" 3 | median)" \
            "$(col "$name" 4 | median)" "$(col "$name" 5 | median)" "$(col "$name" 6 | median)" "$(col "$name" 7 | median)" \
            "$growth" "$(col "$name" 8 | awk '{ s += $1 } END { print s + 0 }')" "$(col "$name" 12 | median)"
    done
    for name in "${NAMES[@]}"; do
        echo "$name: p99 with the idle crowd / p99 at 50 connections: $(ratio "$(col "$name" 5 | median)" "$(col "$name" 3 | median)"); / p99 at $ACTIVE alone: $(ratio "$(col "$name" 5 | median)" "$(col "$name" 4 | median)")"
    done
    caravan_log_warnings "$RESULTS/caravan.log" "$RESULTS/caravan.log"
    echo "raw output: $RESULTS"
} | tee "$RESULTS/summary.txt"
