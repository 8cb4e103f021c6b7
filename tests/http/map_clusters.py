"""map_clusters.py: the map's clusters (docs/api.md).  With zoom and few
records every record is a feature; with more than max_features the records
are counted in grid cells, and the counts add up to exactly the records
the reader may see in the box: a partner's clusters never count the
restricted records an admin's do.  Bad zoom and box are refused naming the
parameter.  FICTIONAL data only."""
from client import Results, Session, error_of

res = Results()
print("1..14")
admin = Session().login("admin")
partner = Session().login("partner")
BOX = "128.5,41.5,129.5,42.5"

# 24 pinpoints and 12 sites in the box, every third restricted; 3 outside.
for i in range(24):
    admin.add("pinpoint", "restricted" if i % 3 == 0 else "public",
              {"lat": 41.6 + i * 0.03, "lon": 128.6 + (i * 5 % 24) * 0.035})
for i in range(12):
    admin.add("site", "restricted" if i % 3 == 0 else "public",
              {"name": "FICTIONAL site %d" % i, "site_type": "burial_site",
               "lat": 42.3 - i * 0.05, "lon": 128.7 + i * 0.06})
for i in range(3):
    admin.add("site", "public", {"name": "FICTIONAL far site", "site_type": "burial_site",
                                 "lat": 39.0 + i * 0.1, "lon": 125.7})


def get(session, query):
    r = session.get("/api/v1/map?" + query)
    return r.status, (r.json() if r.status == 200 else error_of(r))


def counted(body):
    return sum(c["count"] for c in body["clusters"]) + len(body["features"])


for who, session, visible in (("admin", admin, 36), ("partner", partner, 24)):
    status, plain = get(session, "bbox=" + BOX)
    res.check("%s: the map without zoom lists the %d records it may see" % (who, visible),
              status == 200 and len(plain["features"]) == visible and "clusters" not in plain,
              (status, len(plain.get("features", []))))
    status, few = get(session, "bbox=%s&zoom=9" % BOX)
    res.check("%s: with zoom and few records every record is a feature" % who,
              status == 200 and few["clustered"] is False and few["clusters"] == []
              and few["total"] == visible and len(few["features"]) == visible, (status, few))
    status, many = get(session, "bbox=%s&zoom=9&max_features=5" % BOX)
    ok = status == 200 and many["clustered"] is True and many["total"] == visible
    res.check("%s: clustered, the cells and lone features add up to the %d records it may see"
              % (who, visible), ok and counted(many) == visible, (status, many))
    by_type = {}
    for c in many.get("clusters", []):
        for t, n in c["types"].items():
            by_type[t] = by_type.get(t, 0) + n
    for f in many.get("features", []):
        t = f["properties"]["type"]
        by_type[t] = by_type.get(t, 0) + 1
    sites = 12 if who == "admin" else 8
    res.check("%s: the clusters' types count sites and pinpoints apart" % who,
              by_type == {"site": sites, "pinpoint": visible - sites}, by_type)

inside = True
status, many = get(admin, "bbox=%s&zoom=9&max_features=5" % BOX)
for c in many.get("clusters", []):
    w, s, e, n = c["bbox"]
    cw, cs, ce, cn = c["cell"]
    inside &= c["count"] >= 2 and cw <= w <= e <= ce and cs <= s <= n <= cn and s <= c["lat"] <= n
res.check("each cluster's points lie in its cell, its bubble among them", inside and many["clusters"], many)
degrees = [v for c in many.get("clusters", []) for v in [c["lat"], c["lon"]] + c["bbox"] + c["cell"]]
res.check("clusters' degrees are given to seven decimals, the counts' own precision",
          degrees and all(round(v, 7) == v for v in degrees), degrees)
status, err = get(admin, "zoom=5")
res.check("zoom without bbox is refused naming bbox", status == 400 and err.get("field") == "bbox",
          (status, err))
status, err = get(admin, "bbox=-180,-80,180,80&zoom=18")
res.check("a box too large for its zoom is refused naming zoom",
          status == 400 and err.get("field") == "zoom", (status, err))
status, err = get(admin, "bbox=%s&zoom=23" % BOX)
res.check("zoom out of range is refused naming zoom", status == 400 and err.get("field") == "zoom",
          (status, err))
status, err = get(admin, "bbox=%s&zoom=9&site_type=burial_site&province=Nowhere" % BOX)
res.check("with zoom a second field filter applies too (map_filters.py checks every combination)",
          status == 200 and err.get("total") == 0, (status, err))
raise SystemExit(1 if res.failed else 0)
