"""map_layers.py: the map layer (GET /api/v1/map) as the map page draws it.
The date filter applies to sites and pinpoints without a date of their own
through the events they place (a pinpoint's event, an occurred_at relation,
a site's pinpoints' events), never to events the reader may not see; a
site's outline and line features and a pinpoint's interview come with the
features.  FICTIONAL data only."""
from client import Results, Session

res = Results()
print("1..9")
admin = Session().login("admin")


def add(kind, data, clearance="public"):
    r = admin.post("/api/v1/records", {"type": kind, "clearance": clearance, "data": data})
    if r.status != 201:
        raise RuntimeError("adding a %s: %d %s" % (kind, r.status, r.body[:200]))
    return r.json()["id"]


box = "bbox=129.0,42.0,130.0,43.0"
ev97 = add("event", {"title": "FICTIONAL map event 1997", "date": "1997", "lat": 42.5, "lon": 129.5})
ev10 = add("event", {"title": "FICTIONAL map event 2010", "date": "2010-05", "lat": 42.6, "lon": 129.6})
secret = add("event", {"title": "FICTIONAL secret event 1997", "date": "1997"}, clearance="restricted")
outline = '{"type":"Polygon","coordinates":[[[129.40,42.40],[129.42,42.40],[129.42,42.42],[129.40,42.40]]]}'
lines = '{"type":"MultiLineString","coordinates":[[[129.40,42.40],[129.43,42.43]]]}'
site97 = add("site", {"name": "FICTIONAL map site", "site_type": "burial_site", "lat": 42.41, "lon": 129.41,
                      "geometry": outline, "lines": lines})
add("relation", {"kind": "occurred_at", "from": ev97, "to": site97})
site_pp = add("site", {"name": "FICTIONAL site of a pinpoint", "site_type": "burial_site", "lat": 42.45, "lon": 129.45})
pp97 = add("pinpoint", {"lat": 42.451, "lon": 129.451, "event": ev97, "site": site_pp})
pp10 = add("pinpoint", {"lat": 42.61, "lon": 129.61, "event": ev10})
pp_own = add("pinpoint", {"lat": 42.62, "lon": 129.62, "event": ev97, "date": "2015"})
pp_secret = add("pinpoint", {"lat": 42.63, "lon": 129.63, "event": secret})
undated = add("site", {"name": "FICTIONAL site of no event", "site_type": "burial_site", "lat": 42.7, "lon": 129.7})


def features(query):
    r = admin.get("/api/v1/map?" + query)
    return {f["properties"]["id"]: f for f in r.json()["features"]} if r.status == 200 else {}


got = features(box + "&from=1995&to=1999")
res.check("from 1995 to 1999: the 1997 event", ev97 in got and ev10 not in got, sorted(got))
res.check("... the site where it happened (occurred_at), with no date of its own", site97 in got, sorted(got))
res.check("... the pinpoint that places it, and the site of that pinpoint", pp97 in got and site_pp in got, sorted(got))
res.check("... not the pinpoints of the 2010 event, nor one dated 2015 itself",
          pp10 not in got and pp_own not in got, sorted(got))
viewer = Session().login("partner")
r = viewer.get("/api/v1/map?" + box + "&from=1995&to=1999")
ids = [f["properties"]["id"] for f in r.json().get("features", [])] if r.status == 200 else []
res.check("an event the reader may not see dates nothing for them", pp_secret not in ids and secret not in ids, ids)
res.check("a site of no event is left out by a date filter, shown without one",
          undated not in got and undated in features(box), sorted(got))
every = features(box)
p = every.get(site97, {}).get("properties", {})
res.check("a site's outline comes as GeoJSON", p.get("outline", {}).get("type") == "Polygon", p)
res.check("... and its line features", p.get("lines", {}).get("type") == "MultiLineString", p)
res.check("a site without them has neither", "outline" not in every.get(site_pp, {}).get("properties", {"outline": 1}), every.get(site_pp))
raise SystemExit(1 if res.failed else 0)
