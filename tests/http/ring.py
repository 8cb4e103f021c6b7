"""ring.py: GET /api/v1/ring?lat=&lon=&km=: a closed geodesic circle whose
points are all km from the centre (haversine, within half a per cent), the
places inside nearest first and the same as `attest sites ring --places
--json` lists; out-of-range and missing numbers refused naming the
argument; a login needed; a district that its city's point only stands in
for is in no ring and among no map names.  FICTIONAL data only."""
import json
import math
import os

from client import Results, Session, error_of

res = Results()
admin = Session().login("analyst")
r = admin.get("/api/v1/ring?lat=42.44&lon=129.75&km=60")
body = r.json() if r.status == 200 else {}
feature = (body.get("features") or [{}])[0]
geom = feature.get("geometry", {})
ring = geom.get("coordinates", [[[]]])[0][0]


def km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


res.check("a ring of 60 km: one closed polygon with its centre and radius",
          r.status == 200 and geom.get("type") == "MultiPolygon" and len(ring) > 100 and ring[0] == ring[-1]
          and feature["properties"] == {"centre_lat": 42.44, "centre_lon": 129.75, "radius_km": 60}, r.body[:300])
res.check("every point of it is 60 km from the centre",
          ring and all(abs(km(42.44, 129.75, p[1], p[0]) - 60) < 0.3 for p in ring),
          [km(42.44, 129.75, p[1], p[0]) for p in ring[:5]])
places = body.get("places", [])
cli = json.load(open(os.path.join(os.environ["TEST_TMP"], "places.json")))
res.check("the places inside, as attest sites ring --places lists them",
          len(places) > 1 and [round(p["distance_km"], 1) for p in places] == [c["distance_km"] for c in cli]
          and [p["lat"] for p in places] == [c["lat"] for c in cli], (places[:3], cli[:3]))
res.check("nearest first, all within the radius, Hoeryong the first",
          places and places[0]["hangul"].startswith("회령")
          and all(0 <= p["distance_km"] <= 60 for p in places)
          and [p["distance_km"] for p in places] == sorted(p["distance_km"] for p in places), places[:3])
# A district that its city's point only stands in for (Ch'ŏngjin's Sinam
# and four others) is in no ring and on no map: at the city's own point,
# the ring's places and the map's names of the box hold the city, and
# none of those five districts.
placed_by_city = {"district:" + h for h in ("신암구역", "수남구역", "송평구역", "청암구역", "부윤구역")}
for what, path in (("a ring around Ch'ŏngjin's point", "/api/v1/ring?lat=41.79556&lon=129.77583&km=5"),
                   ("the map's names of a box around it", "/api/v1/places?bbox=129.7,41.75,129.85,41.85")):
    r = admin.get(path)
    got = (r.json() if r.status == 200 else {}).get("places") or []
    ids = [p["id"] for p in got]
    res.check("%s names the city, and no district placed by it" % what,
              "city:2044757" in ids and not set(ids) & placed_by_city,
              r.body[:300])
r = admin.get("/api/v1/ring?lat=95&lon=129.75&km=10")
res.check("a latitude out of range is refused naming lat", r.status == 400 and error_of(r).get("field") == "lat",
          r.body[:200])
r = admin.get("/api/v1/ring?lat=42.44&lon=129.75")
res.check("no km is refused naming km and the range", r.status == 400 and error_of(r).get("field") == "km"
          and "20037" in error_of(r).get("message", ""), r.body[:200])
r = Session().get("/api/v1/ring?lat=42.44&lon=129.75&km=10")
res.check("no ring without a login (401)", r.status == 401, r.body[:200])
