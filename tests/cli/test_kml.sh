#!/usr/bin/env bash
# CLI tests of `attest import kml|kmz`, `attest export kml|kmz|geojson|csv`
# with tiers, the gazetteer (`attest places`) and `sites ring --places`.
# Map outputs are read back with GDAL's ogrinfo.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
bin=$ATTEST_BIN tmp=$T
export ATTEST_USER=admin
plan 42

count() { "$bin" list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

new_archive a
w=$("$bin" add witness --code "FICTIONAL KML W1")
"$bin" witness consent "$w" --use court --granted 2020-01-01 > /dev/null
"$bin" witness consent "$w" --use share_partner --granted 2020-01-01 > /dev/null
iv=$("$bin" add interview --witness "$w" --summary "FICTIONAL interview")

# A Google Earth file as a witness's placements might come: FICTIONAL.
cat > "$tmp/places.kml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document>
  <name>FICTIONAL DEMO DATA</name>
  <Style id="burial"><IconStyle><scale>1</scale></IconStyle></Style>
  <Folder>
    <name>Burial sites</name>
    <Placemark>
      <name>FICTIONAL hillside</name>
      <description>FICTIONAL DEMO DATA: a hillside behind the school</description>
      <TimeSpan><begin>1997-03</begin><end>1998</end></TimeSpan>
      <ExtendedData>
        <Data name="uncertainty_m"><value>150</value></Data>
        <Data name="basis"><value>eyewitness</value></Data>
      </ExtendedData>
      <Point><coordinates>129.7412345,42.4312345,0</coordinates></Point>
    </Placemark>
    <Placemark>
      <name>FICTIONAL field</name>
      <TimeStamp><when>1999-05-02T10:00:00Z</when></TimeStamp>
      <Point><coordinates>129.7523456,42.4423456</coordinates></Point>
    </Placemark>
  </Folder>
  <Folder>
    <name>Detention facilities</name>
    <Placemark>
      <name>FICTIONAL compound</name>
      <Polygon><outerBoundaryIs><LinearRing><coordinates>
        129.70,42.40 129.71,42.40 129.71,42.41 129.70,42.41 129.70,42.40
      </coordinates></LinearRing></outerBoundaryIs>
      <innerBoundaryIs><LinearRing><coordinates>
        129.702,42.402 129.702,42.404 129.704,42.404 129.702,42.402
      </coordinates></LinearRing></innerBoundaryIs></Polygon>
    </Placemark>
  </Folder>
</Document>
</kml>
EOF

check "import kml with --interview" "$bin" import kml "$tmp/places.kml" --interview "$iv"
"$bin" list --type pinpoint --json > "$tmp/pp.json"
check "pinpoints attributed to the interview, typed by folder, dated" python3 -c "
import json
pp = {p['data']['name']: p for p in json.load(open('$tmp/pp.json'))}
h = pp['FICTIONAL hillside']
assert h['data']['interview'] == '$iv' and h['source'] == '$iv', h
assert h['data']['site_type'] == 'burial_site' and h['data']['uncertainty_m'] == 150, h
assert h['data']['date'] == '1997-03/1998' and h['data']['basis'] == 'eyewitness', h
assert h['data']['lat'] == 42.4312345 and h['data']['lon'] == 129.7412345, h
assert pp['FICTIONAL field']['data']['date'] == '1999-05-02'
"
check "polygon becomes a site with its outline" sh -c "
'$bin' list --type site --json | python3 -c '
import json, sys
s = json.load(sys.stdin)[0][\"data\"]
g = json.loads(s[\"geometry\"])
assert g[\"type\"] == \"Polygon\" and len(g[\"coordinates\"]) == 2, g
assert s[\"site_type\"] == \"detention_facility\", s
assert abs(s[\"lat\"] - 42.405) < 1e-9 and abs(s[\"lon\"] - 129.705) < 1e-9, s
'"

# Without --interview, the file is a document source.
before=$(count)
"$bin" import kml "$tmp/places.kml" 2> "$tmp/err"
doc=$(sed -n 's/.*the file is document \([a-z0-9-]*\)).*/\1/p' "$tmp/err")
check "the file is recorded as a document with its SHA-256" sh -c "
'$bin' show $doc --json | grep -q \"\\\"sha256\\\": \\\"$(sha256sum "$tmp/places.kml" | cut -c1-64)\\\"\" &&
'$bin' show $doc --json | grep -q '\"title\": \"places.kml\"'"
check "records name the document as their source" sh -c "
test \$('$bin' list --json | grep -c '\"source\": \"$doc\"') -eq 3"
check "four new records" test "$(count)" -eq $((before + 4))

# Bad files: nothing imported, the line and placemark named.
bad() {
    # bad NAME SED-SCRIPT PATTERN: the edited file is refused with PATTERN.
    sed "$2" "$tmp/places.kml" > "$tmp/bad.kml"
    local n; n=$(count)
    "$bin" import kml "$tmp/bad.kml" > "$tmp/bad.out" 2>&1
    local rc=$?
    if [ $rc -eq 2 ] && grep -q "$3" "$tmp/bad.out" && [ "$(count)" -eq "$n" ]; then
        echo "ok - $1"
    else
        echo "not ok - $1"; sed 's/^/# /' "$tmp/bad.out"
    fi
}
bad "coordinate out of range" 's/129.7523456,42.4423456/129.75,92.44/' 'bad.kml:21: placemark "FICTIONAL field": coordinate 129.75,92.44 is out of range'
bad "unsupported geometry" 's#<Point><coordinates>129.75#<Model><coordinates>129.75#; s#42.4423456</coordinates></Point>#42.4423456</coordinates></Model>#' ':21: placemark "FICTIONAL field": unsupported geometry Model'
bad "malformed XML" 's#</Folder>##' 'bad.kml:[0-9]*: not well-formed XML'
bad "bad ExtendedData value" 's#<value>eyewitness#<value>saw it on TV#' 'bad.kml:8: placemark "FICTIONAL hillside": field "basis"'
bad "open ring" 's#129.70,42.40$#129.70,42.45#' 'placemark "FICTIONAL compound": a LinearRing needs'
check_fails "unknown interview" 2 '^attest: no record iv-000000000000$' attest import kml "$tmp/places.kml" --interview iv-000000000000

# KMZ: the doc.kml inside a zip.
python3 -c "
import zipfile
with zipfile.ZipFile('$tmp/places.kmz', 'w', zipfile.ZIP_DEFLATED) as z:
    z.write('$tmp/places.kml', 'doc.kml')
"
check "import kmz" sh -c "'$bin' import kmz '$tmp/places.kmz' 2>&1 | grep -q '4 new records'"

# Exports, read back by GDAL.
check "export kml (court)" "$bin" export kml --tier court -o "$tmp/court.kml"
check "export kmz (court)" "$bin" export kmz --tier court -o "$tmp/court.kmz"
check "export geojson (court)" "$bin" export geojson --tier court -o "$tmp/court.geojson"
check "export csv (court)" "$bin" export csv --tier court -o "$tmp/court.csv"
# 3 files imported: 3 sites and 6 pinpoints (the KMZ and the document
# import are the document's; the interview's need the witness's consent).
features() {
    ogrinfo -ro -al -so "$1" | sed -n 's/^Feature Count: //p' | paste -sd+ | bc
}
if command -v ogrinfo > /dev/null; then
    check "ogrinfo reads the KML: 9 features" test "$(features "$tmp/court.kml")" -eq 9
    check "ogrinfo reads the KMZ: 9 features" test "$(features "$tmp/court.kmz")" -eq 9
    check "ogrinfo reads the GeoJSON: 9 features" test "$(features "$tmp/court.geojson")" -eq 9
    check "KML coordinates as written" sh -c "ogrinfo -ro -al '$tmp/court.kml' | grep -q 'POINT (129.7412345 42.4312345)'"
    check "KML polygon with its hole" sh -c "ogrinfo -ro -al '$tmp/court.kml' | grep -q 'POLYGON ((129.7 42.4,129.71 42.4,129.71 42.41,129.7 42.41,129.7 42.4),(129.702 42.402'"
    check "GeoJSON extent" sh -c "ogrinfo -ro -al -so '$tmp/court.geojson' | grep -q 'Extent: (129.700000, 42.400000) - (129.752346, 42.442346)'"
else
    not_ok "ogrinfo reads the exports" "ogrinfo is missing (make deps installs gdal-bin)"
fi
check "GeoJSON per RFC 7946: exterior counter-clockwise, no crs" python3 -c "
import json
fc = json.load(open('$tmp/court.geojson'))
assert fc['type'] == 'FeatureCollection' and 'crs' not in fc
for f in fc['features']:
    g = f['geometry']
    if g['type'] == 'Polygon':
        def area(r): return sum(a[0]*b[1] - b[0]*a[1] for a, b in zip(r, r[1:]))
        assert area(g['coordinates'][0]) > 0 and area(g['coordinates'][1]) < 0, g
"
check "CSV: one row per site or pinpoint" test "$(python3 -c "import csv; print(len(list(csv.DictReader(open('$tmp/court.csv')))))")" -eq 9
check "descriptions never name a witness" sh -c "test -s '$tmp/court.kml' && test -s '$tmp/court.geojson' && test -s '$tmp/court.csv' &&
    { grep -q 'FICTIONAL KML W1\|$w' '$tmp/court.kml' '$tmp/court.geojson' '$tmp/court.csv'; test \$? -eq 1; }"

# Round trip: exported KML imported into a new archive keeps coordinates to 1e-7 degrees.
"$bin" init "$tmp/b" --kdf interactive > /dev/null 2>&1
ATTEST_ARCHIVE="$tmp/b" "$bin" import kml "$tmp/court.kml" > /dev/null 2>&1
ATTEST_ARCHIVE="$tmp/b" "$bin" list --type pinpoint --json > "$tmp/b.json"
ATTEST_ARCHIVE="$tmp/b" "$bin" list --type site --json > "$tmp/bs.json"
check "export then import keeps coordinates to 1e-7 degrees" python3 -c "
import json
a = sorted((p['data']['lat'], p['data']['lon']) for p in json.load(open('$tmp/pp.json')))
b = sorted((p['data']['lat'], p['data']['lon']) for p in json.load(open('$tmp/b.json')))
assert len(b) == 6 and all(any(abs(x[0]-y[0]) < 1e-7 and abs(x[1]-y[1]) < 1e-7 for y in b) for x in a), (a, b)
s = json.load(open('$tmp/bs.json'))
assert len(s) == 3 and all(json.loads(x['data']['geometry'])['coordinates'][0][1] == [129.71, 42.4] for x in s), s
"

# Public tier: only sites marked for publication, moved to the county's seat.
pub=$("$bin" add site --name "FICTIONAL public site" --site_type burial_site --lat 42.4512 --lon 129.7634 \
      --tier public --clearance public --description "FICTIONAL DEMO DATA")
grid=$("$bin" add site --name "FICTIONAL remote site" --site_type burial_site --lat 41.2 --lon 127.9 \
      --tier public --clearance public)
"$bin" export geojson --tier public -o "$tmp/public.geojson" 2> "$tmp/public.err"
check "public tier: only the public sites, coarsened" python3 -c "
import json
fs = {f['id']: f for f in json.load(open('$tmp/public.geojson'))['features']}
assert set(fs) == {'$pub', '$grid'}, fs.keys()
p = fs['$pub']
assert p['geometry']['coordinates'] == [129.746, 42.4411], p   # Hoeryong's seat (GeoNames), to 4 decimals
assert p['properties']['county'] == 'Hoeryŏng' and p['properties']['coarsened'] is True, p
g = fs['$grid']['geometry']['coordinates']
assert (round(g[0], 4), round(g[1], 4)) != (127.9, 41.2) and abs(g[1] - 41.2) < 0.1, g
assert 'uncertainty_m' not in json.dumps(fs)
"
check "public KML opens in ogrinfo" sh -c "'$bin' export kml --tier public -o '$tmp/public.kml' && ogrinfo -ro -al -so '$tmp/public.kml' > /dev/null"
check "partner tier leaves out court-only sites" sh -c "
'$bin' export geojson --tier partner | python3 -c '
import json, sys
ids = [f[\"id\"] for f in json.load(sys.stdin)[\"features\"]]
assert \"$pub\" in ids and not any(i.startswith(\"si-\") and i not in (\"$pub\", \"$grid\") for i in ids), ids
'"

# The gazetteer.
for q in Hoeryŏng Hoeryong Hoeryeong 회령 "HOE-RYONG"; do
    check "places search $q" sh -c "'$bin' places search '$q' --json | grep -q '\"hangul\": \"회령시\"'"
done
check "places search Dandong by its Chinese name" sh -c "'$bin' places search 丹东 | grep -q Dandong"
check "places search Vladivostok in Cyrillic" sh -c "'$bin' places search Владивосток | grep -q Vladivostok"
check "places search a province in DPRK spelling" sh -c "'$bin' places search Ryanggang --json | grep -q '\"kind\": \"province\"'"
check "places at: country, province and county" sh -c "
'$bin' places at 42.45,129.75 --json | python3 -c '
import json, sys
o = json.load(sys.stdin)
assert o[\"country\"] == \"KP\" and o[\"province\"][\"hangul\"] == \"함경북도\" and o[\"county\"][\"hangul\"] == \"회령시\", o
'"
check "places at in China" sh -c "'$bin' places at 40.13,124.39 --json | grep -q '\"country\": \"CN\"'"
check_fails "places search nothing" 1 '^attest: no place is spelled like "Qqqxz"$' attest places search Qqqxz
check "ring of 6,600 km: Anchorage in, Honolulu out" sh -c "
out=\$('$bin' sites ring 39.03,125.75 --km 6600 --places) &&
echo \"\$out\" | grep -q Anchorage && ! echo \"\$out\" | grep -q Honolulu && echo \"\$out\" | grep -q Dandong"
