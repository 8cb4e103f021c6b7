"""basemap.py: GET /api/v1/basemaps and /tiles/NAME/{z}/{x}/{y} on an
archive holding the basemap "colours" (tests/tools/mbtiles.py, zooms 0-2):
each tile's colour says which it is, so the tile served at z/x/y must be
the one stored there (TMS rows flipped); its content type, ETag and
Cache-Control; 304 for its ETag; 404 for a tile or basemap that is not
there and for numbers out of range; 401 without a login.  A tile asked
for again is the same (the server threads keep replies), and after the
basemap is removed and another added under its name while the server
runs, every thread serves the new tile with a new ETag.  A basemap
downloaded as `attest basemap export` writes it: an MBTiles file with its
tiles and metadata; refused to a role without the right to write.
FICTIONAL data only."""
import os
import sqlite3
import subprocess
import sys

from client import Results, Session, error_of

res = Results()
print("1..18")
tmp = os.environ["TEST_TMP"]
analyst = Session().login("analyst")

r = analyst.get("/api/v1/basemaps")
maps = r.json().get("basemaps", []) if r.status == 200 else []
res.check("basemaps lists colours with its zooms", r.status == 200 and [
    (m["name"], m["minzoom"], m["maxzoom"], m["tiles"]) for m in maps] == [("colours", 0, 2, 21)], r.body[:300])

r = analyst.get("/api/v1/basemaps/colours/file")
res.check("a basemap downloads as an MBTiles file", r.status == 200 and r.body.startswith(b"SQLite format 3\0")
          and "attachment" in (r.header("content-disposition") or ""), (r.status, r.headers))
got = os.path.join(tmp, "downloaded.mbtiles")
with open(got, "wb") as f:
    f.write(r.body if r.status == 200 else b"")
try:
    db = sqlite3.connect(got)
    tiles = db.execute("SELECT count(*) FROM tiles").fetchone()[0]
    meta = dict(db.execute("SELECT name, value FROM metadata").fetchall())
    db.close()
except sqlite3.Error as e:
    tiles, meta = -1, {"error": str(e)}
res.check("with its 21 tiles and its metadata, as attest basemap export writes them",
          tiles == 21 and meta.get("name") == "colours" and meta.get("minzoom") == "0" and meta.get("maxzoom") == "2",
          (tiles, meta))
r = Session().login("partner").get("/api/v1/basemaps/colours/file")
res.check("a partner may not download a basemap (403)", r.status == 403, r.status)
r = analyst.get("/api/v1/basemaps/not-there/file")
res.check("a basemap that is not there: 404 naming it", r.status == 404 and "not-there" in error_of(r).get("message", ""),
          r.body[:200])

def pixel(body):
    path = os.path.join(tmp, "tile.png")
    with open(path, "wb") as f:
        f.write(body)
    out = subprocess.run([sys.executable, "tests/tools/mbtiles.py", "pixel", path, "128", "128"],
                         capture_output=True, text=True)
    return out.stdout.strip()


r = analyst.get("/tiles/colours/2/3/1")
res.check("tile 2/3/1 is a PNG", r.status == 200 and r.header("content-type") == "image/png",
          (r.status, r.headers, r.body[:200]))
res.check("tile 2/3/1 is the one stored at z 2, x 3, y 1 from the north",
          r.status == 200 and pixel(r.body) == "80 120 40", r.status == 200 and pixel(r.body))
etag = r.header("etag") or ""
res.check("it has an ETag and may be kept privately",
          etag.startswith('"') and len(etag) > 10
          and r.header("cache-control") == "private, max-age=86400", r.headers)
again = analyst.request("GET", "/tiles/colours/2/3/1", headers={"If-None-Match": etag})
res.check("If-None-Match with its ETag gives 304 and no body",
          again.status == 304 and again.body == b"", (again.status, again.body[:100]))
other = analyst.get("/tiles/colours/2/0/0")
res.check("another tile has another ETag", other.status == 200 and other.header("etag") != etag,
          other.headers)
r = analyst.get("/tiles/colours/3/0/0")
res.check("a tile the basemap lacks is 404", r.status == 404 and error_of(r).get("code") == "not_found",
          r.body[:200])
r = analyst.get("/tiles/nothing/0/0/0")
res.check("a basemap that is not there is 404", r.status == 404, r.body[:200])
r = analyst.get("/tiles/colours/2/4/0")
res.check("x out of range at its zoom is 404", r.status == 404, r.body[:200])
r = analyst.get("/tiles/colours/z/0/0")
res.check("a zoom that is no number is 404", r.status == 404, r.body[:200])
r = Session().get("/tiles/colours/2/3/1")
res.check("no tile without a login", r.status == 401, r.body[:200])

# Asked for again and again (by every server thread): the same bytes, tag.
first = analyst.get("/tiles/colours/2/3/1")
replies = [analyst.get("/tiles/colours/2/3/1") for _ in range(12)]
res.check("a tile asked for again is the same tile, the same ETag",
          all(x.status == 200 and x.body == first.body and x.header("etag") == etag for x in replies),
          [(x.status, x.header("etag")) for x in replies])


def attest(*args):
    rfd, wfd = os.pipe()
    os.write(wfd, (os.environ["HTTP_TEST_PASSPHRASE"] + "\n").encode())
    os.close(wfd)
    env = dict(os.environ, ATTEST_PASSPHRASE_FD=str(rfd))
    out = subprocess.run([os.environ["ATTEST_BIN"], *args], env=env, pass_fds=(rfd,),
                         capture_output=True, text=True)
    os.close(rfd)
    return out.returncode


shifted = os.path.join(tmp, "shifted.mbtiles")
subprocess.run([sys.executable, "tests/tools/mbtiles.py", "make", shifted, "--zooms", "0-2", "--shift", "7"], check=True)
res.check("the basemap is replaced while the server runs",
          attest("basemap", "remove", "colours") == 0 and attest("basemap", "add", shifted, "--name", "colours") == 0)
replies = [analyst.get("/tiles/colours/2/3/1") for _ in range(12)]
res.check("every reply is the new tile, with a new ETag",
          all(x.status == 200 and pixel(x.body) == "87 120 40" and x.header("etag") != etag for x in replies),
          [(x.status, x.header("etag"), x.status == 200 and pixel(x.body)) for x in replies])
sys.exit(1 if res.failed else 0)
