#!/usr/bin/env bash
# Travel from the browser: a laptop's own server (the browser's Peers and
# sync page) prepares the laptop for travel and restores it from the
# centre's server.  Who may (the sync right, as `attest travel`), the
# typed confirmation, a centre that is not pinned or is a partner; the
# pack kept and downloaded, then delivered by the restore; the pack
# delivered straight to the centre by a job, followed to its end by the
# officer who started it (not by another user); after
# each restore the laptop has its records back and its officer reveals the
# identity it recorded.
# FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 31
http_setup
L=$tmp/laptop
"$bin" init "$L" --kdf interactive > /dev/null 2>&1 || { echo "not ok - init the laptop"; exit 1; }
for r in officer investigator analyst partner; do
    "$bin" -A "$L" user add "$r" --role "$r" --new-passphrase-fd 4 --kdf interactive 4< "$tmp/pass" \
        > /dev/null 2>&1 || { echo "not ok - the laptop's $r"; exit 1; }
done
"$bin" init "$tmp/friends" --kdf interactive > /dev/null 2>&1 || { echo "not ok - init a partner"; exit 1; }
keyline() { "$bin" -A "$1" key show | grep -m1 '^attest-peer'; }
http_start
setup "the laptop pins the centre, with its address" "$bin" -A "$L" peers add centre "$(keyline "$tmp/a")" --url "$base"
setup "the laptop pins a partner" "$bin" -A "$L" peers add friends "$(keyline "$tmp/friends")" --tier partner
setup "the centre pins the laptop" "$bin" peers add laptop "$(keyline "$L")"
"$python" tests/http/sync.py token investigator > "$tmp/token"

printf '%s\n' '{"type":"document","id":"dc-trv000000001","data":{"title":"FICTIONAL report written on the laptop"}}' \
    '{"type":"witness","id":"wt-trv000000001","data":{"code":"TRV-W-1","notes":"FICTIONAL"}}' > "$tmp/laptop.jsonl"
setup "laptop records" "$bin" -A "$L" import jsonl "$tmp/laptop.jsonl"
printf '{"real_name":"Browser Traveller Aunel FICTIONAL"}\n' > "$tmp/identity.json"
setup "a sealed identity on the laptop" "$bin" -A "$L" witness identity wt-trv000000001 --file "$tmp/identity.json"

laptop_start
restored() {
    check "$1: the laptop has its record back" "$bin" -A "$L" show dc-trv000000001
    "$bin" -A "$L" -u officer witness reveal wt-trv000000001 > "$tmp/o" 2>&1
    check "$1: the laptop's officer reveals the identity it recorded" grep -q "Browser Traveller Aunel" "$tmp/o"
    check "$1: verify passes on the laptop" "$bin" -A "$L" verify
}

"$python" tests/http/travel.py refusals "$lbase"
check "the refusals removed nothing" "$bin" -A "$L" show dc-trv000000001
"$python" tests/http/travel.py kept "$lbase" "$tmp/token" "$tmp/downloaded.pack"
! grep -qaF "Browser Traveller" "$tmp/downloaded.pack"
check "the downloaded pack holds nothing readable" test $? -eq 0
restored "restore of a kept pack"
check "the centre holds the laptop's record" "$bin" show dc-trv000000001
"$python" tests/http/travel.py delivered "$lbase" "$tmp/token"
restored "restore after a delivered travel"
laptop_stop
http_stop
