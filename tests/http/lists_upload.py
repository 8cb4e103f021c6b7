"""lists_upload.py: the 2018 UN list uploaded from the browser is imported
as `attest lists import un` would (a version, its entries, in the list of
versions); the same file again writes nothing; a partner may not import; an
unknown source and a file that is not the UN list's XML are refused naming
the field or the user's file, never the server's path; an entry is shown
as a version lists it, an unknown key is 404.  OFAC's files uploaded
together as one tar archive are imported as `attest lists import ofac DIR`
would (the date from the files' newest modification time, or ?date=); a
malformed file in it is named with its line; an archive without sdn.csv, a
file that is not OFAC's, and a body that is not a tar archive are refused."""
import io
import tarfile
import zipfile

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
r = upload(analyst, "sdn.csv", b"FICTIONAL,sdn\n", "?source=eu")
res.check("an unknown source: 400 on source", r.status == 400 and r.json()["error"]["field"] == "source", r.body[:300])
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


def tar_of(files, mtime=1751284800):  # 2025-06-30 12:00 UTC
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), mtime
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


OFAC = [(n, open("tests/data/sanctions/ofac/" + n, "rb").read())
        for n in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")]
r = upload(analyst, "sdn-2025.tar", tar_of([("ofac/" + n, d) for n, d in OFAC]), "?source=ofac")
j = r.json() if r.status == 201 else {}
res.check("OFAC's four files in one tar: a version dated by the files", r.status == 201
          and j.get("version") == "ofac-2025-06-30" and j.get("entries") == 6 and j.get("already") is False,
          r.body[:300])
r = upload(analyst, "sdn-2025.tar", tar_of([("ofac/" + n, d) for n, d in OFAC]), "?source=ofac")
res.check("... the same files again: 200, nothing written", r.status == 200 and r.json().get("already") is True,
          r.body[:300])
r = upload(analyst, "sdn-only.tar", tar_of(OFAC[:1]), "?source=ofac&date=2026-01-02")
res.check("sdn.csv alone, dated by ?date=", r.status == 201 and r.json().get("version") == "ofac-2026-01-02",
          r.body[:300])
zipped = io.BytesIO()
with zipfile.ZipFile(zipped, "w") as z:
    for n, d in OFAC:
        z.writestr("sdn_advanced/" + n, d)
r = upload(analyst, "sdn.zip", zipped.getvalue(), "?source=ofac&date=2026-01-03")
res.check("the same files in a zip archive: the same list, named as before", r.status == 200
          and r.json().get("version") == "ofac-2025-06-30" and r.json().get("already") is True, r.body[:300])
r = upload(analyst, "bad.tar", tar_of([("sdn.csv", b'1,"FICTIONAL",-0- \r\n')]), "?source=ofac")
msg = r.json()["error"]["message"] if r.status == 400 else ""
res.check("a malformed sdn.csv: 400 naming the file and line", r.status == 400
          and "sdn.csv:1: 3 fields, want 12" in msg and "/proc" not in msg, r.body[:300])
r = upload(analyst, "alt-only.tar", tar_of(OFAC[1:2]), "?source=ofac")
msg = r.json()["error"]["message"] if r.status == 400 else ""
res.check("no sdn.csv in the archive: 400 saying so", r.status == 400 and "sdn.csv" in msg
          and "alt-only.tar" in msg and "/proc" not in msg, r.body[:300])
r = upload(analyst, "extra.tar", tar_of(OFAC[:1] + [("FICTIONAL-notes.txt", b"notes\n")]), "?source=ofac")
msg = r.json()["error"]["message"] if r.status == 400 else ""
res.check("a file that is not OFAC's: 400 naming it", r.status == 400 and "FICTIONAL-notes.txt" in msg,
          r.body[:300])
r = upload(analyst, "sdn.csv", OFAC[0][1], "?source=ofac")
msg = r.json()["error"]["message"] if r.status == 400 else ""
res.check("not a tar archive: 400 naming the upload", r.status == 400 and "sdn.csv" in msg
          and "tar or zip" in msg, r.body[:300])
r = upload(analyst, "sdn-only.tar", tar_of(OFAC[:1]), "?source=ofac&date=2026-13-45")
res.check("a bad date: 400 on date", r.status == 400 and r.json()["error"]["field"] == "date", r.body[:300])
raise SystemExit(1 if res.failed else 0)
