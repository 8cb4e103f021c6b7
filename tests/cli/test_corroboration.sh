#!/usr/bin/env bash
# test_corroboration.sh: an event's corroboration on the command line:
# `attest show` (table and --json) counting a witness of one household,
# one group interview or hearsay once; a retracted event shown without
# one; an analyst, who may not read the interviews, counting only what
# they may read; an event record linked to it counting with it; no
# witness named in what is shown or exported; `export csv --type event`
# with the corroboration columns, which `import csv` passes over;
# `export corroboration`.
# FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 23

new_archive
attest user add ana --role analyst --new-passphrase-fd 4 --kdf interactive 4<"$T/.passphrase" \
    >/dev/null 2>&1 || not_ok "user add ana"
for i in 1 2 3 4; do
    w[$i]=$(attest add witness --code "FICTIONAL-CODE-$i")
done
iv1=$(attest add interview --witness "${w[1]}")
iv2=$(attest add interview --witness "${w[2]}" --group "FICTIONAL group 7")
iv3=$(attest add interview --witness "${w[3]}" --group "FICTIONAL group 7")
iv4=$(attest add interview --witness "${w[4]}" --clearance restricted)
ev=$(attest add event --title "FICTIONAL public execution" --date 1997-03 --lat 42 --lon 129 \
     --source "$iv1")
attest add act --event "$ev" --act_type public_execution --victim_count 3 --source "$iv1" >/dev/null
attest add act --event "$ev" --act_type public_execution --victim_count 4 --count_approximate 1 \
    --source "$iv4" >/dev/null
pin() { attest add pinpoint --event "$ev" --interview "$1" --lat "$2" --lon 129 --uncertainty_m 500 \
        --basis "$3" --date "$4" >/dev/null; }
pin "$iv2" 42.001 eyewitness 1997
pin "$iv3" 42.002 heard_from_witness 1997-03
pin "$iv4" 42.003 present 1997-03-12

corr() { attest show "$ev" --json | json_get "j['corroboration']$1"; }
same "four witnesses, two of one group interview: three sources" 3 "$(corr "['sources']")"
same "four witness records" 4 "$(corr "['source_records']")"
check "interview group is a field" attest show "$iv2"
has "show prints the corroboration" '^independent sources +3 \(of 4 witnesses' attest show "$ev"
has "show prints the strongest basis" '^strongest basis +present; direct sources: 2' attest show "$ev"
has "show prints the victims' range" '^victims +agree \(2 accounts\), 3 to 4 victims' attest show "$ev"

attest add relation --kind same_household --from "${w[1]}" --to "${w[4]}" >/dev/null
same "household counts once" 2 "$(corr "['sources']")"
attest add relation --kind heard_from --from "${w[2]}" --to "${w[1]}" >/dev/null
same "hearsay from a listed source counts once" 1 "$(corr "['sources']")"

# The analyst may read one interview only (the restricted one).
same "analyst counts what they may read" '[1, 4]' \
    "$(attest -u ana show "$ev" --json | json_get "[j['corroboration']['sources'], j['corroboration']['unattributed']]")"
lacks "no witness in show" 'wt-|FICTIONAL-CODE' attest show "$ev"

attest export corroboration -o "$T/corr.jsonl" 2>/dev/null
same "export corroboration: one line per event" "$ev 1" \
    "$(json_get 'j["event"] + " " + str(j["corroboration"]["sources"])' <"$T/corr.jsonl")"
lacks "no witness in export corroboration" 'wt-|iv-|FICTIONAL-CODE' cat "$T/corr.jsonl"

attest export csv --type event -o "$T/events.csv" 2>/dev/null
has "csv has the corroboration columns" 'corroboration_sources,.*corroboration_victims_max' \
    head -1 "$T/events.csv"
has "csv row has the counts" ",1,4,6,0,0,1,present,yes,1997-01-01,1997-12-31,yes,[0-9]+,yes,3,4$" \
    cat "$T/events.csv"
lacks "no witness in the csv's corroboration" 'FICTIONAL-CODE|wt-' cat "$T/events.csv"

# A retracted event is still shown, without a corroboration.
ev2=$(attest add event --title "FICTIONAL retracted event" --source "$iv1")
attest retract "$ev2" --reason "FICTIONAL: entered twice" >/dev/null
check "show of a retracted event" attest show "$ev2"
same "a retracted event has no corroboration" "null" \
    "$(attest show "$ev2" --json | json_get 'j.get("corroboration")')"

# An event record that linkage joins to the first counts with it.
ev3=$(attest add event --title "FICTIONAL execution, told again" --date 1997 --source "$iv3")
attest link events >/dev/null 2>&1
check "accept the two event records as one event" attest link decide "$ev" "$ev3" accept
same "linked event records count together" '[1, 7]' \
    "$(attest show "$ev" --json | json_get "[j['corroboration']['linked_events'], j['corroboration']['accounts']]")"

# Regression: many household relations grew the union-find while a join
# still held its old array (a write into freed memory; export aborted).
for i in $(seq 1 300); do printf 'FICTIONAL-MANY-%d\n' "$i"; done | sed '1i code' > "$T/many.csv"
attest import csv "$T/many.csv" --type witness >/dev/null 2>&1
attest export csv --type witness | python3 -c '
import csv, sys
ids = [r["id"] for r in csv.DictReader(sys.stdin)]
with open(sys.argv[1], "w") as f:
    f.write("kind,from,to\n")
    for i in range(len(ids)):
        f.write("same_household,%s,%s\n" % (ids[i], ids[(i * 7 + 3) % len(ids)]))
' "$T/households.csv"
check "import many household relations" attest import csv "$T/households.csv" --type relation
check "export corroboration with many joins" attest export corroboration

# The export comes back in: the derived columns are passed over.
new_archive b
check "import csv passes over the corroboration columns" \
    attest import csv --type event --map "source=" "$T/events.csv"
check_fails "a column that is no field is still refused" 2 'corroboration_nonsense' \
    attest import csv --type event <(printf 'title,corroboration_nonsense\nFICTIONAL,1\n')
