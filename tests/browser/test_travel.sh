#!/usr/bin/env bash
# Browser tests of travel (tests/browser/travel.test.mjs): a laptop archive
# with a sealed identity, served by `attest serve`, and a centre's server
# on loopback; the laptop's admin prepares for travel and restores in
# chromium.  A separate archive from test_ui.sh's, since travel empties
# it.  After the browser steps, the laptop's officer reveals the identity
# it recorded (the restore brought back its sealed boxes).  FICTIONAL data.
echo "1..$(( $(grep -c '^await step(' "$(dirname "$0")/travel.test.mjs") + 1 ))"
. "$(dirname "$0")/lib.sh"
browser_setup "travel setup" travel

IDENTITY="FICTIONAL Browser Traveller Seonwoo"
cport=$(free_port)
lport=$(free_port)
if ! { run init "$tmp/c" --kdf interactive \
       && run init "$tmp/l" --kdf interactive \
       && run -A "$tmp/l" user add olga --role officer --new-passphrase-fd 4 --kdf interactive 4<"$tmp/pass" \
       && run -A "$tmp/l" peers add centre "$(run -A "$tmp/c" key show | grep -m1 '^attest-peer')" \
              --url "http://127.0.0.1:$cport" \
       && run -A "$tmp/c" peers add laptop "$(run -A "$tmp/l" key show | grep -m1 '^attest-peer')" \
       && printf '%s\n' '{"type":"document","id":"dc-trv000000001","data":{"title":"FICTIONAL report written on the laptop"}}' \
              '{"type":"witness","id":"wt-trv000000001","data":{"code":"TRV-B-1","notes":"FICTIONAL"}}' > "$tmp/l.jsonl" \
       && run -A "$tmp/l" import jsonl "$tmp/l.jsonl" \
       && printf '{"real_name":"%s"}\n' "$IDENTITY" > "$tmp/id.json" \
       && run -A "$tmp/l" witness identity wt-trv000000001 --file "$tmp/id.json" \
       && run -A "$tmp/c" user token create --label FICTIONAL-laptop > "$tmp/c.token"; } >"$tmp/setup.log" 2>&1; then
    setup_failed
fi
serve "$tmp/c" "$cport" "$tmp/centre.log"
serve "$tmp/l" "$lport" "$tmp/laptop.log"

ATTEST_URL="http://127.0.0.1:$lport" ATTEST_SHOTS="$shots" ATTEST_PROFILE="$tmp/profile" \
ATTEST_DOWNLOADS="$tmp/downloads" ATTEST_CENTRE_TOKEN="$(cat "$tmp/c.token")" ATTEST_IDENTITY="$IDENTITY" \
CHROMIUM="$CHROMIUM" node "$root/tests/browser/travel.test.mjs"
status=$?
if run -A "$tmp/l" -u olga witness reveal wt-trv000000001 > "$tmp/reveal" 2>&1 && grep -qF "$IDENTITY" "$tmp/reveal"; then
    echo "ok - browser/travel: after the restores the laptop's officer reveals the identity it recorded"
else
    echo "not ok - browser/travel: after the restores the laptop's officer reveals the identity it recorded"
    sed 's/^/#   /' "$tmp/reveal"
    status=1
fi
if [ $status -ne 0 ]; then
    echo "# laptop server log (no personal data by design):"
    tail -20 "$tmp/laptop.log" | sed 's/^/#   /'
fi
exit $status
