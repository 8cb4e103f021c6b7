#!/usr/bin/env bash
# make run's demo (scripts/demo): it seeds a new archive of FICTIONAL
# records, a larger generated FICTIONAL archive and the real UN list, with
# a protection officer; run again, it keeps an archive the user changed
# instead of wiping it.
. "$(dirname "$0")/lib.sh"
plan 10
printf 'FICTIONAL demo passphrase\n' > "$T/demo-pass"
demo() { ATTEST_DEMO_ARCHIVE="$T/d" ATTEST_DEMO_SERVE=0 ATTEST_PASSPHRASE_FD= "$ROOT/scripts/demo"; }
as_demo() { ATTEST_USER=demo "$ATTEST_BIN" -A "$T/d" "$@" 3<"$T/demo-pass"; }

check "the demo seeds a new archive and tours it" demo
cp "$T/out" "$T/tour"
# The search's lines, up to the next command shown.
has "the tour finds the county typed in Korean (회령)" '^ev-fake00000001 ' \
    awk '/\$ attest search 회령/ { on = 1; next } /\$ attest/ { on = 0 } on' "$T/tour"
has "the real UN list is loaded, with its date" '^un-2026-02-27 +un +2026-02-27 +1003 ' as_demo lists
has "and its earlier version, to show what changed" '^un-2018-10-29 +un +2018-10-29 ' as_demo lists
has "hundreds of FICTIONAL sites" '^site +3[0-9][0-9] ' as_demo stats
has "more than a thousand placements" '^pinpoint +1[0-9]{3} ' as_demo stats
has "a protection officer, for sealing identities" '^officer +officer ' as_demo user list
as_demo add document --title "FICTIONAL note the user added" > "$T/added" 2>&1
check "run again, it says the archive is kept" grep -q 'is kept as it is' <(demo 2>&1)
has "and the user's record is still there" 'FICTIONAL note the user added' as_demo list document
has "how to start afresh is said" 'make demo-reset' demo
