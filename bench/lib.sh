# shellcheck shell=bash
# Shared helpers for bench/run.sh and bench/stream.sh. Source it; do not run it.
# The caller must have set: ROOT (repo root) and WORK (its own temp dir).

# CARAVAN_JAR overrides the jar (e.g. one built from a clean checkout elsewhere).
JAR="${CARAVAN_JAR:-$ROOT/target/caravan.jar}"
STARTED_PIDS=()
CLEANUP_DIRS=() # removed on exit too (a directory outside WORK, e.g. on /dev/shm)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

require_jar() {
    if [[ ! -f "$JAR" ]]; then
        echo "$JAR is missing: build it first with 'cd $ROOT && mvn -B -q package -DskipTests'" >&2
        exit 1
    fi
}

# install_missing CMD:PACKAGE ... — apt-get installs the packages whose command is missing.
install_missing() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    ((${#missing[@]} == 0)) && return 0
    log "installing ${missing[*]} with apt-get"
    local sudo=""
    ((EUID != 0)) && sudo="sudo"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    # Debian's nginx package starts a system-wide nginx on :80 where a service manager exists;
    # we never use it, and it does not touch our ports.
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_ports_free() {
    local p
    for p in "$@"; do
        port_free "$p" || die "port $p on 127.0.0.1 is already in use"
    done
}

# stop_pid PID — SIGTERM, wait up to 10 s, then SIGKILL.
stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid still alive after SIGTERM, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$? i
    trap - EXIT INT TERM
    for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do
        stop_pid "${STARTED_PIDS[i]}"
    done
    [[ -n "${WORK:-}" && -d "$WORK" ]] && rm -rf "$WORK"
    for ((i = 0; i < ${#CLEANUP_DIRS[@]}; i++)); do
        rm -rf "${CLEANUP_DIRS[i]}"
    done
    exit "$rc"
}

install_trap() {
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# start_nginx NAME CONF_BODY — writes $WORK/NAME/nginx.conf (http{} body given) and runs nginx in the foreground.
# Sets NGINX_PID.
start_nginx() {
    local name=$1 body=$2 dir="$WORK/$1"
    mkdir -p "$dir/logs" "$dir/tmp"
    cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes ${NGINX_WORKERS:-1};
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
worker_rlimit_nofile ${NGINX_WORKER_CONNECTIONS:-4096};
events { worker_connections ${NGINX_WORKER_CONNECTIONS:-4096}; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/client;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    keepalive_requests 100000;
    keepalive_timeout 65;
$body
}
EOF
    nginx -t -q -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" || die "nginx config for $name is invalid"
    ${PROXY_CPU:-} nginx -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" >"$dir/logs/stdout.log" 2>&1 &
    NGINX_PID=$!
    STARTED_PIDS+=("$NGINX_PID")
}

# start_run TEMP_PREFIX RESULTS_SUFFIX — sets WORK (a temp dir removed on exit, with every started process
# stopped) and RESULTS (bench/results/<timestamp><suffix>).
start_run() {
    WORK=$(mktemp -d "/tmp/$1.XXXXXX")
    chmod 755 "$WORK"
    install_trap
    RESULTS="$BENCH_DIR/results/$(date +%Y%m%d-%H%M%S)$2"
    mkdir -p "$RESULTS"
    log "temp dir $WORK, results in $RESULTS"
}

# start_floor MODE PORT BACKEND_PORT LOGFILE — bench/NettyFloor.java (http or tcp) on Caravan's JVM and jar, pinned
# as Caravan is. Sets FLOOR_PID.
start_floor() {
    # shellcheck disable=SC2086
    ${PROXY_CPU:-} ${CARAVAN_JAVA:-java} ${CARAVAN_JAVA_OPTS:--Xmx256m} -cp "$JAR" "$BENCH_DIR/NettyFloor.java" \
        "$1" "$2" "$3" >"$4" 2>&1 &
    FLOOR_PID=$!
    STARTED_PIDS+=("$FLOOR_PID")
}

# start_caravan PORT ROUTES_DIR LOGFILE — sets CARAVAN_PID. The https and admin listeners take ephemeral ports unless
# CARAVAN_ARGS names theirs (later arguments win). CARAVAN_JAVA names the JVM (java on the PATH by default).
start_caravan() {
    local port=$1 routes=$2 logfile=$3
    # shellcheck disable=SC2086
    ${PROXY_CPU:-} ${CARAVAN_JAVA:-java} ${CARAVAN_JAVA_OPTS:--Xmx256m} -jar "$JAR" --caravan.http.port="$port" --caravan.http.host=127.0.0.1 \
        --caravan.routes.dir="$routes" --caravan.routes.reload=false --caravan.https.port=0 --caravan.admin.port=0 \
        ${CARAVAN_ARGS:-} >"$logfile" 2>&1 &
    CARAVAN_PID=$!
    STARTED_PIDS+=("$CARAVAN_PID")
}

# wait_http URL PID NAME [TIMEOUT_S] — polls until URL answers 200; fails if PID dies.
wait_http() {
    local url=$1 pid=$2 name=$3 timeout=${4:-60} code i
    for ((i = 0; i < timeout * 5; i++)); do
        kill -0 "$pid" 2>/dev/null || die "$name (pid $pid) exited before answering $url"
        code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" 2>/dev/null || true)
        [[ "$code" == 200 ]] && return 0
        sleep 0.2
    done
    die "$name did not answer 200 on $url within ${timeout}s (last status: ${code:-none})"
}

# rss_kib PID — VmRSS in KiB (empty if the process is gone).
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || true; }

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# syscall_ns — what one system call costs here, in ns: dd copying 1-byte blocks (a read and a write each) on the
# proxies' core. The same code's ratio to nginx moves with it (bench/README.md, fifteenth pass): nginx on epoll makes
# about five calls a keep-alive request and ten a new connection, Caravan on io_uring about 0.3 and 5.5.
syscall_ns() {
    local n=200000 t0 t1
    t0=$(date +%s%N)
    ${PROXY_CPU:-} dd if=/dev/zero of=/dev/null bs=1 count=$n 2>/dev/null
    t1=$(date +%s%N)
    awk -v d=$((t1 - t0)) -v n=$n 'BEGIN { printf "%.0f", d / (2 * n) }'
}

machine_info() {
    echo "nproc:   $(nproc)"
    echo "cpu:     $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "ram:     $(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "kernel:  $(uname -r)"
    echo "syscall: $(syscall_ns) ns each (dd copying 1-byte blocks); meltdown: $(cat /sys/devices/system/cpu/vulnerabilities/meltdown 2>/dev/null || echo '?')"
    echo "java:    $("${CARAVAN_JAVA:-java}" -version 2>&1 | head -1) (${CARAVAN_JAVA:-java}, Caravan's JVM)"
    echo "nginx:   $(nginx -v 2>&1)"
    echo "wrk:     $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')"
    echo "curl:    $(curl --version | head -1 | awk '{print $1, $2}')"
    echo "jar:     $JAR (built $(date -r "$JAR" '+%Y-%m-%d %H:%M:%S'))"
    echo "repo:    $ROOT at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
}

# caravan_transport LOG — the I/O transport Caravan's start-up line names (io_uring, epoll or nio; caravan.io.transport).
caravan_transport() { sed -nE 's/.*Caravan I\/O: [0-9]+ threads \(([a-z_]+)\).*/\1/p' "$1" | head -1; }

# caravan_log_warnings LOG SAVED_COPY — one line per distinct WARN/ERROR message in Caravan's log, with counts.
caravan_log_warnings() {
    local n
    n=$(grep -cE '^[0-9-]+ [0-9:.]+ \[[^]]*\] (WARN|ERROR) ' "$1" || true)
    ((n > 0)) || return 0
    echo "WARNING: Caravan logged $n WARN/ERROR lines (full log: $2):"
    grep -E '^[0-9-]+ [0-9:.]+ \[[^]]*\] (WARN|ERROR) ' "$1" |
        sed -E 's/^[0-9-]+ [0-9:.]+ \[[^]]*\] //; s/\((MessageId|ExchangeId)[^)]*\)/(...)/g' |
        sort | uniq -c | sort -rn | head -5 | cut -c1-220 | sed 's/^/  /'
}

# parse_h2load FILE — "req_per_sec failed mean_ms" from h2load output.
parse_h2load() {
    awk '
        /^finished in/ { for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^req\/s/) { rps = $i; gsub(/,/, "", rps) } }
        /^requests:/   { for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^failed/) { f = $i } }
        /^time for request:/ { m = $6; u = m; sub(/[0-9.]+/, "", u); m += 0; if (u == "us") m /= 1000; if (u == "s") m *= 1000 }
        END { printf "%s %s %s\n", (rps == "" ? "NaN" : rps), (f == "" ? "NaN" : f), (m == "" ? "NaN" : m) }
    ' "$1"
}

# parse_wrk FILE -> "req_per_sec p99_ms errors" (errors = non-2xx/3xx + socket errors)
parse_wrk() {
    awk '
        function to_ms(v,   n, u) {
            n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
            if (u == "us") return n / 1000
            if (u == "ms") return n
            if (u == "s")  return n * 1000
            if (u == "m")  return n * 60000
            if (u == "h")  return n * 3600000
            return -1
        }
        /^Requests\/sec:/                { rps = $2 }
        $1 == "99%"                      { p99 = to_ms($2) }
        /Non-2xx or 3xx responses:/      { err += $NF }
        /Socket errors:/ { for (i = 3; i <= NF; i += 2) { v = $(i + 1); gsub(/,/, "", v); err += v } }
        END { printf "%s %s %d\n", (rps == "" ? "NaN" : rps), (p99 == "" ? "NaN" : p99), err }
    ' "$1"
}

# median — of the numbers on stdin, one a line.
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "NaN"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# ratio A B [DECIMALS] — A/B with two decimals (or DECIMALS).
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b + 0 == 0) print "NaN"; else printf "%." d "f", a / b }'; }

# cpu_ticks PID... — "user system" CPU clock ticks (1/CLK_TCK s) used so far by these processes and their children
# (nginx's workers are children of its master; Caravan's threads are one process).
cpu_ticks() {
    local pid
    for pid in "$@" $(for p in "$@"; do pgrep -P "$p" || true; done); do
        awk '{ print $14, $15 }' "/proc/$pid/stat" 2>/dev/null || true
    done | awk '{ u += $1; s += $2 } END { print u + 0, s + 0 }'
}

# cpu_total_ticks PID... — user + system ticks of these processes and their children, as one number.
cpu_total_ticks() { cpu_ticks "$@" | awk '{ print $1 + $2 }'; }

# cpu_us_per_request TICKS REQUESTS [DECIMALS] — microseconds of CPU per request (1 decimal unless DECIMALS).
cpu_us_per_request() {
    awk -v t="$1" -v n="$2" -v d="${3:-1}" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { if (n + 0 == 0) print "NaN"; else printf "%." d "f", t / hz * 1e6 / n }'
}

# wrk_requests FILE — the request count of a wrk run.
wrk_requests() { awk '/requests in/ { print $1; exit }' "$1"; }

# pinning PIN — sets PROXY_CPU and LOAD_CPU to taskset prefixes when PIN is 1 and the machine has 2 or more cores:
# the proxies and the origin share CPU 0, the load generator gets CPU 1 (equal cores for nginx and Caravan).
pinning() {
    PROXY_CPU="" LOAD_CPU=""
    if [[ $1 == 1 ]] && (($(nproc) >= 2)) && command -v taskset >/dev/null; then
        PROXY_CPU="taskset -c 0" LOAD_CPU="taskset -c 1"
    fi
}

# start_origin PORT — the benchmarks' origin: nginx answering exactly 1 KiB on / whatever the method (it answers at
# once and reads and drops a request body after), and files of 100 KiB on /100k and 1 MiB on /1m.
# Sets BACKEND_PID.
start_origin() {
    local body
    body=$(printf 'x%.0s' $(seq 1 1023)) # 1023 'x' + the newline below = 1024 bytes
    mkdir -p "$WORK/www"
    head -c 102400 /dev/zero | tr '\0' 'y' >"$WORK/www/100k"
    head -c 1048576 /dev/zero | tr '\0' 'z' >"$WORK/www/1m"
    start_nginx backend "
    server {
        listen 127.0.0.1:$1;
        default_type text/plain;
        location = /100k { root $WORK/www; }
        location = /1m { root $WORK/www; }
        location / { return 200 \"$body\n\"; }
    }"
    BACKEND_PID=$NGINX_PID
}

# start_nginx_proxy PORT BACKEND_PORT — nginx as run.sh's reverse proxy: upstream keep-alive, and buffers that hold a
# 100 KiB response and a 100 KiB request body (by default it writes either to a file when over 16 KiB or so; streaming
# the request body instead, proxy_request_buffering off, cost it 0.5% of its connections against this origin, which
# answers before it has read the body). Sets PROXY_PID.
start_nginx_proxy() {
    start_nginx proxy "
    upstream bench_backend {
        server 127.0.0.1:$2;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$1;
        location / {
            proxy_pass http://bench_backend;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_buffer_size 16k;
            proxy_buffers 16 16k;
            client_body_buffer_size 128k;
        }
    }"
    PROXY_PID=$NGINX_PID
}

# bench_certificate DIR [ec|rsa] — a self-signed certificate for localhost and 127.0.0.1 (P-256 unless rsa: RSA-2048),
# written as DIR/bench.crt and DIR/bench.key, for the TLS benchmarks.
bench_certificate() {
    local key=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1)
    [[ "${2:-ec}" == rsa ]] && key=(-newkey rsa:2048)
    mkdir -p "$1"
    openssl req -x509 "${key[@]}" -nodes -days 2 -subj /CN=localhost \
        -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
        -keyout "$1/bench.key" -out "$1/bench.crt" 2>/dev/null
}

# proxy_route_file ROUTES_DIR BACKEND_URL [LISTENERS] — writes ROUTES_DIR/bench.yaml: one caravan-proxy route for /
# to BACKEND_URL, on the template's default listener or on LISTENERS (e.g. http,https). Kept backend connections idle
# out after POOL_IDLE_TIMEOUT ms (60000: what nginx's upstream keepalive_timeout gives the nginx proxy by default; the
# bench origin keeps connections 65 s), so neither proxy reconnects between rounds (eighteenth pass).
proxy_route_file() {
    mkdir -p "$1"
    cat >"$1/bench.yaml" <<EOF
- templatedRoute:
    routeTemplateRef: caravan-proxy
    routeId: bench-proxy
    parameters:
      - name: path
        value: /
      - name: backends
        value: "$2"
      - name: poolIdleTimeout
        value: "${POOL_IDLE_TIMEOUT:-60000}"
EOF
    if [[ -n "${3:-}" ]]; then
        printf '      - name: listener\n        value: %s\n' "$3" >>"$1/bench.yaml"
    fi
}

# What a browser sends with a GET (Chrome's fields, a cookie and a referer), as wrk arguments: for BROWSER_HEADERS=1,
# so that per-field costs show (the plain cases send Host alone).
BROWSER_WRK_HEADERS=(
    -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
    -H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'
    -H 'Accept-Language: en-GB,en;q=0.9,de;q=0.8'
    -H 'Accept-Encoding: identity'
    -H 'Referer: https://www.example.com/products/index.html'
    -H 'Cookie: session=5f2b9c1e7a4d4e0b9f3c2a1d8e7f6a5b; theme=dark; consent=1'
    -H 'Sec-Fetch-Dest: document'
    -H 'Sec-Fetch-Mode: navigate'
    -H 'Sec-Fetch-Site: same-origin'
    -H 'Upgrade-Insecure-Requests: 1'
    -H 'Cache-Control: max-age=0'
)

# case_wrk_args CASE — sets the array CASE_WRK_ARGS to wrk's extra arguments for one of run.sh's and ab.sh's cases:
# close sends Connection: close, browser a browser's header fields, upload 100 KiB POST bodies (upload.lua); the
# other cases need none.
case_wrk_args() {
    CASE_WRK_ARGS=()
    case $1 in
        close) CASE_WRK_ARGS=(-H 'Connection: close') ;;
        browser) CASE_WRK_ARGS=("${BROWSER_WRK_HEADERS[@]}") ;;
        upload) CASE_WRK_ARGS=(-s "$BENCH_DIR/upload.lua") ;;
    esac
}
