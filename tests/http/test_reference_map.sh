#!/usr/bin/env bash
# test_reference_map.sh: the offline reference map's 1:10m part as the
# server gives it, with the rivers of North Korea (reference_map.py).
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
http_start
"$python" tests/http/reference_map.py || echo "# reference_map.py exited with $?"
