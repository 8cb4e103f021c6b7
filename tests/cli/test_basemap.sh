#!/usr/bin/env bash
# test_basemap.sh: `attest basemap add|list|remove` with MBTiles files
# made by tests/tools/mbtiles.py: a good file is kept inside the encrypted
# archive (no tile is readable in the database file as it lies on disk);
# each kind of bad file is refused naming the file and what would be
# valid, leaving no basemap; names are checked; a reader may not add.
. "$(dirname "$0")/lib.sh"
mb=$ROOT/tests/tools/mbtiles.py
plan 14
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
    'junk.mbtiles is not a raster MBTiles file .*tiles\(zoom_level, tile_column, tile_row, tile_data\)' \
    attest basemap add "$T/junk.mbtiles"
same "nothing half-written: one basemap, 21 tiles" "1 21" \
    "$("$ATTEST_SQL" "$ARCHIVE" 'SELECT (SELECT count(*) FROM basemap), count(*) FROM basemap_tile' | tr '|' ' ' | tail -1)"

check "remove it" attest basemap remove hoeryong-2019
check_fails "removing it again says none is there" 1 'no basemap "hoeryong-2019"' \
    attest basemap remove hoeryong-2019
