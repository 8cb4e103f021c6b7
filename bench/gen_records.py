"""gen_records.py SITES RECORDS OUT: FICTIONAL records as attest JSON Lines
for the HTTP benchmark: SITES sites spread over the Korean peninsula, and
events and documents (half each) up to RECORDS records in all.  Seeded, so
every run makes the same archive; ids are fixed so that the benchmark can
name them."""
import json
import random
import sys

sites, total, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(5)
alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
site_types = ["burial_site", "detention_facility", "public_execution_site", "political_prison_camp"]
confidence = ["confirmed", "probable", "possible"]
provinces = ["North Hamgyong", "South Hamgyong", "Ryanggang", "Chagang", "North Pyongan"]


def rid(prefix, n):
    s = ""
    for _ in range(12):
        s = alphabet[n % 32] + s
        n //= 32
    return prefix + "-" + s


with open(out, "w") as f:
    for i in range(sites):
        f.write(json.dumps({"type": "site", "id": rid("si", i), "data": {
            "name": "FICTIONAL bench site %d" % i, "site_type": rng.choice(site_types),
            "lat": round(rng.uniform(37.7, 43.0), 5), "lon": round(rng.uniform(124.3, 130.6), 5),
            "province": rng.choice(provinces), "confidence": rng.choice(confidence)}},
            ensure_ascii=False) + "\n")
    rest = total - sites
    for i in range(rest):
        if i % 2 == 0:
            f.write(json.dumps({"type": "event", "id": rid("ev", i), "data": {
                "title": "FICTIONAL bench event %d" % i, "date": "%d-%02d" % (rng.randint(1990, 2020), rng.randint(1, 12)),
                "province": rng.choice(provinces), "lat": round(rng.uniform(37.7, 43.0), 5),
                "lon": round(rng.uniform(124.3, 130.6), 5)}}, ensure_ascii=False) + "\n")
        else:
            f.write(json.dumps({"type": "document", "id": rid("dc", i), "data": {
                "title": "FICTIONAL bench report %d" % i, "date": str(rng.randint(1995, 2022)),
                "language": "en"}}, ensure_ascii=False) + "\n")
