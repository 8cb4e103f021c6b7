#!/usr/bin/env bash
# The search benchmark: multi-word queries ranked by attest beside FTS5's
# own ranked query, in one run on one archive.
#
# Generates BENCH_RECORDS (default 1,000,000) FICTIONAL records with a fixed
# seed (BENCH_SEED) and imports them, or uses the archive BENCH_ARCHIVE
# (with its queries in BENCH_ARCHIVE.queries, as this script leaves them)
# when it is given and exists; then runs $O/bench/search_latency (O: the
# build directory, build by default) over the
# multi-word (Latin) queries, which prints for each query plan the wall and
# CPU latencies (p50 / p95 / p99 / max, milliseconds), the peer's
# (`SELECT rowid FROM search_words WHERE search_words MATCH ? ORDER BY rank
# LIMIT 50` on the same connection) and how many matches were scored
# exactly.  The load average is printed with the figures: the machine is
# shared, so CPU times are the steadier figure.
set -euo pipefail
cd "$(dirname "$0")/.."

O=${O:-build}
records=${BENCH_RECORDS:-1000000}
seed=${BENCH_SEED:-20240601}
attest=${ATTEST_BIN:-$PWD/$O/attest}
archive=${BENCH_ARCHIVE:-}

make -s O="$O" "$O/bench/search_latency"
[ -x "$attest" ] || make -s O="$O" "$O/attest"

work=$(mktemp -d "${TMPDIR:-/tmp}/attest-search.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf 'FICTIONAL bench passphrase\n' >"$work/pass"
export ATTEST_PASSPHRASE_FD=3 ATTEST_USER=admin

if [ -z "$archive" ] || [ ! -d "$archive" ]; then
    archive=${archive:-$work/archive}
    cc -O2 -std=c17 -D_GNU_SOURCE -o "$work/gen_records" bench/gen_records.c
    echo "generating and importing $records FICTIONAL records (seed $seed)..." >&2
    "$work/gen_records" "$records" "$seed" "$work/records.jsonl" "$work/records.csv" \
        "$archive.queries" 1000
    "$attest" init "$archive" --kdf interactive 3<"$work/pass" >/dev/null
    "$attest" -A "$archive" import jsonl "$work/records.jsonl" 3<"$work/pass" 2>/dev/null
    rm -f "$work/records.jsonl" "$work/records.csv"
fi
# The multi-word queries: plain ASCII, two words or more.
LC_ALL=C grep -v $'[\x80-\xff]' "$archive.queries" | awk 'NF > 1' >"$work/multi.txt"

echo "search: $(wc -l <"$work/multi.txt") multi-word queries on $archive; load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$O/bench/search_latency" "$archive" "$work/multi.txt" 3<"$work/pass" | grep -v '^words '
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${BENCH_ARCHIVE:-}" ] || rm -rf "$archive" "$archive.queries"
