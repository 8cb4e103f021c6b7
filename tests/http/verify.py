"""verify.py: GET /api/v1/proof/consistency, GET /api/v1/records/{id}/proof,
POST /api/v1/verify and POST /api/v1/verify/bundle, each as the CLI's
command: the consistency proof is the one `attest prove --consistency 3
--json` printed and leads from the old root to the signed one (RFC 9162
2.1.4.2, computed here); an old size that is not one is refused naming
old_size; the proof is the one
`attest prove ID --json` printed, and its path leads from the leaf to the
signed root (tests/tools/verify_bundle.py's RFC 9162 computation); a reader
not cleared for a record gets no proof of it; the archive is sound, the
vault re-hashed only on request, and only admins may ask; a bundle is sound,
one with a changed file is not, naming the file.  FICTIONAL data only."""
import json
import os
import sys

from client import Results, Session, error_of

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from verify_bundle import node_hash, root_from_inclusion  # noqa: E402

res = Results()
tmp = os.environ["TEST_TMP"]
admin = Session().login("admin")


def roots_from_consistency(first, second, first_hash, path):
    """RFC 9162 section 2.1.4.2: the old and new roots the path gives."""
    if first == second:
        return first_hash, first_hash
    if first & (first - 1) == 0:
        path = [first_hash] + path
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return None, None
        if fn % 2 == 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn % 2 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return (fr, sr) if sn == 0 else (None, None)


# First, while the log is as the CLI left it.
r = admin.get("/api/v1/proof/consistency?old_size=3")
cons = r.json() if r.status == 200 else {}
res.check("a consistency proof (200)", r.status == 200 and cons.get("old_size") == 3, r.body[:300])
res.check("it is the proof attest prove --consistency 3 --json gives",
          cons == json.load(open(os.path.join(tmp, "consistency.json"))), cons)
new = cons.get("tree_head", {})
fr, sr = roots_from_consistency(3, new.get("size", 3), bytes.fromhex(cons.get("old_root", "")),
                                [bytes.fromhex(x) for x in cons.get("consistency_proof", [])]) \
    if cons.get("consistency_proof") else (None, None)
res.check("it leads from the old root to the signed root",
          fr is not None and fr.hex() == cons.get("old_root") and sr.hex() == new.get("root"), (fr, sr, new))
r = admin.get("/api/v1/proof/consistency?old_size=%d" % new.get("size", 0))
res.check("from the newest size itself: an empty proof",
          r.status == 200 and r.json().get("consistency_proof") == [], r.body[:300])
for bad in ("%d" % (new.get("size", 0) + 1), "-1", "three", ""):
    r = admin.get("/api/v1/proof/consistency?old_size=" + bad)
    res.check("old_size=%s is refused naming old_size and what is valid" % bad,
              r.status == 400 and error_of(r).get("field") == "old_size"
              and "from 0 to" in error_of(r).get("message", ""), r.body[:200])
r = Session().get("/api/v1/proof/consistency?old_size=3")
res.check("no consistency proof without a login (401)", r.status == 401, r.body[:200])

r = admin.get("/api/v1/records/ev-fake00000001/proof")
proof = r.json() if r.status == 200 else {}
res.check("a record's proof (200)", r.status == 200 and proof.get("id") == "ev-fake00000001", r.body[:300])
cli = json.load(open(os.path.join(tmp, "prove.json")))
res.check("it is the proof attest prove --json gives", proof == cli,
          (sorted(proof), sorted(cli)))
head = proof.get("tree_head", {})
root = root_from_inclusion(proof.get("leaf_index", 0), head.get("size", 0),
                           bytes.fromhex(proof.get("leaf_hash", "")),
                           [bytes.fromhex(x) for x in proof.get("inclusion_proof", [])]) if proof else b""
res.check("its path leads from the leaf to the signed root", root.hex() == head.get("root"),
          (root.hex(), head.get("root")))
res.check("the head names the archive's key", head.get("public_key") == open(os.path.join(tmp, "key")).read().strip(),
          head.get("public_key"))
r = admin.get("/api/v1/records/ev-fake00000001/proof?download=1")
res.check("download=1 sends it as a file",
          r.status == 200 and (r.header("content-disposition") or "").startswith("attachment"), r.headers)
r = admin.get("/api/v1/records/ev-fake00000001/proof?version=99")
res.check("a version that is not there is 404", r.status == 404, r.body[:200])
public = Session().login("public")
r = public.get("/api/v1/records/wt-fake00000001/proof")
res.check("no proof of a record the reader may not read (404, as if absent)", r.status == 404, r.body[:200])

r = admin.post("/api/v1/verify", {})
v = r.json() if r.status == 200 else {}
res.check("the archive verified: sound, every entry and head checked",
          v.get("sound") is True and v.get("log_entries", 0) > 10 and v.get("heads", 0) > 0, r.body[:300])
res.check("without the vault by default", v.get("vault_checked") is False and v.get("vault_files") == 0, v)
r = admin.post("/api/v1/verify", {"vault": True})
v = r.json() if r.status == 200 else {}
res.check("with vault: every file re-hashed", v.get("sound") is True and v.get("vault_checked") is True
          and v.get("vault_files", 0) >= 1, r.body[:300])
analyst = Session().login("analyst")
r = analyst.post("/api/v1/verify", {})
res.check("only admins verify the archive (403)", r.status == 403, r.body[:200])

good = open(os.path.join(tmp, "b.tar"), "rb").read()


def check_bundle(name, data, query=""):
    return analyst.post("/api/v1/verify/bundle?filename=%s%s" % (name, query), data,
                        headers={"Content-Type": "application/octet-stream"})


r = check_bundle("court.tar", good, "&key=" + open(os.path.join(tmp, "key")).read().strip())
b = r.json() if r.status == 200 else {}
cli_bundle = b
res.check("a good bundle is sound, with the pinned key", b.get("sound") is True and b.get("pinned_key") is True
          and b.get("records", 0) >= 2 and b.get("files") == 1, r.body[:300])
bad = good.replace(b"FICTIONAL statement for the bundle", b"FICTIONAL statement for the bundlX")
r = check_bundle("changed.tar", bad)
b = r.json() if r.status == 200 else {}
res.check("a bundle with a changed file is not sound, naming the file",
          bad != good and b.get("sound") is False and "statement.txt" in b.get("problem", ""), r.body[:300])
r = check_bundle("court.zip", good)
res.check("a file that is not a .tar is refused naming filename",
          r.status == 400 and error_of(r).get("field") == "filename", r.body[:200])
r = check_bundle("junk.tar", b"FICTIONAL not a tar at all\n")
b = r.json() if r.status == 200 else {}
res.check("a file that is no bundle is not sound, naming the file",
          b.get("sound") is False and "junk.tar" in b.get("problem", "")
          and "/proc/" not in b.get("problem", ""), r.body[:300])
# A bundle made in the browser (issue 15: `attest export bundle` was
# CLI-only): sound with the archive's key, its file among its contents.
item = open(os.path.join(tmp, "ev")).read().strip()
r = admin.get("/api/v1/export/bundle?tier=court&id=ev-fake00000001&id=pp-fake00000001&id=" + item)
made = r.body if r.status == 200 else b""
res.check("a court bundle exported (200, a .tar to download)",
          r.status == 200 and (r.header("content-type") or "").startswith("application/x-tar")
          and "attest-bundle.tar" in (r.header("content-disposition") or "") and len(made) > 1024, r.body[:200])
r = check_bundle("made.tar", made, "&key=" + open(os.path.join(tmp, "key")).read().strip())
b = r.json() if r.status == 200 else {}
res.check("it checks sound, as attest export bundle's does, with the file",
          b.get("sound") is True and b.get("pinned_key") is True and b.get("records", 0) >= 1
          and b.get("files") == 1, r.body[:300])
res.check("the same records and files as attest export bundle's",
          (b.get("records"), b.get("files"), b.get("file_bytes")) == (cli_bundle.get("records"), cli_bundle.get("files"), cli_bundle.get("file_bytes")),
          (b, cli_bundle))
for query, field in (("id=ev-fake00000001", "tier"), ("tier=court", "id"), ("tier=nowhere&id=ev-fake00000001", "tier")):
    r = analyst.get("/api/v1/export/bundle?" + query)
    res.check("a bundle without a good %s is refused naming it" % field,
              r.status == 400 and error_of(r).get("field") == field, r.body[:200])
r = analyst.get("/api/v1/export/bundle?tier=court&id=ev-nothere0001")
res.check("a bundle of a record that is not there: refused, nothing sent",
          r.status in (400, 404) and b"ustar" not in r.body, r.body[:200])
r = public.get("/api/v1/export/bundle?tier=public&id=ev-fake00000001")
res.check("a role that may not export bundles is refused (403)", r.status == 403, r.body[:200])

r = Session().post("/api/v1/verify/bundle?filename=court.tar", good)
res.check("no check without a login (401)", r.status == 401, r.body[:200])
