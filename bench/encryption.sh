#!/usr/bin/env bash
# encryption.sh: what encryption at rest costs.  The same work on the
# encrypted build (build/attest, SQLCipher) and on the same program built
# without encryption (build/plain/attest), in the same run, interleaved:
#   - import of BENCH_RECORDS (default 100000) generated FICTIONAL records
#   - search: BENCH_QUERIES (default 1000) queries through the core library
#   - record reads: `attest export jsonl` reads every record back
# Target: encrypted at most 15% slower than plain.  Also: opening the
# archive with a key kept by `attest unlock` against a fresh Argon2id
# derivation at the default cost.  Prints wall and CPU time, and the load.
set -euo pipefail
cd "$(dirname "$0")/.."

records=${BENCH_RECORDS:-100000}
nqueries=${BENCH_QUERIES:-1000}
seed=${BENCH_SEED:-20240601}
rounds=${BENCH_ROUNDS:-2}

{ [ -x /usr/bin/time ] && command -v bc >/dev/null; } || scripts/deps
make -s build/attest build/bench/search_latency build/plain/attest build/plain/bench/search_latency
work=$(mktemp -d "${TMPDIR:-/tmp}/attest-bench-enc.XXXXXX")
trap 'rm -rf "$work"' EXIT
cc -O2 -std=c17 -D_GNU_SOURCE -o "$work/gen_records" bench/gen_records.c
"$work/gen_records" "$records" "$seed" "$work/records.jsonl" "$work/records.csv" \
    "$work/queries.txt" "$nqueries"
printf 'FICTIONAL bench passphrase\n' >"$work/pass"
export ATTEST_PASSPHRASE_FD=3 ATTEST_USER=admin
exec 3<"$work/pass"

field() { sed -n "s/^[[:space:]]*$2: //p" "$1"; }
# timed NAME COMMAND...: runs COMMAND, adds its wall and CPU seconds to
# $work/NAME.wall and $work/NAME.cpu (one line per run).
timed() {
    local name=$1; shift
    /usr/bin/time -v -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    field "$work/t" "Elapsed (wall clock) time (h:mm:ss or m:ss)" \
        | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }' >>"$work/$name.wall"
    echo "$(field "$work/t" "User time (seconds)") + $(field "$work/t" "System time (seconds)")" \
        | bc -l >>"$work/$name.cpu"
}
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
    for variant in plain encrypted; do
        bin=build/attest; lat=build/bench/search_latency
        [ $variant = plain ] && bin=build/plain/attest lat=build/plain/bench/search_latency
        a=$work/$variant$round
        "$bin" init "$a" --kdf interactive >/dev/null 2>&1
        timed "$variant.import" "$bin" -A "$a" import jsonl "$work/records.jsonl"
        timed "$variant.reads" "$bin" -A "$a" export jsonl
        read -r _ _ _ _ _ p50 _ p95 _ < <("$lat" "$a" "$work/queries.txt")
        echo "$p50" >>"$work/$variant.p50"
        echo "$p95" >>"$work/$variant.p95"
        rm -rf "$a"
    done
done

fmt='%-34s %12s %12s %9s %8s\n'
printf "\n$fmt" "figure ($records records, median of $rounds)" plain encrypted "enc/plain" target
row() {
    local label=$1 p e
    p=$(median "$work/plain.$2") e=$(median "$work/encrypted.$2")
    printf "$fmt" "$label" "$p" "$e" "$(echo "scale=3; $e / $p" | bc -l)" "<= 1.15"
}
row "import, wall s" import.wall
row "import, CPU s" import.cpu
row "read every record (export), wall s" reads.wall
row "read every record (export), CPU s" reads.cpu
row "search p50 ms ($nqueries queries)" p50
row "search p95 ms" p95

# Opening the archive: a kept key against Argon2id at the default cost.
a=$work/unlock
build/attest init "$a" >/dev/null 2>&1
: >"$work/fresh.wall"; : >"$work/fresh.cpu"; : >"$work/kept.wall"; : >"$work/kept.cpu"
for _ in 1 2 3 4 5; do timed fresh build/attest -A "$a" stats; done
if build/attest -A "$a" unlock --for 5m 2>/dev/null; then
    for _ in 1 2 3 4 5; do timed kept env -u ATTEST_PASSPHRASE_FD build/attest -A "$a" stats; done
    build/attest -A "$a" lock 2>/dev/null
    printf "\n%-58s %8s %8s\n" "open the archive and count its records (median of 5)" "wall s" "CPU s"
    printf "%-58s %8s %8s\n" "passphrase, Argon2id moderate (256 MiB)" "$(median "$work/fresh.wall")" "$(median "$work/fresh.cpu")"
    printf "%-58s %8s %8s\n" "key kept by 'attest unlock' (kernel keyring)" "$(median "$work/kept.wall")" "$(median "$work/kept.cpu")"
else
    echo "the kernel keyring is not available here: unlock not measured"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
