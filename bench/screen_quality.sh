#!/usr/bin/env bash
# Screening quality on the labelled pairs of bench/data/screen_pairs.tsv
# (built by bench/gen_screen_pairs.py from the lists; see its header for
# the categories and each pair's provenance): `attest screen compare
# --file` scores every pair with both scorers, with the word weights of the
# UN list of 2026-02-27 and OFAC's SDN files of 2021-07-07 when
# ../shared/data/sanctions has them (the default weighting otherwise), and
# precision, recall and F1 at the default threshold are printed per
# category and overall, with the pairs/s of compare.  Then PAIRS_KOREAN
# (default 2000) made-up Korean names that are on no list are screened
# against both lists: the share that gets any hit.
# PAIRS=rebuild builds the pairs again from the lists first.
# Targets (issue 11): overall F1 >= 0.90, recall on the generated
# variants >= 97 %, unlisted Korean names with a hit <= 2 %.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ATTEST_BIN:-build/attest}
data=../shared/data/sanctions
pairs=bench/data/screen_pairs.tsv
tmp=$(mktemp -d /tmp/attest-bench-quality.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
printf 'FICTIONAL bench passphrase\n' > "$tmp/pass"
exec 3<"$tmp/pass"
export ATTEST_PASSPHRASE_FD=3 ATTEST_USER=admin ATTEST_ARCHIVE="$tmp/arc"
lists=no
if [ -d "$data/un" ] && [ -d "$data/ofac-2021" ]; then
    "$bin" init "$tmp/arc" --kdf interactive > /dev/null 2>&1
    "$bin" lists import un "$data/un/consolidated-2026-02-27.xml" > /dev/null 2>&1
    "$bin" lists import ofac "$data/ofac-2021" --date 2021-07-07 > /dev/null 2>&1
    lists=yes
else
    echo "screen_quality: $data is missing; words weigh by the default weighting" >&2
fi
if [ "${PAIRS:-}" = rebuild ] && [ "$lists" = yes ]; then
    make -s build/bench/screen_bench
    build/bench/screen_bench names "$tmp/arc" > "$tmp/names.tsv"
    python3 bench/gen_screen_pairs.py "$tmp/names.tsv" 11 "$pairs"
fi
grep -v '^#' "$pairs" | cut -f1-3 > "$tmp/in.tsv"
start=$(date +%s.%N)
"$bin" screen compare --file "$tmp/in.tsv" > "$tmp/out.tsv"
end=$(date +%s.%N)
n=$(wc -l < "$tmp/in.tsv")
echo "-- $n labelled pairs ($pairs), weights from the lists: $lists"
python3 - "$pairs" "$tmp/out.tsv" "$n" "$start" "$end" <<'PY'
import sys
pairs, out, n, start, end = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
rows = [l.rstrip("\n").split("\t") for l in open(pairs, encoding="utf-8") if not l.startswith("#")]
res = [l.rstrip("\n").split("\t") for l in open(out, encoding="utf-8")][1:]
assert len(rows) == len(res), (len(rows), len(res))
# the categories generated from listed names and from tables of names
GENERATED = {"typo", "romanisation", "hangul", "cyrillic", "reorder", "legal_form", "korean_company",
             "initials", "run_together", "chinese", "japanese", "arabic", "thai_khmer",
             "cyrillic_letters"}
def f(x):
    return "%.3f" % x if x is not None else "  -  "
for scorer, col in (("attest", 5), ("ofac", 8)):
    cats = {}
    for row, r in zip(rows, res):
        label, cat, hit = row[3] == "1", row[4], r[col] == "yes"
        c = cats.setdefault(cat, [0, 0, 0, 0])
        c[(0 if hit else 2) + (0 if label else 1)] += 1   # tp fp fn tn
    def total(names):
        return [sum(c[i] for k, c in cats.items() if k in names) for i in range(4)]
    groups = {"generated variants": GENERATED, "overall": set(cats)}
    print(f"{scorer}: category           pairs    tp    fp    fn    tn  precision recall  F1")
    for cat in sorted(cats) + list(groups):
        tp, fp, fn, tn = total(groups[cat]) if cat in groups else cats[cat]
        p = tp / (tp + fp) if tp + fp else None
        r = tp / (tp + fn) if tp + fn else None
        f1 = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
        print(f"  {cat:<22} {tp + fp + fn + tn:5d} {tp:5d} {fp:5d} {fn:5d} {tn:5d}  {f(p)}     {f(r)}  {f(f1)}")
print(f"compare --file: {n / (end - start):.0f} pairs/s (both scorers, one process)")
PY
if [ "$lists" = yes ]; then
    make -s build/bench/screen_bench
    build/bench/screen_bench names "$tmp/arc" > "$tmp/names.tsv"
    python3 bench/gen_queries.py "$tmp/names.tsv" "$(( ${PAIRS_KOREAN:-2000} * 12 ))" 5 "$tmp/q.tsv"
    awk -F'\t' -v n="${PAIRS_KOREAN:-2000}" '$2 == "korean" && c++ < n' "$tmp/q.tsv" > "$tmp/korean.tsv"
    echo "-- $(wc -l < "$tmp/korean.tsv") made-up Korean names on no list, screened at 80"
    build/bench/screen_bench run "$tmp/arc" "$tmp/korean.tsv" attest 80 | grep -o 'false positives.*'
    build/bench/screen_bench run "$tmp/arc" "$tmp/korean.tsv" ofac 80 | grep -o 'false positives.*' | sed 's/^/ofac: /'
fi
