"""hygiene.py PART: requests for the output-hygiene tests, one part per
call (test_hygiene.sh checks the access log between them).  Prints ok/not
ok lines.  FICTIONAL data only."""
import csv
import io
import json
import os
import sys

from client import Session, Results, error_of, raw_get

res = Results()
SECRET = os.environ.get("HTTP_TEST_SECRET_NAME", "FICTIONAL-Hygiene-Secretname")


def part_log_requests():
    """Paths whose decoded form holds a line end, ESC and other controls."""
    forged = "/api/v1/nothing%0A2026-01-01T00:00:00Z%20203.0.113.9%20GET%20/forged-line%20200%201.0ms"
    status, _ = raw_get(forged)
    res.check("a path with %0A is answered", status == 404, status)
    status, _ = raw_get("/api/v1/nothing%1B%5B31mred%1B%5B0m%0D%07%7F%E2%80%AE")
    res.check("a path with %1B is answered", status == 404, status)
    admin = Session().login("admin")
    r = admin.post("/api/v1/witnesses/wt-fake00000002/identity",
                   {"real_name": SECRET, "notes": "FICTIONAL-HYGIENE-NOTES"})
    res.check("an identity is sealed over the API", r.status in (200, 201), r.body[:200])


def part_export():
    admin = Session().login("admin")
    records = [{"title": "=HYPERLINK(\"http://203.0.113.9/x\",\"FICTIONAL\")",
                "description": "-2+3+cmd|' /C calc'!A0", "publisher": "+FICTIONAL"},
               {"title": "@SUM(1+1)*cmd|' /C calc'!A0", "description": "FICTIONAL plain text"}]
    ids = []
    for data in records:
        r = admin.post("/api/v1/records", {"type": "document", "data": data, "clearance": "public"})
        res.setup("a record with formula-like fields is stored", r.status == 201, r.body[:300])
        ids.append(r.json().get("id", "") if r.status == 201 else "")

    def rows_of(query):
        g = admin.get("/api/v1/export/csv?type=document" + query)
        rows = list(csv.reader(io.StringIO(g.body.decode("utf-8"))))
        header = rows[0] if rows else []
        by_id = {row[0]: dict(zip(header, row)) for row in rows[1:] if row}
        return g, [by_id.get(i, {}) for i in ids]

    g, rows = rows_of("")
    res.check("CSV export: 200", g.status == 200, g.status)
    for data, row in zip(records, rows):
        for field, value in data.items():
            want = value if value[0] not in "=+-@" else "'" + value
            res.check("CSV export: %s %r is written %r" % (field, value[:12], want[:13]),
                      row.get(field) == want, row.get(field))
    text = g.body.decode("utf-8")
    res.check("CSV export: a guarded cell is in double quotes", "\"'=HYPERLINK(" in text, text[:300])
    res.check("CSV export: no cell starts with = + - @ tab or CR",
              all(not c or c[0] not in "=+-@\t\r" for line in csv.reader(io.StringIO(text)) for c in line),
              text[:300])
    g, rows = rows_of("&raw=1")
    res.check("CSV export ?raw=1: 200", g.status == 200, g.status)
    res.check("CSV export ?raw=1 keeps the cells as stored",
              all(row.get(k) == v for data, row in zip(records, rows) for k, v in data.items()), rows)
    g = admin.get("/api/v1/export/csv?type=document&raw=yes")
    res.check("CSV export ?raw=yes: 400 naming raw", g.status == 400 and error_of(g).get("field") == "raw",
              g.body[:200])
    # map exports by tier: no identity, a bad or missing tier named
    g = admin.get("/api/v1/export/kml?tier=court")
    res.check("map export: KML at the court tier without the identity",
              g.status == 200 and b"<kml" in g.body and SECRET.encode() not in g.body, (g.status, g.body[:200]))
    for q in ("", "?tier=secret"):
        g = admin.get("/api/v1/export/geojson" + q)
        e = error_of(g)
        res.check("map export %r: 400 naming tier and the valid tiers" % q,
                  g.status == 400 and e.get("field") == "tier" and "public" in e.get("message", ""), g.body[:200])
    g = admin.get("/api/v1/export/kml/report?tier=public")
    res.check("map export report: each record left out has a reason and a fix",
              g.status == 200 and all(x["reason"] and x["fix"] for x in g.json()["left_out"]), g.body[:300])


def part_limits():
    admin = Session().login("admin")
    for q in ("limit=5000", "limit=0", "limit=-1", "limit=abc", "limit=10abc", "limit=99999999999999999999"):
        r = admin.get("/api/v1/search?q=market&" + q)
        e = error_of(r)
        res.check("search ?%s: 400 naming limit and 1 to 1000" % q,
                  r.status == 400 and e.get("field") == "limit" and "1 to 1000" in e.get("message", ""),
                  (r.status, r.body[:200]))
    for q in ("limit=1000", "limit=1", ""):
        r = admin.get("/api/v1/search?q=market&" + q)
        res.check("search ?%s: 200" % q, r.status == 200, (r.status, r.body[:200]))
    r = admin.get("/api/v1/search?q=market&limit=1")
    res.check("search ?limit=1 gives at most one hit", r.status == 200 and len(r.json()["hits"]) <= 1, r.body[:200])
    for q in ("limit=5000", "limit=10abc", "offset=-1", "offset=x"):
        r = admin.get("/api/v1/records?" + q)
        res.check("records ?%s: 400" % q, r.status == 400 and error_of(r).get("field") in ("limit", "offset"),
                  (r.status, r.body[:200]))


def part_version():
    admin = Session().login("admin")
    rid = "dc-fake00000001"
    for v in ("99999999999", "4294967297", "-1", "0", "1x", "abc", ""):
        r = admin.get("/api/v1/records/%s?version=%s" % (rid, v))
        e = error_of(r)
        msg = e.get("message", "")
        res.check("?version=%s: 400 naming version and what is valid" % v,
                  r.status == 400 and e.get("field") == "version" and "1215752191" not in msg
                  and "from 1" in msg, (r.status, r.body[:300]))
    r = admin.get("/api/v1/records/%s?version=1" % rid)
    res.check("?version=1: 200", r.status == 200 and r.json().get("version") == 1, r.body[:200])
    r = admin.get("/api/v1/records/%s?version=2147483647" % rid)
    res.check("?version=2147483647: 404 naming that version",
              r.status == 404 and "2147483647" in error_of(r).get("message", ""), r.body[:200])


def part_head():
    """HEAD on every GET route in the API description: the GET's status and
    headers, no body."""
    admin = Session().login("admin")
    doc = json.load(open("web/openapi.json"))
    ev = admin.request("POST", "/api/v1/evidence?filename=fictional.txt&media_type=text/plain"
                       "&interview=iv-fake00000001&clearance=restricted", body=b"FICTIONAL bytes\n")
    evidence = ev.json().get("id", "") if ev.status in (200, 201) else "none"
    concrete = {"/api/v1/cases/{id}": "/api/v1/cases/cs-fake00000001",
                "/api/v1/evidence/{id}": "/api/v1/evidence/" + evidence,
                "/api/v1/evidence/{id}/file": "/api/v1/evidence/%s/file" % evidence,
                "/api/v1/documents/{id}": "/api/v1/documents/dc-fake00000001",
                "/api/v1/evidence/{id}/preview": "/api/v1/evidence/%s/preview" % evidence,
                "/api/v1/export/{format}": "/api/v1/export/jsonl",
                "/api/v1/link/decisions": "/api/v1/link/decisions?type=person",
                "/api/v1/link/review": "/api/v1/link/review?type=person",
                "/api/v1/map": "/api/v1/map?bbox=124,37.5,131,43",
                "/api/v1/records/{id}": "/api/v1/records/dc-fake00000001",
                "/api/v1/records/{id}/history": "/api/v1/records/dc-fake00000001/history",
                "/api/v1/search": "/api/v1/search?q=market",
                "/api/v1/sites": "/api/v1/sites?bbox=124,37.5,131,43",
                "/api/v1/sites/{id}": "/api/v1/sites/si-fake00000001",
                "/api/v1/stats/charts/{name}": "/api/v1/stats/charts/acts_by_type",
                "/tiles/{name}/{z}/{x}/{y}": "/tiles/none/0/0/0"}
    paths = [p for p, item in doc["paths"].items() if "get" in item]
    res.check("the API description lists GET routes", len(paths) >= 15, paths)
    drop = ("date", "*date", "content-length", "*content-length")
    for p in paths:
        path = concrete.get(p, p)
        for who, s in (("admin", admin), ("anonymous", Session())):
            g = s.request("GET", path)
            h = s.request("HEAD", path)
            gh = {k: v for k, v in g.headers.items() if k not in drop}
            hh = {k: v for k, v in h.headers.items() if k not in drop}
            res.check("HEAD %s (%s): status %d, same headers, no body" % (p, who, g.status),
                      h.status == g.status and gh == hh and h.body == b"",
                      "GET %d, HEAD %d; headers that differ: %s; HEAD body %r" % (
                          g.status, h.status, sorted(k for k in set(gh) | set(hh) if gh.get(k) != hh.get(k)),
                          h.body[:100]))
    r = admin.request("DELETE", "/api/v1/records/dc-fake00000001")
    res.check("DELETE is still 405", r.status == 405, r.status)


parts = {"log-requests": part_log_requests, "export": part_export, "limits": part_limits,
         "version": part_version, "head": part_head}
parts[sys.argv[1]]()
sys.exit(1 if res.failed else 0)
