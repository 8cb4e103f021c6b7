#!/usr/bin/env bash
# test_at_rest.sh: a copy of an archive's directory reveals nothing without
# a passphrase.  Records carrying planted words (titles, names, places,
# descriptions) are written, read and searched; every file under the
# archive (database, WAL, shared memory, journals, key file, vault) is then
# searched for those words, also after imports killed with SIGKILL at
# random moments.  Also: a wrong passphrase opens nothing; a read-only copy
# opens and verifies; 'attest upgrade' encrypts an archive an earlier
# attest wrote in plaintext, keeping its log's root; 'attest unlock' and
# 'attest lock' keep and drop the key in the kernel's keyring.
. "$(dirname "$0")/lib.sh"
plan 31
: "${ATTEST_SQL:?set ATTEST_SQL (tests/run does)}"
: "${ATTEST_PLAIN_BIN:?set ATTEST_PLAIN_BIN (tests/run does)}"

# Words that appear nowhere but in the records this test writes.
WORDS=(Quetzalhollow Brindlemarsh 청어바위골 "Ondrej Vasquetti" 霧橋村 sandbankmarker)

# leaks DIR: prints each file under DIR holding one of WORDS, and the word.
leaks() {
    local f w
    while IFS= read -r -d '' f; do
        for w in "${WORDS[@]}"; do
            grep -qaF -- "$w" "$f" && echo "$f: $w"
        done
    done < <(find "$1" -type f -print0)
}

# plant: records holding every planted word, through several paths.
plant() {
    local w e
    w=$(attest add witness --code W-7001 --sex female --home-province "North Hamgyong" \
        --notes "FICTIONAL: fled from ${WORDS[1]}") || return 1
    e=$(attest add event --title "FICTIONAL ${WORDS[0]} detention" --date 1998 \
        --county Hoeryong --description "FICTIONAL: by the ${WORDS[5]} near ${WORDS[2]}") || return 1
    attest add person --name "FICTIONAL ${WORDS[3]}" --name "${WORDS[4]}" >/dev/null || return 1
    attest amend "$e" --description "FICTIONAL: amended at ${WORDS[2]} (${WORDS[5]})" \
        --reason "FICTIONAL correction" >/dev/null || return 1
    printf 'FICTIONAL evidence about %s\n' "${WORDS[0]}" >"$T/evidence.txt"
    attest evidence add "$T/evidence.txt" --type document --note "FICTIONAL" >/dev/null 2>&1
    rm -f "$T/evidence.txt"
}

new_archive enc
if ! plant; then
    not_ok "planting records" "$(cat "$T/err" 2>/dev/null)"
    exit 0
fi
check "the planted records are found by search" attest search "${WORDS[0]}"
grep -q "${WORDS[0]}" "$T/out" || not_ok "search shows the planted title" "$(cat "$T/out")"

found=$(leaks "$ARCHIVE")
verdict "after normal use, no file of the archive holds a planted word" \
    "$([ -z "$found" ]; echo $?)" "$found"
verdict "the database is not a plaintext SQLite file" \
    "$(head -c 16 "$ARCHIVE/attest.db" | grep -qa 'SQLite format 3'; [ $? -ne 0 ]; echo $?)"
if command -v sqlite3 >/dev/null; then
    out=$(sqlite3 "$ARCHIVE/attest.db" "SELECT count(*) FROM record_version" 2>&1)
    verdict "the sqlite3 shell cannot read the database" \
        "$(grep -q "not a database" <<<"$out"; echo $?)" "$out"
fi

# With a reader holding the WAL open, the WAL itself is searched too.
mkfifo "$T/reader.in"
"$ATTEST_SQL" "$ARCHIVE" <"$T/reader.in" >"$T/reader.out" 2>&1 &
reader=$!
exec 5>"$T/reader.in"
echo "BEGIN; SELECT count(*) FROM log_entry;" >&5
for _ in $(seq 50); do [ -s "$T/reader.out" ] && break; sleep 0.1; done
attest add event --title "FICTIONAL ${WORDS[0]} second" --date 2001 >/dev/null
ls "$ARCHIVE"/attest.db-wal >/dev/null 2>&1; wal=$?
found=$(leaks "$ARCHIVE")
verdict "with the WAL held open (present: $([ $wal -eq 0 ] && echo yes || echo no)), no file holds a planted word" \
    "$([ -z "$found" ]; echo $?)" "$found"
exec 5>&-
wait "$reader" 2>/dev/null

# ---- a copy without the passphrase -----------------------------------------
cp -a "$ARCHIVE" "$T/copy"
printf 'FICTIONAL wrong passphrase\n' >"$T/wrong"
check_fails "a wrong passphrase opens nothing" 1 "wrong user name or passphrase" \
    "$ATTEST_BIN" -A "$T/copy" --passphrase-fd 4 list 4<"$T/wrong"
check_fails "an unknown user opens nothing, with the same message" 1 "wrong user name or passphrase" \
    "$ATTEST_BIN" -A "$T/copy" -u nobody list
rm "$T/copy/attest.keys"
check_fails "without its key file the database cannot be opened, and says so" 1 "no key file" \
    "$ATTEST_BIN" -A "$T/copy" list
rm -rf "$T/copy"

# ---- kill -9 during writes -------------------------------------------------
python3 - >"$T/bulk.jsonl" <<EOF
import json
for i in range(3000):
    print(json.dumps({"type": "event", "data": {"title": "FICTIONAL ${WORDS[0]} bulk %d" % i,
        "date": "1999", "description": "FICTIONAL ${WORDS[5]} at ${WORDS[2]} %d" % i}},
        ensure_ascii=False))
EOF
seed=${CRASH_SEED:-$$}
RANDOM=$seed
echo "# kill delays drawn from seed $seed (CRASH_SEED=$seed replays them)"
crash_leaks=""
for round in 1 2 3 4 5 6; do
    cp -a "$ARCHIVE" "$T/crash$round"
    "$ATTEST_BIN" -A "$T/crash$round" import jsonl "$T/bulk.jsonl" >/dev/null 2>&1 &
    pid=$!
    sleep "0.$(printf '%03d' $((RANDOM % 900 + 50)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    crash_leaks+=$(leaks "$T/crash$round")
    ATTEST_ARCHIVE="$T/crash$round" attest verify --no-vault >/dev/null 2>"$T/err" \
        || crash_leaks+="round $round: verify: $(cat "$T/err")"
    rm -rf "$T/crash$round"
done
verdict "after imports killed at random moments, the archive verifies and no file holds a planted word" \
    "$([ -z "$crash_leaks" ]; echo $?)" "$crash_leaks" "CRASH_SEED=$seed"

# ---- a read-only copy --------------------------------------------------------
# A court's copy sits on write-blocked media: a read-only bind mount when
# this runs as root (who ignores file modes), file modes otherwise.
cp -a "$ARCHIVE" "$T/court"
ro=(env)
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null \
   && unshare -m true 2>/dev/null; then
    ro=(unshare -m sh -c 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"' "$T/court")
else
    chmod -R a-w "$T/court"
fi
before=$(find "$T/court" -type f -exec sha256sum {} + | sort)
check "a read-only copy verifies, vault included" "${ro[@]}" "$ATTEST_BIN" -A "$T/court" verify
check "a read-only copy shows its records" "${ro[@]}" "$ATTEST_BIN" -A "$T/court" search "${WORDS[0]}"
grep -q "${WORDS[0]}" "$T/out" || not_ok "the read-only copy finds the planted title" "$(cat "$T/out")"
check_fails "a read-only copy refuses writes, saying why" 1 "read.?only" \
    "${ro[@]}" "$ATTEST_BIN" -A "$T/court" add event --title "FICTIONAL" --date 2000
same "the read-only copy is unchanged" "$before" "$(find "$T/court" -type f -exec sha256sum {} + | sort)"
chmod -R u+w "$T/court"

# ---- attest upgrade: an archive written before encryption ------------------
PLAIN="$T/plain"
"$ATTEST_PLAIN_BIN" init "$PLAIN" --kdf interactive >/dev/null 2>&1
export ATTEST_ARCHIVE="$PLAIN"
ATTEST_BIN=$ATTEST_PLAIN_BIN plant || not_ok "planting records in a plaintext archive"
"$ATTEST_PLAIN_BIN" user add olga --role officer --new-passphrase-fd 4 --kdf interactive \
    4<"$T/.passphrase" >/dev/null 2>&1
rm -f "$PLAIN/attest.keys"          # an earlier attest had no key file
found=$(leaks "$PLAIN")
verdict "before the upgrade, the plaintext archive holds the planted words (the search works)" \
    "$([ -n "$found" ]; echo $?)"
check_fails "an unencrypted archive is refused, naming the upgrade" 1 "attest upgrade" attest list
check "attest upgrade encrypts it" attest upgrade
grep -q "signed root over [0-9]* entries is unchanged" "$T/out" \
    || not_ok "upgrade reports the log's root unchanged" "$(cat "$T/out")"
found=$(leaks "$PLAIN")
verdict "after the upgrade, no file holds a planted word" "$([ -z "$found" ]; echo $?)" "$found"
verdict "after the upgrade, no file is left beside the database" \
    "$(ls "$PLAIN" | grep -qv '^attest.db$\|^attest.keys$\|^vault$'; [ $? -ne 0 ]; echo $?)" "$(ls "$PLAIN")"
check "the upgraded archive verifies" attest verify
same "the upgraded archive has the pages a new archive has (16 KiB)" 16384 \
    "$("$ATTEST_SQL" "$PLAIN" "PRAGMA cipher_page_size" 2>&1 | tail -1)"
check "the upgraded archive finds its records" attest search "${WORDS[4]}"
grep -q "${WORDS[4]}" "$T/out" || not_ok "upgraded search shows the person" "$(cat "$T/out")"
check "a second user opens the upgraded archive with their own passphrase" \
    "$ATTEST_BIN" -u olga list
check "attest upgrade on an encrypted archive does nothing" attest upgrade
grep -q "already encrypted" "$T/err" || not_ok "upgrade says it is already encrypted" "$(cat "$T/err")"

# ---- attest unlock / lock ----------------------------------------------------
new_archive keyring
if ! keyctl show @u >/dev/null 2>&1; then
    ok "# SKIP the kernel keyring is not available here"
else
    check "attest unlock keeps the key" attest unlock --for 2m
    check "a command then runs with no passphrase at hand" \
        env -u ATTEST_PASSPHRASE_FD "$ATTEST_BIN" list </dev/null
    check "attest lock drops it" attest lock
    check_fails "after lock, a command asks for the passphrase again" 1 "passphrase" \
        env -u ATTEST_PASSPHRASE_FD "$ATTEST_BIN" list </dev/null
    check_fails "lock with nothing kept says so" 1 "no key was kept" attest lock
    check_fails "unlock refuses a wrong passphrase and keeps nothing" 1 "wrong user name or passphrase" \
        attest unlock --passphrase-fd 4 4<"$T/wrong"
    check_fails "nothing was kept by the refused unlock" 1 "passphrase" \
        env -u ATTEST_PASSPHRASE_FD "$ATTEST_BIN" list </dev/null
    check_fails "unlock --for refuses a nonsense time" 2 "--for takes" attest unlock --for soon
fi
