#!/usr/bin/env bash
# test_identity_leak.sh: a witness's sealed identity never appears in the
# clear anywhere but in an officer's own reveal.  A known, distinctive
# (and FICTIONAL) identity is recorded; then nearly every command runs, with
# every stdout and stderr kept; a database reader holds a read transaction
# open meanwhile, so that the write-ahead log keeps every frame written
# (and the WAL and its index are copied after each command).  At the end
# the database, every WAL and SHM copy, every export, every vault file and
# every captured output (except the officer's reveal on stdout) are
# searched for the identity's strings, in UTF-8, lower and upper case, and
# UTF-16 LE and BE: none may hold them.  Malformed identities must be
# refused without being quoted.
. "$(dirname "$0")/lib.sh"
tmp=$T
reader_pid=
cleanup() {
    [ -n "$reader_pid" ] && kill "$reader_pid" 2>/dev/null
    chmod -R u+w "$tmp" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# The malformed identities: a label and the text given (built below, once
# the strings are known); each is one test.
MALFORMED=9
# Tests: one per malformed identity, two of identities for records that
# are not witnesses, and eight more.  A command that fails to run adds a
# "not ok" line of its own.
plan $((MALFORMED + 2 + 8))

# The identity's distinctive strings, each searched for on its own.
NAME="Qorvath Ylmenko FICTIONAL 7731"
OTHER="Ylmenko Qorvatha FICTIONAL"
ADDRESS="FICTIONAL 48 Vrendash Lane, Tolmquay"
PHONE="+00 FICTIONAL 5550 1977"
RELATIVE="Sister Ilsabeth Qorvath FICTIONAL"

printf 'FICTIONAL test passphrase\n' >"$tmp/pass"
printf 'FICTIONAL officer passphrase\n' >"$tmp/opass"
printf 'FICTIONAL second officer passphrase\n' >"$tmp/opass2"
export ATTEST_USER=admin ATTEST_ARCHIVE=$tmp/a
cap=$tmp/captured        # every stdout and stderr, and the WAL copies
exports=$tmp/exports
mkdir -p "$cap" "$exports"

n=0
# run NAME ARGS...: runs attest as the admin, stdout and stderr captured
# as $cap/NNN-NAME.out and .err; stdin is passed on.  Returns its status.
run() {
    local name=$1; shift
    n=$((n + 1))
    last=$cap/$(printf %03d $n)-$name
    "$ATTEST_BIN" "$@" 3<"$tmp/pass" >"$last.out" 2>"$last.err"
    local status=$?
    snap_wal
    return $status
}
# as_officer NAME ARGS...: the same as officer olga.
as_officer() {
    local name=$1; shift
    run "$name" -u olga --passphrase-fd 4 "$@" 4<"$tmp/opass"
}
# snap_wal: copies whatever WAL and shared-memory index exist now.
snap_wal() {
    local f
    for f in "$tmp/a/attest.db-wal" "$tmp/a/attest.db-shm"; do
        [ -e "$f" ] && cp "$f" "$cap/$(printf %03d $n)-$(basename "$f").copy"
    done
    return 0
}
# ok_run NAME ARGS...: run, and note a failure when it exits non-zero.
ok_run() {
    if ! run "$@"; then
        not_ok "identity leak: command $1 runs" "$(cat "$last.err")"
    fi
}

# ---- an archive, a reader that pins the WAL, an identity -------------------
if ! run init init "$tmp/a" --kdf interactive || ! run import import jsonl "$ROOT/demo/fictional.jsonl" \
   || ! run officer user add olga --role officer --new-passphrase-fd 4 --kdf interactive 4<"$tmp/opass"; then
    not_ok "identity leak: building the archive" "$(cat "$last.err")"
    exit 1
fi

# The reader: a read transaction stays open at the snapshot before the
# identity is written, so no checkpoint can reset the WAL behind it.
mkfifo "$tmp/reader.in"
"$ATTEST_SQL" "$tmp/a" <"$tmp/reader.in" >"$tmp/reader.out" 2>&1 3<"$tmp/pass" &
reader_pid=$!
exec 5>"$tmp/reader.in"
echo "BEGIN; SELECT count(*) FROM log_entry;" >&5
for _ in $(seq 600); do [ -s "$tmp/reader.out" ] && break; sleep 0.1; done
[ "$(cat "$tmp/reader.out")" -gt 0 ] 2>/dev/null || not_ok "identity leak: the WAL reader started" "$(cat "$tmp/reader.out")"

identity=$(python3 -c 'import json, sys
print(json.dumps({"real_name": sys.argv[1], "other_names": sys.argv[2], "address": sys.argv[3],
                  "contacts": sys.argv[4], "relatives_in_north_korea": sys.argv[5],
                  "notes": "FICTIONAL test identity"}))' "$NAME" "$OTHER" "$ADDRESS" "$PHONE" "$RELATIVE")
printf '%s\n' "$identity" >"$tmp/identity.json"
w=wt-fake00000001
ok_run identity witness identity $w --file - <"$tmp/identity.json"
ok_run identity-file witness identity wt-fake00000002 --file "$tmp/identity.json"

# ---- the reveal: the one place it may appear ------------------------------
if as_officer reveal witness reveal $w && grep -qF "$NAME" "$last.out" \
   && grep -qF "$ADDRESS" "$last.out"; then
    ok "identity leak: the officer's reveal shows the identity"
    reveal_out=$last.out
else
    not_ok "identity leak: the officer's reveal shows the identity" "$(cat "$last.err")"
    reveal_out=
fi
run reveal-admin witness reveal $w
verdict "identity leak: an admin who is not an officer cannot reveal" \
    "$([ $? -eq 1 ] && grep -qx "attest: user admin (admin) may not reveal a witness's identity" "$last.err" \
       && ! [ -s "$last.out" ]; echo $?)" "$(cat "$last.err")"

# ---- many other commands --------------------------------------------------
ok_run consent witness consent $w --use analysis --granted 2019-05-14 --note FICTIONAL
ok_run consent2 witness consent $w --use court --granted 2019-05-14
ok_run withdraw witness consent $w --use court --withdrawn 2020-01-02 --reason FICTIONAL
ok_run officer2 user add piet --role officer --new-passphrase-fd 4 --kdf interactive 4<"$tmp/opass2"
ok_run reseal -u olga --passphrase-fd 4 witness reseal 4<"$tmp/opass"
if run reveal2 -u piet --passphrase-fd 4 witness reveal $w 4<"$tmp/opass2" \
   && grep -qF "$NAME" "$last.out"; then
    ok "identity leak: a second officer reveals after the reseal"
    reveal2_out=$last.out
else
    not_ok "identity leak: a second officer reveals after the reseal" "$(cat "$last.err")"
    reveal2_out=
fi
# Replacing a recorded identity is an officer's to do.
as_officer identity-v2 witness identity $w --file - <"$tmp/identity.json"
verdict "identity leak: an officer replaces the identity" $? "$(cat "$last.err")"
head -c 300000 /dev/urandom >"$tmp/ev.bin"
ok_run evidence-add evidence add "$tmp/ev.bin" --interview iv-fake00000001
ev=$(head -n1 "$last.out")
ok_run custody custody add "$ev" --action received --from "FICTIONAL field team"
ok_run custody-show custody show "$ev" --json
ok_run custody-table custody show "$ev"
ok_run evidence-list evidence list --json
ok_run evidence-table evidence list
ok_run evidence-show evidence show "$ev" --json
ok_run export-jsonl export jsonl -o "$exports/all.jsonl"
ok_run export-jsonl-stdout export jsonl
cp "$last.out" "$exports/stdout.jsonl"
for t in act document event interview organisation person pinpoint relation site vessel witness; do
    ok_run "export-csv-$t" export csv --type $t -o "$exports/$t.csv"
    ok_run "list-$t" list $t --json
done
ok_run list list --json
ok_run list-table list
ok_run show show $w --json
ok_run show-table show $w
ok_run show-v1 show $w --version 1 --json
ok_run history history $w --json
ok_run history-table history $w
ok_run search-fictional search FICTIONAL --json
ok_run search-words search Qorvath Ylmenko --json
ok_run search-cjk search 회령 --json
ok_run stats stats --json
ok_run users user list --json
ok_run key key show
ok_run verify verify
ok_run verify-no-vault verify --no-vault
ok_run prove prove $w --json
ok_run prove-evidence prove "$ev"
ok_run prove-consistency prove --consistency 5 --json
ok_run rebuild rebuild
run identity-none witness identity wt-fake00000003 --file - </dev/null
verdict "identity leak: an empty identity is refused" \
    "$([ $? -eq 2 ] && grep -q '^attest: the identity .*; expected an object with text keys' "$last.err"; echo $?)" \
    "$(cat "$last.err")"

# ---- malformed identities are refused and never quoted --------------------
# malformed LABEL TEXT: TEXT as the identity is refused (exit 2) with a
# message that says what an identity is, and quotes none of it.
malformed() {
    local label=$1 text=$2 status
    printf '%s' "$text" >"$tmp/bad.json"
    run "bad-$label" witness identity $w --file - <"$tmp/bad.json"; status=$?
    if [ $status -ne 2 ]; then
        not_ok "identity leak: a malformed identity ($label) is refused" "exit $status, expected 2"
    elif ! grep -qE '^attest: the identity (.*; expected an object with text keys|must be a JSON object whose keys are among) real_name' "$last.err"; then
        not_ok "identity leak: a malformed identity ($label) is refused saying what an identity is" \
            "$(cat "$last.err")"
    elif grep -qiE 'Qorvath|Ylmenko|Vrendash' "$last.err" "$last.out"; then
        not_ok "identity leak: a malformed identity ($label) is not quoted" "$(cat "$last.err")"
    else
        ok "identity leak: a malformed identity ($label) is refused and not quoted"
    fi
}
malformed "truncated JSON" "{\"real_name\": \"$NAME\", \"address\": \"$ADDRESS"
malformed "unknown key" "{\"real_name\": \"$NAME\", \"$NAME\": \"$ADDRESS\"}"
malformed "non-text value" "{\"real_name\": [\"$NAME\"], \"address\": {\"$ADDRESS\": 1}}"
malformed "duplicate key" "{\"real_name\": \"$NAME\", \"real_name\": \"$OTHER\"}"
malformed "not an object" "\"$NAME $ADDRESS\""
malformed "bad escape" "{\"real_name\": \"$NAME \\q $ADDRESS\"}"
malformed "trailing text" "{\"real_name\": \"$NAME\"} $ADDRESS"
malformed "bad UTF-8" "{\"real_name\": \"$NAME $(printf '\xff\xfe') $ADDRESS\"}"
malformed "a control character" "{\"real_name\": \"$NAME $(printf '\001') $ADDRESS\"}"
# An identity for a record that is not a witness, or for no record.
printf '{"real_name": "%s"}' "$NAME" >"$tmp/id2.json"
run bad-not-a-witness witness identity iv-fake00000001 --file "$tmp/id2.json"
verdict "identity leak: an identity for an interview is refused" \
    "$([ $? -eq 2 ] && grep -qx 'attest: "iv-fake00000001" is not a witness id' "$last.err"; echo $?)" \
    "$(cat "$last.err")"
run bad-unknown-witness witness identity wt-nosuch000001 --file "$tmp/id2.json"
verdict "identity leak: an identity for an unknown witness is refused" \
    "$([ $? -eq 1 ] && grep -qx 'attest: no record wt-nosuch000001' "$last.err"; echo $?)" \
    "$(cat "$last.err")"

# ---- nothing written since holds it: close the reader last -----------------
[ -e "$tmp/a/attest.db-wal" ] && wal_seen=1 || wal_seen=0
ls "$cap"/*attest.db-wal.copy >/dev/null 2>&1 && wal_seen=1
n=$((n + 1)); snap_wal
echo "COMMIT;" >&5
exec 5>&-
wait "$reader_pid" 2>/dev/null
reader_pid=
n=$((n + 1)); snap_wal
if [ $wal_seen -eq 1 ] && [ "$(stat -c %s "$(ls -S "$cap"/*attest.db-wal.copy | head -n1)")" -gt 100000 ]; then
    ok "identity leak: a write-ahead log holding the writes was captured"
else
    not_ok "identity leak: a write-ahead log holding the writes was captured"
fi

# Everything to search: the archive directory (database, WAL, vault), the
# captured outputs and WAL copies, the exports; not the reveals' stdout.
find "$tmp/a" "$cap" "$exports" -type f \
    ! -path "${reveal_out:-/nonexistent}" ! -path "${reveal2_out:-/nonexistent}" \
    | sort >"$tmp/files"
nfiles=$(wc -l <"$tmp/files")
cat >"$tmp/scan.py" <<'EOF'
import sys
files = open(sys.argv[1]).read().split("\n")
needles = []
for s in sys.argv[2:]:
    for form in {s, s.lower(), s.upper()}:
        for enc in ("utf-8", "utf-16-le", "utf-16-be"):
            needles.append((form, enc, form.encode(enc)))
# The invented words on their own, so a reordered or split copy is found.
for part in ("Qorvath", "Ylmenko", "Vrendash", "Tolmquay", "Ilsabeth", "5550 1977"):
    for form in (part, part.lower()):
        for enc in ("utf-8", "utf-16-le", "utf-16-be"):
            needles.append((form, enc, form.encode(enc)))
hits = 0
for path in filter(None, files):
    data = open(path, "rb").read()
    for form, enc, b in needles:
        if b in data:
            print(f"{path}: {form!r} ({enc})")
            hits += 1
sys.exit(1 if hits else 0)
EOF
# scan FILE-LIST: exits 1 and prints the hits when a file holds a string.
scan() { python3 "$tmp/scan.py" "$1" "$NAME" "$OTHER" "$ADDRESS" "$PHONE" "$RELATIVE"; }

# The search itself finds what it should in the reveal's output; and the
# WAL was captured while it held the identity's write (its pages are
# encrypted, so their size is what shows it).
printf '%s\n' "$reveal_out" >"$tmp/control"
wal=$(ls -S "$cap"/*attest.db-wal.copy 2>/dev/null | head -n1)
if [ -n "$reveal_out" ] && ! scan "$tmp/control" >/dev/null \
   && [ -n "$wal" ] && [ "$(stat -c %s "$wal")" -gt 8192 ]; then
    ok "identity leak: the search finds the identity in a reveal, and the WAL was captured holding writes"
else
    not_ok "identity leak: the search finds the identity in a reveal, and the WAL was captured holding writes" \
        "wal: ${wal:-none}"
fi
if scan "$tmp/files" >"$tmp/found"; then
    ok "identity leak: no identity string in $nfiles files (database, WAL, vault, exports, outputs)"
else
    not_ok "identity leak: no identity string in $nfiles files (database, WAL, vault, exports, outputs)" \
        "$(sed "s|$tmp/||" "$tmp/found" | head -20)"
fi
