"""users.py: /api/v1/users, /api/v1/tokens, and evidence custody and
previews (test_users.sh).  FICTIONAL data only."""
import sys
import time

from client import Session, Results, error_of

res = Results()
admin = Session().login("admin")
analyst = Session().login("analyst")
NEW_PASS = "FICTIONAL clerk passphrase 7c1"

# Users: admins only.
r = analyst.get("/api/v1/users")
res.check("an analyst may not list users (403)", r.status == 403, r.status)
r = analyst.post("/api/v1/users", {"name": "fictional-x", "role": "admin", "passphrase": NEW_PASS})
res.check("an analyst may not add a user (403)", r.status == 403, r.status)
r = admin.get("/api/v1/users")
names = [u["name"] for u in r.json().get("users", [])] if r.status == 200 else []
res.check("an admin lists the users with their roles", r.status == 200 and "officer" in names
          and all("role" in u and "enabled" in u for u in r.json()["users"]), r.body[:300])
r = admin.post("/api/v1/users", {"name": "fictional-clerk", "role": "analyst", "passphrase": NEW_PASS,
                                 "kdf": "interactive"}, csrf=False)
res.check("adding a user without the CSRF header: 403", r.status == 403 and error_of(r).get("code") == "csrf",
          r.body[:200])
r = admin.post("/api/v1/users", {"name": "fictional-clerk", "role": "nobody", "passphrase": NEW_PASS})
res.check("an unknown role: 400 naming the field", r.status == 400 and error_of(r).get("field") == "role",
          r.body[:200])
r = admin.post("/api/v1/users", {"name": "fictional-clerk", "role": "analyst"})
res.check("no passphrase: 400 naming the field",
          r.status == 400 and error_of(r).get("field") == "passphrase", r.body[:200])
r = admin.post("/api/v1/users", {"name": "fictional-clerk", "role": "analyst", "passphrase": NEW_PASS,
                                 "kdf": "interactive"})
res.check("an admin adds a user (201)", r.status == 201
          and any(u["name"] == "fictional-clerk" and u["role"] == "analyst" for u in r.json()["users"]),
          r.body[:300])
res.check("the reply never holds the passphrase", NEW_PASS.encode() not in r.body)
r = admin.post("/api/v1/users", {"name": "fictional-clerk", "role": "analyst", "passphrase": NEW_PASS,
                                 "kdf": "interactive"})
res.check("the same name again: refused", r.status in (400, 409), r.status)
clerk = Session()
res.check("the new user logs in with their passphrase",
          clerk.post("/api/v1/login", {"username": "fictional-clerk", "passphrase": NEW_PASS}).status == 200)
clerk.login("fictional-clerk", NEW_PASS)
res.check("their role is analyst", clerk.get("/api/v1/me").json().get("role") == "analyst")
r = admin.post("/api/v1/users/fictional-clerk", {"role": "partner"})
res.check("an admin changes the role", r.status == 200
          and any(u["name"] == "fictional-clerk" and u["role"] == "partner" for u in r.json()["users"]),
          r.body[:300])
res.check("the change of role ends their session", clerk.get("/api/v1/me").status == 401)
clerk.login("fictional-clerk", NEW_PASS)
res.check("logged in again, they are a partner", clerk.get("/api/v1/me").json().get("role") == "partner")
r = admin.post("/api/v1/users/fictional-clerk", {"enabled": False})
res.check("an admin disables the user", r.status == 200
          and any(u["name"] == "fictional-clerk" and not u["enabled"] for u in r.json()["users"]), r.body[:300])
res.check("disabling ends their session", clerk.get("/api/v1/me").status == 401)
r = Session().post("/api/v1/login", {"username": "fictional-clerk", "passphrase": NEW_PASS})
res.check("a disabled user cannot log in", r.status == 401, r.status)
r = admin.post("/api/v1/users/fictional-clerk", {"enabled": True})
res.check("an admin enables the user again", r.status == 200
          and any(u["name"] == "fictional-clerk" and u["enabled"] for u in r.json()["users"]), r.body[:300])
r = admin.post("/api/v1/users/admin", {"enabled": False})
res.check("the last admin cannot be disabled (409)", r.status == 409, r.body[:200])
r = admin.post("/api/v1/users/nobody-such", {"role": "analyst"})
res.check("an unknown user: 404", r.status == 404, r.body[:200])
r = admin.post("/api/v1/users/fictional-clerk", {})
res.check("neither role nor enabled: 400", r.status == 400, r.body[:200])

# An admin's reset of a lost passphrase: the old one never asked, the
# user's sessions and tokens end, the new one opens, nothing sent back.
RESET_PASS = "FICTIONAL reset passphrase 4d2"
time.sleep(1.1)   # a refused login above delays the next for this user by a second
clerk = Session().login("fictional-clerk", NEW_PASS)
clerk_token = clerk.post("/api/v1/tokens", {"label": "FICTIONAL clerk script"}).json().get("token")
r = analyst.post("/api/v1/users/fictional-clerk/passphrase", {"passphrase": RESET_PASS})
res.check("an analyst may not reset a passphrase (403)", r.status == 403, r.status)
r = admin.post("/api/v1/users/fictional-clerk/passphrase", {"passphrase": RESET_PASS, "kdf": "interactive"},
               csrf=False)
res.check("a reset without the CSRF header: 403", r.status == 403 and error_of(r).get("code") == "csrf", r.body[:200])
r = admin.post("/api/v1/users/fictional-clerk/passphrase", {})
res.check("a reset without a passphrase: 400 naming the field",
          r.status == 400 and error_of(r).get("field") == "passphrase", r.body[:200])
r = admin.post("/api/v1/users/fictional-clerk/passphrase", {"passphrase": "short"})
res.check("a short passphrase: 400", r.status == 400, r.body[:200])
r = admin.post("/api/v1/users/admin/passphrase", {"passphrase": RESET_PASS})
res.check("an admin's own passphrase is not reset here: 400 naming passwd",
          r.status == 400 and "passwd" in error_of(r).get("message", ""), r.body[:200])
r = admin.post("/api/v1/users/nobody-such/passphrase", {"passphrase": RESET_PASS})
res.check("reset of an unknown user: 404", r.status == 404, r.body[:200])
r = admin.post("/api/v1/users/fictional-clerk/passphrase", {"passphrase": RESET_PASS, "kdf": "interactive"})
res.check("an admin resets the passphrase; the reply never holds it",
          r.status == 200 and RESET_PASS.encode() not in r.body, r.body[:200])
res.check("the reset ends the user's session", clerk.get("/api/v1/me").status == 401)
res.check("and their token", Session(token=clerk_token).get("/api/v1/me").status == 401)
r = Session().post("/api/v1/login", {"username": "fictional-clerk", "passphrase": NEW_PASS})
res.check("the old passphrase no longer logs in", r.status == 401, r.status)
time.sleep(1.1)
res.check("the new one does", Session().login("fictional-clerk", RESET_PASS).get("/api/v1/me").status == 200)

# Tokens: one's own; an admin's, anyone's.
tok = analyst.post("/api/v1/tokens", {"label": "FICTIONAL analyst script"})
mine = analyst.get("/api/v1/tokens").json().get("tokens", [])
res.check("a user lists their own tokens, never the token itself",
          len(mine) == 1 and mine[0]["state"] == "active" and tok.json()["token"].encode() not in
          analyst.get("/api/v1/tokens").body, mine)
every = admin.get("/api/v1/tokens?user=analyst").json().get("tokens", [])
res.check("an admin lists the analyst's tokens", [t["id"] for t in every] == [t["id"] for t in mine], every)
r = admin.post("/api/v1/tokens/%s/revoke" % mine[0]["id"], {})
res.check("an admin revokes it", r.status == 200, r.body[:200])
res.check("the revoked token no longer works", Session(token=tok.json()["token"]).get("/api/v1/me").status == 401)

# A user changes their own passphrase (`attest user passwd`): the one they
# have now asked again; the same core call keeps their sealing key; all
# their sessions and tokens end, this one too; nothing sent back.
OWN_PASS = "FICTIONAL own new passphrase 9e5"
time.sleep(1.1)
clerk = Session().login("fictional-clerk", RESET_PASS)
other = Session().login("fictional-clerk", RESET_PASS)
clerk_token = clerk.post("/api/v1/tokens", {"label": "FICTIONAL clerk script 2"}).json().get("token")
box_before = [u.get("box_pk") for u in admin.get("/api/v1/users").json()["users"] if u["name"] == "fictional-clerk"]
r = clerk.post("/api/v1/me/passphrase", {"passphrase": OWN_PASS})
res.check("passwd without the current passphrase: 400 naming \"current\"",
          r.status == 400 and error_of(r).get("field") == "current", r.body[:200])
r = clerk.post("/api/v1/me/passphrase", {"current": RESET_PASS})
res.check("passwd without a new passphrase: 400 naming it",
          r.status == 400 and error_of(r).get("field") == "passphrase", r.body[:200])
r = clerk.post("/api/v1/me/passphrase", {"current": RESET_PASS, "passphrase": OWN_PASS}, csrf=False)
res.check("passwd without the CSRF header: 403", r.status == 403 and error_of(r).get("code") == "csrf", r.body[:200])
r = Session(token=clerk_token).post("/api/v1/me/passphrase", {"current": RESET_PASS, "passphrase": OWN_PASS})
res.check("passwd with an API token: 403 (a token holds no keys of the user's to re-wrap)",
          r.status == 403 and "login" in error_of(r).get("message", ""), r.body[:200])
r = clerk.post("/api/v1/me/passphrase", {"current": "FICTIONAL wrong guess", "passphrase": OWN_PASS})
res.check("a wrong current passphrase: 403 naming \"current\", the session kept",
          r.status == 403 and error_of(r).get("field") == "current"
          and clerk.get("/api/v1/me").status == 200, r.body[:200])
r = clerk.post("/api/v1/me/passphrase", {"current": "FICTIONAL second guess", "passphrase": OWN_PASS})
res.check("a second guess at once is slowed as a login is (429)", r.status == 429, r.body[:200])
time.sleep(1.1)
r = clerk.post("/api/v1/me/passphrase", {"current": RESET_PASS, "passphrase": OWN_PASS, "kdf": "interactive"})
res.check("the user changes their passphrase; the reply never holds either",
          r.status == 200 and r.json().get("logged_out") is True and OWN_PASS.encode() not in r.body
          and RESET_PASS.encode() not in r.body, r.body[:200])
res.check("the change ends this session", clerk.get("/api/v1/me").status == 401)
res.check("and their other sessions", other.get("/api/v1/me").status == 401)
res.check("and their tokens", Session(token=clerk_token).get("/api/v1/me").status == 401)
box_after = [u.get("box_pk") for u in admin.get("/api/v1/users").json()["users"] if u["name"] == "fictional-clerk"]
res.check("their sealing key is kept (a reset makes a new one)", box_before == box_after and box_after[0], box_after)
r = Session().post("/api/v1/login", {"username": "fictional-clerk", "passphrase": RESET_PASS})
res.check("the old passphrase no longer logs in after passwd", r.status == 401, r.status)
time.sleep(1.1)
res.check("the new one does after passwd",
          Session().login("fictional-clerk", OWN_PASS).get("/api/v1/me").status == 200)

# Evidence: custody events and previews.
def upload(name, media_type, data):
    r = admin.request("POST", "/api/v1/evidence?filename=%s&media_type=%s&interview=iv-fake00000001"
                      "&clearance=restricted" % (name, media_type), body=data,
                      headers={"Content-Type": "application/octet-stream"})
    return r.json()["id"]


text_id = upload("note.html", "text/html", b"<script>alert('FICTIONAL')</script><b>FICTIONAL</b>\n")
r = admin.post("/api/v1/evidence/%s/custody" % text_id,
               {"action": "handed_over", "from": "staff-07", "to": "FICTIONAL archive", "note": "FICTIONAL"})
res.check("a custody event is added; the reply is the chain", r.status == 201
          and [e["action"] for e in r.json()["custody"]][-1] == "handed_over", r.body[:300])
r = admin.get("/api/v1/evidence/%s" % text_id)
res.check("the item's details show the custody event",
          any(e.get("to") == "FICTIONAL archive" for e in r.json().get("custody", [])), r.body[:300])
r = admin.post("/api/v1/evidence/%s/custody" % text_id, {"note": "FICTIONAL"})
res.check("a custody event without an action: 400 naming it",
          r.status == 400 and error_of(r).get("field") == "action", r.body[:200])
r = Session().login("public").post("/api/v1/evidence/%s/custody" % text_id, {"action": "examined"})
res.check("the public role may not add custody events", r.status in (403, 404), r.status)
r = admin.get("/api/v1/evidence/%s/preview" % text_id)
csp = r.header("content-security-policy") or ""
res.check("an HTML item previews as plain text, inline",
          r.status == 200 and r.header("content-type").startswith("text/plain")
          and r.header("content-disposition") == "inline" and b"<script>" in r.body, r.headers)
res.check("the preview is sandboxed and loads nothing else",
          "sandbox" in csp and "default-src 'none'" in csp and "script-src" not in csp, csp)
# A working copy (`attest evidence add --working-copy-of`, the browser's
# "Working copy of"): linked to the item it derives from.
r = admin.request("POST", "/api/v1/evidence?filename=note-redacted.txt&media_type=text/plain&working_copy_of=%s"
                  "&clearance=restricted" % text_id, body=b"FICTIONAL redacted\n",
                  headers={"Content-Type": "application/octet-stream"})
copy = admin.get("/api/v1/evidence/%s" % r.json().get("id", "none")).json() if r.status in (200, 201) else {}
res.check("a working copy names the item it derives from", copy.get("parent") == text_id
          and copy.get("original") is False, r.body[:200])
r = admin.request("POST", "/api/v1/evidence?filename=other.txt&working_copy_of=ev-nothere00001", body=b"FICTIONAL x\n",
                  headers={"Content-Type": "application/octet-stream"})
res.check("a working copy of no item is refused", 400 <= r.status < 500, r.body[:200])
svg_id = upload("pic.svg", "image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>")
r = admin.get("/api/v1/evidence/%s/preview" % svg_id)
res.check("an SVG item is not previewed (415)", r.status == 415, r.status)
png_id = upload("pic.png", "image/png", b"\x89PNG\r\n\x1a\nFICTIONAL")
r = admin.get("/api/v1/evidence/%s/preview" % png_id)
res.check("a PNG previews as image/png", r.status == 200 and r.header("content-type") == "image/png", r.headers)
sys.exit(1 if res.failed else 0)
