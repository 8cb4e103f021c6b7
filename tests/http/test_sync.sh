#!/usr/bin/env bash
# Sync over the network: the resumable upload of packs by hand (half the
# chunks, an interruption, the offset asked, the rest; wrong offsets
# refused), then `attest sync push` and `attest sync pull` between a laptop
# and the centre's server on loopback: a push cut short resuming where the
# server stopped, a pull cut short resuming with a Range for the same pack,
# the centre's server pushing to and pulling from the laptop's server (the
# browser's Peers page), the certificate kept with a peer trusted by the
# command line unless --cacert is given, a travelled laptop restored over
# the network, and the refusals (a token over plain http to another
# machine, no token, a role without the sync right).  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 71
http_setup
export HTTP_TEST_ARCHIVE="$tmp/a"
L=$tmp/laptop
"$bin" init "$L" --kdf interactive > /dev/null 2>&1 || { echo "not ok - init the laptop"; exit 1; }
"$bin" -A "$L" user add officer --role officer --new-passphrase-fd 4 --kdf interactive 4< "$tmp/pass" \
    > /dev/null 2>&1 || { echo "not ok - the laptop's officer"; exit 1; }
keyline() { "$bin" -A "$1" key show | grep -m1 '^attest-peer'; }
setup "the laptop pins the centre" "$bin" -A "$L" peers add centre "$(keyline "$tmp/a")"
setup "the centre pins the laptop" "$bin" peers add laptop "$(keyline "$L")"
http_start
export HTTP_TEST_TOKEN=$("$python" tests/http/sync.py token investigator)
"$python" tests/http/sync.py protocol || echo "not ok - sync.py protocol exited with $?"

# ---- push, cut short, resumed ------------------------------------------------
umask 077
printf '%s\n' "$HTTP_TEST_TOKEN" > "$tmp/token"
"$python" tests/http/sync.py token analyst > "$tmp/analyst-token"
cat > "$tmp/laptop.jsonl" <<'JSON'
{"type":"document","id":"dc-apt000000001","data":{"title":"FICTIONAL laptop report, pushed"}}
{"type":"document","id":"dc-apt000000002","data":{"title":"FICTIONAL laptop notes, pushed"}}
JSON
setup "laptop records" "$bin" -A "$L" import jsonl "$tmp/laptop.jsonl"
head -c 6000 /dev/urandom > "$tmp/ev.bin"
setup "laptop evidence" "$bin" -A "$L" evidence add "$tmp/ev.bin" --source dc-apt000000001
push() { "$bin" -A "$L" sync push "$base" --to centre --token-file "$tmp/token" "$@"; }
check "push of two chunks only (--max-chunks 2)" push --chunk-size 1024 --max-chunks 2
cp "$tmp/out" "$tmp/push1"
check "it says to run again" grep -q "run the same command again" "$tmp/push1"
check "the pack and its upload wait in the outbox" test -s "$L/sync-outbox/centre.pack" -a -s "$L/sync-outbox/centre.pack.upload"
id=$(sed -n 2p "$L/sync-outbox/centre.pack.upload")
check "the server holds 2048 bytes of it" "$python" -c '
import sys
from client import Session
r = Session(token=sys.argv[2]).get("/api/v1/sync/uploads/" + sys.argv[1])
sys.exit(0 if r.status == 200 and r.json()["offset"] == 2048 else 1)' "$id" "$HTTP_TEST_TOKEN"
check "the push run again resumes at byte 2048 and is applied" push --chunk-size 1024
cp "$tmp/out" "$tmp/push2"
check "it said where it resumed" grep -q "resuming the upload at byte 2048" "$tmp/push2"
check "the centre holds the laptop's records" "$bin" show dc-apt000000002
check "the outbox is empty" test ! -e "$L/sync-outbox/centre.pack" -a ! -e "$L/sync-outbox/centre.pack.upload"
check "a second push sends nothing new" push

# ---- pull, cut short, resumed (Range on the same pack) ---------------------------
pull() { "$bin" -A "$L" sync pull "$base" --from centre --token-file "$tmp/token" "$@"; }
head -c 20000 /dev/urandom > "$tmp/centre-ev.bin"
setup "centre evidence" "$bin" evidence add "$tmp/centre-ev.bin" --source dc-fake00000001
check "pull of 3000 bytes only (--max-bytes 3000)" pull --max-bytes 3000
cp "$tmp/out" "$tmp/pull1"
check "it says to run again" grep -q "run the same command again" "$tmp/pull1"
check "the partial pack and its tag wait in the inbox" test "$(stat -c %s "$L/sync-inbox/centre.pack")" = 3000 -a -s "$L/sync-inbox/centre.pack.pull"
"$bin" -A "$L" show dc-fake00000001 > /dev/null 2>&1; rc=$?
check "nothing is imported from a partial pack" test $rc -ne 0
check "the pull run again resumes at byte 3000 and imports" pull
cp "$tmp/out" "$tmp/pull2"
check "it said where it resumed" grep -q "resuming the download at byte 3000" "$tmp/pull2"
check "it counts the records in conflict as the archive's, not as the pull's" \
    grep -q "(0 already held); 0 records in conflict in this archive (attest sync conflicts)" "$tmp/pull2"
check "the inbox is empty" test ! -e "$L/sync-inbox/centre.pack" -a ! -e "$L/sync-inbox/centre.pack.pull"
check "the resumed pull asked the server for the rest (206)" grep -q 'GET /api/v1/sync/pack 206 ' "$tmp/server.log"
check "the laptop holds the centre's records" "$bin" -A "$L" show dc-fake00000001
check "verify passes on the laptop" "$bin" -A "$L" verify
check "verify passes at the centre" "$bin" verify

# ---- the server pushes and pulls to a peer's server (the browser's Peers page) ----
laptop_start
"$bin" -A "$L" user token create --label FICTIONAL-centre > "$tmp/laptop-token" 2>/dev/null
printf '{"type":"document","id":"dc-apt000000009","data":{"title":"FICTIONAL centre record, pushed by its server"}}\n' > "$tmp/centre.jsonl"
setup "a centre record" "$bin" import jsonl "$tmp/centre.jsonl"
exchange() {
    "$python" - "$@" <<'PY'
import json, sys
from client import Session
kind, url, token_file = sys.argv[1:4]
admin = Session().login("admin")
body = {"token": open(token_file).read().strip()}
if url != "-":
    body["url"] = url
r = admin.post("/api/v1/sync/peers/laptop/" + kind, body)
print(r.status, r.body.decode()[:400])
if r.status != 200 or not r.json()["done"]:
    sys.exit(1)
s = admin.get("/api/v1/sync/status").json()
laptop = [p for p in s["peers"] if p["name"] == "laptop"][0]
print(json.dumps(laptop))
sys.exit(0 if laptop["exchanged"] == kind and laptop["outbox"] is None and laptop["inbox"] is None else 1)
PY
}
check "a push from the centre's server to the laptop's server (url given)" exchange push "http://127.0.0.1:$lport" "$tmp/laptop-token"
check "the laptop holds the record the centre's server pushed" "$bin" -A "$L" show dc-apt000000009
check "the peer's address is kept when pinned with it" "$python" -c '
import sys
from client import Session
a = Session().login("admin")
line = [p["line"] for p in a.get("/api/v1/sync/peers").json()["peers"] if p["name"] == "laptop"][0]
r = a.post("/api/v1/sync/peers", {"name": "laptop", "line": line, "url": sys.argv[1]})
sys.exit(0 if r.status == 201 and [p["url"] for p in r.json()["peers"] if p["name"] == "laptop"] == [sys.argv[1]] else 1)' "http://127.0.0.1:$lport"
printf '{"type":"document","id":"dc-apt000000010","data":{"title":"FICTIONAL laptop record, pulled by the centre"}}\n' > "$tmp/laptop2.jsonl"
setup "a laptop record" "$bin" -A "$L" import jsonl "$tmp/laptop2.jsonl"
check "a pull by the centre's server from the laptop's (the address kept)" exchange pull - "$tmp/laptop-token"
check "the centre holds the laptop's record" "$bin" show dc-apt000000010
printf 'not-the-token\n' > "$tmp/wrong-token"
"$python" - "$tmp/wrong-token" > "$tmp/o" 2>&1 <<'PY'
import sys
from client import Session
r = Session().login("admin").post("/api/v1/sync/peers/laptop/push", {"token": open(sys.argv[1]).read().strip()})
print(r.status, r.body.decode())
sys.exit(0 if r.status == 502 and b"401" in r.body else 1)
PY
check "a wrong token of the peer's server: 502 with the peer's answer, not 401" test $? -eq 0
laptop_stop

# ---- refusals ---------------------------------------------------------------------
"$bin" -A "$L" sync push http://192.0.2.1:9 --to centre --token-file "$tmp/token" > "$tmp/o" 2>&1; rc=$?
check "a token over plain http to another machine is refused" test $rc -eq 2
check "... saying to use https" grep -q "https://" "$tmp/o"
"$bin" -A "$L" sync pull "$base" --from centre > "$tmp/o" 2>&1; rc=$?
check "no token: refused, naming --token-file" test $rc -eq 2 -a -n "$(grep -- --token-file "$tmp/o")"
"$bin" -A "$L" sync pull "$base" --from centre --token-file "$tmp/analyst-token" > "$tmp/o" 2>&1; rc=$?
check "an analyst's token may not pull" test $rc -ne 0 -a -n "$(grep 403 "$tmp/o")"
"$bin" -A "$L" sync pull "$base" --from nobody --token-file "$tmp/token" > "$tmp/o" 2>&1; rc=$?
check "pull from a peer not pinned: refused" test $rc -ne 0 -a -n "$(grep 'peers add' "$tmp/o")"

# ---- a travelled laptop, restored over the network --------------------------------
printf '{"type":"document","id":"dc-apt000000003","data":{"title":"FICTIONAL written before the border"}}\n' > "$tmp/late.jsonl"
setup "unsynced record" "$bin" -A "$L" import jsonl "$tmp/late.jsonl"
printf '{"type":"witness","id":"wt-apt000000001","data":{"code":"APT-W-1","notes":"FICTIONAL"}}\n' > "$tmp/w.jsonl"
setup "a witness on the laptop" "$bin" -A "$L" import jsonl "$tmp/w.jsonl"
printf '{"real_name":"Restored Witness Elvane FICTIONAL"}\n' > "$tmp/identity.json"
setup "its sealed identity" "$bin" -A "$L" witness identity wt-apt000000001 --file "$tmp/identity.json"
check "travel" "$bin" -A "$L" travel --to centre --out "$tmp/travel.pack"
"$bin" -A "$L" show dc-apt000000003 > "$tmp/o" 2>&1; rc=$?
check "after travel the laptop has no record" test $rc -ne 0
check "travel restore URL --pack" "$bin" -A "$L" travel restore "$base" --from centre --pack "$tmp/travel.pack" --token-file "$tmp/token"
check "the centre has the record the laptop had not synced" "$bin" show dc-apt000000003
check "the laptop has it back" "$bin" -A "$L" show dc-apt000000003
check "and the records it had synced" "$bin" -A "$L" show dc-apt000000001
"$bin" -A "$L" -u officer witness reveal wt-apt000000001 > "$tmp/o" 2>&1
check "the laptop's officer reveals the identity it recorded before travel" grep -q "Restored Witness Elvane" "$tmp/o"
check "verify passes on the restored laptop" "$bin" -A "$L" verify
http_stop

# ---- TLS: the server's certificate is verified ---------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=localhost" -days 2 \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" > /dev/null 2>&1
http_start --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem"
"$bin" -A "$L" sync pull "$base" --from centre --token-file "$tmp/token" > "$tmp/o" 2>&1; rc=$?
check "https: a certificate no CA vouches for is refused" test $rc -ne 0 -a -n "$(grep -i certificate "$tmp/o")"
check "https: pull with --cacert" "$bin" -A "$L" sync pull "$base" --from centre --token-file "$tmp/token" --cacert "$tmp/cert.pem"
# The laptop's own server pulls from the centre's (the browser's Peers
# page), with the certificate kept with the peer as --cacert gives it.
laptop_start "$lport" # the port the centre knows it by
"$python" - "http://127.0.0.1:$lport" "$base" "$tmp/token" "$tmp/cert.pem" > "$tmp/o" 2>&1 <<'PY'
import sys
from client import Session
laptop, centre, token_file, cert_file = sys.argv[1:5]
token, cert = open(token_file).read().strip(), open(cert_file).read()
a = Session(base=laptop).login("admin")
line = [p["line"] for p in a.get("/api/v1/sync/peers").json()["peers"] if p["name"] == "centre"][0]
def pin(**extra):
    return a.post("/api/v1/sync/peers", dict(name="centre", line=line, url=centre, **extra))
def pull():
    return a.post("/api/v1/sync/peers/centre/pull", {"token": token})
failed = 0
def check(name, cond, detail):
    global failed
    print(("ok - " if cond else "not ok - ") + name)
    if not cond:
        failed += 1
        print("# " + str(detail)[:400])
r = pin()
r2 = pull()
check("https from the server: a certificate no CA vouches for is refused (502)", r.status == 201 and r2.status == 502
      and "certificate" in r2.body.decode().lower(), (r.status, r2.status, r2.body[:300]))
r = pin(cacert="-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----\n")
check("a cacert that is not a certificate: 400 naming the field", r.status == 400
      and r.json()["error"]["field"] == "cacert", r.body[:300])
r = pin(cacert=cert)
kept = [p["cacert"] for p in r.json()["peers"] if p["name"] == "centre"] if r.status == 201 else None
r2 = pull()
check("https from the server: the certificate kept with the peer is trusted", r.status == 201 and kept == [cert]
      and r2.status == 200 and r2.json()["done"], (r.status, kept and kept[0][:40], r2.status, r2.body[:300]))
sys.exit(1 if failed else 0)
PY
cat "$tmp/o"
laptop_stop
# The command line trusts the certificate kept with the peer (pinned just
# above) when no --cacert is given; a --cacert given still wins.
check "https: pull with the certificate kept with the peer" pull
# The kept certificate reaches libcurl from memory: no temporary file, so
# a TMPDIR that cannot be written to changes nothing.
TMPDIR="$tmp/no-such-dir" pull > "$tmp/o" 2>&1; rc=$?
check "https: the kept certificate is read from memory, not a file under TMPDIR" test $rc -eq 0
check "https: push with the certificate kept with the peer" push
openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=localhost" -days 2 \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$tmp/other-key.pem" -out "$tmp/other.pem" > /dev/null 2>&1
pull --cacert "$tmp/other.pem" > "$tmp/o" 2>&1; rc=$?
check "https: a --cacert given wins over the kept one" test $rc -ne 0 -a -n "$(grep -i certificate "$tmp/o")"
http_stop
