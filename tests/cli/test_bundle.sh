#!/usr/bin/env bash
# Evidence bundles: attest's verify-bundle and the independent Python
# verifier both accept a good bundle and reject every tampered variant.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
A=$ATTEST_BIN
PY=/usr/bin/python3
VERIFIER="$(cd "$(dirname "$0")/.." && pwd)/tools/verify_bundle.py"
DEMO="$(cd "$(dirname "$0")/../.." && pwd)/demo/fictional.jsonl"
printf 'FICTIONAL test passphrase\n' > "$tmp/pass"
exec 3<"$tmp/pass"
export ATTEST_PASSPHRASE_FD=3 ATTEST_USER=admin ATTEST_ARCHIVE="$tmp/a"

ok() { echo "ok - bundle/$1"; }
not_ok() { echo "not ok - bundle/$1"; }

$A init "$tmp/a" --kdf interactive 2>/dev/null
$A import jsonl "$DEMO" 2>/dev/null
head -c 300000 /dev/urandom > "$tmp/video.bin"
printf 'FICTIONAL statement\n' > "$tmp/statement.txt"
E1=$($A evidence add "$tmp/video.bin" --interview iv-fake00000001)
E2=$($A evidence add "$tmp/statement.txt")
$A witness consent wt-fake00000001 --use court --granted 2019-05-14 >/dev/null
KEY=$($A key show | awk 'NR==1 {print $NF}')
$A export bundle --tier court -o "$tmp/b.tar" ev-fake00000001 ac-fake00000001 \
    pp-fake00000001 pp-fake00000002 wt-fake00000001 "$E1" "$E2" 2>"$tmp/export.err"

if grep -q "4 records with proofs.*1 left out, 2 files" "$tmp/export.err"; then ok "court tier leaves out records without consent"
else not_ok "court tier leaves out records without consent: $(cat "$tmp/export.err")"; fi
if $A verify-bundle "$tmp/b.tar" --key "$KEY" >/dev/null; then ok "attest accepts a good bundle"; else not_ok "attest accepts a good bundle"; fi
if $PY "$VERIFIER" "$tmp/b.tar" --key "$KEY" >/dev/null; then ok "python accepts a good bundle"; else not_ok "python accepts a good bundle"; fi
mkdir "$tmp/x" && (cd "$tmp/x" && tar xf ../b.tar)
if (cd "$tmp/x" && openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin -in tree-head.json \
        -sigfile tree-head.sig >/dev/null 2>&1); then ok "openssl verifies the head as VERIFY.md says"
else not_ok "openssl verifies the head as VERIFY.md says"; fi

# tamper NAME PYTHON-EDIT: rebuilds the bundle after an edit of the
# extracted tree (run in it) and expects both verifiers to refuse it.
tamper() {
    local name=$1 edit=$2 dir="$tmp/t-$1"
    rm -rf "$dir"; cp -a "$tmp/x" "$dir"; chmod -R u+w "$dir"
    (cd "$dir" && $PY -c "$edit")
    (cd "$dir" && tar cf ../t.tar --format=pax *)
    if ! $A verify-bundle "$tmp/t.tar" --key "$KEY" >/dev/null 2>"$tmp/err"; then
        ok "attest refuses: $name ($(head -c 90 "$tmp/err"))"
    else not_ok "attest refuses: $name"; fi
    if ! $PY "$VERIFIER" "$tmp/t.tar" --key "$KEY" >/dev/null 2>&1; then ok "python refuses: $name"
    else not_ok "python refuses: $name"; fi
}
M='import json; m=json.load(open("manifest.json"))'
W='json.dump(m, open("manifest.json","w"), indent=2)'
tamper "a changed file" 'import glob; p=sorted(glob.glob("files/*/video.bin"))[0]; b=bytearray(open(p,"rb").read()); b[1000]^=1; open(p,"wb").write(b)'
tamper "a missing file" 'import glob,os; os.remove(sorted(glob.glob("files/*/statement.txt"))[0])'
tamper "a changed record entry" "$M; r=m['records'][0]; r['entry']=r['entry'].replace('FICTIONAL','FICTITIOUS',1); $W"
tamper "a changed signature" "$M; s=m['tree_head']['signature']; m['tree_head']['signature']=('0' if s[0]!='0' else '1')+s[1:]; $W"
tamper "a changed root" "$M; s=m['tree_head']['root']; m['tree_head']['root']=('0' if s[0]!='0' else '1')+s[1:]; $W"
tamper "a changed proof" "$M; p=m['records'][1]['inclusion_proof']; p[0]=('0' if p[0][0]!='0' else '1')+p[0][1:]; $W"
tamper "a changed leaf index" "$M; m['records'][0]['leaf_index']+=1; $W"
tamper "a changed salt" "$M; s=m['files'][0]['salt']; m['files'][0]['salt']=('0' if s[0]!='0' else '1')+s[1:]; $W"
tamper "a record swapped for another's entry" "$M; m['records'][0]['id']=m['records'][1]['id']; $W"

if ! $A verify-bundle "$tmp/b.tar" --key "$(printf '%064d' 0)" >/dev/null 2>&1 \
   && ! $PY "$VERIFIER" "$tmp/b.tar" --key "$(printf '%064d' 0)" >/dev/null 2>&1; then
    ok "both refuse a bundle signed by another key than the pinned one"
else not_ok "both refuse a bundle signed by another key than the pinned one"; fi

# The public tier: no witness, interview, or exact coordinates.
$A amend pp-fake00000001 --clearance public --reason "FICTIONAL: cleared for publication" >/dev/null
$A amend si-fake00000001 --clearance public --tier public --reason "FICTIONAL: cleared" >/dev/null
$A witness consent wt-fake00000001 --use publication --granted 2019-05-14 >/dev/null
$A export bundle --tier public -o "$tmp/p.tar" wt-fake00000001 iv-fake00000001 pp-fake00000001 \
    si-fake00000001 2>/dev/null
(mkdir "$tmp/p" && cd "$tmp/p" && tar xf ../p.tar)
if $PY - "$tmp/p/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
ids = [r["id"] for r in m["records"]]
assert ids == ["pp-fake00000001", "si-fake00000001"], ids
for r in m["records"]:
    assert r["redacted"], r
    d = r["record"]["data"]
    assert (d["lat"], d["lon"]) != (42.44161, 129.74602) and "uncertainty_m" not in d
    assert abs(d["lat"] - 42.4416) < 0.1 and abs(d["lon"] - 129.746) < 0.1
PY
then ok "public tier drops witness and interview and coarsens coordinates"
else not_ok "public tier drops witness and interview and coarsens coordinates"; fi
if $A verify-bundle "$tmp/p.tar" >/dev/null && $PY "$VERIFIER" "$tmp/p.tar" >/dev/null; then
    ok "a public bundle verifies"; else not_ok "a public bundle verifies"; fi
