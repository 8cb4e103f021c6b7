#!/usr/bin/env bash
# test_map_clusters.sh: GET /api/v1/map with zoom counts the records in
# view in grid cells, up to the reader's clearance (map_clusters.py).
# FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
http_start
"$python" tests/http/map_clusters.py || echo "# map_clusters.py exited with $?"
