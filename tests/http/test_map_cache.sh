#!/usr/bin/env bash
# test_map_cache.sh: the map's answers kept while the archive is unchanged,
# with their ETag, never across clearances, reads still logged
# (map_cache.py).  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
http_start --threads 1
"$python" tests/http/map_cache.py || echo "# map_cache.py exited with $?"
