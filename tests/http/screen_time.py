"""screen_time.py: POST /api/v1/screen with as_of answers with the list
versions in force that day (KPe.029's new name was not listed in 2020);
a day before any version and a malformed day are refused; an analyst
dismisses a hit through /api/v1/screen/decisions, the decision is listed
with who, a partner may not decide, a public user does not see it, and
withdrawing it is a new version.  FICTIONAL data only."""
from client import Results, Session

res = Results()
print("1..14")
NAME = "NATIONAL AEROSPACE TECHNOLOGY ADMINISTRATION"


def screen(session, as_of=None):
    body = {"queries": {"q": {"schema": "Company", "properties": {"name": [NAME]}}}, "threshold": 0.9}
    if as_of:
        body["as_of"] = as_of
    return session.post("/api/v1/screen", body)


def matched(reply):
    return [h["key"] for h in reply.json()["responses"]["q"]["results"] if h["match"]]


analyst = Session().login("analyst")
r = screen(analyst, "2020-01-01")
res.check("as of 2020-01-01: the 2018 version answers", r.status == 200 and r.json()["versions"] == ["un-2018-10-29"],
          r.body[:300])
res.check("... and the new name was not listed then", "KPe.029" not in matched(r), r.body[:600])
r = screen(analyst, "2026-02-27")
res.check("as of 2026-02-27 it was", r.status == 200 and r.json()["versions"] == ["un-2026-02-27"]
          and "KPe.029" in matched(r), r.body[:600])
r = screen(analyst)
res.check("without as_of: the newest version", r.status == 200 and r.json()["versions"] == ["un-2026-02-27"],
          r.body[:300])
r = screen(analyst, "2018-01-01")
res.check("a day before any version: 404 naming the first", r.status == 404
          and "un-2018-10-29" in r.json()["error"]["message"], r.body[:300])
r = screen(analyst, "yesterday")
res.check("a malformed day: 400 on as_of", r.status == 400 and r.json()["error"]["field"] == "as_of", r.body[:300])

r = analyst.post("/api/v1/records", {"type": "organisation", "data": {"names": ["FICTIONAL " + NAME.title()]}})
org = r.json()["id"]
decision = {"record": org, "entry": "KPe.029", "note": "FICTIONAL: a namesake"}
r = analyst.post("/api/v1/screen/decisions", decision)
dm = r.json().get("id", "") if r.status == 201 else ""
res.check("an analyst dismisses the hit", r.status == 201 and dm.startswith("dm-"), r.body[:300])
r = analyst.post("/api/v1/screen/decisions", decision)
res.check("twice: 409", r.status == 409, r.body[:300])
r = Session().login("partner").post("/api/v1/screen/decisions", decision)
res.check("a partner may not decide: 403", r.status == 403, r.body[:300])
r = analyst.post("/api/v1/screen/decisions", {"record": org})
res.check("without an entry: 400 on entry", r.status == 400 and r.json()["error"]["field"] == "entry", r.body[:300])
r = analyst.get("/api/v1/screen/decisions?record=" + org)
got = r.json()["decisions"] if r.status == 200 else []
res.check("the decision is listed, with who", len(got) == 1 and got[0]["id"] == dm and got[0]["by"] == "analyst"
          and got[0]["status"] == "dismissed" and got[0]["list"] == "un", r.body[:400])
r = Session().login("public").get("/api/v1/screen/decisions?all=1")
res.check("a public user does not see a restricted decision", r.status == 200 and r.json()["decisions"] == [],
          r.body[:300])
r = analyst.post("/api/v1/screen/decisions/withdraw", {"record": org, "entry": "un:KPe.029"})
res.check("the analyst withdraws it", r.status == 200 and r.json()["id"] == dm, r.body[:300])
r = analyst.get("/api/v1/screen/decisions?all=1&record=" + org)
got = r.json()["decisions"] if r.status == 200 else []
res.check("it is listed withdrawn, as version 2", [(d["status"], d["version"]) for d in got] == [("withdrawn", 2)],
          r.body[:400])
raise SystemExit(1 if res.failed else 0)
