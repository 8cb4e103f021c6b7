"""sync.py: the resumable upload of packs (/api/v1/sync/uploads) and who may
use it, driven by hand: half the chunks, an interruption, the offset asked
again, the rest; chunks at a wrong offset refused; an upload that is not a
pack refused at apply and dropped.  The bytes here are FICTIONAL and no
pack: tests/http/test_sync.sh pushes real packs with the CLI.

Parts: protocol (needs HTTP_TEST_TOKEN, an investigator's API token, and
HTTP_TEST_ARCHIVE), token (prints a new API token for the user argv[2])."""
import os
import stat
import sys

from client import Session, Results, error_of

res = Results()
CHUNK = 4096


def token_for(user):
    s = Session().login(user)
    r = s.post("/api/v1/tokens", {"label": "FICTIONAL sync test"})
    if r.status != 201:
        raise RuntimeError("token: %d %s" % (r.status, r.body[:200]))
    return r.json()["token"]


def put(s, upload, offset, data, headers=None):
    return s.request("PUT", "/api/v1/sync/uploads/%s?offset=%d" % (upload, offset), body=data,
                     headers=headers)


def part_protocol():
    tok = Session(token=os.environ["HTTP_TEST_TOKEN"])
    data = bytes((i * 7 + 3) % 251 for i in range(6 * CHUNK + 100))  # 7 chunks, the last short
    r = tok.post("/api/v1/sync/uploads?length=%d" % len(data))
    res.check("create: 201 with an id at offset 0", r.status == 201 and r.json()["offset"] == 0
              and r.json()["length"] == len(data) and not r.json()["complete"], r.body[:300])
    upload = r.json().get("id", "none")

    # Half the chunks, then the connection is gone.
    offset = 0
    for _ in range(3):
        r = put(tok, upload, offset, data[offset:offset + CHUNK])
        offset += CHUNK
    res.check("three chunks taken, offset reported", r.status == 200 and r.json()["offset"] == offset,
              r.body[:300])

    spool = os.path.join(os.environ["HTTP_TEST_ARCHIVE"], "sync-uploads")
    mode_dir = stat.S_IMODE(os.stat(spool).st_mode)
    modes = [stat.S_IMODE(os.stat(os.path.join(spool, f)).st_mode) for f in os.listdir(spool)]
    res.check("the spool is private: directory 0700, files 0600",
              mode_dir == 0o700 and modes and all(m == 0o600 for m in modes), (oct(mode_dir), modes))

    # A gap and an overlap: refused, nothing written, the server's offset in the reply.
    r = put(tok, upload, offset + 10, data[offset + 10:offset + 10 + CHUNK])
    res.check("a chunk that leaves a gap: 409 naming the offset to send",
              r.status == 409 and r.json().get("offset") == offset
              and "gap" in error_of(r).get("message", "") and error_of(r).get("field") == "offset",
              r.body[:300])
    r = put(tok, upload, offset - 100, data[offset - 100:offset - 100 + CHUNK])
    res.check("a chunk that overlaps: 409", r.status == 409 and r.json().get("offset") == offset
              and "overlaps" in error_of(r).get("message", ""), r.body[:300])
    r = tok.request("PUT", "/api/v1/sync/uploads/%s" % upload, body=data[:10])
    res.check("a chunk without an offset: 400 naming offset",
              r.status == 400 and error_of(r).get("field") == "offset", r.body[:300])

    # After the interruption: a new connection asks where the upload stands.
    again = Session(token=os.environ["HTTP_TEST_TOKEN"])
    r = again.get("/api/v1/sync/uploads/%s" % upload)
    res.check("after an interruption: GET gives the offset held",
              r.status == 200 and r.json()["offset"] == offset, r.body[:300])
    h = again.request("HEAD", "/api/v1/sync/uploads/%s" % upload)
    res.check("HEAD answers too, without a body", h.status == 200 and h.body == b"", h.status)
    r = again.post("/api/v1/sync/uploads/%s/apply" % upload)
    res.check("apply before the end: 409 with the offset", r.status == 409
              and r.json().get("offset") == offset, r.body[:300])

    # The rest, one chunk with Content-Range.
    r = again.request("PUT", "/api/v1/sync/uploads/%s" % upload, body=data[offset:offset + CHUNK],
                      headers={"Content-Range": "bytes %d-%d/%d" % (offset, offset + CHUNK - 1, len(data))})
    res.check("a chunk by Content-Range", r.status == 200 and r.json()["offset"] == offset + CHUNK,
              r.body[:300])
    offset += CHUNK
    while offset < len(data):
        r = put(again, upload, offset, data[offset:offset + CHUNK])
        offset = r.json().get("offset", len(data)) if r.status == 200 else len(data)
    res.check("the rest: complete", r.status == 200 and r.json()["complete"], r.body[:300])
    path = os.path.join(spool, upload + ".pack")
    res.check("the spooled bytes are the bytes sent", open(path, "rb").read() == data)
    r = put(again, upload, len(data), b"x")
    res.check("a chunk past the declared length: 400", r.status == 400
              and error_of(r).get("field") == "body", r.body[:300])

    # Someone else's upload is none of theirs; a role without the right is refused at the gate.
    officer = Session().login("officer")
    r = officer.get("/api/v1/sync/uploads/%s" % upload)
    res.check("another user's upload: 404", r.status == 404, r.body[:300])
    analyst = Session().login("analyst")
    r = analyst.post("/api/v1/sync/uploads?length=10")
    res.check("an analyst may not push: 403", r.status == 403, r.body[:300])
    r = Session().post("/api/v1/sync/uploads?length=10")
    res.check("anonymous: 401", r.status == 401, r.body[:300])
    r = officer.post("/api/v1/sync/uploads?length=10", csrf=False)
    res.check("a browser session without the CSRF token: 403", r.status == 403
              and error_of(r).get("code") == "csrf", r.body[:300])
    r = officer.post("/api/v1/sync/uploads?length=0")
    res.check("a length of 0: 400 naming length", r.status == 400
              and error_of(r).get("field") == "length", r.body[:300])
    r = officer.post("/api/v1/sync/uploads?length=%d" % (1 << 62))
    res.check("a length beyond the upload limit: 413", r.status == 413, r.body[:300])

    # Not a pack: refused at apply, and the upload is gone.
    r = again.post("/api/v1/sync/uploads/%s/apply" % upload)
    res.check("apply of bytes that are no pack: refused", r.status in (400, 403), r.body[:300])
    r = again.get("/api/v1/sync/uploads/%s" % upload)
    res.check("a refused pack is dropped", r.status == 404 and not os.path.exists(path), r.body[:300])

    # Abandoned by the client.
    r = tok.post("/api/v1/sync/uploads?length=5")
    other = r.json().get("id", "none")
    r = tok.request("DELETE", "/api/v1/sync/uploads/%s" % other)
    res.check("DELETE abandons an upload", r.status == 200
              and tok.get("/api/v1/sync/uploads/%s" % other).status == 404, r.body[:300])


if sys.argv[1] == "token":
    print(token_for(sys.argv[2]))
    sys.exit(0)
{"protocol": part_protocol}[sys.argv[1]]()
sys.exit(1 if res.failed else 0)
