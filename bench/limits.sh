#!/usr/bin/env bash
# Cost of one rate-limit step: wrk against two routes of the same Caravan, one that only forwards to a 1 KiB nginx
# backend and one with a caravan-rate-limit step in front (a limit so high it never rejects), plus the same step
# without RateLimit headers on successes. Interleaved rounds (each starting with another route), medians, ratios.
# See bench/README.md.
#
# Environment: ROUNDS (5), DURATION (10s), CONNECTIONS (50), THREADS (2), WARMUP (5s),
#              BACKEND_PORT (18180), CARAVAN_PORT (18182): not those of run.sh, so both may run
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5s}
BACKEND_PORT=${BACKEND_PORT:-18180}
CARAVAN_PORT=${CARAVAN_PORT:-18182}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

require_jar
install_missing nginx:nginx wrk:wrk curl:curl
require_ports_free "$BACKEND_PORT" "$CARAVAN_PORT"

start_run caravan-limits-bench "-limits"

# --- backend: nginx returning exactly 1024 bytes on every path ------------------------------
BODY=$(printf 'x%.0s' $(seq 1 1023))   # 1023 'x' + the newline below = 1024 bytes
start_nginx backend "
    server {
        listen 127.0.0.1:$BACKEND_PORT;
        default_type text/plain;
        location / { return 200 \"$BODY\n\"; }
    }"
BACKEND_PID=$NGINX_PID

# --- Caravan: the same route three times, with and without the step -------------------------
# every wrk connection comes from 127.0.0.1, so all requests share one bucket: the most contended case
LIMIT="rate=1000000/s&burst=1000000"
mkdir -p "$WORK/routes"
cat >"$WORK/routes/bench.yaml" <<EOF2
- route:
    id: plain
    from:
      uri: caravan:http?path=/plain
      steps:
        - to: "caravan-forward:http://127.0.0.1:$BACKEND_PORT?stripPrefix=/plain"
- route:
    id: limited
    from:
      uri: caravan:http?path=/limited
      steps:
        - to: "caravan-rate-limit:bench?$LIMIT"
        - to: "caravan-forward:http://127.0.0.1:$BACKEND_PORT?stripPrefix=/limited"
- route:
    id: limited-quiet
    from:
      uri: caravan:http?path=/quiet
      steps:
        - to: "caravan-rate-limit:bench-quiet?$LIMIT&successHeaders=false"
        - to: "caravan-forward:http://127.0.0.1:$BACKEND_PORT?stripPrefix=/quiet"
EOF2
CARAVAN_LOG="$WORK/caravan.log"
start_caravan "$CARAVAN_PORT" "$WORK/routes" "$CARAVAN_LOG"

wait_http "http://127.0.0.1:$BACKEND_PORT/" "$BACKEND_PID" "backend nginx" 20
wait_http "http://127.0.0.1:$CARAVAN_PORT/plain/" "$CARAVAN_PID" "Caravan" 60

NAMES=(plain limited quiet)
declare -A PATHS=([plain]=/plain/ [limited]=/limited/ [quiet]=/quiet/)
for name in "${NAMES[@]}"; do
    size=$(curl -s -o /dev/null -w '%{size_download}' "http://127.0.0.1:$CARAVAN_PORT${PATHS[$name]}")
    [[ "$size" == 1024 ]] || die "$name returned $size bytes instead of 1024"
done
curl -s -D - -o /dev/null "http://127.0.0.1:$CARAVAN_PORT/limited/" | grep -qi '^RateLimit:' ||
    die "the limited route sends no RateLimit header: is the step there?"

run_wrk() { # name duration outfile
    wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$2" "http://127.0.0.1:$CARAVAN_PORT${PATHS[$1]}" >"$3" 2>&1 ||
        log "wrk against $1 exited with status $? (see $3)"
}

log "warm-up: $WARMUP per route"
for name in "${NAMES[@]}"; do
    run_wrk "$name" "$WARMUP" "$RESULTS/warmup-$name.txt"
done

printf 'round\troute\treq_per_sec\tp99_ms\terrors\n' >"$RESULTS/rounds.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
    # each round starts with another route, so no route always runs right after the same one
    for ((k = 0; k < ${#NAMES[@]}; k++)); do
        name=${NAMES[(r - 1 + k) % ${#NAMES[@]}]}
        out="$RESULTS/round$r-$name.txt"
        run_wrk "$name" "$DURATION" "$out"
        read -r rps p99 err < <(parse_wrk "$out")
        printf '%d\t%s\t%s\t%s\t%s\n' "$r" "$name" "$rps" "$p99" "$err" >>"$RESULTS/rounds.tsv"
        log "round $r/$ROUNDS $(printf '%-8s' "$name") $(printf '%10.0f req/s  p99 %8.2f ms  errors %d' "$rps" "$p99" "$err")"
    done
done
cp "$CARAVAN_LOG" "$RESULTS/caravan.log"

col() { awk -F'\t' -v t="$1" -v c="$2" 'NR > 1 && $2 == t { print $c }' "$RESULTS/rounds.tsv"; }
declare -A MED_RPS MED_P99 TOT_ERR
for name in "${NAMES[@]}"; do
    MED_RPS[$name]=$(col "$name" 3 | median)
    MED_P99[$name]=$(col "$name" 4 | median)
    TOT_ERR[$name]=$(col "$name" 5 | awk '{ s += $1 } END { print s + 0 }')
done

{
    echo "Caravan rate-limit step benchmark $(date -Iseconds)"
    machine_info
    echo "wrk --latency -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds (interleaved, rotating order), warm-up $WARMUP, 1 KiB response"
    echo "routes: plain = caravan-forward only; limited = caravan-rate-limit ($LIMIT, RateLimit headers on every"
    echo "response) + caravan-forward; quiet = the same step with successHeaders=false"
    echo
    printf '%-10s %12s %10s %14s %16s\n' route "req/s (med)" "p99 ms" "errors (sum)" "req/s vs plain"
    for name in "${NAMES[@]}"; do
        printf '%-10s %12.0f %10.2f %14d %16s\n' "$name" "${MED_RPS[$name]}" "${MED_P99[$name]}" "${TOT_ERR[$name]}" \
            "$(ratio "${MED_RPS[$name]}" "${MED_RPS[plain]}" 3)"
    done
    echo
    if ((TOT_ERR[plain] + TOT_ERR[limited] + TOT_ERR[quiet] > 0)); then
        echo "WARNING: wrk reported errors (a 429 counts as one); see $RESULTS/round*-*.txt"
    fi
    caravan_log_warnings "$CARAVAN_LOG" "$RESULTS/caravan.log"
    echo "raw wrk output: $RESULTS"
    echo "limited/plain p99 ratio: $(ratio "${MED_P99[limited]}" "${MED_P99[plain]}" 3)"
    echo "limited/plain throughput ratio: $(ratio "${MED_RPS[limited]}" "${MED_RPS[plain]}" 3)"
} | tee "$RESULTS/summary.txt"
