#!/usr/bin/env bash
# test_documents.sh: documents as sources.  A fictional digest of three
# articles in the bracket-attribution style (tests/data/documents) is split
# into three documents with their attributions beside the digest; the
# tags find every planted place (several romanisations and Hangul),
# organisation (an archive record and a UN list entry) and quantity, with
# spans whose text is exactly the document's; accepting and rejecting is
# logged and links only what was accepted; claims check their span and set
# figures of several reports side by side; malformed HTML, empty, binary
# and non-UTF-8 input and a 100 MB file are refused with the file named
# and nothing written.  All data is FICTIONAL.
data="$(cd "$(dirname "$0")/../data" && pwd)"
. "$(dirname "$0")/lib.sh"
plan 52

sql() { "$ATTEST_SQL" "$ARCHIVE" "$1" 3<"$T/.passphrase"; }

new_archive
ORG=$(attest add organisation --name "FICTIONAL Pyolsong Trading")
attest lists import un "$data/sanctions/un/un-2026-02-27.xml" >/dev/null 2>&1

# --- a digest split into articles ---------------------------------------------
check "import a Markdown digest" attest import document "$data/documents/digest.md" \
    --published 2026-03-02 --url https://example.org/fictional/digest
same "the digest and three articles" 4 "$(wc -l <"$T/out")"
cut -f1 "$T/out" >"$T/ids"
DIGEST=$(sed -n 1p "$T/ids"); A1=$(sed -n 2p "$T/ids"); A2=$(sed -n 3p "$T/ids"); A3=$(sed -n 4p "$T/ids")
same "attributions, in order" "South China Morning Post|Daily NK|Yonhap" "$(sed -n '2,4p' "$T/out" | cut -f2 | paste -sd'|')"
same "headlines are the titles" "FICTIONAL: Arrivals fall again" "$(sed -n 4p "$T/out" | cut -f3)"
attest show "$A2" --json >"$T/a2.json"
same "a linked attribution keeps its link" "https://example.org/fictional/dailynk" "$(json_get 'j["data"]["url"]' <"$T/a2.json")"
same "each article names the digest" "$DIGEST" "$(json_get 'j["data"]["digest"]' <"$T/a2.json")"
same "and has it as its source" "$DIGEST" "$(json_get 'j["source"]' <"$T/a2.json")"
attest show "$DIGEST" --json >"$T/d.json"
same "the digest keeps the file's SHA-256" "$(sha256sum "$data/documents/digest.md" | cut -d' ' -f1)" \
    "$(json_get 'j["data"]["sha256"]' <"$T/d.json")"
same "and its title, count and retrieval date" "FICTIONAL DEMO DATA: weekly open-source digest 3 $(date -u +%F)" \
    "$(json_get 'j["data"]["title"] + " " + str(j["data"]["articles"]) + " " + j["data"]["retrieved_at"]' <"$T/d.json")"
attest show "$A3" --json | json_get 'j["data"]["text"]' >"$T/a3.txt"
verdict "an article keeps its text without the attribution" \
    "$(grep -q 'down 20.8%' "$T/a3.txt" && ! grep -q Yonhap "$T/a3.txt"; echo $?)"

# --- tags with exact spans -------------------------------------------------------
# span_check DOC: every tag's text is the document's text at its span
# (code points); prints "kind:text" per tag.
span_check() {
    attest show "$1" --json >"$T/doc.json"
    attest tags list "$1" --json >"$T/tags.json"
    python3 - "$T/doc.json" "$T/tags.json" <<'PY'
import json, sys
text = json.load(open(sys.argv[1]))["data"]["text"]
for t in json.load(open(sys.argv[2])):
    assert text[t["start"]:t["end"]] == t["text"], (t, text[t["start"]:t["end"]])
    assert t["status"] == "suggested", t
    print("%s:%s" % (t["kind"], t["text"]))
PY
}
span_check "$A1" >"$T/t1" 2>&1
verdict "article 1: every span is exact" $? "$(cat "$T/t1")"
same "article 1: places in three spellings, the archive's organisation, figures and a date" \
    "place:Hoeryong|place:Vladivostok|quantity:50,000 North Korean workers|place:Hoeryŏng|place:회령|quantity:1,200 workers|date:March 2019|organisation:FICTIONAL Pyolsong Trading" \
    "$(paste -sd'|' "$T/t1")"
span_check "$A2" >"$T/t2" 2>&1
verdict "article 2: every span is exact" $? "$(cat "$T/t2")"
same "article 2: the UN list entry, places and dollars" \
    "place:Sinuiju|listed:KOREA MINING DEVELOPMENT TRADING CORPORATION|quantity:\$120 million|place:Sinŭiju|place:Dandong" \
    "$(paste -sd'|' "$T/t2")"
span_check "$A3" >"$T/t3" 2>&1
verdict "article 3: every span is exact" $? "$(cat "$T/t3")"
same "article 3: arrivals, percent, yuan, km and Chongjin in Hangul and romanised" \
    "quantity:593 arrivals|quantity:20.8%|place:청진|quantity:5,000 yuan|place:Chongjin|quantity:300 km" \
    "$(paste -sd'|' "$T/t3")"
attest tags list "$A2" --json >"$T/tags2.json"
same "a listed entry's target names the list version and key" "un-2026-02-27 KPe.001" \
    "$(json_get '[t["target"] for t in j if t["kind"] == "listed"][0]' <"$T/tags2.json")"

# --- review --------------------------------------------------------------------------
ORGTAG=$(attest tags list "$A1" --json | json_get '[t["id"] for t in j if t["kind"] == "organisation"][0]')
same "nothing is linked before a tag is accepted" "0" "$(attest list relation --json | json_get 'len(j)')"
check "accept a tag" attest tags accept "$ORGTAG"
attest list relation --json >"$T/rel.json"
same "accepting the organisation links the document to it" "information $A1 $ORG" \
    "$(json_get '" ".join([j[0]["data"]["kind"], j[0]["data"]["from"], j[0]["data"]["to"]])' <"$T/rel.json")"
same "the decision is in the log" "1" "$(sql "SELECT count(*) FROM log_item WHERE kind = 'tag' AND ref = '$A1'")"
check "reject it again" attest tags reject "$ORGTAG"
same "rejecting retracts the link" "0" "$(attest list relation --json | json_get 'len(j)')"
same "both decisions are logged" "2" "$(sql "SELECT count(*) FROM log_item WHERE kind = 'tag'")"
printf 'a\nr\ns\nq\n' | attest tags review "$A3" >"$T/review" 2>"$T/err"
verdict "review shows each tag in its context" "$(grep -qF '[593 arrivals]' "$T/review"; echo $?)" "$(cat "$T/review" "$T/err")"
same "review: one accepted, one rejected, the rest still suggested" "accepted rejected suggested suggested suggested suggested" \
    "$(attest tags list "$A3" --json | json_get '" ".join(t["status"] for t in j)')"
check_fails "an unknown tag is refused" 1 "no tag 9999" attest tags accept 9999
check_fails "a tag id must be a number" 2 "not a tag id" attest tags accept abc

# --- claims -------------------------------------------------------------------------
SPAN=$(attest tags list "$A1" --json | json_get '[str(t["start"]) + ":" + str(t["end"]) for t in j if t["text"].startswith("50,000")][0]')
check "record a claim from a span" attest claims add "$A1" --span "$SPAN" --quantity 50000 \
    --unit workers --about workers-abroad --period 2019 --place Russia --qualifier about
CLAIM=$(cat "$T/out")
same "the claim quotes the span" "50,000 North Korean workers" "$(attest show "$CLAIM" --json | json_get 'j["data"]["quote"]')"
attest import document - --title "FICTIONAL second report" --publisher "FICTIONAL NGO" --published 2026-01-10 \
    >"$T/out2" 2>/dev/null <<'TXT'
FICTIONAL DEMO DATA. Some 30,000 workers were in Russia in 2019, a fictional NGO estimates.
TXT
DOC2=$(cut -f1 "$T/out2")
check "a second report's figure" attest claims add "$DOC2" --span 26:40 --quantity 30000 --unit workers \
    --about "workers abroad" --period 2019 --place Russia --quote "30,000 workers"
attest claims list --about workers-abroad >"$T/claims"
verdict "claims list sets the figures side by side with publisher, date and quote" \
    "$(grep -q 'about 50000 *workers *2019 *Russia.*South China Morning Post *2026-03-02' "$T/claims" \
       && grep -q '30000 *workers *2019 *Russia.*FICTIONAL NGO *2026-01-10.*"30,000 workers"' "$T/claims"; echo $?)" "$(cat "$T/claims")"
same "claims list --json" "2" "$(attest claims list --about workers_abroad --json | json_get 'len(j)')"
attest export jsonl >"$T/before.jsonl"
refused "a span past the end of the text" "span 10:9999 runs past the end" \
    attest claims add "$DOC2" --span 10:9999 --quantity 1 --unit workers --about revenue
check_fails "a quote that is not the span's text is refused" 1 'the text at 26:40 is "30,000 workers", not "40,000 workers"' \
    attest claims add "$DOC2" --span 26:40 --quantity 40000 --unit workers --about revenue --quote "40,000 workers"
check_fails "an unknown topic is refused with the valid ones" 2 'valid: .*workers_abroad' \
    attest claims add "$DOC2" --span 26:40 --quantity 1 --unit workers --about weather

# --- HTML -------------------------------------------------------------------------
cat >"$T/digest.html" <<'HTML'
<!DOCTYPE html><html><head><title>FICTIONAL</title><script>var x = "Hoeryong";</script></head>
<body><h1>FICTIONAL DEMO DATA: digest</h1>
<h2>FICTIONAL: Hyesan market</h2><p>FICTIONAL DEMO DATA. Prices in Hyesan rose; 2,000 won &amp; more.</p>
<p><a href="https://example.org/fictional/a">FICTIONAL Radio</a></p>
<h2>FICTIONAL: Rason port</h2><p>FICTIONAL DEMO DATA. Ships left Rason.</p><p>[FICTIONAL Wire]</p>
</body></html>
HTML
check "import an HTML digest" attest import document "$T/digest.html"
same "HTML: split by linked and bracketed attributions" "FICTIONAL Radio|FICTIONAL Wire" "$(sed -n '2,3p' "$T/out" | cut -f2 | paste -sd'|')"
H1=$(sed -n 2p "$T/out" | cut -f1)
same "HTML: script text is not the document's, entities are decoded" \
    "place:Hyesan|place:Hyesan|quantity:2,000 won" "$(span_check "$H1" | paste -sd'|')"
printf '<p>FICTIONAL DEMO DATA: unclosed <b>bold <i>and <p>Chongjin</div></span>' >"$T/bad.html"
check "malformed HTML is read with recovery" attest import document "$T/bad.html"
same "and keeps its text" "FICTIONAL DEMO DATA: unclosed bold and

Chongjin" "$(attest show "$(cut -f1 "$T/out")" --json | json_get 'j["data"]["text"]')"

# --- bad input: nothing written ------------------------------------------------------
attest export jsonl >"$T/before.jsonl"
printf '<html><head><script>x()</script></head><body>  </body></html>' >"$T/empty.html"
refused "HTML without text" "empty.html: an empty document" attest import document "$T/empty.html"
: >"$T/empty.txt"
refused "an empty file" "empty.txt: an empty document: no text" attest import document "$T/empty.txt"
printf 'FICTIONAL\0binary' >"$T/bin.txt"
refused "binary input" "bin.txt: binary data \(a NUL byte at offset 9\)" attest import document "$T/bin.txt"
printf 'FICTIONAL caf\xe9' >"$T/latin1.txt"
refused "bytes that are not UTF-8" "latin1.txt: not UTF-8 \(an invalid byte at offset 13\)" attest import document "$T/latin1.txt"
yes "FICTIONAL DEMO DATA line of a very large file." | head -c 100000000 >"$T/big.txt"
refused "a 100 MB file" "big.txt: larger than 16 MiB" attest import document "$T/big.txt"
rm -f "$T/big.txt"
