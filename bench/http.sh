#!/usr/bin/env bash
# HTTP throughput and latency of `attest serve` with wrk, beside Debian's
# nginx serving a static file of the same size in the same run.  Archive:
# SITES sites (default 100000) among RECORDS records (default 1000000),
# FICTIONAL, generated and imported once and kept in build/bench-http/.
# Requests: a site layer by bounding box, the whole country's map at
# zoom 7 and a town at street zoom 16 (clustered on the server, every
# layer), and one record by id, each with
# CONNECTIONS connections (default 64) for SECONDS (default 30).  Then the
# idle test: IDLE connections (default 1000) held open and silent for
# IDLE_SECONDS (default 60) from another loopback address (so the server
# sees another client) by bench/idle_hold.py, while wrk reads records;
# every held connection must answer before and after the hold.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ATTEST_BIN:-$PWD/build/attest}
sites=${SITES:-100000}
records=${RECORDS:-1000000}
conns=${CONNECTIONS:-64}
secs=${SECONDS_EACH:-30}
idle=${IDLE:-1000}
idle_secs=${IDLE_SECONDS:-60}
threads=${THREADS:-$(nproc)}
store="build/bench-http/$sites-$records"
. "$(dirname "$0")/web_peer.sh"
web_bench_begin http wrk nginx

if [ ! -f "$store/done" ]; then
    rm -rf "$store"
    mkdir -p "$store"
    echo "-- generating $sites sites among $records records"
    python3 bench/gen_records.py "$sites" "$records" "$tmp/records.jsonl"
    "$bin" init "$store/a" --kdf interactive > /dev/null 2>&1
    start=$(date +%s)
    "$bin" -A "$store/a" import jsonl "$tmp/records.jsonl" >&2
    echo "-- imported in $(($(date +%s) - start)) s"
    rm -f "$tmp/records.jsonl"
    touch "$store/done"
fi

port=$(free_port)
"$bin" -A "$store/a" serve --port "$port" --threads "$threads" 2> "$tmp/serve.log" &
pids+=($!)
wait_http "http://127.0.0.1:$port/api/v1/openapi.json" || { cat "$tmp/serve.log"; exit 1; }
cookie=$(curl -s -D - -o "$tmp/login.json" -X POST -H 'Content-Type: application/json' \
    -d '{"username":"admin","passphrase":"FICTIONAL bench passphrase"}' \
    "http://127.0.0.1:$port/api/v1/login" | sed -n 's/^Set-Cookie: \(attest_session=[^;]*\).*/\1/ip' | tr -d '\r')
[ -n "$cookie" ] || { echo "http: login failed"; cat "$tmp/login.json"; exit 1; }

# The record read: a site near the middle of the ids.  The box: 0.5 by 0.5
# degrees, about 60 sites.
record="si-$(python3 -c "
a = '0123456789abcdefghjkmnpqrstvwxyz'; n, s = $sites // 2, ''
for _ in range(12): s, n = a[n % 32] + s, n // 32
print(s)")"
bbox="126.0,39.0,126.5,39.5"
map_url="http://127.0.0.1:$port/api/v1/map?bbox=$bbox&layer=site"
country_url="http://127.0.0.1:$port/api/v1/map?bbox=124,37.5,131,43&zoom=7"
street_url="http://127.0.0.1:$port/api/v1/map?bbox=125.74,39.01,125.76,39.02&zoom=16"
rec_url="http://127.0.0.1:$port/api/v1/records/$record"
curl -sf -H "Cookie: $cookie" "$rec_url" -o "$tmp/record.json" || { echo "http: $rec_url failed"; exit 1; }
curl -sf -H "Cookie: $cookie" "$map_url" -o "$tmp/map.json" || { echo "http: map failed"; exit 1; }
features=$(python3 -c "import json; print(len(json.load(open('$tmp/map.json'))['features']))")

# nginx: the same record's bytes as a static file.
mkdir -p "$tmp/www"
cp "$tmp/record.json" "$tmp/www/record.json"
start_nginx "$tmp/www" application/json "$threads" /record.json

measure() {
    # measure LABEL URL [HEADER]: one wrk run; prints "LABEL req/s p50 p99 errors".
    local label=$1 url=$2 out
    out=$(wrk -t "$threads" -c "$conns" -d "${secs}s" --latency ${3:+-H "$3"} "$url")
    printf '%s\n' "$out" | wrk_row "$label"
}

echo "-- $sites sites, $records records; wrk $conns connections, ${secs} s each, $threads threads; map box $bbox: $features sites"
echo "-- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
{
    echo -e "request\treq/s\tp50 ms\tp99 ms\terrors"
    measure "attest GET /api/v1/records/ID" "$rec_url" "Cookie: $cookie"
    measure "attest GET /api/v1/map?bbox&layer=site" "$map_url" "Cookie: $cookie"
    measure "attest GET /api/v1/sites?bbox" "http://127.0.0.1:$port/api/v1/sites?bbox=$bbox" "Cookie: $cookie"
    measure "attest GET /api/v1/map, the country at zoom 7" "$country_url" "Cookie: $cookie"
    measure "attest GET /api/v1/map, a town at zoom 16" "$street_url" "Cookie: $cookie"
    measure "nginx static file (same bytes as the record)" "http://127.0.0.1:$nport/record.json"
} > "$tmp/results.tsv"

# The idle test: the held connections come from 127.0.0.2, wrk from
# 127.0.0.1; wrk runs through the middle of the hold.
echo "-- $idle idle keep-alive connections held ${idle_secs} s while wrk reads records"
python3 bench/idle_hold.py 127.0.0.1 "$port" "/api/v1/records/$record" "$cookie" "$idle" "$idle_secs" 127.0.0.2 \
    > "$tmp/idle.txt" 2>&1 &
hold=$!
sleep $(( idle_secs / 4 ))
{
    measure "attest GET /api/v1/records/ID beside idle" "$rec_url" "Cookie: $cookie"
} >> "$tmp/results.tsv"
wait "$hold" || true
echo "-- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$tmp/results.tsv" "$tmp/idle.txt" <<'PY'
import sys
for l in open(sys.argv[1]):
    c = l.rstrip("\n").split("\t")
    print("%-46s %9s %9s %9s  %s" % tuple(c))
idle_line = open(sys.argv[2]).read().strip()
print("idle hold: " + idle_line)
idle = dict(kv.split("=", 1) for kv in idle_line.split() if "=" in kv)
rows = {l.split("\t")[0]: l.rstrip("\n").split("\t") for l in open(sys.argv[1]).readlines()[1:]}
rec = rows["attest GET /api/v1/records/ID"]
beside = rows["attest GET /api/v1/records/ID beside idle"]
idle_ok = idle.get("errors") == "0" and idle.get("last_ok") == idle.get("connections")
print("-- targets (issue 5)")
for what, got, want, ok in [
        ("record reads req/s", rec[1], ">= 5000", float(rec[1]) >= 5000),
        ("record reads p99 ms", rec[3], "<= 50", float(rec[3]) <= 50),
        ("idle conns, errors", "%s, %s" % (idle.get("last_ok", "?"), idle.get("errors", "?")),
         "all, 0", idle_ok),
        ("reads beside idle p99", beside[3], "<= 50", float(beside[3]) <= 50 and beside[4] == "0")]:
    print("%-22s %10s  target %-8s %s" % (what, got, want, "met" if ok else "NOT met"))
PY
