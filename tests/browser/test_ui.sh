#!/usr/bin/env bash
# Browser tests: a new archive of FICTIONAL records served by `attest serve`
# on a free loopback port (with a push to peer b left running in its
# archive, as a stop of the server would leave it; attest-sql writes it),
# driven through the web application in Debian's
# chromium by playwright-core (tests/browser/ui.test.mjs).  Prints one
# "ok - browser/NAME" or "not ok - browser/NAME" line per step; screenshots
# of failing steps are kept in the directory it prints, the pictures steps
# take to be looked at (the reference map) in pictures/ beside attest.
# The plan: one test per step, each an `await step(` line of ui.test.mjs.
echo "1..$(grep -c '^await step(' "$(dirname "$0")/ui.test.mjs")"
. "$(dirname "$0")/lib.sh"
browser_setup setup ui

printf 'FICTIONAL analyst passphrase\n' > "$tmp/ana"
printf 'FICTIONAL officer passphrase\n' > "$tmp/olga"
if ! { run init "$tmp/a" --kdf interactive \
       && run -A "$tmp/a" user add ana --role analyst --new-passphrase-fd 4 --kdf interactive 4<"$tmp/ana" \
       && run -A "$tmp/a" user add olga --role officer --new-passphrase-fd 4 --kdf interactive 4<"$tmp/olga" \
       && run -A "$tmp/a" import jsonl "$root/demo/fictional.jsonl" \
       && run init "$tmp/b" --kdf interactive \
       && run -A "$tmp/a" peers add b "$(run -A "$tmp/b" key show | grep -m1 '^attest-peer')" \
       && run -A "$tmp/b" peers add a "$(run -A "$tmp/a" key show | grep -m1 '^attest-peer')" \
       && "$ATTEST_SQL" "$tmp/a" "INSERT INTO sync_job (id, peer, kind, state, stage, done, total, counts,
              notes, started_by, started_at) VALUES ('0123456789abcdef0123456789abcdef', 'b', 'push', 'running',
              'uploading', 524288, 1048576, '{\"packed\":{\"versions\":3,\"items\":0,\"files\":1}}', '[]',
              'admin', '2026-01-02T03:04:05Z')" 3<"$tmp/pass" \
       && run -A "$tmp/a" sync export --to b > "$tmp/ab.pack" && run -A "$tmp/b" sync import "$tmp/ab.pack" \
       && run -A "$tmp/a" amend dc-fake00000001 --publisher "FICTIONAL Group A" --reason "FICTIONAL: one side" \
       && run -A "$tmp/b" amend dc-fake00000001 --publisher "FICTIONAL Group B" --reason "FICTIONAL: the other" \
       && run -A "$tmp/b" sync export --to a > "$tmp/ba.pack" && run -A "$tmp/a" sync import "$tmp/ba.pack" \
       && run -A "$tmp/a" lists import un "$root/tests/data/sanctions/un/un-2018-10-29.xml" \
       && run -A "$tmp/a" lists import un "$root/tests/data/sanctions/un/un-2026-02-27.xml" \
       && run -A "$tmp/a" add person --name "FICTIONAL Kim Chol Su" --birth_date 1960 --sex male \
       && run -A "$tmp/a" add person --name "FICTIONAL Kim Cheol-su" --birth_date 1961 --sex male \
       && run -A "$tmp/a" link persons \
       && run -A "$tmp/a" add site --name "FICTIONAL fenced yard" --site_type detention_facility \
              --lat 42.47 --lon 129.78 \
              --geometry '{"type":"Polygon","coordinates":[[[129.778,42.468],[129.782,42.468],[129.782,42.472],[129.778,42.472],[129.778,42.468]]]}' \
              --lines '{"type":"MultiLineString","coordinates":[[[129.776,42.466],[129.784,42.474]]]}' \
       && python3 "$root/tests/tools/mbtiles.py" quadrants "$tmp/scene.ppm" 512 \
       && gdal_translate -q -of GTiff -a_srs EPSG:4326 -a_ullr 129.70 42.48 129.8024 42.3776 \
              "$tmp/scene.ppm" "$tmp/scene.tif" \
       && run -A "$tmp/a" basemap add "$tmp/scene.tif" \
       && run init "$tmp/c" --kdf interactive \
       && run -A "$tmp/c" peers add a "$(run -A "$tmp/a" key show | grep -m1 '^attest-peer')" \
       && printf '%s\n' '{"type":"document","id":"dc-peer00000001","data":{"title":"FICTIONAL report from the centre"}}' \
              > "$tmp/c.jsonl" && run -A "$tmp/c" import jsonl "$tmp/c.jsonl" \
       && run -A "$tmp/c" key show | grep -m1 '^attest-peer' > "$tmp/c.line" \
       && run -A "$tmp/c" user token create --label FICTIONAL-peer > "$tmp/c.token" \
       && ATTEST_BIN="$A" ATTEST_ARCHIVE="$tmp/a" python3 "$root/tests/tools/mse_victims.py" 120 5 3<"$tmp/pass" \
       && mkdir -p "$tmp/files" && python3 "$root/tests/tools/mbtiles.py" make "$tmp/files/colours.mbtiles" --zooms 0-1 \
       && run -A "$tmp/a" export bundle --tier court -o "$tmp/files/court.tar" ev-fake00000001 pp-fake00000001 \
       && printf 'FICTIONAL not imagery\n' > "$tmp/files/not-imagery.kmz" \
       && printf '%s\n' '{"type":"document","id":"dc-xsb000000002","data":{"title":"FICTIONAL report carried on a stick"}}' \
              > "$tmp/b2.jsonl" && run -A "$tmp/b" import jsonl "$tmp/b2.jsonl" \
       && run -A "$tmp/b" sync export --to a > "$tmp/files/from-b.pack" \
       && openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=localhost" -days 2 \
              -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
              -keyout "$tmp/tls-key.pem" -out "$tmp/tls-cert.pem"; } >"$tmp/setup.log" 2>&1; then
    setup_failed
fi

port=$(free_port)
serve "$tmp/a" "$port" "$tmp/serve.log"
# A second server on loopback, the peer the browser pins and pushes to.
peer_port=$(free_port)
serve "$tmp/c" "$peer_port" "$tmp/peer.log"

ATTEST_PEER_URL="http://127.0.0.1:$peer_port" ATTEST_PEER_LINE="$(cat "$tmp/c.line")" \
ATTEST_PEER_TOKEN="$(cat "$tmp/c.token")" \
ATTEST_TLS_CERT="$tmp/tls-cert.pem" ATTEST_TLS_KEY="$tmp/tls-key.pem" \
ATTEST_URL="http://127.0.0.1:$port" ATTEST_SHOTS="$shots" ATTEST_PROFILE="$tmp/profile" \
ATTEST_PICTURES="$(dirname "$A")/pictures" \
ATTEST_DOWNLOADS="$tmp/downloads" ATTEST_FILES="$tmp/files" CHROMIUM="$CHROMIUM" \
    node "$root/tests/browser/ui.test.mjs"
status=$?
if [ $status -ne 0 ]; then
    echo "# server log (no personal data by design):"
    tail -20 "$tmp/serve.log" | sed 's/^/#   /'
fi
exit $status
