#!/usr/bin/env bash
# The OpenAPI document (web/openapi.json) against the server: the same
# routes as the route table, and every documented route called with the
# FICTIONAL demo archive's ids, answering with a documented status and a
# body that matches its schema.
. "$(dirname "$0")/lib.sh"
plan 561
check "openapi.json is JSON" "$python" -c 'import json; json.load(open("web/openapi.json"))'
http_setup
# A linkage run of the demo's persons, for the review queue.
"$bin" link persons > /dev/null 2>&1 || echo "# attest link persons failed"
# A basemap, for its tiles.
"$python" tests/tools/mbtiles.py make "$tmp/colours.mbtiles" --zooms 0-1
"$bin" basemap add "$tmp/colours.mbtiles" > /dev/null 2>&1 || echo "# attest basemap add failed"
http_start
TEST_TMP=$tmp "$python" tests/http/openapi_check.py || echo "not ok - openapi_check.py exited with $?"
