#!/usr/bin/env bash
# test_analysis.sh: the analysis workflows of the browser over HTTP
# (analysis.py): estimates run, stored, listed, shown and drawn in English
# and Korean; a linkage run and its clusters; basemaps uploaded, refused,
# listed and removed.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
# FICTIONAL victims caught by three lists of sources (seeded).
cat > "$tmp/gen.py" <<'PY'
import json, os, random, subprocess, sys
A = os.environ["ATTEST_BIN"]
def add(t, *args, data=None):
    if data is not None:
        with open(os.path.join(os.environ["TEST_TMP"], "in.json"), "w") as f:
            json.dump(data, f)
        args = args + ("--json", os.path.join(os.environ["TEST_TMP"], "in.json"))
    return subprocess.run([A, "add", t] + list(args), check=True, capture_output=True,
                          text=True, pass_fds=(3,)).stdout.split()
w = [add("witness", "--code", "W-FICT-%d" % i)[0] for i in range(3)]
ia = [add("interview", "--witness", w[0], "--interviewer", "NGO-A-1")[0]]
ib = [add("interview", "--witness", w[1], "--interviewer", "NGO-B-1")[0]]
un = [add("document", "--title", "FICTIONAL panel report", "--publisher", "UN Panel")[0]]
ev = {"North Hamgyong": add("event", "--title", "FICTIONAL N", "--province", "North Hamgyong", "--date", "1999")[0],
      "Ryanggang": add("event", "--title", "FICTIONAL R", "--province", "Ryanggang", "--date", "2001-05")[0]}
rng = random.Random(3)
persons = add("person", data=[{"names": [{"name": "FICTIONAL %d" % i}]} for i in range(200)])
acts = {s: [] for s in ia + ib + un}
for i, p in enumerate(persons):
    prov = "North Hamgyong" if i % 3 else "Ryanggang"
    for j, (pool, q) in enumerate(((ia, 0.5), (ib, 0.4), (un, 0.35))):
        if rng.random() < q:
            acts[pool[0]].append({"event": ev[prov], "act_type": "extrajudicial_killing", "victim": p})
for s, a in acts.items():
    add("act", "--source", s, data=a)
PY
setup "FICTIONAL victims on three lists" env ATTEST_BIN="$bin" TEST_TMP="$tmp" "$python" "$tmp/gen.py"
person() { "$bin" add person "$@" > /dev/null; }
setup "FICTIONAL persons to link" person --name "FICTIONAL Kim Chol Su" --birth_date 1960 --sex male
setup "FICTIONAL persons to link" person --name "FICTIONAL Kim Cheol-su" --birth_date 1960 --sex male
"$python" tests/tools/mbtiles.py make "$tmp/colours.mbtiles" --zooms 0-1
printf 'FICTIONAL not imagery\n' > "$tmp/bad.kmz"
http_start
ATTEST_BIN=$bin TEST_TMP=$tmp "$python" tests/http/analysis.py || echo "# analysis.py exited with $?"
