#!/usr/bin/env bash
# test_basemap.sh: offline imagery over HTTP (basemap.py).  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
"$python" tests/tools/mbtiles.py make "$tmp/colours.mbtiles" --zooms 0-2
setup "basemap add" "$bin" basemap add "$tmp/colours.mbtiles"
http_start
ATTEST_BIN=$bin TEST_TMP=$tmp "$python" tests/http/basemap.py || echo "# basemap.py exited with $?"
