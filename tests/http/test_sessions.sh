#!/usr/bin/env bash
# Logins, sessions and tokens of `attest serve`: logins take JSON from the
# server's own pages only; wrong guesses are slowed, never locked out, and
# parallel guesses gain nothing; one user cannot fill the sessions of all;
# a change of role or passphrase, or disabling a user, made by the CLI
# while the server runs, ends that user's sessions and tokens at once;
# tokens expire and are revoked; only an officer replaces a sealed witness
# identity.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 71
http_setup --no-demo
export SESSIONS_STATE="$tmp/state"
ses() { "$python" tests/http/sessions.py "$@" || echo "not ok - sessions.py $1 exited with $?"; }
# status USER PASSPHRASE: the status of a login, tried again after the
# delay that a wrong guess just before may have set.
status() {
    "$python" -c 'import sys, time; from client import Session
r = Session().post("/api/v1/login", {"username": sys.argv[1], "passphrase": sys.argv[2]})
if r.status == 429:
    time.sleep(r.json()["error"]["retry_after"])
    r = Session().post("/api/v1/login", {"username": sys.argv[1], "passphrase": sys.argv[2]})
print(r.status)' "$1" "$2"
}
# bearer_me TOKEN: the status of GET /api/v1/me with the token.
bearer_me() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "$base/api/v1/me"; }

http_start
ses login-request
ses identity
ses cap
ses token-expiry
token=$(cat "$tmp/state")
check "the API token works" test "$(bearer_me "$token")" = 200
"$bin" -u analyst user token list --json > "$tmp/tokens.json" 2> /dev/null
id=$("$python" -c 'import json, sys
print([t["id"] for t in json.load(open(sys.argv[1])) if t["label"] == "FICTIONAL default"][0])' "$tmp/tokens.json")
check "the CLI revokes the token while the server runs" "$bin" -u analyst user token revoke "$id"
check "a revoked token stops working at once" test "$(bearer_me "$token")" = 401
http_stop

# Throttling, on a fresh server (failures are counted in memory).
http_start
ses throttle
http_stop

# Changes made by the CLI while the server runs.
http_start
ses revoke-setup analyst investigator officer partner
check "the CLI changes a role" "$bin" user role analyst --role public
ses revoke-check "role change by the CLI" analyst ended investigator alive officer alive partner alive
check "the user logs in again, with the new role" \
    "$python" -c 'from client import Session; assert Session().login("analyst").get("/api/v1/me").json()["role"] == "public"'
printf 'FICTIONAL new investigator passphrase\n' > "$tmp/newpass"
check "the CLI changes a passphrase" "$bin" -u investigator user passwd --new-passphrase-fd 4 4< "$tmp/newpass"
ses revoke-check "passphrase change by the CLI" investigator ended officer alive partner alive
same_status() { local want=$1; shift; test "$(status "$@")" = "$want"; }
check "the old passphrase no longer logs in" same_status 401 investigator 'FICTIONAL test passphrase'
check "the new passphrase logs in" same_status 200 investigator 'FICTIONAL new investigator passphrase'
check "the CLI disables a user" "$bin" user disable officer
ses revoke-check "disabling by the CLI" officer ended partner alive
check "a disabled user cannot log in" same_status 401 officer 'FICTIONAL test passphrase'
check "the CLI enables the user again" "$bin" user enable officer
check "an enabled user logs in again" same_status 200 officer 'FICTIONAL test passphrase'
"$bin" user role admin --role analyst 2> "$tmp/err"; status=$?
check "the last admin cannot demote themselves" \
    sh -c "[ $status -eq 1 ] && grep -q '^attest: admin is the last enabled admin' '$tmp/err'"
ses revoke-check "after a refused demotion" partner alive
http_stop
