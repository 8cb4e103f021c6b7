#!/usr/bin/env bash
# test_site_panel.sh: a site's corroboration counts witnesses only through
# interviews the reader may see (site_panel.py).  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
http_start
"$python" tests/http/site_panel.py || echo "# site_panel.py exited with $?"
