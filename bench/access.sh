#!/usr/bin/env bash
# The cost of access rules on 1 KiB proxied throughput: wrk against one Caravan with routes to the same nginx
# backend: /plain (no rule), /ip (caravan-ip), /jwt (caravan-jwt, RS256, one token: its signature is verified once,
# then remembered) and /jwt-fresh (the same check, TOKENS different tokens in turn: a signature verified on nearly
# every request), interleaved over several rounds; medians, and each rule's ratio against /plain from the same run.
# See bench/README.md.
#
# Environment: ROUNDS (5), DURATION (10s), CONNECTIONS (50), THREADS (2), WARMUP (5s), TOKENS (12000, more than
#              the 10,000 verified tokens Caravan remembers), BACKEND_PORT (18080), CARAVAN_PORT (18082)
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5s}
TOKENS=${TOKENS:-12000}
BACKEND_PORT=${BACKEND_PORT:-18080}
CARAVAN_PORT=${CARAVAN_PORT:-18082}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

require_jar
install_missing nginx:nginx wrk:wrk curl:curl
require_ports_free "$BACKEND_PORT" "$CARAVAN_PORT"

start_run caravan-access "-access"

# --- backend: nginx returning exactly 1024 bytes on every path -------------------------------
BODY=$(printf 'x%.0s' $(seq 1 1023))   # 1023 'x' + the newline below = 1024 bytes
start_nginx backend "
    server {
        listen 127.0.0.1:$BACKEND_PORT;
        default_type text/plain;
        location / { return 200 \"$BODY\n\"; }
    }"
BACKEND_PID=$NGINX_PID

# --- a key, its JWK set file and the tokens (nimbus from the jar) ----------------------------
log "signing $TOKENS tokens"
java -cp "$JAR" "$BENCH_DIR/JwtFixture.java" "$WORK/jwks.json" "$TOKENS" >"$WORK/tokens.txt"
TOKEN=$(head -1 "$WORK/tokens.txt")
[[ -n "$TOKEN" && $(wc -l <"$WORK/tokens.txt") -eq $TOKENS ]] || die "JwtFixture.java made no tokens"

# --- Caravan: the same forward three times, behind no rule, an IP rule, a JWT check ----------
mkdir -p "$WORK/routes"
cat >"$WORK/routes/bench.yaml" <<ROUTES
- route:
    id: plain
    from:
      uri: caravan:http?path=/plain
      steps:
        - to: "caravan-forward:http://127.0.0.1:$BACKEND_PORT"
- route:
    id: ip
    from:
      uri: caravan:http?path=/ip
      steps:
        - to:
            uri: caravan-ip:bench
            parameters:
              rules: "deny 10.0.0.0/8, deny 192.168.0.0/16, deny 2001:db8::/32, allow 127.0.0.0/8"
              defaultAction: deny
        - to: "caravan-forward:http://127.0.0.1:$BACKEND_PORT"
- route:
    id: jwt
    from:
      uri: caravan:http?path=/jwt
      steps:
        - to:
            uri: caravan-jwt:bench
            parameters:
              jwks: "$WORK/jwks.json"
              issuer: https://bench.example/
              audience: bench
              subjectHeader: X-User
        - to: "caravan-forward:http://127.0.0.1:$BACKEND_PORT"
- route:
    id: jwt-fresh
    from:
      uri: caravan:http?path=/jwt-fresh
      steps:
        - to:
            uri: caravan-jwt:bench-fresh
            parameters:
              jwks: "$WORK/jwks.json"
              issuer: https://bench.example/
              audience: bench
              subjectHeader: X-User
        - to: "caravan-forward:http://127.0.0.1:$BACKEND_PORT"
ROUTES
CARAVAN_LOG="$WORK/caravan.log"
start_caravan "$CARAVAN_PORT" "$WORK/routes" "$CARAVAN_LOG"

NAMES=(plain ip jwt jwt-fresh)
declare -A HEADER=([plain]="X-Bench: 1" [ip]="X-Bench: 1" [jwt]="Authorization: Bearer $TOKEN"
    [jwt-fresh]="Authorization: Bearer $(tail -1 "$WORK/tokens.txt")")

wait_http "http://127.0.0.1:$BACKEND_PORT/" "$BACKEND_PID" "backend nginx" 20
wait_http "http://127.0.0.1:$CARAVAN_PORT/plain" "$CARAVAN_PID" "Caravan" 60
for name in "${NAMES[@]}"; do
    out=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' -H "${HEADER[$name]}" \
        "http://127.0.0.1:$CARAVAN_PORT/$name")
    [[ "$out" == "200 1024" ]] || die "/$name answered '$out' instead of '200 1024'"
done
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$CARAVAN_PORT/jwt")
[[ "$code" == 401 ]] || die "/jwt without a token answered $code instead of 401"
log "all routes answer 200 with 1024 bytes, /jwt without a token 401 (Caravan pid $CARAVAN_PID)"

run_wrk() { # name duration outfile
    if [[ "$1" == jwt-fresh ]]; then
        wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$2" -s "$BENCH_DIR/tokens.lua" \
            "http://127.0.0.1:$CARAVAN_PORT/$1" -- "$WORK/tokens.txt" >"$3" 2>&1 ||
            log "wrk against /$1 exited with status $? (see $3)"
    else
        wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$2" -H "${HEADER[$1]}" "http://127.0.0.1:$CARAVAN_PORT/$1" \
            >"$3" 2>&1 || log "wrk against /$1 exited with status $? (see $3)"
    fi
}

log "warm-up: $WARMUP per route"
for name in "${NAMES[@]}"; do
    run_wrk "$name" "$WARMUP" "$RESULTS/warmup-$name.txt"
done

printf 'round\troute\treq_per_sec\tp99_ms\terrors\n' >"$RESULTS/rounds.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
    for name in "${NAMES[@]}"; do
        out="$RESULTS/round$r-$name.txt"
        run_wrk "$name" "$DURATION" "$out"
        read -r rps p99 err < <(parse_wrk "$out")
        printf '%d\t%s\t%s\t%s\t%s\n' "$r" "$name" "$rps" "$p99" "$err" >>"$RESULTS/rounds.tsv"
        log "round $r/$ROUNDS $(printf '%-10s' "/$name") $(printf '%10.0f req/s  p99 %8.2f ms  errors %d' "$rps" "$p99" "$err")"
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
    echo "Caravan access-rule benchmark $(date -Iseconds)"
    machine_info
    echo "wrk --latency -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds (interleaved), warm-up $WARMUP, 1 KiB response"
    echo
    printf '%-12s %12s %10s %14s %10s\n' route "req/s (med)" "p99 ms" "errors (sum)" "vs /plain"
    for name in "${NAMES[@]}"; do
        printf '%-12s %12.0f %10.2f %14d %10s\n' "/$name" "${MED_RPS[$name]}" "${MED_P99[$name]}" "${TOT_ERR[$name]}" \
            "$(ratio "${MED_RPS[$name]}" "${MED_RPS[plain]}")"
    done
    echo
    if (( ${TOT_ERR[plain]} + ${TOT_ERR[ip]} + ${TOT_ERR[jwt]} + ${TOT_ERR[jwt-fresh]} > 0 )); then
        echo "WARNING: wrk reported errors; see $RESULTS/round*-*.txt"
    fi
    caravan_log_warnings "$CARAVAN_LOG" "$RESULTS/caravan.log"
    echo "raw wrk output: $RESULTS"
    echo "ip/plain throughput ratio: $(ratio "${MED_RPS[ip]}" "${MED_RPS[plain]}")"
    echo "jwt/plain throughput ratio: $(ratio "${MED_RPS[jwt]}" "${MED_RPS[plain]}")"
    echo "jwt-fresh/plain throughput ratio: $(ratio "${MED_RPS[jwt-fresh]}" "${MED_RPS[plain]}")"
} | tee "$RESULTS/summary.txt"
