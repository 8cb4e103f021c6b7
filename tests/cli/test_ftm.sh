#!/usr/bin/env bash
# test_ftm.sh: FollowTheMoney entity JSON.  The archive's organisations,
# persons and vessels with their ownership, directorship and succession
# relations go out and back in unchanged; a sample shaped like
# OpenSanctions' output comes in as records and relations; list versions
# go out as entities; bad files are refused with the line and the
# property, and nothing is written.  All data is FICTIONAL or a slice of
# the real lists in tests/data/sanctions.
data="$(cd "$(dirname "$0")/../data/sanctions" && pwd)"
. "$(dirname "$0")/lib.sh"
plan 32

# --- the archive's own records, out and back --------------------------------
new_archive source
CO=$(attest add organisation --name "FICTIONAL Pyolsong Trading" --name "FICTIONAL Pyolsong Shipping" \
    --kind company --country "kp" --address "FICTIONAL 12 Harbour Road, Nampo | FICTIONAL Room 9, Dalian" \
    --phone "850 2 000 0001" --imo "1234567")
OLD=$(attest add organisation --name "FICTIONAL Unhasu Sea Transport" --kind state_agency)
PE=$(attest add person --name "FICTIONAL Ryang Chol-Nam" --name "량철남" --sex male --birth-date 1971-04-15)
VS=$(attest add vessel --name "FICTIONAL Pyolsong 7" --imo 9876543 --flag kp)
attest add relation --kind ownership --from "$CO" --to "$VS" --date 2019-03 >/dev/null
attest add relation --kind directorship --from "$PE" --to "$CO" >/dev/null
attest add relation --kind succession --from "$CO" --to "$OLD" --date 2020-11-02 >/dev/null
attest add event --title "FICTIONAL event, not exported" >/dev/null
check "export ftm" attest export ftm -o "$T/a.ftm.json"
same "seven entities: four records, three relations" 7 "$(wc -l <"$T/a.ftm.json")"
verdict "a company with its names, addresses, phone and IMO company number" \
    "$(grep -c '"schema":"Company"' "$T/a.ftm.json" | grep -qx 1; echo $?)"
python3 - "$T/a.ftm.json" "$CO" "$OLD" "$PE" "$VS" >"$T/py" 2>&1 <<'PY'
import json, sys
ents = {e["id"]: e for e in map(json.loads, open(sys.argv[1]))}
co, old, pe, vs = sys.argv[2:6]
p = ents[co]["properties"]
assert p["name"] == ["FICTIONAL Pyolsong Trading"] and p["alias"] == ["FICTIONAL Pyolsong Shipping"], p
assert p["address"] == ["FICTIONAL 12 Harbour Road, Nampo", "FICTIONAL Room 9, Dalian"], p
assert p["imoNumber"] == ["1234567"] and p["country"] == ["kp"], p
assert ents[old]["schema"] == "Organization" and ents[old]["properties"]["topics"] == ["gov"]
assert ents[pe]["properties"]["gender"] == ["male"] and ents[pe]["properties"]["birthDate"] == ["1971-04-15"]
assert ents[vs]["properties"]["imoNumber"] == ["IMO9876543"]
rels = {e["schema"]: e["properties"] for e in ents.values() if e["schema"] in ("Ownership", "Directorship", "Succession")}
assert rels["Ownership"]["owner"] == [co] and rels["Ownership"]["asset"] == [vs]
assert rels["Directorship"]["director"] == [pe] and rels["Directorship"]["organization"] == [co]
assert rels["Succession"]["successor"] == [co] and rels["Succession"]["predecessor"] == [old]
assert rels["Succession"]["date"] == ["2020-11-02"]
PY
verdict "entities carry the FtM properties and relation ends" $? "$(cat "$T/py")"

new_archive copy
check "import ftm of the export" attest import ftm "$T/a.ftm.json"
check "export ftm again" attest export ftm -o "$T/b.ftm.json"
verdict "round trip: the second export equals the first" "$(cmp -s "$T/a.ftm.json" "$T/b.ftm.json"; echo $?)" \
    "$(diff "$T/a.ftm.json" "$T/b.ftm.json" | head -5)"
check_fails "importing it twice is refused" 2 'a.ftm.json:[0-9]+: field "id": record .* already in the archive' \
    attest import ftm "$T/a.ftm.json"
same "and writes nothing" 7 "$(count_records)"

# --- a sample shaped like OpenSanctions' output -----------------------------
new_archive sample
check "import an OpenSanctions-style sample" attest import ftm "$data/ftm/sample.ftm.json"
verdict "records, relations and addresses counted; the Sanction left out" \
    "$(grep -q '10 FtM entities: 5 records, 3 relations, 1 addresses, 1 of other schemas left out' "$T/err"; echo $?)" \
    "$(cat "$T/err")"
same "five records and three relations" 8 "$(count_records)"
attest list --type organisation --json >"$T/orgs.json"
verdict "the addressEntity is resolved into the address" \
    "$(grep -q 'Room 9, Fictional Tower, 12 Harbour Road, Nampo' "$T/orgs.json"; echo $?)"
verdict "a Company becomes a company, a gov topic a state agency, previousName a noted name" \
    "$(python3 -c '
import json, sys
orgs = json.load(open(sys.argv[1]))
kinds = sorted(o["data"].get("kind", "-") for o in orgs)
assert kinds == ["-", "company", "state_agency"], kinds
pyol = [o for o in orgs if o["data"]["names"][0]["name"].startswith("Pyolsong Maritime")][0]["data"]
assert {"name": "Unhasu Sea Transport Company", "note": "previous name"} in pyol["names"]
assert pyol["imo"] == "9876543" and pyol["registration"] == "FIC-2019-0042"
' "$T/orgs.json" >/dev/null 2>&1; echo $?)"
same "the vessel keeps its IMO number" 9110004 "$(attest list --type vessel --json | json_get 'j[0]["data"]["imo"]')"
same "one succession relation" 1 "$(attest list --type relation --json | json_get 'sum(r["data"]["kind"] == "succession" for r in j)')"

# --- bad files: refused with line and property, nothing written ------------
bad() { printf '%s\n' "$@" > "$T/bad.json"; }
bad '{"id":"a","schema":"Vessel","properties":{"name":["FICTIONAL A"]}}' \
    '{"id":"b","schema":"Vessel","properties":{"name":["FICTIONAL B"],"imoNumber":["IMO1234568"]}}'
check_fails "a bad IMO number: line and property" 2 'bad.json:2: entity b \(Vessel\): property "imoNumber"' \
    attest import ftm "$T/bad.json"
same "nothing was written" 8 "$(count_records)"
bad '{"id":"a","schema":"Person","properties":{"name":["FICTIONAL A"]}}' \
    '{"id":"o","schema":"Ownership","properties":{"owner":["a"],"asset":["nowhere"]}}'
check_fails "a dangling reference: line and property" 2 'bad.json:2: entity o \(Ownership\): property "asset": "nowhere" is not an entity' \
    attest import ftm "$T/bad.json"
bad '{"id":"a","schema":"Person","properties":{"name":"FICTIONAL A"}}'
check_fails "a property that is not a list" 2 'bad.json:1: property "name": must be a list' attest import ftm "$T/bad.json"
bad '{"id":"a","schema":"Company","properties":{"alias":["FICTIONAL A"]}}'
check_fails "a company without a name" 2 'bad.json:1: entity a \(Company\): property "name": required' \
    attest import ftm "$T/bad.json"
bad '{"id":"a","schema":"Gadget","properties":{}}'
check_fails "an unknown schema" 2 'bad.json:1: field "schema": "Gadget" is not an FtM schema' attest import ftm "$T/bad.json"
bad '{"id":"a","schema":"Person","properties":{"name":["FICTIONAL A"]}}' '{"id":"a",'
check_fails "malformed JSON" 2 'bad.json:2: column [0-9]+: malformed JSON' attest import ftm "$T/bad.json"
same "still nothing written" 8 "$(count_records)"

# --- a list version as entities ---------------------------------------------
check "lists import un" attest lists import un "$data/un/un-2026-02-27.xml"
check "lists import ofac" attest lists import ofac "$data/ofac" --date 2021-07-07
check "export ftm --list un" attest export ftm --list un -o "$T/un.ftm.json"
python3 - "$T/un.ftm.json" >"$T/py" 2>&1 <<'PY'
import json, sys
ents = {e["id"]: e for e in map(json.loads, open(sys.argv[1]))}
komid = ents["un-KPe.001"]
assert komid["schema"] == "Company" and komid["properties"]["name"] == ["KOREA MINING DEVELOPMENT TRADING CORPORATION"]
assert "CHANGGWANG SINYONG CORPORATION" in komid["properties"]["alias"]
for a in komid["properties"]["addressEntity"]:
    assert ents[a]["schema"] == "Address" and ents[a]["properties"]["full"]
assert any(e["schema"] == "Person" for e in ents.values())
assert all(e["properties"].get("topics") == ["sanction"] for e in ents.values() if e["schema"] != "Address")
PY
verdict "list entries are Company/Person entities with names, aliases and Address entities" $? "$(cat "$T/py")"
check "export ftm --list ofac" attest export ftm --list ofac -o "$T/ofac.ftm.json"
verdict "dates of birth become FtM dates" \
    "$(grep -q '"birthDate":\["1947","1946"\]' "$T/ofac.ftm.json"; echo $?)"
new_archive fromlists
check "a list export imports as records" attest import ftm "$T/ofac.ftm.json"
check_fails "--list of an unknown version" 1 'no list version "nosuch"' attest export ftm --list nosuch
