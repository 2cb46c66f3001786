#!/usr/bin/env bash
# Two Caravan builds (or one build with two sets of JVM options) side by side: both run at once on the same core,
# behind the same nginx origin, and take the same load in short alternating rounds, so the machine's drift (which moves
# run.sh's ratio by ±15% on a shared VM) falls on both alike. Prints CPU per request (user + system, /proc) for each,
# and p99 (wrk --latency), medians over the rounds, and B's over A's. See bench/README.md.
#
# Usage: bench/ab.sh JAR_A [JAR_B]   (JAR_B defaults to JAR_A, for comparing JAVA_OPTS_A with JAVA_OPTS_B)
# Environment: ROUNDS (10), DURATION (5s per round and build), WARMUP (30s each),
#              CASE (1k | 100k | 1m | close | upload: 100 KiB POSTs), CONNECTIONS (50),
#              JAVA_OPTS_A / JAVA_OPTS_B (-Xmx256m), JAVA_A / JAVA_B (java), PIN (1),
#              ROUTE_A / ROUTE_B (a route file instead of the plain caravan-proxy route, {{bench.backend}} in it
#              naming the origin, e.g. bench/routes/headers.yaml; ROUTE_B defaults to ROUTE_A; "plain" names
#              the plain route), ARGS_A / ARGS_B (extra Caravan arguments, e.g. --caravan.metrics.enabled=false),
#              BROWSER_HEADERS (0; 1: every request carries the dozen header fields a browser sends, see lib.sh),
#              BACKEND_PORT (18090), A_PORT (18091), B_PORT (18092)
set -euo pipefail

JAR_A=$(realpath "${1:?usage: bench/ab.sh JAR_A [JAR_B]}")
JAR_B=$(realpath "${2:-$1}")
ROUNDS=${ROUNDS:-10}
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-30s}
CASE=${CASE:-1k}
CONNECTIONS=${CONNECTIONS:-50}
PIN=${PIN:-1}
BACKEND_PORT=${BACKEND_PORT:-18090}
A_PORT=${A_PORT:-18091}
B_PORT=${B_PORT:-18092}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

install_missing nginx:nginx wrk:wrk curl:curl
require_ports_free "$BACKEND_PORT" "$A_PORT" "$B_PORT"
pinning "$PIN"
start_run caravan-ab "-ab"

start_origin "$BACKEND_PORT"
routes_for() { # DIR [FILE]: the given route file, or the plain caravan-proxy route
    if [[ -n "${2:-}" && "${2:-}" != plain ]]; then
        mkdir -p "$1"
        cp "$2" "$1/bench.yaml"
    else
        proxy_route_file "$1" "http://127.0.0.1:$BACKEND_PORT"
    fi
}
ROUTE_A=${ROUTE_A:-}
ROUTE_B=${ROUTE_B:-$ROUTE_A}
routes_for "$WORK/routes-a" "$ROUTE_A"
routes_for "$WORK/routes-b" "$ROUTE_B"

CARAVAN_ARGS="--caravan.io.threads=1 --caravan.client.maxRequestsPerConnection=100000 --caravan.accessLog.enabled=false
    --bench.backend=http://127.0.0.1:$BACKEND_PORT"
BASE_ARGS=$CARAVAN_ARGS
CARAVAN_ARGS="$BASE_ARGS ${ARGS_A:-}"
JAR=$JAR_A CARAVAN_JAVA=${JAVA_A:-java} CARAVAN_JAVA_OPTS=${JAVA_OPTS_A:--Xmx256m} start_caravan "$A_PORT" "$WORK/routes-a" "$WORK/a.log"
A_PID=$CARAVAN_PID
CARAVAN_ARGS="$BASE_ARGS ${ARGS_B:-}"
JAR=$JAR_B CARAVAN_JAVA=${JAVA_B:-java} CARAVAN_JAVA_OPTS=${JAVA_OPTS_B:--Xmx256m} start_caravan "$B_PORT" "$WORK/routes-b" "$WORK/b.log"
B_PID=$CARAVAN_PID
wait_http "http://127.0.0.1:$BACKEND_PORT/" "$BACKEND_PID" "origin nginx" 20
wait_http "http://127.0.0.1:$A_PORT/" "$A_PID" "Caravan A" 60
wait_http "http://127.0.0.1:$B_PORT/" "$B_PID" "Caravan B" 60
log "I/O transport: A $(caravan_transport "$WORK/a.log"), B $(caravan_transport "$WORK/b.log")"

path=/
[[ $CASE == 100k || $CASE == 1m ]] && path=/$CASE
case_wrk_args "$CASE"
extra=("${CASE_WRK_ARGS[@]}")
[[ ${BROWSER_HEADERS:-0} == 1 ]] && extra+=("${BROWSER_WRK_HEADERS[@]}")
load() { # port duration outfile
    $LOAD_CPU wrk --latency -t2 -c"$CONNECTIONS" -d"$2" "${extra[@]}" "http://127.0.0.1:$1$path" >"$3" 2>&1
}

log "A: ${JAVA_A:-java} $JAR_A ${JAVA_OPTS_A:--Xmx256m} ${ROUTE_A:-(plain route)} ${ARGS_A:-}"
log "B: ${JAVA_B:-java} $JAR_B ${JAVA_OPTS_B:--Xmx256m} ${ROUTE_B:-(plain route)} ${ARGS_B:-}"
log "case $CASE, warm-up $WARMUP each, $ROUNDS rounds of $DURATION each, pinned: ${PROXY_CPU:-no}"
load "$A_PORT" "$WARMUP" "$RESULTS/warmup-a.txt"
load "$B_PORT" "$WARMUP" "$RESULTS/warmup-b.txt"

printf 'round\tbuild\treq_per_sec\tcpu_us_per_req\tuser_us\tsystem_us\tp99_ms\n' >"$RESULTS/rounds.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
    for build in a b; do
        pid=$A_PID port=$A_PORT
        [[ $build == b ]] && pid=$B_PID port=$B_PORT
        out="$RESULTS/round$r-$build.txt"
        read -r u0 s0 < <(cpu_ticks "$pid")
        load "$port" "$DURATION" "$out"
        read -r u1 s1 < <(cpu_ticks "$pid")
        n=$(wrk_requests "$out")
        read -r rps p99 _ < <(parse_wrk "$out")
        printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$build" "$rps" "$(cpu_us_per_request $((u1 + s1 - u0 - s0)) "$n")" \
            "$(cpu_us_per_request $((u1 - u0)) "$n")" "$(cpu_us_per_request $((s1 - s0)) "$n")" "$p99" >>"$RESULTS/rounds.tsv"
    done
done

column_median() { # build column
    awk -F'\t' -v b="$1" -v c="$2" 'NR > 1 && $2 == b { print $c }' "$RESULTS/rounds.tsv" | median
}
for build in a b; do
    printf '%s: %8.0f req/s   CPU %5.1f us/req (user %5.1f, system %5.1f)   p99 %5.2f ms   rounds: %s\n' "${build^^}" \
        "$(column_median $build 3)" "$(column_median $build 4)" "$(column_median $build 5)" "$(column_median $build 6)" \
        "$(column_median $build 7)" \
        "$(awk -F'\t' -v b=$build 'NR > 1 && $2 == b { printf "%s ", $4 }' "$RESULTS/rounds.tsv")"
done
echo "rounds: $RESULTS/rounds.tsv"
echo "B/A p99: $(ratio "$(column_median b 7)" "$(column_median a 7)")"
echo "B/A CPU per request: $(ratio "$(column_median b 4)" "$(column_median a 4)")"
