#!/usr/bin/env bash
# test_corroboration.sh: an event's corroboration in the API, counted for
# each reader (corroboration.py).  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
http_start
"$python" tests/http/corroboration.py || echo "# corroboration.py exited with $?"
