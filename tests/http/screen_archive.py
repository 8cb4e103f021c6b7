"""screen_archive.py: GET /api/v1/screen/records/{id} screens one
organisation with its names as `attest screen --record` does, a dismissed
hit set apart; a witness is refused; GET /api/v1/screen/archive lists every
record with hits; ?new=1 after an older version imported late finds
nothing new, and ?new=1&since= a day of the 2018 list finds the renamed
entry new; bad arguments are refused naming the field.  GET
/api/v1/screen/compare scores two names with both scorers, the words
weighed on the lists or by default; POST /api/v1/screen/compare compares a
file of pairs as `attest screen compare --file --json`, a bad line named
with its line, and a partner may compare too.  FICTIONAL data."""
from client import Results, Session

res = Results()
print("1..21")
NAME = "NATIONAL AEROSPACE TECHNOLOGY ADMINISTRATION"

analyst = Session().login("analyst")
r = analyst.post("/api/v1/records", {"type": "organisation", "data": {"names": ["FICTIONAL " + NAME.title(), NAME]}})
org = r.json()["id"]
r = analyst.post("/api/v1/records", {"type": "organisation", "data": {"names": ["FICTIONAL Hoeryong Bakery"]}})
plain = r.json()["id"]


def keys(hits):
    return [h["key"] for h in hits]


r = analyst.get("/api/v1/screen/records/" + org)
j = r.json() if r.status == 200 else {}
res.check("one record screened: its hit on KPe.029", r.status == 200 and j["record"] == org
          and "KPe.029" in keys(j["hits"]) and j["versions"] == ["un-2026-02-27"], r.body[:500])
r = analyst.post("/api/v1/screen/decisions", {"record": org, "entry": "KPe.029", "note": "FICTIONAL: a namesake"})
r = analyst.get("/api/v1/screen/records/" + org)
j = r.json() if r.status == 200 else {}
res.check("dismissed: set apart with who", r.status == 200 and "KPe.029" not in keys(j["hits"])
          and [d["dismissal"]["by"] for d in j["dismissed"] if d["key"] == "KPe.029"] == ["analyst"], r.body[:600])
r = analyst.get("/api/v1/screen/records/" + org + "?threshold=200")
res.check("a threshold above 100: 400 on threshold", r.status == 400
          and r.json()["error"]["field"] == "threshold", r.body[:300])
r = analyst.get("/api/v1/screen/records/" + org + "?scorer=fuzzy")
res.check("an unknown scorer: 400 on scorer", r.status == 400 and r.json()["error"]["field"] == "scorer",
          r.body[:300])
r = analyst.post("/api/v1/records", {"type": "event", "data": {"title": "FICTIONAL event"}})
ev = r.json().get("id", "ev-none")
r = analyst.get("/api/v1/screen/records/" + ev)
res.check("an event is not screened: 400", r.status == 400, r.body[:300])

r = analyst.get("/api/v1/screen/archive")
j = r.json() if r.status == 200 else {}
got = [x["record"] for x in j.get("records", [])]
res.check("the archive screened: the organisation, not the bakery", r.status == 200 and org in got
          and plain not in got and "before" not in j, r.body[:600])
r = analyst.get("/api/v1/screen/archive?new=1")
j = r.json() if r.status == 200 else {}
res.check("new hits of the last import (an older version): none", r.status == 200 and j["records"] == []
          and j["last_import"] == "un-2018-10-29" and j["before"] == ["un-2026-02-27"], r.body[:600])
analyst.post("/api/v1/screen/decisions/withdraw", {"record": org, "entry": "KPe.029"})
r = analyst.get("/api/v1/screen/archive?new=1&since=2020-01-01")
j = r.json() if r.status == 200 else {}
new = {x["record"]: keys(x["hits"]) for x in j.get("records", [])}
res.check("new since 2020: the renamed entry hits the organisation", r.status == 200
          and j["before"] == ["un-2018-10-29"] and "KPe.029" in new.get(org, []), r.body[:600])
r = analyst.get("/api/v1/screen/archive?new=1&since=yesterday")
res.check("a malformed since: 400 on since", r.status == 400 and r.json()["error"]["field"] == "since", r.body[:300])
r = analyst.get("/api/v1/screen/archive?since=2020-01-01")
res.check("since without new: 400 on since", r.status == 400 and r.json()["error"]["field"] == "since", r.body[:300])
r = Session().login("public").get("/api/v1/screen/archive")
res.check("a public user does not see restricted records", r.status == 200
          and org not in [x["record"] for x in r.json()["records"]], r.body[:300])

q = "/api/v1/screen/compare?name1=%s&name2=%s" % ("Natl%20Aerospace%20Technology%20Admin", NAME.replace(" ", "%20"))
r = analyst.get(q + "&type=company")
j = r.json() if r.status == 200 else {}
res.check("compare: both scorers, weighed on the lists", r.status == 200 and j["weights"] == "lists"
          and j["type"] == "company" and "score" in j["attest"] and "score" in j["ofac"], r.body[:400])
r = analyst.get("/api/v1/screen/compare?name1=FICTIONAL%20Kim&name2=FICTIONAL%20Kim")
res.check("the same name: a match", r.status == 200 and r.json()["attest"]["match"] is True, r.body[:400])
r = analyst.get(q + "&weights=default")
res.check("weights=default: the default weighting", r.status == 200 and r.json()["weights"] == "default", r.body[:300])
r = analyst.get(q + "&type=boat")
res.check("an unknown type: 400 on type", r.status == 400 and r.json()["error"]["field"] == "type", r.body[:300])
r = analyst.get("/api/v1/screen/compare?name1=FICTIONAL")
res.check("without name2: 400 on name2", r.status == 400 and r.json()["error"]["field"] == "name2", r.body[:300])


def pairs(session, body, name="FICTIONAL-pairs.tsv"):
    return session.post("/api/v1/screen/compare?filename=" + name, body,
                        headers={"Content-Type": "text/tab-separated-values"})


TSV = ("FICTIONAL Kim\tFICTIONAL Kim\tperson\r\n\nNatl Aerospace Technology Admin\t%s\tcompany\n"
       "FICTIONAL Park\tFICTIONAL Trading Co\n" % NAME).encode()
r = pairs(analyst, TSV)
j = r.json() if r.status == 200 else []
res.check("a file of pairs: each compared, with its line", r.status == 200 and [x["line"] for x in j] == [1, 3, 4]
          and j[0]["attest"]["match"] is True and j[1]["type"] == "company" and "score" in j[2]["ofac"], r.body[:400])
r = pairs(analyst, b"FICTIONAL Kim\tFICTIONAL Kim\nFICTIONAL Kim\tFICTIONAL Kim\tship\n")
msg = r.json()["error"]["message"] if r.status == 400 else ""
res.check("a bad type: 400 naming the file's line and the field", r.status == 400
          and 'FICTIONAL-pairs.tsv:2: field "type": "ship"' in msg, r.body[:300])
r = pairs(analyst, b"FICTIONAL Kim only\n")
msg = r.json()["error"]["message"] if r.status == 400 else ""
res.check("a line without two names: 400 naming its line", r.status == 400
          and "FICTIONAL-pairs.tsv:1: want name1<TAB>name2" in msg, r.body[:300])
r = pairs(analyst, TSV, "")
res.check("no file name: 400 on filename", r.status == 400 and r.json()["error"]["field"] == "filename", r.body[:300])
r = pairs(Session().login("partner"), TSV)
res.check("a partner may compare a file of pairs", r.status == 200 and len(r.json()) == 3, r.body[:300])
raise SystemExit(1 if res.failed else 0)
