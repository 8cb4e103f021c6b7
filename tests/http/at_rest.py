"""at_rest.py: records written through the API with planted words, read,
searched and exported; the caller then searches every file of the archive
and the server's access log for the words.  FICTIONAL data only.

    at_rest.py WORD...
"""
import sys

from client import Results, Session

words = sys.argv[1:]
res = Results()
admin = Session().login("admin")
r = admin.post("/api/v1/records", {"type": "event", "clearance": "restricted", "data": {
    "title": "FICTIONAL %s burial" % words[0], "date": "1999-04",
    "description": "FICTIONAL: by the %s at %s" % (words[1], words[2])}})
res.check("an event with planted words is created", r.status == 201, r.body[:300])
eid = r.json().get("id", "") if r.status == 201 else ""
r = admin.post("/api/v1/records", {"type": "person", "data": {"names": ["FICTIONAL %s" % words[3], words[4]]}})
res.check("a person with planted names is created", r.status == 201, r.body[:300])
r = admin.post("/api/v1/records/%s/versions" % eid, {"changes": {"description": "FICTIONAL: %s" % words[2]},
                                                      "reason": "FICTIONAL correction"})
res.check("the event is amended", r.status in (200, 201), r.body[:300])
r = admin.get("/api/v1/search?q=" + words[0])
res.check("the API's search finds the planted title", r.status == 200 and words[0] in r.body.decode(), r.body[:300])
r = admin.get("/api/v1/records/" + eid)
res.check("the API reads the record back", r.status == 200 and words[0] in r.body.decode(), r.body[:300])
r = admin.get("/api/v1/export/jsonl")
res.check("the API exports the records", r.status == 200 and words[0] in r.body.decode(), r.body[:200])
sys.exit(1 if res.failed else 0)
