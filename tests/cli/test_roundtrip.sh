#!/usr/bin/env bash
# test_roundtrip.sh: export jsonl | import jsonl rebuilds the same archive
# (every version the same, but by its importer, now: a file is signed by
# no one, so it never carries an origin; a file claiming one cannot forge
# it) and is idempotent; a contradicting export imports nothing;
# CSV comes in from spreadsheets (BOM, CRLF, quoted newlines and commas,
# --map) and goes out and back in with the same ids; search finds words,
# Hangul and Chinese text.  All data is FICTIONAL.
. "$(dirname "$0")/lib.sh"
plan 55

ids_of() { attest list "$@" --retracted --json | json_get '" ".join(r["id"] for r in j)'; }
search_ids() { attest search "$@" --json | json_get '" ".join(sorted(h["record"]["id"] for h in j))'; }

# --- an archive with versions, retractions and Hangul ---------------------
new_archive source
WT=$(attest add witness --code W-FICT-100 --sex male --notes "FICTIONAL 함경북도 출신")
IV=$(attest add interview --witness "$WT" --date "~2015" --summary "FICTIONAL 증언")
PE=$(attest add person --name "김정은" --name "Kim Jong Un (FICTIONAL)" --source "$IV")
EV=$(attest add event --title "FICTIONAL 공개처형 at 회령 market" --date 1996/1998 \
    --lat 42.44 --lon 129.75 --description "咸鏡北道 會寧 FICTIONAL public execution")
OR=$(attest add organisation --name "FICTIONAL Ocean Shipping" --kind company)
SI=$(attest add site --name "FICTIONAL burial ground" --site-type burial_site \
    --description "평안남도개천시 FICTIONAL")
attest add relation --kind involvement --from "$PE" --to "$EV" --degree suspected >/dev/null
attest amend "$PE" --description "FICTIONAL second interview" --reason "FICTIONAL update" >/dev/null
attest amend "$EV" --lat 42.45 --reason "FICTIONAL better placement" >/dev/null
attest retract "$OR" --reason "FICTIONAL duplicate" >/dev/null
check "export jsonl" attest export jsonl -o "$T/export.jsonl"
same "the export holds every version" 10 "$(wc -l <"$T/export.jsonl")"

# --- jsonl round trip ------------------------------------------------------
new_archive copy
check "import the export into a fresh archive" attest import jsonl "$T/export.jsonl"
grep -q "0 new records, 10 new versions, 0 already present" "$T/err"
verdict "the import counts versions" $? "$(cat "$T/err")"
attest export jsonl >"$T/copy.jsonl"
python3 - "$T/export.jsonl" "$T/copy.jsonl" >"$T/diff" <<'EOF'
import json, sys
old = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
new = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
for a, b in zip(old, new):
    a.pop("author"), a.pop("written_at")
    if "origin" in b:
        print("origin of", b["id"], b["version"], b["origin"])
    if b.pop("author") != "tester" or a != {k: v for k, v in b.items() if k != "written_at"}:
        print("differs:", b["id"], b["version"])
if len(old) != len(new):
    print("%d versions, then %d" % (len(old), len(new)))
EOF
[ ! -s "$T/diff" ]
verdict "the round trip keeps every version, by its importer, with no origin" $? \
    "$(head -5 "$T/diff")"
same "the retraction came across" "$OR" "$(attest list organisation --retracted --json | json_get '" ".join(r["id"] for r in j if r["retracted"])')"
same "Hangul came across" "김정은" "$(attest show "$PE" --json | json_get 'j["data"]["names"][0]["name"]')"
same "the history came across" "[1, 2]" "$(attest history "$PE" --json | json_get '[v["version"] for v in j]')"

check "importing the same export again" attest import jsonl "$T/export.jsonl"
grep -q "0 new records, 0 new versions, 10 already present" "$T/err"
verdict "a second import finds everything already present" $? "$(cat "$T/err")"
attest export jsonl >"$T/again.jsonl"
cmp -s "$T/copy.jsonl" "$T/again.jsonl"
verdict "a second import changes nothing" $?

# A version that differs from the one the archive holds is a conflict,
# and the new record on the same file is not imported either.
python3 - "$T/export.jsonl" "$T/altered.jsonl" <<'EOF'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
docs = [json.loads(l) for l in lines]
for d in docs:
    if d["type"] == "person" and d["version"] == 2:
        d["data"]["description"] = "FICTIONAL tampered"
docs.append({"type": "event", "data": {"title": "FICTIONAL new event"}})
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for d in docs:
        f.write(json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n")
EOF
check_fails "an altered version conflicts" 2 "$PE version 2: the archive holds a different version 2" \
    attest import jsonl "$T/altered.jsonl"
grep -q "nothing was imported" "$T/err"
verdict "the conflict says nothing was imported" $?
attest export jsonl >"$T/again.jsonl"
cmp -s "$T/copy.jsonl" "$T/again.jsonl"
verdict "the conflicting import left the archive alone" $?

# A file cannot forge who wrote a version, or where: its author and origin
# are dropped, the importer is the author, and the version is this
# archive's own.
cat >"$T/forged.jsonl" <<'EOF'
{"author":"mallory","clearance":"restricted","data":{"code":"W-FICT-FORGED"},"id":"wt-fake0000frgd","origin":{"author":"centre-officer","written_at":"2020-01-01T00:00:00Z"},"reason":"created","retracted":false,"type":"witness","version":1,"written_at":"2020-01-01T00:00:00Z"}
EOF
check "import a file naming another author and an origin" attest import jsonl "$T/forged.jsonl"
same "a JSONL file cannot forge an origin" "tester None" \
    "$(attest show wt-fake0000frgd --json | json_get 'j["author"] + " " + str(j.get("origin"))')"
same "its version is this archive's own" "1" \
    "$("$ATTEST_SQL" "$ARCHIVE" "SELECT count(*) FROM record_version WHERE id = 'wt-fake0000frgd' AND origin = (SELECT value FROM meta WHERE key = 'archive_id') AND oseq = log_seq AND proof IS NULL")"

new_archive gap
sed -n '2,$p' "$T/export.jsonl" >"$T/gap.jsonl"
check_fails "a version whose reference is missing is refused" 2 'gap\.jsonl:1: field "witness": no record' \
    attest import jsonl "$T/gap.jsonl"
grep "\"id\":\"$PE\"" "$T/export.jsonl" | tail -n 1 >"$T/v2.jsonl"
check_fails "version 2 without version 1 is refused" 2 "version 1 must come first" \
    attest import jsonl "$T/v2.jsonl"
same "the refused imports left the archive empty" 0 "$(attest export jsonl | wc -l)"

# --- CSV from a spreadsheet ---------------------------------------------------
new_archive csv
printf '\xef\xbb\xbfFull Name,Sex,Notes,Job,Ignored\r\n' >"$T/people.csv"
printf '"김영희 | Kim Yong Hui",female,"FICTIONAL line one\r\nline two, with a comma",farmer,x\r\n' >>"$T/people.csv"
printf '"Ri ""Chol"" (FICTIONAL)",male,FICTIONAL,"miner, retired",y\r\n' >>"$T/people.csv"
check "import csv with BOM, CRLF, quotes and --map" attest import csv "$T/people.csv" --type person \
    --map "Full Name=names" --map Notes=description --map Job=occupation --map Ignored=
attest list person --json >"$T/people.json"
same "CSV: names split on ' | '" '[["Ri \"Chol\" (FICTIONAL)"], ["김영희", "Kim Yong Hui"]]' \
    "$(json_get 'sorted([n["name"] for n in r["data"]["names"]] for r in j)' <"$T/people.json")"
same "CSV: a quoted newline and comma are kept" '"FICTIONAL line one\r\nline two, with a comma"' \
    "$(json_get 'json.dumps([r["data"]["description"] for r in j if r["data"]["sex"] == "female"][0])' <"$T/people.json")"
same "CSV: --map renames a column, the BOM is gone" '["female", "male"]' \
    "$(json_get 'sorted(r["data"]["sex"] for r in j)' <"$T/people.json")"
same "CSV: a quoted comma in a plain field" "miner, retired" \
    "$(json_get '[r["data"]["occupation"] for r in j if r["data"]["sex"] == "male"][0]' <"$T/people.json")"
same "CSV: --map COLUMN= ignores the column" "no" \
    "$(json_get '"yes" if any("Ignored" in r["data"] for r in j) else "no"' <"$T/people.json")"

printf 'name,site_type,lat,lon,description\n"FICTIONAL ground",burial_site,39.5,125.9,"FICTIONAL, with ""quotes"""\n' >"$T/sites.csv"
check "import csv of sites" attest import csv "$T/sites.csv" --type site --clearance partner
check "export csv" attest export csv --type person -o "$T/people-out.csv"
attest export csv --type site >"$T/sites-out.csv"
new_archive csv2
check "import the exported person CSV" attest import csv "$T/people-out.csv" --type person
check "import the exported site CSV" attest import csv "$T/sites-out.csv" --type site
ATTEST_ARCHIVE="$T/csv" ids_of >"$T/ids1"
ids_of >"$T/ids2"
same "CSV round trip keeps the ids" "$(cat "$T/ids1")" "$(cat "$T/ids2")"
same "CSV round trip keeps the clearance" partner \
    "$(attest list site --json | json_get 'j[0]["clearance"]')"
attest export csv --type person | cmp -s - "$T/people-out.csv"
verdict "CSV round trip gives the same CSV" $?

# --- search ---------------------------------------------------------------------
export ATTEST_ARCHIVE="$T/source"
same "search a word" "$EV" "$(search_ids execution)"
same "search a word prefix" "$EV" "$(search_ids execu)"
same "search two words" "$EV" "$(search_ids public exec)"
same "search is case-insensitive" "$EV" "$(search_ids EXECUTION)"
same "search Hangul, whole name" "$PE" "$(search_ids 김정은)"
same "search Hangul, 2 characters inside a name" "$PE" "$(search_ids 정은)"
same "search Hangul, 3 characters inside a longer word" "$SI" "$(search_ids 개천시)"
same "search Hangul, 2 characters inside a longer word" "$SI" "$(search_ids 개천)"
same "search Chinese, 2 characters" "$EV" "$(search_ids 會寧)"
same "search Chinese, inside a longer run" "$EV" "$(search_ids 鏡北)"
same "search finds amended text" "$PE" "$(search_ids second interview)"
same "search finds names in Latin script" "$PE" "$(search_ids Kim Jong)"
same "search leaves retracted records out" "" "$(search_ids Ocean)"
same "search --type keeps that type" "" "$(search_ids 정은 --type event)"
same "search --type keeps that type (words)" "" "$(search_ids execution --type person)"
same "search --type finds its own" "$PE" "$(search_ids 김정은 --type person)"
same "search with quotes is not a syntax error" "" "$(search_ids '"unbalanced')"
check "search table" attest search 정은
grep -q "김\[정은\]" "$T/out"
verdict "search marks the hit" $? "$(cat "$T/out")"
check "rebuild" attest rebuild
same "search after rebuild" "$SI" "$(search_ids 개천)"
attest export jsonl | cmp -s - "$T/export.jsonl"
verdict "rebuild leaves the versions alone" $?
exit 0
