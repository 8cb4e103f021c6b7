#!/usr/bin/env bash
# test_map_filters.sh: the map's counts with zoom under any combination of
# its filters equal the features without zoom, also after amendments,
# moves and retractions (map_filters.py).  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
http_start
"$python" tests/http/map_filters.py || echo "# map_filters.py exited with $?"
