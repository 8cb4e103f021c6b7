#!/usr/bin/env bash
# Pushes and pulls as jobs, watched (the browser's live progress): the
# laptop's server pushes a large vault file to the centre's server through
# a loopback relay (sync_jobs.py) that holds each chunk until the test lets
# it pass, so the job is seen at each stage and offset without timing: a
# push cut by a failed chunk ends "failed" with the message; the next
# resumes at the offset the centre holds and is watched through two
# intermediate states to "done"; a second job to the same peer is refused
# with 409; a pull is watched half downloaded; over TLS, the certificate
# kept with the peer is used by the job's own thread; GET .../jobs lists
# them; the laptop's server killed mid-push and started again reads the job
# back interrupted, and the next push resumes from the outbox; a push that
# ends while another connection holds the archive's write lock longer than
# the server waits reads back failed once it is free, and one started while
# the lock keeps its row out is listed all the same; with the lock held,
# a push's stages still move, and the server stopped as it ends sets its
# end aside, sealed, to be read back as it ended at the next start.
# FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 46
http_setup --no-demo
L=$tmp/laptop
"$bin" init "$L" --kdf interactive > /dev/null 2>&1 || { echo "not ok - init the laptop"; exit 1; }
keyline() { "$bin" -A "$1" key show | grep -m1 '^attest-peer'; }
setup "the laptop pins the centre" "$bin" -A "$L" peers add centre "$(keyline "$tmp/a")"
setup "the centre pins the laptop" "$bin" peers add laptop "$(keyline "$L")"
printf '{"type":"document","id":"dc-jcb000000001","data":{"title":"FICTIONAL field report with a large recording"}}\n' > "$tmp/l.jsonl"
setup "a laptop record" "$bin" -A "$L" import jsonl "$tmp/l.jsonl"
head -c 3000000 /dev/urandom > "$tmp/large.bin"
setup "a large vault file on the laptop" "$bin" -A "$L" evidence add "$tmp/large.bin" --source dc-jcb000000001
printf '{"type":"document","id":"dc-jcb000000002","data":{"title":"FICTIONAL centre report to pull"}}\n' > "$tmp/c.jsonl"
setup "a centre record" "$bin" import jsonl "$tmp/c.jsonl"
head -c 1000000 /dev/urandom > "$tmp/centre.bin"
setup "a vault file at the centre" "$bin" evidence add "$tmp/centre.bin" --source dc-jcb000000002
openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=localhost" -days 2 \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" > /dev/null 2>&1
http_start
umask 077
"$python" tests/http/sync.py token investigator > "$tmp/token"
laptop_start
"$python" tests/http/sync_jobs.py "$lbase" "$base" "$tmp/token" "$tmp/cert.pem" "$tmp/key.pem" \
    "$laptop_pid" "$bin" "$L" "$tmp/laptop-server.log" \
    || echo "not ok - sync_jobs.py exited with $?"
check "the centre holds the pushed record" "$bin" show dc-jcb000000001
check "the laptop holds the pulled record" "$bin" -A "$L" show dc-jcb000000002
check "verify passes at the centre" "$bin" verify
check "verify passes on the laptop" "$bin" -A "$L" verify
absent "no token in the laptop server's log" "$(cat "$tmp/token")" "$tmp/laptop-server.log"
# sync_jobs.py killed the first laptop server (its wait says 137) and
# stopped the one it started again.
laptop_stop 2> /dev/null || true
