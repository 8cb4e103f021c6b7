#!/usr/bin/env bash
# test_analysis.sh: the analysis workflows of the browser over HTTP
# (analysis.py): estimates run, stored, listed, shown and drawn in English
# and Korean; a linkage run and its clusters; basemaps uploaded, refused,
# listed and removed.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
# FICTIONAL victims caught by three lists of sources (seeded).
setup "FICTIONAL victims on three lists" env ATTEST_BIN="$bin" "$python" tests/tools/mse_victims.py 200 3
person() { "$bin" add person "$@" > /dev/null; }
setup "FICTIONAL persons to link" person --name "FICTIONAL Kim Chol Su" --birth_date 1960 --sex male
setup "FICTIONAL persons to link" person --name "FICTIONAL Kim Cheol-su" --birth_date 1960 --sex male
"$python" tests/tools/mbtiles.py make "$tmp/colours.mbtiles" --zooms 0-1
printf 'FICTIONAL not imagery\n' > "$tmp/bad.kmz"
http_start
ATTEST_BIN=$bin TEST_TMP=$tmp "$python" tests/http/analysis.py || echo "# analysis.py exited with $?"
