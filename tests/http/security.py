"""security.py PART: the security tests' requests, one part per call (the
shell script restarts the server between some of them).  Prints ok/not
ok lines.  FICTIONAL data only."""
import json
import os
import socket
import sys
import threading
import time
import urllib.parse

from client import Session, Results, error_of, raw_get

res = Results()
base = os.environ["HTTP_TEST_BASE"]
u = urllib.parse.urlsplit(base)
HOST, PORT = u.hostname, u.port


def part_xss():
    admin = Session().login("admin")
    title = '<script>alert("FICTIONAL")</script><img src=x onerror=alert(1)>'
    r = admin.post("/api/v1/records", {"type": "document", "data": {"title": title}, "clearance": "public"})
    res.check("a record with a script in its title is stored", r.status == 201, r.body[:200])
    rid = r.json()["id"]
    for path in ("/api/v1/records/" + rid, "/api/v1/records?type=document", "/api/v1/search?q=FICTIONAL"):
        g = admin.get(path)
        ctype = g.header("content-type") or ""
        res.check("%s: JSON, not HTML" % path.split("?")[0],
                  g.status == 200 and ctype.startswith("application/json") and
                  g.header("x-content-type-options") == "nosniff", (g.status, ctype))
    g = admin.get("/api/v1/records/" + rid)
    res.check("the title comes back as the same text", g.json()["data"]["title"] == title)
    csp = g.header("content-security-policy") or ""
    res.check("a CSP forbids inline scripts", "script-src 'self'" in csp and "unsafe-inline" not in csp, csp)
    page = Session().get("/")
    res.check("the page has the CSP and no framing", "default-src 'self'" in (page.header("content-security-policy") or "")
              and page.header("x-frame-options") == "DENY", page.headers)


def part_csrf():
    admin = Session().login("admin")
    other = Session().login("admin")
    before = len(admin.get("/api/v1/records?limit=1000").json()["records"])
    body = {"type": "document", "data": {"title": "FICTIONAL csrf probe"}, "clearance": "public"}
    cases = [("no token", {}), ("wrong token", {"X-CSRF-Token": "FICTIONAL-wrong-token"}),
             ("empty token", {"X-CSRF-Token": ""}), ("another session's token", {"X-CSRF-Token": other.csrf}),
             ("token with extra bytes", {"X-CSRF-Token": admin.csrf + "x"}),
             ("token's prefix", {"X-CSRF-Token": admin.csrf[:-1]})]
    for label, h in cases:
        r = admin.request("POST", "/api/v1/records", body=body, headers=h, csrf=False)
        res.check("CSRF %s refused 403" % label, r.status == 403 and error_of(r).get("code") == "csrf",
                  (r.status, r.body[:200]))
    for path, b in [("/api/v1/tokens", {"label": "x"}), ("/api/v1/logout", {}),
                    ("/api/v1/records/dc-fake00000001/versions", {"changes": {"language": "ko"}, "reason": "x"}),
                    ("/api/v1/witnesses/wt-fake00000001/identity", {"notes": "FICTIONAL"})]:
        r = admin.request("POST", path, body=b, csrf=False)
        res.check("CSRF missing on %s refused 403" % path, r.status == 403, (r.status, r.body[:200]))
    r = admin.request("POST", "/api/v1/evidence?filename=x.txt", body=b"FICTIONAL", csrf=False,
                      headers={"Content-Type": "application/octet-stream"})
    res.check("CSRF missing on an evidence upload refused 403", r.status == 403, r.status)
    after = len(admin.get("/api/v1/records?limit=1000").json()["records"])
    res.check("nothing was written without a token", before == after, (before, after))
    res.check("still logged in after refused logout", admin.get("/api/v1/me").status == 200)
    r = admin.post("/api/v1/records", body)
    res.check("with the right token it is written", r.status == 201, r.body[:200])


def part_traversal():
    admin = Session().login("admin")
    secrets = []
    archive = os.environ["HTTP_TEST_ARCHIVE"]
    for name in os.listdir(archive):
        p = os.path.join(archive, name)
        if os.path.isfile(p):
            with open(p, "rb") as f:
                head = f.read(64)
            if len(head) >= 16:
                secrets.append(head[:16])
    secrets.append(b"SQLite format 3")
    secrets.append(b"root:x:0:0")
    paths = [
        "/assets/../attest.db", "/assets/../../attest.db", "/assets/%2e%2e/attest.db",
        "/assets/%2e%2e%2fattest.db", "/assets/..%2fattest.db", "/assets/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/assets/....//attest.db", "/assets/..\\attest.db", "/assets/%252e%252e%252fattest.db",
        "/assets/%c0%ae%c0%ae/attest.db", "/assets/./../attest.db", "/assets//etc/passwd",
        "/assets/app.js/../../attest.db", "/../attest.db", "/..%2fattest.db", "/%2e%2e/%2e%2e/etc/passwd",
        "/attest.db", "/vault/", "/assets/%00", "/assets/index.html%00.db",
        "/api/v1/evidence/../../x", "/api/v1/evidence/..%2f..%2fattest.db",
        "/api/v1/evidence/%2e%2e%2f%2e%2e%2fattest.db/file", "/api/v1/evidence/../file",
        "/api/v1/evidence/..%2F..%2F..%2Fetc%2Fpasswd/file", "/api/v1/evidence/%2e%2e/file",
        "/api/v1/evidence/....//attest.db/file", "/api/v1/export/..%2f..%2fattest.db",
        "/api/v1/records/..%2f..%2fattest.db", "/api/v1/sites/%2e%2e%2f%2e%2e",
    ]
    page = raw_get("/")[1]
    for p in paths:
        for who, s in (("anonymous", None), ("admin", admin)):
            status, body = raw_get(p, s)
            leaked = [x for x in secrets if x in body]
            # The application's page for unknown non-API paths is no leak, but
            # a path with ".." or an encoded dot must not even get that.
            dots = ".." in p or "%2e" in p.lower() or "%c0" in p.lower()
            page_ok = status == 200 and body == page and not dots and not p.startswith("/api/")
            res.check("traversal %s (%s): %d, nothing leaked" % (p, who, status),
                      (400 <= status < 500 or page_ok) and not leaked, (status, body[:120]))
    for p in ("/api/v1/evidence/ei-000000000000", "/api/v1/evidence/ei-000000000000/file",
              "/api/v1/evidence/nothing", "/api/v1/evidence/%20/file"):
        status, body = raw_get(p, admin)
        res.check("unknown evidence %s: 404" % p, status == 404, (status, body[:200]))
    res.check("the server is still up", raw_get("/api/v1/openapi.json")[0] == 200)


def part_malformed():
    admin = Session().login("admin")
    cases = [
        ("malformed JSON", "POST", "/api/v1/records", b'{"type": "document", "data": {', "bad_json", None),
        ("not JSON at all", "POST", "/api/v1/records", b"\xff\xfe FICTIONAL", "bad_json", None),
        ("an array body", "POST", "/api/v1/records", b"[]", "bad_json", None),
        ("duplicate keys", "POST", "/api/v1/records", b'{"type":"document","type":"site","data":{}}', "bad_json", None),
        ("empty body", "POST", "/api/v1/records", b"", "bad_json", None),
        ("type not text", "POST", "/api/v1/records", {"type": 5, "data": {}}, "invalid", "type"),
        ("unknown type", "POST", "/api/v1/records", {"type": "spaceship", "data": {}}, "invalid", "type"),
        ("data missing", "POST", "/api/v1/records", {"type": "document"}, "invalid", "data"),
        ("data not an object", "POST", "/api/v1/records", {"type": "document", "data": "x"}, "invalid", "data"),
        ("required field missing", "POST", "/api/v1/records", {"type": "document", "data": {}}, "invalid", "title"),
        ("field of the wrong type", "POST", "/api/v1/records", {"type": "document", "data": {"title": 7}}, "invalid", "title"),
        ("unknown field", "POST", "/api/v1/records", {"type": "document", "data": {"title": "F", "colour": "red"}}, "invalid", "colour"),
        ("latitude out of range", "POST", "/api/v1/records", {"type": "site", "data": {"name": "F", "site_type": "burial_site", "lat": 95, "lon": 1}}, "invalid", "lat"),
        ("vocabulary term unknown", "POST", "/api/v1/records", {"type": "site", "data": {"name": "F", "site_type": "castle"}}, "invalid", "site_type"),
        ("bad date", "POST", "/api/v1/records", {"type": "document", "data": {"title": "F", "date": "the 32nd of May"}}, "invalid", "date"),
        ("reference to nothing", "POST", "/api/v1/records", {"type": "interview", "data": {"witness": "wt-000000000000"}}, "invalid", "witness"),
        ("bad clearance", "POST", "/api/v1/records", {"type": "document", "data": {"title": "F"}, "clearance": "top-secret"}, "invalid", "clearance"),
        ("changes missing", "POST", "/api/v1/records/dc-fake00000001/versions", {"reason": "F"}, "invalid", "changes"),
        ("changes not an object", "POST", "/api/v1/records/dc-fake00000001/versions", {"changes": [1], "reason": "F"}, "invalid", "changes"),
        ("login name not text", "POST", "/api/v1/login", {"username": 5, "passphrase": "x"}, "invalid", "username"),
        ("login passphrase missing", "POST", "/api/v1/login", {"username": "nobody-FICTIONAL"}, "invalid", "passphrase"),
        ("identity not an object", "POST", "/api/v1/witnesses/wt-fake00000001/identity", b'"FICTIONAL"', "invalid", None),
        ("identity with an unknown key", "POST", "/api/v1/witnesses/wt-fake00000001/identity", {"shoe_size": "F"}, "invalid", None),
        ("bad bbox", "GET", "/api/v1/map?bbox=1,2,north", None, "invalid", "bbox"),
        ("limit out of range", "GET", "/api/v1/records?limit=0", None, "invalid", "limit"),
        ("bad from date", "GET", "/api/v1/records?from=yesterday", None, "invalid", "from"),
        ("unknown list type", "GET", "/api/v1/records?type=spaceship", None, "invalid", "type"),
        ("search without words", "GET", "/api/v1/search?q=", None, "invalid", "q"),
        ("upload without a name", "POST", "/api/v1/evidence", b"FICTIONAL", "invalid", "filename"),
        ("csv export without a type", "GET", "/api/v1/export/csv", None, "invalid", "type"),
    ]
    for label, method, path, body, code, field in cases:
        r = admin.request(method, path, body=body)
        e = error_of(r)
        good = 400 <= r.status < 500 and e.get("code") == code and isinstance(e.get("message"), str) \
            and len(e["message"]) > 5 and e.get("field") == field
        res.check("%s: %d %s, field %s" % (label, r.status, e.get("code"), e.get("field")), good,
                  "want 4xx %s field %s: %d %s" % (code, field, r.status, r.body[:300]))
    r = admin.request("POST", "/api/v1/records", body=b'{"type": "document", "data": {\n  "title": }}')
    res.check("malformed JSON names line and column", "line 2" in error_of(r).get("message", ""), r.body)
    r = admin.request("DELETE", "/api/v1/records/dc-fake00000001")
    res.check("an unknown method is 405", r.status == 405 and error_of(r).get("code") == "method_not_allowed", r.status)
    r = admin.get("/api/v1/nothing-here")
    res.check("an unknown API path is 404 JSON", r.status == 404 and error_of(r).get("code") == "not_found", r.status)


class Background:
    """Normal requests in a loop while something else goes on.  Nothing is
    timed: the test waits (enough()) until WANT requests have been answered
    while the other thing holds on, and then every answer must be a 200."""

    WANT = 5

    def __init__(self, session, path="/api/v1/records/dc-fake00000001"):
        self.s, self.path, self.results, self.stop = session, path, [], False
        self.answered = threading.Event()
        self.t = threading.Thread(target=self.run)

    def run(self):
        while not self.stop:
            try:
                st = self.s.get(self.path, timeout=60).status
            except Exception as e:
                st = repr(e)
            self.results.append(st)
            if len(self.results) >= self.WANT:
                self.answered.set()

    def __enter__(self):
        self.t.start()
        return self

    def __exit__(self, *a):
        self.stop = True
        self.t.join()

    def enough(self):
        """True once WANT requests were answered (a guard of minutes stops
        a hang, it measures nothing)."""
        return self.answered.wait(300)

    def fine(self):
        bad = [r for r in self.results if r != 200]
        return len(self.results) >= self.WANT and not bad, (len(self.results), bad[:5])


def raw_exchange(head, body_chunks, session=None):
    """Sends a request head and body over a plain socket (the server may
    answer and close before the body is all sent) and returns the status."""
    s = socket.create_connection((HOST, PORT), timeout=20)
    try:
        s.sendall(head)
        try:
            for c in body_chunks:
                s.sendall(c)
        except OSError:
            pass
        data = b""
        try:
            while b"\r\n" not in data:
                more = s.recv(4096)
                if not more:
                    break
                data += more
        except OSError:
            pass
        line = data.split(b"\r\n", 1)[0].split()
        return int(line[1]) if len(line) > 1 else 0
    finally:
        s.close()


def part_oversize():
    if base.startswith("https"):
        return
    admin = Session().login("admin")
    auth = ("Cookie: attest_session=%s\r\nX-CSRF-Token: %s\r\n" % (admin.cookie, admin.csrf)).encode()
    big = b'{"type": "document", "data": {"title": "' + b"F" * (2 << 20) + b'"}}'
    with Background(admin) as bg:
        st = raw_exchange(b"POST /api/v1/records HTTP/1.1\r\nHost: x\r\n" + auth +
                          b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(big), [big])
        res.check("a 2 MiB JSON body is refused 413", st == 413, st)
        # No length given, sent chunked: refused once it is too big.
        chunk = b"F" * 65536
        st = raw_exchange(b"POST /api/v1/records HTTP/1.1\r\nHost: x\r\n" + auth +
                          b"Transfer-Encoding: chunked\r\n\r\n",
                          [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * 40 + [b"0\r\n\r\n"])
        res.check("a 2.5 MiB chunked JSON body is refused 413", st == 413, st)
        # A huge declared length: refused at once, before any body (none
        # is sent: a server that waited for it would never answer).
        st = raw_exchange(b"POST /api/v1/records HTTP/1.1\r\nHost: x\r\n" + auth +
                          b"Content-Length: %d\r\n\r\n" % (1 << 40), [])
        res.check("a declared 1 TiB JSON body is refused 413 at once", st == 413, st)
        st = raw_exchange(b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\n" + auth +
                          b"X-FICTIONAL-Padding: " + b"p" * (200 << 10) + b"\r\n\r\n", [])
        res.check("a 200 KiB header is refused", st == 0 or 400 <= st < 500, st)
        bg.enough()
    ok, detail = bg.fine()
    res.check("normal requests went on meanwhile", ok, detail)
    r = admin.post("/api/v1/records", {"type": "document", "data": {"title": "F" * 1000}, "clearance": "public"})
    res.check("a normal body is still accepted after", r.status == 201, r.status)


def part_slow():
    admin = Session().login("admin")
    slow = []
    for _ in range(12):
        s = socket.create_connection((HOST, PORT))
        s.sendall(b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\n")
        slow.append(s)
    # The slow clients go on trickling header lines until enough normal
    # requests were answered meanwhile.
    with Background(admin) as bg:
        while not bg.answered.is_set():
            for s in slow:
                try:
                    s.sendall(b"X-F: a\r\n")
                except OSError:
                    pass
            bg.answered.wait(0.2)
        bg.enough()
    ok, detail = bg.fine()
    res.check("12 slow clients sending headers do not hold up others", ok, detail)
    for s in slow:
        s.close()
    # A client that stops sending mid-body holds up nothing while it waits.
    s = socket.create_connection((HOST, PORT))
    s.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"user")
    with Background(admin) as bg:
        bg.enough()
    ok, detail = bg.fine()
    res.check("a client stalled mid-body holds up nothing", ok, detail)
    s.close()


def part_cookies():
    tls = base.startswith("https")
    r = Session().post("/api/v1/login", {"username": "analyst", "passphrase": "FICTIONAL test passphrase"})
    cookies = [c for c in r.header_all("set-cookie") if c.startswith("attest_session=")]
    attrs = [a.strip().lower() for a in cookies[0].split(";")[1:]] if cookies else []
    label = "TLS" if tls else "plain HTTP"
    res.check("%s: session cookie HttpOnly" % label, "httponly" in attrs, cookies)
    res.check("%s: session cookie SameSite=Strict" % label, "samesite=strict" in attrs, cookies)
    res.check("%s: session cookie Path=/" % label, "path=/" in attrs, cookies)
    if tls:
        res.check("TLS: session cookie Secure", "secure" in attrs, cookies)
    else:
        res.check("plain HTTP: no Secure flag (it would never be sent back)", "secure" not in attrs, cookies)
    s = Session().login("analyst")
    r = s.post("/api/v1/logout", {})
    gone = [c for c in r.header_all("set-cookie") if c.startswith("attest_session=")]
    res.check("%s: logout clears the cookie" % label, gone and "max-age=0" in gone[0].lower(), gone)
    res.check("%s: the old session no longer works" % label, s.get("/api/v1/me").status == 401)


def part_log_requests():
    """Requests carrying names that must not reach the access log."""
    admin = Session().login("admin")
    officer = Session().login("officer")
    secret_name = os.environ["HTTP_TEST_SECRET_NAME"]
    admin.get("/api/v1/search?q=" + urllib.parse.quote(secret_name))
    admin.get("/api/v1/records?place=" + urllib.parse.quote(secret_name))
    r = admin.post("/api/v1/witnesses/wt-fake00000003/identity",
                   {"real_name": secret_name, "address": "FICTIONAL-ADDRESS-Hyesan-77"})
    res.check("identity sealed", r.status == 201, r.body[:200])
    r = admin.post("/api/v1/records", {"type": "witness", "data": {"code": "FICTIONAL-W-LOG",
                                                                    "notes": "FICTIONAL-NOTES-Kang"}})
    res.check("a witness written", r.status == 201, r.body[:200])
    officer.get("/api/v1/records/" + r.json()["id"] + "?version=1")
    Session().post("/api/v1/login", {"username": secret_name, "passphrase": "FICTIONAL wrong"})


def part_ratelimit():
    s = Session()
    statuses = []
    for _ in range(3):
        r = s.post("/api/v1/login", {"username": "partner", "passphrase": "FICTIONAL wrong passphrase"})
        statuses.append(r.status)
    res.check("a wrong passphrase is 401, and the next guess at once is refused 429", statuses == [401, 429, 429],
              statuses)
    r = s.post("/api/v1/login", {"username": "partner", "passphrase": "FICTIONAL test passphrase"})
    res.check("even the right passphrase is refused 429 during the delay", r.status == 429, r.status)
    e = error_of(r)
    res.check("429 says when to try again", e.get("code") == "too_many_attempts" and "seconds" in e.get("message", "")
              and e.get("retry_after") == 1, e)
    # Waits as long as the server says, as often as it says so (a loaded
    # machine may answer the first retry before the delay is over).
    for _ in range(10):
        time.sleep(e.get("retry_after", 1))
        r = s.post("/api/v1/login", {"username": "partner", "passphrase": "FICTIONAL test passphrase"})
        if r.status != 429:
            break
        e = error_of(r)
    res.check("after the delay the right passphrase logs in", r.status == 200, r.status)


def part_shutdown_writer():
    """Writes and an upload until the server goes away; writes the
    acknowledged ids to OUT at the end.  On the way, OUT.acked gets a line
    per acknowledged write and OUT.uploading appears once the upload is
    under way, for the script to wait on before it stops the server."""
    out = sys.argv[2]
    tok = os.environ["HTTP_TEST_TOKEN"]
    acked, lock = [], threading.Lock()
    progress = open(out + ".acked", "a", buffering=1)

    def writer(k):
        s = Session(token=tok)
        i = 0
        while True:
            i += 1
            try:
                r = s.post("/api/v1/records", {"type": "document", "clearance": "partner",
                                               "data": {"title": "FICTIONAL shutdown %d-%d" % (k, i)}}, timeout=20)
            except Exception:
                return
            if r.status == 201:
                with lock:
                    acked.append(r.json()["id"])
                    progress.write(acked[-1] + "\n")
            elif r.status >= 500:
                return

    def uploader():
        s = Session(token=tok)
        c = s.connection(timeout=60)
        size = 256 << 20
        try:
            c.putrequest("POST", "/api/v1/evidence?filename=fictional-large.bin&clearance=restricted")
            c.putheader("Authorization", "Bearer " + tok)
            c.putheader("Content-Length", str(size))
            c.endheaders()
            block = os.urandom(1 << 20)
            for n in range(size >> 20):
                c.send(block)
                if n == 16:
                    open(out + ".uploading", "w").close()
            r = c.getresponse()
            if r.status in (200, 201):
                with lock:
                    acked.append(json.loads(r.read())["id"])
        except Exception:
            pass
        finally:
            c.close()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    threads.append(threading.Thread(target=uploader))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    json.dump(acked, open(out, "w"))


def part_token():
    s = Session().login("admin")
    print(s.post("/api/v1/tokens", {"label": "FICTIONAL shutdown test"}).json()["token"])
    return


parts = {name[5:]: fn for name, fn in globals().items() if name.startswith("part_")}
part = sys.argv[1].replace("-", "_")
if part == "token":
    part_token()
    sys.exit(0)
parts[part]()
sys.exit(0)
