"""analysis.py: the analysis workflows of the browser over HTTP, on the
archive test_analysis.sh made: an estimate from lists of sources run by an
investigator (stored, 201) and by a partner (a role that may not
write: computed, not stored, with the warning); an analyst (restricted)
sees none of the estimates computed at confidential; one from a table of
counts; bad input named by field; the stored estimates listed, one shown
and drawn, its chart's words in Korean with ?lang=ko; a linkage run and
its clusters; a basemap uploaded (streamed to a file), listed, served,
refused when it is not imagery (the core's message, naming the file, not
the server's path) or not allowed, and removed.  FICTIONAL data only."""
import os
import subprocess

from client import Results, Session, error_of

res = Results()
print("1..39")
tmp = os.environ["TEST_TMP"]
L = "NGO-A=interview,interviewer:NGO-A*;NGO-B=interview,interviewer:NGO-B*;UN=document,publisher:UN*"
inv = Session().login("investigator")
analyst = Session().login("analyst")
partner = Session().login("partner")

# --- estimates ---------------------------------------------------------------
r = inv.post("/api/v1/estimates", {"lists": L, "method": "loglinear"})
doc = r.json() if r.status == 201 else {}
res.check("an investigator's estimate from lists of sources is stored",
          r.status == 201 and doc.get("stored") is True and doc.get("id", "").startswith("es-")
          and doc.get("version") == 1, r.body[:300])
res.check("it answers with its chart, drawn by core",
          doc.get("chart", "").startswith("<svg") and "95% interval" in doc.get("chart", ""), r.body[:200])
res.check("the stored estimate has no curve and no chart kept in it",
          all("curve" not in s for s in doc.get("strata", [{}])), r.body[:200])
es = doc.get("id", "es-none")
r = inv.post("/api/v1/estimates?lang=ko", {"lists": L, "strata": "province", "method": "dga"})
by_province = r.json() if r.status == 201 else {}
res.check("by province with dga: two strata, a chart in Korean",
          r.status == 201 and len(by_province.get("strata", [])) == 2
          and "층별 기록된 피해자와 추정 피해자" in by_province.get("chart", ""), r.body[:300])
r = partner.post("/api/v1/estimates", {"lists": L, "method": "lcmcr", "seed": 7, "burnin": 200,
                                       "samples": 100, "thinning": 2, "classes": 4})
res.check("a partner's lcmcr estimate is computed with its options, not stored, and says so",
          r.status == 200 and r.json().get("stored") is False
          and r.json()["definition"]["method"].get("seed") == 7
          and any("Not stored" in w for w in r.json().get("warnings", [])), r.body[:300])
r = analyst.post("/api/v1/estimates", {"counts": "A,B,count\n1,0,60\n0,1,50\n1,1,20\n", "method": "chapman"})
res.check("a table of counts gives chapman's estimate, not stored",
          r.status == 200 and r.json().get("source") == "counts"
          and abs(r.json()["strata"][0]["estimate"] - 272.86) < 1, r.body[:300])
r = analyst.post("/api/v1/estimates", {"counts": "A,B,count\n1,2,60\n"})
res.check("a bad table of counts is refused naming the field and the cell",
          r.status == 400 and error_of(r).get("field") == "counts" and "is not 0 or 1" in error_of(r).get("message", ""),
          r.body[:300])
r = analyst.post("/api/v1/estimates", {"lists": L, "method": "bayes"})
res.check("an unknown method is refused with the valid ones",
          r.status == 400 and error_of(r).get("field") == "method"
          and "use loglinear, dga, lcmcr or chapman" in error_of(r).get("message", ""), r.body[:300])
r = analyst.post("/api/v1/estimates", {"lists": L, "method": "lcmcr", "samples": 1000000, "thinning": 100})
res.check("a chain longer than the server runs is refused, naming samples",
          r.status == 400 and error_of(r).get("field") == "samples", r.body[:300])
# The options' ranges are checked in one place: the CLI and the API say the same.
counts_file = os.path.join(tmp, "counts.csv")
with open(counts_file, "w") as f:
    f.write("A,B,count\n1,0,60\n0,1,50\n1,1,20\n")
for option, value in (("samples", 5), ("classes", 65), ("thinning", 0), ("burnin", -1), ("seed", "x"),
                      ("criterion", "bic2"), ("method", "bayes")):
    cli = subprocess.run([os.environ["ATTEST_BIN"], "estimate", "--counts", counts_file,
                          "--" + option, str(value)], capture_output=True, text=True)
    r = analyst.post("/api/v1/estimates", {"counts": "A,B,count\n1,0,60\n0,1,50\n1,1,20\n", option: value})
    msg = error_of(r).get("message", "")
    res.check("%s %s: the CLI and the API give the same message, naming the option" % (option, value),
              cli.returncode == 2 and r.status == 400 and error_of(r).get("field") == option
              and option in msg and msg != "" and msg in cli.stderr, (cli.stderr[:300], r.body[:300]))
r = analyst.post("/api/v1/estimates", {"counts": "A,B,count\n1,0,60\n0,1,50\n1,1,20\n", "samples": 5})
res.check("the message gives the valid range",
          "samples must be a whole number from 10 to 1000000" in error_of(r).get("message", ""), r.body[:300])
r = analyst.post("/api/v1/estimates", {"lists": L, "counts": "A,B,count\n"})
res.check("lists and counts together are refused", r.status == 400 and error_of(r).get("field") == "lists",
          r.body[:300])
r = inv.get("/api/v1/estimates")
ids = [e["id"] for e in r.json().get("estimates", [])] if r.status == 200 else []
res.check("the stored estimates are listed, newest first, with their method",
          r.status == 200 and ids == [by_province.get("id"), es]
          and r.json()["estimates"][1]["method"] == "loglinear", r.body[:400])
r = inv.get("/api/v1/estimates/" + es)
res.check("one stored estimate is shown", r.status == 200 and r.json().get("id") == es
          and r.json().get("computed_by") == "investigator", r.body[:300])
r = inv.get("/api/v1/estimates/" + es + "/chart")
res.check("its chart is an SVG image: the profile computed again at its tree head",
          r.status == 200 and r.header("content-type").startswith("image/svg+xml")
          and b"twice the drop in log-likelihood" in r.body, (r.status, r.body[:200]))
r = inv.get("/api/v1/estimates/" + es + "/chart?lang=ko")
res.check("with ?lang=ko its words are Korean",
          r.status == 200 and "로그 가능도 감소량의 두 배".encode() in r.body and b"twice the drop" not in r.body,
          (r.status, r.body[:200]))
r = inv.get("/api/v1/estimates/" + es + "/chart?lang=fr")
res.check("another language is refused naming lang", r.status == 400 and error_of(r).get("field") == "lang",
          r.body[:200])
r = analyst.get("/api/v1/estimates")
res.check("an analyst (restricted) sees no estimate computed at a clearance above theirs",
          r.status == 200 and r.json().get("estimates") == [], r.body[:300])
r = analyst.get("/api/v1/estimates/" + es)
res.check("nor any one of them", r.status == 404, r.body[:200])

# --- an interview lists what cites it as its source ------------------------------
r = inv.get("/api/v1/records?type=interview&limit=50")
ivs = [x["id"] for x in r.json().get("records", []) if x.get("data", {}).get("interviewer") == "NGO-A-1"]
r = inv.get("/api/v1/records/" + (ivs[0] if ivs else "iv-none"))
cited = [x for x in r.json().get("referred_by", []) if x.get("field") == "source"] if r.status == 200 else []
res.check("an interview's record lists the acts citing it as their source",
          len(ivs) == 1 and len(cited) > 50 and all(x["type"] == "act" for x in cited), r.body[:300])

# --- a record picker's offers --------------------------------------------------------
def log_count(kind, user):
    out = subprocess.run([os.environ["ATTEST_SQL"], os.path.join(tmp, "a"),
                          "SELECT count(*) FROM log_item WHERE kind = '%s' AND ref = '%s'" % (kind, user)],
                         capture_output=True, text=True, pass_fds=(3,))
    if out.returncode != 0:
        print("# attest-sql: " + out.stderr.strip()[:200])
    return int(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else -1


reads = log_count("read", "investigator")
first = inv.get("/api/v1/search?q=W-FICT-MSE&type=witness&limit=8&offers=1")
again = inv.get("/api/v1/search?q=W-FICT-MSE-0&type=witness&limit=8&offers=1")
offered = first.json().get("offers", []) if first.status == 200 else []
res.check("a picker's offers name each record by its title alone",
          len(offered) == 2 and all(set(o) == {"id", "type", "clearance", "data"} and set(o["data"]) == {"code"}
                                    for o in offered), first.body[:300])
res.check("typing on over the same confidential records logs them once, as offered, and no read",
          again.status == 200 and log_count("offer", "investigator") == 1
          and log_count("read", "investigator") == reads, (log_count("offer", "investigator"),
                                                             log_count("read", "investigator"), reads))
inv.get("/api/v1/search?q=W-FICT-MSE&type=witness")
res.check("a search's hits with their text are still reads, logged each time",
          log_count("read", "investigator") == reads + 1, (log_count("read", "investigator"), reads))

# --- linkage ------------------------------------------------------------------
r = inv.post("/api/v1/link/runs", {"type": "person", "threshold": 0.5})
res.check("an investigator runs the linkage of persons", r.status == 201 and r.json().get("records", 0) >= 2
          and r.json().get("run", 0) >= 1, r.body[:300])
r = inv.get("/api/v1/link/clusters?type=person")
clusters = r.json().get("clusters", []) if r.status == 200 else []
res.check("its clusters of two or more records are listed",
          r.status == 200 and all(len(c["records"]) >= 2 for c in clusters), r.body[:300])
r = inv.post("/api/v1/link/runs", {"type": "person", "threshold": 2})
res.check("a threshold that is no probability is refused naming it",
          r.status == 400 and error_of(r).get("field") == "threshold", r.body[:200])
r = partner.post("/api/v1/link/runs", {"type": "person"})
res.check("a role that may not write may not run the linkage", r.status == 403, r.body[:200])

# --- basemaps -------------------------------------------------------------------
with open(os.path.join(tmp, "colours.mbtiles"), "rb") as f:
    mbtiles = f.read()
r = inv.request("POST", "/api/v1/basemaps?filename=colours.mbtiles&name=colours", mbtiles,
                headers={"Content-Type": "application/octet-stream"})
res.check("an MBTiles file uploaded becomes a basemap",
          r.status == 201 and r.json().get("name") == "colours" and r.json().get("tiles") == 5, r.body[:300])
r = analyst.get("/tiles/colours/0/0/0")
res.check("it is listed and its tiles served", r.status == 200 and
          [m["name"] for m in analyst.get("/api/v1/basemaps").json()["basemaps"]] == ["colours"], r.status)
with open(os.path.join(tmp, "bad.kmz"), "rb") as f:
    bad = f.read()
r = inv.request("POST", "/api/v1/basemaps?filename=bad.kmz", bad)
msg = error_of(r).get("message", "")
res.check("a file that is not imagery is refused with the core's message naming the file, not the server's path",
          r.status == 400 and "bad.kmz" in msg and "basemap-upload" not in msg and tmp not in msg, r.body[:300])
r = partner.request("POST", "/api/v1/basemaps?filename=colours.mbtiles&name=other", mbtiles)
res.check("a role that may not write may not add one (refused before the body)", r.status == 403, r.body[:200])
r = inv.request("DELETE", "/api/v1/basemaps/colours")
res.check("it is removed, and with it its tiles",
          r.status == 200 and analyst.get("/tiles/colours/0/0/0").status == 404
          and analyst.get("/api/v1/basemaps").json()["basemaps"] == [], r.body[:200])
leftover = [n for n in os.listdir(os.path.join(tmp, "a")) if n.startswith("basemap-upload")]
res.check("the uploads, kept or refused, leave no file behind", leftover == [], leftover)
raise SystemExit(1 if res.failed else 0)
