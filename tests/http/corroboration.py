"""corroboration.py: an event's corroboration in the API's event JSON.
Three witnesses place one event; two of them were interviewed together
(one group), and one interview is restricted, the others confidential.
The admin counts two independent sources out of three witnesses; an
analyst, who may read only the restricted interview, counts one; a
partner may not read the event at all; no corroboration names a witness
or an interview; the
reply matches the OpenAPI schema; an older version carries none.  GET
/api/v1/export/corroboration (`attest export corroboration`) gives each
reader the same counts as the event's JSON, naming no witness.
FICTIONAL data only."""
import json

import schema
from client import Results, Session

res = Results()
print("1..13")
admin = Session().login("admin")
doc = json.load(open("web/openapi.json"))

add = admin.add


ev = add("event", "restricted", {"title": "FICTIONAL corroborated event", "date": "1998-05",
                                 "lat": 41.8, "lon": 129.7})
witnesses = []
for n, (level, group) in enumerate((("confidential", "FICTIONAL group A"),
                                    ("confidential", "FICTIONAL group A"),
                                    ("restricted", None)), 1):
    w = add("witness", level, {"code": "FICTIONAL-HTTP-%d" % n})
    witnesses.append(w)
    data = {"witness": w, "date": "2021-01", "summary": "FICTIONAL"}
    if group:
        data["group"] = group
    iv = add("interview", level, data)
    add("pinpoint", "restricted", {"event": ev, "interview": iv, "lat": 41.8 + n / 10000,
                                   "lon": 129.7, "uncertainty_m": 300, "date": "1998",
                                   "basis": "eyewitness" if n == 3 else "heard_from_witness",
                                   "description": "FICTIONAL"})
add("act", "restricted", {"event": ev, "act_type": "public_execution", "victim_count": 2})


def corroboration(session, query=""):
    r = session.get("/api/v1/records/" + ev + query)
    return r, (r.json().get("corroboration") if r.status == 200 else None)


r, c = corroboration(admin)
res.check("admin: two independent sources of three witnesses",
          c is not None and (c["sources"], c["source_records"]) == (2, 3), c)
res.check("admin: strongest basis and agreement",
          c is not None and c["strongest_basis"] == "eyewitness" and c["date"]["agree"] is True
          and c["place"]["agree"] is True and c["victims"]["agree"] is None, c)
problems = schema.check(doc, doc["components"]["schemas"]["RecordWithReferrers"], r.json())
res.check("the reply matches the schema", not problems, problems)
analyst = Session().login("analyst")
r, c = corroboration(analyst)
res.check("analyst: only the source of the interview it may read",
          c is not None and (c["sources"], c["unattributed"], c["accounts"]) == (1, 3, 4), c)
texts = [json.dumps(corroboration(admin)[1]), r.body.decode("utf-8")]
res.check("no witness in the corroboration, nor in the analyst's reply",
          all(w not in t and "FICTIONAL-HTTP" not in t and "iv-" not in t
              for w in witnesses for t in texts), texts)
partner = Session().login("partner")
r, c = corroboration(partner)
res.check("partner: the event is not there", r.status == 404, r.status)
r, c = corroboration(admin, "?version=1")
res.check("a version asked by number carries no corroboration", r.status == 200 and c is None, c)
r = admin.get("/api/v1/records/" + witnesses[2])
res.check("a record that is no event carries none", r.status == 200 and "corroboration" not in r.json(), r.status)
gone = add("event", "restricted", {"title": "FICTIONAL retracted event"})
admin.post("/api/v1/records/" + gone + "/retract", {"reason": "FICTIONAL: entered twice"})
r = admin.get("/api/v1/records/" + gone)
res.check("a retracted event is shown, without a corroboration",
          r.status == 200 and r.json().get("retracted") is True and "corroboration" not in r.json(),
          (r.status, r.body[:200]))


def exported(session):
    r = session.get("/api/v1/export/corroboration")
    lines = [json.loads(x) for x in r.body.decode("utf-8").splitlines() if x.strip()] if r.status == 200 else []
    return r, {x["event"]: x["corroboration"] for x in lines}


r, rows = exported(admin)
res.check("export corroboration: JSON Lines, a line for the event",
          r.status == 200 and (r.header("content-type") or "").startswith("application/x-ndjson")
          and ev in rows, r.body[:300])
res.check("with the counts the event's JSON gives the admin",
          ev in rows and rows[ev] == corroboration(admin)[1], (rows.get(ev), corroboration(admin)[1]))
r, rows = exported(analyst)
res.check("the analyst's export counts only what the analyst may read, naming no witness",
          ev in rows and rows[ev]["sources"] == 1 and not any(w in r.body.decode("utf-8") for w in witnesses),
          rows.get(ev))
r, rows = exported(partner)
res.check("a role that may not export is refused (403)", r.status == 403, r.status)
raise SystemExit(1 if res.failed else 0)
