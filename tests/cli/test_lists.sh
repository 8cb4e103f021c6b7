#!/usr/bin/env bash
# test_lists.sh: `attest lists diff`, entry by entry: added, removed,
# renamed, aliases gained, dropped and requalified, identifiers gained,
# each entry's hash; the default pair (the two newest versions of each
# list); refusals.  On the UN slices, on two FICTIONAL OFAC versions in
# tests/data/sanctions/fictional, and on the two full UN lists the
# repository ships for the demo (data/sanctions, gzip-compressed).
. "$(dirname "$0")/lib.sh"
data=$ROOT/tests/data/sanctions
full=$ROOT/data/sanctions
plan 17
export ATTEST_USER=admin

new_archive one
attest lists import ofac "$data/fictional/ofac-2026-01-01" --date 2026-01-01 >/dev/null 2>&1
check_fails "diff with one version of each list says there is nothing to compare" 1 \
    'no list has two versions to compare' attest lists diff

new_archive arc
attest lists import un "$data/un/un-2018-10-29.xml" >/dev/null 2>&1
attest lists import un "$data/un/un-2026-02-27.xml" >/dev/null 2>&1
attest lists import ofac "$data/fictional/ofac-2026-01-01" --date 2026-01-01 >/dev/null 2>&1
attest lists import ofac "$data/fictional/ofac-2026-03-01" --date 2026-03-01 >/dev/null 2>&1

has "diff without versions compares the two newest of each list" \
    '^un-2018-10-29 -> un-2026-02-27: ' attest lists diff
verdict "... and the OFAC versions too" "$(grep -q '^ofac-2026-01-01 -> ofac-2026-03-01: 1 added, 1 removed, 2 changed (1 renamed)' "$T/out"; echo $?)" \
    "$(head -c 1500 "$T/out")"
has "KPe.029 reported as renamed" \
    '^KPe\.029 +NATIONAL AEROSPACE DEVELOPMENT ADMINISTRATION -> NATIONAL AEROSPACE TECHNOLOGY ADMINISTRATION \[renamed\]' \
    attest lists diff un@1 un
# Regressions: the diff reported a renamed entry's new primary name once
# more as a new name, and said nothing of identifiers or of an alias that
# became a former name.
verdict "regression: a rename is not reported again as a new alias" \
    "$(! grep -q 'NATIONAL AEROSPACE TECHNOLOGY ADMINISTRATION (primary)' "$T/out"; echo $?)" "$(head -c 1500 "$T/out")"
verdict "regression: an alias that became a former name is reported (NADA strong -> fka)" \
    "$(grep -q 'alias quality *NADA: strong -> fka' "$T/out"; echo $?)" "$(head -c 1500 "$T/out")"
verdict "regression: a new identifier is reported (KPi.024's passport)" \
    "$(sed -n '/^KPi.024/,/^KP[ei]\.[0-9]* /p' "$T/out" | grep -q 'new identifier *passport 472310168'; echo $?)" \
    "$(head -c 1500 "$T/out")"

check "diff --json of two OFAC versions" attest lists diff ofac@1 ofac@2 --json
python3 - "$T/out" >"$T/py" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
e = {x["key"]: x for x in d["entries"]}
assert d["list"] == "ofac" and d["counts"] == {"added": 1, "removed": 1, "changed": 2, "renamed": 1, "unchanged": 0}, d["counts"]
assert e["7004"]["change"] == "added" and e["7004"]["name"] == "FICTIONAL RIVER LOGISTICS", e["7004"]
assert e["7003"]["change"] == "removed" and "new_sha256" not in e["7003"], e["7003"]
assert e["7002"]["renamed"] == {"old": "FICTIONAL STAR", "new": "FICTIONAL MORNING STAR"}, e["7002"]
assert "fields_changed" not in e["7002"], e["7002"]
c = e["7001"]
assert c["aliases_added"] == [{"name": "FICTIONAL PINE TRADING", "quality": "strong"}], c
assert c["aliases_removed"] == [{"name": "FICTIONAL OCEAN CARRIER", "quality": "strong"}], c
assert {"kind": "phone", "value": "850 2 000 7001"} in c["ids_added"], c
assert c["old_sha256"] != c["new_sha256"] and len(c["new_sha256"]) == 64, c
PY
verdict "added, removed, renamed, new and removed alias, new identifier, each entry" $? "$(cat "$T/py")"

# The hash is the SHA-256 of the entry's canonical document (sorted keys,
# no white space), which anyone can recompute from `lists show`.
attest lists show ofac@2 7004 > "$T/doc.json"
python3 - "$T/out" "$T/doc.json" >"$T/py" 2>&1 <<'PY'
import hashlib, json, sys
d = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
canon = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
want = [x for x in d["entries"] if x["key"] == "7004"][0]["new_sha256"]
assert hashlib.sha256(canon).hexdigest() == want, (hashlib.sha256(canon).hexdigest(), want)
PY
verdict "an entry's hash is the SHA-256 of its canonical document" $? "$(cat "$T/py")"

check "diff --json without versions: one diff per list" attest lists diff --json
same "the default JSON is an array of the two lists' diffs" "ofac un" \
    "$(json_get '" ".join(x["list"] for x in j)' <"$T/out")"
check_fails "versions of two different lists are refused" 2 \
    'un-2026-02-27 and ofac-2026-03-01 are versions of different lists' attest lists diff un ofac
check_fails "one version alone is a usage error" 2 'takes two versions' attest lists diff un
check_fails "an unknown version is named" 1 'no list version "un@9"' attest lists diff un@9 un

new_archive full
attest lists import un "$full/un-consolidated-2018-10-29.xml.gz" >/dev/null 2>&1
attest lists import un "$full/un-consolidated-2026-02-27.xml.gz" >/dev/null 2>&1
check "full UN lists: diff" attest lists diff
verdict "full UN lists: KPe.029 and KPe.054 renamed, counts of every kind" \
    "$(grep -q '^KPe.029 *NATIONAL AEROSPACE DEVELOPMENT ADMINISTRATION -> NATIONAL AEROSPACE TECHNOLOGY ADMINISTRATION \[renamed\]' "$T/out" \
       && grep -q '^KPe.054 .*-> MINISTRY OF NATIONAL DEFENCE \[renamed\]' "$T/out" \
       && grep -qE '^un-2018-10-29 -> un-2026-02-27: [1-9][0-9]* added, [1-9][0-9]* removed, [1-9][0-9]* changed \(10 renamed\)' "$T/out"; echo $?)" \
    "$(head -c 600 "$T/out")"
