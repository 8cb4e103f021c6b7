"""place_filters.py: the records page's place filter and the map's
province filter accept any spelling of a place (issue 10): a record typed
"Hoeryong" in North Hamgyong is found by 회령, Hoeryŏng, hoeryeong and 會寧,
and by the province as 함경북도 or Hamgyŏng-bukto.  FICTIONAL data only."""
import urllib.parse

from client import Results, Session

res = Results()
spellings = ["회령", "Hoeryŏng", "hoeryeong", "會寧", "Hoeryong"]
provinces = ["North Hamgyong", "함경북도", "Hamgyŏng-bukto"]
print("1..%d" % (len(spellings) + len(provinces) + 1))
admin = Session().login("admin")


def add(kind, data):
    r = admin.post("/api/v1/records", {"type": kind, "clearance": "public", "data": data})
    if r.status != 201:
        raise RuntimeError("adding a %s: %d %s" % (kind, r.status, r.body[:200]))
    return r.json()["id"]


site = add("site", {"name": "FICTIONAL filter site", "site_type": "burial_site", "lat": 42.44,
                    "lon": 129.75, "county": "Hoeryong", "province": "North Hamgyong"})
add("site", {"name": "FICTIONAL other site", "site_type": "burial_site", "lat": 39.0,
             "lon": 125.7, "county": "Nowhere", "province": "Nowhere"})


def ids(path):
    r = admin.get(path)
    body = r.json() if r.status == 200 else {}
    items = body if isinstance(body, list) else body.get("records", body.get("features", []))
    return r.status, sorted(i.get("id") or i.get("properties", {}).get("id") for i in items)


for s in spellings:
    got = ids("/api/v1/records?type=site&place=" + urllib.parse.quote(s))
    res.check("records?place=%s finds the site typed Hoeryong" % s, got == (200, [site]), got)
for p in provinces:
    got = ids("/api/v1/map?type=site&province=" + urllib.parse.quote(p))
    res.check("map?province=%s finds the site in North Hamgyong" % p, got[0] == 200 and got[1] == [site], got)
got = ids("/api/v1/records?type=site&place=" + urllib.parse.quote("Qqqxz"))
res.check("a place that is no spelling finds nothing", got == (200, []), got)
raise SystemExit(1 if res.failed else 0)
