#!/usr/bin/env bash
# test_travel.sh: `attest travel` on a laptop that has synced part of its
# work with the centre: afterwards no witness code, identity or evidence
# byte is in attest.db*, the vault or what the passphrase opens (attest
# list shows nothing); the travel pack cannot be opened by the laptop; the
# log still verifies; keys and peers stay; a failed pack removes nothing.
# Then the centre takes the travel pack and the laptop is restored from a
# pack the centre made: the same records (compared by digest), the same
# evidence bytes, the identities the laptop sealed (its officer reveals
# them as before), nothing unsynced lost.  After the restore the laptop
# still sends identities to the centre, and a second trip and restore
# bring everything back again.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 47

WCODE="TRAVEL-WCODE-7731-FICTIONAL"
IDNAME="Travelling Witness Ornavel FICTIONAL"
EVMARK="FICTIONAL-EVIDENCE-MARKER-4410"
UNSYNCED="FICTIONAL-UNSYNCED-MARKER-9902"

new_archive centre; C=$ARCHIVE
new_archive laptop; L=$ARCHIVE
keyline() { attest -A "$1" key show | grep -m1 '^attest-peer'; }
fail_setup() { not_ok "setup: $1" "$(cat "$T/err" 2>/dev/null)"; exit 0; }
# Each archive has a protection officer, to whom identities are sealed.
for a in "$C" "$L"; do
    attest -A "$a" user add olga --role officer --new-passphrase-fd 4 --kdf interactive 4<"$T/.passphrase" \
        >/dev/null 2>"$T/err" || fail_setup "an officer in $a"
done
attest -A "$L" peers add centre "$(keyline "$C")" >/dev/null 2>"$T/err" || fail_setup "the laptop pins the centre"
attest -A "$C" peers add laptop "$(keyline "$L")" >/dev/null 2>"$T/err" || fail_setup "the centre pins the laptop"

# The laptop's work: the demo, a witness with a distinctive code and a
# sealed identity, evidence with distinctive bytes.
attest import jsonl "$ROOT/demo/fictional.jsonl" >/dev/null 2>"$T/err" || fail_setup "demo import"
printf '{"type":"witness","id":"wt-trv000000001","data":{"code":"%s","sex":"female","birth_year":1980,"notes":"FICTIONAL"}}\n' \
    "$WCODE" >"$T/w.jsonl"
attest import jsonl "$T/w.jsonl" >/dev/null 2>"$T/err" || fail_setup "witness import"
printf '{"real_name":"%s","notes":"FICTIONAL"}\n' "$IDNAME" | attest witness identity wt-trv000000001 --file - \
    >/dev/null 2>"$T/err" || fail_setup "identity"
printf '%s %.0s' "$EVMARK" $(seq 2000) >"$T/ev.bin"
attest evidence add "$T/ev.bin" --interview iv-fake00000001 >"$T/ev.out" 2>"$T/err" || fail_setup "evidence add"
ev=$(grep -oE 'ev-[a-z0-9]+|ei-[a-z0-9]+' "$T/ev.out" | head -1)
attest custody add "$ev" --action handed_over --to "FICTIONAL courier" >/dev/null 2>"$T/err" || fail_setup "custody"
# The laptop's officer reads an identity back (the same passphrase file).
reveal() { attest -A "$1" -u olga witness reveal "$2"; }
has "before travel: the laptop's officer reveals the identity" "$IDNAME" reveal "$L" wt-trv000000001

# Half of it reaches the centre, and the centre's reply tells the laptop.
attest -A "$L" sync export --to centre >"$T/p1" 2>"$T/err" || fail_setup "export to the centre"
attest -A "$C" sync import "$T/p1" >/dev/null 2>"$T/err" || fail_setup "the centre imports"
attest -A "$C" sync export --to laptop >"$T/p2" 2>"$T/err" || fail_setup "the centre's pack"
attest -A "$L" sync import "$T/p2" >/dev/null 2>"$T/err" || fail_setup "the laptop hears from the centre"

# Then work the centre does not have.
printf '{"type":"document","id":"dc-trv000000001","data":{"title":"%s"}}\n' "$UNSYNCED" >"$T/u.jsonl"
attest import jsonl "$T/u.jsonl" >/dev/null 2>"$T/err" || fail_setup "unsynced import"
printf 'FICTIONAL second evidence, never synced %.0s' $(seq 500) >"$T/ev2.bin"
attest evidence add "$T/ev2.bin" --interview iv-fake00000001 >"$T/ev2.out" 2>"$T/err" || fail_setup "evidence 2"
ev2=$(grep -oE 'ev-[a-z0-9]+|ei-[a-z0-9]+' "$T/ev2.out" | head -1)

# The records as {id: data}, for comparison after the restore.
records_digest() {
    attest -A "$1" export jsonl | python3 -c 'import json, sys, hashlib
docs = {}
for line in sys.stdin:
    d = json.loads(line)
    docs[d["id"]] = [d.get("type"), d.get("data"), d.get("clearance"), d.get("retracted", False)]
print(len(docs), hashlib.sha256(json.dumps(docs, sort_keys=True).encode()).hexdigest())'
}
before=$(records_digest "$L")
sha_ev=$(sha256sum <"$T/ev.bin" | cut -d' ' -f1)
sha_ev2=$(sha256sum <"$T/ev2.bin" | cut -d' ' -f1)

# A pack that cannot be written: nothing is removed.
check_fails "travel to an unknown peer fails" 1 "nowhere|peer|not" attest travel --to nowhere --out "$T/none.pack"
same "a failed travel removes nothing" "$before" "$(records_digest "$L")"
# A partner never receives identities nor what its tier leaves out: it
# cannot be the centre a laptop empties itself to.
new_archive partner; P=$ARCHIVE
export ATTEST_ARCHIVE="$L"
attest -A "$L" peers add partner "$(keyline "$P")" --tier partner >/dev/null 2>"$T/err" || fail_setup "the laptop pins a partner"
check_fails "travel to a partner is refused, naming the tier" 2 "partner" attest travel --to partner --out "$T/partner.pack"
same "a travel to a partner removes nothing" "$before" "$(records_digest "$L")"
[ ! -e "$T/none.pack" ]; verdict "a failed travel leaves no pack behind" $?

check "travel --to centre" attest travel --to centre --out "$T/travel.pack"
lacks "after travel: attest list shows nothing" '[a-z][a-z]-[a-z0-9]{12}' attest list

# Nothing of the witnesses findable: in what the passphrase opens, on disk, in the vault.
"$ATTEST_SQL" "$L" .dump >"$T/dump.sql" 2>"$T/err" </dev/null
[ -s "$T/dump.sql" ]; verdict "after travel: the database can be dumped with the key" $?
for what in "$WCODE" "$IDNAME" "$EVMARK" "$UNSYNCED" "W-0001"; do
    ! grep -qaF "$what" "$T/dump.sql" "$L"/attest.db* ; r1=$?
    ! grep -raqF "$what" "$L/vault" ; r2=$?
    verdict "after travel: '$what' is nowhere in attest.db*, its decrypted dump or the vault" $((r1 | r2))
done
[ -z "$(find "$L/vault" -type f)" ]; verdict "after travel: the vault holds no file" $?
wal=$(stat -c %s "$L/attest.db-wal" 2>/dev/null || echo 0)
[ "$wal" -eq 0 ]; verdict "after travel: the WAL is empty" $?
check "after travel: verify passes" attest verify
has "after travel: the keys and the peer stay" 'centre' attest peers list

# The pack is the centre's alone.
check_fails "the laptop cannot open its travel pack" 2 "not this one" attest sync import "$T/travel.pack"
! grep -qaF "$UNSYNCED" "$T/travel.pack"; verdict "the travel pack holds nothing readable" $?

# Restore: the centre takes the travel pack, then makes one for the laptop.
attest -A "$C" sync import "$T/travel.pack" >/dev/null 2>"$T/err" || not_ok "the centre imports the travel pack" "$(cat "$T/err")"
attest -A "$C" sync export --to laptop --since '{}' >"$T/back.pack" 2>"$T/err" || not_ok "the centre's restore pack" "$(cat "$T/err")"
check "travel restore FILE" attest travel restore "$T/back.pack"
same "after restore: the same records (by digest)" "$before" "$(records_digest "$L")"
# evidence_of SHA256 [ARCHIVE]: the id of the item with those bytes.
evidence_of() {
    attest -A "${2:-$L}" evidence list --json | python3 -c 'import json, sys
print(next((i["id"] for i in json.load(sys.stdin) if i.get("sha256") == sys.argv[1]), "none"))' "$1"
}
same "after restore: each item has the id it had before travel, here and at the centre" \
    "$ev $ev2 $ev $ev2" \
    "$(evidence_of "$sha_ev") $(evidence_of "$sha_ev2") $(evidence_of "$sha_ev" "$C") $(evidence_of "$sha_ev2" "$C")"
same "after restore: its custody is found under that id" "handed_over" \
    "$(attest custody show "$ev" --json | json_get 'j[-1]["action"]')"
attest evidence get "$(evidence_of "$sha_ev")" >"$T/got" 2>"$T/err"
attest evidence get "$(evidence_of "$sha_ev2")" >"$T/got2" 2>>"$T/err"
same "after restore: the evidence, synced and unsynced, byte for byte" "$sha_ev $sha_ev2" \
    "$(sha256sum <"$T/got" | cut -d' ' -f1) $(sha256sum <"$T/got2" | cut -d' ' -f1)"
has "after restore: the laptop's officer reveals the identity it recorded" "$IDNAME" reveal "$L" wt-trv000000001
check "after restore: verify passes on the laptop" attest verify
check "after restore: verify passes at the centre" attest -A "$C" verify

# The other direction still works: an identity recorded after the restore
# reaches the centre's officer.
IDNAME2="Second Traveller Quillan FICTIONAL"
printf '{"type":"witness","id":"wt-trv000000002","data":{"code":"TRAVEL-WCODE-2","sex":"male","birth_year":1975,"notes":"FICTIONAL"}}\n' >"$T/w2.jsonl"
attest import jsonl "$T/w2.jsonl" >/dev/null 2>"$T/err" || not_ok "second witness" "$(cat "$T/err")"
printf '{"real_name":"%s"}\n' "$IDNAME2" | attest witness identity wt-trv000000002 --file - >/dev/null 2>"$T/err" \
    || not_ok "second identity" "$(cat "$T/err")"
attest -A "$L" sync export --to centre >"$T/p3" 2>"$T/err" || not_ok "export after restore" "$(cat "$T/err")"
check "after restore: the centre imports the laptop's new work" attest -A "$C" sync import "$T/p3"
has "after restore: the centre's officer reveals an identity recorded since" "$IDNAME2" reveal "$C" wt-trv000000002

# A second trip: everything comes back again, identities included.
before2=$(records_digest "$L")
proof_rows() { "$ATTEST_SQL" "$L" "SELECT (SELECT count(*) FROM proof_head) > 0,
                                          (SELECT count(*) FROM proof_node) > 0" </dev/null; }
same "before the second travel: the restored versions' proofs name their heads and hashes" \
    "1|1" "$(proof_rows)"
check "second travel" attest travel --to centre --out "$T/travel2.pack"
same "after the second travel: no proof's head or hash stays" "0|0" "$(proof_rows)"
attest -A "$C" sync import "$T/travel2.pack" >/dev/null 2>"$T/err" || not_ok "the centre imports the second pack" "$(cat "$T/err")"
attest -A "$C" sync export --to laptop --since '{}' >"$T/back2.pack" 2>"$T/err" || not_ok "the second restore pack" "$(cat "$T/err")"
check "second travel restore FILE" attest travel restore "$T/back2.pack"
same "after the second restore: the same records (by digest)" "$before2" "$(records_digest "$L")"
has "after the second restore: the officer reveals the first identity" "$IDNAME" reveal "$L" wt-trv000000001
has "after the second restore: the officer reveals the second identity" "$IDNAME2" reveal "$L" wt-trv000000002
check "after the second restore: verify passes on the laptop" attest verify

# A second laptop receives everything from the restored one, whose own
# restored items carry the proofs its log made.
new_archive laptop2; L2=$ARCHIVE
export ATTEST_ARCHIVE="$L"
attest -A "$L" peers add laptop2 "$(keyline "$L2")" >/dev/null 2>"$T/err" || not_ok "the laptop pins laptop2" "$(cat "$T/err")"
attest -A "$L2" peers add laptop "$(keyline "$L")" >/dev/null 2>"$T/err" || not_ok "laptop2 pins the laptop" "$(cat "$T/err")"
attest -A "$L" sync export --to laptop2 >"$T/p4" 2>"$T/err" || not_ok "the pack for laptop2" "$(cat "$T/err")"
check "after the restores: a second laptop imports all the laptop holds" attest -A "$L2" sync import "$T/p4"
same "... and holds the same records (by digest)" "$(records_digest "$L")" "$(records_digest "$L2")"

# A centre with no officer of its own keeps the laptop's identities for it,
# still sealed, and gives them back.
new_archive bare; B=$ARCHIVE
export ATTEST_ARCHIVE="$L"
attest -A "$L" peers add bare "$(keyline "$B")" >/dev/null 2>"$T/err" || not_ok "the laptop pins bare" "$(cat "$T/err")"
attest -A "$B" peers add laptop "$(keyline "$L")" >/dev/null 2>"$T/err" || not_ok "bare pins the laptop" "$(cat "$T/err")"
check "travel to a centre with no officer" attest travel --to bare --out "$T/bare.pack"
attest -A "$B" sync import "$T/bare.pack" >/dev/null 2>"$T/err" || not_ok "bare imports the travel pack" "$(cat "$T/err")"
attest -A "$B" sync export --to laptop --since '{}' >"$T/bare-back.pack" 2>"$T/err" || not_ok "bare's restore pack" "$(cat "$T/err")"
check "restore from a centre with no officer" attest travel restore "$T/bare-back.pack"
has "... the laptop's officer reveals the first identity" "$IDNAME" reveal "$L" wt-trv000000001
has "... and the second" "$IDNAME2" reveal "$L" wt-trv000000002

# The certificate of the centre's server, kept with the peer for the
# pushes and pulls the laptop's own server makes (--cacert).
printf 'FICTIONAL not a certificate\n' >"$T/not-cert.pem"
check_fails "peers add --cacert with no certificate in it: refused, naming cacert" 2 "cacert" \
    attest peers add centre "$(keyline "$C")" --cacert "$T/not-cert.pem"
openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=localhost" -days 2 \
    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
check "peers add --cacert FILE" attest peers add centre "$(keyline "$C")" --cacert "$T/cert.pem"
attest peers list --json | python3 -c 'import json, sys
p = [p for p in json.load(sys.stdin) if p["name"] == "centre"][0]
sys.exit(0 if p["cacert"] == open(sys.argv[1]).read() else 1)' "$T/cert.pem"
verdict "peers list --json shows the certificate kept" $?
