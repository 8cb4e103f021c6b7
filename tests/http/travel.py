"""travel.py: the browser's travel on a laptop's server (tests/http/test_travel.sh):
POST /api/v1/sync/peers/{name}/travel (its delivery a job, followed with
GET .../jobs/{id}), GET .../travel, POST .../restore.
Usage: travel.py PART LAPTOP-BASE [TOKEN-FILE]; prints "ok - " lines.
FICTIONAL data only."""
import sys
import time

from client import Session, Results

part, laptop = sys.argv[1], sys.argv[2]
token = open(sys.argv[3]).read().strip() if len(sys.argv) > 3 else None
res = Results()
admin = Session(base=laptop).login("admin")


def travel(body, who=admin, name="centre"):
    return who.post("/api/v1/sync/peers/%s/travel" % name, body)


def waiting(name="centre"):
    peers = admin.get("/api/v1/sync/status").json()["peers"]
    return [p for p in peers if p["name"] == name][0]["travel"]


if part == "refusals":
    r = travel({"confirm": "centre"}, who=Session(base=laptop))
    res.check("travel without a login: 401", r.status == 401, r.body[:300])
    r = travel({"confirm": "centre"}, who=Session(base=laptop).login("analyst"))
    res.check("travel as an analyst (no sync right, as in the CLI): 403", r.status == 403, r.body[:300])
    r = travel({"confirm": "centre"}, who=Session(base=laptop).login("partner"))
    res.check("travel as a partner: 403", r.status == 403, r.body[:300])
    r = travel({})
    res.check("travel without confirm: 400 naming the field and the name to type",
              r.status == 400 and r.json()["error"]["field"] == "confirm"
              and "centre" in r.json()["error"]["message"], r.body[:300])
    r = travel({"confirm": "Centre"})
    res.check("travel with a confirmation that is not the name: 400", r.status == 400, r.body[:300])
    r = travel({"confirm": "nowhere"}, name="nowhere")
    res.check("travel to a peer not pinned: 404 naming it",
              r.status == 404 and "nowhere" in r.json()["error"]["message"], r.body[:300])
    r = travel({"confirm": "friends"}, name="friends")
    res.check("travel to a partner: 400 naming the tier",
              r.status == 400 and "partner" in r.json()["error"]["message"], r.body[:300])
    r = admin.get("/api/v1/sync/peers/centre/travel")
    res.check("no travel pack waits yet: 404", r.status == 404, r.body[:300])
    r = admin.post("/api/v1/sync/peers/centre/restore", {})
    res.check("restore without a token: 400 naming the field",
              r.status == 400 and r.json()["error"]["field"] == "token", r.body[:300])
elif part == "kept":
    r = travel({"confirm": "centre"})
    j = r.json() if r.status == 200 else {}
    res.check("travel (no token): 200, the pack kept here",
              r.status == 200 and j["pack"] and j["pack"]["bytes"] > 0 and j["delivery"] is None
              and j["removed"]["versions"] > 0 and j["packed"]["versions"] > 0, r.body[:400])
    size = j.get("pack", {}).get("bytes") if j else None
    r = admin.get("/api/v1/records/dc-trv000000001")
    res.check("after travel the laptop's server finds no record", r.status == 404, r.status)
    res.check("the status shows the travel pack waiting", waiting() == {"bytes": size}, waiting())
    r = admin.get("/api/v1/sync/peers/centre/travel")
    res.check("the travel pack downloads whole, as an attachment",
              r.status == 200 and len(r.body) == size
              and "attest-travel-centre.pack" in (r.header("content-disposition") or ""), r.status)
    open(sys.argv[4], "wb").write(r.body)
    r = travel({"confirm": "centre"})
    res.check("a second travel while a pack waits: 409", r.status == 409, r.body[:300])
    r = admin.post("/api/v1/sync/peers/centre/restore", {"token": token})
    j = r.json() if r.status == 200 else {}
    res.check("restore: the waiting pack delivered, then everything pulled",
              r.status == 200 and j["done"] and j["delivered"] and j["imported"]["versions"] > 0, r.body[:400])
    res.check("after restore no travel pack waits", waiting() is None, waiting())
elif part == "delivered":
    # an officer travels (the sync right, not an administrator) and follows
    # the delivery she started; another user with the sync right does not
    # see it, an administrator does
    officer = Session(base=laptop).login("officer")
    r = travel({"confirm": "centre", "token": token}, who=officer)
    j = r.json() if r.status == 200 else {}
    job = (j.get("delivery") or {}).get("job") or {}
    res.check("travel with a token: 200 at once, the delivery a job started (kind deliver)",
              r.status == 200 and job.get("kind") == "deliver" and job.get("state") == "running"
              and len(job.get("id", "")) == 32 and j["removed"]["versions"] > 0
              and token not in r.body.decode(), r.body[:400])
    path = "/api/v1/sync/peers/centre/jobs/" + job.get("id", "none")
    r = Session(base=laptop).login("investigator").get(path)
    res.check("another user with the sync right: 404 for the officer's job, as for none",
              r.status == 404 and "officer" not in r.body.decode(), (r.status, r.body[:300]))
    r = admin.get(path)
    res.check("an administrator follows the officer's job", r.status == 200
              and r.json().get("started_by") == "officer", (r.status, r.body[:300]))
    for _ in range(600):
        g = officer.get(path)
        end = g.json() if g.status == 200 else {}
        if end.get("state") != "running":
            break
        time.sleep(0.1)
    res.check("the delivery job, followed by the officer who started it, ends done: the pack applied by the centre",
              end.get("state") == "done" and (end.get("result") or {}).get("done")
              and (end.get("result") or {}).get("applied"), (g.status, g.body[:400]))
    res.check("once delivered, no travel pack waits here", waiting() is None, waiting())
    r = admin.post("/api/v1/sync/peers/centre/restore", {"token": token})
    j = r.json() if r.status == 200 else {}
    res.check("restore after a delivered travel: a pull only",
              r.status == 200 and j["done"] and not j["delivered"] and j["imported"]["versions"] > 0,
              r.body[:400])
sys.exit(1 if res.failed else 0)
