#!/usr/bin/env bash
# WebSocket benchmark: echo round trips through nginx (proxy_pass with Upgrade/Connection) and Caravan (the
# caravan-proxy template) to the same Netty echo backend, same run, interleaved rounds, medians, caravan/nginx
# ratios of messages/s and latency. The client is the JDK's WebSocket client (bench/WsLoad.java): CONNECTIONS
# sockets, each sending a message and waiting for its echo before the next. See bench/README.md.
#
# Environment: ROUNDS (5), DURATION (10 s), CONNECTIONS (50), SIZE (128 bytes), WARMUP (3 s),
#              NGINX_WORKERS (= CARAVAN_THREADS), CARAVAN_THREADS (nproc), BACKEND_PORT (18094),
#              NGINX_PORT (18095), CARAVAN_PORT (18096)
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-50}
SIZE=${SIZE:-128}
WARMUP=${WARMUP:-3}
CARAVAN_THREADS=${CARAVAN_THREADS:-$(nproc)}
export NGINX_WORKERS=${NGINX_WORKERS:-$CARAVAN_THREADS}
BACKEND_PORT=${BACKEND_PORT:-18094}
NGINX_PORT=${NGINX_PORT:-18095}
CARAVAN_PORT=${CARAVAN_PORT:-18096}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

require_jar
install_missing nginx:nginx curl:curl
require_ports_free "$BACKEND_PORT" "$NGINX_PORT" "$CARAVAN_PORT"
start_run caravan-ws-bench "-websocket"

# --- backend: a Netty echo server, run from the Caravan jar's classpath -----------------------
java -Xmx128m -cp "$JAR" "$BENCH_DIR/WsEcho.java" "$BACKEND_PORT" >"$WORK/echo.log" 2>&1 &
ECHO_PID=$!
STARTED_PIDS+=("$ECHO_PID")

start_nginx proxy "
    upstream bench_backend {
        server 127.0.0.1:$BACKEND_PORT;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://bench_backend;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \"upgrade\";
            proxy_read_timeout 3600s;
        }
    }"
PROXY_PID=$NGINX_PID

mkdir -p "$WORK/routes"
cat >"$WORK/routes/bench.yaml" <<YAML
- templatedRoute:
    routeTemplateRef: caravan-proxy
    routeId: bench
    parameters:
      - name: backends
        value: "http://127.0.0.1:$BACKEND_PORT"
YAML
CARAVAN_LOG="$WORK/caravan.log"
CARAVAN_ARGS="--caravan.https.enabled=false --caravan.io.threads=$CARAVAN_THREADS"
start_caravan "$CARAVAN_PORT" "$WORK/routes" "$CARAVAN_LOG"

for i in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$BACKEND_PORT") 2>/dev/null && break; sleep 0.2; done
# the echo backend answers a plain GET with 400 (not a handshake): up means "answers"
for i in $(seq 1 300); do
    kill -0 "$CARAVAN_PID" 2>/dev/null || die "Caravan exited"
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$CARAVAN_PORT/" || true) == 400 ]] && break
    sleep 0.2
done
log "targets up (Caravan pid $CARAVAN_PID, $CARAVAN_THREADS event loops; nginx $NGINX_WORKERS workers)"

# correctness before load: both carry an echo end to end
for t in nginx caravan; do
    port=$NGINX_PORT; [[ $t == caravan ]] && port=$CARAVAN_PORT
    read -r rate _ _ errors < <(java -cp "$JAR" "$BENCH_DIR/WsLoad.java" "ws://127.0.0.1:$port/" 1 1 "$SIZE")
    [[ "$errors" == 0 && "${rate%.*}" -gt 0 ]] || die "$t does not echo ($rate msg/s, $errors errors)"
done

run_load() { # target seconds outfile
    local port=$NGINX_PORT
    [[ $1 == caravan ]] && port=$CARAVAN_PORT
    java -Xmx256m -cp "$JAR" "$BENCH_DIR/WsLoad.java" "ws://127.0.0.1:$port/" "$CONNECTIONS" "$2" "$SIZE" >"$3" 2>&1 ||
        log "load against $1 exited with status $? (see $3)"
}

log "warm-up: ${WARMUP}s per target"
for t in nginx caravan; do run_load "$t" "$WARMUP" "$RESULTS/warmup-$t.txt"; done

printf 'round\ttarget\tmessages_per_sec\tp50_us\tp99_us\terrors\n' >"$RESULTS/rounds.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
    for t in nginx caravan; do
        out="$RESULTS/round$r-$t.txt"
        run_load "$t" "$DURATION" "$out"
        read -r rate p50 p99 errors < <(grep -v '^error' "$out" | tail -1)
        printf '%d\t%s\t%s\t%s\t%s\t%s\n' "$r" "$t" "$rate" "$p50" "$p99" "$errors" >>"$RESULTS/rounds.tsv"
        log "round $r/$ROUNDS $(printf '%-8s' "$t") $(printf '%8.0f msg/s  p50 %6.0f us  p99 %6.0f us  errors %s' "$rate" "$p50" "$p99" "$errors")"
    done
done

cp "$CARAVAN_LOG" "$RESULTS/caravan.log"
col() { awk -F'\t' -v t="$1" -v c="$2" 'NR > 1 && $2 == t { print $c }' "$RESULTS/rounds.tsv"; }
{
    echo "Caravan WebSocket benchmark $(date -Iseconds)"
    machine_info
    echo "$CONNECTIONS sockets, one $SIZE-byte text message in flight per socket, ${DURATION}s per run, $ROUNDS rounds (interleaved)"
    echo "nginx: $NGINX_WORKERS workers, proxy_pass with Upgrade; Caravan: $CARAVAN_THREADS event loops, -Xmx256m"
    echo
    printf '%-8s %12s %10s %10s %8s\n' target "msg/s" "p50 us" "p99 us" errors
    for t in nginx caravan; do
        printf '%-8s %12.0f %10.0f %10.0f %8s\n' "$t" "$(col "$t" 3 | median)" "$(col "$t" 4 | median)" \
            "$(col "$t" 5 | median)" "$(col "$t" 6 | paste -sd+ | bc)"
    done
    echo
    echo "caravan/nginx messages/s: $(ratio "$(col caravan 3 | median)" "$(col nginx 3 | median)")"
    echo "caravan/nginx p50 latency: $(ratio "$(col caravan 4 | median)" "$(col nginx 4 | median)")"
    echo "caravan/nginx p99 latency: $(ratio "$(col caravan 5 | median)" "$(col nginx 5 | median)")"
    caravan_log_warnings "$CARAVAN_LOG" "$RESULTS/caravan.log"
} | tee "$RESULTS/summary.txt"
