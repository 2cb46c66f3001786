#!/usr/bin/env bash
# Normal clients' latency during a slowloris attack: wrk (1 KiB keep-alive GETs through Caravan) in quiet rounds and in
# rounds while bench/slowloris.py holds ATTACKERS connections that each trickle a request head, interleaved in one
# run. Reports the medians and the attack/quiet ratios of p99 and throughput. See bench/README.md.
#
# Environment: ROUNDS (5), DURATION (10s), CONNECTIONS (50), THREADS (2), WARMUP (5s), ATTACKERS (1000),
#              TRICKLE (2: seconds between an attacker's bytes), BACKEND_PORT (18280), CARAVAN_PORT (18282)
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5s}
ATTACKERS=${ATTACKERS:-1000}
TRICKLE=${TRICKLE:-2}
BACKEND_PORT=${BACKEND_PORT:-18280}
CARAVAN_PORT=${CARAVAN_PORT:-18282}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

require_jar
install_missing nginx:nginx wrk:wrk curl:curl python3:python3
require_ports_free "$BACKEND_PORT" "$CARAVAN_PORT"
ulimit -n 20000 2>/dev/null || true

start_run caravan-slowloris-bench "-slowloris"

BODY=$(printf 'x%.0s' $(seq 1 1023))
start_nginx backend "
    server {
        listen 127.0.0.1:$BACKEND_PORT;
        default_type text/plain;
        location / { return 200 \"$BODY\n\"; }
    }"
BACKEND_PID=$NGINX_PID

mkdir -p "$WORK/routes"
cat >"$WORK/routes/bench.yaml" <<EOF2
- route:
    id: bench
    from:
      uri: caravan:http
      steps:
        - to: "caravan-forward:http://127.0.0.1:$BACKEND_PORT"
EOF2
start_caravan "$CARAVAN_PORT" "$WORK/routes" "$RESULTS/caravan.log"
wait_http "http://127.0.0.1:$BACKEND_PORT/" "$BACKEND_PID" backend
wait_http "http://127.0.0.1:$CARAVAN_PORT/" "$CARAVAN_PID" caravan

machine_info >"$RESULTS/summary.txt"
log "warm-up $WARMUP"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$CARAVAN_PORT/" >"$RESULTS/warmup.txt"

printf 'round\tmode\treq_per_sec\tp99_ms\terrors\n' >"$RESULTS/rounds.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
    for mode in quiet attack; do
        ATTACK_PID=""
        if [[ $mode == attack ]]; then
            python3 "$BENCH_DIR/slowloris.py" 127.0.0.1 "$CARAVAN_PORT" "$ATTACKERS" "$TRICKLE" \
                >"$RESULTS/attack-$r.txt" 2>&1 &
            ATTACK_PID=$!
            STARTED_PIDS+=("$ATTACK_PID")
            sleep 3   # the attackers are connected and trickling
        fi
        out="$RESULTS/round$r-$mode.txt"
        wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$CARAVAN_PORT/" >"$out"
        read -r rps p99 errors < <(parse_wrk "$out")
        printf '%d\t%s\t%s\t%s\t%s\n' "$r" "$mode" "$rps" "$p99" "$errors" >>"$RESULTS/rounds.tsv"
        log "round $r $mode: $rps req/s, p99 $p99 ms, $errors errors"
        if [[ -n $ATTACK_PID ]]; then
            kill -TERM "$ATTACK_PID" 2>/dev/null || true
            wait "$ATTACK_PID" 2>/dev/null || true
        fi
    done
done

med() { awk -F'\t' -v m="$1" -v c="$2" 'NR > 1 && $2 == m { print $c }' "$RESULTS/rounds.tsv" | median; }
Q_RPS=$(med quiet 3); A_RPS=$(med attack 3); Q_P99=$(med quiet 4); A_P99=$(med attack 4)
{
    echo "attackers: $ATTACKERS connections, a byte every ${TRICKLE}s each (reopened when cut)"
    echo "quiet:  $Q_RPS req/s, p99 $Q_P99 ms (medians of $ROUNDS)"
    echo "attack: $A_RPS req/s, p99 $A_P99 ms"
    caravan_log_warnings "$RESULTS/caravan.log" "$RESULTS/caravan.log"
    echo "attack/quiet p99 ratio: $(ratio "$A_P99" "$Q_P99")"
    echo "attack/quiet throughput ratio: $(ratio "$A_RPS" "$Q_RPS")"
} | tee -a "$RESULTS/summary.txt"
