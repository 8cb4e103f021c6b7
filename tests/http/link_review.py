"""link_review.py: record linkage's review queue and decisions in the API.
The queue holds the pairs of the latest run with every comparison's
level and weight, whose weights add up from the prior to the total (the
waterfall); a blind review gets no score at all; an analyst does not see
a pair with a confidential person; a decision needs the right to write,
is versioned, takes its pair out of the queue and is listed; bad input is
refused naming the field; no run yet is a 404 that says what to run.
FICTIONAL data only."""
import json

import schema
from client import Results, Session, error_of

res = Results()
print("1..15")
doc = json.load(open("web/openapi.json"))
admin = Session().login("admin")
ALL = "/api/v1/link/review?type=person&low=0&high=1"


def problems(r, name):
    return schema.check(doc, doc["components"]["schemas"][name], r.json()) if r.status < 300 else [r.status]


r = admin.get(ALL)
pairs = r.json().get("pairs", []) if r.status == 200 else []
res.check("the queue holds the linked pairs", r.status == 200 and len(pairs) >= 2, r.body[:300])
res.check("the queue matches its schema", not problems(r, "LinkReview"), problems(r, "LinkReview"))
res.check("each pair's weights add up from the prior to the total (the waterfall)",
          pairs and all(abs(p["prior_weight"] + sum(c["weight"] for c in p["comparisons"]) - p["weight"]) < 0.01
                        for p in pairs), pairs[:1])
r = admin.get(ALL + "&blind=1")
text = r.body.decode("utf-8")
res.check("a blind review holds no score",
          r.status == 200 and r.json()["blind"] is True and len(r.json()["pairs"]) == len(pairs)
          and "probability" not in text and "weight" not in text, text[:300])
res.check("a blind review still says what each comparison found",
          r.status == 200 and all(c.get("label") for p in r.json()["pairs"] for c in p["comparisons"]), text[:300])

linked = {p["a"] for p in pairs} | {p["b"] for p in pairs}
analyst = Session().login("analyst")
r = analyst.get(ALL)
seen = {x for p in r.json().get("pairs", []) for x in (p["a"], p["b"])} if r.status == 200 else None
hidden = {i for i in linked if admin.get("/api/v1/records/" + i).json().get("clearance") == "confidential"}
res.check("an analyst sees no pair with a record above their clearance",
          hidden and seen is not None and not (seen & hidden) and len(seen) > 0, (seen, hidden))

pair = next(p for p in pairs if p["a"] not in hidden and p["b"] not in hidden)
decision = {"a": pair["a"], "b": pair["b"], "decision": "reject", "note": "FICTIONAL: different fathers"}
partner = Session().login("partner")
r = partner.post("/api/v1/link/decisions", decision)
res.check("a partner may not decide", r.status == 403, (r.status, r.body[:200]))
r = admin.post("/api/v1/link/decisions", decision, csrf=False)
res.check("a decision without the CSRF token is refused", r.status == 403, r.status)
r = analyst.post("/api/v1/link/decisions", decision)
res.check("an analyst decides: version 1", r.status == 201 and r.json()["version"] == 1
          and r.json()["decision"] == "reject" and not problems(r, "LinkDecision"), r.body[:300])
r = admin.get(ALL)
res.check("the decided pair leaves the queue",
          r.status == 200 and not any({p["a"], p["b"]} == {pair["a"], pair["b"]} for p in r.json()["pairs"]),
          r.body[:300])
r = admin.post("/api/v1/link/decisions", {"a": pair["b"], "b": pair["a"], "decision": "accept"})
res.check("a new decision on the pair (either order) is version 2", r.status == 201 and r.json()["version"] == 2,
          r.body[:300])
r = admin.get("/api/v1/link/decisions?type=person")
res.check("the decisions list the latest version",
          r.status == 200 and not problems(r, "LinkDecisions")
          and [(d["decision"], d["version"]) for d in r.json()["decisions"]] == [("accept", 2)], r.body[:300])

bad = [("decision", {"a": pair["a"], "b": pair["b"], "decision": "maybe"}),
       ("b", {"a": pair["a"], "decision": "accept"})]
got = [(field, error_of(admin.post("/api/v1/link/decisions", body)).get("field")) for field, body in bad]
got += [("type", error_of(admin.get("/api/v1/link/review")).get("field")),
        ("high", error_of(admin.get("/api/v1/link/review?type=person&low=0.2")).get("field")),
        ("low", error_of(admin.get("/api/v1/link/review?type=person&low=2&high=3")).get("field"))]
res.check("bad input is refused naming the field", all(want == field for want, field in got), got)
r = admin.post("/api/v1/link/decisions", {"a": pair["a"], "b": "pe-000000000000", "decision": "accept"})
res.check("a decision on a record that is not there is a 404", r.status == 404, (r.status, r.body[:200]))
r = admin.get("/api/v1/link/review?type=event")
res.check("no run of events yet: 404 saying what to run",
          r.status == 404 and "attest link events" in error_of(r).get("message", ""), r.body[:300])
raise SystemExit(1 if res.failed else 0)
