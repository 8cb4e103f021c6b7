#!/usr/bin/env bash
# Radius query latency on an archive of NEAR_SITES (default 1,000,000)
# FICTIONAL sites: NEAR_QUERIES (default 1,000) seeded `sites near LAT,LON
# --km K` queries (K of 1, 2, 5 or 10 km, points over North Korea) timed in
# process through the core function the command calls; p50/p95/p99.
# The peer, in the same run: the sqlite3 shell on a plain R*Tree of the
# same points (built by the sqlite3 shell), each query a box on the R*Tree
# and a distance filter, run and timed through Python's sqlite3 module.  Target: p95 <= 5 ms.
# attest's queries are also given in CPU time (each query's thread), the
# steadier figure when the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
sites=${NEAR_SITES:-1000000}
nq=${NEAR_QUERIES:-1000}
attest=${ATTEST_BIN:-$PWD/build/attest}
[ -x "$attest" ] && [ -f build/libattest.a ] || make -s all
work=$(mktemp -d "${TMPDIR:-/tmp}/attest-near.XXXXXX")
trap 'rm -rf "$work"' EXIT
make -s build/bench/near_latency

python3 bench/gen_records.py "$sites" "$sites" "$work/sites.jsonl"
python3 - "$work/sites.jsonl" "$work/sites.csv" "$nq" "$work/queries.txt" "$work/peer.sql" <<'PY'
import json, math, random, sys
src, csv, nq, qout, sql = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
with open(src) as f, open(csv, "w") as out:
    for i, line in enumerate(f):
        d = json.loads(line)["data"]
        out.write("%d,%s,%s\n" % (i + 1, d["lat"], d["lon"]))
rng = random.Random(11)
with open(qout, "w") as q, open(sql, "w") as s:
    for _ in range(nq):
        lat, lon, km = rng.uniform(38.0, 42.5), rng.uniform(124.6, 130.4), rng.choice([1, 2, 5, 10])
        q.write("%.5f %.5f %d\n" % (lat, lon, km))
        dlat = km * 1.01 / 110.574
        dlon = dlat / math.cos(math.radians(lat + dlat))
        k = 111.195 * math.cos(math.radians(lat))
        s.write("SELECT count(*) FROM pts WHERE max_lat >= %.6f AND min_lat <= %.6f"
                " AND max_lon >= %.6f AND min_lon <= %.6f"
                " AND ((min_lat - %.6f) * 111.195) * ((min_lat - %.6f) * 111.195)"
                " + ((min_lon - %.6f) * %.6f) * ((min_lon - %.6f) * %.6f) <= %.6f;\n"
                % (lat - dlat, lat + dlat, lon - dlon, lon + dlon, lat, lat, lon, k, lon, k, km * km))
PY

printf 'FICTIONAL bench passphrase\n' > "$work/pass"
exec 3< "$work/pass"
export ATTEST_PASSPHRASE_FD=3 ATTEST_USER=admin
"$attest" init "$work/archive" --kdf interactive > /dev/null 2>&1
t0=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$work/import.time" \
    "$attest" -A "$work/archive" import jsonl "$work/sites.jsonl" > /dev/null 2> "$work/import.err" \
    || { cat "$work/import.err" >&2; exit 1; }
t1=$(date +%s.%N)
printf 'archive of %d FICTIONAL sites imported in %.1f s (CPU %s s user+sys)\n' "$sites" \
    "$(echo "$t1 - $t0" | bc -l)" "$(awk '{print $1 + $2}' "$work/import.time")"
build/bench/near_latency "$work/archive" "$work/queries.txt" > "$work/near.out"
read -r _ n _ hits _ p50 _ p95 _ p99 _ pmax < "$work/near.out"
read -r _ _ c50 _ c95 _ c99 _ cmax < <(sed -n 2p "$work/near.out")

sqlite3 "$work/peer.db" "CREATE VIRTUAL TABLE pts USING rtree(id, min_lat, max_lat, min_lon, max_lon);
    CREATE TEMP TABLE raw(id INTEGER, lat REAL, lon REAL);" \
    ".import --csv $work/sites.csv raw" \
    "INSERT INTO pts SELECT id, lat, lat, lon, lon FROM raw;" > /dev/null
read -r ppeer50 ppeer95 ppeer99 ppeermax phits < <(python3 - "$work/peer.db" "$work/peer.sql" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
qs = [l for l in open(sys.argv[2]) if l.startswith("SELECT")]
db.execute(qs[0]).fetchall()
t, hits = [], 0
for q in qs:
    t0 = time.perf_counter()
    hits += db.execute(q).fetchone()[0]
    t.append((time.perf_counter() - t0) * 1000)
t.sort()
r = lambda p: t[max(0, int(p * len(t) + 0.999999) - 1)]
print("%.3f %.3f %.3f %.3f %d" % (r(0.5), r(0.95), r(0.99), t[-1], hits))
PY
)
met=$(echo "$p95 <= 5" | bc -l)
echo "radius queries: $n over $sites sites (1-10 km); load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-12s %10s %10s %10s %10s %10s\n' "" "p50 ms" "p95 ms" "p99 ms" "max ms" "hits"
printf '%-12s %10s %10s %10s %10s %10s  (target p95 <= 5 ms: %s)\n' "attest" "$p50" "$p95" "$p99" "$pmax" "$hits" \
    "$([ "$met" = 1 ] && echo met || echo MISSED)"
printf '%-12s %10s %10s %10s %10s\n' "attest CPU" "$c50" "$c95" "$c99" "$cmax"
printf '%-12s %10s %10s %10s %10s %10s\n' "sqlite3 peer" "$ppeer50" "$ppeer95" "$ppeer99" "$ppeermax" "$phits"
