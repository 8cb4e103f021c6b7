#!/usr/bin/env bash
# test_verify.sh: proofs and checks from the browser (verify.py): a record's
# proof of inclusion and the log's consistency proof, the same as `attest prove ID --json`
# and `attest prove --consistency 3 --json` and checked by an
# independent RFC 9162 computation; the archive verified by an admin, with
# and without the vault; an evidence bundle uploaded and checked, good and
# tampered.  The server runs where the system's temporary directory is
# read-only (but for this test's own): an export is made in memory, never
# in a temporary file (a bundle holds evidence as plaintext).  FICTIONAL
# data only.
. "$(dirname "$0")/lib.sh"
plan 34
http_setup
printf 'FICTIONAL statement for the bundle\n' > "$tmp/statement.txt"
ev=$("$bin" evidence add "$tmp/statement.txt" 2>/dev/null)
echo "$ev" > "$tmp/ev"
"$bin" witness consent wt-fake00000001 --use court --granted 2019-05-14 > /dev/null 2>&1
setup "bundle export" "$bin" export bundle --tier court -o "$tmp/b.tar" ev-fake00000001 pp-fake00000001 "$ev"
"$bin" prove ev-fake00000001 --json > "$tmp/prove.json" 2>/dev/null
"$bin" prove --consistency 3 --json > "$tmp/consistency.json" 2>/dev/null
"$bin" key show 2>/dev/null | awk 'NR==1 {print $NF}' > "$tmp/key"
if unshare -Urm true 2> /dev/null; then
    # ro-tmp COMMAND...: runs it with /tmp read-only but for $tmp.
    printf '#!/bin/sh\nexec unshare -Urm sh -c %s sh "$@"\n' \
        "'mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp && mount --bind $tmp $tmp && mount -o remount,bind,rw $tmp && exec \"\$@\"'" \
        > "$tmp/ro-tmp"
    printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$tmp/ro-tmp" "$bin" > "$tmp/attest"
    chmod +x "$tmp/ro-tmp" "$tmp/attest"
    check "the server's temporary directory is read-only in this run" \
        sh -c '! "$1" touch /tmp/attest-test-ro 2> /dev/null && "$1" touch "$2/rw"' sh "$tmp/ro-tmp" "$tmp"
    bin=$tmp/attest
else
    echo "ok - the server's temporary directory is read-only in this run # SKIP no user namespaces"
fi
http_start
TEST_TMP=$tmp "$python" tests/http/verify.py || echo "# verify.py exited with $?"
