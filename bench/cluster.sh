#!/usr/bin/env bash
# Clustering time and quality: attest's centre-gated clustering and its
# DBSCAN beside R's dbscan (r-cran-dbscan) on the same seeded placements,
# measured in the same run.  Sizes: SITES env (default "20000 200000"
# sites, about 10 placements each).  Times exclude reading the files.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ATTEST_BIN:-build/attest}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for sites in ${SITES:-20000 200000}; do
    python3 bench/gen_pinpoints.py "$sites" 1 "$tmp/p.csv"
    n=$(($(wc -l < "$tmp/p.csv") - 1))
    echo "-- $sites sites, $n placements"
    "$bin" sites cluster --from-csv "$tmp/p.csv" > "$tmp/centre" 2> "$tmp/log"
    echo "attest centre:   $(cat "$tmp/log"), ARI $(python3 bench/ari.py "$tmp/p.csv" "$tmp/centre")"
    "$bin" sites cluster --from-csv "$tmp/p.csv" --method dbscan --eps-m 2000 --min-pts 3 \
        > "$tmp/dbscan" 2> "$tmp/log"
    echo "attest dbscan:   $(cat "$tmp/log"), ARI $(python3 bench/ari.py "$tmp/p.csv" "$tmp/dbscan" 0)"
    if command -v Rscript > /dev/null; then
        Rscript bench/compare.R "$tmp/p.csv" 2000 3 "$tmp/r" 2> "$tmp/log"
        echo "$(cat "$tmp/log"), ARI $(python3 bench/ari.py "$tmp/p.csv" "$tmp/r" 0)"
    else
        echo "R dbscan: Rscript missing (make deps installs r-cran-dbscan)"
    fi
done
