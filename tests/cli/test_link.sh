#!/usr/bin/env bash
# CLI tests of `attest link`: runs on persons and events, one victim's
# spellings across romanisations and Hangul clustered together, explain,
# the clusters listing, review from standard input, decisions respected
# after re-running on more data, stable cluster ids, rebuild, no witness
# identity in any output, a bad configuration file.  FICTIONAL data only
# (bench/link_gen.h writes the background records).
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
bin=$ATTEST_BIN tmp=$T
export ATTEST_USER=admin
plan 25

# The generator of fictional records (bench/link_gen.c; make test-only builds it).
gen=$(dirname "$bin")/bench/link_gen
[ -x "$gen" ] || { not_ok "the generator $gen is built"; exit 0; }

new_archive a
"$gen" persons 400 5 > "$tmp/p1.csv"
"$bin" import csv "$tmp/p1.csv" --type person --map id= --map events= --map act_types= --map truth= 2>/dev/null
person() { "$bin" add person --name "$1" --birth_date "$2" --home_county "$3" --sex "$4"; }
k1=$(person "김영철" 1962-03-04 "회령시" male)
k2=$(person "Kim Yong Chol" 1962-03 "Hoeryong" male)
k3=$(person "Gim Yeong-cheol" 1962-03-04 "Hoeryeong-si" male)
p1=$(person "박성남" 1955-07-21 "Musan" female)
p2=$(person "Pak Song Nam" 1955-07-21 "무산군" female)
o1=$(person "Ri Chun Hui" 1971-01-02 "Hyesan" female)
o2=$(person "Choe Man Sik" 1940-11-30 "Kaechon" male)
# A witness who tells of the victim: its code must never show in link output.
w=$("$bin" add witness --code "FICTIONAL WITNESS CODE 4471")
iv=$("$bin" add interview --witness "$w")
ev=$("$bin" add event --title "FICTIONAL arrests" --date 1998-05 --county Hoeryong)
"$bin" add act --event "$ev" --act_type arbitrary_detention --victim "$k1" > /dev/null
"$bin" add relation --kind information --from "$w" --to "$ev" > /dev/null
npersons=$("$bin" stats --json | json_get '[r["records"] for r in j["types"] if r["type"] == "person"][0]')

check "link persons runs" "$bin" link persons
cluster_of() { "$bin" link clusters --type person --csv | grep "^$1," | cut -d, -f2; }
"$bin" link clusters --type person --csv > "$tmp/clusters.csv"
same "clusters --csv: a header and one line per person, singletons included" \
    "$((npersons + 1))" "$(wc -l < "$tmp/clusters.csv")"
same "clusters --csv header" "record_id,cluster_id" "$(head -1 "$tmp/clusters.csv")"
c1=$(cluster_of "$k1")
same "Hangul, McCune-Reischauer and Revised spellings of one victim cluster together" \
    "$c1 $c1" "$(cluster_of "$k2") $(cluster_of "$k3")"
same "Pak and 박 cluster together" "$(cluster_of "$p1")" "$(cluster_of "$p2")"
check "different victims stay apart" test "$(cluster_of "$o1")" != "$(cluster_of "$o2")"
has "explain shows each comparison's level and weight" "^given_name +0 +exact +[+-][0-9]" \
    attest link explain "$k1" "$k2"
has "explain ends with the match probability" "probability 0\.9|probability 1\.0" \
    attest link explain "$k1" "$k3"
check "explain --json has every comparison" sh -c "'$bin' link explain $k1 $k2 --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert [c[\"name\"] for c in j[\"comparisons\"]][:3] == [\"family_name\", \"given_name\", \"birth_date\"], j
assert 0 <= j[\"probability\"] <= 1 and j[\"model_version\"].startswith(\"fs1-\")'"

# Decisions: k3 is not the same as k1 (an analyst knows better); o1 and o2 are.
check "decide reject" "$bin" link decide "$k1" "$k3" reject --note "FICTIONAL different fathers"
check "decide accept" "$bin" link decide "$o1" "$o2" accept
check "a rejected pair is apart at once" test "$(cluster_of "$k1")" != "$(cluster_of "$k3")"
same "an accepted pair is together at once" "$(cluster_of "$o1")" "$(cluster_of "$o2")"
pak=$(cluster_of "$p1")

# More data, and a new run: the decisions hold and the clusters keep their ids.
"$gen" persons 300 6 > "$tmp/p2.csv"
"$bin" import csv "$tmp/p2.csv" --type person --map id= --map events= --map act_types= --map truth= 2>/dev/null
p3=$(person "Park Seong-nam" 1955-07 "Musan-gun" female)
has "a new run respects the decisions" "2 decisions respected" attest link persons
check "after re-running on more data a rejected pair stays apart" \
    test "$(cluster_of "$k1")" != "$(cluster_of "$k3")"
same "after re-running on more data an accepted pair stays together" "$(cluster_of "$o1")" "$(cluster_of "$o2")"
same "a grown cluster keeps its id" "$pak $pak" "$(cluster_of "$p2") $(cluster_of "$p3")"

"$bin" link clusters --type person --csv > "$tmp/before.csv"
"$bin" rebuild 2>/dev/null
"$bin" link clusters --type person --csv > "$tmp/after.csv"
check "rebuild recreates the same clusters" cmp -s "$tmp/before.csv" "$tmp/after.csv"

# Review: answers come from standard input.
printf 'r\nq\n' | "$bin" link review --low 0 --high 1 --limit 3 > "$tmp/review.out" 2>&1
check "review records an answer read from standard input" grep -q "rejected 1" "$tmp/review.out"

check "events link" "$bin" link events
# Nothing any link command printed names the witness.
{
    "$bin" link persons
    "$bin" link events
    "$bin" link clusters --type person --csv
    "$bin" link clusters --type event
    "$bin" link explain "$k1" "$k2" --json
    printf 's\nq\n' | "$bin" link review --low 0 --high 1
} > "$tmp/all.out" 2>&1
check "no witness identity in any link output" sh -c "! grep -qE 'FICTIONAL WITNESS CODE|$w|$iv' '$tmp/all.out'"

# Access: an analyst (cleared to restricted) links and lists only what it may read.
secret=$("$bin" add person --name "Kim Yong Chol" --birth_date 1962-03-04 --clearance confidential)
attest user add ana --role analyst --new-passphrase-fd 4 --kdf interactive 4<"$T/.passphrase" >/dev/null 2>&1
"$bin" link persons >/dev/null 2>&1
ATTEST_USER=ana "$bin" link persons >/dev/null 2>&1
lacks "an analyst's cluster listing lacks a confidential record" "$secret" \
    env ATTEST_USER=ana "$bin" link clusters --type person --csv
check_fails "an analyst cannot explain a confidential record" 1 "no record" \
    env ATTEST_USER=ana "$bin" link explain "$k1" "$secret"

printf 'threshold 0.9\ncompare a family names\ncompare b given names 0.9 0.95\nblock names:family\n' > "$tmp/bad.conf"
check_fails "a bad configuration file is refused naming its line" 2 "bad.conf line 3: thresholds of a given comparison must decrease" \
    attest link persons --config "$tmp/bad.conf"
check "verify accepts the logged runs and decisions" "$bin" verify
