#!/usr/bin/env bash
# test_map_layers.sh: the map layer's date filter through events, and the
# outlines and lines it carries (map_layers.py).  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
http_start
"$python" tests/http/map_layers.py || echo "# map_layers.py exited with $?"
