#!/usr/bin/env bash
# test_kml_earth.sh: Google Earth files as analysts really make them (issue
# 10): a placemark with a MultiGeometry of points, several polygons, line
# features (a fence, a route), types in the team's own words in English and
# Korean, --map-value for the rest, re-imports that change nothing or make
# new versions, and the KML export read back by GDAL's ogrinfo.  FICTIONAL
# data only.
. "$(dirname "$0")/lib.sh"
export ATTEST_USER=admin
plan 30

count() { attest list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
pinpoints() { attest list --type pinpoint --json > "$T/pp.json"; }

new_archive
cat > "$T/team.kml" <<'KML'
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document>
  <name>FICTIONAL DEMO DATA</name>
  <Folder>
    <name>처형장</name>
    <Placemark>
      <name>FICTIONAL riverbank</name>
      <ExtendedData>
        <Data name="type"><value>killing site</value></Data>
        <Data name="uncertainty_m"><value>200</value></Data>
        <Data name="date"><value>1997년 여름</value></Data>
      </ExtendedData>
      <MultiGeometry>
        <Point><coordinates>129.741,42.431,0</coordinates></Point>
        <Point><coordinates>129.742,42.432,0</coordinates></Point>
      </MultiGeometry>
    </Placemark>
    <Placemark>
      <name>FICTIONAL market square</name>
      <Point><coordinates>129.75,42.44</coordinates></Point>
    </Placemark>
  </Folder>
  <Folder>
    <name>Body sites</name>
    <Placemark>
      <name>FICTIONAL two hillsides</name>
      <MultiGeometry>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>
          129.70,42.40 129.71,42.40 129.71,42.41 129.70,42.40
        </coordinates></LinearRing></outerBoundaryIs></Polygon>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>
          129.72,42.40 129.73,42.40 129.73,42.41 129.72,42.40
        </coordinates></LinearRing></outerBoundaryIs></Polygon>
      </MultiGeometry>
    </Placemark>
  </Folder>
  <Folder>
    <name>구류장</name>
    <Placemark>
      <name>FICTIONAL holding centre</name>
      <MultiGeometry>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>
          129.80,42.50 129.81,42.50 129.81,42.51 129.80,42.50
        </coordinates></LinearRing></outerBoundaryIs></Polygon>
        <LineString><coordinates>129.80,42.49 129.82,42.49 129.82,42.52</coordinates></LineString>
      </MultiGeometry>
    </Placemark>
    <Placemark>
      <name>FICTIONAL fence</name>
      <LinearRing><coordinates>129.90,42.60 129.91,42.60 129.91,42.61 129.90,42.60</coordinates></LinearRing>
    </Placemark>
    <Placemark>
      <name>FICTIONAL route to the camp</name>
      <ExtendedData><Data name="site_type"><value>execution ground</value></Data></ExtendedData>
      <LineString><coordinates>129.60,42.30 129.65,42.35</coordinates></LineString>
    </Placemark>
  </Folder>
</Document>
</kml>
KML

check "a Google Earth file as it is imports whole" attest import kml "$T/team.kml"
pinpoints
check "a MultiGeometry of two points is two pinpoints of one placement group" python3 -c "
import json
pp = [p['data'] for p in json.load(open('$T/pp.json')) if p['data']['name'] == 'FICTIONAL riverbank']
assert len(pp) == 2, pp
assert pp[0]['placement_group'] == pp[1]['placement_group'], pp
assert sorted((p['lat'], p['lon']) for p in pp) == [(42.431, 129.741), (42.432, 129.742)], pp
assert all(p['date'] == '1997년 여름' and p['uncertainty_m'] == 200 for p in pp), pp
"
check "ExtendedData's own words: killing site is a public execution site" python3 -c "
import json
pp = [p['data'] for p in json.load(open('$T/pp.json')) if p['data']['name'] == 'FICTIONAL riverbank']
assert all(p['site_type'] == 'public_execution_site' for p in pp), pp
"
check "a folder's Korean words: 처형장 is a public execution site" python3 -c "
import json
pp = [p['data'] for p in json.load(open('$T/pp.json')) if p['data']['name'] == 'FICTIONAL market square']
assert pp[0]['site_type'] == 'public_execution_site' and 'placement_group' not in pp[0], pp
"
attest list --type site --json > "$T/sites.json"
check "several polygons are one site with a MultiPolygon outline; body sites" python3 -c "
import json
s = [x['data'] for x in json.load(open('$T/sites.json')) if x['data']['name'] == 'FICTIONAL two hillsides'][0]
g = json.loads(s['geometry'])
assert g['type'] == 'MultiPolygon' and len(g['coordinates']) == 2, g
assert s['site_type'] == 'body_disposal_site', s
"
check "a polygon and a LineString: the outline and a line feature; 구류장 is a detention facility" python3 -c "
import json
s = [x['data'] for x in json.load(open('$T/sites.json')) if x['data']['name'] == 'FICTIONAL holding centre'][0]
assert json.loads(s['geometry'])['type'] == 'Polygon', s
l = json.loads(s['lines'])
assert l['type'] == 'MultiLineString' and l['coordinates'] == [[[129.8, 42.49], [129.82, 42.49], [129.82, 42.52]]], l
assert s['site_type'] == 'detention_facility', s
"
check "a LinearRing alone is a closed line feature of a site" python3 -c "
import json
s = [x['data'] for x in json.load(open('$T/sites.json')) if x['data']['name'] == 'FICTIONAL fence'][0]
l = json.loads(s['lines'])['coordinates'][0]
assert len(l) == 4 and l[0] == l[-1] and 'geometry' not in s, s
assert abs(s['lat'] - 42.603333333) < 1e-6, s
"
check "a LineString alone is a site, typed by its ExtendedData: execution ground" python3 -c "
import json
s = [x['data'] for x in json.load(open('$T/sites.json')) if x['data']['name'] == 'FICTIONAL route to the camp'][0]
assert json.loads(s['lines'])['type'] == 'MultiLineString' and s['site_type'] == 'public_execution_site', s
"

# Re-importing the same file changes nothing.
n=$(count)
check "importing the same file again" attest import kml "$T/team.kml"
cp "$T/err" "$T/again.err"
same "it changes nothing" "$n" "$(count)"
check "and says so" grep -q "0 new records, 0 new versions, 8 unchanged" "$T/again.err"
# A changed placemark becomes a new version of the record it made.
mkdir -p "$T/changed"
sed 's/129.75,42.44/129.751,42.441/; s/129.72,42.40/129.72,42.39/g' "$T/team.kml" > "$T/changed/team.kml"
check "importing the file with a point moved and an outline changed" attest import kml "$T/changed/team.kml"
cp "$T/err" "$T/changed.err"
same "no new record" "$n" "$(count)"
check "new versions of the placemarks' records and of the file's document" \
    grep -q "0 new records, 3 new versions, 5 unchanged" "$T/changed.err"
pp=$(attest list --type pinpoint --json | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin) if p["data"]["name"] == "FICTIONAL market square"][0])')
check "the moved placemark's record has two versions, the new one at the new place" sh -c "
'$ATTEST_BIN' history $pp --json | python3 -c '
import json, sys
h = json.load(sys.stdin)
assert len(h) == 2 and h[1][\"data\"][\"lat\"] == 42.441 and h[0][\"data\"][\"lat\"] == 42.44, h
'"
check "a site whose outline changed has its new centre" sh -c "
'$ATTEST_BIN' list --type site --json | python3 -c '
import json, sys
s = [x[\"data\"] for x in json.load(sys.stdin) if x[\"data\"][\"name\"] == \"FICTIONAL two hillsides\"][0]
assert abs(s[\"lat\"] - 42.401666667) < 1e-6 and \"42.39\" in s[\"geometry\"], s
'"

# Words no vocabulary knows: refused, all or nothing, naming the closest codes and the flag.
sed 's#<value>killing site</value>#<value>pig farm</value>#' "$T/team.kml" > "$T/words.kml"
check_fails "an unknown word is refused with the closest codes and --map-value" 2 \
    'words.kml:7: placemark "FICTIONAL riverbank": field "site_type": unknown site_type "pig farm"; closest: .*; or give --map-value "site_type:pig farm=CODE"' \
    attest import kml "$T/words.kml"
grep -q "nothing was imported" "$T/err"
verdict "nothing was imported" $? "$(cat "$T/err")"
check "--map-value maps the team's own word" attest import kml "$T/words.kml" --map-value "site_type:pig farm=workplace"
check "the mapped word is stored as its code" sh -c "'$ATTEST_BIN' list --type pinpoint --json | grep -q '\"site_type\": \"workplace\"'"
check_fails "--map-value with an unknown code" 2 '"nowhere" is not a site_type code; valid: public_execution_site' \
    attest import kml "$T/words.kml" --map-value "site_type:pig farm=nowhere"
check_fails "--map-value of a field without a vocabulary" 2 '"name" has no vocabulary; valid: ' \
    attest import kml "$T/words.kml" --map-value "name:pig farm=x"

check "attest vocab shows the words an import takes" sh -c "
'$ATTEST_BIN' vocab site_type --json | python3 -c '
import json, sys
t = {x[\"code\"]: x for x in json.load(sys.stdin)[\"site_type\"][\"terms\"]}
assert \"처형장\" in t[\"public_execution_site\"][\"synonyms\"] and \"구류장\" in t[\"detention_facility\"][\"synonyms\"], t
'"

# The export: uncertainty circles, labels, dates as entered.
check "export kml" attest export kml --tier court -o "$T/court.kml"
if command -v ogrinfo > /dev/null; then
    check "ogrinfo reads a pinpoint as its point and its circle of uncertainty" sh -c "
ogrinfo -ro -al '$T/court.kml' | grep -q 'GEOMETRYCOLLECTION (POINT (129.741 42.431),POLYGON ((129.741 42.4328'"
    check "ogrinfo reads a site's outline and line features" sh -c "
ogrinfo -ro -al '$T/court.kml' | grep -q 'LINESTRING (129.8 42.49,129.82 42.49,129.82 42.52)'"
else
    not_ok "ogrinfo reads the export" "ogrinfo is missing (make deps installs gdal-bin)"
    not_ok "ogrinfo reads the export's lines" "ogrinfo is missing"
fi
check "the balloon shows labels, not codes, and the date as entered" python3 -c "
import re
k = open('$T/court.kml').read()
m = re.search(r'<Placemark><name>FICTIONAL riverbank</name><description>(.*?)</description>', k)
d = m.group(1)
assert 'Public execution site' in d and 'public_execution_site' not in d, d
assert 'Date: 1997년 여름' in d, d
assert '<begin>1997-06-01</begin><end>1997-08-31</end>' in k, 'TimeSpan'
assert '<Data name=\"attest:date_edtf\"><value>1997-22</value></Data>' in k
"
# The export comes back as it went: a pinpoint stays a pinpoint, circle and all.
"$ATTEST_BIN" init "$T/b" --kdf interactive > /dev/null 2>&1
check "the export imports into a new archive" env ATTEST_ARCHIVE="$T/b" "$ATTEST_BIN" import kml "$T/court.kml"
check "its pinpoints are pinpoints again, with their dates as entered" sh -c "
ATTEST_ARCHIVE='$T/b' '$ATTEST_BIN' list --type pinpoint --json | python3 -c '
import json, sys
pp = [p[\"data\"] for p in json.load(sys.stdin) if p[\"data\"][\"name\"] == \"FICTIONAL riverbank\"]
# two from team.kml, two from words.kml
assert len(pp) == 4 and all(p[\"date\"] == \"1997년 여름\" and \"geometry\" not in p for p in pp), pp
'"

# The public tier never shows where a site's lines run, nor the team's folders.
fence=$(attest list --type site --json | python3 -c 'import json,sys; print([s["id"] for s in json.load(sys.stdin) if s["data"]["name"] == "FICTIONAL fence"][0])')
attest amend "$fence" --tier public --clearance public --reason "FICTIONAL: to publish" > /dev/null 2>&1
attest export geojson --tier public -o "$T/public.geojson" 2> /dev/null
check "public tier: a site's lines and placemark are left out" python3 -c "
import json
fs = [f for f in json.load(open('$T/public.geojson'))['features'] if f['id'] == '$fence']
assert len(fs) == 1 and fs[0]['geometry']['type'] == 'Point', fs
text = json.dumps(fs)
assert '129.91' not in text and '구류장' not in text and 'placemark' not in text, text
"
