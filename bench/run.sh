#!/usr/bin/env bash
# Throughput/latency benchmark: wrk against a 1 KiB nginx backend directly, through an nginx
# reverse proxy, and through Caravan, interleaved over several rounds. See bench/README.md.
#
# Environment: ROUNDS (5), DURATION (10s), CONNECTIONS (50), THREADS (2), WARMUP (5s),
#              BACKEND_PORT (18080), NGINX_PORT (18081), CARAVAN_PORT (18082)
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5s}
BACKEND_PORT=${BACKEND_PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18081}
CARAVAN_PORT=${CARAVAN_PORT:-18082}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

require_jar
install_missing nginx:nginx wrk:wrk curl:curl
require_ports_free "$BACKEND_PORT" "$NGINX_PORT" "$CARAVAN_PORT"

start_run caravan-bench ""

# --- backend: nginx returning exactly 1024 bytes ------------------------------------------
BODY=$(printf 'x%.0s' $(seq 1 1023))   # 1023 'x' + the newline below = 1024 bytes
start_nginx backend "
    server {
        listen 127.0.0.1:$BACKEND_PORT;
        default_type text/plain;
        location / { return 200 \"$BODY\n\"; }
    }"
BACKEND_PID=$NGINX_PID

# --- nginx reverse proxy -------------------------------------------------------------------
start_nginx proxy "
    upstream bench_backend {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://bench_backend;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }
    }"
PROXY_PID=$NGINX_PID

# --- Caravan -------------------------------------------------------------------------------
mkdir -p "$WORK/routes"
cat >"$WORK/routes/bench.yaml" <<EOF
- templatedRoute:
    routeTemplateRef: caravan-proxy
    routeId: bench-proxy
    parameters:
      - name: path
        value: /
      - name: backends
        value: "http://127.0.0.1:$BACKEND_PORT"
EOF
CARAVAN_LOG="$WORK/caravan.log"
start_caravan "$CARAVAN_PORT" "$WORK/routes" "$CARAVAN_LOG"

wait_http "http://127.0.0.1:$BACKEND_PORT/" "$BACKEND_PID" "backend nginx" 20
wait_http "http://127.0.0.1:$NGINX_PORT/" "$PROXY_PID" "nginx proxy" 20
wait_http "http://127.0.0.1:$CARAVAN_PORT/" "$CARAVAN_PID" "Caravan" 60
log "all three targets answer 200 (Caravan pid $CARAVAN_PID, RSS after start $(mib "$(rss_kib "$CARAVAN_PID")") MiB)"

NAMES=(direct nginx caravan)
declare -A PORT=([direct]=$BACKEND_PORT [nginx]=$NGINX_PORT [caravan]=$CARAVAN_PORT)

for name in "${NAMES[@]}"; do
    size=$(curl -s -o /dev/null -w '%{size_download}' "http://127.0.0.1:${PORT[$name]}/")
    [[ "$size" == 1024 ]] || die "$name returned $size bytes instead of 1024"
done

run_wrk() { # name duration outfile
    wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$2" "http://127.0.0.1:${PORT[$1]}/" >"$3" 2>&1 ||
        log "wrk against $1 exited with status $? (see $3)"
}

log "warm-up: $WARMUP per target"
for name in "${NAMES[@]}"; do
    run_wrk "$name" "$WARMUP" "$RESULTS/warmup-$name.txt"
done

: >"$RESULTS/rounds.tsv"
printf 'round\ttarget\treq_per_sec\tp99_ms\terrors\n' >>"$RESULTS/rounds.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
    for name in "${NAMES[@]}"; do
        out="$RESULTS/round$r-$name.txt"
        run_wrk "$name" "$DURATION" "$out"
        read -r rps p99 err < <(parse_wrk "$out")
        printf '%d\t%s\t%s\t%s\t%s\n' "$r" "$name" "$rps" "$p99" "$err" >>"$RESULTS/rounds.tsv"
        log "round $r/$ROUNDS $(printf '%-8s' "$name") $(printf '%10.0f req/s  p99 %8.2f ms  errors %d' "$rps" "$p99" "$err")"
    done
done

RSS_KIB=$(rss_kib "$CARAVAN_PID")
HWM_KIB=$(awk '/^VmHWM:/ {print $2}' "/proc/$CARAVAN_PID/status" 2>/dev/null || true)
cp "$CARAVAN_LOG" "$RESULTS/caravan.log"

col() { awk -F'\t' -v t="$1" -v c="$2" 'NR > 1 && $2 == t { print $c }' "$RESULTS/rounds.tsv"; }
declare -A MED_RPS MED_P99 TOT_ERR
for name in "${NAMES[@]}"; do
    MED_RPS[$name]=$(col "$name" 3 | median)
    MED_P99[$name]=$(col "$name" 4 | median)
    TOT_ERR[$name]=$(col "$name" 5 | awk '{ s += $1 } END { print s + 0 }')
done

{
    echo "Caravan benchmark $(date -Iseconds)"
    machine_info
    echo "wrk --latency -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds (interleaved), warm-up $WARMUP, 1 KiB response"
    echo
    printf '%-10s %12s %10s %14s %16s\n' target "req/s (med)" "p99 ms" "errors (sum)" "req/s vs direct"
    for name in "${NAMES[@]}"; do
        printf '%-10s %12.0f %10.2f %14d %16s\n' "$name" "${MED_RPS[$name]}" "${MED_P99[$name]}" "${TOT_ERR[$name]}" \
            "$(ratio "${MED_RPS[$name]}" "${MED_RPS[direct]}")"
    done
    echo
    echo "nginx-proxy/direct throughput ratio: $(ratio "${MED_RPS[nginx]}" "${MED_RPS[direct]}")"
    echo "caravan/direct throughput ratio: $(ratio "${MED_RPS[caravan]}" "${MED_RPS[direct]}")"
    echo "Caravan RSS after the runs: $(mib "${RSS_KIB:-0}") MiB (peak VmHWM $(mib "${HWM_KIB:-0}") MiB, -Xmx256m)"
    if ((TOT_ERR[caravan] + TOT_ERR[nginx] + TOT_ERR[direct] > 0)); then
        echo "WARNING: wrk reported errors; see $RESULTS/round*-*.txt"
    fi
    caravan_log_warnings "$CARAVAN_LOG" "$RESULTS/caravan.log"
    echo "raw wrk output: $RESULTS"
    echo "caravan/nginx p99 ratio: $(ratio "${MED_P99[caravan]}" "${MED_P99[nginx]}")"
    echo "caravan/nginx throughput ratio: $(ratio "${MED_RPS[caravan]}" "${MED_RPS[nginx]}")"
} | tee "$RESULTS/summary.txt"
