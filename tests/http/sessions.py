"""sessions.py: logins, sessions and tokens against a running server.
Each part is one argument: login-request (JSON bodies and same-origin
only), throttle (wrong guesses are slowed, never locked out), cap (one
user cannot fill the sessions of all), and the revocation steps that
test_sessions.sh interleaves with CLI commands (revoke-setup, then
revoke-check STATE after each change).  FICTIONAL data only."""
import http.client
import json
import os
import sys
import threading
import time

from client import Session, Results, PASSPHRASE, error_of

res = Results()
WRONG = "FICTIONAL wrong passphrase"
state_file = os.environ.get("SESSIONS_STATE", "")


class From(Session):
    """A session whose requests come from another loopback address."""

    def __init__(self, address, **kw):
        super().__init__(**kw)
        self.address = address

    def connection(self, timeout=30):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout,
                                          source_address=(self.address, 0))


def login(s, user, passphrase=PASSPHRASE, headers=None, raw=None):
    body = raw if raw is not None else {"username": user, "passphrase": passphrase}
    return s.post("/api/v1/login", body, headers=headers)


def part_login_request():
    body = json.dumps({"username": "analyst", "passphrase": PASSPHRASE})
    s = Session()
    r = login(s, None, raw=body, headers={"Content-Type": "text/plain"})
    res.check("login: a text/plain body is refused 415", r.status == 415 and error_of(r).get("field") == "Content-Type",
              (r.status, r.body[:200]))
    r = login(s, None, raw="username=analyst&passphrase=x",
              headers={"Content-Type": "application/x-www-form-urlencoded"})
    res.check("login: a form body is refused 415", r.status == 415, (r.status, r.body[:200]))
    r = login(s, None, raw=body, headers={})
    res.check("login: a body without Content-Type is refused 415", r.status == 415, (r.status, r.body[:200]))
    r = login(s, "analyst", headers={"Origin": "http://evil.example"})
    res.check("login: a foreign Origin is refused 403", r.status == 403 and error_of(r).get("code") == "origin",
              (r.status, r.body[:200]))
    r = login(s, None, raw=body, headers={"Content-Type": "text/plain", "Origin": "http://evil.example"})
    res.check("login: text/plain from a foreign Origin is refused", r.status in (403, 415), (r.status, r.body[:200]))
    r = login(s, "analyst", headers={"Origin": "null"})
    res.check("login: Origin null is refused 403", r.status == 403, (r.status, r.body[:200]))
    r = login(s, "analyst", headers={"Origin": s.base})
    res.check("login: the server's own Origin logs in", r.status == 200, (r.status, r.body[:200]))
    r = login(s, "analyst", headers={"Content-Type": "application/json; charset=utf-8"})
    res.check("login: application/json with a charset logs in", r.status == 200, (r.status, r.body[:200]))
    r = login(s, "analyst")
    res.check("login: JSON without Origin (scripts) logs in", r.status == 200, (r.status, r.body[:200]))


def parallel_logins(make, n, user, passphrase):
    """n logins at once, each from a session made by make(); their replies."""
    replies = [None] * n
    start = threading.Barrier(n)

    def one(k):
        s = make()
        start.wait()
        replies[k] = login(s, user, passphrase)

    threads = [threading.Thread(target=one, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return replies


def checks_allowed(seconds):
    """How many guesses for one user from one address may be checked in
    the given time: one, then one more after each delay (1, 2, 4, 5, 5 ... s)."""
    n, spent, delay = 1, 0, 1
    while spent + delay <= seconds:
        spent, n, delay = spent + delay, n + 1, min(2 * delay, 5)
    return n


def part_throttle():
    here = lambda: Session()
    t0 = time.monotonic()
    replies = parallel_logins(here, 30, "admin", WRONG)
    took = time.monotonic() - t0
    checked = sum(1 for r in replies if r.status == 401)
    res.check("30 parallel wrong guesses: no more are checked (401) than the delays allow; the rest wait (429)",
              1 <= checked <= checks_allowed(took) and checked + sum(1 for r in replies if r.status == 429) == 30,
              ([r.status for r in replies], took))
    waits = [error_of(r).get("retry_after") for r in replies if r.status == 429]
    res.check("each 429 says when to try again (1 to 5 s)", waits and all(1 <= w <= 5 for w in waits), waits)
    r = login(From("127.0.0.2"), "admin")
    res.check("admin from another address logs in at once", r.status == 200, (r.status, r.body[:200]))
    r = login(Session(), "partner")
    res.check("another user from the same address logs in at once", r.status == 200, (r.status, r.body[:200]))
    r = login(Session(), "admin", WRONG)
    res.check("right after a wrong guess the next is not checked", r.status == 429, r.status)
    # The delay doubles with each wrong guess, up to a cap; parallel
    # guesses right after one gain nothing.
    seen = []
    for _ in range(4):
        r = login(Session(), "admin", WRONG)
        while r.status == 429:
            time.sleep(error_of(r)["retry_after"])
            r = login(Session(), "admin", WRONG)
        # (The delay is 2 s or more by now: eight refusals, each answered
        # without a passphrase check, come well within it.)
        after = parallel_logins(here, 8, "admin", WRONG)
        seen.append(sorted({error_of(a).get("retry_after") for a in after}))
        res.check("parallel guesses right after a wrong one are all refused unchecked",
                  all(a.status == 429 for a in after), [a.status for a in after])
    res.check("the delay doubles and stops at 5 s", all(x == [w] for x, w in zip(seen, [2, 4, 5, 5])) and seen, seen)
    r = login(Session(), "admin")
    res.check("within the delay even the right passphrase is not checked", r.status == 429, r.status)
    time.sleep(error_of(r).get("retry_after", 0))
    r = login(Session(), "admin")
    res.check("after the delay the right passphrase logs in", r.status == 200, (r.status, r.body[:200]))
    r = login(Session(), "admin", WRONG)
    r2 = login(Session(), "admin", WRONG)
    res.check("a success starts the count again: the next delay is 1 s",
              r.status == 401 and error_of(r2).get("retry_after") == 1, (r.status, r2.body[:200]))


def part_cap():
    first = Session().login("public")
    sessions = [first]
    for _ in range(259):
        sessions.append(Session().login("public"))
    res.check("260 logins of one public user all succeed", len(sessions) == 260)
    r = login(Session(), "admin")
    res.check("the admin still logs in after 260 public logins", r.status == 200, (r.status, r.body[:200]))
    live = sum(1 for s in sessions if s.get("/api/v1/me").status == 200)
    res.check("one user keeps at most 16 sessions", live == 16, live)
    res.check("the newest session works, the oldest has given way",
              sessions[-1].get("/api/v1/me").status == 200 and first.get("/api/v1/me").status == 401)


def save(d):
    json.dump(d, open(state_file, "w"))


def load():
    return json.load(open(state_file))


def part_revoke_setup():
    """A session and a token for each user that a CLI change will touch."""
    d = {}
    for user in sys.argv[2:]:
        s = Session().login(user)
        r = s.post("/api/v1/tokens", {"label": "FICTIONAL revocation " + user})
        d[user] = {"cookie": s.cookie, "csrf": s.csrf, "token": r.json()["token"] if r.status == 201 else None}
    save(d)


def part_revoke_check():
    """revoke-check WHAT USER [alive|ended] [USER alive|ended ...]."""
    d = load()
    what, args = sys.argv[2], sys.argv[3:]
    for user, want in zip(args[0::2], args[1::2]):
        s = Session()
        s.cookie, s.csrf = d[user]["cookie"], d[user]["csrf"]
        t = Session(token=d[user]["token"])
        got_s, got_t = s.get("/api/v1/me").status, t.get("/api/v1/me").status
        if want == "alive":
            res.check("%s: %s's session still works" % (what, user), got_s == 200, got_s)
            res.check("%s: %s's token still works" % (what, user), got_t == 200, got_t)
        else:
            res.check("%s: %s's session has ended at once" % (what, user), got_s == 401, got_s)
            res.check("%s: %s's token has ended at once" % (what, user), got_t in (401, 403), got_t)


def part_token_expiry():
    s = Session().login("analyst")
    for bad in (0, -1, 3651, "30", 1.5):
        r = s.post("/api/v1/tokens", {"label": "FICTIONAL", "expires_days": bad})
        res.check("token expires_days %r is refused 400 naming the field" % (bad,),
                  r.status == 400 and error_of(r).get("field") == "expires_days", (r.status, r.body[:200]))
    r = s.post("/api/v1/tokens", {"label": "FICTIONAL week", "expires_days": 7})
    res.check("a token for 7 days", r.status == 201 and r.json().get("expires_days") == 7, r.body[:200])
    r = s.post("/api/v1/tokens", {"label": "FICTIONAL default"})
    res.check("a token by default for 90 days", r.status == 201 and r.json().get("expires_days") == 90, r.body[:200])
    print(r.json()["token"], file=open(state_file, "w"))


def part_identity():
    admin, analyst, officer = Session().login("admin"), Session().login("analyst"), Session().login("officer")
    r = admin.post("/api/v1/records", {"type": "witness", "clearance": "restricted",
                                        "data": {"code": "FICTIONAL-W-SESSIONS"}})
    path = "/api/v1/witnesses/%s/identity" % r.json()["id"]
    r = analyst.post(path, {"real_name": "FICTIONAL First Pellandry"})
    res.check("an analyst records a witness's first identity", r.status == 201, r.body[:200])
    r = analyst.post(path, {"real_name": "FICTIONAL Second Pellandry"})
    res.check("an analyst cannot replace it (403)", r.status == 403, r.body[:200])
    res.check("the refusal quotes nothing of either identity", b"Pellandry" not in r.body, r.body[:200])
    r = admin.post(path, {"real_name": "FICTIONAL Second Pellandry"})
    res.check("nor an admin", r.status == 403, r.body[:200])
    r = officer.post(path, {"real_name": "FICTIONAL Second Pellandry"})
    res.check("an officer replaces it", r.status == 201, r.body[:200])


parts = {name[5:]: fn for name, fn in globals().items() if name.startswith("part_")}
parts[sys.argv[1].replace("-", "_")]()
sys.exit(0)
