#!/usr/bin/env bash
# HTTP/2 benchmark: h2load against nginx (listen ... ssl http2, proxy_pass to an HTTP/1.1 backend) and Caravan (h2
# by ALPN, the caravan-proxy template to the same backend), same certificate, same backend, same run, interleaved
# rounds, medians, caravan/nginx ratio; plus HTTP/1.1 over TLS through both (h2load --h1), for h2 vs HTTP/1.1
# through Caravan. See bench/README.md.
#
# Environment: ROUNDS (5), DURATION (10 s), CLIENTS (10 h2 connections) × STREAMS (5 each), H1_CLIENTS (50
#              HTTP/1.1 connections: the same 50 requests in flight), WARMUP (3 s: nginx),
#              CARAVAN_WARMUP (20 s: Caravan's JIT compiler; HTTP/2's larger code takes longest),
#              NGINX_WORKERS (= CARAVAN_THREADS), CARAVAN_THREADS (nproc), BACKEND_PORT (18090),
#              NGINX_PORT (18091), CARAVAN_PORT (18092), CARAVAN_HTTP_PORT (18093)
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-10}
H1_CLIENTS=${H1_CLIENTS:-50}
STREAMS=${STREAMS:-5}
WARMUP=${WARMUP:-3}
CARAVAN_WARMUP=${CARAVAN_WARMUP:-20}
CARAVAN_THREADS=${CARAVAN_THREADS:-$(nproc)}
export NGINX_WORKERS=${NGINX_WORKERS:-$CARAVAN_THREADS}
BACKEND_PORT=${BACKEND_PORT:-18090}
NGINX_PORT=${NGINX_PORT:-18091}
CARAVAN_PORT=${CARAVAN_PORT:-18092}
CARAVAN_HTTP_PORT=${CARAVAN_HTTP_PORT:-18093}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

require_jar
install_missing nginx:nginx h2load:nghttp2-client curl:curl openssl:openssl
require_ports_free "$BACKEND_PORT" "$NGINX_PORT" "$CARAVAN_PORT" "$CARAVAN_HTTP_PORT"
start_run caravan-h2-bench "-h2"

# --- one certificate for both --------------------------------------------------------------
bench_certificate "$WORK/certs"

# --- backend: nginx serving 1 KiB over HTTP/1.1 ---------------------------------------------
mkdir -p "$WORK/www"
head -c 1024 /dev/zero | tr '\0' 'x' >"$WORK/www/1k.txt"
NGINX_WORKERS=1 start_nginx backend "
    server {
        listen 127.0.0.1:$BACKEND_PORT;
        root $WORK/www;
        default_type text/plain;
    }"
BACKEND_PID=$NGINX_PID

# --- nginx: HTTP/2 over TLS (1.22: listen ... http2), proxying over kept HTTP/1.1 connections -----------
start_nginx proxy "
    upstream bench_backend {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT ssl http2;
        ssl_certificate $WORK/certs/bench.crt;
        ssl_certificate_key $WORK/certs/bench.key;
        ssl_protocols TLSv1.3 TLSv1.2;
        http2_max_concurrent_streams 128;
        keepalive_requests 1000000;
        location / {
            proxy_pass http://bench_backend;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }
    }"
PROXY_PID=$NGINX_PID

# --- Caravan: the same certificate on its https listener, h2c on its http listener ----------
mkdir -p "$WORK/routes"
cat >"$WORK/routes/bench.yaml" <<YAML
- templatedRoute:
    routeTemplateRef: caravan-proxy
    routeId: bench
    parameters:
      - name: listener
        value: http,https
      - name: backends
        value: "http://127.0.0.1:$BACKEND_PORT"
YAML
CARAVAN_LOG="$WORK/caravan.log"
CARAVAN_ARGS="--caravan.https.port=$CARAVAN_PORT --caravan.tls.certs=$WORK/certs --caravan.http.h2c=true
    --caravan.io.threads=$CARAVAN_THREADS --caravan.client.maxRequestsPerConnection=0 --caravan.accessLog.enabled=false"
start_caravan "$CARAVAN_HTTP_PORT" "$WORK/routes" "$CARAVAN_LOG"

wait_http "http://127.0.0.1:$BACKEND_PORT/1k.txt" "$BACKEND_PID" "backend nginx" 20
wait_http "http://127.0.0.1:$CARAVAN_HTTP_PORT/1k.txt" "$CARAVAN_PID" "Caravan" 60
log "targets up (Caravan pid $CARAVAN_PID, $CARAVAN_THREADS event loops; nginx $NGINX_WORKERS workers)"

# correctness before load: each protocol is the one asked for, and the body is the file
for t in nginx caravan; do
    port=$NGINX_PORT; [[ $t == caravan ]] && port=$CARAVAN_PORT
    v=$(curl -sk --http2 -o "$WORK/$t.body" -w '%{http_version}' "https://127.0.0.1:$port/1k.txt")
    [[ "$v" == 2 ]] || die "$t did not answer over HTTP/2 (got $v)"
    cmp -s "$WORK/$t.body" "$WORK/www/1k.txt" || die "$t's body differs from the file"
    v=$(curl -sk --http1.1 -o /dev/null -w '%{http_version}' "https://127.0.0.1:$port/1k.txt")
    [[ "$v" == 1.1 ]] || die "$t did not answer over HTTP/1.1 (got $v)"
done
v=$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_version}' "http://127.0.0.1:$CARAVAN_HTTP_PORT/1k.txt")
[[ "$v" == 2 ]] || die "Caravan's h2c did not answer over HTTP/2 (got $v)"
log "curl: HTTP/2 and HTTP/1.1 over TLS from both, h2c prior knowledge from Caravan"

# scenario -> h2load arguments
declare -A ARGS=(
    [h2]="-c$CLIENTS -m$STREAMS"
    [h1]="--h1 -c$H1_CLIENTS"
)
run_h2load() { # scenario target duration outfile
    local port=$NGINX_PORT
    [[ $2 == caravan ]] && port=$CARAVAN_PORT
    # shellcheck disable=SC2086
    h2load ${ARGS[$1]} -t1 -D "$3" --warm-up-time=1 "https://127.0.0.1:$port/1k.txt" >"$4" 2>&1 ||
        log "h2load against $2 ($1) exited with status $? (see $4)"
}

log "warm-up per scenario: ${WARMUP}s for nginx, ${CARAVAN_WARMUP}s for Caravan"
for s in h2 h1; do
    run_h2load "$s" nginx "$WARMUP" "$RESULTS/warmup-$s-nginx.txt"
    run_h2load "$s" caravan "$CARAVAN_WARMUP" "$RESULTS/warmup-$s-caravan.txt"
done

printf 'round\tscenario\ttarget\treq_per_sec\tfailed\tmean_ms\n' >"$RESULTS/rounds.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
    for s in h2 h1; do
        for t in nginx caravan; do
            out="$RESULTS/round$r-$s-$t.txt"
            run_h2load "$s" "$t" "$DURATION" "$out"
            read -r rps failed mean < <(parse_h2load "$out")
            printf '%d\t%s\t%s\t%s\t%s\t%s\n' "$r" "$s" "$t" "$rps" "$failed" "$mean" >>"$RESULTS/rounds.tsv"
            log "round $r/$ROUNDS $(printf '%-3s %-8s' "$s" "$t") $(printf '%9.0f req/s  mean %6.2f ms  failed %s' "$rps" "$mean" "$failed")"
        done
    done
done

cp "$CARAVAN_LOG" "$RESULTS/caravan.log"
col() { awk -F'\t' -v s="$1" -v t="$2" -v c="$3" 'NR > 1 && $2 == s && $3 == t { print $c }' "$RESULTS/rounds.tsv"; }
{
    echo "Caravan HTTP/2 benchmark $(date -Iseconds)"
    machine_info
    echo "h2load: $(h2load --version | head -1)"
    echo "h2load -t1, h2: -c$CLIENTS -m$STREAMS; h1: --h1 -c$H1_CLIENTS; ${DURATION}s per run, $ROUNDS rounds (interleaved)"
    echo "TLS 1.3, one EC P-256 certificate for both; 1 KiB body from an nginx backend over kept HTTP/1.1 connections"
    echo "nginx: $NGINX_WORKERS workers, listen ssl http2; Caravan: $CARAVAN_THREADS event loops, -Xmx256m"
    echo
    printf '%-4s %14s %14s %8s %12s %12s\n' proto "nginx req/s" "caravan req/s" ratio "nginx fail" "car. fail"
    for s in h2 h1; do
        n=$(col "$s" nginx 4 | median); c=$(col "$s" caravan 4 | median)
        nf=$(col "$s" nginx 5 | paste -sd+ | bc); cf=$(col "$s" caravan 5 | paste -sd+ | bc)
        printf '%-4s %14.0f %14.0f %8s %12s %12s\n' "$s" "$n" "$c" "$(ratio "$c" "$n")" "$nf" "$cf"
    done
    echo
    echo "Caravan h2/h1 throughput: $(ratio "$(col h2 caravan 4 | median)" "$(col h1 caravan 4 | median)")"
    echo "nginx   h2/h1 throughput: $(ratio "$(col h2 nginx 4 | median)" "$(col h1 nginx 4 | median)")"
    caravan_log_warnings "$CARAVAN_LOG" "$RESULTS/caravan.log"
} | tee "$RESULTS/summary.txt"
