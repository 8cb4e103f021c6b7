#!/usr/bin/env bash
# test_estimate.sh: attest estimate.  Counts files (the Rcapture layout)
# with each method against the published figures, the table and its
# warnings, malformed files refused with the line and field named; then
# estimates from the archive's victims by lists of sources, stored as a
# record and recomputed with --at from the archive as it was.
. "$(dirname "$0")/lib.sh"
plan 42

kosovo="$T/kosovo.csv"
cat >"$kosovo" <<'CSV'
EXH,ABA,OSCE,HRW,count
1,0,0,0,1131
0,1,0,0,845
1,1,0,0,177
0,0,1,0,936
1,0,1,0,228
0,1,1,0,217
1,1,1,0,181
0,0,0,1,306
1,0,0,1,106
0,1,0,1,31
1,1,0,1,18
0,0,1,1,123
1,0,1,1,42
0,1,1,1,32
1,1,1,1,27
CSV

# within NAME GOT WANT REL: |GOT - WANT| <= REL * WANT.
within() {
    python3 -c 'import sys; g, w, r = map(float, sys.argv[1:]); sys.exit(abs(g - w) > r * abs(w))' "$2" "$3" "$4"
    verdict "$1" $? "got $2, want $3 within $4"
}

# --- counts files: the published figures ----------------------------------
attest estimate --counts "$kosovo" --json >"$T/ll.json" 2>"$T/err"
within "loglinear: Kosovo's best BIC model gives 10,356.5" \
    "$(json_get 'j["strata"][0]["estimate"]' <"$T/ll.json")" 10356.5 0.001
same "loglinear: the model is [123,14,34] with SE 786 on 4 df" "[123,14,34] 786 4" \
    "$(json_get '"%s %.0f %d" % (j["strata"][0]["model"], j["strata"][0]["se"], j["strata"][0]["loglinear"]["df"])' <"$T/ll.json")"
same "loglinear: the profile interval is [8994, 12110]" "8994 12110" \
    "$(json_get '"%.0f %.0f" % (j["strata"][0]["lower"], j["strata"][0]["upper"])' <"$T/ll.json")"
within "Chao's lower bound 10,270.5 comes with every estimate" \
    "$(json_get 'j["strata"][0]["chao_lower_bound"]' <"$T/ll.json")" 10270.5 0.0001
attest estimate --counts "$kosovo" --method chapman --json >"$T/ch.json"
within "chapman on the first two lists gives 7,231.5" \
    "$(json_get 'j["strata"][0]["estimate"]' <"$T/ch.json")" 7231.5 0.0001
attest estimate --counts "$kosovo" --method dga --json >"$T/dga.json"
same "dga: the posterior median and interval are 12,595 [9,827, 16,544]" "12595 9827 16544" \
    "$(json_get '"%.0f %.0f %.0f" % (j["strata"][0]["estimate"], j["strata"][0]["lower"], j["strata"][0]["upper"])' <"$T/dga.json")"
attest estimate --counts "$kosovo" --method lcmcr --seed 7 --burnin 5000 --samples 1000 --thinning 20 --json >"$T/lc1.json"
attest estimate --counts "$kosovo" --method lcmcr --seed 7 --burnin 5000 --samples 1000 --thinning 20 --json >"$T/lc2.json"
cmp -s "$T/lc1.json" "$T/lc2.json"
verdict "lcmcr: the same seed gives the same estimate" $?
within "lcmcr: the median is near 10,416" "$(json_get 'j["strata"][0]["estimate"]' <"$T/lc1.json")" 10416 0.05
same "lcmcr: the report carries the chain's diagnostics" "true" \
    "$(json_get 'all(k in j["strata"][0]["lcmcr"] for k in ("geweke_z", "split_rhat", "ess", "seed"))' <"$T/lc1.json" | tr A-Z a-z)"

# --- the table and its warnings ---------------------------------------------
has "the table shows documented against estimated" '^all +4400 +10357 +8994 - 12110' \
    attest estimate --counts "$kosovo"
grep -q 'at the edge of the candidate models' "$T/out"
verdict "a model with the highest-order term is at the edge of the candidate set" $? "$(cat "$T/out")"
grep -q 'Model \[123,134\] is almost as good by BIC' "$T/out"
verdict "a near-tied model with another estimate is named" $? "$(cat "$T/out")"
printf 'c1,c2,c3,c4,count\n1,1,1,0,3\n1,1,0,1,1\n1,1,0,0,33\n1,0,1,0,20\n1,0,0,1,6\n1,0,0,0,403\n0,1,1,1,3\n0,1,1,0,35\n0,1,0,1,10\n0,1,0,0,545\n0,0,1,1,11\n0,0,1,0,621\n0,0,0,1,205\n1,1,1,1,0\n1,0,1,1,0\n' >"$T/hiv.csv"
has "lists that barely overlap are said so" '94% of the people are on one list only' \
    attest estimate --counts "$T/hiv.csv"
grep -q 'capture patterns hold fewer than 5 people' "$T/out"
verdict "tiny cells are said so" $? "$(cat "$T/out")"
has "a counts file can come on stdin" '"estimate": 10356' sh -c '"$ATTEST_BIN" estimate --counts - --json <"$1"' sh "$kosovo"

# --- malformed counts files -------------------------------------------------
printf 'A,B,count\n1,0,3\n1,2,4\n' >"$T/bad1.csv"
check_fails "a pattern that is not 0/1 names its line and column" 2 'bad1.csv: line 3, column "B": "2" is not 0 or 1' \
    attest estimate --counts "$T/bad1.csv"
printf 'A,B,total\n1,0,3\n' >"$T/bad2.csv"
check_fails "a header without count says what it needs" 2 'the last column of the header is "total"; it must be "count"' \
    attest estimate --counts "$T/bad2.csv"
printf 'A,B,count\n1,0,3\n0,1,lots\n' >"$T/bad3.csv"
check_fails "a count that is not a number names its line" 2 'line 3, column "count": "lots" is not a whole number' \
    attest estimate --counts "$T/bad3.csv"
printf 'A,B,count\n1,0,3\n1,0,4\n' >"$T/bad4.csv"
check_fails "a pattern given twice names both lines" 2 'line 3: the same capture pattern as line 2' \
    attest estimate --counts "$T/bad4.csv"
check_fails "a missing counts file is named" 1 'cannot open .*nothing.csv' attest estimate --counts "$T/nothing.csv"
check_fails "an unknown method lists the valid ones" 2 'use loglinear, dga, lcmcr or chapman' \
    attest estimate --counts "$kosovo" --method magic
attest estimate --counts "$kosovo" --method dga --svg "$T/dga.svg" >/dev/null 2>&1
head -c 5 "$T/dga.svg" | grep -q '^<svg' && grep -q 'posterior probability' "$T/dga.svg" && ! grep -qi '<script' "$T/dga.svg"
verdict "--svg draws one stratum's posterior, inert" $?
check_fails "a two-list estimate has no curve to draw" 2 'no curve to draw' \
    attest estimate --counts "$kosovo" --method chapman --svg "$T/chapman.svg"
check_fails "two lists that share no one cannot give a two-list estimate" 2 'share no one' \
    sh -c 'printf "A,B,count\n1,0,3\n0,1,4\n" | "$ATTEST_BIN" estimate --counts - --method chapman'

# --- from the archive: lists of sources --------------------------------------
: "${ATTEST_SQL:?set ATTEST_SQL (tests/run does)}"
new_archive
# FICTIONAL victims, each documented by acts from the sources of the lists
# that caught them (seeded); prints the capture patterns it made.
cat >"$T/gen.py" <<'PY'
import json, os, random, subprocess, sys
A = os.environ["ATTEST_BIN"]
def add(t, *args, data=None):
    if data is not None:
        with open("in.json", "w") as f:
            json.dump(data, f)
        args = args + ("--json", "in.json")
    return subprocess.run([A, "add", t] + list(args), check=True, capture_output=True,
                          text=True, pass_fds=(3,)).stdout.split()
w = [add("witness", "--code", "W-FICT-%d" % i)[0] for i in range(3)]
ia = [add("interview", "--witness", w[0], "--interviewer", "NGO-A-1")[0],
      add("interview", "--witness", w[1], "--interviewer", "NGO-A-2")[0]]
ib = [add("interview", "--witness", w[2], "--interviewer", "NGO-B-1")[0]]
un = [add("document", "--title", "FICTIONAL panel report", "--publisher", "UN Panel")[0]]
ev = {"North Hamgyong": add("event", "--title", "FICTIONAL N", "--province", "North Hamgyong", "--date", "1999")[0],
      "Ryanggang": add("event", "--title", "FICTIONAL R", "--province", "Ryanggang", "--date", "2001-05")[0]}
rng = random.Random(int(sys.argv[2]))
persons = add("person", data=[{"names": [{"name": "FICTIONAL %d" % i}]} for i in range(int(sys.argv[1]))])
acts = {s: [] for s in ia + ib + un}
patterns = {}
for i, p in enumerate(persons):
    prov = "North Hamgyong" if i % 3 else "Ryanggang"
    seen = [rng.random() < q for q in (0.5, 0.4, 0.35)]
    if any(seen):
        key = "".join("1" if x else "0" for x in seen)
        patterns.setdefault(prov, {}).setdefault(key, 0)
        patterns[prov][key] += 1
        for j, pool in enumerate((ia, ib, un)):
            if seen[j]:
                acts[rng.choice(pool)].append({"event": ev[prov], "act_type": "extrajudicial_killing", "victim": p})
for s, a in acts.items():
    if a:
        add("act", "--source", s, data=a)
print(json.dumps(patterns, sort_keys=True))
PY
python3 "$T/gen.py" 240 3 >"$T/made.json" 2>"$T/gen.err" || { not_ok "FICTIONAL victims made" "$(cat "$T/gen.err")"; exit 0; }
L='NGO-A=interview,interviewer:NGO-A*;NGO-B=interview,interviewer:NGO-B*;UN=document,publisher:UN*'

attest estimate --lists "$L" --strata province --json --svg "$T/prov.svg" >"$T/prov.json" 2>"$T/err"
grep -q 'Documented and estimated victims by stratum' "$T/prov.svg" && grep -q 'Ryanggang' "$T/prov.svg" && grep -q 'are not trends' "$T/prov.svg"
verdict "--svg draws the strata side by side with the note that counts are not trends" $? "$(head -c 300 "$T/prov.svg")"
same "the capture patterns by province are the victims' lists" "$(json_get 'json.dumps(j, sort_keys=True)' <"$T/made.json")" \
    "$(json_get 'json.dumps({r["stratum"]: {k: v for k, v in r["patterns"].items() if v} for r in j["strata"]}, sort_keys=True)' <"$T/prov.json")"
# The whole archive as one stratum gives what the same counts give as a file.
python3 -c 'import json, sys
m = json.load(open(sys.argv[1])); t = {}
for p in m.values():
    for k, v in p.items():
        t[k] = t.get(k, 0) + v
print("NGO-A,NGO-B,UN,count")
for k, v in sorted(t.items()):
    print(",".join(k) + ",%d" % v)' "$T/made.json" >"$T/made.csv"
attest estimate --lists "$L" --json >"$T/all.json"
same "an archive estimate equals the counts-file estimate of the same table" \
    "$(attest estimate --counts "$T/made.csv" --json | json_get '"%.6f" % j["strata"][0]["estimate"]')" \
    "$(json_get '"%.6f" % j["strata"][0]["estimate"]' <"$T/all.json")"
id=$(json_get 'j["id"]' <"$T/all.json")
head1=$(json_get 'j["tree_head"]["size"]' <"$T/all.json")
same "the estimate names its tree head, lists and linkage" "yes yes yes" \
    "$(json_get '" ".join("yes" if x else "no" for x in (len(j["tree_head"]["root"]) == 64, j["definition"]["lists"][2]["sources"] == ["document,publisher:UN*"], "clusters_sha256" in j["linkage"]))' <"$T/all.json")"
grep -q 'No record linkage has clustered the victims' "$T/all.json"
verdict "without linkage, each person record is its own victim, said so" $?
same "the estimate is stored as a log entry" "1" \
    "$("$ATTEST_SQL" "$ARCHIVE" "SELECT count(*) FROM log_item WHERE kind = 'estimate' AND ref = '$id'")"
has "--at recomputes the stored estimate from its tree head" "^reproduces stored version 1 of $id" \
    attest estimate --at "$id"
attest add person --name "FICTIONAL late" >"$T/pe" 2>/dev/null
attest add act --event "$(attest list event --json | json_get 'j[0]["id"]')" --act-type torture \
    --victim "$(cat "$T/pe")" --source "$(attest list document --json | json_get 'j[0]["id"]')" >/dev/null 2>&1
has "the same definition later is the next version of the same estimate" "^estimate $id version 2" \
    attest estimate --lists "$L"
same "--at SIZE with the lists reads the records as they were at that head" \
    "$(json_get 'j["strata"][0]["documented"]' <"$T/all.json")" \
    "$(attest estimate --lists "$L" --at "$head1" --json | json_get 'j["strata"][0]["documented"]')"
has "the newest version is reproduced too" "^reproduces stored version 3 of $id" attest estimate --at "$id" --svg "$T/at.svg"
grep -q 'twice the drop in log-likelihood' "$T/at.svg"
verdict "--at --svg draws the recomputed profile" $?
check "verify accepts the archive with its estimates" attest verify
cp -r "$ARCHIVE" "$T/tampered"
"$ATTEST_SQL" "$T/tampered" "UPDATE log_item SET doc = replace(doc, '\"documented\":', '\"documented\":1') WHERE kind = 'estimate'" >/dev/null
check_fails "a stored estimate changed behind the log fails verify" 1 'estimate' attest -A "$T/tampered" verify
check_fails "lists need at least two lists" 2 'estimation needs 2 to 6 lists' attest estimate --lists 'A=interview'
check_fails "a filter on a field the source lacks is named" 2 'interview has no field "colour"' \
    attest estimate --lists 'A=interview,colour:red;B=document'
check_fails "an unknown stored estimate is named" 1 'no stored estimate "es-0000000000000000"' \
    attest estimate --at es-0000000000000000
check_fails "--at without --lists names a stored estimate" 2 'name a stored estimate' attest estimate --at 12
check_fails "strata are province, period or act" 2 'use province, period or act' \
    attest estimate --lists "$L" --strata county
