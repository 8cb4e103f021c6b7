#!/usr/bin/env bash
# test_sync_refuse.sh: packs an archive must refuse, with a clear message
# and nothing applied: a pack with a bit flipped (in its header, a frame,
# a frame's length, its signature), signed by an archive that is not
# pinned, made for another archive, cut short.  A pipe is read as a file
# is.  An import killed (SIGKILL) at random moments leaves the archive as
# it was before or as it is after, never between.  No witness identity is
# in a pack or in the database in clear.  All data is FICTIONAL.
. "$(dirname "$0")/lib.sh"
plan 36

at() { local a=$1; shift; attest -A "$T/$a" "$@"; }
sql() { "$ATTEST_SQL" "$T/$1" "$2"; }
line_of() { at "$1" key show | tail -1; }
# digest ARCHIVE: what the archive holds: versions, log, vault, imported items.
digest() {
    sql "$1" "SELECT origin || '/' || oseq || ' ' || id || ' ' || version FROM record_version
              UNION ALL SELECT 'log ' || count(*) FROM log_entry
              UNION ALL SELECT 'vault ' || count(*) FROM vault_item
              UNION ALL SELECT 'items ' || count(*) FROM sync_item
              UNION ALL SELECT 'current ' || count(*) FROM record_current ORDER BY 1" \
        | grep -v "^${NOLOG:-none} " | sha256sum
}

for a in lap centre stranger partner; do
    attest init "$T/$a" --kdf interactive 2>/dev/null || { not_ok "init $a"; exit 0; }
done
# Officers first: a key line carries the officers' keys.
printf 'FICTIONAL officer passphrase\n' >"$T/opass"
for a in lap centre; do
    at "$a" user add officer --role officer --new-passphrase-fd 4 4<"$T/opass" 2>/dev/null
done
at lap peers add centre "$(line_of centre)"
at lap peers add stranger "$(line_of stranger)"
at centre peers add lap "$(line_of lap)"
at stranger peers add centre "$(line_of centre)"
at lap peers add partner "$(line_of partner)" --tier partner
at partner peers add lap "$(line_of lap)"

for i in $(seq 1 40); do
    at lap add event --title "FICTIONAL event $i" --date 2003 >/dev/null
done
WT=$(at lap add witness --code W-FICT-SYNC --sex female)
NAME="FICTIONAL Kim Sunhee Syncwitness"
printf '{"real_name": "%s", "contacts": "FICTIONAL 010-5555-0199"}\n' "$NAME" \
    | at lap witness identity "$WT" --file - >/dev/null
head -c 3000000 /dev/urandom >"$T/video.bin"
at lap evidence add "$T/video.bin" >/dev/null 2>&1
check "a pack for the centre" at lap sync export --to centre --output "$T/good"
at stranger add event --title "FICTIONAL stranger's event" --date 2004 >/dev/null
at stranger sync export --to centre --output "$T/unknown" 2>/dev/null
at lap sync export --to stranger --output "$T/other" 2>/dev/null
before=$(digest centre)

# refuse NAME PATTERN PACK: importing PACK fails (exit 2) saying PATTERN,
# and the centre is as before.  Two tests.
refuse() {
    check_fails "$1" 2 "$2" at centre sync import "$3"
    same "$1: nothing applied" "$before" "$(digest centre)"
}
# flip PACK OFFSET OUT: PACK with the low bit of byte OFFSET flipped.
flip() {
    python3 -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read()); i = int(sys.argv[2]) % len(b); b[i] ^= 1
open(sys.argv[3], "wb").write(b)' "$1" "$2" "$3"
}
size=$(stat -c %s "$T/good")
flip "$T/good" 3 "$T/t1"
refuse "a bit flipped in the magic line" "not an attest pack" "$T/t1"
flip "$T/good" 12 "$T/t7"
refuse "a pack of another format" "this pack is of format 2, and this attest reads packs of format 3 only" "$T/t7"
flip "$T/good" 40 "$T/t2"
refuse "a bit flipped in the header" "header is damaged|signature does not verify|is for archive" "$T/t2"
# (The signature follows the header; each frame is bound to both.)
flip "$T/good" $((size / 2)) "$T/t3"
refuse "a bit flipped in the middle" "does not decrypt|fails authentication" "$T/t3"
flip "$T/good" $((size - 10)) "$T/t4"
refuse "a bit flipped in the last frame" "does not decrypt" "$T/t4"
hlen=$(python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); print(14 + 4 + int.from_bytes(b[14:18], "big"))' "$T/good")
flip "$T/good" $((hlen + 10)) "$T/t6"
refuse "a bit flipped in the signature" "signature does not verify" "$T/t6"
flip "$T/good" $((hlen + 64 + 1)) "$T/t5"
refuse "a bit flipped in a frame's length" "damaged|truncated|does not decrypt" "$T/t5"
refuse "a pack signed by an archive that is not pinned" "not a pinned peer" "$T/unknown"
refuse "a pack for another archive" "this pack is for archive [0-9a-f]{32}, not this one" "$T/other"
head -c $((size / 2)) "$T/good" >"$T/short1"
refuse "a pack cut in half" "truncated" "$T/short1"
head -c $((size - 1)) "$T/good" >"$T/short2"
refuse "a pack missing its last byte" "truncated" "$T/short2"

# An evidence id names one item everywhere: a pack whose item comes with
# an id this archive gives to other bytes is refused (docs/formats-pack.md).
cp -a "$T/centre" "$T/clash"
head -c 1000 /dev/urandom >"$T/other.bin"
at clash evidence add "$T/other.bin" >/dev/null 2>&1
LEI=$(at lap evidence list --json | json_get 'j[0]["id"]')
sql clash "UPDATE vault_item SET id = '$LEI'"
clash_before=$(digest clash)
check_fails "an item whose id is another item's here is refused" 1 \
    "evidence item [0-9a-f]{32}/[0-9]+: its id $LEI is already another item's here, with other bytes" \
    at clash sync import "$T/good"
same "an id clash: nothing applied" "$clash_before" "$(digest clash)"

# --- witness safety -----------------------------------------------------------
grep -qaF "FICTIONAL Kim Sunhee" "$T/good" "$T/centre/attest.db"*
verdict "no identity in clear in the pack or the database" $((1 - $?))

# --- a partner ----------------------------------------------------------------
SHARED=$(at lap add event --title "FICTIONAL event shared with partners" --date 2005 --clearance partner)
check "a pack for a partner" at lap sync export --to partner --output "$T/partner.pack"
check "the partner imports it" at partner sync import "$T/partner.pack"
same "a partner receives only what the partner tier allows" "$SHARED" \
    "$(sql partner "SELECT group_concat(id) FROM record_current")"
same "and never an identity or a confidential file" "0 0" \
    "$(sql partner "SELECT count(*) FROM log_item WHERE kind = 'identity'") $(sql partner "SELECT count(*) FROM vault_item")"

# --- killed at random moments -------------------------------------------------
cp -a "$T/centre" "$T/pristine"
check "a pack read from a pipe" sh -c "cat '$T/good' | '$ATTEST_BIN' -A '$T/centre' sync import -"
after=$(digest centre)
check "verify after the import" at centre verify
same "the centre's officer opens the identity the laptop sealed to them" "$NAME" \
    "$(ATTEST_USER=officer "$ATTEST_BIN" -A "$T/centre" witness reveal "$WT" 3<"$T/opass" \
       | json_get 'j["real_name"]')"
start=$(date +%s%N)
cp -a "$T/pristine" "$T/timing" && at timing sync import "$T/good" 2>/dev/null
took=$(( ($(date +%s%N) - start) / 1000000 ))
RANDOM=16
states=""
for i in 1 2 3 4 5 6; do
    rm -rf "$T/k"
    cp -a "$T/pristine" "$T/k"
    delay=$((RANDOM % (2 * took + 50)))
    "$ATTEST_BIN" -A "$T/k" sync import "$T/good" 2>/dev/null &
    pid=$!
    sleep "$(printf "%d.%03d" $((delay / 1000)) $((delay % 1000)))"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    d=$(digest k)
    if [ "$d" = "$before" ]; then states="$states before"
    elif [ "$d" = "$after" ]; then states="$states after"
    else states="$states BETWEEN"; fi
done
case "$states" in *BETWEEN*) not_ok "killed imports leave the archive before or after" "$states" ;;
    *) ok "killed imports leave the archive before or after ($states )" ;; esac
check "a killed import can be done again" at k sync import "$T/good"
# (An import is logged even when it brings nothing new: the log aside.)
same "and then the archive holds what it holds after" "$(NOLOG=log digest centre)" "$(NOLOG=log digest k)"
