#!/usr/bin/env bash
# Output hygiene of `attest serve`: an access log that escapes what a
# decoded path may hold and never shows an identity or a passphrase; CSV
# exports that spreadsheets cannot run as formulas; range-checked numbers
# in queries; HEAD on every GET route.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 167
http_setup
export HTTP_TEST_SECRET_NAME="FICTIONAL-Hygiene-Secretname"
hyg() { "$python" tests/http/hygiene.py "$@" || echo "not ok - hygiene.py $1 exited with $?"; }

http_start
hyg log-requests
log=$tmp/server.log
absent "access log: a decoded %0A starts no forged line" '^2026-01-01T00:00:00Z' "$log"
check "access log: a decoded %0A is shown as \\n" grep -qF 'nothing\n2026-01-01T00:00:00Z\x20203.0.113.9' "$log"
absent "access log: no ESC, CR, BEL or DEL byte" "$(printf '[\033\r\a\177]')" "$log"
check "access log: ESC is shown as \\x1b" grep -qF 'nothing\x1b[31mred\x1b[0m\r\x07\x7f\xe2\x80\xae' "$log"
check "access log: every request line has six fields" \
    awk '/^[0-9][0-9][0-9][0-9]-/ && NF != 6 { bad = 1 } END { exit bad }' "$log"
absent "access log: no identity" "$HTTP_TEST_SECRET_NAME|FICTIONAL-HYGIENE-NOTES" "$log"
absent "access log: no passphrase or session cookie" 'FICTIONAL test passphrase|attest_session' "$log"
hyg export
hyg limits
hyg version
hyg head
check "access log: HEAD requests are logged as HEAD" grep -q ' HEAD /api/v1/records/dc-fake00000001 200 ' "$log"
http_stop
