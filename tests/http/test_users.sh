#!/usr/bin/env bash
# User administration over the API (the browser's users page), evidence
# custody events and safe previews.  Admins only may list, add, re-role,
# disable and enable users and reset a lost passphrase, through the same
# core calls as `attest user`;
# a passphrase is never sent back; CSRF as every change.  Previews are
# inline only for types a browser shows without running anything, under a
# sandboxing Content-Security-Policy.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 60
http_setup
http_start
"$python" tests/http/users.py || echo "not ok - users.py exited with $?"
if grep -q "FICTIONAL own new passphrase" "$tmp/server.log"; then
    echo "not ok - the server's log never holds a passphrase changed by passwd"
else
    echo "ok - the server's log never holds a passphrase changed by passwd"
fi
