#!/usr/bin/env bash
# test_lists_upload.sh: a new version of the UN list loaded from the
# browser (POST /api/v1/lists, the file kept in memory only), and one entry
# as a version lists it (GET /api/v1/lists/{version}/entries/{key})
# (lists_upload.py).  The UN list slices; FICTIONAL files for the refusals.
. "$(dirname "$0")/lib.sh"
plan 20
http_setup --no-demo
http_start
ls -A "$tmp/a" > "$tmp/before.ls"
"$python" tests/http/lists_upload.py || echo "# lists_upload.py exited with $?"
ls -A "$tmp/a" | grep -v -e '-wal$' -e '-shm$' > "$tmp/after.ls"
grep -v -e '-wal$' -e '-shm$' "$tmp/before.ls" > "$tmp/before2.ls"
check "no file of the upload is left in the archive's directory" diff "$tmp/before2.ls" "$tmp/after.ls"
