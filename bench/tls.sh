#!/usr/bin/env bash
# TLS benchmark: full handshakes per second (a new connection per request) and TLS keep-alive req/s, nginx against
# Caravan on OpenSSL (BoringSSL, netty-tcnative) and on the JDK's TLS, with the same RSA-2048 and P-256 certificates
# (made here with openssl), in front of the same 1 KiB nginx backend, at equal cores (nginx 1 worker, Caravan
# caravan.io.threads=1; proxies and backend pinned to CPU 0, wrk to CPU 1 when there are 2 cores or more).
# Interleaved rounds, medians, ratios against nginx, and the CPU each proxy process spent per request or handshake
# (from /proc/PID/stat: steadier than throughput on a shared machine). See bench/README.md.
#
# Environment: ROUNDS (5), DURATION (8 s), CONNECTIONS (50), WARMUP (15 s: four JVMs' JIT on one core), PIN (1),
#              BACKEND_PORT (18110), NGINX_PORT (18111: RSA, +1: P-256), CARAVAN_PORT (18113: 4 https ports from
#              here, then 4 http ports)
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-8}
CONNECTIONS=${CONNECTIONS:-50}
WARMUP=${WARMUP:-15}
PIN=${PIN:-1}
BACKEND_PORT=${BACKEND_PORT:-18110}
NGINX_PORT=${NGINX_PORT:-18111}
CARAVAN_PORT=${CARAVAN_PORT:-18113}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

CERTS=(rsa ec)
PROVIDERS=(openssl jdk)
TARGETS=(nginx caravan-openssl caravan-jdk)
declare -A PORT PID
PORT[nginx-rsa]=$NGINX_PORT
PORT[nginx-ec]=$((NGINX_PORT + 1))
i=0
for p in "${PROVIDERS[@]}"; do
    for k in "${CERTS[@]}"; do
        PORT[caravan-$p-$k]=$((CARAVAN_PORT + i))
        PORT[caravan-$p-$k-http]=$((CARAVAN_PORT + 4 + i))
        i=$((i + 1))
    done
done

require_jar
install_missing nginx:nginx wrk:wrk curl:curl openssl:openssl
# shellcheck disable=SC2046
require_ports_free "$BACKEND_PORT" $(for key in "${!PORT[@]}"; do echo "${PORT[$key]}"; done)
start_run caravan-tls-bench "-tls"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
if OTHERS=$({ pgrep -x wrk; pgrep -x h2load; } | tr '\n' ' ') && [[ -n ${OTHERS// /} ]]; then
    log "WARNING: another load generator runs on this machine (pids $OTHERS): expect noisy numbers"
fi

pinning "$PIN"   # start_nginx and start_caravan launch on the proxies' core from the start (see lib.sh)
PINNED=no
[[ -n $PROXY_CPU ]] && PINNED="proxies and backend on CPU 0, wrk on CPU 1"
pin() { # every thread of each PID onto the proxies' core (processes not started through lib.sh)
    [[ -z $PROXY_CPU ]] && return 0
    local pid
    for pid in "$@"; do taskset -a -p -c 0 "$pid" >/dev/null; done
}

# --- the same two certificates for every proxy -------------------------------------------------------------
for k in "${CERTS[@]}"; do
    bench_certificate "$WORK/certs-$k" "$k"
done

# --- backend: nginx serving 1 KiB over HTTP/1.1 --------------------------------------------------------------
mkdir -p "$WORK/www"
head -c 1024 /dev/zero | tr '\0' 'x' >"$WORK/www/1k.txt"
NGINX_WORKERS=1 start_nginx backend "
    server {
        listen 127.0.0.1:$BACKEND_PORT;
        root $WORK/www;
        default_type text/plain;
    }"
BACKEND_PID=$NGINX_PID

# --- nginx: 1 worker terminating TLS on two ports (RSA, P-256), the policy's protocols and suites --------------
# no session cache and no tickets (NumTickets 0: OpenSSL 3 otherwise sends two TLS 1.3 tickets after every handshake
# even then, which costs nginx and wrk CPU; Caravan's BoringSSL sends none): wrk never resumes a session
nginx_server() { # port cert
    echo "
    server {
        listen 127.0.0.1:$1 ssl;
        ssl_certificate $WORK/certs-$2/bench.crt;
        ssl_certificate_key $WORK/certs-$2/bench.key;
        ssl_protocols TLSv1.3 TLSv1.2;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
        ssl_prefer_server_ciphers on;
        ssl_session_cache off;
        ssl_session_tickets off;
        ssl_conf_command NumTickets 0;
        location / {
            proxy_pass http://bench_backend;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }
    }"
}
NGINX_WORKERS=1 start_nginx proxy "
    upstream bench_backend {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive 64;
    }
$(nginx_server "${PORT[nginx-rsa]}" rsa)
$(nginx_server "${PORT[nginx-ec]}" ec)"
PROXY_PID=$NGINX_PID

# --- Caravan: one JVM per provider and certificate, one event loop each ----------------------------------------
# wrk keeps a connection's TLS session for the next one (SSL_clear) and resumes it when the server allows: no TLS 1.3
# tickets (Netty reads the JDK's property for BoringSSL too) and, for the JDK's stateful sessions, a one-entry cache,
# so that every handshake is a full one, as with nginx above
CARAVAN_JAVA_OPTS="-Xmx256m -Djdk.tls.server.enableSessionTicketExtension=false -Djavax.net.ssl.sessionCacheSize=1
    -Dio.netty.handler.ssl.openssl.sessionCacheServer=false"
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
for p in "${PROVIDERS[@]}"; do
    for k in "${CERTS[@]}"; do
        t=caravan-$p-$k
        CARAVAN_ARGS="--caravan.https.port=${PORT[$t]} --caravan.https.host=127.0.0.1 --caravan.tls.certs=$WORK/certs-$k
            --caravan.tls.provider=$p --caravan.io.threads=1 --caravan.client.maxRequestsPerConnection=0
            --caravan.admin.enabled=false --caravan.accessLog.enabled=false"
        start_caravan "${PORT[$t-http]}" "$WORK/routes" "$WORK/$t.log"
        PID[$t]=$CARAVAN_PID
    done
done

wait_http "http://127.0.0.1:$BACKEND_PORT/1k.txt" "$BACKEND_PID" "backend nginx" 20
for p in "${PROVIDERS[@]}"; do
    for k in "${CERTS[@]}"; do
        wait_http "http://127.0.0.1:${PORT[caravan-$p-$k-http]}/1k.txt" "${PID[caravan-$p-$k]}" "caravan-$p-$k" 90
    done
done
NGINX_WORKER_PIDS=$(pgrep -P "$PROXY_PID" | tr '\n' ' ')
PID[nginx-rsa]=$PROXY_PID PID[nginx-ec]=$PROXY_PID
# shellcheck disable=SC2086
pin "$BACKEND_PID" $(pgrep -P "$BACKEND_PID") "$PROXY_PID" $NGINX_WORKER_PIDS \
    "${PID[caravan-openssl-rsa]}" "${PID[caravan-openssl-ec]}" "${PID[caravan-jdk-rsa]}" "${PID[caravan-jdk-ec]}"
log "targets up; pinned: $PINNED"

# correctness before load: the file's bytes over TLS from every target, the certificate type asked for, and the
# provider each Caravan says serves
for k in "${CERTS[@]}"; do
    bits=2048; [[ $k == ec ]] && bits=256
    for t in "${TARGETS[@]}"; do
        port=${PORT[$t-$k]}
        curl -sk -o "$WORK/check.body" "https://127.0.0.1:$port/1k.txt" || die "$t-$k did not answer over TLS"
        cmp -s "$WORK/check.body" "$WORK/www/1k.txt" || die "$t-$k's body differs from the file"
        openssl s_client -connect "127.0.0.1:$port" </dev/null 2>/dev/null | grep -q "Server public key is $bits bit" ||
            die "$t-$k does not serve the $k certificate"
    done
done
# no resumption anywhere: a session saved from one connection, offered after another connection, is not resumed
resumed() { # port -> "New" or "Reused"
    rm -f "$WORK/session.pem"
    (printf 'GET /1k.txt HTTP/1.1\r\nHost: localhost\r\n\r\n'; sleep 1) |
        openssl s_client -connect "127.0.0.1:$1" -sess_out "$WORK/session.pem" >/dev/null 2>&1 || true
    (printf 'GET /1k.txt HTTP/1.1\r\nHost: localhost\r\n\r\n'; sleep 1) |
        openssl s_client -connect "127.0.0.1:$1" >/dev/null 2>&1 || true
    # no session written: the server gave nothing to resume with (TLS 1.3 without tickets)
    [[ -s "$WORK/session.pem" ]] || { echo New; return; }
    openssl s_client -connect "127.0.0.1:$1" -sess_in "$WORK/session.pem" </dev/null 2>/dev/null |
        awk -F, '/^(New|Reused),/ { print $1; exit }'
}
for k in "${CERTS[@]}"; do
    for t in "${TARGETS[@]}"; do
        [[ $(resumed "${PORT[$t-$k]}") == New ]] || die "$t-$k resumed a TLS session: the hs figures would not be full handshakes"
    done
done
grep -q "TLS: BoringSSL" "$WORK/caravan-openssl-rsa.log" || die "caravan-openssl does not run on BoringSSL"
grep -q "TLS: the JDK" "$WORK/caravan-jdk-rsa.log" || die "caravan-jdk does not run on the JDK's TLS"
log "every target serves the file over TLS with its certificate and resumes no session; providers as asked"

# --- load ----------------------------------------------------------------------------------------------------
# hs: a new connection and full handshake per request (wrk reconnects after each response to Connection: close,
#     and never resumes a session); ka: keep-alive, the handshake paid once per connection
declare -A HEADER=([hs]="Connection: close" [ka]="Connection: keep-alive")
measured_pids() { # target-cert -> the processes whose CPU is the proxy's
    case $1 in
        nginx-*) echo "$NGINX_WORKER_PIDS" ;;
        *) echo "${PID[$1]}" ;;
    esac
}
run_wrk() { # scenario target-cert duration outfile -> wrk's own CPU seconds (user + sys) on stdout
    local TIMEFORMAT='%U %S'
    { time $LOAD_CPU wrk --latency -t1 -c"$CONNECTIONS" -d"$3" -H "${HEADER[$1]}" \
        "https://127.0.0.1:${PORT[$2]}/1k.txt" >"$4" 2>&1; } 2>"$4.time" ||
        log "wrk against $2 ($1) exited with status $? (see $4)"
    awk '{ printf "%.2f", $1 + $2 }' "$4.time"
}

log "warm-up: ${WARMUP}s per scenario and target"
for k in "${CERTS[@]}"; do for s in hs ka; do for t in "${TARGETS[@]}"; do
    run_wrk "$s" "$t-$k" "${WARMUP}s" "$RESULTS/warmup-$k-$s-$t.txt" >/dev/null
done; done; done

printf 'round\tcert\tscenario\ttarget\treq_per_sec\tp99_ms\terrors\trequests\tcpu_us_per_req\twrk_cpu_share\n' \
    >"$RESULTS/rounds.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
    for k in "${CERTS[@]}"; do
        for s in hs ka; do
            for ((j = 0; j < ${#TARGETS[@]}; j++)); do
                t=${TARGETS[(r - 1 + j) % ${#TARGETS[@]}]} # each round starts with another target
                out="$RESULTS/round$r-$k-$s-$t.txt"
                # shellcheck disable=SC2046
                before=$(cpu_total_ticks $(measured_pids "$t-$k"))
                wrk_cpu=$(run_wrk "$s" "$t-$k" "${DURATION}s" "$out")
                # shellcheck disable=SC2046
                after=$(cpu_total_ticks $(measured_pids "$t-$k"))
                read -r rps p99 err < <(parse_wrk "$out")
                requests=$(wrk_requests "$out")
                cpu=$(cpu_us_per_request $((after - before)) "${requests:-0}")
                share=$(awk -v c="$wrk_cpu" -v d="$DURATION" 'BEGIN { printf "%.2f", c / d }')
                printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$k" "$s" "$t" "$rps" "$p99" "$err" \
                    "${requests:-0}" "$cpu" "$share" >>"$RESULTS/rounds.tsv"
                log "round $r/$ROUNDS $(printf '%-3s %-2s %-15s' "$k" "$s" "$t") $(printf '%8.0f req/s  p99 %7.2f ms  errors %d  CPU %7.1f us/req  wrk CPU %s' "$rps" "$p99" "$err" "$cpu" "$share")"
            done
        done
    done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

for p in "${PROVIDERS[@]}"; do for k in "${CERTS[@]}"; do
    cp "$WORK/caravan-$p-$k.log" "$RESULTS/caravan-$p-$k.log"
done; done
# a run with fewer than 100 responses stalled (on this shared machine: another load on the proxies' core) and is no
# measurement of the proxy: medians are of the other runs, and the table says how many there were
col() { awk -F'\t' -v k="$1" -v s="$2" -v t="$3" -v c="$4" \
    'NR > 1 && $2 == k && $3 == s && $4 == t && $8 >= 100 { print $c }' "$RESULTS/rounds.tsv"; }
runs() { awk -F'\t' -v k="$1" -v s="$2" -v t="$3" \
    'NR > 1 && $2 == k && $3 == s && $4 == t { n++; if ($8 >= 100) v++ } END { printf "%d/%d", v, n }' \
    "$RESULTS/rounds.tsv"; }
declare -A LABEL=([rsa]=RSA-2048 [ec]=P-256 [hs]="full handshakes/s" [ka]="keep-alive req/s")
{
    echo "Caravan TLS benchmark $(date -Iseconds)"
    machine_info
    echo "openssl: $(openssl version)"
    echo "load average (1/5/15 min): $LOAD_START at the start, $LOAD_END at the end"
    echo "wrk --latency -t1 -c$CONNECTIONS -d${DURATION}s, $ROUNDS rounds (interleaved), warm-up ${WARMUP}s; 1 KiB body"
    echo "hs: -H 'Connection: close' (one request per connection, a full TLS 1.3 handshake each); ka: keep-alive"
    echo "nginx: 1 worker, no session cache or tickets; Caravan: caravan.io.threads=1, one JVM per provider and"
    echo "  certificate, $CARAVAN_JAVA_OPTS" | tr -s ' \n' ' '; echo
    echo "no target resumes a TLS session (checked with openssl s_client before the load)"
    echo "pinned: $PINNED"
    echo "CPU us/req: user + system time of the proxy process (nginx: its worker) per request (hs: per handshake);"
    echo "per core/s: 1,000,000 / CPU us/req, what one fully busy core would serve; wrk CPU: the share of its core"
    echo "wrk used (near 1.00: the client, not the proxy, set the req/s, so compare CPU us/req); runs: the runs with"
    echo "100 responses or more, of all (the others stalled and are left out of the medians)"
    for k in "${CERTS[@]}"; do
        for s in hs ka; do
            echo
            echo "${LABEL[$k]}, ${LABEL[$s]}:"
            printf '  %-16s %10s %9s %10s %12s %10s %14s %7s %8s %5s\n' target "req/s" "vs nginx" "p99 ms" \
                "CPU us/req" "vs nginx" "per core/s" errors "wrk CPU" runs
            n_rps=$(col "$k" "$s" nginx 5 | median); n_cpu=$(col "$k" "$s" nginx 9 | median)
            for t in "${TARGETS[@]}"; do
                rps=$(col "$k" "$s" "$t" 5 | median); cpu=$(col "$k" "$s" "$t" 9 | median)
                printf '  %-16s %10.0f %9s %10.2f %12.1f %10s %14.0f %7d %8s %5s\n' "$t" "$rps" \
                    "$(ratio "$rps" "$n_rps")" "$(col "$k" "$s" "$t" 6 | median)" "$cpu" "$(ratio "$cpu" "$n_cpu")" \
                    "$(awk -v c="$cpu" 'BEGIN { print (c > 0) ? 1000000 / c : 0 }')" \
                    "$(col "$k" "$s" "$t" 7 | awk '{ s += $1 } END { print s + 0 }')" \
                    "$(col "$k" "$s" "$t" 10 | median)" "$(runs "$k" "$s" "$t")"
            done
        done
    done
    echo
    for p in "${PROVIDERS[@]}"; do
        caravan_log_warnings "$RESULTS/caravan-$p-rsa.log" "$RESULTS/caravan-$p-rsa.log"
        caravan_log_warnings "$RESULTS/caravan-$p-ec.log" "$RESULTS/caravan-$p-ec.log"
    done
    echo "raw wrk output: $RESULTS"
    for k in "${CERTS[@]}"; do
        for s in hs ka; do
            n=$(col "$k" "$s" nginx 5 | median)
            echo "caravan-openssl/nginx ${LABEL[$k]} $s throughput ratio: $(ratio "$(col "$k" "$s" caravan-openssl 5 | median)" "$n")"
        done
    done
} | tee "$RESULTS/summary.txt"
