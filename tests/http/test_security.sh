#!/usr/bin/env bash
# Security tests of `attest serve`: stored scripts come back as JSON text;
# CSRF; path traversal; malformed, mistyped and oversized bodies; slow
# clients; cookie flags with and without TLS; an access log without names
# or query strings; login rate limits; nothing acknowledged lost on
# SIGTERM.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 158
http_setup
export HTTP_TEST_ARCHIVE="$tmp/a"
export HTTP_TEST_SECRET_NAME="FICTIONAL-Ri-Secretname"
sec() { "$python" tests/http/security.py "$@" || echo "not ok - security.py $1 exited with $?"; }

http_start
for part in xss csrf traversal malformed oversize slow cookies log-requests; do
    sec "$part"
done
# The access log: one line per request, paths only.
check "access log has a line per request" test "$(grep -c ' /api/v1/' "$tmp/server.log")" -gt 100
absent "access log has no query strings" '^[0-9TZ:-]+ [^ ]+ [A-Z]+ [^ ]*\?' "$tmp/server.log"
absent "access log has no names from queries or bodies" \
    "$HTTP_TEST_SECRET_NAME|FICTIONAL-ADDRESS|FICTIONAL-NOTES" "$tmp/server.log"
absent "access log has no passphrases or session cookies" 'FICTIONAL test passphrase|attest_session' "$tmp/server.log"
absent "the sealed identity is nowhere in the archive in the open" "$HTTP_TEST_SECRET_NAME|FICTIONAL-ADDRESS" "$tmp/a"
http_stop
# Login delays, on a fresh server (failures are counted in memory).
http_start
sec ratelimit
http_stop

# TLS: a self-signed certificate; the cookie gains Secure.
openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=localhost" -days 2 \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" > /dev/null 2>&1
http_start --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem"
check "TLS: the API answers over HTTPS" curl -skf "$base/api/v1/openapi.json" -o /dev/null
# curl's exit 52: the server took the connection and answered nothing (a
# port that no one listens on would be 7).
curl -sf "http://127.0.0.1:$port/api/v1/openapi.json" -o /dev/null; status=$?
check "TLS: plain HTTP is not answered (curl exit $status, want 52)" test $status -eq 52
sec cookies
http_stop
export HTTP_TEST_BASE=

# SIGTERM during writes and a large upload: what was acknowledged is kept.
http_start
export HTTP_TEST_TOKEN=$("$python" tests/http/security.py token)
"$python" tests/http/security.py shutdown-writer "$tmp/acked.json" &
writer=$!
# The stop comes once writes were acknowledged and the upload is under way
# (waited for, not timed; the writer's end is a guard against a hang).
while kill -0 "$writer" 2>/dev/null \
    && ! { [ -e "$tmp/acked.json.uploading" ] && [ "$(wc -l < "$tmp/acked.json.acked" 2>/dev/null || echo 0)" -gt 5 ]; }; do
    sleep 0.05
done
kill -TERM "$server_pid"
wait "$server_pid"; status=$?
server_pid=
check "the server exits 0 on SIGTERM" test $status -eq 0
wait "$writer"
check "writes were acknowledged before the stop" "$python" -c '
import json, sys; assert len(json.load(open(sys.argv[1]))) > 5' "$tmp/acked.json"
"$bin" export jsonl -o "$tmp/export.jsonl" > /dev/null 2>&1
"$bin" evidence list --json > "$tmp/evidence.json" 2> /dev/null
check "every acknowledged write is in the archive" "$python" -c '
import json, sys
acked = json.load(open(sys.argv[1]))
have = {json.loads(l)["id"] for l in open(sys.argv[2])}
have |= {i["id"] for i in json.load(open(sys.argv[3]))}
missing = [a for a in acked if a not in have]
assert not missing, missing' "$tmp/acked.json" "$tmp/export.jsonl" "$tmp/evidence.json"
check "attest verify passes after the stop" "$bin" verify
no_staging "no upload left half-stored in the vault" "$tmp/a/vault" '^\.(upload|incoming|download)-'
grep -q "attest: stopped" "$tmp/server.log" && echo "ok - the server says it stopped" \
    || echo "not ok - the server says it stopped"
