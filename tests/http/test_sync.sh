#!/usr/bin/env bash
# Sync over the network: the resumable upload of packs by hand (half the
# chunks, an interruption, the offset asked, the rest; wrong offsets
# refused), then `attest sync push` and `attest sync pull` between a laptop
# and the centre's server on loopback, a push cut short resuming where the
# server stopped, and the refusals (a token over plain http to another
# machine).  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 20
http_setup
export HTTP_TEST_ARCHIVE="$tmp/a"
http_start
export HTTP_TEST_TOKEN=$("$python" tests/http/sync.py token investigator)
"$python" tests/http/sync.py protocol || echo "not ok - sync.py protocol exited with $?"
http_stop
