#!/usr/bin/env bash
# test_export_tiers.sh: map exports by tier say, for each record left out,
# why and what would let it out, and the public tier takes a placed
# record's free text out (a pinpoint's description beside its coarsened
# point would undo the coarsening) unless its field publishable names it,
# and says so (issue 15).  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
export ATTEST_USER=admin
plan 9

new_archive
W=$(attest add witness --code W-7001 2>/dev/null)
IV=$(attest add interview --witness "$W" 2>/dev/null)
PP=$(attest add pinpoint --lat 42.4312 --lon 129.7411 --interview "$IV" \
     --description "FICTIONAL sandbank by the river" --clearance public --reason test 2>/dev/null)
OPEN=$(attest add site --name "FICTIONAL riverside" --site-type public_execution_site --lat 42.44 --lon 129.75 \
       --tier public --description "FICTIONAL behind the mill" --clearance public 2>/dev/null)
NARROW=$(attest add site --name "FICTIONAL court only" --site-type burial_site --lat 42.45 --lon 129.76 \
         --tier court --clearance public 2>/dev/null)

check_fails "court tier: a pinpoint without consent is left out, with the reason" 0 \
    "left out $PP: the witness has not consented to this use; fix: .*--use court" \
    attest export geojson --tier court
check_fails "partner tier: the court-only site is left out, with the fix" 0 \
    "left out $NARROW: the site's publication tier is narrower; fix: widen the site's tier" \
    attest export kml --tier partner
attest witness consent "$W" --use publication --granted 2019-05-14 >/dev/null 2>&1
attest export geojson --tier public >"$T/public.json" 2>"$T/public.err"
! grep -q "sandbank" "$T/public.json"
verdict "public tier: the pinpoint's description is not beside its coarsened point" $? \
    "$(grep sandbank "$T/public.json")"
! grep -q "behind the mill" "$T/public.json"
verdict "public tier: a site's description goes too" $?
grep -q "free text taken out of $PP: description" "$T/public.err"
verdict "public tier: says what it took out" $? "$(cat "$T/public.err")"
grep -q '"name": "Public execution site"' "$T/public.json"
verdict "public tier: a site's name is replaced by its type" $? "$(head -c 1500 "$T/public.json")"
check "mark the site's name and description publishable" \
    attest amend "$OPEN" --publishable "name description" --reason "FICTIONAL: cleared for publication"
has "public tier: a publishable description goes out as written" "behind the mill" \
    attest export geojson --tier public
has "public tier: a publishable name goes out as written" "FICTIONAL riverside" \
    attest export csv --tier public
