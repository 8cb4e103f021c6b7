#!/usr/bin/env bash
# The map's layer API at scale: SITES sites (default 10000) and PINPOINTS
# pinpoints (default 100000), FICTIONAL, scattered over North Korea with
# each pinpoint near a site, generated and imported once and kept in
# build/bench-map/.  Measured with wrk (CONNECTIONS connections, default
# 16, SECONDS_EACH seconds, default 10): GET /api/v1/map for the whole
# country (every layer, counted by the server in cells at zoom 7), for a
# county-sized box at zoom 12, for a town at street zoom (16) and for the
# whole country filtered by two fields and a date range (sites of one type
# and confidence; the pinpoints' dates are their events'), beside
# nginx serving each reply's bytes as a static file, in the same run; with
# each reply's size, features, the load average and the server's CPU time.
# The archive is unchanged while it is measured, so attest answers from its
# reply cache after the first request of each server thread; the country
# is also asked with a query that changes at every request (an extra
# argument), which the cache never holds: the cost of computing the answer
# from the counts kept per cell; the filtered country (311 sites at the
# default scale, under the cluster threshold, so sent as features) is also
# asked clustered, which measures the count apart from the features' text;
# and the country filtered by the date range alone, never cached.
# wrk gives p50, p90 and p99, not p95: p99
# is the bound on p95.  Then the map page itself in chromium
# (bench/ui_map.mjs: first render, pan, refresh).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ATTEST_BIN:-$PWD/build/attest}
sites=${SITES:-10000}
pinpoints=${PINPOINTS:-100000}
conns=${CONNECTIONS:-16}
secs=${SECONDS_EACH:-10}
threads=${THREADS:-$(nproc)}
store="build/bench-map/v2-$sites-$pinpoints"
. "$(dirname "$0")/web_peer.sh"
web_bench_begin map wrk nginx

if [ ! -f "$store/done" ]; then
    rm -rf "$store"
    mkdir -p "$store"
    echo "-- generating $sites sites and $pinpoints pinpoints"
    python3 - "$sites" "$pinpoints" "$tmp/map.jsonl" <<'PY'
import json, random, sys
sites, pinpoints, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(15)
A = "0123456789abcdefghjkmnpqrstvwxyz"
def rid(prefix, n):
    s = ""
    for _ in range(12):
        s, n = A[n % 32] + s, n // 32
    return prefix + "-" + s
types = ["burial_site", "detention_facility", "public_execution_site", "workplace", "other"]
confidence = ["confirmed", "probable", "possible"]
provinces = ["North Hamgyong", "South Hamgyong", "Ryanggang", "Chagang", "North Pyongan",
             "South Pyongan", "North Hwanghae", "South Hwanghae", "Kangwon"]
events = max(1, sites // 10)
with open(out, "w") as f:
    for i in range(events):
        f.write(json.dumps({"type": "event", "id": rid("ev", i), "data": {
            "title": "FICTIONAL bench event %d" % i, "date": str(rng.randrange(1990, 2016))}}) + "\n")
    where = []
    for i in range(sites):
        # A box over the north of the peninsula, FICTIONAL.
        lat, lon = rng.uniform(38.3, 42.8), rng.uniform(124.5, 130.5)
        where.append((lat, lon))
        f.write(json.dumps({"type": "site", "id": rid("si", i), "data": {
            "name": "FICTIONAL bench site %d" % i, "site_type": rng.choice(types),
            "confidence": rng.choice(confidence), "province": rng.choice(provinces),
            "lat": round(lat, 6), "lon": round(lon, 6)}}) + "\n")
    for i in range(pinpoints):
        k = rng.randrange(sites)
        lat, lon = where[k]
        data = {"lat": round(lat + rng.gauss(0, 0.002), 6), "lon": round(lon + rng.gauss(0, 0.002), 6),
                "uncertainty_m": rng.choice([50, 100, 250, 500]), "site": rid("si", k)}
        if rng.random() < 0.5:
            data["event"] = rid("ev", rng.randrange(events))
        f.write(json.dumps({"type": "pinpoint", "id": rid("pp", i), "data": data}) + "\n")
# The town: a street-zoom box around the first site.
lat, lon = where[0]
open(out + ".town", "w").write("%.4f,%.4f,%.4f,%.4f\n" % (lon - 0.015, lat - 0.01, lon + 0.015, lat + 0.01))
PY
    mv "$tmp/map.jsonl.town" "$store/town"
    "$bin" init "$store/a" --kdf interactive > /dev/null 2>&1
    start=$(date +%s)
    "$bin" -A "$store/a" import jsonl "$tmp/map.jsonl" >&2
    echo "-- imported in $(($(date +%s) - start)) s"
    rm -f "$tmp/map.jsonl"
    touch "$store/done"
fi

port=$(free_port)
"$bin" -A "$store/a" serve --port "$port" --threads "$threads" 2> "$tmp/serve.log" &
server=$!
pids+=($server)
wait_http "http://127.0.0.1:$port/api/v1/openapi.json" || { cat "$tmp/serve.log"; exit 1; }
cookie=$(curl -s -D - -o "$tmp/login.json" -X POST -H 'Content-Type: application/json' \
    -d '{"username":"admin","passphrase":"FICTIONAL bench passphrase"}' \
    "http://127.0.0.1:$port/api/v1/login" | sed -n 's/^Set-Cookie: \(attest_session=[^;]*\).*/\1/ip' | tr -d '\r')
[ -n "$cookie" ] || { echo "map: login failed"; cat "$tmp/login.json"; exit 1; }

# The views, asked as the browser asks (with its zoom, so that the server
# counts in cells what is too many to send): the whole country at zoom 7,
# and a county (0.3 by 0.3 degrees) at zoom 12.
country="/api/v1/map?bbox=124.0,37.5,131.0,43.0&zoom=7"
county="/api/v1/map?bbox=127.0,40.0,127.3,40.3&zoom=12"
town="/api/v1/map?bbox=$(cat "$store/town" 2> /dev/null || echo 127.0,40.0,127.03,40.02)&zoom=16"
# The whole country with two field filters and a date range, as the map
# page asks for it since it always sends its zoom.
filtered="$country&site_type=burial_site&confidence=confirmed&from=1995&to=2005"
dated="$country&from=1995&to=2005"
mkdir -p "$tmp/www"
for v in country county town filtered; do
    path=${!v}
    start=$(date +%s.%N)
    curl -sf -H "Cookie: $cookie" "http://127.0.0.1:$port$path" -o "$tmp/www/$v.json" \
        || { echo "map: $path failed"; exit 1; }
    python3 - "$tmp/www/$v.json" "$v" "$start" "$(date +%s.%N)" <<'PY'
import collections, json, os, sys
j = json.load(open(sys.argv[1]))
n = collections.Counter(f["properties"]["type"] for f in j["features"])
clusters = j.get("clusters", [])
print("-- %s view: %d features (%s) and %d clusters counting %d more, %.0f KiB, first reply %.0f ms" % (
    sys.argv[2], len(j["features"]), ", ".join("%d %ss" % (c, t) for t, c in sorted(n.items())),
    len(clusters), sum(c["count"] for c in clusters),
    os.path.getsize(sys.argv[1]) / 1024, 1000 * (float(sys.argv[4]) - float(sys.argv[3]))))
PY
done
start_nginx "$tmp/www" application/json "$threads" /county.json

# A wrk script adding an argument that changes at every request.
cat > "$tmp/uncached.lua" <<'LUA'
init = function(args) math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16)) end
request = function() return wrk.format(nil, wrk.path .. "&uncached=" .. math.random(1, 2000000000)) end
LUA
measure() {
    # measure LABEL URL [HEADER [SCRIPT]]: one wrk run; prints "LABEL req/s p50 p99 errors".
    local label=$1 url=$2 out
    out=$(wrk -t "$threads" -c "$conns" -d "${secs}s" --timeout 30s --latency ${3:+-H "$3"} \
          ${4:+-s "$4"} "$url")
    printf '%s\n' "$out" | wrk_row "$label"
}
cpu() { awk '{ print ($14 + $15) / 100 }' "/proc/$server/stat"; } # utime + stime, in seconds at 100 Hz

echo "-- wrk $conns connections, ${secs} s each, $threads threads; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# view NAME SPENT LABEL [SCRIPT]: wrk on attest's reply for the view NAME
# (country, county, town or filtered), the CPU time attest spent on it kept
# as "N s SPENT"; then nginx serving the same reply as a file, but for a
# wrk SCRIPT (a query the reply cache never holds), which has no file.
spent=()
clustered="$filtered&max_features=1"
view() {
    local before
    before=$(cpu)
    measure "$3" "http://127.0.0.1:$port${!1}" "Cookie: $cookie" ${4:+"$4"}
    spent+=("$(awk -v a="$before" -v b="$(cpu)" -v w="$2" 'BEGIN { printf "%.1f s %s", b - a, w }')")
    [ -n "${4:-}" ] || measure "nginx, the same reply as a file" "http://127.0.0.1:$nport/$1.json"
}
{
    echo -e "request\treq/s\tp50 ms\tp99 ms\terrors"
    view country "for the country" "attest GET /api/v1/map, the country"
    view county "for the county" "attest GET /api/v1/map, a county"
    view town "for the town" "attest GET /api/v1/map, a town at zoom 16"
    view country "for the country never cached" "attest, the country, never cached" "$tmp/uncached.lua"
    view filtered "filtered" "attest, the country filtered (two fields, dates)"
    view filtered "filtered never cached" "attest, the country filtered, never cached" "$tmp/uncached.lua"
    view clustered "filtered and clustered never cached" \
        "attest, the same clustered (max_features=1), never cached" "$tmp/uncached.lua"
    view dated "by dates never cached" "attest, the country by dates alone, never cached" "$tmp/uncached.lua"
} > "$tmp/results.tsv"
column -t -s $'\t' "$tmp/results.tsv"
echo "-- attest's CPU time: $(printf '%s, ' "${spent[@]}" | sed 's/, $//') (${secs} s each); load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# The page itself, in chromium (issue 15's target: first render <= 1 s,
# pan <= 200 ms), when chromium and playwright-core are here.
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ] && [ -d node_modules/playwright-core ]; then
    echo "-- the map page in chromium, the whole country at zoom 7; load $(cut -d' ' -f1-3 /proc/loadavg)"
    ATTEST_URL="http://127.0.0.1:$port" CHROMIUM=$chromium ATTEST_USER_NAME=admin \
        ATTEST_USER_PASS='FICTIONAL bench passphrase' node bench/ui_map.mjs
else
    echo "-- the map page in chromium: skipped, needs $chromium and npm's playwright-core (make deps)"
fi
