# web_peer.sh: what the HTTP benchmarks share: their start (the tools they
# need, a temporary directory, the passphrase), a free port, waiting for a
# server, and nginx serving a directory as the peer attest is measured beside.

# web_bench_begin NAME TOOL...: exits naming a TOOL that is missing; makes
# tmp (removed at exit with the processes whose ids are added to pids) and
# gives attest the bench passphrase on fd 3, as admin.
web_bench_begin() {
    local name=$1 tool
    shift
    for tool in "$@"; do
        command -v "$tool" > /dev/null || [ -x "/usr/sbin/$tool" ] \
            || { echo "$name: $tool missing (make deps installs it)"; exit 1; }
    done
    tmp=$(mktemp -d)
    pids=()
    trap web_bench_end EXIT
    printf 'FICTIONAL bench passphrase\n' > "$tmp/pass"
    exec 3< "$tmp/pass"
    export ATTEST_PASSPHRASE_FD=3 ATTEST_USER=admin
}
web_bench_end() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null; wait "$p" 2> /dev/null; done
    rm -rf "$tmp"
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 200); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }

# start_nginx ROOT TYPE WORKERS PROBE: serves ROOT's files as TYPE on a free
# port with WORKERS worker processes, sets nport, and waits until PROBE (a
# path) answers; exits with nginx's logs when it does not.
start_nginx() {
    local nginx_bin
    nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
    mkdir -p "$tmp/nginx"
    chmod -R a+rX "$tmp"  # nginx workers run as another user
    nport=$(free_port)
    cat > "$tmp/nginx/nginx.conf" <<CONF
worker_processes $3;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx; proxy_temp_path $tmp/nginx; fastcgi_temp_path $tmp/nginx;
    uwsgi_temp_path $tmp/nginx; scgi_temp_path $tmp/nginx;
    default_type $2;
    server { listen 127.0.0.1:$nport; root $1; }
}
CONF
    "$nginx_bin" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' 2> "$tmp/nginx/stderr" &
    pids+=($!)
    wait_http "http://127.0.0.1:$nport$4" || { cat "$tmp/nginx/stderr" "$tmp/nginx/error.log"; exit 1; }
}

# wrk_row LABEL: reads wrk --latency's output on stdin and prints one row,
# "LABEL req/s p50 p99 errors" (milliseconds; errors: non-2xx/3xx replies,
# with socket errors in brackets).
wrk_row() {
    python3 -c '
import re, sys
out = sys.stdin.read()
def ms(v):
    n, unit = re.match(r"([\d.]+)(\w+)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
# The distribution lines only: "99%" also ends figures such as "71.99%".
p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
sock = re.search(r"Socket errors: (.*)", out)
print("%s\t%.0f\t%.2f\t%.2f\t%s" % (sys.argv[1], rps, p50, p99,
      (errs.group(1) if errs else "0") + (" (" + sock.group(1) + ")" if sock else "")))
' "$1"
}
