#!/usr/bin/env bash
# CLI tests of `attest lists` and `attest screen` on the small list slices
# in tests/data/sanctions, and on the full lists in ../shared/data when
# they are there.  Prints "ok - NAME" or "not ok - NAME" per test.
# The full lists are not installed by `make deps`: without them their
# tests are skipped, each with a line saying so.  Every other test needs
# only what `make deps` installs (curl and python3 among them).
. "$(dirname "$0")/lib.sh"
data=$ROOT/tests/data/sanctions
shared=$ROOT/../shared/data/sanctions
full_tests=5
plan $((19 + 3 + full_tests))
export ATTEST_USER=admin

new_archive arc
check "lists import un (2018 slice)" "$ATTEST_BIN" lists import un "$data/un/un-2018-10-29.xml"
check "lists import un (2026 slice)" "$ATTEST_BIN" lists import un "$data/un/un-2026-02-27.xml"
check "lists import ofac slice" "$ATTEST_BIN" lists import ofac "$data/ofac" --date 2021-07-07
check "lists shows three versions" bash -c '[ "$("$0" lists --json | grep -c "\"id\"")" -eq 3 ]' "$ATTEST_BIN"
check "lists diff reports KPe.029 renamed" bash -c '"$0" lists diff un@1 un | grep -q "KPe.029 *NATIONAL AEROSPACE DEVELOPMENT ADMINISTRATION -> NATIONAL AEROSPACE TECHNOLOGY ADMINISTRATION"' "$ATTEST_BIN"
check "same file twice is one version" bash -c 'said=$("$0" lists import un "$1" 2>&1) && grep -q "already imported" <<<"$said"' \
    "$ATTEST_BIN" "$data/un/un-2026-02-27.xml"

printf '<?xml version="1.0"?>\n<CONSOLIDATED_LIST dateGenerated="2026-01-01">\n<ENTITIES><ENTITY>\n<DATAID>1</DATA>\n' > "$T/bad.xml"
check_fails "malformed UN file refused with line" 2 'bad\.xml:4: not well-formed' attest lists import un "$T/bad.xml"
grep -qx "attest: nothing was imported" "$T/err"
verdict "malformed UN file: nothing was imported" $? "$(cat "$T/err")"
mkdir -p "$T/badofac"; printf '1,"A",-0- \r\n' > "$T/badofac/sdn.csv"
check_fails "malformed OFAC file refused with line and field" 2 'sdn\.csv:1: 3 fields, want 12' \
    attest lists import ofac "$T/badofac"
check_fails "a --date that is no calendar day refused" 2 '--date "2026-13-45" is not a date' \
    attest lists import ofac "$data/ofac" --date 2026-13-45

check "screen Hangul name" bash -c '"$0" screen "김철삼" --json | grep -q "\"key\": \"KPi.035\""' "$ATTEST_BIN"
check "screen Chinese reading alias" bash -c '"$0" screen "金铁三" | grep -q "KPi.035"' "$ATTEST_BIN"
check "screen romanisation variant" bash -c '"$0" screen "Korea Yonbong General Corp" --type company | grep -q "KPe.002"' "$ATTEST_BIN"
check "screen identifier wins" bash -c '"$0" screen "Some Other Name" --id "IMO 8705539" --json | grep -q "\"identifier\": \"imo:8705539\""' "$ATTEST_BIN"
check "screen ofac scorer" bash -c '"$0" screen "KOREA MINING DEVELOPMENT TRADING" --scorer ofac --json | grep -q "\"scorer\": \"ofac\""' "$ATTEST_BIN"
check_fails "screen bad scorer is a usage error" 2 '"nope" is not a scorer; valid: attest, ofac' attest screen x --scorer nope
printf 'name,type\nKim Young-Cheol,person\nMaria Oliveira,\n' > "$T/in.csv"
check "screen --file writes hits CSV" bash -c '"$0" screen --file "$1" > "$2/hits.csv" && head -1 "$2/hits.csv" | grep -q "^line,query,type,score" && grep -q "^2,Kim Young-Cheol,person," "$2/hits.csv" && ! grep -q "Maria" "$2/hits.csv"' "$ATTEST_BIN" "$T/in.csv" "$T"
printf 'name,type\nKim,person\nX,ship\n' > "$T/bad.csv"
check_fails "screen --file refuses a bad type with line" 2 'bad\.csv:3: field "type": "ship"; valid: person' \
    attest screen --file "$T/bad.csv"
check "screen successors finds the stated successor" bash -c '"$0" screen successors KPe.010 --json | grep -q "\"key\": \"KPe.001\""' "$ATTEST_BIN"

# POST /api/v1/screen on the slice archive, through a server on a free port
{
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    exec 4<"$T/.passphrase"
    ATTEST_PASSPHRASE_FD=4 "$ATTEST_BIN" serve --port "$port" > "$T/serve.log" 2>&1 &
    serve_pid=$!
    for _ in $(seq 600); do curl -s "localhost:$port/api/v1/openapi.json" > /dev/null && break; sleep 0.1; done
    tok=$(curl -s -c "$T/cj" -X POST "localhost:$port/api/v1/login" -H "Content-Type: application/json" \
        -d '{"username":"admin","passphrase":"FICTIONAL test passphrase"}' \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])')
    post() { curl -s -b "$T/cj" -H "X-CSRF-Token: $tok" -X POST "localhost:$port/api/v1/screen" -d "$1"; }
    post '{"queries": {"a": {"schema": "Company", "properties": {"name": ["Korea Yonbong General Corp"]}}, "b": {"schema": "Vessel", "properties": {"name": ["x"], "imoNumber": ["8705539"]}}, "c": {"schema": "Spaceship", "properties": {}}}}' > "$T/batch.json"
    check "http screen: batch answers each query, a bad one with 400" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["responses"]
assert any(h["key"] == "KPe.002" and h["match"] for h in r["a"]["results"]), r["a"]
assert any(h["match"] and h["explain"]["identifier"] == "imo:8705539" for h in r["b"]["results"]), r["b"]
assert r["c"]["status"] == 400, r["c"]
' "$T/batch.json"
    post '{"queries": []}' > "$T/bad.json"
    check "http screen: refuses a body without queries" grep -q '"field": *"queries"' "$T/bad.json"
    check "http screen: needs a login" bash -c '[ "$(curl -s -o /dev/null -w "%{http_code}" -X POST "localhost:$1/api/v1/screen" -d "{}")" = 401 ]' _ "$port"
    kill "$serve_pid" 2>/dev/null
    wait "$serve_pid" 2>/dev/null
}

if [ -d "$shared/un" ] && [ -d "$shared/ofac-2021" ]; then
    new_archive full
    check "full UN 2018 and 2026 and OFAC import" bash -c '"$0" lists import un "$1/un/consolidated-2018-10-29.xml" && "$0" lists import un "$1/un/consolidated-2026-02-27.xml" && "$0" lists import ofac "$1/ofac-2021" --date 2021-07-07' "$ATTEST_BIN" "$shared"
    check "full diff reports KPe.029 and KPe.054 renamed" bash -c 'd=$("$0" lists diff un@1 un@2); grep -q "KPe.029 *NATIONAL AEROSPACE DEVELOPMENT" <<<"$d" && grep -q "KPe.054 .*MINISTRY OF NATIONAL DEFENCE" <<<"$d"' "$ATTEST_BIN"
    check "full: vessel renamed, same IMO" bash -c '"$0" screen "PU RYONG IMO 8705539" | grep -q "KUM UN SAN 3"' "$ATTEST_BIN"
    check "full: shared registered address ranks sister companies" bash -c '"$0" screen successors "HAEJIN SHIP MANAGEMENT COMPANY LIMITED" | grep -q "YONGJIN SHIP MANAGEMENT"' "$ATTEST_BIN"
    check "full: front company of a bank" bash -c '"$0" screen successors KPe.023 --limit 0 | grep -q "KPe.040"' "$ATTEST_BIN"
else
    for name in "full UN 2018 and 2026 and OFAC import" "full diff reports KPe.029 and KPe.054 renamed" \
        "full: vessel renamed, same IMO" "full: shared registered address ranks sister companies" \
        "full: front company of a bank"; do
        skip "$name" "the full lists are not in $shared (not installed by make deps)"
    done
fi
