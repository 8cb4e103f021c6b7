#!/usr/bin/env bash
# test_hygiene.sh: what the CLI writes can be trusted.  CSV exports reach
# spreadsheets without formulas (and come back through import csv as they
# were); a CSV header with a column twice is refused; numbers in fields
# and options are range-checked, with "nan", "inf" and overflow refused by
# a message saying what is valid; history says which version is current.
# All data is FICTIONAL.
. "$(dirname "$0")/lib.sh"
plan 65

new_archive
attest export jsonl >"$T/before.jsonl"


# --- numbers in fields --------------------------------------------------------
refused "--lat nan says what a latitude may be" \
    'field "lat": "nan" is not a number; valid: a number from -90 to 90 \(latitude' \
    attest add event --title "FICTIONAL" --lat nan --lon 3
refused "--lon inf says what a longitude may be" \
    'field "lon": "inf" is not a number; valid: a number from -180 to 180' \
    attest add event --title "FICTIONAL" --lat 3 --lon inf
refused "--lat 1e999 (overflow) says what is valid" 'field "lat": "1e999" is not a number; valid' \
    attest add event --title "FICTIONAL" --lat 1e999 --lon 3
refused "--lat -nan" 'field "lat": "-nan" is not a number; valid' \
    attest add event --title "FICTIONAL" --lat -nan --lon 3
refused "--lat in hexadecimal" 'field "lat": "0x10" is not a number; valid' \
    attest add event --title "FICTIONAL" --lat 0x10 --lon 3
refused "--birth-year 1e300 is out of range, not wrapped" \
    'field "birth_year": 1e\+300 is outside the valid range \[1900, 2100\]' \
    attest add witness --code W-FICT-1 --birth-year 1e300
refused "--birth-year 1980.5" 'field "birth_year": "1980.5" is not a whole number; valid: a whole number from 1900 to 2100' \
    attest add witness --code W-FICT-1 --birth-year 1980.5
printf 'title,lat,lon\nFICTIONAL ok,1,2\nFICTIONAL bad,nan,2\n' >"$T/nan.csv"
refused "a CSV cell nan" 'nan\.csv:3: column 2: field "lat": "nan" is not a number; valid' \
    attest import csv "$T/nan.csv" --type event

# --- numbers in options --------------------------------------------------------
refused "show --version 99999999999 is not wrapped" \
    '--version: "99999999999" is not a whole number from 1 to 2147483647' \
    attest show ev-zzzzzzzzzzzz --version 99999999999
refused "prove --version 4294967297" '--version: "4294967297" is not a whole number from 1' \
    attest prove ev-zzzzzzzzzzzz --version 4294967297
refused "list --limit 10abc" '--limit: "10abc" is not a whole number from 1' attest list --limit 10abc
refused "list --offset -1" '--offset: "-1" is not a whole number from 0' attest list --offset -1
refused "search --limit 0" '--limit: "0" is not a whole number from 1' attest search FICTIONAL --limit 0
# (timeout: a server that took the number would run until stopped)
refused "serve --port 70000" '--port: "70000" is not a whole number from 1 to 65535' \
    timeout 60 "$ATTEST_BIN" serve --port 70000
refused "serve --threads 1e3" '--threads: "1e3" is not a whole number from 1 to 64' \
    timeout 60 "$ATTEST_BIN" serve --threads 1e3
refused "screen --threshold nan" '--threshold: "nan" is not a number from 0 to 100' \
    attest screen "FICTIONAL" --threshold nan
refused "screen --limit 501" '--limit: "501" is not a whole number from 0 to 500' \
    attest screen "FICTIONAL" --limit 501
refused "sites near --km nan" '--km: "nan" is not a number from 0 to 20038' attest sites near 40,125 --km nan
refused "sites near --k overflow" '--k: "99999999999999999999" is not a whole number from 1 to 10000' \
    attest sites near 40,125 --k 99999999999999999999
refused "sites ring --km inf" '--km: "inf" is not a number from 0 to 20038' attest sites ring 40,125 --km inf
refused "ATTEST_PASSPHRASE_FD=abc is not the standard input" \
    'ATTEST_PASSPHRASE_FD: "abc" is not a whole number from 0' \
    env ATTEST_PASSPHRASE_FD=abc "$ATTEST_BIN" list </dev/null

# --- CSV import: a column twice ---------------------------------------------
printf 'title,date,title\nFICTIONAL one,1997,FICTIONAL two\n' >"$T/dup.csv"
refused "CSV with a column twice names file, line and column" \
    'dup\.csv:1: column 3 "title" fills the same field as column 1 "title"' \
    attest import csv "$T/dup.csv" --type event
printf 'Title,date,title\nFICTIONAL one,1997,FICTIONAL two\n' >"$T/dup-case.csv"
refused "CSV with Title and title" 'dup-case\.csv:1: column 3 "title" fills the same field as column 1 "Title"' \
    attest import csv "$T/dup-case.csv" --type event
printf 'title,headline\nFICTIONAL one,FICTIONAL two\n' >"$T/dup-map.csv"
refused "CSV with two columns mapped to one field" 'dup-map\.csv:1: column 2 "headline" fills the same field' \
    attest import csv "$T/dup-map.csv" --type event --map headline=title

# --- CSV export: no formulas ------------------------------------------------
HYPER='=HYPERLINK("http://203.0.113.9/x","FICTIONAL")'
EV=$(attest add event --title "$HYPER" --description "@SUM(1+1)*cmd|' /C calc'!A0" \
    --place "+FICTIONAL place" --lat -12.5 --lon -45.25)
check "export csv" attest export csv --type event -o "$T/guarded.csv"
row=$(grep "^$EV," "$T/guarded.csv")
case "$row" in
*"\"'=HYPERLINK(\"\"http://203.0.113.9/x\"\",\"\"FICTIONAL\"\")\""*) ok "export csv: =HYPERLINK gets a ' and quotes" ;;
*) not_ok "export csv: =HYPERLINK gets a ' and quotes" "$row" ;;
esac
cells() {
    python3 -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
r = [r for r in rows if r["id"] == sys.argv[2]][0]
print("|".join(r[k] for k in ("title", "description", "place", "lat", "lon")))' "$@"
}
same "export csv: each formula cell starts with '; numbers stay numbers" \
    "'$HYPER|'@SUM(1+1)*cmd|' /C calc'!A0|'+FICTIONAL place|-12.5|-45.25" "$(cells "$T/guarded.csv" "$EV")"
check "export csv --raw" attest export csv --type event --raw -o "$T/raw.csv"
same "export csv --raw: the cells as stored" \
    "$HYPER|@SUM(1+1)*cmd|' /C calc'!A0|+FICTIONAL place|-12.5|-45.25" "$(cells "$T/raw.csv" "$EV")"
check_fails "--raw is for csv" 2 '--raw is for csv' attest export jsonl --raw
check_fails "--raw is not for the map CSV" 2 '--raw is for csv --type' attest export csv --tier court --raw
attest add site --name "$HYPER" --site-type burial_site --lat -12.5 --lon 129 >/dev/null
check "export csv --tier court (the map CSV)" attest export csv --tier court -o "$T/map.csv"
same "the map CSV guards a site's name and keeps its coordinates" "'$HYPER|-12.5" \
    "$(python3 -c 'import csv, sys
print("\n".join(r["name"] + "|" + r["lat"] for r in csv.DictReader(open(sys.argv[1])) if "HYPERLINK" in r["name"]))' "$T/map.csv")"
# A value that starts with ' itself comes back whole too.
Q=$(attest add event --title "'=FICTIONAL quoted" --description "'-12.5")
attest export csv --type event -o "$T/guarded.csv" 2>/dev/null
new_archive second
check "import csv of a guarded export" attest import csv "$T/guarded.csv" --type event
same "import csv takes the ' off" "$HYPER|@SUM(1+1)*cmd|' /C calc'!A0|+FICTIONAL place|-12.5|-45.25" \
    "$(attest show "$EV" --json | json_get '"|".join(str(j["data"][k]) for k in ("title", "description", "place", "lat", "lon"))')"
same "import csv keeps a ' that was there" "'=FICTIONAL quoted|'-12.5" \
    "$(attest show "$Q" --json | json_get 'j["data"]["title"] + "|" + j["data"]["description"]')"

# --- history: which version is current -------------------------------------
ID=$(attest add event --title "FICTIONAL history")
attest amend "$ID" --date 1997 --reason "FICTIONAL: a date" >/dev/null
attest amend "$ID" --date 1998 --reason "FICTIONAL: another date" >/dev/null
check "history" attest history "$ID"
same "history: only the latest version is current" "1 superseded
2 superseded
3 current" "$(awk 'NR > 1 { print $1, $5 }' "$T/out")"
same "history --json has every version" 3 "$(attest history "$ID" --json | json_get 'len(j)')"
attest retract "$ID" --reason "FICTIONAL: a test" >/dev/null
check "history of a retracted record" attest history "$ID"
same "history: the retraction is retracted, nothing is current" "1 superseded
2 superseded
3 superseded
4 retracted" "$(awk 'NR > 1 { print $1, $5 }' "$T/out")"
