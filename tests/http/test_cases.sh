#!/usr/bin/env bash
# test_cases.sh: casework over HTTP (cases.py): a case with its chain of
# sales and ILO checklist, sales put into the chain in order, indicators
# set, bad input refused with the valid values, referrals shown only to
# those cleared, sale prices in /stats at a stated rate.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
http_start
"$python" tests/http/cases.py || echo "# cases.py exited with $?"
