#!/usr/bin/env bash
# Offline imagery: tiles per second and latency through `attest serve`
# beside Debian's nginx serving the same tiles as files, in the same run;
# and the time to cut a GeoTIFF into tiles (`attest basemap add`) beside
# `gdal_translate -of MBTILES` + `gdaladdo` on the same image.  The image:
# SIZE x SIZE pixels (default 4096) of random RGB, 10 m a pixel near
# Hoeryong, FICTIONAL.  wrk requests every tile of the finest zoom in turn
# (tiles.lua), CONNECTIONS connections (default 64) for SECONDS_EACH
# seconds (default 20).  Targets: at least half of nginx's rate, p99 <= 20 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ATTEST_BIN:-$PWD/build/attest}
size=${SIZE:-4096}
conns=${CONNECTIONS:-64}
secs=${SECONDS_EACH:-20}
threads=${THREADS:-$(nproc)}
. "$(dirname "$0")/web_peer.sh"
web_bench_begin tiles wrk nginx gdal_translate gdaladdo
now() { date +%s.%N; }

export ATTEST_ARCHIVE="$tmp/a"
"$bin" init "$tmp/a" --kdf interactive > /dev/null 2>&1

# The image: random bytes (tiles as heavy as a real scene's, or heavier).
python3 -c "import os, sys; n = $size; sys.stdout.buffer.write(b'P6 %d %d 255\n' % (n, n) + os.urandom(n * n * 3))" \
    > "$tmp/scene.ppm"
deg=$(python3 -c "print($size * 0.00009)")
gdal_translate -q -of GTiff -a_srs EPSG:4326 -a_ullr 129.70 42.48 "$(python3 -c "print(129.70 + $deg)")" \
    "$(python3 -c "print(42.48 - $deg)")" "$tmp/scene.ppm" "$tmp/scene.tif"
rm -f "$tmp/scene.ppm"
mp=$(python3 -c "print($size * $size / 1e6)")

start=$(now)
"$bin" basemap add "$tmp/scene.tif" --name scene > /dev/null 2> "$tmp/add.log"
attest_s=$(python3 -c "print($(now) - $start)")
start=$(now)
gdal_translate -q -of MBTILES "$tmp/scene.tif" "$tmp/gdal.mbtiles"
gdaladdo -q "$tmp/gdal.mbtiles" 2 4 8 16 32 64 > /dev/null
gdal_s=$(python3 -c "print($(now) - $start)")
echo "-- $size x $size image ($mp MP): $(cat "$tmp/add.log")"
printf 'cutting\ts\ts/MP\n'
printf 'attest basemap add (GDAL warp, PNG, into the encrypted archive)\t%.2f\t%.3f\n' "$attest_s" \
    "$(python3 -c "print($attest_s / $mp)")"
printf 'gdal_translate -of MBTILES + gdaladdo (plain file)\t%.2f\t%.3f\n' "$gdal_s" \
    "$(python3 -c "print($gdal_s / $mp)")"

# The same tiles as files for nginx: read from the archive through the
# server once, so both serve the same bytes.
port=$(free_port)
"$bin" serve --port "$port" --threads "$threads" 2> "$tmp/serve.log" &
server=$!
pids+=($server)
wait_http "http://127.0.0.1:$port/api/v1/openapi.json" || { cat "$tmp/serve.log"; exit 1; }
cookie=$(curl -s -D - -o "$tmp/login.json" -X POST -H 'Content-Type: application/json' \
    -d '{"username":"admin","passphrase":"FICTIONAL bench passphrase"}' \
    "http://127.0.0.1:$port/api/v1/login" | sed -n 's/^Set-Cookie: \(attest_session=[^;]*\).*/\1/ip' | tr -d '\r')
[ -n "$cookie" ] || { echo "tiles: login failed"; cat "$tmp/login.json"; exit 1; }
python3 - "$tmp" "$port" "$cookie" <<'PY'
import json, os, sys, urllib.request
tmp, port, cookie = sys.argv[1:]
def get(path):
    r = urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%s%s" % (port, path),
                                                      headers={"Cookie": cookie}))
    return r.read()
b = json.loads(get("/api/v1/basemaps"))["basemaps"][0]
z = b["maxzoom"]
import math
def tile(lon, lat):
    n = 1 << z
    return (int((lon + 180) / 360 * n),
            int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n))
w, s, e, n = b["bounds"]
x0, y0 = tile(w + 1e-9, n - 1e-9)
x1, y1 = tile(e - 1e-9, s + 1e-9)
paths = []
for x in range(x0, x1 + 1):
    for y in range(y0, y1 + 1):
        p = "/tiles/scene/%d/%d/%d" % (z, x, y)
        try:
            data = get(p)
        except Exception:
            continue
        os.makedirs(os.path.join(tmp, "www") + os.path.dirname(p), exist_ok=True)
        with open(os.path.join(tmp, "www") + p, "wb") as f:
            f.write(data)
        paths.append(p)
with open(os.path.join(tmp, "paths"), "w") as f:
    f.write("\n".join(paths) + "\n")
print("-- %d tiles of zoom %d requested in turn, %.0f KiB on average" % (
    len(paths), z, sum(os.path.getsize(os.path.join(tmp, "www") + p) for p in paths) / len(paths) / 1024))
PY
cat > "$tmp/tiles.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("TILES_PATHS")) do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end
LUA

start_nginx "$tmp/www" image/png "$threads" "$(head -1 "$tmp/paths")"

measure() {
    # measure LABEL BASE [HEADER]: one wrk run over every tile; prints
    # "LABEL req/s p50 p99 errors".
    local label=$1 out
    out=$(TILES_PATHS="$tmp/paths" wrk -t "$threads" -c "$conns" -d "${secs}s" --latency \
          -s "$tmp/tiles.lua" ${3:+-H "$3"} "$2")
    printf '%s\n' "$out" | wrk_row "$label"
}

echo "-- wrk $conns connections, ${secs} s each, $threads threads; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# cpu PID...: their user + system CPU seconds, with their children's (nginx's workers).
cpu() {
    local total=0 p
    for p in "$@" $(for q in "$@"; do pgrep -P "$q"; done); do
        total=$(awk -v t="$total" '{ print t + ($14 + $15) / 100 }' "/proc/$p/stat")
    done
    echo "$total"
}
nginx_pid=$(cat "$tmp/nginx/nginx.pid")
{
    echo -e "serving\ttiles/s\tp50 ms\tp99 ms\terrors\tCPU s"
    c0=$(cpu "$server")
    row=$(measure "attest GET /tiles/scene/z/x/y" "http://127.0.0.1:$port" "Cookie: $cookie")
    echo -e "$row\t$(python3 -c "print('%.1f' % ($(cpu "$server") - $c0))")"
    c0=$(cpu "$nginx_pid")
    row=$(measure "nginx, the same tiles as files" "http://127.0.0.1:$nport")
    echo -e "$row\t$(python3 -c "print('%.1f' % ($(cpu "$nginx_pid") - $c0))")"
} > "$tmp/results.tsv"
column -t -s $'\t' "$tmp/results.tsv"
echo "-- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$tmp/results.tsv" "$secs" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
a, n = float(rows[0][1]), float(rows[1][1])
print("-- attest serves %.0f%% of nginx's rate (target >= 50%%); attest p99 %s ms (target <= 20)"
      % (100 * a / n, rows[0][3]))
# On a shared machine each gets what CPU the others leave: the tiles each
# served per CPU second it had say what each costs.
per_cpu = [float(r[1]) * float(sys.argv[2]) / max(float(r[5]), 0.01) for r in rows]
print("-- tiles per CPU second: attest %.0f, nginx %.0f" % tuple(per_cpu))
PY
