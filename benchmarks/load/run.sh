#!/usr/bin/env bash
# Side-by-side load harness: Sallyport, HAProxy and nginx as egress proxies with equivalent
# configuration, in front of the same nginx origin, measured in turn (A B C A B C ..., medians of the
# rounds). Loopback only; every process it starts is recorded and stopped by PID when it exits.
# See benchmarks/README.md ("Load harness") for what each scenario means and how to read the output.
#
# Environment (defaults in brackets):
#   ROUNDS [3]  DURATION [5] seconds measured per scenario  WARMUP [2] seconds of load before each
#   STREAM_BYTES [2G] bytes for the TCP stream  CONNS [50] wrk connections  IDLE_CONNS [1000]
#   SCENARIOS [all: http1-1k http1-100k tcp-stream h2c tls-keepalive tls-handshake grpc]
#   PROXIES [sallyport haproxy nginx]  PIN [1] pin the proxy to PROXY_CPUS [1], everything else
#   (load generators, origin, TCP sink) to LOAD_CPUS [0]  MAX_SECONDS [900] hard bound for the run
#   WARM_PASS [6] seconds of each scenario through each proxy before the measured rounds (0: none)
#   WARM_CURVE [10] one-second runs back to back through a freshly started proxy, for each of
#   WARM_CURVE_SCENARIOS [http1-1k h2c] (0: none)
#   START_SAMPLES [3] timed starts of Sallyport per fresh-start round, for each of its two configs
#   OUT [benchmarks/results] where <date>.md, <date>.png and raw/<date>/ are written
#   BUSY_POLL [0] 1: Sallyport polls before its event loops sleep (-Dsallyport.eventLoop.spinMicros=20);
#   HAProxy's busy-polling is not turned on: it polls while idle too, and takes the shared core from the
#   proxy measured next
#   INSTALL [1] apt-get the missing tools
set -euo pipefail

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
root=$(CDPATH='' cd -- "$here/../.." && pwd)

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-2}
STREAM_BYTES=${STREAM_BYTES:-2G}
CONNS=${CONNS:-50}
IDLE_CONNS=${IDLE_CONNS:-1000}
SCENARIOS=${SCENARIOS:-"http1-1k http1-100k tcp-stream h2c tls-keepalive tls-handshake grpc"}
PROXIES=${PROXIES:-"sallyport haproxy nginx"}
PIN=${PIN:-1}
PROXY_CPUS=${PROXY_CPUS:-1}
LOAD_CPUS=${LOAD_CPUS:-0}
MAX_SECONDS=${MAX_SECONDS:-900}
WARM_PASS=${WARM_PASS:-6}
WARM_CURVE=${WARM_CURVE:-10}
WARM_CURVE_SCENARIOS=${WARM_CURVE_SCENARIOS:-"http1-1k h2c"}
START_SAMPLES=${START_SAMPLES:-3}
OUT=${OUT:-$root/benchmarks/results}
BUSY_POLL=${BUSY_POLL:-0}
INSTALL=${INSTALL:-1}

stamp=$(date -u +%Y-%m-%dT%H%M)
raw=$OUT/raw/$stamp
work=$(mktemp -d /tmp/sallyport-bench.XXXXXX)
started=$(date +%s)
pids=()
last_pid=

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# ---------------------------------------------------------------- processes
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
        fi
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    if [ "${KEEP_WORK:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME CPUS CMD...: runs CMD in the background (pinned when PIN=1), logs to $work/NAME.log,
# records its PID in the list and in $last_pid (never call it in a $(...) subshell).
start() {
    local name=$1 cpus=$2
    shift 2
    if [ "$PIN" = 1 ]; then
        taskset -c "$cpus" "$@" >"$work/$name.log" 2>&1 &
    else
        "$@" >"$work/$name.log" 2>&1 &
    fi
    last_pid=$!
    pids+=("$last_pid")
}

stop() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# Runs a load generator / client, pinned to the load CPUs.
load() {
    if [ "$PIN" = 1 ]; then
        taskset -c "$LOAD_CPUS" "$@"
    else
        "$@"
    fi
}

time_left() { [ $(($(date +%s) - started)) -lt "$MAX_SECONDS" ]; }

wait_port() {
    local port=$1
    for _ in $(seq 200); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    log "port $port did not open"
    return 1
}

# The PIDs of a process and its children (nginx master + worker).
tree() {
    local pid=$1
    echo "$pid"
    pgrep -P "$pid" || true
}

# utime+stime ticks of a process tree.
cpu_ticks() {
    local total=0 p stat rest
    for p in $(tree "$1"); do
        stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
        rest=${stat##*) }
        # fields after "(comm) ": state is 1st, utime 12th, stime 13th
        set -- $rest
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}

# Sum of a /proc/<pid>/status kB field (VmRSS, VmHWM) over a process tree.
mem_kb() {
    local total=0 p v
    for p in $(tree "$1"); do
        v=$(awk -v f="$2:" '$1 == f { print $2 }' "/proc/$p/status" 2>/dev/null || true)
        total=$((total + ${v:-0}))
    done
    echo "$total"
}

# sample_rss PID FILE: writes the largest VmRSS (kB) seen every 0.2 s to FILE until stopped
# (its PID in $last_pid).
sample_rss() {
    local pid=$1 file=$2
    (
        max=0
        while kill -0 "$pid" 2>/dev/null; do
            r=$(mem_kb "$pid" VmRSS)
            if [ "$r" -gt "$max" ]; then
                max=$r
                echo "$max" >"$file"
            fi
            sleep 0.2
        done
    ) &
    last_pid=$!
    pids+=("$last_pid")
}

# ---------------------------------------------------------------- tools
install_tools() {
    local missing=()
    command -v nginx >/dev/null || missing+=(nginx)
    [ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || missing+=(libnginx-mod-stream)
    command -v haproxy >/dev/null || missing+=(haproxy)
    command -v wrk >/dev/null || missing+=(wrk)
    command -v h2load >/dev/null || missing+=(nghttp2-client)
    command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
    command -v openssl >/dev/null || missing+=(openssl)
    command -v socat >/dev/null || missing+=(socat)
    command -v nghttp >/dev/null || missing+=(nghttp2-client)
    command -v curl >/dev/null || missing+=(curl)
    command -v python3 >/dev/null || missing+=(python3)
    command -v taskset >/dev/null || missing+=(util-linux)
    if [ "${#missing[@]}" -gt 0 ]; then
        if [ "$INSTALL" != 1 ]; then
            log "missing: ${missing[*]} (INSTALL=0)"
            exit 1
        fi
        log "installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >"$work/apt.log" 2>&1 \
            || { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 \
                && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >"$work/apt.log" 2>&1; }
    fi
}

# ---------------------------------------------------------------- ports
# Per proxy: base+1 HTTP/1.1, +2 TCP stream, +3 TLS keep-alive, +4 h2c, +5 TLS handshake per request,
# +6 gRPC, +7 TCP to the origin (idle connections).
base_of() {
    case $1 in
        sallyport) echo 20000 ;;
        haproxy) echo 21000 ;;
        nginx) echo 22000 ;;
    esac
}
ORIGIN_HTTP=18080
ORIGIN_TLS=18443
ORIGIN_TLS_CLOSE=18444
ORIGIN_GRPC=19000
SINK=14300
SALLYPORT_ADMIN=29901

# ---------------------------------------------------------------- material
make_material() {
    mkdir -p "$work/pki" "$work/www" "$work/origin" "$work/proxy-nginx" "$work/sallyport"
    (
        cd "$work/pki"
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Bench CA" -keyout ca.key -out ca.crt \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout origin.key -out origin.csr 2>/dev/null
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >ext.cnf
        openssl x509 -req -in origin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf \
            -out origin.crt 2>/dev/null
    )
    head -c 1024 /dev/urandom >"$work/www/1k.bin"
    head -c 102400 /dev/urandom >"$work/www/100k.bin"
    # gRPC: one unary message each way, field 1 = "hello" (uncompressed length-prefixed frames).
    printf '\x00\x00\x00\x00\x07\x0a\x05hello' >"$work/grpc-request.bin"
    printf '\x00\x00\x00\x00\x07\x0a\x05hello' >"$work/www/grpc-reply.bin"
}

write_origin_conf() {
    cat >"$work/origin/nginx.conf" <<EOF
user root;
worker_processes 1;
daemon off;
pid $work/origin/nginx.pid;
error_log $work/origin/error.log warn;
worker_rlimit_nofile 16384;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $work/origin/body;
    proxy_temp_path $work/origin/proxy;
    fastcgi_temp_path $work/origin/fastcgi;
    uwsgi_temp_path $work/origin/uwsgi;
    scgi_temp_path $work/origin/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    client_header_timeout 300s;
    types { }
    default_type application/octet-stream;
    root $work/www;
    ssl_certificate $work/pki/origin.crt;
    ssl_certificate_key $work/pki/origin.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    # What each proxy negotiated with the origin, logged for its probe request only (X-Bench-Probe): the
    # TLS scenarios compare like with like only if the protocol and key exchange are the same.
    map \$http_x_bench_probe \$bench_probe { default 0; "~." 1; }
    log_format tlsprobe '\$http_x_bench_probe \$ssl_protocol \$ssl_cipher \$ssl_curve';
    server { listen 127.0.0.1:$ORIGIN_HTTP; }
    server { listen 127.0.0.1:$ORIGIN_TLS ssl; ssl_session_cache shared:origin:1m;
             access_log $work/origin/tls-probe.log tlsprobe if=\$bench_probe; }
    # One response per connection, no session cache, no tickets: every request costs the proxy a new
    # TCP connection and a full TLS handshake, whatever its own pooling does.
    server { listen 127.0.0.1:$ORIGIN_TLS_CLOSE ssl; keepalive_timeout 0; ssl_session_cache off; ssl_session_tickets off;
             access_log $work/origin/tls-probe.log tlsprobe if=\$bench_probe; }
    # gRPC unary stand-in: every POST answers the prepared reply frame with grpc-status 0 in trailers.
    server {
        listen 127.0.0.1:$ORIGIN_GRPC http2;
        location / { rewrite ^ /grpc-reply.bin last; }
        location = /grpc-reply.bin {
            default_type application/grpc;
            error_page 405 =200 \$uri;
            add_trailer grpc-status 0 always;
        }
    }
}
EOF
}

write_haproxy_conf() {
    local b
    b=$(base_of haproxy)
    cat >"$work/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn 5000
    ssl-server-verify required
    log stdout format raw local0
defaults
    log global
    timeout connect 5s
    timeout client 300s
    timeout server 300s
    timeout http-keep-alive 300s
frontend http1
    mode http
    option httplog
    bind 127.0.0.1:$((b + 1))
    default_backend origin_plain
frontend h2c
    mode http
    option httplog
    bind 127.0.0.1:$((b + 4)) proto h2
    default_backend origin_plain
backend origin_plain
    mode http
    http-reuse always
    server o 127.0.0.1:$ORIGIN_HTTP
frontend tls_keepalive
    mode http
    option httplog
    bind 127.0.0.1:$((b + 3))
    default_backend origin_tls
backend origin_tls
    mode http
    http-reuse always
    server o 127.0.0.1:$ORIGIN_TLS ssl verify required ca-file $work/pki/ca.crt sni str(localhost) verifyhost localhost
frontend tls_handshake
    mode http
    option httplog
    bind 127.0.0.1:$((b + 5))
    default_backend origin_tls_close
backend origin_tls_close
    mode http
    server o 127.0.0.1:$ORIGIN_TLS_CLOSE ssl verify required ca-file $work/pki/ca.crt sni str(localhost) verifyhost localhost no-ssl-reuse
frontend grpc
    mode http
    option httplog
    bind 127.0.0.1:$((b + 6)) proto h2
    default_backend origin_grpc
backend origin_grpc
    mode http
    http-reuse always
    server o 127.0.0.1:$ORIGIN_GRPC proto h2
frontend stream
    mode tcp
    option tcplog
    bind 127.0.0.1:$((b + 2))
    default_backend sink
backend sink
    mode tcp
    option splice-auto
    server s 127.0.0.1:$SINK
frontend idle
    mode tcp
    option tcplog
    bind 127.0.0.1:$((b + 7))
    default_backend origin_tcp
backend origin_tcp
    mode tcp
    server o 127.0.0.1:$ORIGIN_HTTP
EOF
}

write_nginx_proxy_conf() {
    local b d=$work/proxy-nginx
    b=$(base_of nginx)
    # proxy_ssl_protocols: nginx before 1.23.4 offers upstreams at most TLS 1.2 by default, while Sallyport and
    # HAProxy offer TLS 1.3, which costs an OpenSSL 3.0 origin more per handshake; the same protocols for all
    # three (nginx's own default from 1.23.4 on). The origin's probe log (tls-negotiated.tsv) shows the result.
    local tls="proxy_ssl_verify on; proxy_ssl_trusted_certificate $work/pki/ca.crt; proxy_ssl_name localhost; proxy_ssl_server_name on; proxy_ssl_protocols TLSv1.2 TLSv1.3;"
    local keep='proxy_http_version 1.1; proxy_set_header Connection "";'
    cat >"$d/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
user root;
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
worker_rlimit_nofile 16384;
events { worker_connections 8192; }
http {
    access_log $d/access.log;
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    upstream origin_plain { server 127.0.0.1:$ORIGIN_HTTP; keepalive 64; keepalive_requests 10000000; }
    upstream origin_tls { server 127.0.0.1:$ORIGIN_TLS; keepalive 64; keepalive_requests 10000000; }
    upstream origin_tls_close { server 127.0.0.1:$ORIGIN_TLS_CLOSE; }
    upstream origin_grpc { server 127.0.0.1:$ORIGIN_GRPC; keepalive 16; }
    server { listen 127.0.0.1:$((b + 1)); location / { proxy_pass http://origin_plain; $keep } }
    server { listen 127.0.0.1:$((b + 4)) http2; location / { proxy_pass http://origin_plain; $keep } }
    server { listen 127.0.0.1:$((b + 3)); location / { proxy_pass https://origin_tls; $keep $tls } }
    server { listen 127.0.0.1:$((b + 5)); location / { proxy_pass https://origin_tls_close; $tls proxy_ssl_session_reuse off; } }
    server { listen 127.0.0.1:$((b + 6)) http2; location / { grpc_pass grpc://origin_grpc; } }
}
stream {
    log_format basic '\$remote_addr [\$time_local] \$protocol \$status \$bytes_sent \$bytes_received \$session_time "\$upstream_addr"';
    access_log $d/access.log basic;
    server { listen 127.0.0.1:$((b + 2)); proxy_pass 127.0.0.1:$SINK; }
    server { listen 127.0.0.1:$((b + 7)); proxy_pass 127.0.0.1:$ORIGIN_HTTP; }
}
EOF
}

# Kuma resources: one Dataplane outbound per scenario, each leading to a MeshExternalService.
# write_sallyport_conf DIR [plain]: the benchmark config into DIR; "plain" leaves out the two services
# that originate TLS (the second start-to-/ready measurement: what a sidecar without them pays).
write_sallyport_conf() {
    local b d=$1 plain=${2:-}
    b=$(base_of sallyport)
    mkdir -p "$d"
    cat >"$d/mesh.yaml" <<EOF
type: Mesh
name: default
EOF
    cat >"$d/dataplane.yaml" <<EOF
type: Dataplane
mesh: default
name: bench
networking:
  address: 127.0.0.1
  admin:
    port: $SALLYPORT_ADMIN
  outbound:
EOF
    mes() { # name port protocol endpoint-port [tls-yaml]
        cat >>"$d/dataplane.yaml" <<EOF
    - address: 127.0.0.1
      port: $2
      backendRef:
        kind: MeshExternalService
        name: $1
EOF
        cat >"$d/mes-$1.yaml" <<EOF
type: MeshExternalService
name: $1
mesh: default
spec:
  match:
    type: HostnameGenerator
    port: $2
    protocol: $3
  endpoints:
    - address: 127.0.0.1
      port: $4
${5:-}
EOF
    }
    local tls="  tls:
    enabled: true
    verification:
      serverName: localhost
      caCert:
        file: $work/pki/ca.crt"
    mes bench-http $((b + 1)) http $ORIGIN_HTTP
    mes bench-stream $((b + 2)) tcp $SINK
    if [ -z "$plain" ]; then
        mes bench-tls $((b + 3)) http $ORIGIN_TLS "$tls"
        mes bench-tls-close $((b + 5)) http $ORIGIN_TLS_CLOSE "$tls"
    fi
    mes bench-grpc $((b + 6)) grpc $ORIGIN_GRPC
    mes bench-idle $((b + 7)) tcp $ORIGIN_HTTP
}

# ---------------------------------------------------------------- proxies
declare -A proxy_pid

# start_sallyport CONFIG-DIR KEY: starts Sallyport on CONFIG-DIR (PID in $last_pid) and records the time
# from the launcher's start to /ready answering 200 under KEY.
start_sallyport() {
    local conf=$1 key=$2 t0 t1 pid ok=0
    t0=$(date +%s%N)
    local spin=
    if [ "$BUSY_POLL" = 1 ]; then spin=-Dsallyport.eventLoop.spinMicros=20; fi
    # One event loop, as HAProxy (nbthread 1) and nginx (worker_processes 1) run one thread: pinned to one CPU the
    # JVM would choose one anyway, and with PIN=0 this keeps the three configurations equivalent.
    JAVA_OPTS="${JAVA_OPTS:-} $spin" start sallyport "$PROXY_CPUS" "$root/bin/sallyport" run --config "$conf" \
        --dns-enabled=false --drain-timeout=1s --concurrency 1
    pid=$last_pid
    for _ in $(seq 1000); do
        # The poll runs on the load CPUs: a curl started every 10 ms on the proxy's core takes CPU from the start it times.
        if [ "$(load curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SALLYPORT_ADMIN/ready" 2>/dev/null)" = 200 ]; then
            ok=1
            break
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    t1=$(date +%s%N)
    if [ "$ok" = 1 ]; then
        echo -e "$round\t$key\tsallyport\tready_ms\t$(((t1 - t0) / 1000000))" >>"$raw/extra.tsv"
    else
        log "sallyport did not become ready; see log:"
        tail -20 "$work/sallyport.log" >&2
    fi
}

# start_proxy PROXY [KEY]: Sallyport's start-to-/ready goes to extra.tsv under KEY [startup].
start_proxy() {
    local p=$1 t0 t1 pid
    case $p in
        haproxy)
            start haproxy "$PROXY_CPUS" haproxy -db -f "$work/haproxy.cfg"
            pid=$last_pid
            wait_port $(($(base_of haproxy) + 7))
            ;;
        nginx)
            start proxy-nginx "$PROXY_CPUS" nginx -p "$work/proxy-nginx" -c "$work/proxy-nginx/nginx.conf"
            pid=$last_pid
            wait_port $(($(base_of nginx) + 7))
            ;;
        sallyport)
            start_sallyport "$work/sallyport" "${2:-startup}"
            pid=$last_pid
            ;;
    esac
    proxy_pid[$p]=$pid
}

stop_proxy() {
    local p=$1 pid=${proxy_pid[$1]}
    if [ "$p" = sallyport ]; then
        curl -s -o /dev/null -X POST "http://127.0.0.1:$SALLYPORT_ADMIN/quitquitquit" || true
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
    fi
    stop "$pid"
    wait "$pid" 2>/dev/null || true
}

# ---------------------------------------------------------------- measurements
# to_ms VALUE-WITH-UNIT (wrk: 812.00us, 1.23ms, 2.00s)
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
        printf "%.3f", n }'
}

# Checks a scenario works through a proxy before it is measured; a failure means "not available".
probe() {
    local s=$1 port=$2 p=$3
    case $s in
        http1-1k)
            [ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/1k.bin")" = 200 ] ;;
        tls-keepalive | tls-handshake)
            # The header makes the origin log the TLS parameters of this request's upstream connection.
            [ "$(curl -s -m 5 -H "X-Bench-Probe: $p $s" -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/1k.bin")" = 200 ] ;;
        http1-100k)
            [ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/100k.bin")" = 200 ] ;;
        h2c)
            [ "$(curl -s -m 5 --http2-prior-knowledge -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/1k.bin")" = 200 ] ;;
        grpc)
            # nghttp shows the trailers (curl does not): grpc-status 0 must arrive.
            timeout 5 nghttp -v -d "$work/grpc-request.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
                "http://127.0.0.1:$port/bench.Echo/Unary" 2>/dev/null | grep -aq 'recv (stream_id=[0-9]*) grpc-status: 0' ;;
        tcp-stream)
            (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null ;;
    esac
}

port_of() { # proxy scenario
    local b
    b=$(base_of "$1")
    case $2 in
        http1-1k | http1-100k) echo $((b + 1)) ;;
        tcp-stream) echo $((b + 2)) ;;
        tls-keepalive) echo $((b + 3)) ;;
        h2c) if [ "$1" = sallyport ]; then echo $((b + 1)); else echo $((b + 4)); fi ;;
        tls-handshake) echo $((b + 5)) ;;
        grpc) echo $((b + 6)) ;;
    esac
}

# measure ROUND SCENARIO PROXY: one measurement, appended to $raw/results.tsv as
# round scenario proxy throughput unit p50_ms p99_ms cpu_pct peak_rss_kb errors
measure() {
    local r=$1 s=$2 p=$3 pid=${proxy_pid[$3]} port out
    port=$(port_of "$p" "$s")
    out=$raw/$s-$p-r$r
    if ! probe "$s" "$port" "$p"; then
        log "  $p: $s not available"
        echo -e "$r\t$s\t$p\tNA\t-\tNA\tNA\tNA\tNA\tnot available" >>"$raw/results.tsv"
        return 0
    fi
    local url path=/1k.bin
    [ "$s" = http1-100k ] && path=/100k.bin
    url="http://127.0.0.1:$port$path"
    # Warm-up (JIT, pools, caches) for every proxy alike; the TCP stream warms with a short stream.
    case $s in
        tcp-stream) load timeout 60 socat -u -b 262144 OPEN:/dev/zero,readbytes=268435456 "TCP:127.0.0.1:$port" ;;
        h2c | grpc) ;; # h2load's own --warm-up-time
        *) load timeout $((WARMUP + 10)) wrk -t1 -c"$CONNS" -d"${WARMUP}s" "$url" >/dev/null 2>&1 || true ;;
    esac
    local rssfile=$work/rss.$$ sampler c0 c1 t0 t1 thr unit p50 p99 err=""
    echo 0 >"$rssfile"
    sample_rss "$pid" "$rssfile"
    sampler=$last_pid
    c0=$(cpu_ticks "$pid")
    t0=$(date +%s%N)
    case $s in
        tcp-stream)
            local bytes
            bytes=$(numfmt --from=iec "$STREAM_BYTES")
            # socat reads /dev/zero itself (no pipe from head: one copy less on the load CPU).
            load timeout 120 socat -u -b 262144 "OPEN:/dev/zero,readbytes=$bytes" "TCP:127.0.0.1:$port" 2>"$out.txt" \
                || err="socat failed"
            t1=$(date +%s%N)
            thr=$(awk -v b="$bytes" -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", b / (ns / 1e9) / 1e6 }')
            unit=MB/s p50=NA p99=NA
            ;;
        h2c | grpc)
            local extra=()
            if [ "$s" = grpc ]; then
                url="http://127.0.0.1:$port/bench.Echo/Unary"
                extra=(-d "$work/grpc-request.bin" -H 'content-type: application/grpc' -H 'te: trailers')
            fi
            load timeout $((DURATION + WARMUP + 20)) h2load -t1 -c10 -m10 -D "$DURATION" --warm-up-time="$WARMUP" \
                --log-file="$out.log" "${extra[@]}" "$url" >"$out.txt" 2>&1 || err="h2load failed"
            t1=$(date +%s%N)
            thr=$(awk '/^finished in/ { gsub(",", ""); print $4 }' "$out.txt")
            unit=req/s
            read -r p50 p99 < <(awk -F'\t' '{ print $3 }' "$out.log" | sort -n | awk '
                { v[NR] = $1 } END { if (NR == 0) { print "NA NA"; exit }
                  i50 = int(NR * 0.50); if (i50 < 1) i50 = 1; i99 = int(NR * 0.99); if (i99 < 1) i99 = 1;
                  printf "%.3f %.3f\n", v[i50] / 1000, v[i99] / 1000 }')
            local failed
            failed=$(awk '/^requests:/ { gsub(",", ""); print $10 }' "$out.txt")
            [ "${failed:-0}" = 0 ] || err="${failed} failed"
            awk '/^status codes:/ { if ($3 + 0 == 0) exit 1 }' "$out.txt" || err="no 2xx"
            rm -f "$out.log"
            ;;
        *)
            load timeout $((DURATION + 20)) wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "$url" >"$out.txt" 2>&1 \
                || err="wrk failed"
            t1=$(date +%s%N)
            thr=$(awk '/^Requests\/sec:/ { print $2 }' "$out.txt")
            unit=req/s
            p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out.txt")")
            p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out.txt")")
            if grep -q 'Non-2xx\|Socket errors' "$out.txt"; then
                err=$(grep 'Non-2xx\|Socket errors' "$out.txt" | tr -s ' ' | tr '\n' ';')
            fi
            ;;
    esac
    c1=$(cpu_ticks "$pid")
    stop "$sampler"
    local cpu rss
    cpu=$(awk -v d=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", d / hz / (ns / 1e9) * 100 }')
    rss=$(cat "$rssfile")
    log "  $p: $s $thr $unit p50=${p50}ms p99=${p99}ms cpu=${cpu}% rss=$((rss / 1024))MiB ${err}"
    echo -e "$r\t$s\t$p\t${thr:-NA}\t$unit\t$p50\t$p99\t$cpu\t$rss\t${err:-ok}" >>"$raw/results.tsv"
}

# warm_curve SCENARIO PROXY: WARM_CURVE one-second runs of the scenario back to back through the proxy,
# started just before; each second's req/s goes to extra.tsv as "warmcurve-SCENARIO PROXY sN" (in order).
warm_curve() {
    local s=$1 p=$2 port url out thr i
    port=$(port_of "$p" "$s")
    url="http://127.0.0.1:$port/1k.bin"
    for i in $(seq "$WARM_CURVE"); do
        case $s in
            h2c)
                out=$(load timeout 20 h2load -t1 -c10 -m10 -D 1 "$url" 2>&1 || true)
                thr=$(awk '/^finished in/ { gsub(",", ""); print $4 }' <<<"$out")
                ;;
            *)
                out=$(load timeout 20 wrk -t1 -c"$CONNS" -d1s "$url" 2>&1 || true)
                thr=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
                ;;
        esac
        echo "$out" >>"$raw/warmcurve-$s-$p.txt"
        echo -e "1\twarmcurve-$s\t$p\ts$i\t${thr:-NA}" >>"$raw/extra.tsv"
    done
    log "  $p: $s, req/s in each second after a start: $(awk -F'\t' -v k="warmcurve-$s" -v p="$p" \
        '$2 == k && $3 == p { printf "%s ", int($5) }' "$raw/extra.tsv")"
}

# RSS of a proxy with IDLE_CONNS idle TCP connections open through it (to the origin).
measure_idle() {
    local r=$1 p=$2 pid=${proxy_pid[$2]} port holder
    port=$(($(base_of "$p") + 7))
    start "idle-$p" "$LOAD_CPUS" python3 "$here/idle_connections.py" "$port" "$IDLE_CONNS" 30
    holder=$last_pid
    for _ in $(seq 300); do
        grep -q '^open' "$work/idle-$p.log" 2>/dev/null && break
        kill -0 "$holder" 2>/dev/null || break
        sleep 0.05
    done
    if grep -q '^open' "$work/idle-$p.log"; then
        sleep 2
        echo -e "$r\tidle\t$p\trss_kb\t$(mem_kb "$pid" VmRSS)" >>"$raw/extra.tsv"
        log "  $p: $IDLE_CONNS idle connections: rss=$(($(mem_kb "$pid" VmRSS) / 1024))MiB"
    else
        log "  $p: could not open $IDLE_CONNS idle connections: $(tail -1 "$work/idle-$p.log")"
    fi
    stop "$holder"
    wait "$holder" 2>/dev/null || true
}

# ---------------------------------------------------------------- main
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
install_tools
mkdir -p "$raw"
: >"$raw/results.tsv"
: >"$raw/extra.tsv"
make_material
write_origin_conf
write_haproxy_conf
write_nginx_proxy_conf
write_sallyport_conf "$work/sallyport"
write_sallyport_conf "$work/sallyport-plain" plain
cp -r "$work/sallyport" "$raw/sallyport-config"
cp "$work/haproxy.cfg" "$raw/"
cp "$work/proxy-nginx/nginx.conf" "$raw/nginx-proxy.conf"
cp "$work/origin/nginx.conf" "$raw/nginx-origin.conf"

if [ ! -f "$root/app/target/sallyport.jar" ]; then
    log "building app/target/sallyport.jar"
    (cd "$root" && mvn -B -q -o -pl app -am package -DskipTests) >&2
fi

# Every port this run listens on must be free: a leftover origin or proxy would answer instead (with
# another CA, so every TLS probe would fail) and the numbers would not be this run's.
busy=()
for p in $ORIGIN_HTTP $ORIGIN_TLS $ORIGIN_TLS_CLOSE $ORIGIN_GRPC $SINK $SALLYPORT_ADMIN; do
    if ss -Hltn "sport = :$p" | grep -q .; then busy+=("$p"); fi
done
for proxy in sallyport haproxy nginx; do
    for i in 1 2 3 4 5 6 7; do
        p=$(($(base_of "$proxy") + i))
        if ss -Hltn "sport = :$p" | grep -q .; then busy+=("$p"); fi
    done
done
if [ ${#busy[@]} -gt 0 ]; then
    log "ports already in use by another process: ${busy[*]} (stop it first; see ss -ltnp)"
    exit 1
fi

log "origin and TCP sink"
start origin "$LOAD_CPUS" nginx -p "$work/origin" -c "$work/origin/nginx.conf"
start sink "$LOAD_CPUS" socat -u -b 262144 "TCP-LISTEN:$SINK,bind=127.0.0.1,reuseaddr,fork" OPEN:/dev/null
wait_port "$ORIGIN_GRPC"
wait_port "$SINK"

# One start and stop first: bin/sallyport records its class-data-sharing archive on the first run.
# The archive lives in the work directory, so a stale one in app/target (e.g. recorded by a
# `run --help`) cannot skew the start times.
export SALLYPORT_CDS_ARCHIVE=$work/sallyport.jsa
if [[ " $PROXIES " == *" sallyport "* ]]; then
    round=0
    log "priming sallyport (class-data-sharing archive)"
    start_proxy sallyport
    stop_proxy sallyport
    if [ -s "$SALLYPORT_CDS_ARCHIVE" ]; then
        log "class-data-sharing archive: $(du -h "$SALLYPORT_CDS_ARCHIVE" | cut -f1)"
    else
        log "no class-data-sharing archive was recorded; starts run without it"
    fi
fi

{
    echo "date: $stamp"
    echo "nproc: $(nproc)"
    echo "cpu: $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "kernel: $(uname -r)"
    echo "jdk: $(java -version 2>&1 | head -1)"
    echo "nginx: $(nginx -v 2>&1 | sed 's/.*nginx\///')"
    echo "haproxy: $(haproxy -v | head -1 | awk '{ print $3 }')"
    echo "wrk: $(wrk -v 2>&1 | head -1 | awk '{ print $2 }')"
    echo "h2load: $(h2load --version 2>&1 | head -1)"
    echo "pin: $PIN (proxy cpus $PROXY_CPUS, load/origin cpus $LOAD_CPUS)"
    echo "busy poll: $BUSY_POLL (1: Sallyport -Dsallyport.eventLoop.spinMicros=20; 0: the defaults)"
    echo "rounds: $ROUNDS, duration: ${DURATION}s, warmup: ${WARMUP}s, stream: $STREAM_BYTES, conns: $CONNS, warm-up pass: ${WARM_PASS}s, warm-up curve: ${WARM_CURVE} x 1s ($WARM_CURVE_SCENARIOS), start samples per round: $START_SAMPLES"
    echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "sallyport commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >"$raw/machine.txt"

# Fresh proxies, one at a time: Sallyport's start to /ready, then each proxy's RSS with IDLE_CONNS idle
# connections open before it has carried any load.
for round in $(seq "$ROUNDS"); do
    time_left || break
    log "fresh start $round"
    for p in $PROXIES; do
        start_proxy "$p"
        measure_idle "$round" "$p"
        stop_proxy "$p"
        if [ "$p" = sallyport ]; then
            # More timed starts than rounds: one start varies by ±50 ms on this machine.
            for _ in $(seq 2 "$START_SAMPLES"); do
                start_sallyport "$work/sallyport" startup
                proxy_pid[sallyport]=$last_pid
                stop_proxy sallyport
            done
            for _ in $(seq "$START_SAMPLES"); do
                start_sallyport "$work/sallyport-plain" startup-plain
                proxy_pid[sallyport]=$last_pid
                stop_proxy sallyport
            done
        fi
    done
done

# Warm-up curves: the first seconds of load after a start, second by second, each proxy started fresh.
# The rounds below measure the steady state; this is what a sidecar started under traffic goes through
# (for the JVM, the JIT compiling the data path on the proxy's own core).
if [ "$WARM_CURVE" -gt 0 ]; then
    for s in $WARM_CURVE_SCENARIOS; do
        for p in $PROXIES; do
            time_left || break
            log "warm-up curve: $s through a fresh $p"
            # Its start is kept apart from the start row's samples, so that their number and conditions stay as before.
            start_proxy "$p" startup-curve
            warm_curve "$s" "$p"
            stop_proxy "$p"
        done
    done
fi

# Load: each proxy started once and kept for all rounds (a sidecar runs for hours; its JIT-compiled
# steady state is what a request costs), measured in turn A B C A B C ...
for p in $PROXIES; do
    start_proxy "$p"
done
# A warm-up pass of every scenario through every proxy (recorded as round "w", reported apart): the
# JVM's C2 compiler needs some 10-20 s of a code path under load, on the same core as the event loops.
if [ "$WARM_PASS" -gt 0 ]; then
    log "warm-up pass (${WARM_PASS}s per scenario and proxy)"
    for s in $SCENARIOS; do
        for p in $PROXIES; do
            time_left || break
            DURATION=$WARM_PASS measure w "$s" "$p"
        done
    done
fi
for round in $(seq "$ROUNDS"); do
    time_left || { log "time bound reached"; break; }
    log "round $round"
    for s in $SCENARIOS; do
        for p in $PROXIES; do
            time_left || break
            measure "$round" "$s" "$p"
        done
    done
done
for p in $PROXIES; do
    echo -e "1\thwm\t$p\tvmhwm_kb\t$(mem_kb "${proxy_pid[$p]}" VmHWM)" >>"$raw/extra.tsv"
    stop_proxy "$p"
done
echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$raw/machine.txt"
# proxy scenario protocol cipher group, one line per distinct combination seen by the origin.
if [ -f "$work/origin/tls-probe.log" ]; then
    sort -u "$work/origin/tls-probe.log" | tr ' ' '\t' >"$raw/tls-negotiated.tsv"
fi

python3 "$here/report.py" "$raw" "$OUT/$stamp.md" "$OUT/$stamp.png"
log "wrote $OUT/$stamp.md, $OUT/$stamp.png and $raw/"
