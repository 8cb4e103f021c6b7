"""import.py: POST /api/v1/import, files imported as `attest import` imports
them: a good CSV; a check that stores nothing; a KML with a MultiGeometry
(one placement group of pinpoints) and a polygon, recorded as a document,
imported again with nothing changed; a bad row named by file, line and field
with nothing stored; an unknown word naming the closest codes and the
map_value to give, then imported with it; a role that may not write, and no
login, refused.  FICTIONAL data only."""
import json

from client import Results, Session, error_of

res = Results()
admin = Session().login("admin")


def count(kind):
    r = admin.get("/api/v1/records?type=%s&limit=1000" % kind)
    return len(r.json()["records"])


def upload(session, name, data, query=""):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return session.post("/api/v1/import?filename=%s%s" % (name, query), data,
                        headers={"Content-Type": "application/octet-stream"})


good_csv = ("name,lat,lon,site_type,description\n"
            "FICTIONAL-IMPORT hill,42.43,129.74,burial_site,FICTIONAL-IMPORT a hill\n"
            "FICTIONAL-IMPORT ford,42.44,129.75,burial_site,FICTIONAL-IMPORT a ford\n")
before = count("site")
r = upload(admin, "sites.csv", good_csv, "&type=site&check=1")
res.check("a checked CSV says what it would add (200, checked)",
          r.status == 200 and r.json()["checked"] is True and r.json()["added"] == 2
          and r.json()["records"] == [], r.body[:300])
res.check("a check stores nothing", count("site") == before, count("site"))
r = upload(admin, "sites.csv", good_csv, "&type=site")
body = r.json() if r.status == 201 else {}
res.check("a good CSV is imported (201): two new records with their ids",
          r.status == 201 and body["added"] == 2 and len(body["records"]) == 2
          and all(i.startswith("si-") for i in body["records"]), r.body[:300])
got = admin.get("/api/v1/records/%s" % body["records"][0]) if body else None
res.check("the records are there with their fields",
          got is not None and got.status == 200
          and got.json()["data"]["name"] == "FICTIONAL-IMPORT hill", got and got.body[:300])
res.check("two more sites", count("site") == before + 2, count("site"))

bad_csv = good_csv + "FICTIONAL-IMPORT marsh,95.5,129.76,burial_site,FICTIONAL-IMPORT far north\n"
before = count("site")
r = upload(admin, "bad.csv", bad_csv, "&type=site")
msg = error_of(r).get("message", "")
res.check("a bad row is refused (400) naming the file, line and field",
          r.status == 400 and "bad.csv:4" in msg and "lat" in msg, r.body[:300])
res.check("nothing of a refused file is stored", count("site") == before, count("site"))
r = upload(admin, "bad.csv", bad_csv, "&type=site&skip_bad=1")
res.check("skip_bad keeps the good rows and lists the bad one",
          r.status == 201 and r.json()["added"] == 2 and r.json()["bad"] == 1
          and r.json()["skipped"][0]["where"] == "bad.csv:4", r.body[:300])
r = upload(admin, "sites.csv", good_csv)
res.check("a CSV without a type is refused naming type and the valid types",
          r.status == 400 and "type" in error_of(r).get("message", "")
          and "site" in error_of(r).get("message", ""), r.body[:300])

kml = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>Burial sites</name>
<Placemark><name>FICTIONAL-IMPORT two graves</name>
<MultiGeometry><Point><coordinates>129.70,42.40</coordinates></Point>
<Point><coordinates>129.71,42.41</coordinates></Point></MultiGeometry></Placemark>
<Placemark><name>FICTIONAL-IMPORT compound</name>
<ExtendedData><Data name="site_type"><value>killing site</value></Data></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>
129.70,42.40 129.71,42.40 129.71,42.41 129.70,42.41 129.70,42.40
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Folder></Document></kml>
"""
pins = count("pinpoint")
r = upload(admin, "graves.kml", kml)
body = r.json() if r.status == 201 else {}
res.check("a KML with a MultiGeometry: two pinpoints and a site, the file a document",
          r.status == 201 and body["added"] == 4 and body["document"].startswith("dc-")
          and len(body["records"]) == 3, r.body[:400])
groups = set()
for i in body.get("records", []):
    d = admin.get("/api/v1/records/%s" % i).json()
    if d["type"] == "pinpoint":
        groups.add(d["data"].get("placement_group"))
res.check("the MultiGeometry's points are one placement group",
          count("pinpoint") == pins + 2 and len(groups) == 1 and None not in groups, groups)
r = upload(admin, "graves.kml", kml)
res.check("importing the same KML again changes nothing",
          r.status == 201 and r.json()["added"] == 0 and r.json()["versions"] == 0
          and r.json()["unchanged"] == 4 and count("pinpoint") == pins + 2, r.body[:300])

odd = kml.replace("killing site", "digging place").replace("graves", "digs")
r = upload(admin, "digs.kml", odd)
msg = error_of(r).get("message", "")
res.check("an unknown word is refused naming the closest codes and the map-value to give",
          r.status == 400 and "digs.kml" in msg and "closest" in msg
          and 'site_type:digging place=CODE' in msg, r.body[:400])
res.check("nothing of it is stored", count("pinpoint") == pins + 2, count("pinpoint"))
r = upload(admin, "digs.kml", odd, "&map_value=site_type:digging%20place=secret_killing_site")
res.check("with map_value the word is mapped and the file imported",
          r.status == 201 and r.json()["added"] == 4, r.body[:300])

partner = Session().login("partner")
r = upload(partner, "sites.csv", good_csv, "&type=site")
res.check("a role that may not write is refused (403)", r.status == 403, r.body[:200])
r = upload(Session(), "sites.csv", good_csv, "&type=site")
res.check("no import without a login (401)", r.status == 401, r.body[:200])
r = upload(admin, "sites.txt", good_csv)
res.check("an unknown format is refused naming format and the valid ones",
          r.status == 400 and error_of(r).get("field") == "format", r.body[:300])
r = admin.post("/api/v1/import?filename=x.csv&type=site", b"",
               headers={"Content-Type": "application/octet-stream"})
res.check("an empty body is refused", r.status in (400, 411), r.body[:200])

# FollowTheMoney (issue 15: `attest import ftm` and `export ftm` were
# CLI-only): the same core import, all or nothing, and the export.
ftm = "\n".join(json.dumps(e) for e in [
    {"id": "fict-co-1", "schema": "Company", "properties": {"name": ["FICTIONAL-IMPORT Harbour Trading"], "country": ["kp"]}},
    {"id": "fict-pe-1", "schema": "Person", "properties": {"name": ["FICTIONAL-IMPORT Ri Chol"]}},
    {"id": "fict-dir-1", "schema": "Directorship", "properties": {"director": ["fict-pe-1"], "organization": ["fict-co-1"]}},
    {"id": "fict-sa-1", "schema": "Sanction", "properties": {"entity": ["fict-co-1"]}},
]) + "\n"
orgs, persons = count("organisation"), count("person")
r = upload(admin, "people.ftm", ftm, "&check=1")
b = r.json() if r.status == 200 else {}
res.check("an FtM file checked: what it would add, per kind, nothing stored",
          b.get("checked") is True and b.get("added") == 3 and b.get("ftm", {}).get("skipped") == 1
          and count("organisation") == orgs and count("person") == persons, r.body[:300])
r = upload(admin, "people.json", ftm, "&format=ftm&clearance=restricted")
b = r.json() if r.status == 201 else {}
made = b.get("records", [])
res.check("an FtM file imported (201): a company, a person and their relation, as attest import ftm",
          b.get("format") == "ftm" and b.get("ftm", {}).get("records") == 2 and b.get("ftm", {}).get("relations") == 1
          and sorted(i[:3] for i in made) == ["or-", "pe-", "rl-"], r.body[:300])
got = admin.get("/api/v1/records/%s" % next((i for i in made if i.startswith("or-")), "or-none")).json()
res.check("with the clearance asked for", got.get("clearance") == "restricted", got)
bad = ftm.replace('"fict-pe-1"]', '"fict-nobody"]', 1)
r = upload(admin, "bad.ftm", bad)
msg = error_of(r).get("message", "")
res.check("a reference to no entity is refused naming the file, line and property; nothing stored",
          r.status == 400 and "bad.ftm:3" in msg and '"director"' in msg
          and count("person") == persons + 1, r.body[:300])
r = upload(admin, "people.ftm", ftm, "&skip_bad=1")
res.check("an FtM file is all or nothing: skip_bad refused", r.status == 400 and "all or nothing" in error_of(r).get("message", ""), r.body[:300])
r = admin.get("/api/v1/export/ftm")
lines = [json.loads(x) for x in r.body.splitlines() if x.strip()] if r.status == 200 else []
names = [n for e in lines for n in e.get("properties", {}).get("name", [])]
res.check("export ftm: the records as FtM entities, with the relation",
          r.status == 200 and (r.header("content-type") or "").startswith("application/x-ndjson")
          and "FICTIONAL-IMPORT Harbour Trading" in names and "FICTIONAL-IMPORT Ri Chol" in names
          and any(e.get("schema") == "Directorship" for e in lines), r.body[:300])
r = admin.get("/api/v1/export/ftm?list=nosuch")
res.check("export ftm of a list version that is not held: 404 naming list",
          r.status == 404 and error_of(r).get("field") == "list", r.body[:200])
