"""map_filters.py: the map's counts with zoom under every combination of
its filters (site_type, confidence, province, from, to, layer) are the
features the same filters give without zoom and box, cell by cell: the
features answer, which reads the records, is the reference.  Checked for random combinations, for two
readers, before and after amendments (a field changed, a point moved to
another cell, an event's date changed) and retractions; date filters of
year, month and day, events dated to the year, month and day, and the
dates of undated sites moved by their events' and pinpoints' amendments
(the dates the map keeps for each point, layer_date, which `verify`
recomputes at the end).  FICTIONAL data only."""
import math
import random
from urllib.parse import urlencode

from client import Results, Session, error_of

rng = random.Random(17)
res = Results()
TRIALS = 40
print("1..9")
admin = Session().login("admin")
partner = Session().login("partner")
BOX = (128.0, 41.0, 130.0, 43.0)
SITE_TYPES = ["burial_site", "detention_facility", "workplace"]
CONFIDENCE = ["confirmed", "probable", None]
PROVINCES = [("North Hamgyong", "함경북도"), ("Ryanggang", "양강도")]
# Events dated to the year, the month and the day; filters bounded by each.
EVENT_DATES = ["1995", "1997", "2003", "2010", "1997-03", "2003-06-15", "2003-07-02"]
FROM = ["1994", "1997", "2000", "1997-03", "1997-04", "2003-06-16", "2003-06-15"]
TO = ["1997", "2005", "2012", "1997-02", "1997-03-01", "2003-06-15", "2003-06-14"]


def point():
    return {"lat": round(rng.uniform(41.05, 42.95), 5), "lon": round(rng.uniform(128.05, 129.95), 5)}


def clearance():
    return "restricted" if rng.random() < 0.3 else "public"


def maybe(data, key, value):
    if value is not None:
        data[key] = value
    return data


events = []
for i in range(12):
    data = {"title": "FICTIONAL event %d" % i, "date": rng.choice(EVENT_DATES)}
    if i % 2:
        data.update(point())
    events.append(admin.add("event", clearance(), data))
sites = []
for i in range(40):
    data = {"name": "FICTIONAL site %d" % i, "site_type": rng.choice(SITE_TYPES)}
    data.update(point())
    maybe(data, "confidence", rng.choice(CONFIDENCE))
    if rng.random() < 0.7:
        data["province"] = rng.choice(PROVINCES)[rng.randrange(2)]
    if rng.random() < 0.2:
        data["date"] = str(rng.choice([1996, 2004]))
    sites.append(admin.add("site", clearance(), data))
pinpoints = []
for i in range(50):
    data = point()
    maybe(data, "site_type", rng.choice(SITE_TYPES + [None]))
    if rng.random() < 0.5:
        data["event"] = rng.choice(events)
    if rng.random() < 0.4:
        data["site"] = rng.choice(sites)
    if rng.random() < 0.15:
        data["date"] = str(rng.choice([1997, 2010]))
    pinpoints.append(admin.add("pinpoint", clearance(), data))
relations = [admin.add("relation", "public", {"kind": "occurred_at", "from": rng.choice(events),
                                             "to": rng.choice(sites)}) for i in range(8)]


def cell_of(lat, lon, zoom):
    """The grid cell (column, row) of a point at a map zoom (docs/api.md)."""
    n = 2 ** (zoom + 2)
    phi = math.radians(max(-85.0511287798066, min(85.0511287798066, lat)))
    x = math.floor((lon + 180) / 360 * n)
    y = math.floor((1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * n)
    return (min(max(x, 0), n - 1), min(max(y, 0), n - 1))


def query():
    q = {"bbox": ",".join(str(v) for v in BOX)}
    if rng.random() < 0.5:
        q["site_type"] = rng.choice(SITE_TYPES)
    if rng.random() < 0.4:
        q["confidence"] = rng.choice(CONFIDENCE[:2])
    if rng.random() < 0.4:
        q["province"] = rng.choice(PROVINCES)[rng.randrange(2)]
    if rng.random() < 0.5:
        q["from"] = rng.choice(FROM)
    if rng.random() < 0.5:
        q["to"] = rng.choice(TO)
    if rng.random() < 0.3:
        q["layer"] = rng.choice(["site", "pinpoint", "event"])
    return q


def get(session, q):
    r = session.get("/api/v1/map?" + urlencode(q))
    return r.status, (r.json() if r.status == 200 else error_of(r))


def reference(session, q, zoom):
    """Cell -> {type: count} from the features without zoom and without
    the box, which holds every point: the records' own filter, not the
    map's kept tables, chooses them."""
    status, body = get(session, {k: v for k, v in q.items() if k != "bbox"})
    if status != 200:
        return None, (status, body)
    cells = {}
    for f in body["features"]:
        lon, lat = f["geometry"]["coordinates"]
        c = cells.setdefault(cell_of(lat, lon, zoom), {})
        c[f["properties"]["type"]] = c.get(f["properties"]["type"], 0) + 1
    return cells, len(body["features"])


def counted(session, q, zoom):
    """Cell -> {type: count} from the answer with zoom, all clustered."""
    status, body = get(session, dict(q, zoom=zoom, max_features=1))
    if status != 200:
        return None, (status, body)
    cells = {}
    for c in body["clusters"]:
        w, s, e, n = c["cell"]
        cell = cells.setdefault(cell_of((s + n) / 2, (w + e) / 2, zoom), {})
        for t, k in c["types"].items():
            cell[t] = cell.get(t, 0) + k
    for f in body["features"]:
        lon, lat = f["geometry"]["coordinates"]
        c = cells.setdefault(cell_of(lat, lon, zoom), {})
        c[f["properties"]["type"]] = c.get(f["properties"]["type"], 0) + 1
    return cells, body["total"]


def trials(label):
    bad = []
    for _ in range(TRIALS):
        q, zoom = query(), rng.choice([5, 7, 9])
        who, session = rng.choice([("admin", admin), ("partner", partner)])
        want, n = reference(session, q, zoom)
        got, total = counted(session, q, zoom)
        if want is None or got != want or total != n:
            bad.append((who, q, zoom, n, total, want, got))
    res.check("%s: for %d random filter combinations the cells' counts are the features'"
              % (label, TRIALS), not bad, bad[:2])


def dates_alone(label):
    """Every pair of date bounds with no field filter, which the map sums
    per cell from its counts by dates (intervals +1, the gaps between them
    -1, by clearance): the same cells as the features for both readers."""
    bad, n = [], 0
    for lo in FROM + [None]:
        for hi in TO + [None]:
            q = {"bbox": ",".join(str(v) for v in BOX)}
            if lo:
                q["from"] = lo
            if hi:
                q["to"] = hi
            if not lo and not hi:
                continue
            zoom = rng.choice([5, 7, 9])
            for who, session in (("admin", admin), ("partner", partner)):
                want, total = reference(session, q, zoom)
                got, counted_total = counted(session, q, zoom)
                n += 1
                if want is None or got != want or counted_total != total:
                    bad.append((who, q, zoom, total, counted_total, want, got))
    res.check("%s: for %d date ranges alone (years, months, days; overlapping, nested and gapped "
              "event dates) the cells' counts are the features' for both readers" % (label, n),
              not bad, bad[:2])


trials("as added")
dates_alone("as added")
status, two = get(admin, {"bbox": ",".join(str(v) for v in BOX), "site_type": "burial_site",
                          "province": "North Hamgyong"})
res.check("without zoom, two field filters both apply",
          status == 200 and all(f["properties"]["site_type"] == "burial_site"
                                and f["properties"]["province"] in PROVINCES[0]
                                for f in two["features"]), two if status != 200 else "")


def amend(rid, changes):
    r = admin.post("/api/v1/records/%s/versions" % rid, {"changes": changes, "reason": "FICTIONAL test"})
    if r.status != 200:
        raise RuntimeError("amending %s: %d %s" % (rid, r.status, r.body[:200]))


for rid in rng.sample(sites, 10):
    amend(rid, dict(point(), site_type=rng.choice(SITE_TYPES), confidence=rng.choice(CONFIDENCE[:2]),
                    province=rng.choice(PROVINCES)[0]))
for rid in rng.sample(pinpoints, 10):
    amend(rid, point())
for rid in rng.sample(events, 4):
    amend(rid, {"date": str(rng.choice([1995, 2010]))})
for rid in rng.sample(sites, 4) + rng.sample(pinpoints, 4) + rng.sample(events, 2):
    r = admin.post("/api/v1/records/%s/retract" % rid, {"reason": "FICTIONAL test"})
    if r.status != 200 and r.status != 409:
        raise RuntimeError("retracting %s: %d %s" % (rid, r.status, r.body[:200]))
trials("after amendments, moves and retractions")

# The dates of undated sites move with their events and pinpoints: events
# redated to the month or day, pinpoints moved to another event and site,
# a pinpoint's event taken away, an occurred_at relation retracted.
for rid in rng.sample(events, 5):
    amend(rid, {"date": rng.choice(EVENT_DATES)})
for rid in rng.sample(pinpoints, 12):
    amend(rid, {"event": rng.choice(events), "site": rng.choice(sites)})
for rid in rng.sample(pinpoints, 4):
    amend(rid, {"event": None})
for rid in rng.sample(relations, 3):
    r = admin.post("/api/v1/records/%s/retract" % rid, {"reason": "FICTIONAL test"})
    if r.status != 200 and r.status != 409:
        raise RuntimeError("retracting %s: %d %s" % (rid, r.status, r.body[:200]))
trials("after events redated and pinpoints moved to other events and sites")
dates_alone("after events redated and pinpoints moved")
r = admin.post("/api/v1/verify", {})
v = r.json() if r.status == 200 else {}
res.check("verify: the dates the map keeps are the records' after every change",
          v.get("sound") is True, r.body[:300])
status, body = get(admin, {"bbox": ",".join(str(v) for v in BOX), "zoom": 7, "site_type": "nowhere_site"})
res.check("an unknown value counts nothing", status == 200 and body["total"] == 0, (status, body))
status, body = get(admin, {"bbox": ",".join(str(v) for v in BOX), "zoom": 7, "site_type": "burial_site",
                           "confidence": "confirmed", "province": "Ryanggang", "from": "1990", "to": "2020"})
res.check("every filter at once is answered with zoom", status == 200 and "clusters" in body, (status, body))
raise SystemExit(1 if res.failed else 0)
