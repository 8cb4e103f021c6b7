# web_peer.sh: what the HTTP benchmarks share, sourced after they set tmp
# and pids: a free port, waiting for a server, and nginx serving a
# directory as the peer attest is measured beside.

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
