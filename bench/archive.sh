#!/usr/bin/env bash
# The archive benchmark: import, search, size and memory at scale.
#
# Generates BENCH_RECORDS (default 1,000,000) FICTIONAL records with a fixed
# seed (BENCH_SEED), then measures in this one run:
#   - `attest import jsonl` into a fresh archive: wall time, records/s and
#     peak resident memory;
#   - the peer: the sqlite3 shell's `.import` of the same rows as plain CSV
#     (type,id,data) into one table, on the same journal mode;
#   - 1,000 searches (English words and prefixes, Hangul of two and of three
#     or more characters, names, Chinese) through the core library:
#     p50 / p95 / p99 latency;
#   - the archive's size on disk after a checkpoint.
# and prints one table with the targets and the peer's figures.
set -euo pipefail
cd "$(dirname "$0")/.."

records=${BENCH_RECORDS:-1000000}
seed=${BENCH_SEED:-20240601}
nqueries=${BENCH_QUERIES:-1000}
attest=${ATTEST_BIN:-$PWD/build/attest}

{ [ -x /usr/bin/time ] && command -v bc >/dev/null; } || scripts/deps
[ -x "$attest" ] && [ -f build/libattest.a ] || make -s all

work=$(mktemp -d "${TMPDIR:-/tmp}/attest-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

cc -O2 -std=c17 -D_GNU_SOURCE -o "$work/gen_records" bench/gen_records.c
make -s build/bench/search_latency build/attest-sql

now() { date +%s.%N; }
# field FILE LABEL: the value after "LABEL: " in /usr/bin/time -v output.
field() { sed -n "s/^[[:space:]]*$2: //p" "$1"; }

echo "generating $records FICTIONAL records (seed $seed)..." >&2
t0=$(now)
"$work/gen_records" "$records" "$seed" "$work/records.jsonl" "$work/records.csv" \
    "$work/queries.txt" "$nqueries"
t1=$(now)
printf 'generated in %.1f s: JSONL %d MiB, CSV %d MiB\n' "$(echo "$t1 - $t0" | bc)" \
    $(( $(stat -c %s "$work/records.jsonl") >> 20 )) $(( $(stat -c %s "$work/records.csv") >> 20 )) >&2

# attest: a fresh archive, one import.  Every write needs a user, and the
# user a passphrase (the cheap key derivation: it is not what is measured).
printf 'FICTIONAL bench passphrase\n' >"$work/pass"
export ATTEST_PASSPHRASE_FD=3 ATTEST_USER=admin
"$attest" init "$work/archive" --kdf interactive 3<"$work/pass" >/dev/null 2>"$work/init.err" \
    || { cat "$work/init.err" >&2; exit 1; }
echo "attest import jsonl..." >&2
t0=$(now)
/usr/bin/time -v -o "$work/import.time" \
    "$attest" -A "$work/archive" import jsonl "$work/records.jsonl" 3<"$work/pass" 2>"$work/import.err" \
    || { cat "$work/import.err" >&2; exit 1; }
t1=$(now)
import_s=$(echo "$t1 - $t0" | bc -l)
import_rss_kib=$(field "$work/import.time" "Maximum resident set size (kbytes)")
import_cpu=$(echo "$(field "$work/import.time" "User time (seconds)") + $(field "$work/import.time" "System time (seconds)")" | bc -l)
grep '^imported' "$work/import.err" >&2 || true
build/attest-sql "$work/archive" "PRAGMA wal_checkpoint(TRUNCATE);" 3<"$work/pass" >/dev/null
archive_bytes=$(stat -c %s "$work/archive/attest.db")
[ -f "$work/archive/attest.db-wal" ] && archive_bytes=$(( archive_bytes + $(stat -c %s "$work/archive/attest.db-wal") ))

# The peer: the sqlite3 shell, the same rows as CSV into one plain table.
echo "sqlite3 .import csv..." >&2
sqlite3 "$work/peer.db" "PRAGMA journal_mode = WAL;
    CREATE TABLE records (type TEXT, id TEXT, data TEXT);" >/dev/null
t0=$(now)
/usr/bin/time -v -o "$work/peer.time" \
    sqlite3 "$work/peer.db" ".import --csv --skip 1 $work/records.csv records"
t1=$(now)
peer_s=$(echo "$t1 - $t0" | bc -l)
peer_rss_kib=$(field "$work/peer.time" "Maximum resident set size (kbytes)")
peer_cpu=$(echo "$(field "$work/peer.time" "User time (seconds)") + $(field "$work/peer.time" "System time (seconds)")" | bc -l)
peer_rows=$(sqlite3 "$work/peer.db" "SELECT count(*) FROM records;")
sqlite3 "$work/peer.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
peer_bytes=$(stat -c %s "$work/peer.db")

echo "search latency over $nqueries queries..." >&2
build/bench/search_latency "$work/archive" "$work/queries.txt" 3<"$work/pass" >"$work/search.out"
read -r _ _ _ hits _ p50 _ p95 _ p99 _ pmax < <(head -1 "$work/search.out")

rate=$(echo "$records / $import_s" | bc -l)
peer_rate=$(echo "$peer_rows / $peer_s" | bc -l)
ok() { if [ "$(echo "$1" | bc -l)" -eq 1 ]; then echo "met"; else echo "MISSED"; fi; }
mib() { echo "$1 / 1048576" | bc -l; }

echo
printf 'archive benchmark: %d FICTIONAL records (seed %s), %d queries (%d hits); load average %s\n' \
    "$records" "$seed" "$nqueries" "$hits" "$(cut -d' ' -f1-3 /proc/loadavg)"
fmt='%-26s %14s  %-16s %-7s %14s  %s\n'
printf "$fmt" "figure" "attest" "target" "" "sqlite3 peer" "attest / peer"
printf "$fmt" "--------------------------" "--------------" "----------------" "-------" "--------------" "-------------"
printf "$fmt" "import wall time (s)" "$(printf %.1f "$import_s")" "" "" "$(printf %.1f "$peer_s")" \
    "$(printf %.2f "$(echo "$import_s / $peer_s" | bc -l)")x"
printf "$fmt" "import CPU time (s)" "$(printf %.1f "$import_cpu")" "" "" "$(printf %.1f "$peer_cpu")" \
    "$(printf %.2f "$(echo "$import_cpu / $peer_cpu" | bc -l)")x"
printf "$fmt" "import rate (records/s)" "$(printf %.0f "$rate")" ">= 100000" \
    "$(ok "$rate >= 100000")" "$(printf %.0f "$peer_rate")" \
    "$(printf %.2f "$(echo "$rate / $peer_rate" | bc -l)")x"
printf "$fmt" "  per CPU second" "$(printf %.0f "$(echo "$records / $import_cpu" | bc -l)")" "" "" \
    "$(printf %.0f "$(echo "$peer_rows / $peer_cpu" | bc -l)")" ""
printf "$fmt" "import peak memory (MiB)" "$(printf %.0f "$(mib $((import_rss_kib * 1024)))")" \
    "<= 1024" "$(ok "$import_rss_kib <= 1048576")" \
    "$(printf %.0f "$(mib $((peer_rss_kib * 1024)))")" \
    "$(printf %.2f "$(echo "$import_rss_kib / $peer_rss_kib" | bc -l)")x"
printf "$fmt" "size on disk (MiB)" "$(printf %.0f "$(mib "$archive_bytes")")" "" "" \
    "$(printf %.0f "$(mib "$peer_bytes")")" \
    "$(printf %.2f "$(echo "$archive_bytes / $peer_bytes" | bc -l)")x"
printf "$fmt" "search p50 (ms)" "$p50" "" "" "" ""
printf "$fmt" "search p95 (ms)" "$p95" "<= 20" "$(ok "$p95 <= 20")" "" ""
printf "$fmt" "search p99 (ms)" "$p99" "" "" "" ""
printf "$fmt" "search max (ms)" "$pmax" "" "" "" ""
echo "search latency by plan (ms):"
tail -n +2 "$work/search.out" | sed 's/^/  /'
