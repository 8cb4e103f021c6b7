#!/usr/bin/env bash
# test_stats.sh: `attest stats` counts acts, victims, agencies and the
# witness sample as text, JSON, CSV and SVG charts; arrivals per half-year
# with the change and the share of women; what a reader may not see is
# not counted, small witness cells are withheld below confidential, and
# no output names a witness.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 25

new_archive
for r in analyst public; do
    attest user add "$r" --role "$r" --new-passphrase-fd 4 --kdf interactive 4<"$T/.passphrase" \
        >/dev/null 2>&1 || not_ok "user add $r"
done

# Witnesses at restricted clearance (so that an analyst counts them):
# 7 from North Hamgyong, 6 from Ryanggang, 1 from Chagang; arrivals in
# 2019 and 2020; acts in two events, one with an agency.
python3 - "$T/data.jsonl" <<'PY'
import json, sys
out = open(sys.argv[1], "w")
def put(t, i, data, clearance=None):
    rec = {"type": t, "id": i, "data": data}
    if clearance:
        rec["clearance"] = clearance
    out.write(json.dumps(rec, ensure_ascii=False) + "\n")
n = 0
for prov, count in (("North Hamgyong", 7), ("Ryanggang", 6), ("Chagang", 1)):
    for k in range(count):
        n += 1
        put("witness", "wt-stat%08d" % n,
            {"code": "FICTIONAL-CODE-%02d" % n, "home_province": prov,
             "sex": "female" if n % 3 else "male", "year_left": 2017 + n % 2,
             "arrived": ("2019-%02d" % (1 + n % 12)) if n < 12 else "2020-03"},
            "restricted")
put("event", "ev-stat00000001", {"title": "FICTIONAL execution", "date": "2015-03",
                                 "province": "<script>alert(1)</script>"})
put("event", "ev-stat00000002", {"title": "FICTIONAL detention", "date": "2012",
                                 "province": "=SUM(A1)"})
put("person", "pe-stat00000001", {"names": [{"name": "FICTIONAL Victim Name"}],
                                  "sex": "male", "birth_date": "1990"})
put("act", "ac-stat00000001", {"event": "ev-stat00000001", "act_type": "public_execution",
                               "victim": "pe-stat00000001"})
put("act", "ac-stat00000002", {"event": "ev-stat00000002", "act_type": "arbitrary_detention",
                               "victim_count": 20})
put("act", "ac-stat00000003", {"event": "ev-stat00000002", "act_type": "torture"},
    "confidential")
put("organisation", "or-stat00000001", {"names": [{"name": "FICTIONAL Security Agency"}]})
put("relation", "rl-stat00000001", {"kind": "involvement", "from": "or-stat00000001",
                                    "to": "ac-stat00000001"})
PY
attest import jsonl "$T/data.jsonl" >/dev/null 2>&1 || not_ok "import the fictional records"

has "text: types and every table" '^Arrivals per half-year' attest stats
has "text: acts by type" '^Public execution +1 +1' attest stats --table acts_by_type
has "text: raw counts over time say they are not trends" 'are not trends' \
    attest stats --table acts_by_year
has "text: acts by agency" '^FICTIONAL Security Agency +1' attest stats --table acts_by_agency
has "text: victims by age band (2015 - 1990)" '^18-29 +1' attest stats --table victims_by_age
has "arrivals: 2019 H2 with the change and the share of women" \
    '^2019 H2 +6 +\+20\.0 +4 +66\.7' attest stats --table arrivals
has "arrivals: --period year" '^2020 +3 +-72\.7 +2 +66\.7' attest stats --table arrivals --period year
check_fails "a bad --period names the valid ones" 2 'period: "month" is not one of half, year' \
    attest stats --period month
check_fails "an unknown --table lists the tables" 2 'no table "nope"; valid: acts_by_type' \
    attest stats --table nope
check_fails "--json and --csv together are refused" 2 'one of --json, --csv and --svg' \
    attest stats --json --csv

attest stats --json >"$T/admin.json"
same "json: the witnesses by province, exact for the admin" '{"North Hamgyong": 7, "Ryanggang": 6, "Chagang": 1}' \
    "$(json_get '{r["key"]: r["values"][0] for r in [t for t in j["tables"] if t["name"] == "witnesses_by_province"][0]["rows"]}' <"$T/admin.json")"
same "json: the confidential act is counted by the admin" 3 \
    "$(json_get 'sum(r["values"][0] for r in j["tables"][0]["rows"])' <"$T/admin.json")"

attest -u analyst stats --json >"$T/analyst.json"
same "analyst: no confidential act counted" 2 \
    "$(json_get 'sum(r["values"][0] for r in j["tables"][0]["rows"])' <"$T/analyst.json")"
same "analyst: small witness cells withheld, and the next smallest" '{"North Hamgyong": 7, "Ryanggang": "withheld", "Chagang": "<5"}' \
    "$(json_get '{r["key"]: r["values"][0] for r in [t for t in j["tables"] if t["name"] == "witnesses_by_province"][0]["rows"]}' <"$T/analyst.json")"
has "analyst: the text table shows <5" '^Chagang +<5' attest -u analyst stats --table witnesses_by_province
same "analyst: a small arrival count and its share withheld" '["<5", null, "<5", null]' \
    "$(json_get '[r["values"] for r in [t for t in j["tables"] if t["name"] == "arrivals"][0]["rows"] if r["key"] == "2020 H1"][0]' <"$T/analyst.json")"
same "public: no witness and no act counted" '0 0' \
    "$(attest -u public stats --json | json_get '" ".join(str(len(t["rows"])) for t in j["tables"] if t["name"] in ("acts_by_type", "witnesses_by_sex"))')"

attest stats --csv >"$T/stats.csv"
same "csv: a header and one line per cell" "table,key,column,value" "$(head -n1 "$T/stats.csv")"
grep -q "^acts_by_province,\"'=SUM(A1)\",acts,2$" "$T/stats.csv"
verdict "csv: a label a spreadsheet would run is guarded" $? "$(grep SUM "$T/stats.csv")"

has "svg: one chart per table, paths printed" '/charts/arrivals\.svg$' attest stats --svg "$T/charts"
python3 - "$T/charts" <<'PY' >"$T/svgcheck" 2>&1
import os, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
bad = []
for f in sorted(os.listdir(d)):
    root = ET.parse(os.path.join(d, f)).getroot()
    for el in root.iter():
        tag = el.tag.split("}")[1]
        if tag not in ("svg", "title", "desc", "rect", "text", "line", "path", "circle", "g"):
            bad.append("%s: <%s>" % (f, tag))
        bad += ["%s: %s=" % (f, a) for a in el.attrib if a.startswith("on") or "href" in a]
print("\n".join(bad) if bad else "inert")
PY
same "svg: every chart is well-formed and inert" inert "$(cat "$T/svgcheck")"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/charts/acts_by_province.svg"
verdict "svg: a hostile label is escaped text" $?
grep -q 'are not trends' "$T/charts/acts_by_year.svg" && ! grep -q 'not trends' "$T/charts/acts_by_type.svg"
verdict "svg: the chart over time carries the warning, the others not" $?
attest -u analyst stats --svg "$T/charts-analyst" >/dev/null 2>&1
# the note is wrapped over several <text> lines: read them as one
python3 -c 'import sys, xml.etree.ElementTree as ET
print(" ".join(t.text or "" for t in ET.parse(sys.argv[1]).iter("{http://www.w3.org/2000/svg}text")))' \
    "$T/charts-analyst/witnesses_by_province.svg" | grep -q 'Cells of fewer than 5 witnesses are withheld'
verdict "svg: the analyst's chart says cells are withheld" $?

cat "$T/admin.json" "$T/analyst.json" "$T/stats.csv" "$T"/charts/*.svg >"$T/all-output"
attest stats >>"$T/all-output"
! grep -qE 'FICTIONAL-CODE|wt-stat|pe-stat|FICTIONAL Victim Name' "$T/all-output"
verdict "no output names a witness, a victim or a record id" $? \
    "$(grep -oE 'FICTIONAL-CODE[^"]*|wt-stat[0-9]*|pe-stat[0-9]*|FICTIONAL Victim Name' "$T/all-output" | head -3)"
