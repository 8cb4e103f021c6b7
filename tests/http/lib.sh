# lib.sh: what the HTTP tests share (sourced, not run): a FICTIONAL archive
# with a user of every role and the demo records, a server on a free
# loopback port, and the ok/not ok lines.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bin=${ATTEST_BIN:-$PWD/build/attest}
here=$PWD/tests/http
tmp=$(mktemp -d)
server_pid=
trap 'http_stop; rm -rf "$tmp"' EXIT
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
python=/usr/bin/python3
[ -x "$python" ] || python=python3

# The roles, each with a user of the same name (admin made by init).
roles=(admin officer investigator analyst partner public)

plan() {
    # plan N: this suite runs N tests (printed before the first one;
    # tests/run fails a suite that runs another number).
    echo "1..$1"
}

setup() {
    # setup NAME COMMAND...: what the tests rest on; silent when the
    # command succeeds, a "not ok" line when it fails (never a pass).
    local name=$1; shift
    "$@" > "$tmp/out" 2>&1 || { echo "not ok - setup: $name"; sed 's/^/# /' "$tmp/out"; }
}

check() {
    # check NAME COMMAND...: ok when the command succeeds.
    local name=$1; shift
    if "$@" > "$tmp/out" 2>&1; then echo "ok - $name"; else echo "not ok - $name"; sed 's/^/# /' "$tmp/out"; fi
}

absent() {
    # absent NAME PATTERN PATH...: no line of the PATHs (files, each there
    # and not empty, or directories, searched whole) matches PATTERN
    # (grep -E).  A path that is not there fails: it proves no absence.
    local name=$1 pattern=$2 p rc; shift 2
    for p in "$@"; do
        if [ ! -d "$p" ] && [ ! -s "$p" ]; then
            echo "not ok - $name"; echo "# $p is not there or empty"; return
        fi
    done
    grep -r -a -E -e "$pattern" -- "$@" > "$tmp/out" 2>&1; rc=$?
    if [ $rc -eq 1 ]; then echo "ok - $name"; else echo "not ok - $name"; head -20 "$tmp/out" | sed 's/^/# /'; fi
}

no_staging() {
    # no_staging NAME DIR [PATTERN]: DIR (the vault) lists no name matching
    # PATTERN (by default any hidden file: a staging file left behind).
    local name=$1 dir=$2 pattern=${3:-'^[.]'} names
    if names=$(ls -A "$dir" 2>&1) && ! grep -qE -- "$pattern" <<<"$names"; then echo "ok - $name"
    else echo "not ok - $name"; grep -E -- "$pattern" <<<"$names" | head -20 | sed 's/^/# /'; fi
}

http_setup() {
    # http_setup [--no-demo]: the archive at $tmp/a with every role's user.
    printf 'FICTIONAL test passphrase\n' > "$tmp/pass"
    exec 3< "$tmp/pass"
    export ATTEST_PASSPHRASE_FD=3 ATTEST_USER=admin ATTEST_ARCHIVE="$tmp/a"
    export HTTP_TEST_PASSPHRASE='FICTIONAL test passphrase'
    "$bin" init "$tmp/a" --kdf interactive > /dev/null 2>&1 || { echo "not ok - init"; exit 1; }
    for r in "${roles[@]:1}"; do
        "$bin" user add "$r" --role "$r" --new-passphrase-fd 4 --kdf interactive 4< "$tmp/pass" \
            > /dev/null 2>&1 || { echo "not ok - user add $r"; exit 1; }
    done
    if [ "${1:-}" != --no-demo ]; then
        "$bin" import jsonl demo/fictional.jsonl > /dev/null 2>&1 || { echo "not ok - demo import"; exit 1; }
    fi
    "$bin" lists import un tests/data/sanctions/un/un-2026-02-27.xml > /dev/null 2>&1 \
        || { echo "not ok - sanctions list import"; exit 1; }
}

free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

http_start() {
    # http_start [SERVE OPTIONS...]: serves $tmp/a; sets $port, $base and
    # $server_pid; the server's stderr (the access log) goes to $tmp/server.log.
    local scheme=http
    [[ " $* " == *" --tls-cert "* ]] && scheme=https
    port=$(free_port)
    base="$scheme://127.0.0.1:$port"
    export HTTP_TEST_BASE=$base
    "$bin" serve --port "$port" "$@" 2>> "$tmp/server.log" &
    server_pid=$!
    # Waits until it answers (or dies); a minute's guard against a hang.
    for _ in $(seq 600); do
        if curl -sk -o /dev/null "$base/api/v1/openapi.json" 2>/dev/null; then return 0; fi
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "not ok - server did not start"
    sed 's/^/# /' "$tmp/server.log"
    exit 1
}

http_stop() {
    # Stops the server started by http_start (SIGTERM), waiting for it.
    if [ -n "$server_pid" ]; then
        kill -TERM "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=
    fi
}

laptop_start() {
    # laptop_start [PORT]: serves the second archive $L, the laptop, on PORT
    # (a free one when not given); sets $lport, $lbase and $laptop_pid; its
    # stderr goes to $tmp/laptop-server.log.  Waits until it answers (a
    # minute at most).  laptop_stop stops it.
    lport=${1:-$(free_port)}
    lbase="http://127.0.0.1:$lport"
    "$bin" -A "$L" serve --port "$lport" 2>> "$tmp/laptop-server.log" &
    laptop_pid=$!
    for _ in $(seq 600); do
        curl -s -o /dev/null "$lbase/api/v1/openapi.json" 2>/dev/null && break
        sleep 0.1
    done
}

laptop_stop() {
    kill -TERM "$laptop_pid" 2>/dev/null
    wait "$laptop_pid" 2>/dev/null
}
