#!/usr/bin/env bash
# Screening speed and quality.  Imports the UN list and the OFAC set from
# ../shared/data/sanctions into a scratch archive, generates QUERIES
# (default 100000) seeded queries from the listed names (spelling variants
# across romanisations and scripts, and made-up unlisted names), and
# prints, in the same run:
#   - attest: index build time, peak memory, queries/s on one core,
#     p50/p99 per query, recall and false positives, for both scorers;
#   - the peer: R stringdist brute-force Jaro-Winkler on the first
#     PEER_QUERIES (default 500) of the same queries, and attest on them;
#   - Jaro and Jaro-Winkler on 10,000 random pairs checked against R
#     stringdist, and 1,000,000 comparisons timed in both.
# Times are CPU time of the one thread, so that other load on the machine
# does not stretch them.  Targets (issue 6): >= 20,000 queries/s, p99 <=
# 1 ms, index build <= 200 ms, memory <= 200 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ATTEST_BIN:-build/attest}
data=../shared/data/sanctions
if [ ! -d "$data/un" ] || [ ! -d "$data/ofac-2021" ]; then
    echo "screen: $data is missing; nothing to measure" >&2
    exit 0
fi
make -s build/bench/screen_bench

tmp=$(mktemp -d /tmp/attest-bench-screen.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
printf 'FICTIONAL bench passphrase\n' > "$tmp/pass"
exec 3<"$tmp/pass"
export ATTEST_PASSPHRASE_FD=3 ATTEST_USER=admin ATTEST_ARCHIVE="$tmp/arc"
"$bin" init "$tmp/arc" --kdf interactive > /dev/null 2>&1
"$bin" lists import un "$data/un/consolidated-2026-02-27.xml" > /dev/null 2>&1
"$bin" lists import ofac "$data/ofac-2021" --date 2021-07-07 > /dev/null 2>&1

build/bench/screen_bench names "$tmp/arc" > "$tmp/names.tsv"
python3 bench/gen_queries.py "$tmp/names.tsv" "${QUERIES:-100000}" 1 "$tmp/q.tsv"
echo "-- attest, $(wc -l < "$tmp/q.tsv") generated queries (UN 2026-02-27 + OFAC 2021-07-07)"
build/bench/screen_bench run "$tmp/arc" "$tmp/q.tsv" attest 80
build/bench/screen_bench run "$tmp/arc" "$tmp/q.tsv" ofac 80 | sed -n '2,3p'

head -n "${PEER_QUERIES:-500}" "$tmp/q.tsv" > "$tmp/peer.tsv"
echo "-- the first $(wc -l < "$tmp/peer.tsv") queries, attest beside the peer"
build/bench/screen_bench run "$tmp/arc" "$tmp/peer.tsv" attest 80 | sed -n '2,3p'
if command -v Rscript > /dev/null && Rscript -e 'library(stringdist)' > /dev/null 2>&1; then
    Rscript bench/screen_peer.R "$tmp/names.tsv" "$tmp/peer.tsv" 0.9
else
    echo "R stringdist: missing (make deps installs r-cran-stringdist)"
fi

echo "-- Jaro-Winkler on 10,000 random pairs, checked against R stringdist"
python3 bench/gen_pairs.py 10000 7 "$tmp/pairs.tsv"
build/bench/screen_bench jw "$tmp/pairs.tsv" > "$tmp/ours.tsv" 2> "$tmp/jw.log"
cat "$tmp/jw.log"
if command -v Rscript > /dev/null && Rscript -e 'library(stringdist)' > /dev/null 2>&1; then
    Rscript bench/jw_check.R "$tmp/pairs.tsv" "$tmp/ours.tsv"
fi
