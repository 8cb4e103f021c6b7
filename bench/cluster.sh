#!/usr/bin/env bash
# Clustering time and quality: attest's centre-gated clustering and its
# DBSCAN beside R's dbscan (r-cran-dbscan) on the same seeded placements,
# measured in the same run.  Sizes: SITES env (default "10000 100000"
# sites, about 20 placements each: about 200,000 and 2,000,000).  R's
# dbscan runs with eps 2 km (minPts 3), and with eps 150 m, nearer its best
# on these towns.  Times exclude reading the files; CPU times are the
# process's user + system (attest's include reading its CSV).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ATTEST_BIN:-build/attest}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cpu() { awk '{print $1 + $2}' "$1"; }
for sites in ${SITES:-10000 100000}; do
    python3 bench/gen_pinpoints.py "$sites" 1 "$tmp/p.csv"
    n=$(($(wc -l < "$tmp/p.csv") - 1))
    echo "-- $sites sites, $n placements; load average $(cut -d' ' -f1-3 /proc/loadavg)"
    /usr/bin/time -f "%U %S" -o "$tmp/cpu" \
        "$bin" sites cluster --from-csv "$tmp/p.csv" > "$tmp/centre" 2> "$tmp/log"
    echo "attest centre:   $(head -1 "$tmp/log"), CPU $(cpu "$tmp/cpu") s, ARI $(python3 bench/ari.py "$tmp/p.csv" "$tmp/centre")"
    for eps in 2000 150; do
        /usr/bin/time -f "%U %S" -o "$tmp/cpu" \
            "$bin" sites cluster --from-csv "$tmp/p.csv" --method dbscan --eps-m $eps --min-pts 3 \
            > "$tmp/dbscan" 2> "$tmp/log"
        echo "attest dbscan $eps m: $(head -1 "$tmp/log"), CPU $(cpu "$tmp/cpu") s, ARI $(python3 bench/ari.py "$tmp/p.csv" "$tmp/dbscan" 0)"
        if command -v Rscript > /dev/null; then
            Rscript bench/compare.R "$tmp/p.csv" $eps 3 "$tmp/r" 2> "$tmp/log"
            echo "R dbscan $eps m: $(cat "$tmp/log"), ARI $(python3 bench/ari.py "$tmp/p.csv" "$tmp/r" 0)"
        else
            echo "R dbscan: Rscript missing (make deps installs r-cran-dbscan)"
        fi
    done
done
