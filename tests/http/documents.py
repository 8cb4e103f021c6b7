"""documents.py: documents as sources in the API.  A digest imported by
POST is split into its articles; a document's page holds its text, tags
whose spans are exact and its claims; a partner reads tags but may not
decide them and the public may not read the document at all; a decision
changes the tag once; claims are refused outside the text or with a quote
that is not there, and listed side by side.  FICTIONAL data only."""
import json

import schema
from client import Results, Session, error_of

res = Results()
print("1..14")
doc = json.load(open("web/openapi.json"))
admin = Session().login("admin")
DIGEST = ("## FICTIONAL: workers leave Hoeryong\n\nFICTIONAL DEMO DATA. About 50,000 workers left "
          "Hoeryŏng and 회령 for Russia, with FICTIONAL Pyolsong Trading.\n\n[FICTIONAL Wire]\n\n"
          "## FICTIONAL: prices\n\nFICTIONAL DEMO DATA. Rice cost 5,000 won in Chongjin.\n\n[FICTIONAL Radio]\n")

r = admin.post("/api/v1/documents", {"text": DIGEST, "name": "digest.md", "published": "2026-03-02"})
body = r.json() if r.status == 201 else {}
res.check("a digest is imported and split into two articles", r.status == 201 and body.get("articles") == 2
          and [d.get("publisher") for d in body.get("documents", [])[1:]] == ["FICTIONAL Wire", "FICTIONAL Radio"],
          r.body[:300])
first = body["documents"][1]["id"] if body else "none"
r = admin.get("/api/v1/documents/" + first)
page = r.json() if r.status == 200 else {"document": {"data": {}}, "tags": [], "claims": []}
text = page["document"]["data"].get("text", "")
res.check("the document page matches its schema", r.status == 200
          and not schema.check(doc, doc["components"]["schemas"]["DocumentWithTags"], page), r.body[:300])
res.check("every tag's span is the text it quotes (code points)",
          page["tags"] and all(text[t["start"]:t["end"]] == t["text"] for t in page["tags"]), page["tags"])
kinds = sorted((t["kind"], t["text"]) for t in page["tags"])
res.check("places in three spellings, the organisation and the figure are tagged",
          kinds == sorted([("place", "Hoeryong"), ("place", "Hoeryŏng"), ("place", "회령"),
                           ("organisation", "FICTIONAL Pyolsong Trading"), ("quantity", "50,000 workers")]), kinds)
org = [t for t in page["tags"] if t["kind"] == "organisation"]
tag = org[0]["id"] if org else 0

partner = Session().login("partner")
r = partner.get("/api/v1/documents/" + first)
res.check("a partner reads the document and its tags", r.status == 200 and len(r.json()["tags"]) == len(page["tags"]) - 1,
          r.body[:300])
r = partner.post("/api/v1/tags/%d" % tag, {"status": "accepted"})
res.check("a partner may not decide a tag (403)", r.status == 403, r.body[:300])
public = Session().login("public")
r = public.get("/api/v1/documents/" + first)
res.check("the public may not read a partner document (404, as for none)", r.status == 404, r.body[:300])

r = admin.post("/api/v1/tags/%d" % tag, {"status": "accepted"})
res.check("an analyst's decision changes the tag", r.status == 200 and r.json().get("changed") is True, r.body[:300])
r = admin.post("/api/v1/tags/%d" % tag, {"status": "accepted"})
res.check("the same decision again changes nothing", r.status == 200 and r.json().get("changed") is False, r.body[:300])
r = admin.post("/api/v1/tags/%d" % tag, {"status": "maybe"})
res.check("a decision that is not one is refused naming the field",
          r.status == 400 and error_of(r).get("field") == "status", r.body[:300])

start = text.index("50,000")
span = "%d:%d" % (start, start + len("50,000 workers"))
r = admin.post("/api/v1/claims", {"document": first, "span": span, "quantity": 50000, "unit": "workers",
                                  "topic": "workers_abroad", "qualifier": "about", "period": "2019", "place": "Russia"})
res.check("a claim from a span keeps its quote", r.status == 201 and r.json()["data"]["quote"] == "50,000 workers",
          r.body[:300])
r = admin.post("/api/v1/claims", {"document": first, "span": "5:99999", "quantity": 1, "unit": "workers",
                                  "topic": "revenue"})
res.check("a span past the text is refused (400)", r.status == 400 and "runs past the end" in error_of(r).get("message", ""),
          r.body[:300])
r = admin.post("/api/v1/claims", {"document": first, "span": span, "quantity": 1, "unit": "workers",
                                  "topic": "revenue", "quote": "60,000 workers"})
res.check("a quote that is not the span's text is refused (409)", r.status == 409, r.body[:300])
r = admin.get("/api/v1/claims?about=workers-abroad")
claims = r.json().get("claims", []) if r.status == 200 else []
res.check("claims listed side by side with the document's date",
          len(claims) == 1 and claims[0].get("document_date") == "2026-03-02" and claims[0]["quantity"] == 50000,
          r.body[:300])
