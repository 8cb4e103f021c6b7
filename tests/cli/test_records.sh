#!/usr/bin/env bash
# test_records.sh: the life of records through the real binary: init, add
# of every type from flags, show, amend, history, retract, list and its
# filters, stats, vocab, and help on every command.  All data is FICTIONAL.
. "$(dirname "$0")/lib.sh"

# The commands, for the help tests (one per command) and the plan.
commands=$(attest help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
ncommands=$(echo $commands | wc -w)
# 75 tests of records, one per command, four more of help.
plan $((78 + ncommands + 4))

# add NAME TYPE FLAGS...: adds a record; its id is left in $ID.
add() {
    local name=$1
    shift
    check "add $name" attest add "$@"
    ID=$(cat "$T/out")
}

# --- init ----------------------------------------------------------------
new_archive
check "init made attest.db" test -f "$ARCHIVE/attest.db"
mkdir "$T/full" && echo "FICTIONAL" >"$T/full/notes.txt"
check_fails "init refuses a non-empty directory" 1 "not empty" attest init "$T/full"
check_fails "init refuses an existing archive" 1 "not empty" attest init "$ARCHIVE"

# --- add, one record of every type ---------------------------------------
add witness witness --code W-FICT-001 --sex female --birth-year 1971 \
    --home-province "North Hamgyong" --year-left 2009 --notes "FICTIONAL witness"
WT=$ID
add document document --title "FICTIONAL report on detention" --publisher "FICTIONAL NGO" \
    --date 2019-06 --sha256 "$(printf 'FICTIONAL' | sha256sum | cut -c1-64)"
DC=$ID
add interview interview --witness "$WT" --interviewer I-07 --date 2019-04-02 \
    --place Seoul --language ko --summary "FICTIONAL testimony about a public execution"
IV=$ID
add event event --title "FICTIONAL public execution at the market" --date "~1997" \
    --place "Hoeryong market riverbank" --province "North Hamgyong" --county Hoeryong \
    --lat 42.44 --lon 129.75 --description "FICTIONAL account" --source "$IV"
EV=$ID
add "public event" event --title "FICTIONAL flood relief meeting" --date 2003-05-01 \
    --province "South Pyongan" --clearance public --source "$DC"
EV2=$ID
add person person --name "김영철" --name "Kim Yong Chol" --sex male \
    --description "FICTIONAL person"
PE=$ID
add act act --event "$EV" --act-type public_execution --victim-count 3 \
    --count-approximate 1 --description "FICTIONAL"
AC=$ID
add "act with money" act --event "$EV2" --act-type sale --victim "$PE" --amount 5000 \
    --currency CNY --description "FICTIONAL sale"
add organisation organisation --name "FICTIONAL Trading Corporation" --name "가상무역회사" \
    --kind company --country "FICTIONAL"
OR=$ID
add vessel vessel --name "FICTIONAL STAR" --name "FICTIONAL MOON" --imo 9176187 \
    --flag "FICTIONAL" --description "FICTIONAL vessel"
check_fails "vessel with a wrong IMO check digit is refused" 2 'field "imo".*check digit' \
    attest add vessel --name "FICTIONAL SUN" --imo 9176188
add site site --name "FICTIONAL riverbank execution ground" --site-type public_execution_site \
    --lat 42.45 --lon 129.76 --province "North Hamgyong" --confidence probable --tier court \
    --description "FICTIONAL site"
SI=$ID
add pinpoint pinpoint --lat 42.451 --lon 129.761 --uncertainty-m 50 --site "$SI" \
    --interview "$IV" --event "$EV" --imagery-date 2018-09 --basis eyewitness \
    --description "FICTIONAL placement"
add relation relation --kind involvement --from "$PE" --to "$AC" --degree gave_orders \
    --description "FICTIONAL"
add "information relation" relation --kind information --from "$WT" --to "$EV" \
    --basis eyewitness --reliability likely_reliable --description "FICTIONAL"
check_fails "relation kind that cannot join these types is refused" 2 \
    'family relation cannot end at .*event.*valid: person witness' \
    attest add relation --kind family --from "$PE" --to "$EV"
check_fails "add of an unknown type lists the types" 2 "valid: act, case, claim, dependant, dismissal, document, event" \
    attest add incident --title "FICTIONAL"

# --- show ----------------------------------------------------------------
check "show a person" attest show "$PE"
grep -q "김영철 | Kim Yong Chol" "$T/out"
verdict "show prints every name" $? "$(cat "$T/out")"
check "show by a unique id prefix" attest show "${PE:0:9}"
grep -q "$PE" "$T/out"
verdict "the prefix names the full record" $? "$(cat "$T/out")"
check "show --json" attest show "$EV" --json
same "show --json keeps the fuzzy date as entered" "~1997" "$(json_get 'j["data"]["date"]' <"$T/out")"
same "show --json lists referrers" "yes" \
    "$(attest show "$EV" --json | json_get '"yes" if any(r["id"] == "'"$AC"'" for r in j["referred_by"]) else "no"')"
cites_iv='"yes" if any(r["id"] == "'"$EV"'" and r["field"] == "source" for r in j["referred_by"]) else "no"'
same "an interview lists the event citing it as its source" "yes" "$(attest show "$IV" --json | json_get "$cites_iv")"
check "rebuild the derived tables" attest rebuild
same "after a rebuild too" "yes" "$(attest show "$IV" --json | json_get "$cites_iv")"
printf '%s\n' '{"type":"person","id":"pe-aaaaaaaaaaaa","data":{"names":["FICTIONAL A"]}}' \
    '{"type":"person","id":"pe-aaaaaaaaaaab","data":{"names":["FICTIONAL B"]}}' >"$T/twins.jsonl"
check "import two records with near ids" attest import jsonl "$T/twins.jsonl"
check_fails "an ambiguous prefix is refused" 2 "more than one record" attest show pe-aaaa
check_fails "an unknown id is not found" 1 "no record pe-zzzz" attest show pe-zzzz
check_fails "a short prefix is refused" 2 "not a record id" attest show pe

# --- amend and history ---------------------------------------------------
check_fails "amend needs a reason" 2 "needs a reason" attest amend "$PE" --sex unknown
check "amend with a reason" attest amend "$PE" --occupation "FICTIONAL miner" \
    --reason "FICTIONAL correction from a second interview"
same "amend writes version 2" 2 "$(attest show "$PE" --json | json_get 'j["version"]')"
check "history" attest history "$PE"
same "history lists both versions" 2 "$(grep -cE '^[12] ' "$T/out")"
same "history --json has both versions" "[1, 2]" \
    "$(attest history "$PE" --json | json_get '[v["version"] for v in j]')"
same "show --version 1 has the old value" "None" \
    "$(attest show "$PE" --version 1 --json | json_get 'str(j["data"].get("occupation"))')"
same "show has the new value" "FICTIONAL miner" \
    "$(attest show "$PE" --json | json_get 'j["data"]["occupation"]')"
check_fails "show of a version that does not exist" 1 "no version 3" attest show "$PE" --version 3

# --- retract -------------------------------------------------------------
check_fails "retract needs a reason" 2 "needs a reason" attest retract "$OR"
check "retract" attest retract "$OR" --reason "FICTIONAL duplicate entry"
lacks "a retracted record leaves list" "$OR" attest list organisation
attest list organisation --retracted >"$T/out"
grep -q "$OR.*retracted" "$T/out"
verdict "list --retracted shows it" $? "$(cat "$T/out")"
same "a retracted record leaves search" "" \
    "$(attest search Trading --json | json_get '" ".join(h["record"]["id"] for h in j)')"
same "search --retracted finds it" "$OR" \
    "$(attest search Trading --retracted --json | json_get '" ".join(h["record"]["id"] for h in j)')"
check_fails "retracting twice is refused" 1 "already retracted" \
    attest retract "$OR" --reason "FICTIONAL again"

# --- stats and vocab -----------------------------------------------------
same "stats counts each type" \
    "act=2 document=1 event=2 interview=1 organisation=0/1 person=3 pinpoint=1 relation=2 site=1 vessel=1 witness=1" \
    "$(attest stats --json | json_get '" ".join(r["type"] + "=" + str(r["records"]) + ("/%d" % r["retracted"] if r["retracted"] else "") for r in j["types"])')"
same "stats counts versions (person: 2 + 1 + 1)" 4 \
    "$(attest stats --json | json_get '[r["versions"] for r in j["types"] if r["type"] == "person"][0]')"
check "stats table" attest stats
check "vocab" attest vocab
vocabs=$(attest vocab --json | json_get '" ".join(sorted(j))')
missing=
for v in $vocabs act_type site_type basis_of_knowledge reliability clearance relation_kind; do
    grep -q "^$v " "$T/out" || missing="$missing $v"
done
verdict "vocab lists every vocabulary" "${#missing}" "missing:$missing"
same "vocab --json has the terms" "public_execution" \
    "$(attest vocab act_type --json | json_get 'j["act_type"]["terms"][0]["code"]')"
check_fails "vocab of an unknown name" 2 "no vocabulary" attest vocab colours

# --- list and its filters ------------------------------------------------
ids() { attest list "$@" --json | json_get '" ".join(r["id"] for r in j)'; }
same "list TYPE" "$(printf '%s\n' "$EV" "$EV2" | sort | xargs)" "$(ids event)"
same "~1997 reaches into 1998" "$EV" "$(ids event --from 1998 --to 1998)"
same "~1997 reaches back into 1996" "$EV" "$(ids event --from 1996-12 --to 1996-12)"
same "~1997 does not reach 1999" "" "$(ids event --from 1999 --to 1999)"
same "~1997 does not reach 1995" "" "$(ids event --to 1995)"
same "--from alone" "$EV2" "$(ids event --from 2000)"
same "--place matches a substring" "$EV" "$(ids event --place "ryong market")"
same "--place matches a province" "$SI" "$(ids site --place "Hamgyong")"
same "--clearance public leaves restricted records out" "$EV2" "$(ids event --clearance public)"
same "--clearance restricted keeps both" 2 "$(ids event --clearance restricted | wc -w)"
check "list --json parses" json_get 'len(j)' < <(attest list --json)
check "list table" attest list
check_fails "list of an unknown type lists the valid ones" 2 \
    'valid: act, case, claim, dependant, dismissal, document, event, interview, organisation, person, pinpoint, referral, relation, site, vessel, witness' \
    attest list incidents
check_fails "list with an impossible date" 2 "1997-02-30" attest list --from 1997-02-30

# Dates as witnesses give them (issue 10): Korean forms and seasons are kept
# as entered and filtered by the interval they stand for.
add "event dated in Korean" event --title "FICTIONAL summer event" --date "1997년 여름"
EVK=$ID
same "a Korean date is kept as entered" "1997년 여름" \
    "$(attest show "$EVK" --json | json_get 'j["data"]["date"]')"
same "a summer date is found in July" "yes" \
    "$(ids event --from 1997-07 --to 1997-07 | grep -qw "$EVK" && echo yes)"
same "a summer date is not found in September" "no" \
    "$(ids event --from 1997-09 --to 1997-09 | grep -qw "$EVK" && echo yes || echo no)"
add "event in the Arduous March" event --title "FICTIONAL famine event" --date "고난의 행군 때"
same "the Arduous March spans 1994 to 1998" "$ID" "$(ids event --from 1994-01 --to 1994-01)"
check_fails "a date that is no form lists the valid forms" 2 \
    'field "date": "sometime in 1997": not a date; valid forms: 1997, .*summer 1997, early 1990s.*97년 봄, 1990년대 중반, 고난의 행군 때' \
    attest add event --title "FICTIONAL" --date "sometime in 1997"

# --- help ------------------------------------------------------------------
# help COMMAND and COMMAND --help both print its usage (one test each).
[ "$ncommands" -ge 14 ]
verdict "help lists the commands" $? "only $ncommands: $commands"
for c in $commands; do
    help=$(attest help "$c" 2>&1) && dash=$(attest "$c" --help 2>&1) \
        && grep -q "^usage: attest $c" <<<"$help" && [ "$help" == "$dash" ]
    verdict "help $c and $c --help print its usage" $? "$help"
done
has "attest --help lists the commands" '^commands:' attest --help
check_fails "help of an unknown command" 2 "not a command" attest help frobnicate
check_fails "an unknown command" 2 "not a command" attest frobnicate
exit 0
