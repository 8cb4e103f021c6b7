#!/usr/bin/env bash
# test_screen_archive.sh: the archive's own records screened over the API,
# one (/api/v1/screen/records/{id}) or all, and what a list version newly
# hits (/api/v1/screen/archive?new=1) (screen_archive.py).  FICTIONAL
# records; the UN list slices.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
# the older version imported after the newer: the last import adds nothing
setup "the 2018 UN slice" "$bin" lists import un tests/data/sanctions/un/un-2018-10-29.xml
http_start
"$python" tests/http/screen_archive.py || echo "# screen_archive.py exited with $?"
