#!/usr/bin/env bash
# Cache and compression benchmark: wrk against nginx (proxy_cache hits; gzip on) and Caravan (caravan-cache hits;
# caravan-compress) in the same run, interleaved rounds, medians, caravan/nginx ratios and CPU per request. Equal
# cores as run.sh: nginx 1 worker, Caravan CARAVAN_THREADS event loops, both proxies and the origin pinned to CPU 0 and
# wrk to CPU 1 (PIN=1, on a machine with 2 or more CPUs). See bench/README.md.
#
# Environment: ROUNDS (5), DURATION (10s), CONNECTIONS (50), THREADS (2), WARMUP (5s), CARAVAN_WARMUP (20s),
#              CARAVAN_THREADS (1), PIN (1), SENDFILE_DIR (/dev/shm when it is tmpfs; empty: Caravan keeps every
#              cached body in direct memory),
#              BACKEND_PORT (18080), NGINX_PORT (18081), CARAVAN_PORT (18082), NGINX_GZIP_PORT (18083)
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5s}
CARAVAN_WARMUP=${CARAVAN_WARMUP:-20s}
CARAVAN_THREADS=${CARAVAN_THREADS:-1}
PIN=${PIN:-1}
BACKEND_PORT=${BACKEND_PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18081}
CARAVAN_PORT=${CARAVAN_PORT:-18082}
NGINX_GZIP_PORT=${NGINX_GZIP_PORT:-18083}
# Caravan's counterpart of nginx's "sendfile on" below: large cached bodies in files on a memory filesystem
if [[ -z "${SENDFILE_DIR+set}" ]]; then
    SENDFILE_DIR=""
    [[ "$(stat -f -c %T /dev/shm 2>/dev/null || true)" == tmpfs ]] && SENDFILE_DIR=/dev/shm
fi

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

require_jar
install_missing nginx:nginx wrk:wrk curl:curl
require_ports_free "$BACKEND_PORT" "$NGINX_PORT" "$CARAVAN_PORT" "$NGINX_GZIP_PORT"
pinning "$PIN"

start_run caravan-cache-bench "-cache"
# nginx's cache files on the same memory filesystem as Caravan's (a disk's page cache costs nginx an open per hit more)
NGINX_CACHE_DIR="$WORK/proxy/cache"
if [[ -n $SENDFILE_DIR ]]; then
    NGINX_CACHE_DIR=$(mktemp -d "$SENDFILE_DIR/caravan-bench-nginx-cache.XXXXXX")
    chmod 755 "$NGINX_CACHE_DIR"
    CLEANUP_DIRS+=("$NGINX_CACHE_DIR")
fi

# --- backend: nginx serving three files, cacheable for an hour ------------------------------
mkdir -p "$WORK/www"
head -c 1024 /dev/zero | tr '\0' 'x' >"$WORK/www/1k.txt"
head -c 102400 /dev/zero | tr '\0' 'y' >"$WORK/www/100k.txt"
# 32 KiB of text that compresses like real pages (about 1:5), not like a run of one letter
for i in $(seq 1 800); do printf 'line %05d: caravan compresses what is worth it, %s\n' "$i" "$((i * 7919 % 10007))"; done \
    >"$WORK/www/text.txt"
truncate -s 32768 "$WORK/www/text.txt"
start_nginx backend "
    sendfile on;
    server {
        listen 127.0.0.1:$BACKEND_PORT;
        root $WORK/www;
        default_type text/plain;
        add_header Cache-Control \"max-age=3600\";
    }"
BACKEND_PID=$NGINX_PID

# --- nginx: proxy_cache (buffers sized for the 100 KiB body), and gzip on -------------------
start_nginx proxy "
    sendfile on;
    proxy_cache_path $NGINX_CACHE_DIR levels=1:2 keys_zone=bench:10m max_size=256m inactive=60m use_temp_path=off;
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
            proxy_buffer_size 128k;
            proxy_buffers 4 128k;
            proxy_busy_buffers_size 256k;
            proxy_cache bench;
            add_header X-Cache \$upstream_cache_status;
        }
    }
    server {
        listen 127.0.0.1:$NGINX_GZIP_PORT;
        gzip on;
        gzip_comp_level 6;
        gzip_min_length 1024;
        gzip_proxied any;
        gzip_types text/plain;
        location / {
            proxy_pass http://bench_backend;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }
    }"
PROXY_PID=$NGINX_PID

# --- Caravan: the caravan-proxy template with cache, and one with compress -----------------
mkdir -p "$WORK/routes"
cat >"$WORK/routes/bench.yaml" <<YAML
- templatedRoute:
    routeTemplateRef: caravan-proxy
    routeId: bench-cached
    parameters:
      - name: path
        value: /
      - name: backends
        value: "http://127.0.0.1:$BACKEND_PORT"
      - name: cache
        value: "true"
- templatedRoute:
    routeTemplateRef: caravan-proxy
    routeId: bench-gzip
    parameters:
      - name: path
        value: /gz
      - name: stripPrefix
        value: /gz
      - name: backends
        value: "http://127.0.0.1:$BACKEND_PORT"
      - name: compress
        value: "true"
YAML
CARAVAN_LOG="$WORK/caravan.log"
# access log off, as nginx's (lib.sh) and as run.sh measures
CARAVAN_ARGS="--caravan.accessLog.enabled=false --caravan.io.threads=$CARAVAN_THREADS ${CARAVAN_ARGS:-}"
[[ -n $SENDFILE_DIR ]] && CARAVAN_ARGS="$CARAVAN_ARGS --caravan.cache.sendfileDir=$SENDFILE_DIR"
start_caravan "$CARAVAN_PORT" "$WORK/routes" "$CARAVAN_LOG"

wait_http "http://127.0.0.1:$BACKEND_PORT/1k.txt" "$BACKEND_PID" "backend nginx" 20
wait_http "http://127.0.0.1:$NGINX_PORT/1k.txt" "$PROXY_PID" "nginx proxy" 20
wait_http "http://127.0.0.1:$CARAVAN_PORT/1k.txt" "$CARAVAN_PID" "Caravan" 60
log "targets answer 200 (Caravan pid $CARAVAN_PID)"

# --- scenarios: name, port, path, extra wrk header ------------------------------------------
SCENARIOS=(hit-1k hit-100k gzip)
declare -A PATH_OF=([hit-1k]=/1k.txt [hit-100k]=/100k.txt [gzip]=/text.txt)
declare -A CARAVAN_PATH=([hit-1k]=/1k.txt [hit-100k]=/100k.txt [gzip]=/gz/text.txt)
declare -A NGINX_PORT_OF=([hit-1k]=$NGINX_PORT [hit-100k]=$NGINX_PORT [gzip]=$NGINX_GZIP_PORT)

url() { # scenario target
    if [[ $2 == caravan ]]; then echo "http://127.0.0.1:$CARAVAN_PORT${CARAVAN_PATH[$1]}"
    else echo "http://127.0.0.1:${NGINX_PORT_OF[$1]}${PATH_OF[$1]}"; fi
}
header() { [[ $1 == gzip ]] && echo "Accept-Encoding: gzip" || echo "X-Bench: 1"; }

# correctness before load: both caches answer hits with the full body; both compress to gzip that decompresses
for s in hit-1k hit-100k; do
    want=$(stat -c %s "$WORK/www${PATH_OF[$s]}")
    for t in nginx caravan; do
        curl -s -o /dev/null "$(url "$s" "$t")"
        got=$(curl -s -D "$WORK/$s-$t.headers" -o "$WORK/$s-$t.body" -w '%{size_download}' "$(url "$s" "$t")")
        [[ "$got" == "$want" ]] || die "$t returned $got bytes instead of $want for $s"
        grep -qiE '^(x-cache: HIT|cache-status: caravan; hit)' "$WORK/$s-$t.headers" ||
            die "$t did not answer $s from its cache: $(tr -d '\r' <"$WORK/$s-$t.headers" | tr '\n' ' ')"
    done
done
for t in nginx caravan; do
    curl -s -H 'Accept-Encoding: gzip' -D "$WORK/gzip-$t.headers" -o "$WORK/gzip-$t.body" "$(url gzip "$t")"
    grep -qi '^content-encoding: gzip' "$WORK/gzip-$t.headers" || die "$t did not gzip"
    cmp -s <(gunzip -c "$WORK/gzip-$t.body") "$WORK/www/text.txt" || die "$t's gzip does not decompress to the file"
    log "gzip $t: $(stat -c %s "$WORK/gzip-$t.body") bytes for $(stat -c %s "$WORK/www/text.txt")"
done

run_wrk() { # scenario target duration outfile
    $LOAD_CPU wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$3" -H "$(header "$1")" "$(url "$1" "$2")" >"$4" 2>&1 ||
        log "wrk against $2 ($1) exited with status $? (see $4)"
}

log "warm-up: $WARMUP per scenario for nginx, $CARAVAN_WARMUP for Caravan (the JIT shares its core)"
for s in "${SCENARIOS[@]}"; do
    run_wrk "$s" nginx "$WARMUP" "$RESULTS/warmup-$s-nginx.txt"
    run_wrk "$s" caravan "$CARAVAN_WARMUP" "$RESULTS/warmup-$s-caravan.txt"
done

declare -A PID_OF=([nginx]=$PROXY_PID [caravan]=$CARAVAN_PID)
printf 'round\tscenario\ttarget\treq_per_sec\tp99_ms\terrors\tcpu_us_per_req\n' >"$RESULTS/rounds.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
    for s in "${SCENARIOS[@]}"; do
        for t in nginx caravan; do
            out="$RESULTS/round$r-$s-$t.txt"
            c0=$(cpu_total_ticks "${PID_OF[$t]}")
            run_wrk "$s" "$t" "$DURATION" "$out"
            c1=$(cpu_total_ticks "${PID_OF[$t]}")
            read -r rps p99 err < <(parse_wrk "$out")
            cpu=$(cpu_us_per_request $((c1 - c0)) "$(wrk_requests "$out")")
            printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$s" "$t" "$rps" "$p99" "$err" "$cpu" >>"$RESULTS/rounds.tsv"
            log "round $r/$ROUNDS $(printf '%-9s %-8s' "$s" "$t") $(printf '%9.0f req/s  p99 %7.2f ms  errors %d  CPU %6s us/req' "$rps" "$p99" "$err" "$cpu")"
        done
    done
done

cp "$CARAVAN_LOG" "$RESULTS/caravan.log"
col() { awk -F'\t' -v s="$1" -v t="$2" -v c="$3" 'NR > 1 && $2 == s && $3 == t { print $c }' "$RESULTS/rounds.tsv"; }
{
    echo "Caravan cache/compression benchmark $(date -Iseconds)"
    machine_info
    echo "wrk --latency -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds (interleaved), warm-up $WARMUP" \
        "(Caravan $CARAVAN_WARMUP); proxies and origin pinned: ${PROXY_CPU:-no}, wrk: ${LOAD_CPU:-not pinned}"
    echo "nginx: 1 worker, proxy_cache in $NGINX_CACHE_DIR (proxy_buffers 4 128k, sendfile on); gzip on, gzip_comp_level 6"
    echo "Caravan: caravan-proxy template, cache=true (1k, 100k) and compress=true (gzip level 6)," \
        "$CARAVAN_THREADS event loop(s), ${CARAVAN_JAVA_OPTS:--Xmx256m}, sendfileDir ${SENDFILE_DIR:-none}"
    echo
    printf '%-10s %14s %14s %10s %10s %11s %11s %8s\n' scenario "nginx req/s" "caravan req/s" "nginx p99" "car. p99" \
        "nginx us/r" "car. us/r" ratio
    for s in "${SCENARIOS[@]}"; do
        n=$(col "$s" nginx 4 | median); c=$(col "$s" caravan 4 | median)
        np=$(col "$s" nginx 5 | median); cp=$(col "$s" caravan 5 | median)
        nu=$(col "$s" nginx 7 | median); cu=$(col "$s" caravan 7 | median)
        printf '%-10s %14.0f %14.0f %10.2f %10.2f %11.1f %11.1f %8s\n' "$s" "$n" "$c" "$np" "$cp" "$nu" "$cu" \
            "$(ratio "$c" "$n")"
    done
    errs=$(awk -F'\t' 'NR > 1 { s += $6 } END { print s + 0 }' "$RESULTS/rounds.tsv")
    ((errs == 0)) || echo "WARNING: wrk reported $errs errors; see $RESULTS/round*-*.txt"
    caravan_log_warnings "$CARAVAN_LOG" "$RESULTS/caravan.log"
    echo "raw wrk output: $RESULTS"
    for s in "${SCENARIOS[@]}"; do
        echo "caravan/nginx $s throughput ratio: $(ratio "$(col "$s" caravan 4 | median)" "$(col "$s" nginx 4 | median)")"
    done
} | tee "$RESULTS/summary.txt"
