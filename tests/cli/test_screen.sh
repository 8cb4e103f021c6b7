#!/usr/bin/env bash
# CLI tests of `attest lists` and `attest screen` on the small list slices
# in tests/data/sanctions, and on the full lists in ../shared/data when
# they are there.  Prints "ok - NAME" or "not ok - NAME" per test.
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=${ATTEST_BIN:-build/attest}
data=tests/data/sanctions
shared=../shared/data/sanctions
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'FICTIONAL test passphrase\n' > "$tmp/pass"
exec 3<"$tmp/pass"
export ATTEST_PASSPHRASE_FD=3 ATTEST_USER=admin ATTEST_ARCHIVE="$tmp/arc"

check() { # check NAME COMMAND...: ok when the command succeeds
    local name=$1; shift
    if "$@" >"$tmp/out" 2>"$tmp/err"; then echo "ok - $name"; else echo "not ok - $name"; sed 's/^/    /' "$tmp/err" "$tmp/out" | head -20; fi
}

"$bin" init "$tmp/arc" --kdf interactive >/dev/null 2>&1
check "lists import un (2018 slice)" "$bin" lists import un "$data/un/un-2018-10-29.xml"
check "lists import un (2026 slice)" "$bin" lists import un "$data/un/un-2026-02-27.xml"
check "lists import ofac slice" "$bin" lists import ofac "$data/ofac" --date 2021-07-07
check "lists shows three versions" bash -c '[ "$("$0" lists --json | grep -c "\"id\"")" -eq 3 ]' "$bin"
check "lists diff reports KPe.029 renamed" bash -c '"$0" lists diff un@1 un | grep -q "KPe.029 *NATIONAL AEROSPACE DEVELOPMENT ADMINISTRATION -> NATIONAL AEROSPACE TECHNOLOGY ADMINISTRATION"' "$bin"
check "same file twice is one version" bash -c '"$0" lists import un "$1" 2>&1 | grep -q "already imported"' "$bin" "$data/un/un-2026-02-27.xml"

printf '<?xml version="1.0"?>\n<CONSOLIDATED_LIST dateGenerated="2026-01-01">\n<ENTITIES><ENTITY>\n<DATAID>1</DATA>\n' > "$tmp/bad.xml"
check "malformed UN file refused with line" bash -c '! "$0" lists import un "$1" 2>"$2/e"; grep -q "bad.xml:4: not well-formed" "$2/e" && grep -q "nothing was imported" "$2/e"' "$bin" "$tmp/bad.xml" "$tmp"
mkdir -p "$tmp/badofac"; printf '1,"A",-0- \r\n' > "$tmp/badofac/sdn.csv"
check "malformed OFAC file refused with line and field" bash -c '! "$0" lists import ofac "$1" 2>"$2/e"; grep -q "sdn.csv:1: 3 fields, want 12" "$2/e"' "$bin" "$tmp/badofac" "$tmp"

check "screen Hangul name" bash -c '"$0" screen "김철삼" --json | grep -q "\"key\": \"KPi.035\""' "$bin"
check "screen Chinese reading alias" bash -c '"$0" screen "金铁三" | grep -q "KPi.035"' "$bin"
check "screen romanisation variant" bash -c '"$0" screen "Korea Yonbong General Corp" --type company | grep -q "KPe.002"' "$bin"
check "screen identifier wins" bash -c '"$0" screen "Some Other Name" --id "IMO 8705539" --json | grep -q "\"identifier\": \"imo:8705539\""' "$bin"
check "screen ofac scorer" bash -c '"$0" screen "KOREA MINING DEVELOPMENT TRADING" --scorer ofac --json | grep -q "\"scorer\": \"ofac\""' "$bin"
check "screen bad scorer is a usage error" bash -c '"$0" screen x --scorer nope; [ $? -eq 2 ]' "$bin"
printf 'name,type\nKim Young-Cheol,person\nMaria Oliveira,\n' > "$tmp/in.csv"
check "screen --file writes hits CSV" bash -c '"$0" screen --file "$1" > "$2/hits.csv" && head -1 "$2/hits.csv" | grep -q "^line,query,type,score" && grep -q "^2,Kim Young-Cheol,person," "$2/hits.csv" && ! grep -q "Maria" "$2/hits.csv"' "$bin" "$tmp/in.csv" "$tmp"
printf 'name,type\nKim,person\nX,ship\n' > "$tmp/bad.csv"
check "screen --file refuses a bad type with line" bash -c '! "$0" screen --file "$1" >/dev/null 2>"$2/e"; grep -q "bad.csv:3: field \"type\"" "$2/e"' "$bin" "$tmp/bad.csv" "$tmp"
check "screen successors finds the stated successor" bash -c '"$0" screen successors KPe.010 --json | grep -q "\"key\": \"KPe.001\""' "$bin"

# POST /api/v1/screen on the slice archive, through a server on a free port
if command -v curl > /dev/null && command -v python3 > /dev/null; then
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    exec 4<"$tmp/pass"
    ATTEST_PASSPHRASE_FD=4 "$bin" serve --port "$port" > "$tmp/serve.log" 2>&1 &
    serve_pid=$!
    for _ in $(seq 50); do curl -s "localhost:$port/api/v1/openapi.json" > /dev/null && break; sleep 0.1; done
    tok=$(curl -s -c "$tmp/cj" -X POST "localhost:$port/api/v1/login" -H "Content-Type: application/json" \
        -d '{"username":"admin","passphrase":"FICTIONAL test passphrase"}' \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])')
    post() { curl -s -b "$tmp/cj" -H "X-CSRF-Token: $tok" -X POST "localhost:$port/api/v1/screen" -d "$1"; }
    post '{"queries": {"a": {"schema": "Company", "properties": {"name": ["Korea Yonbong General Corp"]}}, "b": {"schema": "Vessel", "properties": {"name": ["x"], "imoNumber": ["8705539"]}}, "c": {"schema": "Spaceship", "properties": {}}}}' > "$tmp/batch.json"
    check "http screen: batch answers each query, a bad one with 400" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["responses"]
assert any(h["key"] == "KPe.002" and h["match"] for h in r["a"]["results"]), r["a"]
assert any(h["match"] and h["explain"]["identifier"] == "imo:8705539" for h in r["b"]["results"]), r["b"]
assert r["c"]["status"] == 400, r["c"]
' "$tmp/batch.json"
    post '{"queries": []}' > "$tmp/bad.json"
    check "http screen: refuses a body without queries" grep -q '"field": *"queries"' "$tmp/bad.json"
    check "http screen: needs a login" bash -c '[ "$(curl -s -o /dev/null -w "%{http_code}" -X POST "localhost:$1/api/v1/screen" -d "{}")" = 401 ]' _ "$port"
    kill "$serve_pid" 2>/dev/null
    wait "$serve_pid" 2>/dev/null
fi

if [ -d "$shared/un" ] && [ -d "$shared/ofac-2021" ]; then
    export ATTEST_ARCHIVE="$tmp/full"
    "$bin" init "$tmp/full" --kdf interactive >/dev/null 2>&1
    check "full UN 2018 and 2026 and OFAC import" bash -c '"$0" lists import un "$1/un/consolidated-2018-10-29.xml" && "$0" lists import un "$1/un/consolidated-2026-02-27.xml" && "$0" lists import ofac "$1/ofac-2021" --date 2021-07-07' "$bin" "$shared"
    check "full diff reports KPe.029 and KPe.054 renamed" bash -c 'd=$("$0" lists diff un@1 un@2); grep -q "KPe.029 *NATIONAL AEROSPACE DEVELOPMENT" <<<"$d" && grep -q "KPe.054 .*MINISTRY OF NATIONAL DEFENCE" <<<"$d"' "$bin"
    check "full: vessel renamed, same IMO" bash -c '"$0" screen "PU RYONG IMO 8705539" | grep -q "KUM UN SAN 3"' "$bin"
    check "full: shared registered address ranks sister companies" bash -c '"$0" screen successors "HAEJIN SHIP MANAGEMENT COMPANY LIMITED" | grep -q "YONGJIN SHIP MANAGEMENT"' "$bin"
    check "full: front company of a bank" bash -c '"$0" screen successors KPe.023 --limit 0 | grep -q "KPe.040"' "$bin"
fi
