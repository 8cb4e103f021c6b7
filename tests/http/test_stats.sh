#!/usr/bin/env bash
# test_stats.sh: the dashboard's counts and charts over HTTP (stats.py).
# FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
http_start
"$python" tests/http/stats.py || echo "# stats.py exited with $?"
