#!/usr/bin/env bash
# test_import_bulk.sh: a large import takes the bulk path (--bulk-after N)
# and leaves the same archive as writing every record one by one
# (--bulk-after 0): the same versions in the same log order, the same
# current view, references, spatial index, full-text rows and search
# results, the same indexes, and a log whose every leaf, cached subtree and
# signed root `attest verify` recomputes.  What differs, and only because
# the clock moved: written_at, and so the leaves and roots over it.  A bad
# row in the bulk part still leaves nothing behind (indexes included), and
# names its line and field.  All data is FICTIONAL.
. "$(dirname "$0")/lib.sh"
plan 28

sql() { "$ATTEST_SQL" "$1" "$2" 3<"$T/.passphrase"; }

# --- the file: generated records, a version of one of them, more records ---
cc -O1 -std=c17 -D_GNU_SOURCE -o "$T/gen_records" "$ROOT/bench/gen_records.c" 2>"$T/err"
verdict "build the record generator" $? "$(cat "$T/err")"
"$T/gen_records" 700 20240601 "$T/gen.jsonl" "$T/gen.csv" "$T/queries.txt" 40 2>/dev/null
head -1 "$T/gen.jsonl" >"$T/first.jsonl"
new_archive scratch
attest import jsonl "$T/first.jsonl" 2>/dev/null
# The first line (a witness) again as its version 2, from an export.
attest export jsonl | python3 -c '
import json, sys
d = json.loads(sys.stdin.readline())
d["version"] = 2
d["reason"] = "FICTIONAL correction"
d["data"]["notes"] = "FICTIONAL corrected notes 고친 기록"
print(json.dumps(d, ensure_ascii=False))' >"$T/version.jsonl"
{ head -600 "$T/gen.jsonl"; cat "$T/version.jsonl"; tail -n +601 "$T/gen.jsonl"; } >"$T/in.jsonl"
same "the file holds 701 lines" 701 "$(wc -l <"$T/in.jsonl")"

# --- the same file both ways --------------------------------------------------
new_archive one
check "import one by one" attest import jsonl "$T/in.jsonl" --bulk-after 0
new_archive bulk
check "import in bulk after 50 records" attest import jsonl "$T/in.jsonl" --bulk-after 50
grep -q "700 new records, 1 new versions" "$T/err"
verdict "the bulk import counts records and versions" $? "$(cat "$T/err")"

# both_same NAME QUERY: the rows of QUERY, the same in archives $ONE and $BULK.
ONE=$T/one BULK=$T/bulk
both_same() {
    local name=$1 query=$2 a b
    a=$(sql "$ONE" "$query")
    b=$(sql "$BULK" "$query")
    if [ -z "$a" ]; then
        not_ok "$name" "no rows from: $query"
    elif [ "$a" == "$b" ]; then
        ok "$name"
    else
        not_ok "$name" "$(diff <(echo "$a") <(echo "$b") | head -10)"
    fi
}
both_same "the same versions in the same log order" \
    "SELECT log_seq, oseq, id, version, type, json_remove(doc, '$.written_at') FROM record_version ORDER BY log_seq"
both_same "the same current view, row for row" \
    "SELECT rowid, id, type, version, clearance, retracted, date_lo, date_hi, place, lat, lon,
            json_remove(doc, '$.written_at') FROM record_current ORDER BY rowid"
both_same "the same references" "SELECT id, field, target FROM record_ref ORDER BY id, field, target"
both_same "the same bases and conflicts" \
    "SELECT id, version, base_oseq FROM record_base UNION ALL SELECT id, 0, 0 FROM record_conflict ORDER BY 1, 2"
both_same "the same spatial index" \
    "SELECT id, type, rid, lat, lon, clearance FROM geo_rtree ORDER BY id"
both_same "the same full-text rows" \
    "SELECT 'w', rowid, text FROM search_words UNION ALL SELECT 'c', rowid, text FROM search_cjk
     UNION ALL SELECT 's', rowid, grams FROM search_short ORDER BY 1, 2"
both_same "the same indexes" \
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
MAP_QUERY="SELECT built, dated FROM layer_state;
    SELECT * FROM layer_count ORDER BY level, y, x, type, clearance, site_type, confidence, province;
    SELECT * FROM layer_value ORDER BY id; SELECT * FROM layer_date ORDER BY id, lo, hi"
both_same "the same map counts, values and dates, built (made again at the end)" "$MAP_QUERY"
both_same "the same log size and number of cached subtrees" \
    "SELECT (SELECT count(*) FROM log_entry), (SELECT count(*) FROM merkle_node),
            (SELECT max(size) FROM tree_head)"

ok_fts=0
for a in one bulk; do
    for t in search_words search_cjk search_short; do
        # rank 1: also checked against the text its external content gives
        sql "$T/$a" "INSERT INTO $t($t, rank) VALUES ('integrity-check', 1)" >/dev/null 2>"$T/err" \
            || { ok_fts=1; cat "$T/err"; }
    done
done
verdict "the full-text indexes pass FTS5's integrity check" $ok_fts

search_all() {
    local q
    while IFS= read -r q; do
        ATTEST_ARCHIVE="$1" attest search "$q" --limit 20 --json \
            | json_get '" ".join(h["record"]["id"] for h in j)'
    done <"$T/queries.txt"
}
search_all "$T/one" >"$T/search.one"
search_all "$T/bulk" >"$T/search.bulk"
[ -s "$T/search.one" ] && cmp -s "$T/search.one" "$T/search.bulk"
verdict "40 searches find the same records in the same order" $? \
    "$(diff "$T/search.one" "$T/search.bulk" | head -5)"

ATTEST_ARCHIVE="$T/bulk" check "verify recomputes every leaf, subtree and root of the bulk import" \
    attest verify
# Each leaf is the hash of its version's canonical text (verify checks it);
# the texts differ only in written_at, so the leaves and roots are not
# compared between the two archives.

# --- a bulk part smaller than the archive's points: the map's counts are kept
# record by record, not made again from every point ----------------------------
"$T/gen_records" 760 20240601 "$T/760.jsonl" "$T/760.csv" "$T/760_queries.txt" 1 2>/dev/null
tail -n +701 "$T/760.jsonl" >"$T/more.jsonl"
cp -r "$T/one" "$T/more_one" && cp -r "$T/one" "$T/more_bulk"
ATTEST_ARCHIVE="$T/more_one" attest import jsonl "$T/more.jsonl" --bulk-after 0 2>/dev/null
ATTEST_ARCHIVE="$T/more_bulk" check "import 60 records in bulk into an archive of 700" \
    attest import jsonl "$T/more.jsonl" --bulk-after 1
ONE=$T/more_one BULK=$T/more_bulk both_same "the same map counts, values and dates (kept)" "$MAP_QUERY"

# --- a bad row in the bulk part: nothing is left ------------------------------
{ head -300 "$T/gen.jsonl"
  echo '{"type":"event","data":{"title":"FICTIONAL bad date","date":"someday"}}'
  tail -n +301 "$T/gen.jsonl"; } >"$T/bad.jsonl"
new_archive failed
log_before=$(sql "$T/failed" "SELECT count(*) FROM log_entry")
check_fails "a bad row after the switch fails the import, naming line and field" 2 \
    'bad.jsonl:301: .*field "date"' attest import jsonl "$T/bad.jsonl" --bulk-after 10
same "nothing of it is kept" "0|$log_before|0" \
    "$(sql "$T/failed" "SELECT (SELECT count(*) FROM record_version), (SELECT count(*) FROM log_entry),
        (SELECT count(*) FROM search_words)")"
same "the indexes the bulk path drops are back" "record_ref_id record_ref_target" \
    "$(sql "$T/failed" "SELECT name FROM sqlite_master WHERE name IN ('record_ref_id',
        'record_ref_target') ORDER BY name" | tr '\n' ' ' | sed 's/ $//')"

{ head -300 "$T/gen.jsonl"; sed -n 1p "$T/gen.jsonl" | sed 's/"id":"wt-[0-9a-z]*"/"id":"wt-000000000002"/'
  tail -n +301 "$T/gen.jsonl"; } >"$T/dup.jsonl"
new_archive dup
check_fails "a witness code used twice in the bulk part is refused" 2 \
    'dup.jsonl:301: .*field "code".*already in use' attest import jsonl "$T/dup.jsonl" --bulk-after 10

new_archive skipping
check "with --skip-bad the bulk path keeps the good rows" \
    attest import jsonl "$T/bad.jsonl" --bulk-after 10 --skip-bad
ATTEST_ARCHIVE="$T/skipping" check "and its log verifies" attest verify

# --- CSV takes the same path ---------------------------------------------------
python3 - >"$T/sites.csv" <<'PY'
print("id,name,site_type,lat,lon,description")
for i in range(40):
    print("si-%012d,FICTIONAL site %d,burial_site,%.5f,%.5f,\"FICTIONAL 매장지 %d, north\"" % (
        i + 2, i, 39 + i / 100, 125 + i / 50, i))
PY
new_archive csv_one
attest import csv "$T/sites.csv" --type site --bulk-after 0 2>/dev/null
new_archive csv_bulk
check "import csv in bulk after 5 rows" attest import csv "$T/sites.csv" --type site --bulk-after 5
a=$(sql "$T/csv_one" "SELECT rowid, id, lat, lon, json_remove(doc, '$.written_at') FROM record_current
    ORDER BY rowid; SELECT id, rid, clearance FROM geo_rtree ORDER BY id")
b=$(sql "$T/csv_bulk" "SELECT rowid, id, lat, lon, json_remove(doc, '$.written_at') FROM record_current
    ORDER BY rowid; SELECT id, rid, clearance FROM geo_rtree ORDER BY id")
[ "$(echo "$a" | grep -c 'burial_site')" -eq 40 ] && [ "$a" == "$b" ]
verdict "the CSV import leaves the same current view and spatial index both ways" $? \
    "$(diff <(echo "$a") <(echo "$b") | head -5)"
check_fails "--bulk-after takes a number" 2 'bulk-after' \
    attest import csv "$T/sites.csv" --type site --bulk-after many
