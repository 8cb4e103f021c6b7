#!/usr/bin/env bash
# test_sync_review.sh: sync's regression tests from review, each named for
# its finding.  Two laptops, a centre and a partner, with an officer on
# each team archive.
#  - verify_rechecks_origin_proofs: `attest verify` checks the proof kept
#    with each imported version (and item) against its origin's signed
#    head, and that it proves the version it is kept with.
#  - proofs_upgraded_from_json: an archive of schema 25, whose proofs of
#    origin were kept as JSON, has them kept as BLOBs once opened (each
#    of its rows), and still verifies and passes them on.
#  - import_of_nothing_new_leaves_the_log: the same pack twice, or an
#    empty pack, adds no log entry and no tree head.
#  - history_names_heads_in_conflict: `attest history` says which
#    versions are heads in conflict, which are superseded, which current.
#  - travel_restore_refuses_forged_own_versions: after `attest travel`, a
#    version of the laptop's own that comes back must be one its log kept
#    a leaf for, at or below what the travel sent away.
#  - identities_forwarded_sealed: the centre passes an identity laptop 1
#    sealed on to laptop 2's officers (and the other way), still sealed,
#    each box one its origin logged; never to a partner.
#  - identities_sealed_before_pinning_reach_the_centre: an identity a
#    laptop recorded before it pinned the centre has no box for the
#    centre's officers; a laptop officer's `witness reseal` adds them, and
#    the next pack carries them.
# All data is FICTIONAL.
. "$(dirname "$0")/lib.sh"
plan 36

at() { local a=$1; shift; attest -A "$T/$a" "$@"; }
sql() { "$ATTEST_SQL" "$T/$1" "$2"; }
line_of() { at "$1" key show | tail -1; }
id_of() { line_of "$1" | cut -d' ' -f3; }
send() {
    at "$1" sync export --to "$2" --output "$T/pack.$1.$2" 2>>"$T/sync.log" \
        && at "$2" sync import "$T/pack.$1.$2" 2>>"$T/sync.log"
}
log_state() { sql "$1" "SELECT count(*) || ' entries, ' || (SELECT count(*) FROM tree_head) || ' heads' FROM log_entry"; }

for a in lap1 lap2 lap3 centre partner; do
    attest init "$T/$a" --kdf interactive 2>/dev/null || { not_ok "init $a"; exit 0; }
done
printf 'FICTIONAL officer passphrase\n' >"$T/opass"
for a in lap1 lap2 lap3 centre; do
    at "$a" user add officer --role officer --new-passphrase-fd 4 4<"$T/opass" 2>/dev/null
done
# The centre pins its laptops first: its key line then names their
# officers too, which is what the laptops pin.
at centre peers add lap1 "$(line_of lap1)" && at centre peers add lap2 "$(line_of lap2)" \
    && at centre peers add partner "$(line_of partner)" --tier partner \
    && at lap1 peers add centre "$(line_of centre)" && at lap2 peers add centre "$(line_of centre)" \
    && at partner peers add centre "$(line_of centre)" || { not_ok "pinning"; exit 0; }
LAP1=$(id_of lap1)

# --- an import that brings nothing --------------------------------------------
EV=$(at lap1 add event --title "FICTIONAL arrest at the station" --date 1999)
printf 'FICTIONAL evidence bytes %.0s' $(seq 100) >"$T/ev.bin"
at lap1 evidence add "$T/ev.bin" >/dev/null 2>&1
check "a first import" send lap1 centre
before=$(log_state centre)
check "the same pack again" at centre sync import "$T/pack.lap1.centre"
same "import_of_nothing_new_leaves_the_log: the same pack twice" "$before" "$(log_state centre)"
at lap1 sync export --to centre --since "$(at centre sync mark)" --output "$T/empty.pack" 2>/dev/null
check "an empty pack" at centre sync import "$T/empty.pack"
same "import_of_nothing_new_leaves_the_log: an empty pack" "$before" "$(log_state centre)"

# --- heads in conflict -----------------------------------------------------------
send centre lap2
at lap1 amend "$EV" --date 1997 --reason "FICTIONAL year corrected" >/dev/null
at lap2 amend "$EV" --place "FICTIONAL Musan" --reason "FICTIONAL place named" >/dev/null
send lap1 centre && send lap2 centre
states() { at "$1" history "$EV" --json | json_get '" ".join(v["state"] for v in j)'; }
same "history_names_heads_in_conflict: --json" "superseded current conflict" \
    "$(states centre | tr ' ' '\n' | sort -r | tr '\n' ' ' | sed 's/ $//')"
has "history_names_heads_in_conflict: the table says conflict" ' conflict ' at centre history "$EV"
at centre sync resolve "$EV" --reason "FICTIONAL both right" --date 1997 --place "FICTIONAL Musan" >/dev/null
same "history_names_heads_in_conflict: resolved, the others are superseded" \
    "superseded superseded superseded current" "$(states centre)"

# --- verify re-checks the proofs kept with imported versions -------------------
check "verify passes on the centre" at centre verify
same "proofs_kept_without_text: an imported version's proof does not hold its text again" "1|0" \
    "$(sql centre "SELECT count(*) > 0, sum(instr(proof, CAST(id AS BLOB)) > 0) FROM record_version
                   WHERE proof IS NOT NULL")"
# tamper SQL: the centre's copy in $T/t, changed by SQL (a failure of the
# SQL is one of the test's: the checks after it would pass on the copy).
tamper() {
    rm -rf "$T/t" && cp -a "$T/centre" "$T/t"
    sql t "$1" >/dev/null 2>"$T/tamper.err" || not_ok "tamper: $1" "$(cat "$T/tamper.err")"
}
V1="SELECT rowid FROM record_version WHERE id = '$EV' AND origin = '$LAP1' ORDER BY oseq LIMIT 1"
tamper "UPDATE record_version SET proof = proof_blob(json_set(proof_json(proof, doc), '$.root', '$(printf '0%.0s' $(seq 64))'))
        WHERE rowid = ($V1)"
check_fails "verify_rechecks_origin_proofs: a changed root" 1 \
    "record $EV version 1 \(from archive $LAP1\).*not signed" at t verify
tamper "UPDATE record_version SET proof = proof_blob(json_set(proof_json(proof, doc), '$.hashes', json('[]')))
        WHERE rowid = ($V1)"
check_fails "verify_rechecks_origin_proofs: a proof cut short" 1 \
    "record $EV version 1 \(from archive $LAP1\).*inclusion proof fails" at t verify
# A hash of the paths kept once for a pack's versions: every proof through it fails.
tamper "UPDATE proof_node SET hash = zeroblob(32)"
check_fails "verify_rechecks_origin_proofs: a path's hash kept once, changed" 1 \
    "record $EV version 1 \(from archive $LAP1\).*inclusion proof fails" at t verify
# Two versions' (valid) proofs and identities swapped.  Kept without its
# text, each proof is checked against the text its new version gives: not
# in the log; kept with its text (a proof from before, or one passed on as
# it came), each proves the other's text.
swap="CREATE TEMP TABLE s AS SELECT rowid AS r, oseq AS o, proof AS p FROM record_version
        WHERE id = '$EV' AND origin = '$LAP1';
        UPDATE record_version SET oseq = -oseq WHERE rowid IN (SELECT r FROM s);
        UPDATE record_version SET (oseq, proof) = (SELECT o, p FROM s ORDER BY o DESC LIMIT 1)
        WHERE rowid = (SELECT r FROM s ORDER BY o LIMIT 1);
        UPDATE record_version SET (oseq, proof) = (SELECT o, p FROM s ORDER BY o LIMIT 1)
        WHERE rowid = (SELECT r FROM s ORDER BY o DESC LIMIT 1);
        UPDATE record_version SET oseq = -oseq WHERE oseq < 0"
tamper "$swap"
check_fails "verify_rechecks_origin_proofs: a proof of another version" 1 \
    "record $EV version 1 \(from archive $LAP1\).*$LAP1/[0-9]+ is not in its origin's log" at t verify
tamper "UPDATE record_version SET proof = proof_blob(proof_json(proof, doc))
        WHERE id = '$EV' AND origin = '$LAP1'; $swap"
check_fails "verify_rechecks_origin_proofs: a proof of another version, with its text" 1 \
    "record $EV version 1 \(from archive $LAP1\).*proves another" at t verify
tamper "UPDATE sync_item SET proof = proof_blob(json_set(proof_json(proof), '$.signature', '$(printf 'ab%.0s' $(seq 64))'))"
check_fails "verify_rechecks_origin_proofs: an imported item's proof" 1 \
    "evidence item .* \(from archive $LAP1\).*not signed" at t verify
tamper "UPDATE record_version SET proof = substr(proof, 1, length(proof) - 1) WHERE rowid = ($V1)"
check_fails "verify_rechecks_origin_proofs: a proof cut off" 1 \
    "record $EV version 1 \(from archive $LAP1\).*proof of $LAP1/[0-9]+ is damaged" at t verify

# --- proofs kept as JSON before schema 26 ------------------------------------------
tamper "UPDATE record_version SET proof = proof_json(proof, doc) WHERE proof IS NOT NULL;
        UPDATE sync_item SET proof = proof_json(proof); PRAGMA user_version = 25"
check "proofs_upgraded_from_json: the upgraded archive verifies" at t verify
same "proofs_upgraded_from_json: every proof kept as a BLOB" "blob 0" \
    "$(sql t "SELECT group_concat(DISTINCT typeof(proof)) || ' ' || (SELECT count(*) FROM meta
              WHERE key = 'proofs_to_convert') FROM (SELECT proof FROM record_version
              WHERE proof IS NOT NULL UNION ALL SELECT proof FROM sync_item)")"
same "proofs_upgraded_from_json: every version's proof then kept with its head and hashes apart" "0 0" \
    "$(sql t "SELECT count(*) || ' ' || (SELECT count(*) FROM meta WHERE key = 'proofs_to_store')
              FROM record_version WHERE proof IS NOT NULL AND substr(proof, 1, 1) != x'80'")"
same "proofs_upgraded_from_json: the same proofs as before" \
    "$(sql centre "SELECT proof_json(proof, doc) FROM record_version WHERE proof IS NOT NULL ORDER BY rowid")" \
    "$(sql t "SELECT proof_json(proof, doc) FROM record_version WHERE proof IS NOT NULL ORDER BY rowid")"
check "proofs_upgraded_from_json: and passes them on" at t sync export --to lap2 --output "$T/upgraded.pack"

# --- identities passed on, still sealed -------------------------------------------
WT=$(at lap1 add witness --code W-FICT-FWD-1 --sex male)
NAME="FICTIONAL Pak Yongchol Forwarded"
printf '{"real_name": "%s"}\n' "$NAME" | at lap1 witness identity "$WT" --file - >/dev/null 2>&1
send lap1 centre && send centre lap2 && send centre partner
same "identities_forwarded_sealed: laptop 2's officer opens what laptop 1 sealed" "$NAME" \
    "$(ATTEST_USER=officer "$ATTEST_BIN" -A "$T/lap2" witness reveal "$WT" 3<"$T/opass" 2>&1 \
       | json_get 'j["real_name"]' 2>&1)"
same "identities_forwarded_sealed: never to a partner" "0" \
    "$(sql partner "SELECT count(*) FROM log_item WHERE kind = 'identity'")"
# And the other way, laptop 2 to laptop 1.
WT2=$(at lap2 add witness --code W-FICT-FWD-2 --sex female)
printf '{"real_name": "%s"}\n' "FICTIONAL Ri Sunok Returned" | at lap2 witness identity "$WT2" --file - >/dev/null 2>&1
send lap2 centre && send centre lap1
same "identities_forwarded_sealed: and laptop 1's officer what laptop 2 sealed" \
    "FICTIONAL Ri Sunok Returned" \
    "$(ATTEST_USER=officer "$ATTEST_BIN" -A "$T/lap1" witness reveal "$WT2" 3<"$T/opass" 2>&1 \
       | json_get 'j["real_name"]' 2>&1)"
# A box changed on the way (here in the centre's copy) is not one the
# identity's origin logged.
WT3=$(at lap1 add witness --code W-FICT-FWD-3 --sex male)
printf '{"real_name": "%s"}\n' "FICTIONAL Han Gyeongsu Tampered" | at lap1 witness identity "$WT3" --file - >/dev/null 2>&1
send lap1 centre
# (every box kept to pass on: laptop 2's, and laptop 1's own kept for it)
tamper "UPDATE log_item SET doc = json_set(doc, '$.sealed', json((SELECT json_group_object(key,
        CASE WHEN key LIKE 'peer:%' THEN 'AAAA' ELSE value END) FROM json_each(log_item.doc, '$.sealed'))))
        WHERE kind = 'identity' AND ref = '$WT3'"
at t sync export --to lap2 --output "$T/boxed.pack" 2>/dev/null
check_fails "identities_forwarded_sealed: a box its origin did not log is refused" 2 \
    "identity item $LAP1/[0-9]+: a sealed box is not one its origin logged" at lap2 sync import "$T/boxed.pack"
grep -qaE "Pak Yongchol|Ri Sunok" "$T"/pack.* "$T"/lap[12]/attest.db* "$T"/centre/attest.db*
verdict "identities_forwarded_sealed: never in clear in a pack or a database" $((1 - $?))
check "verify passes on laptop 2" at lap2 verify

# --- travel, then a forged restore ----------------------------------------------
check "laptop 1 travels" at lap1 travel --to centre --out "$T/travel.pack"
at centre sync import "$T/travel.pack" >/dev/null 2>&1
UPTO=$(sql lap1 "SELECT max(json_extract(doc, '$.upto')) FROM log_item WHERE kind = 'travel'")
# forge OSEQ: the centre's copy (in $T/f) with laptop 1's first version of
# EV renumbered OSEQ and a proof made with a key of the forger's own.
forge() {
    rm -rf "$T/f" && cp -a "$T/centre" "$T/f"
    sql f "SELECT proof_json(proof, doc) FROM record_version WHERE rowid = ($V1)" >"$T/proof.json"
    python3 - "$T/proof.json" "$LAP1" "$1" >"$T/forged.json" <<'PY' || return 1
import base64, hashlib, json, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
proof, archive, oseq = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
canon = lambda o: json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
doc = json.loads(proof["text"])
doc["data"]["title"] = "FICTIONAL forged title"
text = canon(doc)
leaf = lambda b: hashlib.sha256(b"\0" + b).digest()
node = lambda l, r: hashlib.sha256(b"\1" + l + r).digest()
leaves = [leaf(b"FICTIONAL filler %d" % i) for i in range(oseq)]
leaves[oseq - 1] = leaf(text.encode())
def mth(d):
    if len(d) == 1: return d[0]
    k = 1
    while k * 2 < len(d): k *= 2
    return node(mth(d[:k]), mth(d[k:]))
def path(m, d):
    if len(d) == 1: return []
    k = 1
    while k * 2 < len(d): k *= 2
    return path(m, d[:k]) + [mth(d[k:])] if m < k else path(m - k, d[k:]) + [mth(d[:k])]
key = Ed25519PrivateKey.generate()
root = mth(leaves).hex()
at = "2026-12-04T00:00:00Z"
head = canon({"archive": archive, "root": root, "signed_at": at, "size": oseq})
pk = key.public_key().public_bytes_raw()
print(canon({"text": text, "index": oseq - 1, "size": oseq, "root": root, "signed_at": at,
             "signature": key.sign(head.encode()).hex(), "hashes": [h.hex() for h in path(oseq - 1, leaves)],
             "sign_pk": base64.urlsafe_b64encode(pk).decode().rstrip("=")}))
PY
    sql f "UPDATE record_version SET oseq = $1, proof = proof_blob('$(sed "s/'/''/g" "$T/forged.json")')
           WHERE rowid = ($V1)" >/dev/null
    attest -A "$T/f" sync export --to lap1 --since '{}' --output "$T/forged.pack" 2>/dev/null
}
forge $((UPTO + 7))
check_fails "travel_restore_refuses_forged_own_versions: beyond what travel sent" 1 \
    "$LAP1/$((UPTO + 7)).*(beyond|travel)" at lap1 travel restore "$T/forged.pack"
OSEQ=$(sql centre "SELECT oseq FROM record_version WHERE rowid = ($V1)")
forge "$OSEQ"
check_fails "travel_restore_refuses_forged_own_versions: a text its log does not hold" 1 \
    "$LAP1/$OSEQ.*(not signed|not what)" at lap1 travel restore "$T/forged.pack"
at centre sync export --to lap1 --since '{}' --output "$T/back.pack" 2>/dev/null
check "the true restore pack is taken" at lap1 travel restore "$T/back.pack"
check "verify passes on laptop 1 after the restore" at lap1 verify

# --- an identity recorded before the laptop pinned the centre ---------------------
as_officer() { local a=$1; shift; ATTEST_USER=officer "$ATTEST_BIN" -A "$T/$a" witness "$@" 3<"$T/opass"; }
WT4=$(at lap3 add witness --code W-FICT-EARLY-1 --sex female)
printf '{"real_name": "%s"}\n' "FICTIONAL Kim Eunhye Early" | at lap3 witness identity "$WT4" --file - >/dev/null 2>&1
at centre peers add lap3 "$(line_of lap3)" && at lap3 peers add centre "$(line_of centre)" \
    || not_ok "pinning laptop 3"
send lap3 centre
check_fails "identities_sealed_before_pinning_reach_the_centre: before a reseal, not at the centre" 1 \
    "." as_officer centre reveal "$WT4"
as_officer lap3 reseal 2>"$T/o"
same "identities_sealed_before_pinning_reach_the_centre: laptop 3's officer reseals it" \
    "resealed 1 identities to every officer" "$(cat "$T/o")"
send lap3 centre
same "identities_sealed_before_pinning_reach_the_centre: the centre's officer opens it" \
    "FICTIONAL Kim Eunhye Early" "$(as_officer centre reveal "$WT4" 2>&1 | json_get 'j["real_name"]' 2>&1)"
