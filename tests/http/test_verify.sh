#!/usr/bin/env bash
# test_verify.sh: proofs and checks from the browser (verify.py): a record's
# proof of inclusion and the log's consistency proof, the same as `attest prove ID --json`
# and `attest prove --consistency 3 --json` and checked by an
# independent RFC 9162 computation; the archive verified by an admin, with
# and without the vault; an evidence bundle uploaded and checked, good and
# tampered.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 33
http_setup
printf 'FICTIONAL statement for the bundle\n' > "$tmp/statement.txt"
ev=$("$bin" evidence add "$tmp/statement.txt" 2>/dev/null)
echo "$ev" > "$tmp/ev"
"$bin" witness consent wt-fake00000001 --use court --granted 2019-05-14 > /dev/null 2>&1
setup "bundle export" "$bin" export bundle --tier court -o "$tmp/b.tar" ev-fake00000001 pp-fake00000001 "$ev"
"$bin" prove ev-fake00000001 --json > "$tmp/prove.json" 2>/dev/null
"$bin" prove --consistency 3 --json > "$tmp/consistency.json" 2>/dev/null
"$bin" key show 2>/dev/null | awk 'NR==1 {print $NF}' > "$tmp/key"
http_start
TEST_TMP=$tmp "$python" tests/http/verify.py || echo "# verify.py exited with $?"
