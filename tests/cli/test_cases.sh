#!/usr/bin/env bash
# test_cases.sh: casework (issue 14): a trafficking case's chain of sales
# keeps its order and currencies, bad currencies, indicators and countries
# are refused with the valid values, the indicator checklist round-trips
# through JSON Lines, needs and referrals stay confidential (a partner-tier
# bundle and an analyst never see them), and `attest stats` gives the
# median and range of sale prices by year and region at a stated rate, as
# worked out by hand below.  Every person, case and figure is FICTIONAL.
. "$(dirname "$0")/lib.sh"
export ATTEST_USER=admin
plan 42

# users: an analyst (restricted clearance) beside the admin
add_users() {
    attest user add analyst --role analyst --new-passphrase-fd 4 --kdf interactive \
        4<"$T/.passphrase" >/dev/null 2>&1 || not_ok "user add analyst"
}
new_archive
add_users
as() { local who=$1; shift; attest -u "$who" "$@"; }
chain() { attest case show "$1" --json | json_get "$2"; }

PE=$(attest add person --name "FICTIONAL Ri Sun-hui" --sex female 2>/dev/null)
OR=$(attest add organisation --name "FICTIONAL Rodong Construction Bureau" --kind company 2>/dev/null)
check "add a trafficking case" attest add case --kind trafficking --person "$PE" \
    --summary "FICTIONAL: sold three times" --status open
A=$(cat "$T/out")

# --- the chain of sales keeps its order and currencies ----------------------
check "sale add: the first sale" attest case sale add "$A" --seller "FICTIONAL broker in Musan" \
    --buyer "FICTIONAL farmer" --place Yanji --date 2005-03 --price 5000 --currency CNY
check "sale add: a third, appended" attest case sale add "$A" --place Musan --date 2006 \
    --price 300 --currency USD --broker "$PE"
check "sale add --before 2: the second, in between" attest case sale add "$A" --before 2 \
    --place Helong --date 2005-09 --price 1000 --currency yuan
same "the chain is in the order given" "Yanji Helong Musan" \
    "$(chain "$A" '" ".join(s["place"] for s in j["chain"])')"
same "each sale keeps its price and currency" "5000 CNY|1000 CNY|300 USD" \
    "$(chain "$A" '"|".join("%d %s" % (s["price"], s["currency"]) for s in j["chain"])')"
same "the gazetteer places the sales for the map" "China China North Hamgyong" \
    "$(chain "$A" '" ".join(s["region"] for s in j["chain"])')"
has "case show prints the chain in order with prices" "^3 +2006 +Musan .* 300 USD" attest case show "$A"
check_fails "a bad currency is refused with the valid codes" 2 \
    'sale 4 "currency": unknown currency "XYZ"; valid: CNY, KPW, KRW, USD' \
    attest case sale add "$A" --price 10 --currency XYZ
check_fails "a price without its currency is refused" 2 "a price needs its currency" \
    attest case sale add "$A" --price 10
check_fails "--before past the end is refused" 2 "has 3 sales; give a number from 1 to 3" \
    attest case sale add "$A" --before 7 --price 1 --currency CNY
check_fails "a sale's seller of the wrong type is refused" 2 "is of type case; valid: the id of a person organisation" \
    attest case sale add "$A" --seller "$A"
check_fails "a bad sale in JSON names the sale and the key" 2 'field "sales" sale 1 "cost": no such key' \
    attest add case --kind trafficking --sales '[{"cost": 5}]'
check_fails "an overseas-labour case has no chain of sales" 2 "only a trafficking case has a chain" \
    attest add case --kind overseas_labour --sales '[{"price": 5, "currency": "CNY"}]'
CC=$(attest add case --kind trafficking --clearance confidential 2>/dev/null)
check "a confidential case takes a sale (its reading is not logged inside the write)" \
    attest case sale add "$CC" --place Yanji --price 10 --currency CNY
attest retract "$CC" --reason "FICTIONAL: only for the check above" >/dev/null 2>&1
same "the chain was not changed by the refused writes" 3 "$(chain "$A" 'len(j["chain"])')"

# --- the indicator checklist --------------------------------------------------
check "indicator: withheld-wages observed, as caseworkers write it" \
    attest case indicator "$A" withheld-wages observed --note "FICTIONAL: never paid"
check "indicator: deception observed" attest case indicator "$A" deception observed
check_fails "a bad indicator is refused with the eleven" 2 \
    'unknown ilo_indicator "lies".*valid: abuse_of_vulnerability, deception, .*excessive_overtime' \
    attest case indicator "$A" lies observed
check_fails "a bad status is refused with the valid ones" 2 \
    'unknown indicator_status "maybe".*valid: observed, not_observed, unknown' \
    attest case indicator "$A" deception maybe
same "the checklist has all eleven, in the ILO's order" \
    "11 abuse_of_vulnerability withholding_of_wages:observed" \
    "$(chain "$A" '"%d %s %s" % (len(j["checklist"]), j["checklist"][0]["code"], [c["code"] + ":" + c["status"] for c in j["checklist"] if c.get("note")][0])')"

# --- overseas labour, dependants, referrals --------------------------------------
check "add an overseas-labour case" attest add case --kind overseas_labour --employer "$OR" \
    --country ru --sector construction --period 2016/2019 --wage-amount 700 --wage-currency USD \
    --wage-per month --share-taken 90
C=$(cat "$T/out")
check_fails "a bad country is refused with what is valid" 2 \
    '"XX" is not an ISO 3166-1 alpha-2 country code; valid: two letters such as CN, RU' \
    attest add case --kind overseas_labour --country XX
DP=$(attest add dependant --case "$A" --sex male --birth-date 2008 --citizenship stateless \
     --birth-registration unregistered --schooling refused --note "FICTIONAL child" 2>/dev/null)
RF=$(attest add referral --case "$A" --need legal --status referred --help-given "FICTIONAL: lawyer found" \
     --by "FICTIONAL caseworker" --date 2019-05 2>/dev/null)
same "a referral is confidential by default" confidential "$(attest show "$RF" --json | json_get 'j["clearance"]')"
same "the case shows its dependant and referral to an admin" "$DP $RF" \
    "$(chain "$A" '" ".join(d["id"] for d in j["dependants"] + j["referrals"])')"
same "an analyst sees the dependant but no referral" "$DP|" \
    "$(as analyst case show "$A" --json | json_get '"%s|%s" % (" ".join(d["id"] for d in j["dependants"]), " ".join(d["id"] for d in j["referrals"]))')"
check_fails "an analyst cannot read the referral" 1 "no record" as analyst show "$RF"
as analyst export jsonl >"$T/analyst.jsonl" 2>/dev/null
! grep -q "$RF" "$T/analyst.jsonl"
verdict "an analyst's export holds no referral" $?
attest amend "$A" --clearance partner --reason "FICTIONAL: shared with a partner" >/dev/null 2>&1
attest export bundle --tier partner -o "$T/p.tar" "$A" "$RF" 2>"$T/bundle.err"
mkdir "$T/p" && tar xf "$T/p.tar" -C "$T/p" && ! grep -rq "$RF\|lawyer found" "$T/p" && grep -rq "$A" "$T/p"
verdict "a partner-tier bundle holds the case and not its referral" $? "$(cat "$T/bundle.err")"

# --- JSON Lines round trip ------------------------------------------------------
attest export jsonl -o "$T/export.jsonl"
attest case show "$A" --json | json_get '[j["data"]["sales"], j["data"]["indicators"]]' >"$T/a.before"
new_archive copy
add_users
check "import the export into a fresh archive" attest import jsonl "$T/export.jsonl"
attest export jsonl -o "$T/copy.jsonl"
python3 - "$T/export.jsonl" "$T/copy.jsonl" >"$T/diff" <<'EOF'
import json, sys
keep = ("id", "type", "version", "clearance", "retracted", "reason", "source", "data")
old = [{k: json.loads(l).get(k) for k in keep} for l in open(sys.argv[1], encoding="utf-8")]
new = [{k: json.loads(l).get(k) for k in keep} for l in open(sys.argv[2], encoding="utf-8")]
if old != new:
    print("differs: %d then %d versions" % (len(old), len(new)))
EOF
[ ! -s "$T/diff" ] && [ "$(wc -l <"$T/export.jsonl")" -gt 8 ]
verdict "export, import, export: every version's data the same" $? "$(cat "$T/diff")"
attest case show "$A" --json | json_get '[j["data"]["sales"], j["data"]["indicators"]]' >"$T/a.after"
cmp -s "$T/a.before" "$T/a.after"
verdict "the chain (order, prices, currencies) and the indicators came across" $? "$(cat "$T/a.after")"

# --- stats: prices by year and region at a stated rate --------------------------
# Case A: 2005 Yanji 5000 CNY, 2005 Helong 1000 CNY, 2006 Musan 300 USD.
# Case B: 2005 Yanji 3000 CNY, 2006 Hoeryong 20000 KPW.
# At 1 CNY = 0.14 USD: 2005 -> 700, 140, 420: 3 sales, median 420, 140 to 700;
# 2006 -> 300 (the KPW sale left out: no rate): median 300.
# With 1 KPW = 0.001 USD too: 2006 -> 300, 20: median 160, 20 to 300;
# region China -> 700, 140, 420: median 420; North Hamgyong -> 300, 20: median 160.
B=$(attest add case --kind trafficking --sales '[{"place": "Yanji", "date": "2005-06", "price": 3000, "currency": "CNY"},
    {"place": "Hoeryong", "date": "2006-02", "price": 20000, "currency": "KPW"}]' 2>/dev/null)
attest case indicator "$B" deception not_observed 2>/dev/null
price_row() { json_get '[r["values"] for t in j["tables"] if t["name"] == "'"$1"'" for r in t["rows"] if r["key"] == "'"$2"'"][0]'; }
attest stats --json --rate CNY:USD=0.14 >"$T/s1.json"
same "2005 at 1 CNY = 0.14 USD: 3 sales, median 420, from 140 to 700" "[3, 420.0, 140.0, 700.0]" \
    "$(price_row sale_prices_by_year 2005 <"$T/s1.json")"
same "2006 without a KPW rate: the KPW sale left out" "[1, 300.0, 300.0, 300.0]" \
    "$(price_row sale_prices_by_year 2006 <"$T/s1.json")"
same "the table states the rate and what it left out" "1 CNY = 0.14 USD|True" \
    "$(json_get '[t["rate"] + "|" + str("1 sale in KPW, with no rate given, left out" in t["note"]) for t in j["tables"] if t["name"] == "sale_prices_by_year"][0]' <"$T/s1.json")"
attest stats --json --rate CNY:USD=0.14 --rate KPW:USD=0.001 >"$T/s2.json"
same "2006 with 1 KPW = 0.001 USD: median 160, from 20 to 300" "[2, 160.0, 20.0, 300.0]" \
    "$(price_row sale_prices_by_year 2006 <"$T/s2.json")"
same "by region: China median 420, North Hamgyong median 160" "[3, 420.0, 140.0, 700.0] [2, 160.0, 20.0, 300.0]" \
    "$(price_row sale_prices_by_region China <"$T/s2.json") $(price_row sale_prices_by_region "North Hamgyong" <"$T/s2.json")"
has "the text output says the rate" "Sale prices by year, in USD \(at 1 CNY = 0.14 USD\)" \
    attest stats --rate CNY:USD=0.14 --table sale_prices_by_year
same "indicators: deception observed in 1 case, not observed in 1, unknown in 1" "[1, 1, 1]" \
    "$(price_row indicators deception <"$T/s1.json")"
same "workers by country: 1 in Russia, 90% of the wage taken" "[1, 90.0]" \
    "$(price_row workers_by_country RU <"$T/s1.json")"
same "an analyst sees small counts and the prices beside them withheld" '["<5", "<5", "<5", "<5"]' \
    "$(as analyst stats --json --rate CNY:USD=0.14 | price_row sale_prices_by_year 2005)"
check_fails "a bad rate is refused with the form" 2 "give FROM:TO=RATE, such as CNY:USD=0.14" \
    attest stats --rate CNY-USD
