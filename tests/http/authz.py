"""authz.py: the authorisation matrix.  Reads the expected table (the
file named by argv[1]: ROUTE CLEARANCE then one status per principal),
checks that it agrees with the role rules below (a copy of core's
access.c table, written out independently), then makes every request as
every principal, by session cookie and by API token, and compares."""
import json
import os
import sys

from client import Session, Results

PRINCIPALS = ["anonymous", "admin", "officer", "investigator", "analyst", "partner", "public"]
LEVELS = ["public", "partner", "restricted", "confidential"]
# role: (highest clearance it may read, what it may do) -- as access.c decides.
ROLES = {
    "admin": (3, {"read", "write", "add_evidence", "get_evidence", "export", "sync"}),
    "officer": (3, {"read", "write", "add_evidence", "get_evidence", "export", "reveal", "sync"}),
    "investigator": (3, {"read", "write", "add_evidence", "get_evidence", "export", "sync"}),
    "analyst": (2, {"read", "write", "get_evidence", "export"}),
    "partner": (1, {"read", "get_evidence"}),
    "public": (0, {"read"}),
}


def rule(route, level, who):
    """The status the role rules give; the table must agree."""
    method, path = route.split(" ", 1)
    public_routes = {"GET /", "GET /api/v1/openapi.json"}
    if route in public_routes:
        return 200
    if route == "POST /api/v1/login":
        return 401 if who == "anonymous" else 200
    if who == "anonymous":
        return 401
    top, can = ROLES[who]
    lv = LEVELS.index(level) if level != "-" else 0
    reads = top >= lv
    if (path.startswith("/api/v1/sync/peers/{name}/") and path.endswith(("/travel", "/restore"))
            or route == "GET /api/v1/sync/peers/{name}/jobs/{id}"):
        # travel, its restore and following a job (a traveller's delivery):
        # the sync right, as `attest travel`; the matrix confirms nothing
        # (400), no pack waits for a peer not pinned, and no job is there (404)
        if "sync" not in can:
            return 403
        return 400 if route == "POST /api/v1/sync/peers/{name}/travel" else 404
    if path.startswith(("/api/v1/sync/key", "/api/v1/sync/peers", "/api/v1/sync/status")):
        # peers and the network from the server: admins only; the matrix
        # pins no peer and starts a job of no kind (400), and names a peer
        # not pinned (404)
        if who != "admin":
            return 403
        if route in ("POST /api/v1/sync/peers", "POST /api/v1/sync/peers/{name}/jobs"):
            return 400
        return 404 if "{name}" in path else 200
    if path.startswith("/api/v1/sync/") and route != "GET /api/v1/sync/conflicts":
        # sync needs its right; the matrix then names no pack length, no
        # archive, and uploads that are not there
        if "sync" not in can:
            return 403
        if route == "GET /api/v1/sync/mark":
            return 200
        if route in ("POST /api/v1/sync/uploads", "GET /api/v1/sync/pack", "GET /api/v1/sync/export",
                     "POST /api/v1/sync/import"):
            return 400
        return 404
    if path == "/api/v1/evidence":
        if method == "GET":
            return 200 if "get_evidence" in can else 403
        return 201 if "add_evidence" in can else 403
    if route == "POST /api/v1/evidence/{id}/custody":
        if "add_evidence" not in can:
            return 403
        return 201 if reads else 404
    if route == "POST /api/v1/me/passphrase":
        # one's own passphrase: the matrix never gives the current one
        return 400
    if path.startswith("/api/v1/users"):
        # user administration: admins only
        return (201 if method == "POST" and path == "/api/v1/users" else 200) if who == "admin" else 403
    if route == "POST /api/v1/tokens/{id}/revoke":
        # the matrix revokes a token that is not there
        return 404
    if path.startswith("/api/v1/evidence/"):
        # above the reader's clearance an item is not there, as one that does not exist
        if "get_evidence" not in can:
            return 403
        return 200 if reads else 404
    if path == "/api/v1/export/{format}/report":
        # a map export checks each record against the reader: the right to export is enough
        return 200 if "export" in can else 403
    if path.startswith("/api/v1/export/"):
        # a whole export holds confidential records: export and clearance 3
        return 200 if "export" in can and top >= 3 else 403
    if route in ("POST /api/v1/records", "POST /api/v1/documents"):
        return 201 if "write" in can else 403
    if route in ("POST /api/v1/claims", "POST /api/v1/tags/{id}"):
        # a claim on a document that is not there, a tag that is not there
        return 404 if "write" in can else 403
    if route in ("POST /api/v1/sites/cluster", "POST /api/v1/sites/decisions"):
        # the matrix sends no decision: refused as bad input once the role may write
        return 403 if "write" not in can else 200 if path.endswith("cluster") else 400
    if method == "POST" and path.startswith("/api/v1/screen/decisions"):
        # the matrix decides on a record that is not there
        return 404 if "write" in can else 403
    # Below a record's clearance it is not there (404), as a record that
    # does not exist; a role without the right to write is refused first.
    if path in ("/api/v1/records/{id}/versions", "/api/v1/records/{id}/retract",
                "/api/v1/witnesses/{id}/identity"):
        if "write" not in can:
            return 403
        return (201 if "witnesses" in path else 200) if reads else 404
    if method == "POST" and path.startswith("/api/v1/cases/"):
        # casework: write, then read the case (else 404)
        if "write" not in can:
            return 403
        if path.endswith("/remove"):
            return 400 if reads else 404
        return (201 if path.endswith("/sales") else 200) if reads else 404
    if route == "POST /api/v1/link/decisions":
        # a decision on two persons: write, and read both (else 404)
        if "write" not in can:
            return 403
        return 201 if reads else 404
    # The analysis workflows: the matrix names an estimate that is not
    # there, uploads a basemap whose name is no imagery's, removes none.
    if path.startswith("/api/v1/estimates/"):
        return 404
    if route == "POST /api/v1/link/runs":
        return 201 if "write" in can else 403
    if route == "POST /api/v1/basemaps":
        return 400 if "write" in can else 403
    # Import, proofs and checks, rings: the matrix sends a file of no known
    # format, no bundle's name, no point, no old size; verifying is for admins.
    if route in ("POST /api/v1/import", "POST /api/v1/lists"):
        return 400 if "write" in can else 403
    if route == "POST /api/v1/verify":
        return 200 if who == "admin" else 403
    if route in ("POST /api/v1/verify/bundle", "GET /api/v1/ring", "GET /api/v1/proof/consistency"):
        return 400
    if route in ("DELETE /api/v1/basemaps/{name}", "GET /api/v1/basemaps/{name}/file"):
        return 404 if "write" in can else 403
    if "{id}" in path:
        return 200 if reads else 404
    if route == "POST /api/v1/tokens":
        return 201
    return 200


def load_table(path):
    rows = []
    for line in open(path):
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        route, level, statuses = line[0] + " " + line[1], line[2], [int(s) for s in line[3:]]
        if len(statuses) != len(PRINCIPALS):
            raise SystemExit("bad row: %s" % line)
        rows.append((route, level, dict(zip(PRINCIPALS, statuses))))
    return rows


res = Results()
rows = load_table(sys.argv[1])
# The plan, from the table and the roles: each row by cookie and by token;
# per role, what it is shown and each site up to its clearance, five
# answers per record above it, and its reads of two re-classified
# records (two tests for a role cleared for everything, else four); and
# the two re-classifications.
print("1..%d" % (2 * len(rows)
                 + sum(1 + top + 1 for top, _ in ROLES.values())
                 + sum(5 * (len(LEVELS) - 1 - top) for top, _ in ROLES.values())
                 + sum(2 if top == len(LEVELS) - 1 else 4 for top, _ in ROLES.values())
                 + 2))
sys.stdout.flush()
ids = json.load(open(sys.argv[2]))
evidence = json.load(open(sys.argv[3]))
for route, level, want in rows:
    bad = {w: (s, rule(route, level, w)) for w, s in want.items() if s != rule(route, level, w)}
    res.setup("table agrees with the role rules: %s [%s]" % (route, level), not bad, bad)

# Every route of the server appears in the table, with every clearance
# where the route takes a record.
import re
table = re.findall(r'\.method = "([A-Z]+)", \.path = "([^"]+)"', open("src/http/route.c").read())
res.setup("route table parsed", len(table) >= 20, table)
routes_in_table = {r for r, _, _ in rows}
missing = sorted("%s %s" % t for t in table if "%s %s" % t not in routes_in_table)
res.setup("every route of the server in the matrix", not missing, missing)
for r in routes_in_table:
    levels = {lv for rr, lv, _ in rows if rr == r}
    # (a token or an upload is the caller's, not a record with a clearance;
    # an estimate's clearance is its author's: tests/http/analysis.py)
    if (("{id}" in r and "/tokens/" not in r and "/sync/uploads/" not in r and "/sync/peers/" not in r
          and "/estimates/" not in r) or r.endswith(" /api/v1/records") and r.startswith("POST")
            or r == "POST /api/v1/evidence"
            or r == "POST /api/v1/link/decisions"):
        res.setup("every clearance for %s" % r, levels == set(LEVELS), levels)

# The principals: a cookie session and an API token per role.
cookie = {"anonymous": Session()}
token = {}
for role in ROLES:
    cookie[role] = Session().login(role)
    r = cookie[role].post("/api/v1/tokens", {"label": "FICTIONAL matrix " + role})
    token[role] = Session(token=r.json()["token"]) if r.status == 201 else None
res.setup("a token for every role", all(token.values()), token)

counter = [0]


def request(s, who, route, level, mode):
    method, path = route.split(" ", 1)
    counter[0] += 1
    n = counter[0]
    lv = level if level != "-" else None
    query, body = "", None
    if path.startswith("/api/v1/sync/uploads/"):
        path = path.replace("{id}", "0123456789abcdef0123456789abcdef")
        if method == "PUT":
            query, body = "?offset=0", b"FICTIONAL chunk"
    elif path.startswith("/api/v1/estimates"):
        path = path.replace("{id}", "es-0000000000000000")
        if method == "POST":
            body = {"counts": "A,B,count\n1,0,60\n0,1,50\n1,1,20\n", "method": "chapman"}
    elif route == "POST /api/v1/link/runs":
        body = {"type": "person"}
    elif route == "POST /api/v1/basemaps":
        query, body = "?filename=fictional.txt", b"FICTIONAL not imagery"
    elif route == "POST /api/v1/sync/import":
        query, body = "?filename=fictional.pack", b"FICTIONAL not a pack"
    elif route == "POST /api/v1/screen/compare":
        query, body = "?filename=fictional-pairs.tsv", b"FICTIONAL Trading\tFICTIONAL Trading Co\tcompany\n"
    elif route in ("POST /api/v1/import", "POST /api/v1/verify/bundle", "POST /api/v1/lists"):
        query, body = "?filename=fictional.txt", b"FICTIONAL not a file of records"
    elif route in ("DELETE /api/v1/basemaps/{name}", "GET /api/v1/basemaps/{name}/file"):
        path = path.replace("{name}", "not-there")
    elif path == "/api/v1/evidence" and method == "POST":
        query = "?filename=fictional-%d.txt&clearance=%s" % (n, lv)
        body = ("FICTIONAL evidence %d %s %s\n" % (n, who, mode)).encode()
    elif path.startswith("/api/v1/evidence/"):
        path = path.replace("{id}", evidence[lv])
        if path.endswith("/custody"):
            body = {"action": "examined", "note": "FICTIONAL matrix %d" % n}
    elif route == "POST /api/v1/users":
        body = {"name": "fictional-m%d" % n, "role": "public", "passphrase": "FICTIONAL matrix passphrase",
                "kdf": "interactive"}
    elif route == "POST /api/v1/users/{name}":
        # enabling a user who is enabled changes nothing and ends no session
        path = path.replace("{name}", "matrix-target")
        body = {"enabled": True}
    elif path.startswith("/api/v1/sync/peers"):
        path = path.replace("{name}", "fictional-unpinned").replace("{id}", "0" * 32)
        body = {} if method == "POST" else None
    elif route == "POST /api/v1/users/{name}/passphrase":
        # a reset of the target's passphrase, which no principal uses
        path = path.replace("{name}", "matrix-target")
        body = {"passphrase": "FICTIONAL matrix reset %d" % n, "kdf": "interactive"}
    elif route == "POST /api/v1/me/passphrase":
        body = {"passphrase": "FICTIONAL matrix own %d" % n}
    elif route == "POST /api/v1/tokens/{id}/revoke":
        path = path.replace("{id}", "000000000000")
        body = {}
    elif route == "POST /api/v1/records":
        body = {"type": "document", "data": {"title": "FICTIONAL matrix %d" % n}, "clearance": lv}
    elif path.endswith("/versions"):
        path = path.replace("{id}", ids["amend"][mode][who][lv])
        body = {"changes": {"description": "FICTIONAL change %d" % n}, "reason": "FICTIONAL matrix"}
    elif path.endswith("/retract"):
        path = path.replace("{id}", ids["retract"][mode][who][lv])
        body = {"reason": "FICTIONAL matrix"}
    elif path.startswith("/api/v1/witnesses/"):
        path = path.replace("{id}", ids["identity"][mode][who][lv])
        body = {"real_name": "FICTIONAL NAME %d" % n}
    elif path.startswith("/api/v1/cases/"):
        path = path.replace("{id}", ids["case"][lv])
        if path.endswith("/sales"):
            body = {"sale": {"place": "Yanji", "price": n, "currency": "CNY", "note": "FICTIONAL %d" % n}}
        elif path.endswith("/remove"):
            path = path.replace("{n}", "999")
            body = {"reason": "FICTIONAL matrix %d" % n}
        elif path.endswith("/indicators"):
            body = {"indicator": "deception", "status": "observed", "note": "FICTIONAL %d" % n}
    elif path.startswith("/api/v1/sites/") and "{id}" in path:
        path = path.replace("{id}", ids["site"][lv])
    elif path.startswith("/api/v1/tags/"):
        path = path.replace("{id}", "999999")
        body = {"status": "accepted"}
    elif route == "POST /api/v1/documents":
        body = {"text": "FICTIONAL matrix document %d" % n}
    elif route == "POST /api/v1/claims":
        body = {"document": "dc-000000000000", "span": "0:1", "quantity": 1, "unit": "workers", "topic": "other"}
    elif route == "GET /api/v1/screen/records/{id}":
        # a person of the clearance, screened
        path = path.replace("{id}", ids["persons"][lv][0])
    elif "{id}" in path:
        path = path.replace("{id}", ids["document"][lv])
    elif route == "POST /api/v1/link/decisions":
        a, b = ids["persons"][lv]
        body = {"a": a, "b": b, "decision": "accept" if n % 2 else "reject"}
    elif path.startswith("/api/v1/link/"):
        query = "?type=person"
    elif path == "/api/v1/screen/successors":
        query = "?entry=un:KPe.002"
    elif path == "/api/v1/screen/compare":
        query = "?name1=FICTIONAL%20Trading&name2=FICTIONAL%20Trading%20Co"
    elif path == "/api/v1/lists/{version}/entries/{key}":
        path = "/api/v1/lists/un/entries/KPe.001"
    elif path == "/api/v1/lists/{version}/diff":
        path = "/api/v1/lists/un/diff"
        query = "?from=un"
    elif path == "/api/v1/export/{format}/report":
        path = "/api/v1/export/kml/report"
        query = "?tier=public"
    elif path == "/api/v1/export/{format}":
        path = "/api/v1/export/jsonl"
    elif path == "/api/v1/stats/charts/{name}":
        path = "/api/v1/stats/charts/witnesses_by_sex"
    elif path == "/tiles/{name}/{z}/{x}/{y}":
        path = "/tiles/colours/0/0/0"
    elif path == "/api/v1/search":
        query = "?q=FICTIONAL"
    elif path == "/api/v1/places":
        query = "?q=Hoeryong"
    elif path in ("/api/v1/map", "/api/v1/sites"):
        query = "?bbox=124,37,131,43"
    elif path.startswith("/api/v1/screen/decisions") and method == "POST":
        body = {"record": "or-000000000000", "entry": "KPe.001"}
    elif path == "/api/v1/screen":
        body = {"queries": {"q1": {"schema": "Company", "properties": {"name": ["FICTIONAL Trading"]}}}}
    elif route == "POST /api/v1/login":
        # a wrong guess delays the next for that user: anonymous guesses for no one
        who_user = who if who != "anonymous" else "nobody-fictional"
        pw = "FICTIONAL test passphrase" if who != "anonymous" else "FICTIONAL wrong passphrase"
        return Session(s.base).post(path, {"username": who_user, "passphrase": pw})
    elif route == "POST /api/v1/logout":
        if who == "anonymous":
            return s.post(path, {})
        fresh = Session(s.base).login(who) if mode == "cookie" else s
        return fresh.post(path, {})
    elif method == "POST":
        body = {"label": "FICTIONAL %d" % n}
    return s.request(method, path + query, body=body)


for mode in ("cookie", "token"):
    for route, level, want in rows:
        got = {}
        for who in PRINCIPALS:
            if mode == "token" and who == "anonymous":
                continue
            s = cookie[who] if mode == "cookie" or who == "anonymous" else token[who]
            r = request(s, who, route, level, mode)
            got[who] = (r.status, want[who], r.body[:160])
        bad = {w: g for w, g in got.items() if g[0] != g[1]}
        res.check("%s: %s [%s]" % (mode, route, level), not bad,
                  "\n".join("%s: got %d, want %d: %s" % (w, g[0], g[1], g[2]) for w, g in bad.items()))

# What a reader is shown stays within their clearance: lists, search, the
# map, a site's pinpoints and a record's referrers.
for who, (top, _) in ROLES.items():
    s = cookie[who]
    shown = []
    r = s.get("/api/v1/records?limit=1000&retracted")
    shown += [(d["id"], d["clearance"]) for d in r.json()["records"]]
    r = s.get("/api/v1/search?q=FICTIONAL&limit=1000")
    shown += [(h["record"]["id"], h["record"]["clearance"]) for h in r.json()["hits"]]
    r = s.get("/api/v1/map")
    shown += [(f["properties"]["id"], f["properties"]["clearance"]) for f in r.json()["features"]]
    above = [x for x in shown if LEVELS.index(x[1]) > top]
    res.check("%s is shown nothing above %s (%d records seen)" % (who, LEVELS[top], len(shown)),
              not above and shown, above[:10])
    for lv in LEVELS[:top + 1]:
        r = s.get("/api/v1/sites/" + ids["site"][lv])
        pins = [p["clearance"] for p in r.json()["pinpoints"]]
        r2 = s.get("/api/v1/records/" + ids["site"][lv])
        refs = [x["id"] for x in r2.json()["referred_by"]]
        want_refs = sorted(ids["pins"][lv][l] for l in LEVELS[:top + 1])
        res.check("%s: site [%s] shows pinpoints and referrers up to %s" % (who, lv, LEVELS[top]),
                  sorted(pins, key=LEVELS.index) == LEVELS[:top + 1] and sorted(refs) == want_refs,
                  (pins, refs, want_refs))

# Below a record's clearance, "forbidden" and "not found" are one answer:
# the same status and the same message (but for the id) as for an id that
# names no record.
MISSING = "dc-mxzzzzzzzzzz"


def answer(r, ident):
    return r.status, r.body.decode("utf-8", "replace").replace(ident, "ID")


for who, (top, can) in ROLES.items():
    s = cookie[who]
    for lv in LEVELS[top + 1:]:
        for kind, path, body in (("read", "/api/v1/records/%s", None),
                                 ("history", "/api/v1/records/%s/history", None),
                                 ("version 1", "/api/v1/records/%s?version=1", None),
                                 ("amend", "/api/v1/records/%s/versions",
                                  {"changes": {}, "reason": "FICTIONAL probe"}),
                                 ("retract", "/api/v1/records/%s/retract", {"reason": "FICTIONAL probe"})):
            hidden = ids["document"][lv]
            if body is None:
                got, want = s.get(path % hidden), s.get(path % MISSING)
            else:
                got, want = s.post(path % hidden, body), s.post(path % MISSING, body)
            res.check("%s: %s of a %s record is as of one that does not exist" % (who, kind, lv),
                      answer(got, hidden) == answer(want, MISSING),
                      (answer(got, hidden), answer(want, MISSING)))

# A version is read only by those cleared for it and for the record's
# current clearance: a public record raised to confidential takes its
# public version 1 out of reach; one lowered from confidential to public
# keeps its version 1 out of reach.
admin = cookie["admin"]
for key, level in (("raised", "confidential"), ("lowered", "public")):
    r = admin.post("/api/v1/records/%s/versions" % ids[key],
                   {"changes": {}, "reason": "FICTIONAL %s" % key, "clearance": level})
    res.check("admin: %s to %s" % (key, level), r.status == 200, r.body[:200])
for who, (top, _) in ROLES.items():
    s = cookie[who]
    for key in ("raised", "lowered"):
        i = ids[key]
        got = s.get("/api/v1/records/%s?version=1" % i)
        if top == 3:
            res.check("%s: version 1 of the %s record" % (who, key), got.status == 200, got.body[:200])
            continue
        if key == "raised":
            want = answer(s.get("/api/v1/records/%s" % MISSING), MISSING)
        else:
            status, text = answer(s.get("/api/v1/records/%s?version=9" % i), i)
            want = (status, text.replace("version 9", "version 1"))
        res.check("%s: version 1 of the %s record is not there for it" % (who, key),
                  answer(got, i) == want and want[0] == 404, (answer(got, i), want))
        h = s.get("/api/v1/records/%s/history" % i)
        if key == "raised":
            res.check("%s: history of the raised record is not there for it" % who,
                      h.status == 404, (h.status, h.body[:200]))
        else:
            versions = [v["version"] for v in h.json()["versions"]] if h.status == 200 else h.status
            res.check("%s: history of the lowered record shows only what it may read" % who,
                      versions == [2], versions)
sys.exit(0)
