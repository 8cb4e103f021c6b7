#!/usr/bin/env bash
# test_crash.sh: an import killed with SIGKILL at a random moment leaves the
# archive as it was before the import or with the import complete, never
# in between.  Each round copies a small archive, starts an import of
# CRASH_RECORDS new records (default 10000, all FICTIONAL), kills it after
# a random delay spread over the time a whole import takes, then checks
# SQLite's integrity, the model's own invariants, the record count, and
# that `attest rebuild` works and keeps the counts.  The delays are
# spread evenly (each round a random point in its own slice of 0 to 200%
# of the import's time), so that some rounds die before the commit and
# some finish: both outcomes must happen.  Set CRASH_SEED to replay a run.
. "$(dirname "$0")/lib.sh"

N=${CRASH_RECORDS:-10000}
ROUNDS=${CRASH_ROUNDS:-20}
seed=${CRASH_SEED:-$$}
RANDOM=$seed
# One test of the uninterrupted import, one per round, two of the outcomes.
plan $((1 + ROUNDS + 2))
echo "# CRASH_SEED=$seed"

# A small archive to import into, with a version history of its own.
new_archive base
EV=$(attest add event --title "FICTIONAL base event" --date 1999)
PE=$(attest add person --name "FICTIONAL 박순자")
attest amend "$PE" --sex female --reason "FICTIONAL correction" >/dev/null
attest export jsonl >"$T/base.jsonl"
BASE=$(count_records)

python3 - "$N" "$EV" >"$T/crash.jsonl" <<'EOF'
import json, random, sys
n, event = int(sys.argv[1]), sys.argv[2]
rng = random.Random(7)
provinces = ["North Hamgyong", "Ryanggang", "South Pyongan", "Chagang"]
for i in range(n):
    kind = i % 4
    if kind == 0:
        rec = {"type": "event", "data": {"title": "FICTIONAL event %d" % i,
               "date": "%d-%02d" % (rng.randint(1990, 2019), rng.randint(1, 12)),
               "province": rng.choice(provinces),
               "description": "FICTIONAL crash-test record 사건 %d" % i}}
    elif kind == 1:
        rec = {"type": "person", "data": {"names": ["FICTIONAL 김%d" % i, "Kim %d" % i],
               "description": "FICTIONAL"}}
    elif kind == 2:
        rec = {"type": "act", "data": {"event": event, "act_type": "arbitrary_detention",
               "victim_count": rng.randint(1, 40), "description": "FICTIONAL act %d" % i}}
    else:
        rec = {"type": "site", "data": {"name": "FICTIONAL site %d" % i,
               "site_type": "detention_facility", "lat": round(rng.uniform(38, 43), 5),
               "lon": round(rng.uniform(124, 130), 5)}}
    print(json.dumps(rec, ensure_ascii=False))
EOF

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The model's own invariants: one log entry per version or other logged
# item, one current row per record, each current row at its record's
# newest version.
model_check() {
    "$ATTEST_SQL" "$1" "SELECT
        (SELECT count(*) FROM record_version) + (SELECT count(*) FROM log_item)
            = (SELECT count(*) FROM log_entry)
    AND (SELECT count(DISTINCT id) FROM record_version) = (SELECT count(*) FROM record_current)
    AND NOT EXISTS (SELECT 1 FROM record_current c
                    WHERE c.version <> (SELECT max(version) FROM record_version v WHERE v.id = c.id))"
}

# How long a whole import takes, measured once.
cp -a "$T/base" "$T/timed"
start=$(now_ms)
ATTEST_ARCHIVE="$T/timed" attest import jsonl "$T/crash.jsonl" 2>"$T/err"
DURATION=$(($(now_ms) - start))
same "an uninterrupted import of $N records (${DURATION} ms) is complete" \
    $((BASE + N)) "$(ATTEST_ARCHIVE="$T/timed" count_records)"
rm -rf "$T/timed"

before=0 complete=0
for round in $(seq 1 "$ROUNDS"); do
    dir="$T/round$round"
    rm -rf "$dir"
    cp -a "$T/base" "$dir"
    export ATTEST_ARCHIVE="$dir"
    # A random point in this round's slice of 0 to 200% of the import's
    # time, so that some rounds finish.
    slice=$((DURATION * 2 / ROUNDS + 1))
    delay=$(( (round - 1) * slice + (RANDOM * 32768 + RANDOM) % slice ))
    "$ATTEST_BIN" import jsonl "$T/crash.jsonl" 2>/dev/null &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null

    name="crash round $round (killed after $delay ms)"
    problems=()
    integrity=$("$ATTEST_SQL" "$dir" 'PRAGMA integrity_check' 2>&1)
    [ "$integrity" == ok ] || problems+=("integrity_check: $integrity")
    [ "$(model_check "$dir")" == 1 ] || problems+=("the current view does not match the versions")
    attest verify --no-vault >/dev/null 2>"$T/err" || problems+=("verify: $(cat "$T/err")")
    count=$(count_records)
    if [ "$count" == "$BASE" ]; then
        state="as before"
        attest export jsonl | cmp -s - "$T/base.jsonl" || problems+=("same count, but the export differs")
        before=$((before + 1))
    elif [ "$count" == $((BASE + N)) ]; then
        state="complete"
        complete=$((complete + 1))
    else
        state="partial"
        problems+=("partial import: $count records, expected $BASE or $((BASE + N))")
    fi
    attest stats --json >"$T/stats-before"
    attest rebuild 2>"$T/err" || problems+=("rebuild failed: $(cat "$T/err")")
    attest stats --json | cmp -s - "$T/stats-before" || problems+=("rebuild changed the counts")
    [ "$(model_check "$dir")" == 1 ] || problems+=("after rebuild, the current view does not match")
    if [ ${#problems[@]} -eq 0 ]; then
        ok "$name: $state; intact, and rebuild keeps the counts"
    else
        not_ok "$name: $state" "${problems[@]}"
    fi
    rm -rf "$dir"
done
echo "# crash rounds: $before left the archive as before, $complete completed the import (CRASH_SEED=$seed)"
[ "$before" -gt 0 ]
verdict "some crash rounds were killed before the import's commit ($before of $ROUNDS)" $? "CRASH_SEED=$seed"
[ "$complete" -gt 0 ]
verdict "some crash rounds ran to the end of the import ($complete of $ROUNDS)" $? "CRASH_SEED=$seed"
exit 0
