"""mse_victims.py N SEED: adds to the archive (attest add, as $ATTEST_USER
with the passphrase on fd 3) N FICTIONAL victims, each caught by some of
three lists of sources (interviews by NGO-A, by NGO-B, a UN document) at
random (seeded), through acts in two provinces: what an estimate from the
archive reads (tests/http/test_analysis.sh, tests/browser/test_ui.sh).
Lists: NGO-A=interview,interviewer:NGO-A*;NGO-B=interview,interviewer:NGO-B*;UN=document,publisher:UN*"""
import json
import os
import random
import subprocess
import sys
import tempfile

A = os.environ.get("ATTEST_BIN", "attest")


def add(kind, *args, data=None):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        if data is not None:
            json.dump(data, f)
            args = args + ("--json", f.name)
    try:
        return subprocess.run([A, "add", kind] + list(args), check=True, capture_output=True,
                              text=True, pass_fds=(3,)).stdout.split()
    finally:
        os.unlink(f.name)


n, seed = int(sys.argv[1]), int(sys.argv[2])
w = [add("witness", "--code", "W-FICT-MSE-%d" % i)[0] for i in range(2)]
ia = add("interview", "--witness", w[0], "--interviewer", "NGO-A-1")[0]
ib = add("interview", "--witness", w[1], "--interviewer", "NGO-B-1")[0]
un = add("document", "--title", "FICTIONAL panel report", "--publisher", "UN Panel")[0]
ev = {"North Hamgyong": add("event", "--title", "FICTIONAL killings N", "--province", "North Hamgyong",
                            "--date", "1999")[0],
      "Ryanggang": add("event", "--title", "FICTIONAL killings R", "--province", "Ryanggang",
                       "--date", "2001-05")[0]}
rng = random.Random(seed)
persons = add("person", data=[{"names": [{"name": "FICTIONAL victim %d" % i}]} for i in range(n)])
acts = {ia: [], ib: [], un: []}
for i, p in enumerate(persons):
    prov = "North Hamgyong" if i % 3 else "Ryanggang"
    for source, q in ((ia, 0.5), (ib, 0.4), (un, 0.35)):
        if rng.random() < q:
            acts[source].append({"event": ev[prov], "act_type": "extrajudicial_killing", "victim": p})
for source, a in acts.items():
    if a:
        add("act", "--source", source, data=a)
