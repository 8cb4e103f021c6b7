#!/usr/bin/env bash
# test_bad_input.sh: bad input is refused with exit 2 and a message that
# names the field (and the file and line, for imports) and what would be
# valid, and the archive is left exactly as it was; --skip-bad keeps the
# good records and reports each bad one.  All data is FICTIONAL.
. "$(dirname "$0")/lib.sh"
plan 66

new_archive
EV=$(attest add event --title "FICTIONAL event" --date 1997-03)
attest add person --name "FICTIONAL 리명수" >/dev/null
attest export jsonl >"$T/before.jsonl"


# --- from flags ------------------------------------------------------------
refused "latitude 91" 'field "lat": 91 is outside the valid range \[-90, 90\]' \
    attest add event --title "FICTIONAL" --lat 91 --lon 0
refused "longitude -180.5" 'field "lon".*\[-180, 180\]' \
    attest add site --name "FICTIONAL" --site-type burial_site --lat 0 --lon -180.5
refused "latitude without longitude" 'field "lon": required with "lat"' \
    attest add event --title "FICTIONAL" --lat 40
refused "impossible date 1997-02-30" 'field "date": "1997-02-30".*February 1997 has 28 days' \
    attest add event --title "FICTIONAL" --date 1997-02-30
refused "date that is not a date" 'field "date": .*yesterday' \
    attest add event --title "FICTIONAL" --date yesterday
refused "unknown vocabulary term" \
    'field "act_type": unknown act_type "beheading"; valid: public_execution, secret_execution' \
    attest add act --event "$EV" --act-type beheading
refused "unknown clearance" 'valid: public, partner, restricted, confidential' \
    attest add event --title "FICTIONAL" --clearance secret
refused "dangling reference" 'field "event": no record ev-zzzzzzzzzzzz' \
    attest add act --event ev-zzzzzzzzzzzz --act-type torture
refused "reference to the wrong type" 'field "event": pe-.* is of type person; valid: event' \
    attest add act --event pe-zzzzzzzzzzzz --act-type torture
refused "malformed reference" 'field "witness": "W-1" is not a record id' \
    attest add interview --witness W-1
refused "unknown field" 'field "colour": type event has no such field; valid: title, date' \
    attest add event --title "FICTIONAL" --colour red
refused "missing required field" 'field "title": required for type event' \
    attest add event --date 1997
refused "text where a number goes" 'field "birth_year": "nineteen" is not a number' \
    attest add witness --code W-FICT-9 --birth-year nineteen
refused "source that is not an interview or document" 'source "'"$EV"'": must be an interview or document' \
    attest add person --name "FICTIONAL" --source "$EV"

# --- add --json --------------------------------------------------------------
printf '{"title": "FICTIONAL",\n "date": 1997\n' >"$T/bad.json"
refused "malformed JSON in add --json" 'bad\.json:3:.*malformed JSON' \
    attest add event --json "$T/bad.json"
printf '[{"title": "FICTIONAL ok"}, {"title": "FICTIONAL", "lat": 91, "lon": 0}]\n' >"$T/two.json"
refused "add --json is all or nothing" 'two\.json: item 2: field "lat"' \
    attest add event --json "$T/two.json"
refused "add --json of a non-object" 'must be a JSON object|expected a JSON object' \
    attest add event --json - <<<'[1]'

# --- import jsonl ------------------------------------------------------------
good='{"type":"event","data":{"title":"FICTIONAL imported event","date":"2001"}}'
printf '%s\n' "$good" '{"type":"event","data":{"title":"FICTIONAL"' "$good" >"$T/broken.jsonl"
refused "malformed JSON line" 'broken\.jsonl:2: .*malformed JSON' \
    attest import jsonl "$T/broken.jsonl"
grep -q "nothing was imported" "$T/err"
verdict "the failed import says nothing was imported" $? "$(cat "$T/err")"
printf '%s\n' "$good" '{"type":"event","data":{"title":"FICTIONAL","colour":"red"}}' >"$T/field.jsonl"
refused "unknown field in an import" 'field\.jsonl:2: field "colour": type event has no such field; valid: title' \
    attest import jsonl "$T/field.jsonl"
printf '%s\n' '{"type":"incident","data":{"title":"FICTIONAL"}}' >"$T/type.jsonl"
refused "unknown type in an import" 'type\.jsonl:1: key "type": "incident" is not a record type; valid: act, case, claim, dependant, dismissal, document' \
    attest import jsonl "$T/type.jsonl"
printf '%s\n' "$good" '{"type":"event","data":{"title":"FICTIONAL","date":"1997-02-30"}}' >"$T/date.jsonl"
refused "impossible date in an import" 'date\.jsonl:2: field "date": "1997-02-30"' \
    attest import jsonl "$T/date.jsonl"
printf '%s\n' '{"type":"act","data":{"event":"ev-zzzzzzzzzzzz","act_type":"torture"}}' >"$T/ref.jsonl"
refused "dangling reference in an import" 'ref\.jsonl:1: field "event": no record ev-zzzzzzzzzzzz' \
    attest import jsonl "$T/ref.jsonl"
printf '%s\n' '{"type":"event","data":{"title":"FICTIONAL"},"colour":"red"}' >"$T/key.jsonl"
refused "unknown key of a new record" 'key\.jsonl:1: key "colour"' \
    attest import jsonl "$T/key.jsonl"

# --- import csv ----------------------------------------------------------------
printf 'title,date\nFICTIONAL one,1997\n"FICTIONAL two,1998\nFICTIONAL three,1999\n' >"$T/quote.csv"
refused "CSV with an unterminated quote" 'quote\.csv:3:.*unterminated quoted field starting at line 3' \
    attest import csv "$T/quote.csv" --type event
printf 'title,colour\nFICTIONAL one,red\n' >"$T/column.csv"
refused "CSV with an unknown column" 'column\.csv:1: column 2 "colour" is not a field of type event; valid: title.*--map' \
    attest import csv "$T/column.csv" --type event
printf 'title,lat,lon\nFICTIONAL one,40,127\nFICTIONAL two,91,127\n' >"$T/lat.csv"
refused "CSV with a bad value" 'lat\.csv:3: field "lat": 91 is outside the valid range' \
    attest import csv "$T/lat.csv" --type event
printf 'title,date\nFICTIONAL one,1997,extra\n' >"$T/wide.csv"
refused "CSV row wider than the header" 'attest: .*/wide\.csv:2: 3 fields, but the header has 2' \
    attest import csv "$T/wide.csv" --type event
printf 'title,lat,lon\nFICTIONAL one,40,127\nFICTIONAL two,north,127\n' >"$T/number.csv"
refused "CSV cell that is not a number" 'attest: .*/number\.csv:3: column 2: field "lat": "north" is not a number' \
    attest import csv "$T/number.csv" --type event
refused "CSV import needs a type" 'needs --type TYPE' attest import csv "$T/lat.csv"

# --- --skip-bad -------------------------------------------------------------------
printf '%s\n' "$good" '{"type":"event","data":{"title":"FICTIONAL"' "$good" \
    '{"type":"event","data":{"title":"FICTIONAL","lat":91,"lon":0}}' \
    '{"type":"act","data":{"event":"ev-zzzzzzzzzzzz","act_type":"torture"}}' "$good" >"$T/mixed.jsonl"
before=$(count_records)
check "import jsonl --skip-bad" attest import jsonl "$T/mixed.jsonl" --skip-bad
same "--skip-bad imports the good lines" $((before + 3)) "$(count_records)"
same "--skip-bad reports each bad line" "mixed.jsonl:2 mixed.jsonl:4 mixed.jsonl:5" \
    "$(grep -o 'skipped [^ ]*mixed\.jsonl:[0-9]*' "$T/err" | sed 's/.*\///' | xargs)"
grep -q '3 new records.*3 skipped as bad' "$T/err"
verdict "--skip-bad counts what it skipped" $? "$(cat "$T/err")"
before=$(count_records)
check "import csv --skip-bad" attest import csv "$T/lat.csv" --type event --skip-bad
same "--skip-bad imports the good rows" $((before + 1)) "$(count_records)"
grep -q 'skipped .*lat\.csv:3: field "lat"' "$T/err"
verdict "--skip-bad reports the bad row with its line" $? "$(cat "$T/err")"
exit 0
