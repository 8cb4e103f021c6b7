#!/usr/bin/env bash
# test_screen_records.sh: screening the archive's own records (`screen
# --record`) and finding the listed predecessors of a record or of an
# entity typed in (`screen successors ID`, `--name ... --address ...`),
# including the owner of a listed vessel reached through a shared IMO
# number.  The list is FICTIONAL, in OFAC's format, and the real UN slice.
data="$(cd "$(dirname "$0")/../data/sanctions" && pwd)"
. "$(dirname "$0")/lib.sh"
plan 19

new_archive
mkdir -p "$T/ofac"
printf '%s\r\n' \
  '7001,"FICTIONAL SEA CARRIER CO LTD",-0- ,"DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Company Number IMO 5550001."' \
  '7002,"FICTIONAL STAR",vessel,"DPRK",-0- ,"HMFX1","Cargo",-0- ,-0- ,"Korea, North",-0- ,"Linked To: FICTIONAL SEA CARRIER CO LTD; Vessel Registration Identification IMO 9876543."' \
  '7003,"FICTIONAL HARBOUR AGENCY",-0- ,"DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"PHONE 850 2 000 7003."' \
  > "$T/ofac/sdn.csv"
printf '\032' >> "$T/ofac/sdn.csv"
check "import the fictional OFAC list" attest lists import ofac "$T/ofac" --date 2026-01-01
check "import the UN slice" attest lists import un "$data/un/un-2026-02-27.xml"

OR=$(attest add organisation --name "FICTIONAL Morning Shipping" --name "KOREA YONBONG GENERAL CORP" \
    --kind company --phone "850 2 000 7003")
VS=$(attest add vessel --name "FICTIONAL Renamed Star" --imo 9876543)
NEW=$(attest add organisation --name "FICTIONAL New Sea Logistics" --kind company)
attest add relation --kind ownership --from "$NEW" --to "$VS" >/dev/null
PE=$(attest add person --name "김철삼")
EV=$(attest add event --title "FICTIONAL event")

check "screen --record of an organisation" attest screen --record "$OR" --json
verdict "its alias finds KPe.002 and its phone the harbour agency" \
    "$(python3 -c '
import json, sys
hits = {h["key"]: h for h in json.load(open(sys.argv[1]))["hits"]}
assert hits["KPe.002"]["query"] == "KOREA YONBONG GENERAL CORP", hits["KPe.002"]
assert "identifier" in hits["7003"]["explain"], hits["7003"]
' "$T/out" >/dev/null 2>&1; echo $?)" "$(head -c 600 "$T/out")"
check "screen --record of a renamed vessel" attest screen --record "$VS" --json
verdict "its IMO number finds the listed vessel whatever the name" \
    "$(grep -q '"key": "7002"' "$T/out"; echo $?)"
check "screen --record of a person in Hangul" attest screen --record "$PE"
verdict "finds KPi.035" "$(grep -q 'KPi.035' "$T/out"; echo $?)"
check "screen --record of the owner does not use its vessel's IMO" attest screen --record "$NEW" --json
same "no hits for the owner by name" "[]" "$(json_get 'j["hits"]' <"$T/out")"
check_fails "screen --record of an event is refused" 2 'screening takes an organisation, a person or a vessel' \
    attest screen --record "$EV"
check_fails "screen --record with a name too is a usage error" 2 'give one of: a name' attest screen x --record "$OR"

check "successors of an archive record" attest screen successors "$NEW" --json
python3 - "$T/out" >"$T/py" 2>&1 <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
c = {x["key"]: x for x in out["candidates"]}
assert c["7002"]["evidence"][0]["kind"] == "imo", c
owner = c["7001"]["evidence"]
assert owner[0]["kind"] == "vessel" and "FICTIONAL STAR" in owner[0]["value"], owner
assert c["7001"]["score"] < c["7002"]["score"]
PY
verdict "the owned vessel's IMO reaches the listed vessel and, through it, its listed owner" $? "$(cat "$T/py")"
check "successors of an entity typed in" attest screen successors --name "FICTIONAL Front" \
    --id "IMO 5550001" --link "GREEN PINE ASSOCIATED CORPORATION" --json
python3 - "$T/out" >"$T/py" 2>&1 <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
c = {x["key"]: x for x in out["candidates"]}
assert out["entity"]["name"] == "FICTIONAL Front"
ship = c["7001"]["evidence"][0]
pine = c["KPe.010"]["evidence"][0]
assert ship["kind"] == "imo" and pine["kind"] == "mention", c
assert pine["weight"] < ship["weight"], (pine, ship)
PY
verdict "a shared IMO company number outweighs a mention" $? "$(cat "$T/py")"
check_fails "successors with neither entity nor options" 2 'needs an entity' attest screen successors
check "successors of a list key still work" attest screen successors KPe.010
verdict "GREEN PINE still leads to KOMID" "$(grep -q 'KPe.001' "$T/out"; echo $?)"
