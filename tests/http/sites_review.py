"""sites_review.py: corroboration review over the API, as the map's site
panel does it: cluster the unclaimed pinpoints, list the candidates,
confirm one as a site, split a pinpoint off into a new site, merge it back;
each a versioned decision.  A read-only role may list but not decide, and
bad decisions are refused naming the field.  FICTIONAL data only."""
from client import Results, Session

res = Results()
print("1..11")
admin = Session().login("admin")


def add(kind, data):
    r = admin.post("/api/v1/records", {"type": kind, "clearance": "public", "data": data})
    if r.status != 201:
        raise RuntimeError("adding a %s: %d %s" % (kind, r.status, r.body[:200]))
    return r.json()["id"]


pps = [add("pinpoint", {"lat": 41.8 + d, "lon": 129.7 + d, "uncertainty_m": 100, "site_type": "burial_site"})
       for d in (0.0, 0.0003, 0.0006)]
r = admin.post("/api/v1/sites/cluster", {})
res.check("cluster: the unclaimed pinpoints make candidates", r.status == 200 and r.json()["candidates"] >= 1,
          (r.status, r.body[:200]))
r = admin.get("/api/v1/sites/candidates")
cands = r.json().get("candidates", []) if r.status == 200 else []
mine = [c for c in cands if sorted(c.get("pinpoints", [])) == sorted(pps)]
res.check("candidates: one holds the three pinpoints, with its corroboration",
          len(mine) == 1 and "corroboration" in mine[0], cands)
label = mine[0]["label"] if mine else "c1"
partner = Session().login("partner")
r = partner.post("/api/v1/sites/decisions", {"decision": "confirm", "candidate": label})
res.check("a partner may not decide", r.status == 403, (r.status, r.body[:200]))
res.check("... but may list the candidates", partner.get("/api/v1/sites/candidates").status == 200)
r = admin.post("/api/v1/sites/decisions", {"decision": "approve", "candidate": label})
res.check("an unknown decision is refused naming the field",
          r.status == 400 and r.json()["error"]["field"] == "decision", (r.status, r.body[:200]))
r = admin.post("/api/v1/sites/decisions", {"decision": "confirm", "candidate": label,
                                           "name": "FICTIONAL confirmed burial site"})
site = r.json().get("site") if r.status == 201 else None
res.check("confirm: a new site", r.status == 201 and site and site.startswith("si-"), (r.status, r.body[:200]))
got = [admin.get("/api/v1/records/" + p).json()["data"].get("site") for p in pps]
res.check("... and each pinpoint's new version names it", got == [site] * 3, got)
r = admin.post("/api/v1/sites/decisions", {"decision": "split", "site": site, "pinpoints": [pps[2]],
                                           "name": "FICTIONAL split-off site"})
other = r.json().get("site") if r.status == 201 else None
res.check("split: the pinpoint moves to a new site", r.status == 201 and other and other != site
          and admin.get("/api/v1/records/" + pps[2]).json()["data"].get("site") == other, (r.status, r.body[:200]))
r = admin.post("/api/v1/sites/decisions", {"decision": "split", "site": site, "pinpoints": "pp-1"})
res.check("a split without a list of pinpoints is refused naming the field",
          r.status == 400 and r.json()["error"]["field"] == "pinpoints", (r.status, r.body[:200]))
r = admin.post("/api/v1/sites/decisions", {"decision": "merge", "site": site, "sites": [other]})
res.check("merge: the other site's pinpoint comes back", r.status == 201
          and admin.get("/api/v1/records/" + pps[2]).json()["data"].get("site") == site, (r.status, r.body[:200]))
h = admin.get("/api/v1/records/%s/history" % pps[2])
res.check("each decision is a version of the pinpoint", h.status == 200 and len(h.json().get("versions", h.json())) >= 4,
          h.body[:300])
raise SystemExit(1 if res.failed else 0)
