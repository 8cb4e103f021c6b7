"""openapi_check.py: web/openapi.json against the server: the same routes
as src/http/route.c's table, each documented operation called (as admin
and anonymously) with the demo archive's ids, every status among those
documented, every JSON reply matching its schema."""
import json
import os
import re
import sys

from client import Session, Results, error_of
import schema

res = Results()
doc = json.load(open("web/openapi.json"))
table = re.findall(r'\.method = "([A-Z]+)", \.path = "([^"]+)",\s*\.need = (NEED_[A-Z]+)',
                   open("src/http/route.c").read())
served = {(m, p): a for m, p, a in table}
documented = {(m.upper(), p): op for p, item in doc["paths"].items()
              for m, op in item.items() if m in ("get", "post", "put", "patch", "delete", "head")}

res.check("route table parsed", len(served) >= 20, table)
res.check("every route documented", not set(served) - set(documented), sorted(set(served) - set(documented)))
res.check("no undocumented extra routes", not set(documented) - set(served), sorted(set(documented) - set(served)))
for key, access in sorted(served.items()):
    op = documented.get(key)
    if op is None:
        continue
    sec = op.get("security")
    want_public = access == "NEED_NOTHING"
    res.check("%s %s: security %s" % (key[0], key[1], "none" if want_public else "session or token"),
              (sec == []) if want_public else bool(sec) and "401" in op["responses"], sec)
    if key[0] == "POST" and not want_public:
        res.check("%s %s: CSRF header documented" % key,
                  any("csrfHeader" in s for s in sec), sec)
    for code, r in op["responses"].items():
        r = schema.resolve(doc, r)
        if not code.startswith("2") and "application/json" in r.get("content", {}):
            sch = r["content"]["application/json"]["schema"]
            if schema.resolve(doc, sch) is not doc["components"]["schemas"]["Error"]:
                res.check("%s %s %s: error schema" % (key[0], key[1], code), False, sch)

admin = Session().login("admin")
served_doc = admin.get("/api/v1/openapi.json")
res.check("served document is the file", served_doc.status == 200 and served_doc.json() == doc)

# The requests: (method, path template) -> (path params, query, body, raw body).
evidence_bytes = b"FICTIONAL evidence bytes for the API description test\n"
sync_chunk = b"FICTIONAL not a pack\n"
# Pulling and applying a real pack needs a second, pinned archive: those
# succeed in tests/http/test_sync.sh; here they answer a documented refusal.
needs_peer = {("GET", "/api/v1/sync/pack"), ("POST", "/api/v1/sync/uploads/{id}/apply"),
              # packs as files: tests/http/test_sync_files.sh
              ("GET", "/api/v1/sync/export"), ("POST", "/api/v1/sync/import"),
              ("POST", "/api/v1/sync/peers/{name}/push"), ("POST", "/api/v1/sync/peers/{name}/pull"),
              # A job to that peer starts (202) and fails on its own, and the push
              # and pull that follow take its place as the peer's last job (404):
              # watched to their end in tests/http/test_sync_jobs.sh.
              ("POST", "/api/v1/sync/peers/{name}/jobs"), ("GET", "/api/v1/sync/peers/{name}/jobs/{id}"),
              # The list is asked before the peer is pinned (404): listed in
              # tests/http/test_sync_jobs.sh.
              ("GET", "/api/v1/sync/peers/{name}/jobs"),
              # Travel empties the archive: tests/http/test_travel.sh runs it on
              # a laptop of its own; here a wrong confirmation, no pack, no server.
              ("POST", "/api/v1/sync/peers/{name}/travel"), ("GET", "/api/v1/sync/peers/{name}/travel"),
              ("POST", "/api/v1/sync/peers/{name}/restore"),
              # The demo's lists give no curve to draw: drawn in tests/http/test_analysis.sh.
              ("GET", "/api/v1/estimates/{id}/chart")}
# A peer pinned by a FICTIONAL key line (no server answers for it: a push
# or pull to it is refused as the peer's failure, 502).
fictional_line = "attest-peer 1 %s %s %s" % ("f" * 32, "A" * 43, "E" * 43)
with open(os.path.join(os.environ["TEST_TMP"], "colours.mbtiles"), "rb") as f:
    mbtiles_bytes = f.read()
import_csv = b"name,lat,lon,site_type\nFICTIONAL imported site,41.6,129.6,burial_site\n"
calls = {
    ("GET", "/"): ({}, "", None),
    ("GET", "/api/v1/basemaps"): ({}, "", None),
    ("GET", "/api/v1/claims"): ({}, "?about=workers-abroad", None),
    ("POST", "/api/v1/claims"): ({}, "", {"document": "NEWDOC", "span": "0:9", "quantity": 1, "unit": "workers", "topic": "other"}),
    ("POST", "/api/v1/documents"): ({}, "", {"text": "FICTIONAL report: 1,200 workers left Hoeryong.", "name": "fictional.txt"}),
    ("GET", "/api/v1/documents/{id}"): ({"id": "NEWDOC"}, "", None),
    ("POST", "/api/v1/tags/{id}"): ({"id": "1"}, "", {"status": "accepted"}),
    ("GET", "/api/v1/cases/{id}"): ({"id": "cs-fake00000001"}, "", None),
    ("POST", "/api/v1/cases/{id}/indicators"): ({"id": "cs-fake00000001"}, "", {"indicator": "withheld wages", "status": "observed", "note": "FICTIONAL: a test"}),
    ("POST", "/api/v1/cases/{id}/sales"): ({"id": "cs-fake00000001"}, "", {"sale": {"place": "Helong", "date": "2010", "price": 3000, "currency": "CNY", "note": "FICTIONAL: a test"}, "before": 2}),
    # the sale just put in at 2, taken out again (writes run in path order)
    ("POST", "/api/v1/cases/{id}/sales/{n}/remove"): ({"id": "cs-fake00000001", "n": "2"}, "", {"reason": "FICTIONAL: a test"}),
    ("GET", "/api/v1/evidence"): ({}, "", None),
    ("POST", "/api/v1/evidence"): ({}, "?filename=fictional.txt&media_type=text/plain&interview=iv-fake00000001&clearance=restricted", evidence_bytes),
    ("GET", "/api/v1/evidence/{id}"): ({"id": "EVIDENCE"}, "", None),
    ("GET", "/api/v1/evidence/{id}/file"): ({"id": "EVIDENCE"}, "", None),
    ("GET", "/api/v1/evidence/{id}/preview"): ({"id": "EVIDENCE"}, "", None),
    ("POST", "/api/v1/evidence/{id}/custody"): ({"id": "EVIDENCE"}, "", {"action": "examined", "note": "FICTIONAL: a test"}),
    ("GET", "/api/v1/export/{format}"): ({"format": "jsonl"}, "", None),
    ("GET", "/api/v1/export/{format}/report"): ({"format": "kml"}, "?tier=public", None),
    ("GET", "/api/v1/link/decisions"): ({}, "?type=person", None),
    ("POST", "/api/v1/link/decisions"): ({}, "", {"a": "pe-fake00000001", "b": "pe-fake00000002", "decision": "reject", "note": "FICTIONAL: a test"}),
    ("GET", "/api/v1/link/review"): ({}, "?type=person&limit=5", None),
    ("GET", "/api/v1/lists"): ({}, "", None),
    ("GET", "/api/v1/lists/{version}/diff"): ({"version": "un"}, "?from=un", None),
    ("GET", "/api/v1/lists/{version}/entries/{key}"): ({"version": "un", "key": "KPe.001"}, "", None),
    ("POST", "/api/v1/lists"): ({}, "?source=un&filename=un-2018-10-29.xml", open("tests/data/sanctions/un/un-2018-10-29.xml", "rb").read()),
    ("POST", "/api/v1/login"): ({}, "", {"username": "analyst", "passphrase": "FICTIONAL test passphrase"}),
    ("POST", "/api/v1/logout"): ({}, "", {}),
    ("GET", "/api/v1/map"): ({}, "?bbox=124,37.5,131,43&layer=site", None),
    ("GET", "/api/v1/me"): ({}, "", None),
    ("GET", "/api/v1/openapi.json"): ({}, "", None),
    ("GET", "/api/v1/places"): ({}, "?q=%ED%9A%8C%EB%A0%B9&limit=3", None),
    ("GET", "/api/v1/records"): ({}, "?type=event&from=1990&to=2020&limit=10", None),
    ("POST", "/api/v1/records"): ({}, "", {"type": "document", "data": {"title": "FICTIONAL API test report"}, "clearance": "partner"}),
    ("GET", "/api/v1/records/{id}"): ({"id": "si-fake00000001"}, "", None),
    ("GET", "/api/v1/records/{id}/history"): ({"id": "dc-fake00000001"}, "", None),
    ("POST", "/api/v1/records/{id}/retract"): ({"id": "NEWRECORD"}, "", {"reason": "FICTIONAL: a test"}),
    ("POST", "/api/v1/records/{id}/versions"): ({"id": "dc-fake00000001"}, "", {"changes": {"language": "ko"}, "reason": "FICTIONAL: a test"}),
    ("GET", "/api/v1/search"): ({}, "?q=market", None),
    ("GET", "/api/v1/sites"): ({}, "?bbox=124,37.5,131,43", None),
    ("GET", "/api/v1/sites/candidates"): ({}, "", None),
    ("POST", "/api/v1/sites/cluster"): ({}, "", {}),
    ("POST", "/api/v1/sites/decisions"): ({}, "", {"decision": "confirm", "candidate": "c1", "name": "FICTIONAL confirmed site"}),
    ("GET", "/api/v1/sites/{id}"): ({"id": "si-fake00000001"}, "", None),
    ("GET", "/api/v1/stats"): ({}, "?period=year&rate=CNY:USD=0.14", None),
    ("GET", "/api/v1/stats/charts/{name}"): ({"name": "acts_by_type"}, "", None),
    ("POST", "/api/v1/tokens"): ({}, "", {"label": "FICTIONAL script"}),
    ("GET", "/api/v1/tokens"): ({}, "", None),
    ("POST", "/api/v1/tokens/{id}/revoke"): ({"id": "TOKEN"}, "", {}),
    ("GET", "/api/v1/users"): ({}, "", None),
    ("POST", "/api/v1/users"): ({}, "", {"name": "fictional-clerk", "role": "analyst", "passphrase": "FICTIONAL first passphrase", "kdf": "interactive"}),
    ("POST", "/api/v1/users/{name}"): ({"name": "fictional-clerk"}, "", {"role": "partner"}),
    ("GET", "/api/v1/types"): ({}, "", None),
    ("POST", "/api/v1/screen"): ({}, "", {"queries": {"q1": {"schema": "Company", "properties": {"name": ["Korea Ryonbong General Corporation"]}}}, "as_of": "2026-03-01"}),
    ("POST", "/api/v1/screen/decisions"): ({}, "", {"record": "or-fake00000001", "entry": "un:KPe.001", "note": "FICTIONAL: a test"}),
    ("POST", "/api/v1/screen/decisions/withdraw"): ({}, "", {"record": "or-fake00000001", "entry": "KPe.001"}),
    ("GET", "/api/v1/screen/decisions"): ({}, "?all=1", None),
    ("GET", "/api/v1/screen/successors"): ({}, "?entry=un:KPe.002&limit=5", None),
    ("GET", "/api/v1/screen/records/{id}"): ({"id": "or-fake00000001"}, "", None),
    ("GET", "/api/v1/screen/archive"): ({}, "?new=1&since=2020-01-01", None),
    ("GET", "/api/v1/screen/compare"): ({}, "?name1=Ryonbong&name2=Korea%20Ryonbong%20General%20Corporation&type=company", None),
    ("POST", "/api/v1/screen/compare"): ({}, "?filename=pairs.tsv", b"Ryonbong\tKorea Ryonbong General Corporation\tcompany\n"),
    ("GET", "/api/v1/sync/conflicts"): ({}, "", None),
    ("GET", "/api/v1/sync/mark"): ({}, "", None),
    ("GET", "/api/v1/sync/pack"): ({}, "?archive=FICTIONAL-unpinned", None),
    ("GET", "/api/v1/sync/export"): ({}, "?to=FICTIONAL-unpinned", None),
    ("POST", "/api/v1/sync/import"): ({}, "?filename=FICTIONAL-not-a-pack.pack", sync_chunk),
    ("POST", "/api/v1/sync/uploads"): ({}, "?length=%d" % len(sync_chunk), None),
    ("DELETE", "/api/v1/sync/uploads/{id}"): ({"id": "UPLOAD"}, "", None),
    ("GET", "/api/v1/sync/uploads/{id}"): ({"id": "UPLOAD"}, "", None),
    ("PUT", "/api/v1/sync/uploads/{id}"): ({"id": "UPLOAD"}, "?offset=0", sync_chunk),
    ("POST", "/api/v1/sync/uploads/{id}/apply"): ({"id": "UPLOAD"}, "", None),
    ("GET", "/api/v1/sync/key"): ({}, "", None),
    ("GET", "/api/v1/sync/peers"): ({}, "", None),
    ("POST", "/api/v1/sync/peers"): ({}, "", {"name": "fictional-peer", "line": fictional_line, "tier": "partner", "url": "http://127.0.0.1:9"}),
    ("DELETE", "/api/v1/sync/peers/{name}"): ({"name": "fictional-unpinned"}, "", None),
    ("POST", "/api/v1/sync/peers/{name}/push"): ({"name": "fictional-peer"}, "", {"token": "FICTIONAL-token"}),
    ("POST", "/api/v1/sync/peers/{name}/jobs"): ({"name": "fictional-peer"}, "", {"kind": "push", "token": "FICTIONAL-token"}),
    ("GET", "/api/v1/sync/peers/{name}/jobs/{id}"): ({"name": "fictional-peer", "id": "JOB"}, "", None),
    ("GET", "/api/v1/sync/peers/{name}/jobs"): ({"name": "fictional-peer"}, "", None),
    ("POST", "/api/v1/sync/peers/{name}/pull"): ({"name": "fictional-peer"}, "", {"token": "FICTIONAL-token"}),
    ("GET", "/api/v1/sync/status"): ({}, "", None),
    ("POST", "/api/v1/sync/peers/{name}/travel"): ({"name": "fictional-peer"}, "", {"confirm": "not-its-name"}),
    ("GET", "/api/v1/sync/peers/{name}/travel"): ({"name": "fictional-peer"}, "", None),
    ("POST", "/api/v1/sync/peers/{name}/restore"): ({"name": "fictional-peer"}, "", {"token": "FICTIONAL-token"}),
    # one's own passphrase without the current one (400): a change would end the session the calls use
    ("POST", "/api/v1/me/passphrase"): ({}, "", {"passphrase": "FICTIONAL own passphrase"}),
    ("POST", "/api/v1/users/{name}/passphrase"): ({"name": "fictional-clerk"}, "", {"passphrase": "FICTIONAL reset passphrase", "kdf": "interactive"}),
    ("GET", "/api/v1/vocab"): ({}, "", None),
    ("GET", "/tiles/{name}/{z}/{x}/{y}"): ({"name": "colours", "z": "1", "x": "1", "y": "0"}, "", None),
    ("GET", "/api/v1/estimates"): ({}, "", None),
    ("POST", "/api/v1/estimates"): ({}, "", {"lists": "A=interview;B=document", "method": "loglinear"}),
    ("GET", "/api/v1/estimates/{id}"): ({"id": "ESTIMATE"}, "", None),
    ("GET", "/api/v1/estimates/{id}/chart"): ({"id": "ESTIMATE"}, "?lang=ko", None),
    ("GET", "/api/v1/link/clusters"): ({}, "?type=person", None),
    ("POST", "/api/v1/link/runs"): ({}, "", {"type": "person", "threshold": 0.8}),
    ("POST", "/api/v1/basemaps"): ({}, "?filename=fresh.mbtiles&name=fresh", mbtiles_bytes),
    ("DELETE", "/api/v1/basemaps/{name}"): ({"name": "not-there"}, "", None),
    ("GET", "/api/v1/basemaps/{name}/file"): ({"name": "fresh"}, "", None),
    ("POST", "/api/v1/import"): ({}, "?filename=FICTIONAL-sites.csv&type=site", import_csv),
    ("GET", "/api/v1/records/{id}/proof"): ({"id": "ev-fake00000001"}, "", None),
    ("GET", "/api/v1/proof/consistency"): ({}, "?old_size=3", None),
    ("POST", "/api/v1/verify"): ({}, "", {}),
    ("GET", "/api/v1/ring"): ({}, "?lat=42.44&lon=129.75&km=30", None),
    ("POST", "/api/v1/verify/bundle"): ({}, "?filename=FICTIONAL-not-a-bundle.tar", b"FICTIONAL not a bundle\n"),
    ("POST", "/api/v1/witnesses/{id}/identity"): ({"id": "wt-fake00000002"}, "", {"real_name": "FICTIONAL Person", "notes": "FICTIONAL"}),
}
res.check("a call for every documented operation", set(calls) == set(documented),
          sorted(set(calls) ^ set(documented)))
# Writes first (they make the ids that reads use; a document before the
# claims and tags made from it), logout last.
order = sorted(calls, key=lambda k: (k[1] == "/api/v1/logout", k[0] == "GET", k[1] != "/api/v1/documents", k))
found = {}


def call(session, key, label):
    params, query, body = calls[key]
    path = key[1]
    for name, value in params.items():
        path = path.replace("{%s}" % name, found.get(value, value))
    if isinstance(body, dict):   # ids made by earlier calls
        body = {k: found.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    r = session.request(key[0], path + query, body=body)
    op = documented[key]
    ok = str(r.status) in op["responses"]
    problems = [] if ok else ["status %d is not documented (%s): %s" % (r.status, sorted(op["responses"]), r.body[:300])]
    if ok:
        spec = schema.resolve(doc, op["responses"][str(r.status)])
        content = spec.get("content", {})
        ctype = (r.header("content-type") or "").split(";")[0]
        if content and ctype not in content:
            problems.append("content type %s is not documented (%s)" % (ctype, sorted(content)))
        elif ctype == "application/json" and "application/json" in content:
            problems += schema.check(doc, content["application/json"]["schema"], r.json())
    res.check("%s %s %s -> %d" % (label, key[0], key[1], r.status), not problems, "\n".join(problems))
    return r


# One pinpoint no site claims, for the clustering run to make candidate c1.
admin.post("/api/v1/records", {"type": "pinpoint", "clearance": "public",
                               "data": {"lat": 41.5, "lon": 129.5, "description": "FICTIONAL unclaimed"}})
for key in order:
    r = call(admin, key, "admin")
    if key == ("POST", "/api/v1/evidence") and r.status in (200, 201):
        found["EVIDENCE"] = r.json()["id"]
    if key == ("POST", "/api/v1/records") and r.status == 201:
        found["NEWRECORD"] = r.json()["id"]
    if key == ("POST", "/api/v1/documents") and r.status == 201:
        found["NEWDOC"] = r.json()["id"]
    if key == ("POST", "/api/v1/tokens") and r.status == 201:
        found["TOKEN"] = [t["id"] for t in admin.get("/api/v1/tokens").json()["tokens"]
                          if t["state"] == "active"][0]
    if key == ("POST", "/api/v1/estimates") and r.status == 201:
        found["ESTIMATE"] = r.json()["id"]
    if key == ("POST", "/api/v1/sync/uploads") and r.status == 201:
        found["UPLOAD"] = r.json()["id"]
    if key == ("POST", "/api/v1/sync/peers/{name}/jobs") and r.status == 202:
        found["JOB"] = r.json()["id"]
    if key in needs_peer:
        continue
    if key == ("POST", "/api/v1/me/passphrase"):
        res.check("admin POST /api/v1/me/passphrase without the current one: 400 naming it",
                  r.status == 400 and error_of(r).get("field") == "current", r.body[:300])
    elif key[0] == "POST" and key[1] != "/api/v1/logout":
        res.check("admin %s %s succeeded" % key, r.status in (200, 201), r.body[:300])
    if key[0] == "GET":
        res.check("admin %s %s succeeded" % key, r.status == 200, r.body[:300])
res.check("evidence and record ids found", "EVIDENCE" in found and "NEWRECORD" in found, found)

anon = Session()
for key in sorted(calls):
    r = call(anon, key, "anonymous")
    if documented[key]["security"]:
        res.check("anonymous %s %s is 401" % key, r.status == 401, r.status)

# Documented error replies: a few, each checked against the error schema
# (in a new session: the last call above logged out).
admin = Session().login("admin")
for label, method, template, path, body, want in [
        ("unknown record", "GET", "/api/v1/records/{id}", "/api/v1/records/dc-000000000000", None, 404),
        ("bad bbox", "GET", "/api/v1/map", "/api/v1/map?bbox=1,2,3", None, 400),
        ("unknown type", "POST", "/api/v1/records", "/api/v1/records", {"type": "nonsense", "data": {}}, 400),
        ("search without q", "GET", "/api/v1/search", "/api/v1/search", None, 400)]:
    r = admin.request(method, path, body=body)
    key = (method, template)
    documented_codes = documented.get(key, {}).get("responses", {})
    res.check("%s -> %d, documented, error schema" % (label, want),
              r.status == want and str(want) in documented_codes
              and not schema.check(doc, {"$ref": "#/components/schemas/Error"}, r.json()), r.body[:300])

# Map boxes (answered from the spatial index): the same features as the
# whole layer for a box round the world, the site inside a small box, and
# nothing for a box across the antimeridian or beside it.
def site_ids(query):
    return sorted(f["properties"]["id"] for f in admin.get("/api/v1/map?" + query).json()["features"])


everything = site_ids("layer=site")
res.check("map: a world box gives the whole layer", site_ids("layer=site&bbox=-180,-90,180,90") == everything
          and len(everything) >= 2, everything)
res.check("map: a small box holds its site", "si-fake00000001" in site_ids("layer=site&bbox=129.745,42.441,129.746,42.442"))
res.check("map: a box beside it does not", site_ids("layer=site&bbox=129.746,42.441,129.747,42.442") == [])
res.check("map: a box across the antimeridian", site_ids("layer=site&bbox=170,40,-170,45") == []
          and site_ids("layer=site&bbox=129,40,-170,45") == everything)
sys.exit(0)
