"""client.py: a small client for the HTTP tests (standard library only).

Session(base).login(user) keeps the session cookie and the CSRF token and
sends the token on every state-changing request; Session(base, token=T)
uses an API token instead.  request() returns (status, headers, body bytes)
and never raises on an HTTP error status.  error_of() and raw_get() are the
helpers the test parts share.
"""
import http.client
import json
import os
import ssl
import urllib.parse

PASSPHRASE = os.environ.get("HTTP_TEST_PASSPHRASE", "FICTIONAL test passphrase")


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def header(self, name):
        return self.headers.get(name.lower())

    def header_all(self, name):
        return self.headers.get("*" + name.lower(), [])


class Session:
    def __init__(self, base=None, token=None):
        self.base = base or os.environ["HTTP_TEST_BASE"]
        u = urllib.parse.urlsplit(self.base)
        self.tls = u.scheme == "https"
        self.host, self.port = u.hostname, u.port
        self.cookie = None
        self.csrf = None
        self.token = token

    def connection(self, timeout=30):
        if self.tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=ctx)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, csrf=True, timeout=60):
        h = {}
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode("utf-8")
            h["Content-Type"] = "application/json"
        elif isinstance(body, str):
            body = body.encode("utf-8")
        if self.cookie:
            h["Cookie"] = "attest_session=" + self.cookie
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        c = self.connection(timeout)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            hdrs = {}
            for k, v in r.getheaders():
                hdrs[k.lower()] = v
                hdrs.setdefault("*" + k.lower(), []).append(v)
            return Reply(r.status, hdrs, data)
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def login(self, user, passphrase=PASSPHRASE):
        r = self.post("/api/v1/login", {"username": user, "passphrase": passphrase})
        if r.status != 200:
            raise RuntimeError("login %s: %d %s" % (user, r.status, r.body[:200]))
        for v in r.header_all("set-cookie"):
            first = v.split(";", 1)[0]
            if first.startswith("attest_session="):
                self.cookie = first.split("=", 1)[1]
        self.csrf = r.json()["csrf_token"]
        return self

    def add(self, kind, clearance, data):
        """Adds a record (setup: any refusal raises) and returns its id."""
        r = self.post("/api/v1/records", {"type": kind, "clearance": clearance, "data": data})
        if r.status != 201:
            raise RuntimeError("adding a %s: %d %s" % (kind, r.status, r.body[:200]))
        return r.json()["id"]


def error_of(r):
    """The "error" object of a JSON error reply, or {} when there is none."""
    try:
        return r.json()["error"]
    except Exception:
        return {}


def raw_get(path, session=None):
    """GET with the path sent exactly as given (no normalising); returns
    (status, body bytes)."""
    s = session or Session()
    c = s.connection()
    try:
        c.putrequest("GET", path, skip_accept_encoding=True)
        if s.cookie:
            c.putheader("Cookie", "attest_session=" + s.cookie)
        c.endheaders()
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


class Results:
    """Prints "ok - NAME" / "not ok - NAME" lines and counts failures.
    setup() checks what the tests rest on (their own tables, the data they
    made): silent when it holds, a "not ok" line when it does not, never a
    pass counted as a test of attest."""

    def __init__(self):
        self.failed = 0

    def setup(self, name, cond, detail=""):
        if not cond:
            self.check("setup: " + name, cond, detail)
        return cond

    def check(self, name, cond, detail=""):
        if cond:
            print("ok - " + name)
        else:
            self.failed += 1
            print("not ok - " + name)
            for line in str(detail).splitlines()[:20]:
                print("# " + line)
        return cond
