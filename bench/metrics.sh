#!/usr/bin/env bash
# Cost of the metrics: the same proxy route in two Caravans, one with metrics on (the default: Caravan's meters,
# Camel's route metrics, the JVM's) and one started with --caravan.metrics.enabled=false, against one 1 KiB nginx
# backend. Access logs are off in both, so only the metrics differ. Only one Caravan is under load at a time:
# interleaved rounds (each starting with the other), medians, ratio. See bench/README.md.
#
# Environment: ROUNDS (5), DURATION (10s), CONNECTIONS (50), THREADS (2), WARMUP (5s),
#              BACKEND_PORT (18380), ON_PORT (18382), OFF_PORT (18383),
#              ON_ARGS (extra arguments for the metrics-on Caravan, e.g. --caravan.metrics.camelRoutes=false)
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5s}
BACKEND_PORT=${BACKEND_PORT:-18380}
ON_PORT=${ON_PORT:-18382}
OFF_PORT=${OFF_PORT:-18383}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

require_jar
install_missing nginx:nginx wrk:wrk curl:curl
require_ports_free "$BACKEND_PORT" "$ON_PORT" "$OFF_PORT"

start_run caravan-metrics-bench "-metrics"

BODY=$(printf 'x%.0s' $(seq 1 1023))   # 1023 'x' + the newline below = 1024 bytes
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
    id: app
    from:
      uri: caravan:http?path=/
      steps:
        - to: "caravan-forward:http://127.0.0.1:$BACKEND_PORT"
EOF2
# no https listener and an ephemeral admin port: two Caravans side by side
COMMON="--caravan.https.enabled=false --caravan.admin.port=0 --caravan.accessLog.enabled=false"
declare -A PORT=([on]=$ON_PORT [off]=$OFF_PORT)
declare -A PID LOGFILE
for name in on off; do
    LOGFILE[$name]="$WORK/caravan-$name.log"
    extra="${ON_ARGS:-}"
    [[ $name == off ]] && extra="--caravan.metrics.enabled=false"
    CARAVAN_ARGS="$COMMON $extra" start_caravan "${PORT[$name]}" "$WORK/routes" "${LOGFILE[$name]}"
    PID[$name]=$CARAVAN_PID
done

wait_http "http://127.0.0.1:$BACKEND_PORT/" "$BACKEND_PID" "backend nginx" 20
for name in on off; do
    wait_http "http://127.0.0.1:${PORT[$name]}/" "${PID[$name]}" "Caravan ($name)" 60
    size=$(curl -s -o /dev/null -w '%{size_download}' "http://127.0.0.1:${PORT[$name]}/")
    [[ "$size" == 1024 ]] || die "Caravan ($name) returned $size bytes instead of 1024"
done
admin_of() { grep -oE 'Admin listener on http://127.0.0.1:[0-9]+' "${LOGFILE[$1]}" | grep -oE '[0-9]+$' | tail -1; }
ON_ADMIN=$(admin_of on)
OFF_ADMIN=$(admin_of off)
# a request is counted once its last byte is written, a moment after curl has it: look a few times
counted=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
    curl -s "http://127.0.0.1:$ON_ADMIN/metrics" | grep -q '^caravan_requests_total' && { counted=yes; break; }
    sleep 0.2
done
[[ -n "$counted" ]] || die "the metrics-on Caravan shows no caravan_requests_total"
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$OFF_ADMIN/metrics") == 404 ]] ||
    die "the metrics-off Caravan still serves /metrics"

run_wrk() { # name duration outfile
    wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$2" "http://127.0.0.1:${PORT[$1]}/" >"$3" 2>&1 ||
        log "wrk against $1 exited with status $? (see $3)"
}

log "warm-up: $WARMUP each"
for name in on off; do
    run_wrk "$name" "$WARMUP" "$RESULTS/warmup-$name.txt"
done

# CPU the Caravan process used (user + system, in clock ticks): its CPU per request does not depend on what else
# the shared machine runs at the time, unlike its throughput

NAMES=(on off)
printf 'round\tmetrics\treq_per_sec\tp99_ms\terrors\tcpu_us_per_req\n' >"$RESULTS/rounds.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
    for ((k = 0; k < 2; k++)); do
        name=${NAMES[(r - 1 + k) % 2]}
        out="$RESULTS/round$r-$name.txt"
        before=$(cpu_total_ticks "${PID[$name]}")
        run_wrk "$name" "$DURATION" "$out"
        after=$(cpu_total_ticks "${PID[$name]}")
        read -r rps p99 err < <(parse_wrk "$out")
        cpu=$(cpu_us_per_request $((after - before)) "$(wrk_requests "$out")" 2)
        printf '%d\t%s\t%s\t%s\t%s\t%s\n' "$r" "$name" "$rps" "$p99" "$err" "$cpu" >>"$RESULTS/rounds.tsv"
        log "round $r/$ROUNDS metrics $(printf '%-3s' "$name") $(printf '%10.0f req/s  p99 %8.2f ms  errors %d  CPU %6.2f us/req' "$rps" "$p99" "$err" "$cpu")"
    done
done
curl -s "http://127.0.0.1:$ON_ADMIN/metrics" >"$RESULTS/metrics-on.txt"
for name in on off; do cp "${LOGFILE[$name]}" "$RESULTS/caravan-$name.log"; done

col() { awk -F'\t' -v t="$1" -v c="$2" 'NR > 1 && $2 == t { print $c }' "$RESULTS/rounds.tsv"; }
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "NaN"; else printf "%.3f", a / b }'; }
declare -A MED_RPS MED_P99 TOT_ERR MED_CPU
for name in on off; do
    MED_CPU[$name]=$(col "$name" 6 | median)
    MED_RPS[$name]=$(col "$name" 3 | median)
    MED_P99[$name]=$(col "$name" 4 | median)
    TOT_ERR[$name]=$(col "$name" 5 | awk '{ s += $1 } END { print s + 0 }')
done
# each round runs both back to back: the ratio within a round is less exposed to load that comes and goes
PAIRED=$(awk -F'\t' 'NR > 1 { rps[$1, $2] = $3 } END { for (r = 1; (r, "on") in rps; r++) if (rps[r, "off"] > 0) print rps[r, "on"] / rps[r, "off"] }' "$RESULTS/rounds.tsv" | median)
COUNTED=$(awk '/^caravan_requests_total/ { s += $NF } END { printf "%.0f", s }' "$RESULTS/metrics-on.txt")

{
    echo "Caravan metrics on/off benchmark $(date -Iseconds)"
    machine_info
    echo "wrk --latency -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds (interleaved, rotating order), warm-up $WARMUP, 1 KiB response"
    echo "two Caravans, one route each (caravan:http?path=/ -> caravan-forward), access log off in both;"
    echo "off = --caravan.metrics.enabled=false"
    echo
    printf '%-8s %12s %10s %14s %18s\n' metrics "req/s (med)" "p99 ms" "errors (sum)" "CPU us/req (med)"
    for name in on off; do
        printf '%-8s %12.0f %10.2f %14d %18.2f\n' "$name" "${MED_RPS[$name]}" "${MED_P99[$name]}" "${TOT_ERR[$name]}" \
            "${MED_CPU[$name]}"
    done
    echo
    echo "requests the metrics-on Caravan counted (caravan_requests_total): $COUNTED"
    if ((TOT_ERR[on] + TOT_ERR[off] > 0)); then
        echo "WARNING: wrk reported errors; see $RESULTS/round*-*.txt"
    fi
    for name in on off; do caravan_log_warnings "${LOGFILE[$name]}" "$RESULTS/caravan-$name.log"; done
    echo "raw wrk output: $RESULTS"
    echo "on/off p99 ratio: $(ratio3 "${MED_P99[on]}" "${MED_P99[off]}")"
    echo "CPU per request off/on (the throughput ratio when CPU-bound): $(ratio3 "${MED_CPU[off]}" "${MED_CPU[on]}")"
    echo "median of the per-round on/off throughput ratios: $(awk -v r="$PAIRED" 'BEGIN { printf "%.3f", r }')"
    echo "metrics on/off throughput ratio: $(ratio3 "${MED_RPS[on]}" "${MED_RPS[off]}")"
} | tee "$RESULTS/summary.txt"
