#!/usr/bin/env bash
# test_ring.sh: range rings from the browser (ring.py): GET /api/v1/ring, the
# geodesic circle and the places inside, as `attest sites ring --places`
# lists them; bad numbers refused naming the argument.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 9
http_setup --no-demo
"$bin" sites ring 42.44,129.75 --km 60 --places --json > "$tmp/places.json" 2>/dev/null
http_start
TEST_TMP=$tmp "$python" tests/http/ring.py || echo "# ring.py exited with $?"
