#!/usr/bin/env bash
# test_basemap.sh: `attest basemap add|list|remove` with MBTiles files
# made by tests/tools/mbtiles.py and a GeoTIFF of four coloured quadrants
# georeferenced by gdal_translate: each quadrant's colour is in the tile
# and pixel where its centre falls, nothing is drawn outside the image,
# and an image without georeferencing is refused.  A good file is kept inside the encrypted
# archive (no tile is readable in the database file as it lies on disk);
# each kind of bad file is refused naming the file and what would be
# valid, leaving no basemap; names are checked; a reader may not add.
. "$(dirname "$0")/lib.sh"
mb=$ROOT/tests/tools/mbtiles.py
plan 40
export ATTEST_USER=admin

new_archive
python3 "$mb" make "$T/Hoeryong 2019.mbtiles"
check "add a raster MBTiles file" attest basemap add "$T/Hoeryong 2019.mbtiles"
same "its name is the file's, made valid" "hoeryong-2019" "$(cat "$T/out")"
has "list shows it with its zooms and tiles" '^hoeryong-2019 +png +0-2 +21 ' attest basemap list
same "list --json gives its bounds" "[-180.0, -85.0511, 180.0, 85.0511]" \
    "$(attest basemap list --json | json_get '[round(v, 4) for v in j[0]["bounds"]]')"
verdict "the tiles are not in plaintext on disk" \
    "$(! grep -qa 'IHDR' "$ARCHIVE"/attest.db*; echo $?)"
check_fails "the same name twice is refused" 1 'already a basemap "hoeryong-2019": give another --name' \
    attest basemap add "$T/Hoeryong 2019.mbtiles"
check_fails "a bad name is refused naming what is valid" 2 'a-z, 0-9' \
    attest basemap add "$T/Hoeryong 2019.mbtiles" --name 'Not/Valid'

for defect in not-image out-of-range vector; do
    python3 "$mb" make "$T/$defect.mbtiles" --defect "$defect"
done
echo 'not sqlite' >"$T/junk.mbtiles"
check_fails "a tile that is no image is refused, naming the file and tile" 2 \
    'not-image.mbtiles: tile 2/3/0 is not a PNG, JPEG or WebP image' \
    attest basemap add "$T/not-image.mbtiles"
check_fails "a tile outside its zoom level is refused" 2 \
    'out-of-range.mbtiles: tile 2/0/4 is outside its zoom level' attest basemap add "$T/out-of-range.mbtiles"
check_fails "vector tiles are refused" 2 'vector.mbtiles is not a raster MBTiles file .*vector tiles' \
    attest basemap add "$T/vector.mbtiles"
check_fails "a file that is not SQLite is refused saying what is valid" 2 \
    'junk.mbtiles: not an image GDAL reads: give an MBTiles file of PNG, JPEG or WebP tiles, or a georeferenced raster' \
    attest basemap add "$T/junk.mbtiles"
same "nothing half-written: one basemap, 21 tiles" "1 21" \
    "$("$ATTEST_SQL" "$ARCHIVE" 'SELECT (SELECT count(*) FROM basemap), count(*) FROM basemap_tile' | tr '|' ' ' | tail -1)"

check "remove it" attest basemap remove hoeryong-2019
check_fails "removing it again says none is there" 1 'no basemap "hoeryong-2019"' \
    attest basemap remove hoeryong-2019

# A GeoTIFF: 512 x 512 pixels of 0.0002 degrees from 129.70 E, 42.48 N
# (near Hoeryong), about 30 m a pixel in Web Mercator: zooms 11 to 13.
python3 "$mb" quadrants "$T/scene.ppm" 512
gdal_translate -q -of GTiff -a_srs EPSG:4326 -a_ullr 129.70 42.48 129.8024 42.3776 \
    "$T/scene.ppm" "$T/scene.tif" || not_ok "gdal_translate made the GeoTIFF"
check "add a GeoTIFF" attest basemap add "$T/scene.tif"
has "it is cut into PNG tiles at zooms 11 to 13 over its bounds" \
    '^scene +png +11-13 +[0-9]+ +129\.68[0-9]+,42\.35[0-9]+,129\.81[0-9]+,42\.48[0-9]+$' attest basemap list

# pixel_at LON LAT Z [NAME]: the R G B A that basemap NAME's (scene's)
# stored tile shows at a point.
pixel_at() {
    local x y px py
    read -r x y px py < <(python3 "$mb" where "$1" "$2" "$3")
    "$ATTEST_SQL" "$ARCHIVE" "SELECT hex(data) FROM basemap_tile WHERE name = '${4:-scene}' AND z = $3 AND x = $x AND y = $y" \
        | xxd -r -p >"$T/tile.png"
    python3 "$mb" pixel "$T/tile.png" "$px" "$py" 2>&1
}

# near NAME "R G B A" "R G B A": equal within 1 in each channel.
near() {
    python3 -c 'import sys; a, b = sys.argv[1].split(), sys.argv[2].split()
sys.exit(0 if len(a) == len(b) and all(abs(int(p) - int(q)) <= 1 for p, q in zip(a, b)) else 1)' "$2" "$3"
    verdict "$1" $? "expected $2, got $3"
}
near "the north-west quadrant is red where it lies at zoom 13" "200 30 30 255" "$(pixel_at 129.7256 42.4544 13)"
near "the north-east quadrant is green" "30 200 30 255" "$(pixel_at 129.7768 42.4544 13)"
near "the south-west quadrant is blue" "30 30 200 255" "$(pixel_at 129.7256 42.4032 13)"
near "the south-east quadrant is yellow, at zoom 11 too" "250 250 0 255" "$(pixel_at 129.7768 42.4032 11)"
near "west of the image the tile is transparent" "0 0 0 0" "$(pixel_at 129.6900 42.4544 13)"
check_fails "an image without georeferencing is refused" 2 \
    'scene.ppm: the image has no georeferencing' attest basemap add "$T/scene.ppm" --name plain
same "... and nothing of it is kept" "scene" "$(attest basemap list --json | json_get '" ".join(m["name"] for m in j)')"

# export: an MBTiles file that GDAL reads, and that comes back the same.
check "export the GeoTIFF's basemap as MBTiles" attest basemap export scene "$T/scene.mbtiles"
gdalinfo "$T/scene.mbtiles" >"$T/gdalinfo" 2>&1
verdict "gdalinfo reads it as MBTiles in Web Mercator, 3 x 4 tiles of zoom 13" \
    "$(grep -q '^Driver: MBTiles/MBTiles' "$T/gdalinfo" && grep -q '^Size is 768, 1024' "$T/gdalinfo" \
       && grep -q 'Pseudo-Mercator' "$T/gdalinfo"; echo $?)" "$(head -c 1500 "$T/gdalinfo")"
check "the export is added back" attest basemap add "$T/scene.mbtiles" --name again
same "with the same tiles, byte for byte" "20 20 20" \
    "$("$ATTEST_SQL" "$ARCHIVE" "SELECT (SELECT count(*) FROM basemap_tile WHERE name = 'scene'), (SELECT count(*) FROM basemap_tile WHERE name = 'again'), (SELECT count(*) FROM basemap_tile a JOIN basemap_tile b ON b.name = 'again' AND b.z = a.z AND b.x = a.x AND b.y = a.y AND b.data = a.data WHERE a.name = 'scene')" | tr '|' ' ')"
check_fails "export refuses to overwrite a file" 1 'scene.mbtiles exists: give a new file' \
    attest basemap export scene "$T/scene.mbtiles"
check_fails "export of a basemap that is not there" 1 'no basemap "nope"' \
    attest basemap export nope "$T/nope.mbtiles"

# A KMZ as Google Earth makes one: a GroundOverlay of the same quadrants,
# a PNG without georeferencing placed by its LatLonBox, turned or not.
gdal_translate -q -of PNG "$T/scene.ppm" "$T/scene.png" || not_ok "gdal_translate made the PNG"
# overlay_kmz OUT ROTATION [OVERLAY-XML]: a KMZ of doc.kml and files/scene.png.
overlay_kmz() {
    python3 - "$T/scene.png" "$@" <<'PY'
import sys, zipfile
png, out, rot = sys.argv[1:4]
box = ("<LatLonBox><north>42.48</north><south>42.3776</south><east>129.8024</east>"
       "<west>129.70</west><rotation>%s</rotation></LatLonBox>" % rot)
overlay = sys.argv[4] if len(sys.argv) > 4 else (
    "<GroundOverlay><name>FICTIONAL scan</name><Icon><href>files/scene.png</href></Icon>%s</GroundOverlay>" % box)
with zipfile.ZipFile(out, "w") as z:
    z.writestr("doc.kml", '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2" '
               'xmlns:gx="http://www.google.com/kml/ext/2.2"><Document><Folder>%s</Folder></Document></kml>' % overlay)
    z.write(png, "files/scene.png")
PY
}
overlay_kmz "$T/overlay.kmz" 0
check "add a KMZ's GroundOverlay" attest basemap add "$T/overlay.kmz"
has "it is cut at zooms 11 to 13 over its LatLonBox" \
    '^overlay +png +11-13 +[0-9]+ +129\.68[0-9]+,42\.35[0-9]+,129\.81[0-9]+,42\.48[0-9]+$' attest basemap list
near "the overlay's north-west quadrant is red where it lies" "200 30 30 255" "$(pixel_at 129.7256 42.4544 13 overlay)"
near "its south-east quadrant is yellow" "250 250 0 255" "$(pixel_at 129.7768 42.4032 13 overlay)"
overlay_kmz "$T/turned.kmz" 90
check "a GroundOverlay turned by its rotation" attest basemap add "$T/turned.kmz"
near "turned a quarter counter-clockwise, the north-east's green is north-west" "30 200 30 255" \
    "$(pixel_at 129.7256 42.4544 13 turned)"
near "... and the north-west's red is south-west" "200 30 30 255" "$(pixel_at 129.7256 42.4032 13 turned)"
overlay_kmz "$T/quad.kmz" 0 '<GroundOverlay><Icon><href>files/scene.png</href></Icon><gx:LatLonQuad><coordinates>129.7,42.38 129.8,42.38 129.8,42.48 129.7,42.48</coordinates></gx:LatLonQuad></GroundOverlay>'
check_fails "an overlay placed by gx:LatLonQuad is refused, saying what would do" 2 \
    'quad.kmz:2: GroundOverlay is placed by gx:LatLonQuad .* give it a LatLonBox' attest basemap add "$T/quad.kmz"
overlay_kmz "$T/online.kmz" 0 '<GroundOverlay><Icon><href>https://example.org/scan.png</href></Icon><LatLonBox><north>1</north><south>0</south><east>1</east><west>0</west></LatLonBox></GroundOverlay>'
check_fails "an overlay whose image is online is refused" 2 \
    'the image "https://example.org/scan.png" is not in the file: attest works offline' attest basemap add "$T/online.kmz"
overlay_kmz "$T/none.kmz" 0 '<Placemark><Point><coordinates>129.7,42.4</coordinates></Point></Placemark>'
check_fails "a KMZ with no GroundOverlay is refused" 2 'none.kmz holds no GroundOverlay' \
    attest basemap add "$T/none.kmz"
same "... and none of the refused files left a basemap" "again overlay scene turned" \
    "$(attest basemap list --json | json_get '" ".join(m["name"] for m in j)')"
