"""site_panel.py: a site's panel counts a witness only through an
interview its reader may see.  Two witnesses place one public site with
public pinpoints; one witness and their interview are confidential.  The
admin sees two witnesses; a public user, who may see both pinpoints but
only one interview, sees one.  FICTIONAL data only."""
from client import Results, Session

res = Results()
print("1..3")
admin = Session().login("admin")

add = admin.add


site = add("site", "public", {"name": "FICTIONAL panel site", "site_type": "burial_site",
                              "lat": 42.1, "lon": 129.1, "tier": "public"})
for n, level in ((1, "public"), (2, "confidential")):
    w = add("witness", level, {"code": "FICTIONAL-P-%d" % n})
    iv = add("interview", level, {"witness": w, "date": "2020-01", "summary": "FICTIONAL"})
    add("pinpoint", "public", {"site": site, "interview": iv, "lat": 42.1 + n / 10000,
                               "lon": 129.1, "uncertainty_m": 50, "basis": "eyewitness",
                               "description": "FICTIONAL"})


def witnesses(session):
    r = session.get("/api/v1/sites/" + site)
    return r.status, r.json().get("corroboration", {}).get("witnesses") if r.status == 200 else None, \
        len(r.json().get("pinpoints", [])) if r.status == 200 else None


res.check("the admin's panel counts both witnesses", witnesses(admin)[1] == 2, witnesses(admin))
public = Session().login("public")
got = witnesses(public)
res.check("a public user sees both public pinpoints", got[2] == 2, got)
res.check("a public user's panel counts only the witness of the interview it may see", got[1] == 1, got)
raise SystemExit(1 if res.failed else 0)
