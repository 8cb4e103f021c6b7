#!/usr/bin/env bash
# test_evidence_crash.sh: `attest evidence add` killed with SIGKILL at a
# random moment loses nothing that was committed and leaves a sound
# archive.  Each of 20 rounds adds 30 new files of 1 to 3 MB in one
# command.  Every fifth round (0, 5, 10, ...) runs to the end, to time an
# add as the archive is now (later adds take longer than the first) and to
# have something committed; each other round is killed after a delay
# spread evenly over 0 to 200% of the latest timed add (a random point in
# the round's own slice), so that kills land early, during the commit of
# the files, and after the end.  After each round:
# `attest verify` passes (every vault file decrypted and hashed), once the
# staging file a kill may leave, which it reports, is removed; every
# item listed before the round is still listed with the same SHA-256; the
# round's files went in all together or not at all, each with the SHA-256
# of its source file; and a sample of earlier items comes back byte for
# byte.  Both outcomes must happen: some killed rounds die mid-way and
# some have finished.  Set CRASH_SEED to replay a run (it is printed).
. "$(dirname "$0")/lib.sh"
tmp=$T
# The rounds' input files live in memory when they can: writing them is
# not what is tested.
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}
in=$(mktemp -d "$shm/attest-crash-in.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp" "$in"' EXIT

ROUNDS=${CRASH_ROUNDS:-20} FILES=30 TIMED_EVERY=5
seed=${CRASH_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$seed
# The rounds that are killed, and the tests: every round sound, kills that
# landed mid-way, kills that came after the end, one file per item after.
kill_rounds=$(( ROUNDS - ROUNDS / TIMED_EVERY ))
plan 4
echo "# CRASH_SEED=$seed"

failures=0
# fail WHAT [DETAIL...]: a problem in a round, as comment lines; the
# rounds' test fails when there was any.
fail() {
    echo "# evidence crash: $1 (CRASH_SEED=$seed)"
    [ $# -gt 1 ] && printf '#     %s\n' "${@:2}"
    failures=$((failures + 1))
}

export ATTEST_USER=admin ATTEST_ARCHIVE=$tmp/a
at() { "$ATTEST_BIN" "$@" 3<"$tmp/.passphrase"; }

if ! at init "$tmp/a" --kdf interactive 2>/dev/null; then
    not_ok "evidence crash: creating the archive"
    exit 1
fi

# A pool of random bytes that the rounds' files are cut from, each behind
# a header naming its round and number, so that every file is new.
head -c $((4 << 20)) /dev/urandom >"$tmp/pool"
# make_files ROUND: writes FILES new files of 1 to 3 MB into $in, and
# their SHA-256 sums into $tmp/in.sha.
make_files() {
    rm -f "$in"/*.bin
    python3 - "$in" "$FILES" "$1" "$tmp/pool" <<'EOF'
import random, sys
d, n, r = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pool = open(sys.argv[4], "rb").read()
rng = random.Random(r)
for i in range(n):
    size = rng.randint(1 << 20, 3 << 20)
    head = f"FICTIONAL crash-test file {r}/{i}\n".encode()
    start = rng.randint(0, len(pool) - size)
    with open(f"{d}/round{r:02d}-file{i:02d}.bin", "wb") as f:
        f.write(head + pool[start:start + size - len(head)])
EOF
    (cd "$in" && sha256sum -- *.bin) | awk '{print $1}' | sort >"$tmp/in.sha"
}

# list_items FILE: the vault's items as "id sha256" lines, sorted.
list_items() {
    at evidence list --json 2>"$tmp/list.err" | python3 -c '
import json, sys
for item in json.load(sys.stdin):
    print(item["id"], item["sha256"])' | sort >"$1"
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

: >"$tmp/before"
full_ms=0 killed=0 completed=0 reported=0
for round in $(seq 0 $ROUNDS); do
    make_files "$round"
    timed=$(( round % TIMED_EVERY == 0 ))
    start=$(now_ms)
    # Started directly (not through a function) so that $! is attest itself.
    "$ATTEST_BIN" evidence add "$in"/*.bin 3<"$tmp/.passphrase" >/dev/null 2>"$tmp/add.err" &
    pid=$!
    delay=
    if [ $timed -eq 0 ]; then
        slice=$(( full_ms * 2 / kill_rounds + 1 ))
        nth=$(( round - round / TIMED_EVERY - 1 ))
        delay=$(( nth * slice + (RANDOM * 32768 + RANDOM) % slice ))
        sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
        kill -9 $pid 2>/dev/null
    fi
    wait $pid 2>/dev/null
    status=$?
    [ $timed -eq 1 ] && full_ms=$(( $(now_ms) - start ))
    if [ $status -eq 137 ]; then
        killed=$((killed + 1))
    elif [ $status -eq 0 ]; then
        [ $timed -eq 0 ] && completed=$((completed + 1))
    else
        fail "round $round: evidence add failed by itself" "$(cat "$tmp/add.err")"
    fi

    # A kill during an encryption leaves its staging file, which verify
    # reports; it must hold no plaintext.  Deleted, the rest must verify.
    if ! at verify >"$tmp/verify.out" 2>&1 && grep -q "is an unfinished upload or add" "$tmp/verify.out"; then
        staged=$(ls -A "$tmp/a/vault" | grep '^\.' | sed "s|^|$tmp/a/vault/|")
        [ $status -eq 137 ] || fail "round $round: only a kill leaves a staging file" "$staged"
        if grep -l -a -F "FICTIONAL crash-test file" $staged > /dev/null; then
            fail "round $round: no plaintext in the staging file left by the kill"
        fi
        rm -f $staged
        reported=$((reported + 1))
    fi
    if ! at verify >"$tmp/verify.out" 2>&1; then
        fail "round $round: verify after the kill" "$(cat "$tmp/verify.out")"
        break
    fi
    list_items "$tmp/after"
    if [ -n "$(comm -23 "$tmp/before" "$tmp/after")" ]; then
        fail "round $round: items committed before are still listed, same SHA-256" \
            "$(comm -23 "$tmp/before" "$tmp/after" | head -5)" "$(cat "$tmp/list.err")"
    fi
    comm -13 "$tmp/before" "$tmp/after" | awk '{print $2}' | sort >"$tmp/new.sha"
    new=$(wc -l <"$tmp/new.sha")
    if [ "$new" -ne 0 ] && ! cmp -s "$tmp/new.sha" "$tmp/in.sha"; then
        fail "round $round: the round's files went in all or none, with their SHA-256" \
            "$new new items, $FILES files"
    fi
    if [ $status -eq 0 ] && [ "$new" -ne "$FILES" ]; then
        fail "round $round: a completed add committed every file" "$new new items"
    fi
    # A sample of what was there before comes back byte for byte.
    if [ -s "$tmp/before" ]; then
        for pick in 1 2; do
            line=$(sed -n "$(( RANDOM % $(wc -l <"$tmp/before") + 1 ))p" "$tmp/before")
            id=${line% *} sha=${line#* }
            got=$(at evidence get "$id" 2>"$tmp/get.err" | sha256sum | awk '{print $1}')
            [ "$got" = "$sha" ] || fail "round $round: evidence get $id" "$(cat "$tmp/get.err")"
        done
    fi
    echo "# round $round: delay ${delay:-none} ms of $full_ms, status $status, $new new, $(ls -A "$tmp/a/vault" | wc -l) vault files, $(( $(now_ms) - start )) ms"
    mv "$tmp/after" "$tmp/before"
done

# What the killed rounds left in the vault goes with the next add.
printf 'FICTIONAL last file\n' > "$tmp/last.txt"
at evidence add "$tmp/last.txt" >/dev/null 2>"$tmp/last.err" || fail "a last add" "$(cat "$tmp/last.err")"
vault_files=$(ls -A "$tmp/a/vault" | wc -l)
items=$(at evidence list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$vault_files" -eq "$items" ]
verdict "evidence crash: after the crashes, the next add leaves one vault file per item ($items)" $? \
    "$vault_files files, $items items"
verdict "evidence crash: $ROUNDS rounds ($killed killed, $completed completed, $(wc -l <"$tmp/before") items, $reported staging files left, reported and without plaintext): verify passes, nothing committed is lost" \
    $failures "CRASH_SEED=$seed"
[ $killed -gt 0 ]
verdict "evidence crash: some kills landed mid-way ($killed of $kill_rounds)" $? "CRASH_SEED=$seed"
[ $completed -gt 0 ]
verdict "evidence crash: some killed rounds had already finished ($completed of $kill_rounds)" $? "CRASH_SEED=$seed"
