#!/usr/bin/env bash
# test_sites_review.sh: cluster, candidates, confirm, split and merge over
# the API (sites_review.py).  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
http_start
"$python" tests/http/sites_review.py || echo "# sites_review.py exited with $?"
