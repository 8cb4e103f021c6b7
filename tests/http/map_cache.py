"""map_cache.py: the map's answers are kept while the archive is unchanged
(docs/api.md): the same query answers the same bytes with an ETag, 304 to
If-None-Match; a write to the archive makes the next answer new; a reader
of lower clearance is never given a kept answer of a higher one; and a
confidential record shown is logged as read at every answer, kept or not,
which moves nothing of the map's generation.  FICTIONAL data only."""
import os
import subprocess
import tempfile

from client import Results, Session

res = Results()
print("1..10")
admin = Session().login("admin")
partner = Session().login("partner")
BOX = "128.5,41.5,129.5,42.5"
Q = "/api/v1/map?bbox=%s&zoom=9&max_features=5" % BOX

for i in range(12):
    admin.add("pinpoint", "restricted" if i % 3 == 0 else "public",
              {"lat": 41.6 + i * 0.06, "lon": 128.6 + (i * 5 % 12) * 0.07})


def sql(query):
    """One value from the archive's database, read as admin."""
    with tempfile.TemporaryFile("w+") as f:
        f.write(os.environ["HTTP_TEST_PASSPHRASE"] + "\n")
        f.flush()
        f.seek(0)
        env = dict(os.environ, ATTEST_PASSPHRASE_FD=str(f.fileno()), ATTEST_USER="admin")
        out = subprocess.run([os.environ.get("O", "build") + "/attest-sql", os.environ["ATTEST_ARCHIVE"],
                              query], env=env, pass_fds=(f.fileno(),), capture_output=True, text=True)
    return out.stdout.strip()


first = admin.get(Q)
again = admin.get(Q)
etag = first.header("etag")
res.check("an answer has an ETag and may be kept by the browser only",
          first.status == 200 and etag and first.header("cache-control") == "private, no-cache",
          (first.status, etag, first.header("cache-control")))
res.check("the same query again answers the same bytes and ETag",
          again.status == 200 and again.body == first.body and again.header("etag") == etag,
          (again.status, again.header("etag")))
cond = admin.get(Q, headers={"If-None-Match": etag})
res.check("If-None-Match with the answer's ETag: 304 without a body",
          cond.status == 304 and cond.body == b"", (cond.status, cond.body[:80]))

admin.add("pinpoint", "public", {"lat": 42.0, "lon": 129.0})
after = admin.get(Q)
res.check("a write makes the next answer new: it counts the new record, with another ETag",
          after.status == 200 and after.json()["total"] == first.json()["total"] + 1
          and after.header("etag") != etag, (after.status, after.header("etag")))
cond = admin.get(Q, headers={"If-None-Match": etag})
res.check("the old ETag no longer matches", cond.status == 200, cond.status)

seen = partner.get(Q)
res.check("a partner asking after the admin is not given the admin's answer: 9 public records",
          seen.status == 200 and seen.json()["total"] == 9 and seen.header("etag") != after.header("etag"),
          (seen.status, seen.json().get("total")))

# A confidential record shown as a feature is logged as read each time.
admin.add("pinpoint", "confidential", {"lat": 40.5, "lon": 126.5})
CONF = "/api/v1/map?bbox=126.4,40.4,126.6,40.6"
reads = int(sql("SELECT count(*) FROM log_item WHERE kind = 'read'") or 0)
generation = sql("SELECT generation FROM layer_state")
one = admin.get(CONF)
res.check("a confidential record shown is logged as read",
          one.status == 200 and len(one.json()["features"]) == 1
          and int(sql("SELECT count(*) FROM log_item WHERE kind = 'read'")) == reads + 1, one.status)
two = admin.get(CONF)
res.check("and again when the answer is the kept one",
          two.status == 200 and two.body == one.body
          and int(sql("SELECT count(*) FROM log_item WHERE kind = 'read'")) == reads + 2, two.status)
three = admin.get(CONF, headers={"If-None-Match": one.header("etag")})
res.check("and again when the answer is 304",
          three.status == 304 and int(sql("SELECT count(*) FROM log_item WHERE kind = 'read'")) == reads + 3,
          three.status)
# What the map writes (the reads logged) is not a write to the current
# records: the generation, which keys the kept answers and the server's
# copy of the map's counts, stays.
res.check("serving the map leaves the map's generation as it was",
          generation != "" and sql("SELECT generation FROM layer_state") == generation,
          (generation, sql("SELECT generation FROM layer_state")))
raise SystemExit(1 if res.failed else 0)
