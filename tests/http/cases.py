"""cases.py: GET /api/v1/cases/{id}, POST .../sales and .../indicators.
A trafficking case gets three sales (one put between the other two), keeps
their order, prices and currencies, and refuses a bad currency and a bad
indicator with the valid values; its referral (confidential) is listed for
the admin and not for an analyst, who gets the case but not the referral;
the partner role may not write; /stats gives the median of the sale prices
at the stated rate; a sale taken out of the chain with a reason, as `attest
case sale remove`.  FICTIONAL data only."""
from client import Results, Session, error_of

res = Results()
print("1..17")
admin = Session().login("admin")
case = admin.add("case", "restricted", {"kind": "trafficking", "summary": "FICTIONAL case"})
ref = admin.add("referral", "confidential", {"case": case, "need": "shelter", "help_given": "FICTIONAL shelter"})
dep = admin.add("dependant", "restricted", {"case": case, "citizenship": "stateless"})
path = "/api/v1/cases/" + case


def sale(body):
    return admin.post(path + "/sales", body)


r1 = sale({"sale": {"place": "Yanji", "date": "2005-03", "price": 5000, "currency": "CNY"}})
r2 = sale({"sale": {"place": "Musan", "date": "2006", "price": 300, "currency": "USD"}})
r3 = sale({"sale": {"place": "Helong", "date": "2005-09", "price": 1000, "currency": "cny"}, "before": 2})
res.check("three sales added (201)", [r.status for r in (r1, r2, r3)] == [201, 201, 201], r3.body[:300])
c = admin.get(path).json()
res.check("the chain keeps the order given", [s["place"] for s in c["chain"]] == ["Yanji", "Helong", "Musan"], c["chain"])
res.check("prices and currencies kept", [(s["price"], s["currency"]) for s in c["chain"]]
          == [(5000, "CNY"), (1000, "CNY"), (300, "USD")], c["chain"])
res.check("the gazetteer places the sales", all("lat" in s for s in c["chain"])
          and c["chain"][2]["region"] == "North Hamgyong", c["chain"])
r = sale({"sale": {"price": 5, "currency": "XYZ"}})
res.check("a bad currency is a 400 with the valid codes", r.status == 400
          and "valid: CNY, KPW, KRW, USD" in error_of(r).get("message", ""), r.body[:300])
r = admin.post(path + "/indicators", {"indicator": "passport held", "status": "yes", "note": "FICTIONAL"})
c = r.json() if r.status == 200 else {}
res.check("an indicator set from caseworkers' words", r.status == 200 and
          [x["status"] for x in c["checklist"] if x["code"] == "retention_of_documents"] == ["observed"], r.body[:300])
r = admin.post(path + "/indicators", {"indicator": "lies", "status": "observed"})
res.check("a bad indicator is a 400 with the eleven", r.status == 400
          and "valid: abuse_of_vulnerability" in error_of(r).get("message", ""), r.body[:300])
res.check("the admin sees the dependant and the referral",
          [d["id"] for d in c.get("dependants", [])] == [dep] and [d["id"] for d in c.get("referrals", [])] == [ref], c)
analyst = Session().login("analyst")
a = analyst.get(path)
res.check("an analyst sees the case and the dependant, no referral", a.status == 200
          and a.json()["referrals"] == [] and [d["id"] for d in a.json()["dependants"]] == [dep], a.body[:400])
res.check("an analyst gets 404 for the referral itself", analyst.get("/api/v1/records/" + ref).status == 404)
partner = Session().login("partner")
r = partner.post(path + "/sales", {"sale": {"place": "Yanji"}})
res.check("a partner may not add a sale, nor see the case", r.status in (403, 404)
          and partner.get(path).status == 404, r.status)
s = admin.get("/api/v1/stats?rate=CNY:USD=0.14").json()
rows = {r["key"]: r["values"] for t in s["tables"] if t["name"] == "sale_prices_by_year" for r in t["rows"]}
res.check("stats: 2005 at 1 CNY = 0.14 USD is 2 sales, median 420, 140 to 700", rows.get("2005") == [2, 420.0, 140.0, 700.0], rows)

# A sale taken out of the chain (`attest case sale remove CASE N --reason R`).
sale({"sale": {"place": "Tumen", "date": "2010", "price": 10, "currency": "USD"}})
r = admin.post(path + "/sales/4/remove", {})
res.check("removing a sale without a reason: 400 naming it",
          r.status == 400 and error_of(r).get("field") == "reason", r.body[:300])
r = admin.post(path + "/sales/x/remove", {"reason": "FICTIONAL"})
res.check("a sale number that is no number: 400 naming it", r.status == 400 and error_of(r).get("field") == "n",
          r.body[:300])
r = admin.post(path + "/sales/9/remove", {"reason": "FICTIONAL"})
res.check("a sale not in the chain: 400 saying how many there are",
          r.status == 400 and "has 4 sales" in error_of(r).get("message", ""), r.body[:300])
r = partner.post(path + "/sales/4/remove", {"reason": "FICTIONAL"})
res.check("a partner may not remove a sale", r.status in (403, 404), r.status)
r = admin.post(path + "/sales/4/remove", {"reason": "FICTIONAL: entered twice"})
res.check("the admin takes sale 4 out; the chain is the three before", r.status == 200
          and [x["place"] for x in r.json()["chain"]] == ["Yanji", "Helong", "Musan"], r.body[:300])
