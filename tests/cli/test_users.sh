#!/usr/bin/env bash
# test_users.sh: users, API tokens and witness identities from the CLI.
# Disabling and enabling a user; the last enabled admin can be neither
# demoted nor disabled; API tokens are listed with their ids, expire, are
# revoked by id, and end when their user's role changes or the user is
# disabled; a sealed witness identity is replaced only by a protection
# officer, and `witness reveal --history` shows every version.  Every
# user shares the (FICTIONAL) test passphrase on fd 3.
. "$(dirname "$0")/lib.sh"
plan 74

new_archive
add_user() { attest user add "$1" --role "$2" --new-passphrase-fd 4 --kdf interactive 4<"$T/.passphrase"; }
# token_state USER ID: the state `token list` shows for token ID.
token_state() {
    attest -u "$1" user token list --json | json_get "[t['state'] for t in j if t['id'] == '$2'][0]"
}
# token_id USER LABEL: the id of USER's token labelled LABEL.
token_id() {
    attest -u "$1" user token list --json | json_get "[t['id'] for t in j if t['label'] == '$2'][0]"
}
check "an analyst added" add_user ana analyst
check "an officer added" add_user olga officer
check "an investigator added" add_user ivan investigator

# ---- disable and enable --------------------------------------------------
check "an admin disables a user" attest user disable ana
check_fails "a disabled user cannot log in" 1 "ana is disabled" attest -u ana user token list
check "user list shows the user disabled" sh -c "'$ATTEST_BIN' user list | grep -E '^ana +analyst +disabled'"
check_fails "a non-admin cannot enable a user" 1 "may not manage users" attest -u ivan user enable ana
check "an admin enables the user again" attest user enable ana
check "an enabled user logs in again" attest -u ana user token list
check_fails "disable: an unknown user is named" 1 "no user nobody" attest user disable nobody

# ---- the last admin --------------------------------------------------------
check_fails "the last admin cannot demote themselves" 1 "last enabled admin" \
    attest user role tester --role analyst
check_fails "the last admin cannot disable themselves" 1 "last enabled admin" attest user disable tester
same "the last admin is still an admin" "admin" \
    "$(attest user list --json | json_get "[u['role'] for u in j if u['name'] == 'tester'][0]")"
check "a second admin is added" add_user bea admin
check "a third admin" add_user cai admin
check "who is disabled" attest user disable cai
check "with another enabled admin, an admin may step down" attest user role tester --role investigator
check_fails "the remaining enabled admin cannot be demoted (a disabled admin does not count)" 1 \
    "last enabled admin" attest -u bea user role bea --role analyst
check_fails "nor disabled" 1 "last enabled admin" attest -u bea user disable bea

# ---- API tokens -----------------------------------------------------------
check "a token with the default lifetime" attest -u ana user token create --label FICTIONAL-default
same "the token is printed on stdout" "43" "$(tr -d '\n' < "$T/out" | wc -c)"
check "a token for 7 days" attest -u ana user token create --label FICTIONAL-week --expires 7
check_fails "--expires takes 1 to 3650 days" 2 "--expires \"0\"" \
    attest -u ana user token create --expires 0
check_fails "--expires takes a number" 2 "number of days" attest -u ana user token create --expires soon
attest -u ana user token list --json > "$T/tokens.json" 2>/dev/null
check "token list gives each token's id, state and expiry (90 and 7 days)" python3 - "$T/tokens.json" <<'PY'
import datetime, json, sys
t = {x["label"]: x for x in json.load(open(sys.argv[1]))}
now = datetime.datetime.now(datetime.timezone.utc)
def days(x):
    e = datetime.datetime.strptime(x["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return (e - now).total_seconds() / 86400
assert len(t) == 2, t
assert all(len(x["id"]) == 12 and x["state"] == "active" and x["user"] == "ana" for x in t.values()), t
assert 89.9 < days(t["FICTIONAL-default"]) <= 90, t
assert 6.9 < days(t["FICTIONAL-week"]) <= 7, t
PY
check_fails "a user cannot list another's tokens" 1 "may not manage users" attest -u ana user token list ivan
check "an admin lists everyone's tokens" sh -c "'$ATTEST_BIN' -u bea user token list | grep -c FICTIONAL-week"
week=$(token_id ana FICTIONAL-week)
check_fails "another non-admin cannot revoke the token" 1 "may not manage users" attest -u ivan user token revoke "$week"
check_fails "revoke: a malformed id is refused" 2 "12 hex digits" attest -u ana user token revoke xyz
check_fails "revoke: an unknown id is named" 1 "no API token 000000000000" attest -u ana user token revoke 000000000000
check "the user revokes their token by id" attest -u ana user token revoke "$week"
same "the revoked token is listed as revoked" revoked "$(token_state ana "$week")"
default=$(token_id ana FICTIONAL-default)
same "the other token is still active" active "$(token_state ana "$default")"
check "a role change" attest -u bea user role ana --role partner
same "a role change ends the user's tokens" ended "$(token_state ana "$default")"
check "a token made after the change" attest -u ana user token create --label FICTIONAL-after
after=$(token_id ana FICTIONAL-after)
same "is active" active "$(token_state ana "$after")"
check "disable" attest -u bea user disable ana
same "disabling ends the user's tokens" "user disabled" "$(token_state bea "$after")"
check "enable" attest -u bea user enable ana
same "enabling again does not revive them" ended "$(token_state ana "$after")"

# ---- an admin resets a lost passphrase ------------------------------------------
printf 'FICTIONAL new passphrase for rae\n' > "$T/rae-new"
check "an investigator to reset added" attest -u bea user add rae --role investigator --new-passphrase-fd 4 --kdf interactive 4<"$T/.passphrase"
check "rae makes a token" attest -u rae user token create --label FICTIONAL-before-reset
before=$(token_id rae FICTIONAL-before-reset)
check_fails "a non-admin cannot reset another's passphrase" 1 "may not manage users" \
    attest -u ivan user reset ana --new-passphrase-fd 4 4<"$T/rae-new"
check_fails "reset: an unknown user is named" 1 "no user nobody" \
    attest -u bea user reset nobody --new-passphrase-fd 4 4<"$T/rae-new"
check_fails "reset: an admin's own passphrase is changed with passwd" 2 "user passwd" \
    attest -u bea user reset bea --new-passphrase-fd 4 4<"$T/rae-new"
box_before=$(attest user list --json | json_get "[u['box_pk'] for u in j if u['name'] == 'rae'][0]")
check "an admin resets rae's passphrase" attest -u bea user reset rae --new-passphrase-fd 4 4<"$T/rae-new"
check_fails "rae's old passphrase no longer opens" 1 "wrong user name or passphrase" \
    attest -u rae user token list
check "rae logs in with the new one" attest -u rae --passphrase-fd 5 user token list 5<"$T/rae-new"
same "the reset ended rae's tokens" ended "$(token_state bea "$before")"
check "rae has a new sealing key" test "$box_before" != "$(attest user list --json | json_get "[u['box_pk'] for u in j if u['name'] == 'rae'][0]")"
check "the log records the reset" sh -c "'$ATTEST_BIN' verify"

# ---- witness identities -----------------------------------------------------
W=$(attest add witness --code FICTIONAL-W-USERS 2>/dev/null)
printf '{"real_name": "FICTIONAL First Qalvenor"}\n' > "$T/first.json"
printf '{"real_name": "FICTIONAL Second Brisquane"}\n' > "$T/second.json"
printf '{"real_name": "FICTIONAL Third Ostrewyn"}\n' > "$T/third.json"
check "an investigator records the first identity" attest -u ivan witness identity "$W" --file "$T/first.json"
check_fails "an investigator cannot replace it" 1 "only a protection officer may replace it" \
    attest -u ivan witness identity "$W" --file "$T/second.json"
check_fails "nor an admin" 1 "only a protection officer may replace it" \
    attest -u bea witness identity "$W" --file "$T/second.json"
# (check would overwrite $T/err before reading it: the refusal is kept apart.)
cp "$T/err" "$T/refusal"
[ -s "$T/refusal" ] && ! grep -q -e Brisquane -e Qalvenor "$T/refusal"
verdict "the refusal quotes nothing of the identity" $? "$(cat "$T/refusal")"
check "reveal after the refused replacement" attest -u olga witness reveal "$W"
same "the officer still sees the first identity" "FICTIONAL First Qalvenor" "$(json_get 'j["real_name"]' < "$T/out")"
check "an officer replaces the identity" attest -u olga witness identity "$W" --file "$T/second.json"
check "and again" attest -u olga witness identity "$W" --file "$T/third.json"
check "reveal shows the newest" attest -u olga witness reveal "$W"
same "the newest identity" "FICTIONAL Third Ostrewyn" "$(json_get 'j["real_name"]' < "$T/out")"
check "reveal --history" attest -u olga witness reveal "$W" --history
same "--history shows every version, oldest first" \
    '[[1, "FICTIONAL First Qalvenor"], [2, "FICTIONAL Second Brisquane"], [3, "FICTIONAL Third Ostrewyn"]]' \
    "$(json_get '[[v["version"], v["identity"]["real_name"]] for v in j]' < "$T/out")"
check_fails "--history needs an officer" 1 "may not reveal" attest -u ivan witness reveal "$W" --history

# ---- an officer's passphrase reset: identities open again after a reseal --------
printf 'FICTIONAL new passphrase for oscar\n' > "$T/oscar-new"
check "a second officer" attest -u bea user add oscar --role officer --new-passphrase-fd 4 --kdf interactive 4<"$T/.passphrase"
check "the first officer reseals for them" attest -u olga witness reseal
check "the second officer reads the identity" attest -u oscar witness reveal "$W"
check "an admin resets the second officer's passphrase" attest -u bea user reset oscar --new-passphrase-fd 4 4<"$T/oscar-new"
check_fails "their new sealing key does not open what was sealed before, saying to reseal" 1 "witness reseal" \
    attest -u oscar --passphrase-fd 5 witness reveal "$W" 5<"$T/oscar-new"
check "the first officer reseals again" attest -u olga witness reseal
check "the reset officer reads the identity again" attest -u oscar --passphrase-fd 5 witness reveal "$W" 5<"$T/oscar-new"
same "the newest identity" "FICTIONAL Third Ostrewyn" "$(json_get 'j["real_name"]' < "$T/out")"
check "verify passes" attest verify
exit 0
