#!/usr/bin/env bash
# CLI tests of `attest screen compare`: two names scored with each scorer,
# without an archive (the default weighting) and with one (its lists'
# weights), a file of pairs, and bad input refused with its line and field.
. "$(dirname "$0")/lib.sh"
data=$ROOT/tests/data/sanctions
plan 12
export ATTEST_USER=admin ATTEST_ARCHIVE="$T/none"

has "compare without an archive: the default weighting" '"weights": "default"' \
    attest screen compare "Kim Jong Un" "KIM Jong-un" --json
has "compare: both scorers, a match each" '^  (attest|ofac) +100\.0  match ' \
    attest screen compare "Kim Jong Un" "KIM Jong-un"
has "compare: Hangul against Hangul is no match one vowel apart" '^  attest +[0-7][0-9]\.[0-9]  no match' \
    attest screen compare "최용호" "최영호" --type person
has "compare: a company's words swapped are no match" '^  attest +[0-7][0-9]\.[0-9]  no match' \
    attest screen compare "Ryong Tae Trading" "Tae Ryong Trading" --type company
has "compare: Korean company words meet the English" '^  attest +100\.0  match' \
    attest screen compare "조선련봉총회사" "Korea Ryonbong General Corporation" --type company
printf 'K.O.M.I.D.\tKOMID\tcompany\nKimJongUn\tKIM Jong Un\t\n毛泽东\tMao Zedong\tperson\n' > "$T/pairs.tsv"
check "compare --file: a row per pair, each a match" bash -c '"$0" screen compare --file "$1" > "$2/out.tsv" && [ "$(wc -l < "$2/out.tsv")" -eq 4 ] && [ "$(cut -f6 "$2/out.tsv" | grep -c "^yes$")" -eq 3 ]' \
    "$ATTEST_BIN" "$T/pairs.tsv" "$T"
check "compare --file --json: an array with the lines" bash -c '"$0" screen compare --file "$1" --json | python3 -c "import json, sys; r = json.load(sys.stdin); assert [x[\"line\"] for x in r] == [1, 2, 3], r"' \
    "$ATTEST_BIN" "$T/pairs.tsv"
printf 'a\tb\tship\n' > "$T/bad.tsv"
check_fails "compare --file refuses a bad type with line and field" 2 'bad\.tsv:1: field "type": "ship"' \
    attest screen compare --file "$T/bad.tsv"
printf 'only one name\n' > "$T/bad2.tsv"
check_fails "compare --file refuses a line without two names" 2 'bad2\.tsv:1: want name1<TAB>name2<TAB>type' \
    attest screen compare --file "$T/bad2.tsv"
check_fails "compare wants two names" 2 'compare takes two names' attest screen compare "just one"

# with an archive: the words weigh as on its lists
new_archive arc
attest lists import un "$data/un/un-2026-02-27.xml" > /dev/null 2>&1
attest lists import ofac "$data/ofac" --date 2021-07-07 > /dev/null 2>&1
has "compare with an archive: the lists' weights" '"weights": "lists"' \
    attest screen compare "Korea Yonbong General Corp" "KOREA RYONBONG GENERAL CORPORATION" --json
has "compare --default-weights ignores the archive" '"weights": "default"' \
    attest screen compare "Korea Yonbong General Corp" "KOREA RYONBONG GENERAL CORPORATION" --json --default-weights
