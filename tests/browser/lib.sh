# lib.sh: what the browser suites (test_ui.sh, test_travel.sh) share,
# sourced after each prints its plan.  browser_setup checks for chromium and
# playwright-core, makes the scratch directory $tmp and the screenshots'
# $shots, and stops every server and removes $tmp however the suite ends
# ($shots is kept only when a step failed).  `run` is attest as the admin,
# the passphrase in $tmp/pass on fd 3; `serve DIR PORT LOG` starts a server
# of archive DIR on loopback and waits until it answers; `free_port` names
# a free port.  FICTIONAL data only.
set -u
root="$(cd "$(dirname "$0")/../.." && pwd)"
A=${ATTEST_BIN:-$root/build/attest}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export ATTEST_PASSPHRASE_FD=3 ATTEST_USER=admin
servers=

# browser_setup LABEL NAME: LABEL names the suite's setup in a failure,
# NAME its screenshots' directory.
browser_setup() {
    setup_label=$1
    if [ ! -x "$CHROMIUM" ] || [ ! -d "$root/node_modules/playwright-core" ]; then
        echo "not ok - browser/$setup_label: needs $CHROMIUM and npm's playwright-core (make deps)"
        exit 1
    fi
    tmp=$(mktemp -d)
    shots=$(mktemp -d "${TMPDIR:-/tmp}/attest-$2-shots.XXXXXX")
    trap browser_cleanup EXIT
    printf 'FICTIONAL test passphrase\n' > "$tmp/pass"
}

browser_cleanup() {
    for pid in $servers; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    rm -rf "$tmp"
    rmdir "$shots" 2>/dev/null # kept only when a step failed
}

# setup_failed: the suite's set-up (its output in $tmp/setup.log) failed.
setup_failed() {
    echo "not ok - browser/$setup_label: $(tail -3 "$tmp/setup.log")"
    exit 1
}

run() { "$A" "$@" 3<"$tmp/pass"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# serve DIR PORT LOG: starts a server (its pid in $!, stopped at the end)
# and waits until it answers, at most a minute.
serve() {
    "$A" -A "$1" serve --bind 127.0.0.1 --port "$2" 3<"$tmp/pass" 2>"$3" &
    servers="$servers $!"
    for _ in $(seq 600); do
        (exec 5<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
        sleep 0.1
    done
}
