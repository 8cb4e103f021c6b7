"""stats.py: GET /api/v1/stats and /api/v1/stats/charts/{name}.  Witnesses
at restricted clearance, 7 from one province and 1 from another, with
arrival dates; an act whose province is a hostile label.  The admin counts
exactly; an analyst sees the lone witness withheld; a public user counts
neither.  Charts are SVG images holding nothing active, with the warning
on counts over time.  FICTIONAL data only."""
import xml.etree.ElementTree as ET

from client import Results, Session, error_of

res = Results()
print("1..19")
admin = Session().login("admin")

add = admin.add


for n in range(8):
    add("witness", "restricted", {"code": "FICTIONAL-H-%d" % n, "sex": "female" if n % 4 else "male",
                                  "home_province": "North Hamgyong" if n < 7 else "Chagang",
                                  "arrived": "2019-0%d" % (1 + n % 9) if n < 6 else "2019-11"})
ev = add("event", "restricted", {"title": "FICTIONAL event", "date": "2014",
                                 "province": "<img src=x onerror=alert(1)>"})
add("act", "restricted", {"event": ev, "act_type": "torture"})


def table(stats, name):
    return [t for t in stats["tables"] if t["name"] == name][0]


def by_key(stats, name):
    return {r["key"]: r["values"] for r in table(stats, name)["rows"]}


r = admin.get("/api/v1/stats")
s = r.json() if r.status == 200 else {}
res.check("admin: stats answer", r.status == 200, r.body[:300])
res.check("admin: exact witness counts", s.get("exact_witness_counts") is True
          and by_key(s, "witnesses_by_province").get("Chagang") == [1], s.get("tables"))
res.check("admin: arrivals per half-year with the change and the share of women",
          by_key(s, "arrivals").get("2019 H2") == [2, -66.7, 2, 100.0], by_key(s, "arrivals"))
r = admin.get("/api/v1/stats?period=year")
res.check("?period=year counts arrivals by year", r.status == 200
          and by_key(r.json(), "arrivals").get("2019", [None])[0] == 8, r.body[:300])
r = admin.get("/api/v1/stats?lang=ko")
note = table(r.json(), "arrivals").get("note_text", "") if r.status == 200 else ""
res.check("?lang=ko: the arrivals' note in Korean, its figure in place, no English sentence left",
          "입국 날짜가 없는 증언자는" in note and "Counted" not in note and "witnesses have none" not in note, note)
r = admin.get("/api/v1/stats/charts/arrivals?lang=ko")
res.check("the arrivals chart's note is Korean too", r.status == 200 and "입국 날짜가 없는 증언자는".encode() in r.body
          and b"witnesses have none" not in r.body, r.body[-600:])
r = admin.get("/api/v1/stats?period=month")
res.check("a bad ?period= is a 400 naming it", r.status == 400 and error_of(r).get("field") == "period", r.body[:300])

analyst = Session().login("analyst")
s = analyst.get("/api/v1/stats").json()
res.check("analyst: the lone witness and the next smallest cell are withheld",
          by_key(s, "witnesses_by_province") == {"North Hamgyong": ["withheld"], "Chagang": ["<5"]},
          by_key(s, "witnesses_by_province"))
public = Session().login("public")
s = public.get("/api/v1/stats").json()
res.check("public: no witness and no act counted",
          table(s, "witnesses_by_sex")["rows"] == [] and table(s, "acts_by_type")["rows"] == [], s)

r = admin.get("/api/v1/stats/charts/acts_by_year")
res.check("a chart is an SVG image", r.status == 200
          and (r.header("content-type") or "").startswith("image/svg+xml"), r.header("content-type"))
try:
    root = ET.fromstring(r.body)
    tags = {el.tag.split("}")[1] for el in root.iter()}
    attrs = {a for el in root.iter() for a in el.attrib}
    inert = tags <= {"svg", "title", "desc", "rect", "text", "line", "path", "circle", "g"} \
        and not [a for a in attrs if a.startswith("on") or "href" in a]
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
except ET.ParseError as e:
    inert, text, tags = False, "", str(e)
res.check("the chart is well-formed and holds nothing active", inert, tags)
res.check("the chart over time says counts are not trends", "are not trends" in text, text[:300])
r = admin.get("/api/v1/stats/charts/acts_by_province")
res.check("a hostile label is escaped in the chart", r.status == 200 and b"<img" not in r.body
          and b"&lt;img src=x onerror=alert(1)&gt;" in r.body, r.body[:400])
r = analyst.get("/api/v1/stats/charts/witnesses_by_province")
res.check("the analyst's chart says small cells are withheld", r.status == 200
          and "are withheld" in " ".join(t.text or "" for t in ET.fromstring(r.body).iter(
              "{http://www.w3.org/2000/svg}text")), r.body[:300])

# The sale prices' note names the sales left out for want of a rate; in
# Korean too (it stayed English whenever a sale was left out), each
# currency and count in its place.
victim = add("person", "restricted", {"names": [{"name": "FICTIONAL sold woman", "lang": "en"}], "sex": "female"})
add("case", "restricted", {"kind": "trafficking", "person": victim, "status": "open", "date": "2010",
                           "summary": "FICTIONAL case", "sales": [
                               {"place": "Hyesan", "date": "2010-03", "price": 1000, "currency": "CNY"},
                               {"place": "Yanji", "date": "2010-05", "price": 5000, "currency": "CNY"},
                               {"place": "Yanji", "date": "2010-06", "price": 900, "currency": "USD"},
                               {"place": "Hyesan", "date": "2010-01", "price": 300000, "currency": "KPW"},
                               {"place": "Hyesan", "date": "2010-02", "price": 200000, "currency": "KPW"}]})
for query, left in (("", ["1 sale in USD", "2 sales in KPW"]), ("&rate=KPW:CNY=0.0006", ["1 sale in USD"])):
    r = admin.get("/api/v1/stats?lang=ko" + query)
    t = table(r.json(), "sale_prices_by_year") if r.status == 200 else {}
    note, ko = t.get("note", ""), t.get("note_text", "")
    res.check("sale prices%s: the note names what was left out, and is all Korean" % (query or " at no rate"),
              all(x in note for x in left) and "환산" in ko and "Each sale" not in ko and "no rate" not in ko
              and "left out" not in ko and "The region" not in ko
              and all(("%s건" % x.split()[0]) in ko and x.split()[-1] in ko for x in left), (note, ko))
r = admin.get("/api/v1/stats/charts/sale_prices_by_year?lang=ko")
svg = r.body.decode("utf-8") if r.status == 200 else ""
res.check("the sale prices chart's note is Korean too, naming the sales left out",
          "USD" in svg and "KPW" in svg and "no rate given" not in svg and "Each sale" not in svg, svg[-800:])
r = admin.get("/api/v1/stats/charts/sale_prices_by_year?lang=en")
res.check("and English in English", r.status == 200 and b"2 sales in KPW, with no rate given, left out" in r.body,
          r.body[-600:])
r = admin.get("/api/v1/stats/charts/nope")
res.check("an unknown chart is a 404", r.status == 404, r.body[:300])
raise SystemExit(1 if res.failed else 0)
