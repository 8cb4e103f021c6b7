#!/usr/bin/env bash
# test_place_filters.sh: the place filters of /records and /map take any
# spelling of a place (place_filters.py).  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
http_start
"$python" tests/http/place_filters.py || echo "# place_filters.py exited with $?"
