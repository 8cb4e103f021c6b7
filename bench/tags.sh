#!/usr/bin/env bash
# Tagging speed.  Generates (seeded) a dictionary of NAMES (default
# 100000) names, every spelling of the gazetteer's places and then made-up
# entity names, and ARTICLES (default 10000) articles of WORDS (default
# 1000) words that mention some of them; then, in the same run, tags the
# articles with attest's automaton and runs the peer, GNU grep -F -o -f
# with the same dictionary on the same text.  attest does more (folds
# case, marks and separators, finds dates and figures); grep -F -i, the
# nearest to its folding, is run too when PEER_I=1 (it takes GiBs and
# minutes at full size).  Prints MB/s and peak memory for each.  Smaller
# runs: NAMES=20000 ARTICLES=500 bench/tags.sh.  Target (issue 14): at
# least grep's throughput.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build/bench/tags_bench
tmp=$(mktemp -d /tmp/attest-bench-tags.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
names=${NAMES:-100000} articles=${ARTICLES:-10000} words=${WORDS:-1000}
build/bench/tags_bench gen "$names" "$articles" "$words" "$tmp"
mb=$(awk -v b="$(wc -c <"$tmp/articles.txt")" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "-- $(wc -l <"$tmp/dict.txt") names, $articles articles of ~$words words ($mb MB)"
build/bench/tags_bench run "$tmp"
# peer ARGS...: GNU grep with the dictionary, its CPU time and peak memory.
peer() {
    /usr/bin/time -f '%U %S %M' -o "$tmp/time" grep "$@" -f "$tmp/dict.txt" "$tmp/articles.txt" | wc -l >"$tmp/count"
    read -r user sys kib <"$tmp/time"
    awk -v u="$user" -v s="$sys" -v k="$kib" -v mb="$mb" -v c="$(cat "$tmp/count")" -v a="$*" \
        'BEGIN { t = u + s; if (t <= 0) t = 0.01;
                 printf "GNU grep %s: %.2f s: %.1f MB/s; %d matches; peak memory %.0f MiB\n", a, t, mb / t, c, k / 1024 }'
}
LC_ALL=C.UTF-8 peer -F -o
[ "${PEER_I:-0}" = 1 ] && LC_ALL=C.UTF-8 peer -F -o -i
exit 0
