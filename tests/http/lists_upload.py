"""lists_upload.py: the 2018 UN list uploaded from the browser is imported
as `attest lists import un` would (a version, its entries, in the list of
versions); the same file again writes nothing; a partner may not import; an
OFAC source and a file that is not the UN list's XML are refused naming
the field or the user's file, never the server's path; an entry is shown
as a version lists it, an unknown key is 404."""
from client import Results, Session

res = Results()
XML = open("tests/data/sanctions/un/un-2018-10-29.xml", "rb").read()


def upload(session, name, data, query="?source=un"):
    return session.post("/api/v1/lists%s&filename=%s" % (query, name), data,
                        headers={"Content-Type": "application/xml"})


analyst = Session().login("analyst")
r = upload(analyst, "consolidated.xml", XML)
j = r.json() if r.status == 201 else {}
res.check("the 2018 UN list uploaded: a new version", r.status == 201 and j["version"] == "un-2018-10-29"
          and j["entries"] == 8 and j["already"] is False, r.body[:300])
r = analyst.get("/api/v1/lists")
res.check("... listed beside the 2026 version", r.status == 200
          and sorted(v["id"] for v in r.json()) == ["un-2018-10-29", "un-2026-02-27"], r.body[:400])
r = upload(analyst, "consolidated.xml", XML)
res.check("the same file again: 200, nothing written", r.status == 200 and r.json()["already"] is True,
          r.body[:300])
r = upload(Session().login("partner"), "consolidated.xml", XML)
res.check("a partner may not import: 403", r.status == 403, r.body[:300])
r = upload(analyst, "sdn.csv", b"FICTIONAL,sdn\n", "?source=ofac")
res.check("an OFAC source: 400 on source", r.status == 400 and r.json()["error"]["field"] == "source", r.body[:300])
r = upload(analyst, "FICTIONAL-notes.xml", b"<notes>FICTIONAL</notes>\n")
msg = r.json()["error"]["message"] if r.status == 400 else ""
res.check("not the UN list's XML: 400 naming the file", r.status == 400 and "FICTIONAL-notes.xml" in msg
          and "/proc" not in msg, r.body[:300])
r = upload(analyst, "", XML)
res.check("no file name: 400 on filename", r.status == 400 and r.json()["error"]["field"] == "filename", r.body[:300])
r = analyst.get("/api/v1/lists/un-2018-10-29/entries/KPe.001")
res.check("an entry as the 2018 version lists it", r.status == 200 and "KPe.001" in r.body.decode(), r.body[:300])
r = analyst.get("/api/v1/lists/un-2018-10-29/entries/KPe.999")
res.check("an unknown key: 404", r.status == 404, r.body[:300])
r = analyst.get("/api/v1/lists/un-1999-01-01/entries/KPe.001")
res.check("an unknown version: 404", r.status == 404, r.body[:300])
raise SystemExit(1 if res.failed else 0)
