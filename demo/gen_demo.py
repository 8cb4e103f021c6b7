#!/usr/bin/env python3
"""gen_demo.py [SITES] [SEED] > demo-large.jsonl: a larger FICTIONAL archive
for the demo, as attest JSON Lines, large enough to show the map working:
SITES sites (default 300) over some forty counties of every province, each
placed by several witnesses (3 to 8: a pinpoint each, made in an interview),
with its event and acts.  Witnesses come from the counties around and place
one to three sites.  Every record says it is FICTIONAL DEMO DATA; codes,
names and events are invented, and the county centres are only approximate.
Seeded: the same arguments make the same archive.
"""
import json
import math
import random
import sys

SITES = int(sys.argv[1]) if len(sys.argv) > 1 else 300
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 15
rng = random.Random(SEED)
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
NOTE = "FICTIONAL DEMO DATA: generated for the demo map; no real person, place or event."

# (county, province, approximate centre lat, lon): the places the demo
# scatters its invented sites around.
COUNTIES = [
    ("Hoeryong", "North Hamgyong", 42.44, 129.75), ("Onsong", "North Hamgyong", 42.96, 129.99),
    ("Musan", "North Hamgyong", 42.23, 129.21), ("Chongjin", "North Hamgyong", 41.79, 129.78),
    ("Kimchaek", "North Hamgyong", 40.67, 129.19), ("Kyongsong", "North Hamgyong", 41.59, 129.61),
    ("Myonggan", "North Hamgyong", 41.07, 129.42), ("Saeppyol", "North Hamgyong", 42.73, 130.21),
    ("Hyesan", "Ryanggang", 41.40, 128.18), ("Samjiyon", "Ryanggang", 41.81, 128.30),
    ("Pochon", "Ryanggang", 41.31, 128.47), ("Kapsan", "Ryanggang", 41.09, 128.29),
    ("Hamhung", "South Hamgyong", 39.92, 127.54), ("Tanchon", "South Hamgyong", 40.46, 128.91),
    ("Yodok", "South Hamgyong", 39.75, 127.00), ("Hongwon", "South Hamgyong", 40.03, 127.96),
    ("Kanggye", "Chagang", 40.97, 126.60), ("Manpo", "Chagang", 41.15, 126.29),
    ("Huichon", "Chagang", 40.17, 126.28), ("Chosan", "Chagang", 40.83, 125.80),
    ("Sinuiju", "North Pyongan", 40.10, 124.40), ("Kusong", "North Pyongan", 39.98, 125.24),
    ("Chongju", "North Pyongan", 39.69, 125.21), ("Sakju", "North Pyongan", 40.38, 125.05),
    ("Pyongsong", "South Pyongan", 39.25, 125.87), ("Kaechon", "South Pyongan", 39.70, 125.90),
    ("Anju", "South Pyongan", 39.62, 125.66), ("Tokchon", "South Pyongan", 39.75, 126.31),
    ("Pyongyang", "Pyongyang", 39.03, 125.75), ("Wonsan", "Kangwon", 39.15, 127.44),
    ("Munchon", "Kangwon", 39.26, 127.36), ("Kosong", "Kangwon", 38.74, 128.18),
    ("Sariwon", "North Hwanghae", 38.51, 125.76), ("Kaesong", "North Hwanghae", 37.97, 126.55),
    ("Songnim", "North Hwanghae", 38.75, 125.64), ("Haeju", "South Hwanghae", 38.04, 125.71),
    ("Ongjin", "South Hwanghae", 37.93, 125.36), ("Rason", "Rason", 42.25, 130.30),
]
# A site's type, the act done there, and the witnesses' basis of knowledge.
KINDS = [
    ("public_execution_site", "public_execution", "eyewitness"),
    ("burial_site", "extrajudicial_killing", "heard_from_witness"),
    ("detention_facility", "arbitrary_detention", "present"),
    ("interrogation_facility", "torture", "present"),
    ("political_prison_camp", "forced_labour", "present"),
    ("secret_killing_site", "extrajudicial_killing", "heard_from_victim"),
]
CONFIDENCE = ["confirmed", "probable", "possible", "unverified"]
TIERS = ["court", "partner", "public"]
M_PER_DEG = 111132.0

counters = {}


def rid(prefix):
    n = counters[prefix] = counters.get(prefix, 0) + 1
    s = ""
    for _ in range(10):
        s = ALPHABET[n % 32] + s
        n //= 32
    return "%s-fd%s" % (prefix, s)


def emit(rtype, rid_, data, source=None):
    rec = {"type": rtype, "id": rid_, "data": data}
    if source:
        rec["source"] = source
    print(json.dumps(rec, ensure_ascii=False))


def near(lat, lon, metres):
    """A point about metres from (lat, lon), in a random direction."""
    d = abs(rng.gauss(0, metres))
    a = rng.uniform(0, 2 * math.pi)
    return (round(lat + d * math.cos(a) / M_PER_DEG, 6),
            round(lon + d * math.sin(a) / (M_PER_DEG * math.cos(math.radians(lat))), 6))


def main():
    witnesses = []          # (id, county index, sites placed)
    for i in range(SITES * 2):
        c = rng.randrange(len(COUNTIES))
        wid = rid("wt")
        consents = [{"use": "analysis", "granted": "2020-01-01"}]
        if rng.random() < 0.7:
            consents.append({"use": "court", "granted": "2021-03-01"})
        if rng.random() < 0.3:
            consents.append({"use": "share_partner", "granted": "2021-03-01"})
        if rng.random() < 0.2:
            consents.append({"use": "publication", "granted": "2022-06-01"})
        year_left = rng.randint(1998, 2019)
        emit("witness", wid, {
            "code": "W-D%04d" % (i + 1), "sex": rng.choice(["female", "female", "male"]),
            "birth_year": rng.randint(1950, 1995), "home_province": COUNTIES[c][1],
            "home_county": COUNTIES[c][0], "year_left": year_left,
            "arrived": "%d-%02d" % (year_left + 1, rng.randint(1, 12)), "consent": consents, "notes": NOTE})
        witnesses.append([wid, c, 0])
    for s in range(SITES):
        c = rng.randrange(len(COUNTIES))
        county, province, clat, clon = COUNTIES[c]
        site_type, act_type, basis = rng.choice(KINDS)
        lat, lon = near(clat, clon, 6000)
        sid = rid("si")
        emit("site", sid, {"name": "FICTIONAL demo site %d near %s" % (s + 1, county), "site_type": site_type,
                           "lat": lat, "lon": lon, "province": province, "county": county,
                           "confidence": rng.choice(CONFIDENCE), "tier": rng.choice(TIERS),
                           "description": NOTE})
        year = rng.randint(1995, 2018)
        eid = rid("ev")
        # Witnesses from this county or others, who have placed fewest.
        pool = sorted(witnesses, key=lambda w: (w[1] != c, w[2], rng.random()))[:40]
        chosen = rng.sample(pool, rng.randint(3, 8))
        interviews = []
        for w in chosen:
            w[2] += 1
            iv = rid("iv")
            interviews.append(iv)
            emit("interview", iv, {"witness": w[0], "interviewer": "staff-%02d" % rng.randint(1, 12),
                                   "date": "%d-%02d-%02d" % (rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28)),
                                   "place": "Seoul", "language": "ko", "summary": NOTE})
        first_iv = interviews[0]
        emit("event", eid, {"title": "FICTIONAL demo event %d: %s near %s" % (s + 1, act_type.replace("_", " "), county),
                            "date": "%d-%02d" % (year, rng.randint(1, 12)) if rng.random() < 0.6 else "~%d" % year,
                            "province": province, "county": county, "lat": lat, "lon": lon,
                            "description": NOTE}, source=first_iv)
        for iv in interviews:
            plat, plon = near(lat, lon, 60)
            emit("pinpoint", rid("pp"), {"lat": plat, "lon": plon, "uncertainty_m": rng.choice([30, 50, 80, 150, 300]),
                                         "site_type": site_type, "interview": iv, "site": sid, "event": eid,
                                         "imagery_date": "2019-%02d-15" % rng.randint(1, 12), "basis": basis,
                                         "date": str(year), "description": NOTE}, source=iv)
        for _ in range(rng.randint(1, 2)):
            emit("act", rid("ac"), {"event": eid, "act_type": act_type, "victim_count": rng.randint(1, 30),
                                    "count_approximate": 1, "description": NOTE}, source=first_iv)


main()
