#!/usr/bin/env bash
# test_import.sh: files of records imported from the browser (import.py):
# CSV, KML with a MultiGeometry, a check that stores nothing, bad rows and
# unknown words named as the CLI names them, roles, and no plaintext left
# in the archive's directory.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 28
http_setup --no-demo
http_start
ls -A "$tmp/a" > "$tmp/before.ls"
TEST_TMP=$tmp "$python" tests/http/import.py || echo "# import.py exited with $?"
ls -A "$tmp/a" | grep -v -e '-wal$' -e '-shm$' > "$tmp/after.ls"
grep -v -e '-wal$' -e '-shm$' "$tmp/before.ls" > "$tmp/before2.ls"
check "no file of an import is left in the archive's directory" diff "$tmp/before2.ls" "$tmp/after.ls"
absent "no imported text in the clear anywhere in the archive" 'FICTIONAL-IMPORT' "$tmp/a"
