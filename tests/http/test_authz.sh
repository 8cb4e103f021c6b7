#!/usr/bin/env bash
# The authorisation matrix: every route x every role (and anonymous) x
# records of every clearance, by session cookie and by API token, each
# request's status against the table below.  The table is also checked
# against the role rules (authz.py), a second writing of core's access.c.
# FICTIONAL data only.
. "$(dirname "$0")/lib.sh"

cat > "$tmp/matrix" <<'TABLE'
# METHOD ROUTE                          CLEARANCE    anon admin officer investigator analyst partner public
GET  /                                  -            200  200   200     200          200     200     200
GET  /api/v1/openapi.json               -            200  200   200     200          200     200     200
POST /api/v1/login                      -            401  200   200     200          200     200     200
POST /api/v1/logout                     -            401  200   200     200          200     200     200
GET  /api/v1/me                         -            401  200   200     200          200     200     200
# one's own passphrase: everyone, asked the current one (the matrix gives none: 400)
POST /api/v1/me/passphrase              -            401  400   400     400          400     400     400
GET  /api/v1/records                    -            401  200   200     200          200     200     200
GET  /api/v1/search                     -            401  200   200     200          200     200     200
GET  /api/v1/map                        -            401  200   200     200          200     200     200
GET  /api/v1/sites                      -            401  200   200     200          200     200     200
GET  /api/v1/places                     -            401  200   200     200          200     200     200
GET  /api/v1/sites/candidates           -            401  200   200     200          200     200     200
POST /api/v1/sites/cluster              -            401  200   200     200          200     403     403
POST /api/v1/sites/decisions            -            401  400   400     400          400     403     403
GET  /api/v1/stats                      -            401  200   200     200          200     200     200
GET  /api/v1/stats/charts/{name}        -            401  200   200     200          200     200     200
GET  /api/v1/types                      -            401  200   200     200          200     200     200
GET  /api/v1/vocab                      -            401  200   200     200          200     200     200
GET  /api/v1/basemaps                   -            401  200   200     200          200     200     200
GET  /tiles/{name}/{z}/{x}/{y}          -            401  200   200     200          200     200     200
POST /api/v1/screen                     -            401  200   200     200          200     200     200
GET  /api/v1/screen/decisions           -            401  200   200     200          200     200     200
# a screening decision needs the right to write (else 403), then a record to read: none here (404)
POST /api/v1/screen/decisions           -            401  404   404     404          404     403     403
POST /api/v1/screen/decisions/withdraw  -            401  404   404     404          404     403     403
# a list file: the right to write (else 403), then the matrix names no source (400)
POST /api/v1/lists                      -            401  400   400     400          400     403     403
GET  /api/v1/lists/{version}/entries/{key} -         401  200   200     200          200     200     200
GET  /api/v1/screen/successors          -            401  200   200     200          200     200     200
GET  /api/v1/screen/archive             -            401  200   200     200          200     200     200
GET  /api/v1/screen/compare             -            401  200   200     200          200     200     200
POST /api/v1/screen/compare             -            401  200   200     200          200     200     200
# a record screened: read at its clearance (else 404)
GET  /api/v1/screen/records/{id}        public       401  200   200     200          200     200     200
GET  /api/v1/screen/records/{id}        partner      401  200   200     200          200     200     404
GET  /api/v1/screen/records/{id}        restricted   401  200   200     200          200     404     404
GET  /api/v1/screen/records/{id}        confidential 401  200   200     200          404     404     404
POST /api/v1/tokens                     -            401  201   201     201          201     201     201
GET  /api/v1/evidence                   -            401  200   200     200          200     200     403
GET  /api/v1/export/{format}            -            401  200   200     200          403     403     403
# a map export's report checks each record against the reader: the right to export is enough
GET  /api/v1/export/{format}/report     -            401  200   200     200          200     403     403
# sync: the right to sync (admin, officer, investigator); the matrix gives no
# pack length or archive (400) and names uploads that are not there (404)
GET  /api/v1/sync/conflicts             -            401  200   200     200          200     200     200
GET  /api/v1/sync/mark                  -            401  200   200     200          403     403     403
GET  /api/v1/sync/pack                  -            401  400   400     400          403     403     403
# packs as files: no ?to= for an export, a file that is no pack for an import (400)
GET  /api/v1/sync/export                -            401  400   400     400          403     403     403
POST /api/v1/sync/import                -            401  400   400     400          403     403     403
POST /api/v1/sync/uploads               -            401  400   400     400          403     403     403
GET  /api/v1/sync/uploads/{id}          -            401  404   404     404          403     403     403
PUT  /api/v1/sync/uploads/{id}          -            401  404   404     404          403     403     403
DELETE /api/v1/sync/uploads/{id}        -            401  404   404     404          403     403     403
POST /api/v1/sync/uploads/{id}/apply    -            401  404   404     404          403     403     403
GET  /api/v1/link/review                -            401  200   200     200          200     200     200
GET  /api/v1/lists                      -            401  200   200     200          200     200     200
GET  /api/v1/lists/{version}/diff       -            401  200   200     200          200     200     200
GET  /api/v1/link/decisions             -            401  200   200     200          200     200     200
# a linkage decision on two persons: write, and read both
POST /api/v1/link/decisions             public       401  201   201     201          201     403     403
POST /api/v1/link/decisions             partner      401  201   201     201          201     403     403
POST /api/v1/link/decisions             restricted   401  201   201     201          201     403     403
POST /api/v1/link/decisions             confidential 401  201   201     201          404     403     403
# evidence: added by admin, officer and investigator; read by all but public, to their clearance
POST /api/v1/evidence                   public       401  201   201     201          403     403     403
POST /api/v1/evidence                   partner      401  201   201     201          403     403     403
POST /api/v1/evidence                   restricted   401  201   201     201          403     403     403
POST /api/v1/evidence                   confidential 401  201   201     201          403     403     403
GET  /api/v1/evidence/{id}              public       401  200   200     200          200     200     403
GET  /api/v1/evidence/{id}              partner      401  200   200     200          200     200     403
GET  /api/v1/evidence/{id}              restricted   401  200   200     200          200     404     403
GET  /api/v1/evidence/{id}              confidential 401  200   200     200          404     404     403
GET  /api/v1/evidence/{id}/file         public       401  200   200     200          200     200     403
GET  /api/v1/evidence/{id}/file         partner      401  200   200     200          200     200     403
GET  /api/v1/evidence/{id}/file         restricted   401  200   200     200          200     404     403
GET  /api/v1/evidence/{id}/file         confidential 401  200   200     200          404     404     403
# a preview is a download shown inline (a text item here)
GET  /api/v1/evidence/{id}/preview      public       401  200   200     200          200     200     403
GET  /api/v1/evidence/{id}/preview      partner      401  200   200     200          200     200     403
GET  /api/v1/evidence/{id}/preview      restricted   401  200   200     200          200     404     403
GET  /api/v1/evidence/{id}/preview      confidential 401  200   200     200          404     404     403
# a custody event: the right to add evidence, then to read the item
POST /api/v1/evidence/{id}/custody      public       401  201   201     201          403     403     403
POST /api/v1/evidence/{id}/custody      partner      401  201   201     201          403     403     403
POST /api/v1/evidence/{id}/custody      restricted   401  201   201     201          403     403     403
POST /api/v1/evidence/{id}/custody      confidential 401  201   201     201          403     403     403
# users: admins only; tokens: everyone their own (a token that is not there: 404)
GET  /api/v1/users                      -            401  200   403     403          403     403     403
POST /api/v1/users                      -            401  201   403     403          403     403     403
POST /api/v1/users/{name}               -            401  200   403     403          403     403     403
GET  /api/v1/tokens                     -            401  200   200     200          200     200     200
POST /api/v1/tokens/{id}/revoke         -            401  404   404     404          404     404     404
# casework: a case is read up to the reader's clearance; a sale or an
# indicator needs the right to write (else 403), then to read it (else 404)
GET  /api/v1/cases/{id}                 public       401  200   200     200          200     200     200
GET  /api/v1/cases/{id}                 partner      401  200   200     200          200     200     404
GET  /api/v1/cases/{id}                 restricted   401  200   200     200          200     404     404
GET  /api/v1/cases/{id}                 confidential 401  200   200     200          404     404     404
POST /api/v1/cases/{id}/sales           public       401  201   201     201          201     403     403
POST /api/v1/cases/{id}/sales           partner      401  201   201     201          201     403     403
POST /api/v1/cases/{id}/sales           restricted   401  201   201     201          201     403     403
POST /api/v1/cases/{id}/sales           confidential 401  201   201     201          404     403     403
POST /api/v1/cases/{id}/indicators      public       401  200   200     200          200     403     403
POST /api/v1/cases/{id}/indicators      partner      401  200   200     200          200     403     403
POST /api/v1/cases/{id}/indicators      restricted   401  200   200     200          200     403     403
POST /api/v1/cases/{id}/indicators      confidential 401  200   200     200          404     403     403
# a sale taken out: the matrix names sale 999, never in the chain (400), once the case is read
POST /api/v1/cases/{id}/sales/{n}/remove public       401  400   400     400          400     403     403
POST /api/v1/cases/{id}/sales/{n}/remove partner      401  400   400     400          400     403     403
POST /api/v1/cases/{id}/sales/{n}/remove restricted   401  400   400     400          400     403     403
POST /api/v1/cases/{id}/sales/{n}/remove confidential 401  400   400     400          404     403     403
# records: written by every role but partner and public, at any clearance
POST /api/v1/records                    public       401  201   201     201          201     403     403
POST /api/v1/records                    partner      401  201   201     201          201     403     403
POST /api/v1/records                    restricted   401  201   201     201          201     403     403
POST /api/v1/records                    confidential 401  201   201     201          201     403     403
GET  /api/v1/records/{id}               public       401  200   200     200          200     200     200
GET  /api/v1/records/{id}               partner      401  200   200     200          200     200     404
GET  /api/v1/records/{id}               restricted   401  200   200     200          200     404     404
GET  /api/v1/records/{id}               confidential 401  200   200     200          404     404     404
GET  /api/v1/records/{id}/history       public       401  200   200     200          200     200     200
GET  /api/v1/records/{id}/history       partner      401  200   200     200          200     200     404
GET  /api/v1/records/{id}/history       restricted   401  200   200     200          200     404     404
GET  /api/v1/records/{id}/history       confidential 401  200   200     200          404     404     404
# documents as sources: importing and claiming need the right to write; a
# claim on a document that is not there, a tag that is not there: 404
POST /api/v1/documents                  -            401  201   201     201          201     403     403
GET  /api/v1/claims                     -            401  200   200     200          200     200     200
POST /api/v1/claims                     -            401  404   404     404          404     403     403
GET  /api/v1/documents/{id}             public       401  200   200     200          200     200     200
GET  /api/v1/documents/{id}             partner      401  200   200     200          200     200     404
GET  /api/v1/documents/{id}             restricted   401  200   200     200          200     404     404
GET  /api/v1/documents/{id}             confidential 401  200   200     200          404     404     404
POST /api/v1/tags/{id}                  public       401  404   404     404          404     403     403
POST /api/v1/tags/{id}                  partner      401  404   404     404          404     403     403
POST /api/v1/tags/{id}                  restricted   401  404   404     404          404     403     403
POST /api/v1/tags/{id}                  confidential 401  404   404     404          404     403     403
GET  /api/v1/sites/{id}                 public       401  200   200     200          200     200     200
GET  /api/v1/sites/{id}                 partner      401  200   200     200          200     200     404
GET  /api/v1/sites/{id}                 restricted   401  200   200     200          200     404     404
GET  /api/v1/sites/{id}                 confidential 401  200   200     200          404     404     404
# changing a record needs both the right to write (else 403) and the
# clearance to read it (else 404, as for a record that is not there)
POST /api/v1/records/{id}/versions      public       401  200   200     200          200     403     403
POST /api/v1/records/{id}/versions      partner      401  200   200     200          200     403     403
POST /api/v1/records/{id}/versions      restricted   401  200   200     200          200     403     403
POST /api/v1/records/{id}/versions      confidential 401  200   200     200          404     403     403
POST /api/v1/records/{id}/retract       public       401  200   200     200          200     403     403
POST /api/v1/records/{id}/retract       partner      401  200   200     200          200     403     403
POST /api/v1/records/{id}/retract       restricted   401  200   200     200          200     403     403
POST /api/v1/records/{id}/retract       confidential 401  200   200     200          404     403     403
# sealing a witness's first identity: write, and read the witness (replacing one needs an
# officer; revealing one is CLI-only, by an officer)
# (a record above a reader's clearance is 404, word for word as one that does not exist)
POST /api/v1/witnesses/{id}/identity    public       401  201   201     201          201     403     403
POST /api/v1/witnesses/{id}/identity    partner      401  201   201     201          201     403     403
POST /api/v1/witnesses/{id}/identity    restricted   401  201   201     201          201     403     403
POST /api/v1/witnesses/{id}/identity    confidential 401  201   201     201          404     403     403
# peers, the key line, sync status, a push or pull to a peer's server and a
# passphrase reset: admins only; the matrix pins no peer (400 without a
# name) and names a peer that is not pinned (404)
GET  /api/v1/sync/key                   -            401  200   403     403          403     403     403
GET  /api/v1/sync/peers                 -            401  200   403     403          403     403     403
POST /api/v1/sync/peers                 -            401  400   403     403          403     403     403
DELETE /api/v1/sync/peers/{name}        -            401  404   403     403          403     403     403
POST /api/v1/sync/peers/{name}/jobs     -            401  400   403     403          403     403     403
GET  /api/v1/sync/peers/{name}/jobs     -            401  404   403     403          403     403     403
POST /api/v1/sync/peers/{name}/pull     -            401  404   403     403          403     403     403
POST /api/v1/sync/peers/{name}/push     -            401  404   403     403          403     403     403
# travel and its restore: the sync right, as `attest travel` (no confirmation: 400;
# no pack waits: 404; no token for a peer not pinned: 404); following a job too
# (an admin any job, another user the jobs they started: 404 for none there)
POST /api/v1/sync/peers/{name}/restore  -            401  404   404     404          403     403     403
GET  /api/v1/sync/peers/{name}/travel   -            401  404   404     404          403     403     403
GET  /api/v1/sync/peers/{name}/jobs/{id} -           401  404   404     404          403     403     403
POST /api/v1/sync/peers/{name}/travel   -            401  400   400     400          403     403     403
GET  /api/v1/sync/status                -            401  200   403     403          403     403     403
POST /api/v1/users/{name}/passphrase    -            401  200   403     403          403     403     403
# the analysis workflows: estimates run by every reader (a table of counts, never stored),
# an estimate named that is not there; a linkage run needs the right to write; a basemap
# upload too (refused from its head: a name that is no imagery's), a removal of none
GET  /api/v1/estimates                  -            401  200   200     200          200     200     200
POST /api/v1/estimates                  -            401  200   200     200          200     200     200
GET  /api/v1/estimates/{id}             -            401  404   404     404          404     404     404
GET  /api/v1/estimates/{id}/chart       -            401  404   404     404          404     404     404
GET  /api/v1/link/clusters              -            401  200   200     200          200     200     200
POST /api/v1/link/runs                  -            401  201   201     201          201     403     403
POST /api/v1/basemaps                   -            401  400   400     400          400     403     403
POST /api/v1/import                     -            401  400   400     400          400     403     403
POST /api/v1/verify                     -            401  200   403     403          403     403     403
POST /api/v1/verify/bundle              -            401  400   400     400          400     400     400
GET  /api/v1/ring                       -            401  400   400     400          400     400     400
GET  /api/v1/proof/consistency          -            401  400   400     400          400     400     400
GET  /api/v1/records/{id}/proof         public       401  200   200     200          200     200     200
GET  /api/v1/records/{id}/proof         partner      401  200   200     200          200     200     404
GET  /api/v1/records/{id}/proof         restricted   401  200   200     200          200     404     404
GET  /api/v1/records/{id}/proof         confidential 401  200   200     200          404     404     404
DELETE /api/v1/basemaps/{name}          -            401  404   404     404          404     403     403
GET  /api/v1/basemaps/{name}/file       -            401  404   404     404          404     403     403
TABLE

http_setup --no-demo
# The records the matrix acts on: a document and a site (with a pinpoint of
# every clearance) at every clearance, and for each principal,
# way of logging in and clearance, a document to amend and one to retract,
# and a witness whose first identity to record.
"$python" - "$tmp/records.jsonl" "$tmp/ids.json" <<'PY'
import json, sys
levels = ["public", "partner", "restricted", "confidential"]
who = ["anonymous", "admin", "officer", "investigator", "analyst", "partner", "public"]
alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
n = [0]
def new_id(prefix):
    n[0] += 1
    x, s = n[0], ""
    for _ in range(10):
        s = alphabet[x % 32] + s
        x //= 32
    return prefix + "-mx" + s
out = open(sys.argv[1], "w")
ids = {"document": {}, "site": {}, "pins": {}, "amend": {}, "retract": {}, "case": {}}
def add(t, level, data):
    i = new_id({"document": "dc", "witness": "wt", "site": "si", "pinpoint": "pp", "person": "pe", "case": "cs"}[t])
    out.write(json.dumps({"type": t, "id": i, "clearance": level, "data": data}) + "\n")
    return i
for lv in levels:
    ids["document"][lv] = add("document", lv, {"title": "FICTIONAL %s document" % lv})
    ids["case"][lv] = add("case", lv, {"kind": "trafficking", "summary": "FICTIONAL %s case" % lv})
    site = ids["site"][lv] = add("site", lv, {"name": "FICTIONAL %s site" % lv, "site_type": "burial_site",
                                              "lat": 41.5, "lon": 129.5})
    ids["pins"][lv] = {p: add("pinpoint", p, {"lat": 41.5, "lon": 129.5, "site": site,
                                               "description": "FICTIONAL %s pin" % p}) for p in levels}
for kind in ("amend", "retract"):
    for mode in ("cookie", "token"):
        ids[kind][mode] = {w: {lv: add("document", lv, {"title": "FICTIONAL %s %s %s" % (kind, w, lv)})
                               for lv in levels} for w in who}
# a witness without an identity for each: replacing one needs an officer
ids["identity"] = {mode: {w: {lv: add("witness", lv, {"code": "FICTIONAL-W-%s-%s-%s" % (mode, w, lv)})
                              for lv in levels} for w in who} for mode in ("cookie", "token")}
# For the version rule: one to raise from public to confidential, one to
# lower from confidential to public.
# Two persons of every clearance, for linkage decisions.
ids["persons"] = {lv: [add("person", lv, {"names": ["FICTIONAL Kim Matrix %s %d" % (lv, k)]}) for k in (1, 2)]
                  for lv in levels}
ids["raised"] = add("document", "public", {"title": "FICTIONAL to be raised"})
ids["lowered"] = add("document", "confidential", {"title": "FICTIONAL to be lowered"})
json.dump(ids, open(sys.argv[2], "w"))
PY
setup "matrix records imported" "$bin" import jsonl "$tmp/records.jsonl"
for lv in public partner restricted confidential; do
    printf 'FICTIONAL %s evidence file\n' "$lv" > "$tmp/ev-$lv.txt"
    "$bin" evidence add "$tmp/ev-$lv.txt" --clearance "$lv" --media-type text/plain > /dev/null 2>&1
done
"$bin" evidence list --json > "$tmp/evidence.json" 2> /dev/null
"$python" -c '
import json, sys
items = json.load(open(sys.argv[1]))
json.dump({i["clearance"]: i["id"] for i in items}, open(sys.argv[1], "w"))' "$tmp/evidence.json"
setup "evidence of every clearance" "$python" -c '
import json, sys; assert len(json.load(open(sys.argv[1]))) == 4' "$tmp/evidence.json"
setup "a user for the user-administration rows" "$bin" user add matrix-target --role public \
    --new-passphrase-fd 4 --kdf interactive 4< "$tmp/pass"
setup "a linkage run of the persons" "$bin" link persons
"$python" tests/tools/mbtiles.py make "$tmp/colours.mbtiles" --zooms 0-0
setup "a basemap" "$bin" basemap add "$tmp/colours.mbtiles"
http_start
"$python" tests/http/authz.py "$tmp/matrix" "$tmp/ids.json" "$tmp/evidence.json" \
    || echo "not ok - authz.py exited with $?"
