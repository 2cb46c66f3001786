#!/usr/bin/env bash
# Throughput, latency and CPU per request at equal cores: wrk against an nginx origin directly, through an nginx
# reverse proxy (1 worker) and through Caravan (1 event loop), interleaved over several rounds, for three cases:
# 1 KiB keep-alive GETs, 100 KiB keep-alive GETs, and 1 KiB GETs on a new connection each (Connection: close); and on
# request, "browser": 1 KiB keep-alive GETs that carry a browser's dozen header fields (lib.sh's BROWSER_WRK_HEADERS),
# and "upload": keep-alive POSTs of 100 KiB bodies (upload.lua) answered with 1 KiB.
# See bench/README.md.
#
# Environment: ROUNDS (5), DURATION (8s), CONNECTIONS (50), THREADS (2), CASES ("1k 100k close"; also "browser", "upload"),
#              WARMUP (3s per case for nginx and the origin), CARAVAN_WARMUP (20s per case: the JIT shares its core),
#              WARMUP_PARTS (3: each warm-up given in seconds runs as 3 wrk runs, so connections also close and open
#              before the measured rounds and the JIT has compiled those paths; 1: one run, as before 2026-12-02),
#              PIN (1: origin and proxies on CPU 0, wrk on CPU 1 when the machine has 2 or more cores),
#              IO_THREADS (1: Caravan's event loops), NGINX_WORKERS (1), CARAVAN_JAVA (java: the JVM that runs Caravan),
#              BACKEND_PORT (18080), NGINX_PORT (18081), CARAVAN_PORT (18082),
#              FLOOR (0; 1 adds two floors on Caravan's stack, bench/NettyFloor.java on Caravan's JVM: "netty-http", the
#              least a Netty HTTP proxy does, and "netty-tcp", a byte relay, keep-alive cases only),
#              FLOOR_PORT (18083: netty-http; netty-tcp takes the next port)
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-3s}
CARAVAN_WARMUP=${CARAVAN_WARMUP:-20s}
CASES=${CASES:-1k 100k close}
WARMUP_PARTS=${WARMUP_PARTS:-3}
PIN=${PIN:-1}
IO_THREADS=${IO_THREADS:-1}
export NGINX_WORKERS=${NGINX_WORKERS:-1}
BACKEND_PORT=${BACKEND_PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18081}
CARAVAN_PORT=${CARAVAN_PORT:-18082}
FLOOR=${FLOOR:-0}
FLOOR_PORT=${FLOOR_PORT:-18083}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

require_jar
install_missing nginx:nginx wrk:wrk curl:curl
require_ports_free "$BACKEND_PORT" "$NGINX_PORT" "$CARAVAN_PORT"
[[ $FLOOR == 1 ]] && require_ports_free "$FLOOR_PORT" $((FLOOR_PORT + 1))
pinning "$PIN"

start_run caravan-bench ""

# --- origin: nginx answering exactly 1 KiB on / and 100 KiB on /100k -----------------------------------------------
start_origin "$BACKEND_PORT"

# --- nginx reverse proxy: upstream keep-alive, and proxy buffers that hold a 100 KiB body (its defaults spill to disk)
start_nginx_proxy "$NGINX_PORT" "$BACKEND_PORT"

# --- Caravan: like the nginx proxy, no access log and the same keep-alive limit per connection (keepalive_requests) -
proxy_route_file "$WORK/routes" "http://127.0.0.1:$BACKEND_PORT"
CARAVAN_LOG="$WORK/caravan.log"
CARAVAN_ARGS="--caravan.io.threads=$IO_THREADS --caravan.client.maxRequestsPerConnection=100000 \
    --caravan.accessLog.enabled=false ${CARAVAN_ARGS:-}"
start_caravan "$CARAVAN_PORT" "$WORK/routes" "$CARAVAN_LOG"

wait_http "http://127.0.0.1:$BACKEND_PORT/" "$BACKEND_PID" "backend nginx" 20
wait_http "http://127.0.0.1:$NGINX_PORT/" "$PROXY_PID" "nginx proxy" 20
wait_http "http://127.0.0.1:$CARAVAN_PORT/" "$CARAVAN_PID" "Caravan" 60
log "all three targets answer 200 (Caravan pid $CARAVAN_PID, RSS after start $(mib "$(rss_kib "$CARAVAN_PID")") MiB, pinned: ${PROXY_CPU:-no})"

NAMES=(direct nginx caravan)
declare -A PORT=([direct]=$BACKEND_PORT [nginx]=$NGINX_PORT [caravan]=$CARAVAN_PORT)
declare -A PIDS=([direct]=$BACKEND_PID [nginx]=$PROXY_PID [caravan]=$CARAVAN_PID)
if [[ $FLOOR == 1 ]]; then
    for mode in http tcp; do
        port=$FLOOR_PORT
        [[ $mode == tcp ]] && port=$((FLOOR_PORT + 1))
        start_floor "$mode" "$port" "$BACKEND_PORT" "$WORK/floor-$mode.log"
        NAMES+=("netty-$mode") PORT[netty-$mode]=$port PIDS[netty-$mode]=$FLOOR_PID
        wait_http "http://127.0.0.1:$port/" "$FLOOR_PID" "netty-$mode floor" 60
    done
fi
# skips CASE NAME — the byte relay cannot keep its backend connection when the client closes, so it runs keep-alive only
skips() { [[ $1 == close && $2 == netty-tcp ]]; }
declare -A CASE_PATH=([1k]=/ [100k]=/100k [close]=/ [browser]=/ [upload]=/)
declare -A CASE_SIZE=([1k]=1024 [100k]=102400 [close]=1024 [browser]=1024 [upload]=1024)

for name in "${NAMES[@]}"; do
    for c in $CASES; do
        skips "$c" "$name" && continue
        size=$(curl -s -o /dev/null -w '%{size_download}' "http://127.0.0.1:${PORT[$name]}${CASE_PATH[$c]}")
        [[ "$size" == "${CASE_SIZE[$c]}" ]] || die "$name returned $size bytes instead of ${CASE_SIZE[$c]} on ${CASE_PATH[$c]}"
    done
done

run_wrk() { # case name duration outfile
    case_wrk_args "$1"
    $LOAD_CPU wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$3" "${CASE_WRK_ARGS[@]}" \
        "http://127.0.0.1:${PORT[$2]}${CASE_PATH[$1]}" >"$4" 2>&1 || log "wrk against $2 exited with status $? (see $4)"
}

log "warm-up per case: $WARMUP for nginx and the origin, $CARAVAN_WARMUP for Caravan"
for c in $CASES; do
    for name in "${NAMES[@]}"; do
        skips "$c" "$name" && continue
        w=$WARMUP
        [[ $name == caravan || $name == netty-* ]] && w=$CARAVAN_WARMUP
        if ((WARMUP_PARTS > 1)) && [[ $w =~ ^([0-9]+)s?$ ]]; then
            # connections closed and opened during the warm-up too: the JIT compiles those paths before round 1
            part_s=$((BASH_REMATCH[1] / WARMUP_PARTS))
            for ((part = 1; part <= WARMUP_PARTS; part++)); do
                run_wrk "$c" "$name" "${part_s}s" "$RESULTS/warmup-$c-$name-$part.txt"
            done
        else
            run_wrk "$c" "$name" "$w" "$RESULTS/warmup-$c-$name.txt"
        fi
    done
done

printf 'round\tcase\ttarget\treq_per_sec\tp99_ms\terrors\tcpu_us_per_req\tuser_us\tsystem_us\n' >"$RESULTS/rounds.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
    for c in $CASES; do
        for name in "${NAMES[@]}"; do
            skips "$c" "$name" && continue
            out="$RESULTS/round$r-$c-$name.txt"
            read -r u0 s0 < <(cpu_ticks "${PIDS[$name]}")
            run_wrk "$c" "$name" "$DURATION" "$out"
            read -r u1 s1 < <(cpu_ticks "${PIDS[$name]}")
            read -r rps p99 err < <(parse_wrk "$out")
            n=$(wrk_requests "$out")
            cpu=$(cpu_us_per_request $((u1 + s1 - u0 - s0)) "$n")
            usr=$(cpu_us_per_request $((u1 - u0)) "$n")
            sys=$(cpu_us_per_request $((s1 - s0)) "$n")
            printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$c" "$name" "$rps" "$p99" "$err" "$cpu" "$usr" "$sys" \
                >>"$RESULTS/rounds.tsv"
            log "round $r/$ROUNDS $(printf '%-6s %-8s' "$c" "$name") $(printf '%10.0f req/s  p99 %8.2f ms  errors %d  CPU %6s us/req (user %s, system %s)' "$rps" "$p99" "$err" "$cpu" "$usr" "$sys")"
        done
    done
done

RSS_KIB=$(rss_kib "$CARAVAN_PID")
HWM_KIB=$(awk '/^VmHWM:/ {print $2}' "/proc/$CARAVAN_PID/status" 2>/dev/null || true)
cp "$CARAVAN_LOG" "$RESULTS/caravan.log"

col() { awk -F'\t' -v c="$1" -v t="$2" -v k="$3" 'NR > 1 && $2 == c && $3 == t { print $k }' "$RESULTS/rounds.tsv"; }
declare -A RPS P99 ERR CPU USR SYS
for c in $CASES; do
    for name in "${NAMES[@]}"; do
        RPS[$c.$name]=$(col "$c" "$name" 4 | median)
        P99[$c.$name]=$(col "$c" "$name" 5 | median)
        ERR[$c.$name]=$(col "$c" "$name" 6 | awk '{ s += $1 } END { print s + 0 }')
        CPU[$c.$name]=$(col "$c" "$name" 7 | median)
        USR[$c.$name]=$(col "$c" "$name" 8 | median)
        SYS[$c.$name]=$(col "$c" "$name" 9 | median)
    done
done

{
    echo "Caravan benchmark $(date -Iseconds)"
    machine_info
    echo "pinned: ${PROXY_CPU:-no} for the origin and both proxies, ${LOAD_CPU:-no} for wrk; nginx proxy $NGINX_WORKERS worker(s), Caravan $IO_THREADS event loop(s) on $(caravan_transport "$CARAVAN_LOG")"
    echo "wrk --latency -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds (interleaved), warm-up $WARMUP (Caravan $CARAVAN_WARMUP); load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "CPU us/req: user+system time of the target's processes over the round / requests served (origin excluded)"
    for c in $CASES; do
        echo
        echo "case $c (${CASE_SIZE[$c]} bytes$([[ $c == close ]] && echo ', Connection: close')$([[ $c == browser ]] && echo ", a browser's header fields")$([[ $c == upload ]] && echo ', after a 100 KiB POST body'))"
        printf '  %-10s %12s %10s %8s %12s %16s %14s\n' target "req/s (med)" "p99 ms" errors "CPU us/req" "(user/system)" "req/s vs nginx"
        for name in "${NAMES[@]}"; do
            skips "$c" "$name" && continue
            printf '  %-10s %12.0f %10.2f %8d %12s %16s %14s\n' "$name" "${RPS[$c.$name]}" "${P99[$c.$name]}" "${ERR[$c.$name]}" \
                "${CPU[$c.$name]}" "(${USR[$c.$name]}/${SYS[$c.$name]})" "$(ratio "${RPS[$c.$name]}" "${RPS[$c.nginx]}")"
        done
        echo "  caravan/nginx $c: throughput $(ratio "${RPS[$c.caravan]}" "${RPS[$c.nginx]}"), p99 $(ratio "${P99[$c.caravan]}" "${P99[$c.nginx]}"), CPU per request $(ratio "${CPU[$c.caravan]}" "${CPU[$c.nginx]}")"
        if [[ $FLOOR == 1 ]]; then
            echo "  caravan/netty-http $c: throughput $(ratio "${RPS[$c.caravan]}" "${RPS[$c.netty-http]}"), p99 $(ratio "${P99[$c.caravan]}" "${P99[$c.netty-http]}"), CPU per request $(ratio "${CPU[$c.caravan]}" "${CPU[$c.netty-http]}")"
        fi
    done
    echo
    echo "Caravan RSS after the runs: $(mib "${RSS_KIB:-0}") MiB (peak VmHWM $(mib "${HWM_KIB:-0}") MiB, ${CARAVAN_JAVA_OPTS:--Xmx256m})"
    total_err=0
    for k in "${!ERR[@]}"; do total_err=$((total_err + ERR[$k])); done
    ((total_err > 0)) && echo "WARNING: wrk reported errors; see $RESULTS/round*-*.txt"
    caravan_log_warnings "$CARAVAN_LOG" "$RESULTS/caravan.log"
    echo "raw wrk output: $RESULTS"
    first=${CASES%% *}
    echo "caravan/nginx p99 ratio: $(ratio "${P99[$first.caravan]}" "${P99[$first.nginx]}")"
    echo "caravan/nginx throughput ratio: $(ratio "${RPS[$first.caravan]}" "${RPS[$first.nginx]}")"
} | tee "$RESULTS/summary.txt"
