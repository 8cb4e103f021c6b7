#!/usr/bin/env bash
# test_sync.sh: sync between archives.  Key lines and peers (admins only);
# a pack carries versions, evidence files and custody, keeps each
# version's origin and proof, and imports twice to no effect; concurrent
# edits of one record are both kept, listed as a conflict and resolved.
# Then three archives (two laptops, one centre) exchange packs in a seeded
# random order for 100 rounds with concurrent edits of the same records:
# at the end every archive holds every version, their current views
# agree, and `attest verify` passes everywhere.  All data is FICTIONAL.
. "$(dirname "$0")/lib.sh"
plan 41

ROUNDS=${SYNC_ROUNDS:-100}
SEED=${SYNC_SEED:-16}
at() { local a=$1; shift; attest -A "$T/$a" "$@"; }
sql() { "$ATTEST_SQL" "$T/$1" "$2"; }
line_of() { at "$1" key show | tail -1; }
# send FROM TO: a pack from FROM to TO, imported there.
send() {
    at "$1" sync export --to "$2" >"$T/pack.$1.$2" 2>>"$T/sync.log" \
        && at "$2" sync import "$T/pack.$1.$2" 2>>"$T/sync.log"
}
# gids ARCHIVE: every version's global identity.
gids() { sql "$1" "SELECT origin || '/' || oseq FROM record_version ORDER BY 1"; }
# current ARCHIVE: each record's current version, by its global identity.
current() {
    sql "$1" "SELECT c.id || ' ' || v.origin || '/' || v.oseq FROM record_current c
              JOIN record_version v ON v.id = c.id AND v.version = c.version ORDER BY 1"
}

for a in lap1 lap2 centre; do
    attest init "$T/$a" --kdf interactive 2>/dev/null || { not_ok "init $a"; exit 0; }
done

# --- keys and peers ---------------------------------------------------------
check "key show prints the peer key line" at centre key show
grep -qE '^attest-peer 1 [0-9a-f]{32} [A-Za-z0-9_-]{43} [A-Za-z0-9_-]{43}$' "$T/out"
verdict "the key line names the archive, its signing key and its box key" $? "$(cat "$T/out")"
for a in lap1 lap2 centre; do eval "L_$a=\$(line_of $a)"; done
check "peers add" at lap1 peers add centre "$L_centre"
check_fails "a peer's line is checked" 2 "line: not a peer's key line" at lap1 peers add bad "not a line"
check_fails "the tier is checked" 2 'tier "court": valid: team' \
    at lap1 peers add x "$L_lap2" --tier court
check_fails "an archive is pinned once" 1 "pinned already under another name" \
    at lap1 peers add centre2 "$L_centre"
check_fails "an archive cannot pin itself" 2 "this archive's own key line" \
    at lap1 peers add self "$L_lap1"
printf 'FICTIONAL analyst passphrase\n' >"$T/apass"
at lap1 user add ana --role analyst --new-passphrase-fd 4 4<"$T/apass" 2>/dev/null
check_fails "only an admin pins a peer" 1 "may not manage the archives this one syncs with" \
    env ATTEST_USER=ana "$ATTEST_BIN" -A "$T/lap1" peers add lap2 "$L_lap2" 3<"$T/apass"
check_fails "only an admin unpins a peer" 1 "may not manage" \
    env ATTEST_USER=ana "$ATTEST_BIN" -A "$T/lap1" peers remove centre 3<"$T/apass"
check "peers remove" at lap1 peers remove centre
check_fails "a peer's server address is checked" 2 "plain http would send the token" \
    at lap1 peers add centre "$L_centre" --url http://192.0.2.1:8443
check "peers add again, with its server's address" at lap1 peers add centre "$L_centre" --url https://centre.example.org:8443
same "the address is kept with the peer" "https://centre.example.org:8443" \
    "$(at lap1 peers list --json | json_get '[p["url"] for p in j if p["name"] == "centre"][0]')"
at lap1 peers add lap2 "$L_lap2" && at lap2 peers add lap1 "$L_lap1" \
    && at lap2 peers add centre "$L_centre" && at centre peers add lap1 "$L_lap1" \
    && at centre peers add lap2 "$L_lap2"
same "peers list" "centre lap2" "$(at lap1 peers list --json | json_get '" ".join(p["name"] + ("" if p["tier"] == "team" else "?") for p in j)')"

# --- one pack ---------------------------------------------------------------
EV=$(at lap1 add event --title "FICTIONAL execution at the market" --date 1998)
at lap1 amend "$EV" --title "FICTIONAL public execution at the market" --reason "FICTIONAL detail" >/dev/null
head -c 300000 /dev/urandom >"$T/video.bin"
EI=$(at lap1 evidence add "$T/video.bin" 2>/dev/null | tail -1)
at lap1 custody add "$EI" --action handed_over --to "FICTIONAL courier" >/dev/null
check "export a pack" at lap1 sync export --to centre --output "$T/p1"
check "import it" at centre sync import --progress "$T/p1"
grep -q "imported 2 versions, 2 log items, 1 files (300000 bytes)" "$T/err"
verdict "the import counts what it applied" $? "$(cat "$T/err")"
same "--progress counts the record versions read of the pack's" "importing: 2 of 2 record versions" \
    "$(grep importing "$T/err")"
same "the current version came across" "FICTIONAL public execution at the market" \
    "$(at centre show "$EV" --json | json_get 'j["data"]["title"]')"
same "an imported version keeps its origin author" "tester" \
    "$(at centre show "$EV" --json | json_get 'j["origin"]["author"]')"
same "it keeps its origin archive and its proof" "2" \
    "$(sql centre "SELECT count(*) FROM record_version WHERE id = '$EV' AND origin =
        '$(echo "$L_lap1" | cut -d' ' -f3)' AND json_extract(proof_json(proof, doc), '$.index') = oseq - 1")"
EC=$(at centre evidence list --json | json_get 'j[0]["id"]')
same "the item keeps its evidence id at the centre" "$EI" "$EC"
at centre evidence get "$EC" >"$T/back.bin" 2>/dev/null
cmp -s "$T/video.bin" "$T/back.bin"
verdict "the evidence file came across whole" $?
same "its custody came across" "handed_over" \
    "$(at centre custody show "$EC" --json | json_get 'j[-1]["action"]')"
gids centre >"$T/g1"
check "importing the same pack again" at centre sync import "$T/p1"
grep -q "imported 0 versions, 0 log items, 0 files (0 bytes); 4 already held" "$T/err"
verdict "changes nothing the second time" $? "$(cat "$T/err")"
! grep -q importing "$T/err"
verdict "without --progress, off a terminal, no count" $? "$(cat "$T/err")"
gids centre | cmp -s - "$T/g1"
verdict "holds the same versions" $?
check "the import is in the receiver's log" at centre verify

# --- a conflict -------------------------------------------------------------
send centre lap2 >/dev/null
same "and at a third archive, through the centre" "$EI" \
    "$(at lap2 evidence list --json | json_get 'j[0]["id"]')"
at lap1 amend "$EV" --date 1997 --reason "FICTIONAL the witness corrected the year" >/dev/null
at lap2 amend "$EV" --place "FICTIONAL Hoeryong" --reason "FICTIONAL place named" >/dev/null
send lap1 centre && send lap2 centre && send centre lap1 && send centre lap2
same "both versions are kept and listed as a conflict" "2" \
    "$(at centre sync conflicts --json | json_get 'len(j[0]["heads"])')"
same "every archive shows the same current version" "$(current centre)" "$(current lap1)"
check "resolve" at lap2 sync resolve "$EV" --reason "FICTIONAL both right" --date 1997 \
    --place "FICTIONAL Hoeryong"
send lap2 centre && send centre lap1
same "the resolution ends the conflict everywhere" "[] []" \
    "$(at centre sync conflicts --json | json_get 'json.dumps(j)') $(at lap1 sync conflicts --json | json_get 'json.dumps(j)')"
same "the resolution keeps both changes" "1997 FICTIONAL Hoeryong" \
    "$(at lap1 show "$EV" --json | json_get 'j["data"]["date"] + " " + j["data"]["place"]')"

# --- three archives, random order, concurrent edits ------------------------
python3 - "$SEED" "$ROUNDS" >"$T/plan" <<'PY'
import random, sys
rng = random.Random(int(sys.argv[1]))
names = ["lap1", "lap2", "centre"]
for r in range(int(sys.argv[2])):
    for _ in range(rng.randint(1, 2)):
        print("edit", rng.choice(names), rng.randint(0, 3), r)
    a, b = rng.sample(names, 2)
    print("send", a, b)
PY
for a in lap1 lap2 centre; do
    for k in 0 1 2 3; do
        eval "R_${a}_$k=\$(at $a add event --title 'FICTIONAL shared event $k from $a' --date 2001)"
    done
done
send lap1 centre && send lap2 centre && send centre lap1 && send centre lap2 && send lap1 lap2
failed=0
while read -r op a b r; do
    if [ "$op" = edit ]; then
        # Everyone edits the same few records (the centre's), often at once.
        eval "id=\$R_centre_$b"
        at "$a" amend "$id" --title "FICTIONAL round $r edit by $a" --reason "FICTIONAL round $r" \
            >/dev/null 2>>"$T/sync.log" || failed=$((failed + 1))
    else
        send "$a" "$b" || failed=$((failed + 1))
    fi
done <"$T/plan"
same "every round ran" "0" "$failed"
send lap1 centre && send lap2 centre && send centre lap1 && send centre lap2
same "laptop 1 holds every version the centre holds" "$(gids centre)" "$(gids lap1)"
same "laptop 2 holds every version the centre holds" "$(gids centre)" "$(gids lap2)"
same "the current views agree" "$(current centre) $(current centre)" "$(current lap1) $(current lap2)"
ok_all=0
for a in lap1 lap2 centre; do at "$a" verify >/dev/null 2>&1 || ok_all=1; done
verdict "attest verify passes on every archive" $ok_all
at centre rebuild >/dev/null 2>&1
same "rebuild recreates the same current view" "$(current lap1)" "$(current centre)"
