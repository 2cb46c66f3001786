#!/usr/bin/env bash
# Streaming-memory benchmark: 100 MiB and 1 GiB downloads and uploads (Content-Length and chunked)
# through Caravan (-Xmx256m), sampling Caravan's VmRSS every 0.5 s while each transfer runs.
# The same transfers are also made straight to the backends, for a time baseline. See bench/README.md.
#
# Environment: SIZES ("100M 1G"), CURL_TIMEOUT (300 s), STALL_TIMEOUT (20 s), SAMPLE_INTERVAL (0.5),
#              FILES_PORT (18090), SINK_PORT (18091), CARAVAN_PORT (18092)
set -euo pipefail

SIZES=${SIZES:-100M 1G}
CURL_TIMEOUT=${CURL_TIMEOUT:-300}
STALL_TIMEOUT=${STALL_TIMEOUT:-20}
SAMPLE_INTERVAL=${SAMPLE_INTERVAL:-0.5}
FILES_PORT=${FILES_PORT:-18090}
SINK_PORT=${SINK_PORT:-18091}
CARAVAN_PORT=${CARAVAN_PORT:-18092}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

require_jar
install_missing nginx:nginx curl:curl python3:python3
require_ports_free "$FILES_PORT" "$SINK_PORT" "$CARAVAN_PORT"

start_run caravan-stream "-stream"

# Sparse body files: nginx serves them for downloads, curl reads them for uploads.
mkdir -p "$WORK/files"
declare -A BYTES
for size in $SIZES; do
    truncate -s "$size" "$WORK/files/body-$size"
    chmod 644 "$WORK/files/body-$size"
    BYTES[$size]=$(stat -c %s "$WORK/files/body-$size")
    cat "$WORK/files/body-$size" >/dev/null # into the page cache, so the first transfer is not penalised
done

# --- download backend: nginx serving the files ----------------------------------------------
start_nginx files "
    server {
        listen 127.0.0.1:$FILES_PORT;
        sendfile on;
        default_type application/octet-stream;
        location = / { return 200 \"ok\n\"; }
        location /files/ { alias $WORK/files/; }
    }"
FILES_PID=$NGINX_PID

# --- upload backend: python sink that reads and counts the body -----------------------------
python3 "$BENCH_DIR/upload_sink.py" "$SINK_PORT" >"$WORK/sink.log" 2>&1 &
SINK_PID=$!
STARTED_PIDS+=("$SINK_PID")

# --- Caravan: / -> nginx, /upload -> sink ---------------------------------------------------
mkdir -p "$WORK/routes"
cat >"$WORK/routes/stream.yaml" <<EOF
- templatedRoute:
    routeTemplateRef: caravan-proxy
    routeId: stream-files
    parameters:
      - name: path
        value: /
      - name: backends
        value: "http://127.0.0.1:$FILES_PORT"
- templatedRoute:
    routeTemplateRef: caravan-proxy
    routeId: stream-upload
    parameters:
      - name: path
        value: /upload
      - name: backends
        value: "http://127.0.0.1:$SINK_PORT"
EOF
CARAVAN_LOG="$WORK/caravan.log"
start_caravan "$CARAVAN_PORT" "$WORK/routes" "$CARAVAN_LOG"

wait_http "http://127.0.0.1:$FILES_PORT/" "$FILES_PID" "files nginx" 20
wait_http "http://127.0.0.1:$SINK_PORT/" "$SINK_PID" "upload sink" 20
wait_http "http://127.0.0.1:$CARAVAN_PORT/" "$CARAVAN_PID" "Caravan" 60
wait_http "http://127.0.0.1:$CARAVAN_PORT/upload" "$CARAVAN_PID" "Caravan /upload" 10
RSS_START=$(rss_kib "$CARAVAN_PID")
log "Caravan up (pid $CARAVAN_PID), RSS $(mib "$RSS_START") MiB"

FAILURES=0
ROWS="$RESULTS/transfers.tsv"
printf 'transfer\tsize\tvia\thttp\tbytes\texpected\tbackend_count\tbackend_framing\tstatus\ttime_s\tMiB_per_s\trss_min_MiB\trss_max_MiB\tsamples\thwm_after_MiB\n' >"$ROWS"

# transfer KIND SIZE VIA — KIND: download | upload-cl | upload-chunked; VIA: caravan | direct
transfer() {
    local kind=$1 size=$2 via=$3 file="$WORK/files/body-$2" base url tag
    # -y/-Y: give up when fewer than 1 byte/s moves for STALL_TIMEOUT seconds (a stalled transfer).
    local -a args=(-s -m "$CURL_TIMEOUT" -y "$STALL_TIMEOUT" -Y 1 -H 'Expect:')
    tag="$kind-$size-$via"
    case $kind in
    download)
        [[ $via == caravan ]] && base="http://127.0.0.1:$CARAVAN_PORT" || base="http://127.0.0.1:$FILES_PORT"
        url="$base/files/body-$size"
        args+=(-o /dev/null -w '%{http_code} %{size_download} %{time_total}')
        ;;
    upload-cl | upload-chunked)
        [[ $via == caravan ]] && base="http://127.0.0.1:$CARAVAN_PORT" || base="http://127.0.0.1:$SINK_PORT"
        url="$base/upload"
        args+=(-T "$file" -o "$RESULTS/$tag.body" -D "$RESULTS/$tag.headers" -w '%{http_code} %{size_upload} %{time_total}')
        [[ $kind == upload-chunked ]] && args+=(-H 'Transfer-Encoding: chunked')
        ;;
    esac

    local samples="$RESULTS/$tag.rss" curl_pid curl_rc=0 r
    [[ $via == caravan ]] && : >"$samples"
    curl "${args[@]}" "$url" >"$RESULTS/$tag.curl" 2>&1 &
    curl_pid=$!
    if [[ $via == caravan ]]; then
        while kill -0 "$curl_pid" 2>/dev/null; do
            r=$(rss_kib "$CARAVAN_PID")
            [[ -n "$r" ]] && echo "$r" >>"$samples"
            sleep "$SAMPLE_INTERVAL"
        done
    fi
    wait "$curl_pid" || curl_rc=$?
    [[ $via == caravan ]] && { r=$(rss_kib "$CARAVAN_PID"); [[ -n "$r" ]] && echo "$r" >>"$samples"; }

    local code bytes secs count="-" framing="-" status=ok
    read -r code bytes secs <"$RESULTS/$tag.curl" || true
    code=${code:-000} bytes=${bytes:-0} secs=${secs:-0}
    if [[ $kind != download ]]; then
        count=$(tr -d '\r\n' <"$RESULTS/$tag.body" 2>/dev/null || true)
        framing=$(awk -F': ' 'tolower($1) == "x-body-framing" { gsub(/\r/, "", $2); print $2 }' "$RESULTS/$tag.headers" 2>/dev/null || true)
        [[ -n "$count" ]] || count="-"
        [[ -n "$framing" ]] || framing="-"
    fi
    if ((curl_rc != 0)); then
        status="FAIL(curl=$curl_rc)"
    elif [[ $code != 200 ]]; then
        status="FAIL(http)"
    elif [[ $kind == upload-chunked ]] && ((bytes < BYTES[$size])); then
        status="FAIL(bytes)" # curl's size_upload for chunked includes the chunk framing
    elif [[ $kind != upload-chunked && $bytes != "${BYTES[$size]}" ]]; then
        status="FAIL(bytes)"
    elif [[ $kind != download && $count != "${BYTES[$size]}" ]]; then
        status="FAIL(backend-count)"
    fi
    [[ $status == ok ]] || FAILURES=$((FAILURES + 1))

    local rmin="-" rmax="-" n=0
    if [[ -s "$samples" ]]; then
        read -r rmin rmax n < <(awk 'NR == 1 { lo = hi = $1 } { if ($1 < lo) lo = $1; if ($1 > hi) hi = $1 } END { printf "%.1f %.1f %d\n", lo / 1024, hi / 1024, NR }' "$samples")
    fi
    local rate hwm="-"
    [[ $via == caravan ]] && hwm=$(mib "$(awk '/^VmHWM:/ {print $2}' "/proc/$CARAVAN_PID/status" 2>/dev/null || echo 0)")
    rate=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { if (s + 0 > 0) printf "%.0f", b / 1048576 / s; else print "-" }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$size" "$via" "$code" "$bytes" "${BYTES[$size]}" \
        "$count" "$framing" "$status" "$secs" "$rate" "$rmin" "$rmax" "$n" "$hwm" >>"$ROWS"
    log "$(printf '%-15s %-5s %-8s http %s  %12s bytes  %7.2f s  %5s MiB/s  RSS %s..%s MiB  %s' \
        "$kind" "$size" "$via" "$code" "$bytes" "$secs" "$rate" "$rmin" "$rmax" "$status")"
}

for size in $SIZES; do
    for kind in download upload-cl upload-chunked; do
        transfer "$kind" "$size" direct
        transfer "$kind" "$size" caravan
    done
done

RSS_END=$(rss_kib "$CARAVAN_PID")
HWM=$(awk '/^VmHWM:/ {print $2}' "/proc/$CARAVAN_PID/status" 2>/dev/null || echo 0)
cp "$CARAVAN_LOG" "$RESULTS/caravan.log"
cp "$WORK/sink.log" "$RESULTS/sink.log"

{
    echo "Caravan streaming benchmark $(date -Iseconds)"
    machine_info
    echo "Caravan -Xmx256m; RSS sampled every ${SAMPLE_INTERVAL}s during each Caravan transfer; sparse body files"
    echo
    printf '%-15s %-5s %-8s %5s %12s %12s %-15s %-20s %7s %6s %8s %8s %7s %8s\n' \
        transfer size via http curl-bytes backend-count backend-framing status time-s MiB/s rss-min rss-max samples peak-hwm
    awk -F'\t' 'NR > 1 { printf "%-15s %-5s %-8s %5s %12s %12s %-15s %-20s %7.2f %6s %8s %8s %7s %8s\n", $1, $2, $3, $4, $5, $7, $8, $9, $10, $11, $12, $13, $14, $15 }' "$ROWS"
    echo "(RSS columns in MiB; peak-hwm = Caravan's VmHWM right after the transfer; curl-bytes for chunked uploads include chunk framing)"
    echo
    echo "Caravan RSS: $(mib "$RSS_START") MiB after start, $(mib "${RSS_END:-0}") MiB at the end, peak (VmHWM) $(mib "$HWM") MiB"
    for size in $SIZES; do
        awk -F'\t' -v s="$size" 'NR > 1 && $2 == s && $3 == "caravan" && $13 != "-" { if (hi == "" || $13 > hi) hi = $13 }
            END { printf "max RSS during %s transfers through Caravan: %s MiB\n", s, (hi == "" ? "-" : hi) }' "$ROWS"
    done
    caravan_log_warnings "$CARAVAN_LOG" "$RESULTS/caravan.log"
    echo "failed transfers: $FAILURES"
    echo "raw output: $RESULTS"
} | tee "$RESULTS/summary.txt"

((FAILURES == 0))
