#!/usr/bin/env bash
# Sync packs as files from the browser (a pack carried on a USB stick):
# GET /api/v1/sync/export?to=NAME downloads what `attest sync export --to
# NAME` writes and POST /api/v1/sync/import takes what `attest sync import`
# reads, through the same core, with the same checks and messages: a pack
# from the laptop imported by the centre's server, again (nothing new), an
# altered one refused whole with the CLI's message, a wrong name and a role
# without the sync right refused; a pack downloaded for the laptop imported
# there by the CLI.  Nothing is written under the archive.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 15
http_setup
L=$tmp/laptop
"$bin" init "$L" --kdf interactive > /dev/null 2>&1 || { echo "not ok - init the laptop"; exit 1; }
keyline() { "$bin" -A "$1" key show | grep -m1 '^attest-peer'; }
setup "the laptop pins the centre" "$bin" -A "$L" peers add centre "$(keyline "$tmp/a")"
setup "the centre pins the laptop" "$bin" peers add laptop "$(keyline "$L")"
cat > "$tmp/laptop.jsonl" <<'JSON'
{"type":"document","id":"dc-xsb000000001","data":{"title":"FICTIONAL laptop report, carried"}}
JSON
setup "laptop records" "$bin" -A "$L" import jsonl "$tmp/laptop.jsonl"
setup "the laptop's pack for the centre" "$bin" -A "$L" sync export --to centre --output "$tmp/laptop.pack"
http_start
ls -a "$tmp/a" > "$tmp/before"
sf() { "$python" tests/http/sync_files.py "$@"; }

sf import "$tmp/laptop.pack" > "$tmp/r1"
check "the centre's admin imports the laptop's pack (200)" test "$(head -1 "$tmp/r1")" = 200
check "with what it held" "$python" -c '
import json, sys
j = json.loads(open(sys.argv[1]).read().split("\n", 1)[1])
sys.exit(0 if j["imported"]["versions"] >= 1 and j["filename"] == "laptop.pack" else 1)' "$tmp/r1"
check "the centre holds the laptop's record" "$bin" show dc-xsb000000001
sf import "$tmp/laptop.pack" > "$tmp/r2"
check "the same pack again: nothing new, all already held" "$python" -c '
import json, sys
lines = open(sys.argv[1]).read().split("\n", 1)
j = json.loads(lines[1])
sys.exit(0 if lines[0] == "200" and j["imported"]["versions"] == 0 and j["imported"]["already_held"] >= 1 else 1)' "$tmp/r2"
# One byte changed inside the pack, past its header.
cp "$tmp/laptop.pack" "$tmp/altered.pack"
size=$(stat -c %s "$tmp/altered.pack")
printf '\x00' | dd of="$tmp/altered.pack" bs=1 seek=$((size - 40)) conv=notrunc status=none
sf import "$tmp/altered.pack" > "$tmp/r3"
check "an altered pack: 400, nothing imported" "$python" -c '
import json, sys
lines = open(sys.argv[1]).read().split("\n", 1)
j = json.loads(lines[1])["error"]
sys.exit(0 if lines[0] == "400" and j["imported"] is False else 1)' "$tmp/r3"
"$bin" sync import "$tmp/altered.pack" 2> "$tmp/cli-err" > /dev/null
check "with the message the CLI gives" "$python" -c '
import json, sys
msg = json.loads(open(sys.argv[1]).read().split("\n", 1)[1])["error"]["message"]
cli = open(sys.argv[2]).read()
sys.exit(0 if msg and ("attest: " + msg) in cli else 1)' "$tmp/r3" "$tmp/cli-err"
cp "$tmp/laptop.pack" "$tmp/laptop.txt"
sf import "$tmp/laptop.txt" > "$tmp/r4"
check "a file not named .pack: 400 naming filename" grep -q '"field": *"filename"' "$tmp/r4"
sf import "$tmp/laptop.pack" analyst > "$tmp/r5"
check "an analyst may not import a pack (403)" test "$(head -1 "$tmp/r5")" = 403

sf export laptop "$tmp/centre.pack" > "$tmp/e1"
check "the centre's admin downloads a pack for the laptop (200)" test "$(head -1 "$tmp/e1")" = 200
check "as a file to save" grep -q "application/octet-stream attachment" "$tmp/e1"
check "the laptop imports it with the CLI" "$bin" -A "$L" sync import "$tmp/centre.pack"
check "the laptop holds the centre's records" "$bin" -A "$L" show dc-fake00000001
sf export "" "$tmp/none.pack" > "$tmp/e2"
check "an export without ?to=: 400 naming it" grep -q '"field": *"to"' "$tmp/e2"
sf export nobody-pinned "$tmp/none.pack" > "$tmp/e3"
"$bin" sync export --to nobody-pinned --output "$tmp/none-cli.pack" 2> "$tmp/cli-err2"
check "a peer not pinned: refused with the CLI's message" "$python" -c '
import json, sys
lines = open(sys.argv[1]).read().split("\n", 1)
msg = json.loads(lines[1])["error"]["message"]
sys.exit(0 if lines[0] in ("400", "404") and ("attest: " + msg) in open(sys.argv[2]).read() else 1)' "$tmp/e3" "$tmp/cli-err2"
ls -a "$tmp/a" > "$tmp/after"
check "nothing was written under the archive's directory" diff "$tmp/before" "$tmp/after"
