"""sync_files.py: sync packs as files through the API (test_sync_files.sh):
`import PACK [USER]` uploads a pack as POST /api/v1/sync/import does from
the browser and prints the status, then the reply; `export PEER OUT
[USER]` downloads GET /api/v1/sync/export?to=PEER into OUT and prints the
status, then the reply's type and disposition or its error.  FICTIONAL
data only."""
import os
import sys
import urllib.parse

from client import Session

what, arg = sys.argv[1], sys.argv[2]
s = Session().login(sys.argv[4] if what == "export" and len(sys.argv) > 4
                    else sys.argv[3] if what == "import" and len(sys.argv) > 3 else "admin")
if what == "import":
    with open(arg, "rb") as f:
        data = f.read()
    r = s.request("POST", "/api/v1/sync/import?filename=" + urllib.parse.quote(os.path.basename(arg)),
                  body=data, headers={"Content-Type": "application/octet-stream"})
    print(r.status)
    print(r.body.decode("utf-8", "replace"))
else:
    r = s.get("/api/v1/sync/export" + ("?to=" + urllib.parse.quote(arg) if arg else ""))
    print(r.status)
    if r.status == 200:
        with open(sys.argv[3], "wb") as f:
            f.write(r.body)
        print(r.header("content-type"), r.header("content-disposition"))
    else:
        print(r.body.decode("utf-8", "replace"))
