#!/usr/bin/env bash
# test_screen_time.sh: screening over the API as of a date, and the
# analysts' decisions on hits (screen_time.py).  FICTIONAL records; the UN
# list slices.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
# the older version imported after the newer: what is in force goes by date
setup "the 2018 UN slice" "$bin" lists import un tests/data/sanctions/un/un-2018-10-29.xml
http_start
"$python" tests/http/screen_time.py || echo "# screen_time.py exited with $?"
