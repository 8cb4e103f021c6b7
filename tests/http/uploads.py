"""uploads.py PART [ARGS]: the evidence upload tests' requests, one part per
call (test_uploads.sh kills and restarts the server between them).  Uploads
go over plain sockets, so that a test can send the head and only part of a
body, and see what the server answers before the rest.  Prints ok/not ok
lines.  FICTIONAL data only."""
import hashlib
import json
import os
import socket
import sys
import time
import urllib.parse

from client import Session, Results

res = Results()
base = os.environ.get("HTTP_TEST_BASE", "")
u = urllib.parse.urlsplit(base)
HOST, PORT = u.hostname, u.port
ARCHIVE = os.environ.get("HTTP_TEST_ARCHIVE", "")
MARKER = b"FICTIONAL-UPLOAD-MARKER-5d1c9e "


def staging(vault):
    """The names in vault/ that are not finished vault files."""
    return sorted(n for n in os.listdir(vault) if n.startswith("."))


def upload_head(size, session=None, query="?filename=fictional.bin&clearance=restricted",
                expect=False, csrf=True, length=True):
    h = "POST /api/v1/evidence%s HTTP/1.1\r\nHost: x\r\n" % query
    if length:
        h += "Content-Length: %d\r\n" % size
    else:
        h += "Transfer-Encoding: chunked\r\n"
    if session is not None:
        h += "Cookie: attest_session=%s\r\n" % session.cookie
        if csrf:
            h += "X-CSRF-Token: %s\r\n" % session.csrf
    if expect:
        h += "Expect: 100-continue\r\n"
    return (h + "\r\n").encode()


def read_reply(s, timeout=20):
    """Reads one reply (head and a Content-Length body) from socket s:
    (status, body bytes), status 0 when none came in time."""
    s.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            more = s.recv(65536)
            if not more:
                break
            data += more
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
        length = 0
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v)
        while len(body) < length:
            more = s.recv(65536)
            if not more:
                break
            body += more
        return status, body
    except (OSError, ValueError):
        return 0, data


def error_code(body):
    try:
        return json.loads(body)["error"]["code"]
    except Exception:
        return None


def open_upload(session, size, **kw):
    """Sends an upload's head with Expect: 100-continue and waits for the
    server's first answer: (socket, status, body).  100 means the server
    took the upload on and waits for the body."""
    s = socket.create_connection((HOST, PORT), timeout=20)
    s.sendall(upload_head(size, session, expect=True, **kw))
    status, body = read_reply(s)
    return s, status, body


def part_stall():
    """Logs in, starts a 64 MiB upload of marker lines, sends 3 MiB of it
    and waits, the connection open, until the server goes away."""
    inv = Session().login("investigator")
    s = socket.create_connection((HOST, PORT))
    s.sendall(upload_head(64 << 20, inv))
    s.sendall(MARKER * ((3 << 20) // len(MARKER) + 1))
    s.settimeout(None)
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass


def part_wait_staging():
    """wait-staging VAULT BYTES: waits (up to a minute) for a staging file
    in VAULT of at least BYTES bytes: the server is receiving the upload."""
    vault, want = sys.argv[2], int(sys.argv[3])
    for _ in range(600):
        for n in staging(vault):
            try:
                if os.path.getsize(os.path.join(vault, n)) >= want:
                    return
            except OSError:
                pass
        time.sleep(0.1)
    res.check("the server stages the upload", False, staging(vault))


def part_refused():
    """Uploads refused from the head alone: no body read, nothing stored."""
    vault = os.path.join(ARCHIVE, "vault")
    before = sorted(os.listdir(vault))
    big = 1 << 30

    # No cookie, a 1 GiB length and some of the body: 401 at once, while
    # the body is still unsent, and nothing staged meanwhile.
    s = socket.create_connection((HOST, PORT))
    s.sendall(upload_head(big))
    try:
        s.sendall(b"F" * (256 << 10))
    except OSError:
        pass
    status, body = read_reply(s)
    during = sorted(os.listdir(vault))
    s.close()
    res.check("no cookie: 401 before the body is sent", status == 401 and error_code(body) == "unauthorised",
              (status, body[:200]))
    res.check("no cookie: nothing staged in the vault", during == before, (before, during))

    # Expect: 100-continue: the refusal comes instead of the 100.
    s = socket.create_connection((HOST, PORT))
    s.sendall(upload_head(big, expect=True))
    status, body = read_reply(s)
    s.close()
    res.check("no cookie with Expect: 100-continue: 401, not 100", status == 401, (status, body[:200]))

    # Many such connections from one client: each answered and closed.
    socks = [socket.create_connection((HOST, PORT)) for _ in range(40)]
    for s in socks:
        s.sendall(upload_head(big))
    answers = [read_reply(s)[0] for s in socks]
    closed = 0
    for s in socks:
        try:
            s.settimeout(20)
            closed += s.recv(1) == b""
        except OSError:
            closed += 1
        s.close()
    res.check("40 anonymous uploads: each 401 at once", answers == [401] * 40, answers)
    res.check("40 anonymous uploads: each connection closed", closed == 40, closed)

    # Logged in but not allowed: a partner may not add evidence; an
    # investigator may not add above their clearance; a missing CSRF token.
    partner = Session().login("partner")
    inv = Session().login("investigator")
    for label, sess, kw, want, code in [
            ("a partner", partner, {}, 403, "forbidden"),
            ("no CSRF token", inv, {"csrf": False}, 403, "csrf"),
            ("no file name", inv, {"query": "?clearance=restricted"}, 400, "invalid"),
            ("an unknown clearance", inv, {"query": "?filename=f.bin&clearance=top-secret"}, 400, "invalid"),
            ("no length (chunked)", inv, {"length": False}, 411, "length_required")]:
        s, status, body = open_upload(sess, big, **kw)
        s.close()
        res.check("%s: %d %s before the body" % (label, want, code),
                  status == want and error_code(body) == code, (status, body[:200]))
    after = sorted(os.listdir(vault))
    res.check("nothing appeared in the vault", after == before, (before, after))


def part_caps():
    """With --uploads-per-user 2 --uploads-total 3 --upload-bytes-per-user 8M."""
    inv = Session().login("investigator")
    admin = Session().login("admin")
    officer = Session().login("officer")
    mib = 1 << 20

    s, status, body = open_upload(inv, 9 * mib)
    s.close()
    res.check("one upload above the byte cap: 413 before the body",
              status == 413 and error_code(body) == "too_large", (status, body[:200]))

    a, status_a, _ = open_upload(inv, mib)
    b, status_b, _ = open_upload(inv, 6 * mib)
    res.check("two uploads of one user are taken on", (status_a, status_b) == (100, 100), (status_a, status_b))
    s, status, body = open_upload(inv, mib)
    s.close()
    res.check("a user's third upload at once: 429 JSON", status == 429 and error_code(body) == "too_many_uploads",
              (status, body[:200]))
    c, status_c, _ = open_upload(admin, mib)
    res.check("another user may still upload", status_c == 100, status_c)
    s, status, body = open_upload(officer, mib)
    s.close()
    res.check("past the total: 429 JSON", status == 429 and error_code(body) == "too_many_uploads",
              (status, body[:200]))

    # A finished upload gives its place back.
    data = os.urandom(mib)
    a.sendall(data)
    status, body = read_reply(a)
    a.close()
    res.check("the first upload completes", status == 201, (status, body[:200]))
    s, status, body = open_upload(inv, 3 * mib)
    s.close()
    res.check("bytes in flight past the user's cap: 429 JSON",
              status == 429 and error_code(body) == "too_many_uploads", (status, body[:200]))
    s, status, body = open_upload(inv, mib)
    s.close()
    res.check("its place is free again once it is done", status == 100, (status, body[:200]))
    b.close()
    c.close()


def upload(session, data, name):
    s, status, body = open_upload(session, len(data), query="?filename=%s&clearance=restricted" % name)
    if status == 100:
        s.sendall(data)
        status, body = read_reply(s)
    s.close()
    return status, body


def part_roundtrip():
    """Uploads of several sizes come back byte for byte."""
    inv = Session().login("investigator")
    chunk = 1 << 20
    sizes = [0, 1, 100000, 2 * chunk, 2 * chunk + 1, 3 * chunk + chunk // 2]
    for n in sizes:
        data = os.urandom(n)
        status, body = upload(inv, data, "fictional-%d.bin" % n)
        if not res.check("upload of %d bytes: 201" % n, status == 201, (status, body[:300])):
            continue
        item = json.loads(body)
        res.check("upload of %d bytes: size and SHA-256 recorded" % n,
                  item["size"] == n and item["sha256"] == hashlib.sha256(data).hexdigest(), item)
        r = inv.get("/api/v1/evidence/%s/file" % item["id"])
        res.check("upload of %d bytes: downloads byte-identical" % n, r.status == 200 and r.body == data,
                  (r.status, len(r.body)))
        status, body = upload(inv, data, "fictional-again-%d.bin" % n)
        res.check("upload of %d bytes again: the same item" % n,
                  status == 200 and json.loads(body)["id"] == item["id"], (status, body[:300]))
        if n == 3 * chunk + chunk // 2:
            with open(sys.argv[2], "wb") as f:
                f.write(data)
            with open(sys.argv[2] + ".id", "w") as f:
                f.write(item["id"])


def part_held_download():
    """held-download PID: uploads a 32 MiB file, starts downloading it,
    reads only the first 64 KiB, and while the server holds the rest looks
    at the files server PID has open: none may be a decrypted copy."""
    pid = sys.argv[2]
    inv = Session().login("investigator")
    data = os.urandom(32 << 20)
    status, body = upload(inv, data, "fictional-held.bin")
    if not res.check("a 32 MiB upload: 201", status == 201, (status, body[:300])):
        return
    ident = json.loads(body)["id"]
    s = socket.create_connection((HOST, PORT), timeout=20)
    s.sendall(("GET /api/v1/evidence/%s/file HTTP/1.1\r\nHost: x\r\nCookie: attest_session=%s\r\n\r\n"
               % (ident, inv.cookie)).encode())
    got = b""
    while len(got) < (64 << 10):
        more = s.recv(65536)
        if not more:
            break
        got += more
    head, _, first = got.partition(b"\r\n\r\n")
    res.check("the download starts with the file's first bytes", head.startswith(b"HTTP/1.1 200")
              and data.startswith(first), head[:200])
    open_files = []
    for fd in os.listdir("/proc/%s/fd" % pid):
        try:
            open_files.append(os.readlink("/proc/%s/fd/%s" % (pid, fd)))
        except OSError:
            pass
    copies = [f for f in open_files if "/vault/" in f and not f.rsplit("/", 1)[1][:1].isalnum()]
    res.check("a download in progress keeps no decrypted copy on disk", not copies, copies)
    s.close()
    r = inv.get("/api/v1/evidence/%s/file" % ident)
    res.check("the whole download is byte-identical", r.status == 200 and r.body == data,
              (r.status, len(r.body)))


def part_heads():
    """With --upload-bytes-per-user 8M: the three uploads written as they
    arrive (a basemap, a file of records to import, a bundle to check) have
    their head checked alike, before the body: no length 411, more than a
    user may upload 413, a file name with a folder or too long 400 naming
    filename.  Each answer: (status, code, field, whether it says why)."""
    admin = Session().login("admin")
    for path, ext in [("/api/v1/basemaps", ".mbtiles"), ("/api/v1/import", ".csv"),
                      ("/api/v1/verify/bundle", ".tar")]:
        answers = []
        for size, name, length in [(1 << 20, "f" + ext, False), (9 << 20, "f" + ext, True),
                                   (1 << 20, "a%2Fb" + ext, True), (1 << 20, "n" * 300 + ext, True)]:
            s = socket.create_connection((HOST, PORT), timeout=20)
            s.sendall(upload_head(size, admin, query="?filename=" + name, expect=True, length=length)
                      .replace(b"/api/v1/evidence", path.encode()))
            status, body = read_reply(s)
            s.close()
            try:
                err = json.loads(body)["error"]
            except Exception:
                err = {}
            said = {411: "Content-Length", 413: "8388608 bytes", 400: "no folder"}.get(status, "?")
            answers.append((status, err.get("code"), err.get("field"), said in err.get("message", "")))
        res.check("POST %s: the head's size and name are checked as every upload's" % path, answers == [
            (411, "length_required", None, True), (413, "too_large", None, True),
            (400, "invalid", "filename", True), (400, "invalid", "filename", True)], answers)


def basemap_leftovers():
    return sorted(n for n in os.listdir(ARCHIVE) if n.startswith("basemap-upload-"))


def part_basemap_caps():
    """Basemap uploads: two at once are taken, a third is refused from its
    head with 429 saying why, and once they end another is taken again."""
    analyst = Session().login("analyst")
    query = "?filename=FICTIONAL.mbtiles"
    held = []
    for _ in range(2):
        s = socket.create_connection((HOST, PORT), timeout=20)
        s.sendall(upload_head(1 << 20, analyst, query=query).replace(b"/api/v1/evidence", b"/api/v1/basemaps"))
        s.sendall(b"F" * 4096)
        held.append(s)
    for _ in range(600):
        if len(basemap_leftovers()) == 2:
            break
        time.sleep(0.1)
    res.setup("two basemap uploads in progress", len(basemap_leftovers()) == 2, basemap_leftovers())
    s = socket.create_connection((HOST, PORT), timeout=20)
    s.sendall(upload_head(1 << 20, analyst, query=query).replace(b"/api/v1/evidence", b"/api/v1/basemaps"))
    status, body = read_reply(s)
    s.close()
    res.check("a third basemap upload at once: 429 from its head, saying why",
              status == 429 and error_code(body) == "too_many_uploads" and b"as many as it adds at once" in body,
              (status, body[:200]))
    for s in held:
        s.close()
    for _ in range(600):
        if not basemap_leftovers():
            break
        time.sleep(0.1)
    r = analyst.request("POST", "/api/v1/basemaps" + query, body=b"FICTIONAL not imagery",
                        headers={"Content-Type": "application/octet-stream"})
    res.check("once they end, another basemap upload is taken (and judged on its content)",
              r.status == 400, (r.status, r.body[:200]))
    for _ in range(600):  # each is removed as its request ends, just after the reply
        if not basemap_leftovers():
            break
        time.sleep(0.1)
    res.check("no basemap upload file is left", basemap_leftovers() == [], basemap_leftovers())


parts = {name[5:].replace("_", "-"): fn for name, fn in globals().items() if name.startswith("part_")}
parts[sys.argv[1]]()
sys.exit(1 if res.failed else 0)
