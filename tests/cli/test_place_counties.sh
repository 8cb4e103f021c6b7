#!/usr/bin/env bash
# test_place_counties.sh: counties and cities of North Korea found by every
# spelling (issue 10), those with a GeoNames seat and those written by hand
# (Yodŏk, Myŏnggan, Kaech'ŏn): `attest places search` gives the place
# first for its Hangul with and without the suffix (군, 시), McCune-
# Reischauer with and without marks, with its suffix (-kun/-gun, -si),
# Revised Romanization, the English "County"/"City" form, and its Hanja
# with and without 郡/市 where the gazetteer knows it; and search finds a
# record whose county was typed in one of them by any other.  FICTIONAL
# data only.
. "$(dirname "$0")/lib.sh"

# Each line: the place's id, then its spellings, separated by |.
places='county:요덕군|요덕군|요덕|Yodŏk|Yodok|Yodeok|Yodŏk-kun|Yodeok-gun|Yodok County|Yodŏk County|耀德|耀德郡
county:명간군|명간군|명간|Myŏnggan|Myonggan|Myeonggan|Myŏnggan-gun|Myeonggan-gun|Myonggan County|明澗|明澗郡
city:개천시|개천시|개천|Kaech'"'"'ŏn|Kaechon|Gaecheon|Kaech'"'"'ŏn-si|Gaecheon-si|Kaechon City|价川|价川市
county:2042267|온성군|온성|Onsŏng|Onsong|Onseong|Onsŏng-gun|Onseong-gun|Onsong County
county:2042738|무산군|무산|Musan|Musan-gun|Musan County
county:2039589|은덕군|은덕|Ŭndŏk|Undok|Eundeok|Ŭndŏk-kun|Eundeok-gun|Undok County
city:2044091|회령시|회령|Hoeryŏng|Hoeryong|Hoeryeong|Hoeryŏng-si|Hoeryeong-si|Hoeryong City|會寧|會寧市'
nspellings=$(printf '%s\n' "$places" | tr '|' '\n' | grep -vc ':')
nplaces=$(printf '%s\n' "$places" | wc -l)
plan $((nspellings + 2 * nplaces))

new_archive
while IFS= read -r line; do
    IFS='|' read -ra s <<<"$line"
    id=${s[0]}
    for sp in "${s[@]:1}"; do
        got=$(attest places search "$sp" --limit 1 --json 2>/dev/null | python3 -c 'import json,sys; p = json.load(sys.stdin); print(p[0]["id"] if p else "")' 2>/dev/null)
        same "places search $sp gives $id first" "$id" "$got"
    done
    # A record whose county was typed in its English form is found by the
    # Hangul, and one typed in Hangul by the English form.
    last=$((${#s[@]} - 1))
    a=$(attest add event --title "FICTIONAL county record $id" --county "${s[$last]}")
    b=$(attest add event --title "FICTIONAL Hangul record $id" --county "${s[1]}")
    got=$(attest search "${s[1]}" --json | python3 -c 'import json,sys; print(" ".join(sorted(h["record"]["id"] for h in json.load(sys.stdin))))')
    same "search ${s[1]} finds the record typed ${s[$last]}" "$(printf '%s\n' "$a" "$b" | sort | xargs)" "$got"
    got=$(attest list event --place "${s[$last]}" --json | python3 -c 'import json,sys; print(" ".join(sorted(r["id"] for r in json.load(sys.stdin))))')
    same "list --place ${s[$last]} finds the record typed ${s[1]}" "$(printf '%s\n' "$a" "$b" | sort | xargs)" "$got"
done <<<"$places"
