#!/usr/bin/env bash
# test_place_spellings.sh: search and the place filter find a place by any
# of its spellings (issue 10): for each of ten places, records whose place
# field holds one spelling and records whose text holds another are found
# by every spelling the gazetteer knows, in Hangul, Hanja, McCune-Reischauer
# with and without marks and Revised Romanization; and the hit says which
# spelling it was found as.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"

# Each line: the spellings of one place, separated by |.
places='Hoeryŏng|Hoeryong|hoeryeong|會寧|회령
Chongjin|Ch'"'"'ŏngjin|Cheongjin|淸津|청진
Hyesan|惠山|혜산|HYESAN
Hamhung|Hamhŭng|Hamheung|咸興|함흥
Sinuiju|Sinŭiju|新義州|신의주
Onsong|Onsŏng|Onseong|온성
Pyongyang|P'"'"'yŏngyang|Phyongyang|平壤|평양
Kaesong|Kaesŏng|Gaeseong|開城|개성
Yodok|Yodŏk|Yodeok|耀德|요덕
Kaechon|Kaech'"'"'ŏn|Gaecheon|价川|개천'
nplaces=$(printf '%s\n' "$places" | wc -l)
nspellings=$(printf '%s\n' "$places" | tr '|' '\n' | wc -l)
plan $((2 * nspellings + 4))

new_archive
# For place i: one event whose county is its first spelling, one whose
# description holds its last; unrelated records beside them.
i=0
declare -A want_search want_place
while IFS= read -r line; do
    IFS='|' read -ra s <<<"$line"
    a=$(attest add event --title "FICTIONAL meeting $i" --county "${s[0]}")
    b=$(attest add event --title "FICTIONAL report $i" --description "FICTIONAL: it was near ${s[${#s[@]}-1]} station")
    want_search[$i]=$(printf '%s\n' "$a" "$b" | sort | xargs)
    want_place[$i]=$a
    i=$((i + 1))
done <<<"$places"
attest add event --title "FICTIONAL unrelated" --county "Nowhere" --description "FICTIONAL" > /dev/null

i=0
while IFS= read -r line; do
    IFS='|' read -ra s <<<"$line"
    for sp in "${s[@]}"; do
        got=$(attest search "$sp" --json | python3 -c 'import json,sys; print(" ".join(sorted(h["record"]["id"] for h in json.load(sys.stdin))))')
        same "search $sp finds both records of place $i" "${want_search[$i]}" "$got"
        got=$(attest list event --place "$sp" --json | python3 -c 'import json,sys; print(" ".join(sorted(r["id"] for r in json.load(sys.stdin))))')
        same "list --place $sp finds the record of place $i" "${want_place[$i]}" "$got"
    done
    i=$((i + 1))
done <<<"$places"

# The README's tour: the county typed "Hoeryong", found by 회령, and the hit says why.
id=$(attest add event --title "FICTIONAL tour event" --county "Hoeryong")
attest search 회령 --json > "$T/hits.json"
check "search 회령 finds the record typed Hoeryong, saying so" python3 -c "
import json
hits = {h['record']['id']: h for h in json.load(open('$T/hits.json'))}
h = hits['$id']
assert 'Hoeryong' in h['why'] and '회령' in h['why'], h
"
check "the table of hits says why" sh -c "'$ATTEST_BIN' search 회령 | grep -q 'found as \"Hoeryong\"'"
same "a spelling of no place finds nothing" "" "$(attest search Qqqxz --json | python3 -c 'import json,sys; print(" ".join(h["record"]["id"] for h in json.load(sys.stdin)))')"
same "a plain substring of a place field still filters" "$id" "$(attest list event --place "ryong" --json | python3 -c 'import json,sys; print(" ".join(r["id"] for r in json.load(sys.stdin) if r["data"]["title"] == "FICTIONAL tour event"))')"
