#!/usr/bin/env bash
# Evidence bundles: attest's verify-bundle and the independent Python
# verifier (tests/tools/verify_bundle.py) both accept a good bundle, and a
# good bundle unpacked and packed again, and both reject every tampered
# variant for the reason the tampering gives.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
VERIFIER=$ROOT/tests/tools/verify_bundle.py

# The tampered variants: NAME, the Python edit of the unpacked bundle, what
# the Python verifier must say and what attest must say (grep -E).
tampers=(
    "a changed file"
    'import glob; p=sorted(glob.glob("files/*/video.bin"))[0]; b=bytearray(open(p,"rb").read()); b[1000]^=1; open(p,"wb").write(b)'
    'file ei-[a-z0-9]+: its bytes are not the recorded ones'
    'file ei-[a-z0-9]+: files/.*video\.bin has been changed'
    "a missing file"
    'import glob,os; os.remove(sorted(glob.glob("files/*/statement.txt"))[0])'
    'file ei-[a-z0-9]+: files/.*statement\.txt is missing'
    'file ei-[a-z0-9]+: files/.*statement\.txt is missing from the bundle'
    "a changed record entry"
    "@M@; r=m['records'][0]; r['entry']=r['entry'].replace('FICTIONAL','FICTITIOUS',1); @W@"
    'record [a-z]+-fake[0-9]+: its entry is not in the signed log'
    'record [a-z]+-fake[0-9]+: its entry is not leaf [0-9]+ of the signed log'
    "a changed signature"
    "@M@; s=m['tree_head']['signature']; m['tree_head']['signature']=('0' if s[0]!='0' else '1')+s[1:]; @W@"
    "the tree head's signature does not verify"
    "the tree head's signature does not verify with the bundle's key"
    "a head time cut inside a character"
    "@M@; m['tree_head']['signed_at']=m['tree_head']['signed_at'][:19]+'\u00e9'; @W@"
    "the tree head's signature does not verify"
    "the tree head's signature does not verify with the bundle's key"
    "a changed root"
    "@M@; s=m['tree_head']['root']; m['tree_head']['root']=('0' if s[0]!='0' else '1')+s[1:]; @W@"
    "the tree head's signature does not verify"
    "the tree head's signature does not verify with the bundle's key"
    "a changed proof"
    "@M@; p=m['records'][1]['inclusion_proof']; p[0]=('0' if p[0][0]!='0' else '1')+p[0][1:]; @W@"
    'record [a-z]+-fake[0-9]+: its entry is not in the signed log'
    'record [a-z]+-fake[0-9]+: its entry is not leaf [0-9]+ of the signed log'
    "a changed leaf index"
    "@M@; m['records'][0]['leaf_index']+=1; @W@"
    'record [a-z]+-fake[0-9]+: its entry is not in the signed log|proof is (longer|shorter) than the tree'
    'record [a-z]+-fake[0-9]+: its entry is not leaf [0-9]+ of the signed log'
    "a changed salt"
    "@M@; s=m['files'][0]['salt']; m['files'][0]['salt']=('0' if s[0]!='0' else '1')+s[1:]; @W@"
    'file ei-[a-z0-9]+: the logged entry does not commit to this file'
    'file ei-[a-z0-9]+: its logged entry does not commit to this SHA-256'
    "a record swapped for another's entry"
    "@M@; m['records'][0]['id']=m['records'][1]['id']; @W@"
    'record [a-z]+-fake[0-9]+: its entry is about another record'
    'record [a-z]+-fake[0-9]+: its entry is about another record'
)
# Per tampered variant two tests; before them six, after them four.
plan $(( 6 + ${#tampers[@]} / 4 * 2 + 4 ))

new_archive a
attest import jsonl "$ROOT/demo/fictional.jsonl" 2>/dev/null
head -c 300000 /dev/urandom > "$T/video.bin"
printf 'FICTIONAL statement\n' > "$T/statement.txt"
E1=$(attest evidence add "$T/video.bin" --interview iv-fake00000001)
E2=$(attest evidence add "$T/statement.txt")
attest witness consent wt-fake00000001 --use court --granted 2019-05-14 >/dev/null
KEY=$(attest key show | awk 'NR==1 {print $NF}')
attest export bundle --tier court -o "$T/b.tar" ev-fake00000001 ac-fake00000001 \
    pp-fake00000001 pp-fake00000002 wt-fake00000001 "$E1" "$E2" 2>"$T/export.err"

grep -q "4 records with proofs.*1 left out, 2 files" "$T/export.err"
verdict "bundle/court tier leaves out records without consent" $? "$(cat "$T/export.err")"
check "bundle/attest accepts a good bundle" attest verify-bundle "$T/b.tar" --key "$KEY"
check "bundle/python accepts a good bundle" $PY "$VERIFIER" "$T/b.tar" --key "$KEY"
mkdir "$T/x" && (cd "$T/x" && tar xf ../b.tar)
check "bundle/openssl verifies the head as VERIFY.md says" sh -c 'cd "$1" && openssl pkeyutl -verify -pubin \
    -inkey signing-key.pem -rawin -in tree-head.json -sigfile tree-head.sig' _ "$T/x"

# repack NAME PYTHON-EDIT: the bundle unpacked in $T/x, edited (in its
# directory) and packed again as $T/t.tar.
repack() {
    local dir="$T/t-$1"
    rm -rf "$dir"; cp -a "$T/x" "$dir"; chmod -R u+w "$dir"
    (cd "$dir" && $PY -c "$2") && (cd "$dir" && tar cf ../t.tar --format=pax *)
}
# Unpacked and packed again without an edit, the bundle is still good: the
# refusals below are the edits', not the repacking's.
repack untouched 'pass'
check "bundle/attest accepts a good bundle packed again" attest verify-bundle "$T/t.tar" --key "$KEY"
check "bundle/python accepts a good bundle packed again" $PY "$VERIFIER" "$T/t.tar" --key "$KEY"
M='import json; m=json.load(open("manifest.json"))'
W='json.dump(m, open("manifest.json","w"), indent=2)'
for ((i = 0; i < ${#tampers[@]}; i += 4)); do
    name=${tampers[i]} why=${tampers[i + 2]} attest_why=${tampers[i + 3]}
    edit=${tampers[i + 1]//@M@/$M}
    repack "$i" "${edit//@W@/$W}"
    check_fails "bundle/attest refuses: $name" 1 "^attest verify-bundle: FAILED: ($attest_why)" \
        attest verify-bundle "$T/t.tar" --key "$KEY"
    check_fails "bundle/python refuses: $name" 1 "^verify_bundle\.py: FAILED: ($why)" \
        $PY "$VERIFIER" "$T/t.tar" --key "$KEY"
done

other=$(printf '%064d' 0)
check_fails "bundle/attest refuses a bundle signed by another key than the pinned one" 1 \
    '^attest verify-bundle: FAILED: the bundle is signed by key [0-9a-f]{64}, not the pinned 0{64}' \
    attest verify-bundle "$T/b.tar" --key "$other"
check_fails "bundle/python refuses a bundle signed by another key than the pinned one" 1 \
    '^verify_bundle\.py: FAILED: signed by [0-9a-f]{64}, not the pinned key' $PY "$VERIFIER" "$T/b.tar" --key "$other"

# The public tier: no witness, interview, or exact coordinates.
attest amend pp-fake00000001 --clearance public --reason "FICTIONAL: cleared for publication" >/dev/null
attest amend si-fake00000001 --clearance public --tier public --reason "FICTIONAL: cleared" >/dev/null
attest witness consent wt-fake00000001 --use publication --granted 2019-05-14 >/dev/null
attest export bundle --tier public -o "$T/p.tar" wt-fake00000001 iv-fake00000001 pp-fake00000001 \
    si-fake00000001 2>/dev/null
(mkdir "$T/p" && cd "$T/p" && tar xf ../p.tar)
check "bundle/public tier drops witness and interview and coarsens coordinates" $PY -c '
import json, sys
m = json.load(open(sys.argv[1]))
ids = [r["id"] for r in m["records"]]
assert ids == ["pp-fake00000001", "si-fake00000001"], ids
for r in m["records"]:
    assert r["redacted"], r
    d = r["record"]["data"]
    assert (d["lat"], d["lon"]) != (42.44161, 129.74602) and "uncertainty_m" not in d
    assert abs(d["lat"] - 42.4416) < 0.1 and abs(d["lon"] - 129.746) < 0.1
' "$T/p/manifest.json"
check "bundle/a public bundle verifies" sh -c 'attest=$1; shift; "$attest" verify-bundle "$1" && "$2" "$3" "$1"' \
    _ "$ATTEST_BIN" "$T/p.tar" $PY "$VERIFIER"
