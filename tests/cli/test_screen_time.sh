#!/usr/bin/env bash
# test_screen_time.sh: screening over time.  `screen NAME --as-of DATE`
# answers with the list versions in force that day; `screen archive`
# screens every organisation, person and vessel, and `--new` only what the
# last import (or the lists after --since DATE) newly hits; an analyst's
# "not this entry" decisions (`screen dismiss`, `undismiss`, `decisions`)
# are kept as versioned records, applied to later screens, shown with who
# and when, and need a role that may write.  The UN slices and two
# FICTIONAL OFAC versions (tests/data/sanctions/fictional); FICTIONAL records.
. "$(dirname "$0")/lib.sh"
data=$ROOT/tests/data/sanctions
plan 45

new_archive
for r in investigator analyst partner; do
    attest user add "$r" --role "$r" --new-passphrase-fd 4 --kdf interactive 4<"$T/.passphrase" \
        >/dev/null 2>&1 || not_ok "user add $r"
done
as() { local who=$1; shift; attest -u "$who" "$@"; }
attest lists import un "$data/un/un-2018-10-29.xml" >/dev/null 2>&1
attest lists import un "$data/un/un-2026-02-27.xml" >/dev/null 2>&1
attest lists import ofac "$data/fictional/ofac-2026-01-01" --date 2026-01-01 >/dev/null 2>&1

# ---- as of a date
# (at 90: the old name shares three of the four words)
NATA="NATIONAL AEROSPACE TECHNOLOGY ADMINISTRATION"
lacks "KPe.029's new name was not listed on 2020-01-01" 'KPe\.029' attest screen "$NATA" --as-of 2020-01-01 --threshold 90
verdict "... which says the versions in force that day" \
    "$(grep -q 'as of 2020-01-01, in force: un-2018-10-29' "$T/err"; echo $?)" "$(cat "$T/err")"
has "it was on 2026-02-27, the day of the new version" 'un-2026-02-27 +KPe\.029' \
    attest screen "$NATA" --as-of 2026-02-27 --threshold 90
lacks "... but not the day before" 'KPe\.029' attest screen "$NATA" --as-of 2026-02-26 --threshold 90
has "the renamed entry's old name still finds it as of 2019" 'un-2018-10-29 +KPe\.029 +NATIONAL AEROSPACE DEVELOPMENT' \
    attest screen "NATIONAL AEROSPACE DEVELOPMENT ADMINISTRATION" --as-of 2019-06-30
check_fails "a date before any list version is refused, naming the first" 1 \
    'no list version was in force on 2018-10-28: the first, un-2018-10-29, was published on 2018-10-29' \
    attest screen NATA --as-of 2018-10-28
check_fails "a date that is not one day is refused" 2 '^attest: --as-of: "2026-02" is not one day; give a date as YYYY-MM-DD' \
    attest screen NATA --as-of 2026-02
check_fails "an impossible date is refused" 2 '^attest: --as-of: ' attest screen NATA --as-of 2026-02-30

# ---- the archive's records, and what a new version newly hits
PINE=$(attest add organisation --name "FICTIONAL Pine Trading" --kind company)
SEA=$(attest add organisation --name "FICTIONAL Sea Carrier Co Ltd" --kind company)
RIVER=$(attest add organisation --name "FICTIONAL River Logistics" --kind company)
SHIP=$(attest add vessel --name "FICTIONAL Morning Star" --imo 9876543)
KIM=$(attest add person --name "김철삼")
SECRET=$(attest add organisation --name "FICTIONAL River Logistics" --clearance confidential)
WT=$(attest add witness --code "FICTIONAL-W-1")
has "PINE is no hit before the new OFAC version" '^\[\]$' \
    bash -c '"$0" screen --record "$1" --json | python3 -c "import json, sys; print(json.dumps(json.load(sys.stdin)[\"hits\"]))"' \
    "$ATTEST_BIN" "$PINE"
attest lists import ofac "$data/fictional/ofac-2026-03-01" --date 2026-03-01 >/dev/null 2>&1

check "screen archive --json" attest screen archive --json
python3 - "$T/out" "$PINE" "$SEA" "$RIVER" "$SHIP" "$KIM" "$SECRET" >"$T/py" 2>&1 <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
pine, sea, river, ship, kim, secret = sys.argv[2:]
hits = {r["record"]: {h["key"] for h in r["hits"]} for r in out["records"]}
assert hits == {pine: {"7001"}, sea: {"7001"}, river: {"7004"}, secret: {"7004"}, ship: {"7002"}, kim: {"KPi.035"}}, hits
assert out["versions"] == ["ofac-2026-03-01", "un-2026-02-27"], out["versions"]
PY
verdict "every organisation, person and vessel is screened; each record with its hits" $? "$(cat "$T/py")"
lacks "a record above the reader's clearance is not screened for them" "$SECRET" \
    as analyst screen archive
check "screen archive --new --json" attest screen archive --new --json
python3 - "$T/out" "$PINE" "$RIVER" "$SECRET" >"$T/py" 2>&1 <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
pine, river, secret = sys.argv[2:]
hits = {r["record"]: [h["key"] for h in r["hits"]] for r in out["records"]}
assert hits == {pine: ["7001"], river: ["7004"], secret: ["7004"]}, hits
assert out["before"] == ["ofac-2026-01-01", "un-2026-02-27"], out["before"]
PY
verdict "--new: only the new alias's hit and the added entry's; not the renamed vessel (same IMO) nor what hit before" \
    $? "$(cat "$T/py")"
verdict "--new says which import it reports and what it compares with" \
    "$(grep -q 'new hits of the last import, ofac-2026-03-01' "$T/err" && grep -q 'compared with: ofac-2026-01-01, un-2026-02-27' "$T/err"; echo $?)" \
    "$(cat "$T/err")"
check "--new --since a day when only the UN list of 2018 was in force" \
    attest screen archive --new --since 2025-12-31 --json
verdict "every OFAC hit is new since then, and the UN hit is not" \
    "$(python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); k = sorted(h["key"] for r in o["records"] for h in r["hits"]); sys.exit(k != ["7001", "7001", "7002", "7004", "7004"])' "$T/out"; echo $?)" \
    "$(head -c 800 "$T/out")"
check_fails "--new is for the whole archive" 2 'screen archive --new' attest screen NATA --new
check_fails "--new does not take --as-of" 2 'does not take --as-of' attest screen archive --new --as-of 2026-01-01
check_fails "--since goes with --new" 2 '--since goes with --new' attest screen archive --since 2026-01-01

# ---- decisions
check "an analyst dismisses a hit, with a note" \
    as analyst screen dismiss "$PINE" 7001 --note "FICTIONAL: another Pine Trading, registered elsewhere"
DM=$(cat "$T/out")
same "the decision is a dismissal record" "dm-" "${DM:0:3}"
check "screen --record after the decision" attest screen --record "$PINE" --json
python3 - "$T/out" >"$T/py" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["hits"] == [], r["hits"]
d = r["dismissed"][0]
assert d["key"] == "7001" and d["dismissal"]["by"] == "analyst" and d["dismissal"]["at"], d
assert d["dismissal"]["note"].startswith("FICTIONAL: another"), d
PY
verdict "the dismissed hit is no hit, and is shown as dismissed with who and when" $? "$(cat "$T/py")"
has "the table shows it dismissed, by whom" 'dismissed by analyst at .*FICTIONAL: another Pine' \
    attest screen --record "$PINE"
has "screen archive --new shows it dismissed, not as a hit" '^  100\.0  ofac-2026-03-01 7001 .* dismissed by analyst' \
    attest screen archive --new
verdict "... and River Logistics is still a new hit" "$(grep -q "^$RIVER organisation" "$T/out"; echo $?)" "$(cat "$T/out")"
check_fails "dismissing it twice is refused, naming the decision" 1 "ofac:7001 is already dismissed for $PINE \\($DM, by analyst" \
    as analyst screen dismiss "$PINE" ofac:7001
check_fails "a partner may not decide" 1 'user partner \(partner\) may not write records' \
    as partner screen dismiss "$SHIP" 7002
check_fails "a witness is not screened, so not dismissed" 2 "$WT is not an organisation, a person or a vessel" \
    attest screen dismiss "$WT" 7001
check_fails "an entry on no list is named" 1 'no entry "KPe.999" on any imported list version' \
    attest screen dismiss "$SEA" KPe.999
check_fails "an unknown list is named" 2 'unknown list "eu"; valid: un, ofac' attest screen dismiss "$SEA" eu:7001
has "decisions lists it" "^$DM +$PINE +ofac:7001 +FICTIONAL SEA CARRIER CO LTD +dismissed +analyst" \
    attest screen decisions
check "an investigator dismisses a hit of a confidential record" as investigator screen dismiss "$SECRET" 7004
SECRET_DM=$(cat "$T/out")
has "that decision is confidential, as its record" '"clearance": "confidential"' attest show "$SECRET_DM" --json
lacks "the analyst does not see it" "$SECRET" as analyst screen decisions --all

check_fails "an entry on the other list is not that entry" 1 'no entry "un:7001"' \
    as analyst screen undismiss "$PINE" un:7001
check "the analyst withdraws the decision" as analyst screen undismiss "$PINE" ofac:7001 --note "FICTIONAL: reopened"
has "the hit is a hit again" '"key": "7001"' \
    bash -c '"$0" screen --record "$1" --json | python3 -c "import json, sys; print(json.dumps(json.load(sys.stdin)[\"hits\"]))"' \
    "$ATTEST_BIN" "$PINE"
check_fails "withdrawing twice is refused" 1 'ofac:7001 is not dismissed' as analyst screen undismiss "$PINE" 7001
has "decisions --all shows it withdrawn, with why" "^$DM .* withdrawn +analyst .*FICTIONAL: reopened" \
    attest screen decisions "$PINE" --all
check "dismissing again is one more version" as analyst screen dismiss "$PINE" 7001
check "its history holds the three decisions" attest history "$DM" --json
verdict "dismissed, withdrawn, dismissed: versions 1 to 3, each by analyst" \
    "$(python3 -c 'import json, sys; h = json.load(open(sys.argv[1])); s = [(v["version"], v["data"]["status"], v["author"]) for v in h]; sys.exit(s != [(1, "dismissed", "analyst"), (2, "withdrawn", "analyst"), (3, "dismissed", "analyst")])' "$T/out"; echo $?)" \
    "$(head -c 800 "$T/out")"
check "the log still verifies" attest verify
