"""sync_jobs.py: pushes and pulls as jobs of the laptop's server (argv[1]),
watched through GET /api/v1/sync/peers/centre/jobs/{id}, with the centre's
server (argv[2]) behind a relay on loopback that this script runs: it
passes every request on, but holds each upload chunk (PUT) and the second
half of each pack download until the test lets it through, so every state
checked is one the job must be in, not one caught in passing.  argv[3]: a
file with an API token of the centre for a user with the sync right;
argv[4], argv[5]: a certificate and its key for the relay's TLS, trusted by
the laptop's server only once pinned with the peer (its cacert).  Last, the
laptop's server (pid argv[6], serving argv[8] with the binary argv[7],
its stderr appended to argv[9]) is killed in the middle of a push and
started again by this script: the job is read back interrupted, and the
next push resumes from the outbox.  Then, with the write lock held, a
push's stages still move (saved only when the lock is free at once), and
the server stopped cleanly as the push ends sets its end aside (sealed)
and the next start, the lock free, reads it back as it ended.  Before that, a
push ends while another connection holds the laptop archive's write lock
for longer than the server waits for it: its end is saved once the lock is
free.
FICTIONAL data only."""
import http.client
import http.server
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

from client import Session, Results, error_of

laptop, centre, token_file, cert_file, key_file = sys.argv[1:6]
laptop_pid, attest_bin, laptop_dir, laptop_log = int(sys.argv[6]), sys.argv[7], sys.argv[8], sys.argv[9]
token = open(token_file).read().strip()
CHUNK = 256 * 1024
res = Results()


class Relay:
    """What the relay lets through: `credit` chunks (or every one when
    open), and a chunk to fail with 503 (its number, counted from 1);
    while dropping, what it holds is answered 503 and not passed on."""

    def __init__(self):
        self.cv = threading.Condition()
        self.credit = 0
        self.open = False
        self.fail_put = 0
        self.puts = 0
        self.waiting = 0
        self.dropping = False

    def hold(self):
        """Waits until one may pass; False when dropped, or after a minute
        (a test that went wrong must not hang)."""
        with self.cv:
            self.waiting += 1
            self.cv.notify_all()
            ok = self.cv.wait_for(lambda: self.open or self.credit > 0 or self.dropping, timeout=60)
            self.waiting -= 1
            self.cv.notify_all()   # for whoever waits for the relay to hold nothing
            if not ok or self.dropping:
                return False
            if not self.open:
                self.credit -= 1
            return True

    def let(self, n=1):
        with self.cv:
            self.credit += n
            self.cv.notify_all()

    def release(self):
        with self.cv:
            self.open = True
            self.cv.notify_all()

    def close(self, credit):
        """From now on lets `credit` chunks through and holds the rest,
        failing none, its count of chunks put started again."""
        with self.cv:
            self.open = False
            self.credit = credit
            self.fail_put = 0
            self.puts = 0


relay = Relay()
target = urllib.parse.urlsplit(centre)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if self.command == "PUT":
            with relay.cv:
                relay.puts += 1
                n = relay.puts
            if n == relay.fail_put:
                return self.reply(503, {"Content-Type": "application/json"},
                                  b'{"error":{"code":"unavailable","message":"FICTIONAL relay down"}}')
            if not relay.hold():
                return self.reply(503, {"Content-Type": "application/json"},
                                  b'{"error":{"code":"unavailable","message":"FICTIONAL relay dropped"}}')
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        c = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        c.request(self.command, self.path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        keep = {k: v for k, v in r.getheaders()
                if k.lower() in ("content-type", "etag", "content-range")}
        split = len(data) // 2 if self.path.startswith("/api/v1/sync/pack") and r.status == 200 else None
        self.reply(r.status, keep, data, split)

    def reply(self, status, headers, data, split=None):
        try:
            self.send(status, headers, data, split)
        except OSError:
            pass   # the client is gone (a server killed mid-request)

    def send(self, status, headers, data, split=None):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        if split:
            self.wfile.write(data[:split])
            self.wfile.flush()
            relay.hold()
            data = data[split:]
        self.wfile.write(data)
        self.close_connection = True

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
relay_url = "http://127.0.0.1:%d" % server.server_address[1]
# The same relay over TLS, with its own certificate.
tls = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tls.daemon_threads = True
tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
tls_ctx.load_cert_chain(cert_file, key_file)
tls.socket = tls_ctx.wrap_socket(tls.socket, server_side=True)
threading.Thread(target=tls.serve_forever, daemon=True).start()
tls_url = "https://127.0.0.1:%d" % tls.server_address[1]

admin = Session(base=laptop).login("admin")
JOBS = "/api/v1/sync/peers/centre/jobs"


def start(kind, **extra):
    body = {"kind": kind, "token": token, "url": relay_url}
    body.update(extra)
    return admin.post(JOBS, body)


def watch(job, until):
    """The job, asked again until until(job) holds or it ended (bounded:
    a minute of asking)."""
    for _ in range(600):
        r = admin.get(JOBS + "/" + job["id"])
        if r.status != 200:
            return {"status": r.status, "body": r.body[:300]}
        job = r.json()
        if until(job) or job["state"] != "running":
            return job
        time.sleep(0.1)
    return job


def brief(j):
    return {k: j.get(k) for k in ("state", "stage", "done", "total", "versions", "resumed_at", "error", "notes")}


# ---- a push cut short by a chunk refused on the way ------------------------------
relay.fail_put = 3
relay.release()
r = start("push", chunk_size=CHUNK)
job = r.json() if r.status == 202 else {}
res.check("a push job starts: 202 with its id, running, who started it, no token in it",
          r.status == 202 and len(job.get("id", "")) == 32 and job["state"] == "running"
          and job["kind"] == "push" and job["started_by"] == "admin" and token not in r.body.decode(),
          (r.status, r.body[:300]))
job = watch(job, lambda j: False)
res.check("the push cut short ends failed, with the relay's message",
          job.get("state") == "failed" and "503" in job["error"]["message"]
          and "FICTIONAL relay down" in job["error"]["message"], brief(job))
res.check("... after two chunks of the pack were received", job.get("done") == 2 * CHUNK, brief(job))
res.check("what went into the pack is told", (job.get("packed") or {}).get("files", 0) >= 1, job.get("packed"))

# ---- the next push resumes, watched chunk by chunk -----------------------------------
with relay.cv:
    relay.open = False
    relay.fail_put = 0
    relay.puts = 0
r = start("push", chunk_size=CHUNK)
job = r.json() if r.status == 202 else {}
res.check("a second push job starts (202)", r.status == 202, (r.status, r.body[:300]))
first = watch(job, lambda j: j["stage"] == "uploading" and relay.waiting > 0)
res.check("state 1: resumed at the offset the centre holds, uploading, held at the third chunk",
          first.get("state") == "running" and first["stage"] == "uploading"
          and first["resumed_at"] == 2 * CHUNK and first["done"] == 2 * CHUNK
          and first["total"] > 10 * CHUNK
          and any("resuming the upload at byte %d" % (2 * CHUNK) in n for n in first["notes"]), brief(first))
total = first.get("total", 0)

again = start("push")
res.check("a second push to the same peer while one runs: 409 naming it",
          again.status == 409 and "running" in error_of(again).get("message", "")
          and again.json().get("job", {}).get("id") == job.get("id"), (again.status, again.body[:300]))
pull = start("pull")
res.check("a pull from that peer meanwhile: 409 too", pull.status == 409, (pull.status, pull.body[:200]))
sync = admin.post("/api/v1/sync/peers/centre/push", {"token": token, "url": relay_url})
res.check("the push of the CLI's route meanwhile: 409 too", sync.status == 409, (sync.status, sync.body[:200]))
status = admin.get("/api/v1/sync/status").json()
mine = [p.get("job") for p in status["peers"] if p["name"] == "centre"]
res.check("the status shows the running job with the peer (a page opened again finds it)",
          mine and mine[0] and mine[0]["id"] == job["id"] and mine[0]["state"] == "running", mine)

relay.let(1)
second = watch(job, lambda j: j["done"] >= 3 * CHUNK)
res.check("state 2: one more chunk sent (%d of %d bytes)" % (second.get("done", 0), total),
          second.get("state") == "running" and second["done"] == 3 * CHUNK and second["total"] == total,
          brief(second))
relay.let(1)
third = watch(job, lambda j: j["done"] >= 4 * CHUNK)
res.check("state 3: another (%d of %d bytes)" % (third.get("done", 0), total),
          third.get("state") == "running" and third["done"] == 4 * CHUNK, brief(third))
relay.release()
end = watch(job, lambda j: False)
result = end.get("result") or {}
res.check("the push ends done: every byte sent, the pack applied", end.get("state") == "done"
          and end["stage"] == "done" and end["done"] == end["total"] == total and result.get("done")
          and result["applied"]["files"] >= 1 and end["ended_at"], brief(end))
r = admin.get(JOBS + "/" + job["id"])
res.check("the ended job is still there to be read", r.status == 200 and r.json()["state"] == "done",
          (r.status, r.body[:200]))
r = admin.get(JOBS)
listed = r.json().get("jobs", []) if r.status == 200 else []
res.check("GET .../jobs lists the peer's jobs, newest first: the push done, the one cut short",
          [(j["id"], j["state"]) for j in listed[:1]] == [(job["id"], "done")]
          and [j["state"] for j in listed[1:2]] == ["failed"], [brief(j) for j in listed])

# ---- a pull, watched half downloaded -------------------------------------------------
with relay.cv:
    relay.open = False
r = start("pull")
job = r.json() if r.status == 202 else {}
res.check("a pull job starts (202)", r.status == 202 and job.get("kind") == "pull", (r.status, r.body[:300]))
half = watch(job, lambda j: j["stage"] == "downloading" and j["done"] > 0 and relay.waiting > 0)
res.check("the pull is seen downloading, part of the pack received",
          half.get("state") == "running" and half["stage"] == "downloading"
          and 0 < half["done"] < half["total"], brief(half))
res.check("no record version is counted while the pack downloads",
          half.get("versions") == {"done": 0, "total": 0}, brief(half))
relay.release()
end = watch(job, lambda j: False)
imported = (end.get("result") or {}).get("imported") or {}
res.check("the pull ends done with what was imported", end.get("state") == "done"
          and imported.get("versions", 0) >= 1 and imported.get("files", 0) >= 1, brief(end))
read = imported.get("versions", 0) + imported.get("already_held", 0)
res.check("the job counted every record version of the pack it imported, of the pack's",
          read >= 1 and end.get("versions") == {"done": read, "total": read}, (read, brief(end)))

# ---- refusals -------------------------------------------------------------------------
r = admin.post(JOBS, {"kind": "fetch", "token": token, "url": relay_url})
res.check("a kind that is neither push nor pull: 400 naming the field", r.status == 400
          and error_of(r).get("field") == "kind", r.body[:200])
r = admin.post(JOBS, {"kind": "push", "token": token, "url": relay_url, "chunk_size": 10})
res.check("a chunk size out of range: 400 naming the field and the range", r.status == 400
          and error_of(r).get("field") == "chunk_size" and "1024" in error_of(r).get("message", ""), r.body[:200])
r = admin.post("/api/v1/sync/peers/nobody/jobs", {"kind": "push", "token": token, "url": relay_url})
res.check("a job with a peer not pinned: 404", r.status == 404, r.body[:200])
r = admin.get(JOBS + "/" + "0" * 32)
res.check("a job that is not there: 404", r.status == 404, r.body[:200])
r = start("push", token="not-the-token")
job = r.json() if r.status == 202 else {}
end = watch(job, lambda j: False) if job else {}
res.check("a wrong token of the peer's server: the job ends failed with the peer's 401",
          end.get("state") == "failed" and "401" in end["error"]["message"], brief(end))

# ---- over TLS: the certificate kept with the peer, used by the job's thread ------------
line = [p["line"] for p in admin.get("/api/v1/sync/peers").json()["peers"] if p["name"] == "centre"][0]
admin.post("/api/v1/sync/peers", {"name": "centre", "line": line, "url": tls_url})
r = admin.post(JOBS, {"kind": "pull", "token": token})
end = watch(r.json(), lambda j: False) if r.status == 202 else {}
res.check("over TLS without the peer's certificate: the job fails, saying so",
          end.get("state") == "failed" and "certificate" in end["error"]["message"].lower(), brief(end))
r = admin.post("/api/v1/sync/peers", {"name": "centre", "line": line, "url": tls_url,
                                      "cacert": open(cert_file).read()})
res.setup("the certificate pinned with the peer", r.status == 201, r.body[:300])
r = admin.post(JOBS, {"kind": "pull", "token": token})
end = watch(r.json(), lambda j: False) if r.status == 202 else {}
res.check("over TLS with the certificate kept with the peer: the job (on its own thread) ends done",
          end.get("state") == "done", brief(end))

# ---- a job ending while another holds the laptop archive's write lock ---------------------
HOLD = 13   # seconds: longer than a connection waits for the lock (10 s, store.c)


def hold_lock():
    """attest-sql on the laptop's archive in a transaction that holds its
    write lock (BEGIN IMMEDIATE), once it holds it; COMMIT on stdin ends it."""
    p = subprocess.Popen([os.environ["ATTEST_SQL"], laptop_dir], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, pass_fds=(3,))
    p.stdin.write(b"BEGIN IMMEDIATE;\nSELECT 'held';\n")
    p.stdin.flush()
    return p if p.stdout.readline() == b"held\n" else None


def row_state(job_id):
    out = subprocess.run([os.environ["ATTEST_SQL"], laptop_dir,
                          "SELECT state FROM sync_job WHERE id = '%s'" % job_id],
                         capture_output=True, pass_fds=(3,), timeout=60)
    return out.stdout.decode().strip()


r = admin.request("POST", "/api/v1/evidence?filename=fictional-locked.bin&source=dc-jcb000000001",
                  body=os.urandom(1024 * 1024))
res.setup("a vault file on the laptop for a push that ends under the lock", r.status in (200, 201), r.body[:300])
relay.close(1)
holder = hold_lock()   # as the push starts: its row cannot be saved
res.setup("the laptop archive's write lock held by another connection", holder is not None)
r = start("push", chunk_size=CHUNK)
job = r.json() if r.status == 202 else {}
r = admin.get(JOBS)
listed = [j["id"] for j in r.json().get("jobs", [])] if r.status == 200 else []
res.check("a push started while the lock kept its row out is listed first all the same",
          job and listed[:1] == [job["id"]], (r.status, job.get("id"), listed[:3]))
if holder:
    holder.communicate(b"COMMIT;\n", timeout=60)
held = watch(job, lambda j: j["done"] >= CHUNK and relay.waiting > 0)
holder = hold_lock()
res.setup("the write lock held again", holder is not None, held)
locked_at = time.monotonic()
with relay.cv:   # the chunk held is refused: the push ends failed while the lock is held
    relay.dropping = True
    relay.cv.notify_all()
    relay.cv.wait_for(lambda: relay.waiting == 0, timeout=60)
    relay.dropping = False
    relay.open = True
during = watch(job, lambda j: False)
seen_after = time.monotonic() - locked_at
res.check("while the lock keeps its end out of the archive, the job reads failed (%.1f s into %d)"
          % (seen_after, HOLD), during.get("state") == "failed" and seen_after < HOLD, brief(during))
time.sleep(max(0, HOLD - (time.monotonic() - locked_at)))
if holder:
    holder.communicate(b"COMMIT;\n", timeout=60)
deadline = time.monotonic() + 30   # the server tries again within seconds of the lock's end
while row_state(job.get("id", "none")) == "running" and time.monotonic() < deadline:
    time.sleep(0.5)
r = admin.get(JOBS + "/" + job.get("id", "none"))
end = r.json() if r.status == 200 else {}
res.check("the push that ended while the archive's write lock was held %d s reads back failed, with "
          "its message, the chunk sent and what was packed, not running" % HOLD,
          end.get("state") == "failed" and "FICTIONAL relay dropped" in (end.get("error") or {}).get("message", "")
          and end.get("done") == CHUNK and end.get("total", 0) > CHUNK
          and (end.get("packed") or {}).get("files", 0) >= 1 and end.get("ended_at"), brief(end))
res.check("... and so does its row in the archive once the lock is free",
          row_state(job.get("id", "none")) == "failed", row_state(job.get("id", "none")))
r = start("push", chunk_size=CHUNK)   # its pack, left in the outbox, delivered
end = watch(r.json(), lambda j: False) if r.status == 202 else {}
res.setup("the push started again after the lock ends done", end.get("state") == "done", brief(end))

# ---- the laptop's server killed mid-push, started again ---------------------------------
def serve():
    """The laptop's server started again on its port; answers within a minute."""
    port = urllib.parse.urlsplit(laptop).port
    rfd, wfd = os.pipe()   # the passphrase, as lib.sh gives it
    os.write(wfd, (os.environ["HTTP_TEST_PASSPHRASE"] + "\n").encode())
    os.close(wfd)
    p = subprocess.Popen([attest_bin, "-A", laptop_dir, "serve", "--port", str(port)],
                         stdout=subprocess.DEVNULL, stderr=open(laptop_log, "ab"), pass_fds=(rfd,),
                         env=dict(os.environ, ATTEST_PASSPHRASE_FD=str(rfd)))
    os.close(rfd)
    for _ in range(600):
        try:
            if Session(base=laptop).get("/api/v1/openapi.json").status == 200:
                break
        except OSError:
            time.sleep(0.1)
    else:
        print("# the laptop's server did not start again: " + open(laptop_log).read()[-600:])
    return p


r = admin.request("POST", "/api/v1/evidence?filename=fictional-late.bin&source=dc-jcb000000001",
                  body=os.urandom(3 * 1024 * 1024))
res.setup("a second large vault file on the laptop", r.status in (200, 201), r.body[:300])
relay.close(2)
r = start("push", chunk_size=CHUNK)
job = r.json() if r.status == 202 else {}
held = watch(job, lambda j: j["done"] >= 2 * CHUNK and relay.waiting > 0)
os.kill(laptop_pid, signal.SIGKILL)
with relay.cv:
    relay.dropping = True
    relay.cv.notify_all()
    relay.cv.wait_for(lambda: relay.waiting == 0, timeout=60)
    relay.dropping = False
    relay.open = True
again = serve()
admin = Session(base=laptop).login("admin")
r = admin.get(JOBS + "/" + job.get("id", "none"))
cut = r.json() if r.status == 200 else {}
res.check("killed mid-push (%d of %d bytes sent), started again: the job reads back interrupted, "
          "saying the outbox's pack waits and to push again" % (held.get("done", 0), held.get("total", 0)),
          cut.get("state") == "interrupted" and cut.get("kind") == "push" and cut.get("started_by") == "admin"
          and "push again" in (cut.get("error") or {}).get("message", "")
          and "outbox" in cut["error"]["message"] and cut.get("ended_at"), (r.status, r.body[:400]))
r = admin.get(JOBS)
res.check("... and is listed first among the peer's jobs", r.status == 200
          and r.json()["jobs"][0]["id"] == job.get("id"), r.body[:300])
status = admin.get("/api/v1/sync/status").json()
mine = [p.get("job") for p in status["peers"] if p["name"] == "centre"]
res.check("the status shows it as the peer's last job", mine and mine[0]
          and mine[0]["id"] == job.get("id") and mine[0]["state"] == "interrupted", mine)
r = start("push", chunk_size=CHUNK)
end = watch(r.json(), lambda j: False) if r.status == 202 else {}
res.check("the push started again resumes from what the centre received and ends done",
          end.get("state") == "done" and end["resumed_at"] == 2 * CHUNK
          and (end.get("result") or {}).get("done"), brief(end))

# ---- under the laptop archive's write lock: progress, then a stop -------------------------
LOCK_WAIT = 10   # seconds a write waits for the lock (STORE_LOCK_WAIT_MS)
r = admin.request("POST", "/api/v1/evidence?filename=fictional-stop.bin&source=dc-jcb000000001",
                  body=os.urandom(1024 * 1024))
res.setup("a third vault file on the laptop", r.status in (200, 201), r.body[:300])
relay.release()
holder = hold_lock()
res.setup("the laptop archive's write lock held", holder is not None)
asked_at = time.monotonic()
r = start("push", chunk_size=CHUNK)
job = r.json() if r.status == 202 else {}
stages = [job.get("stage")]


def applying(j):
    if j["stage"] != stages[-1]:
        stages.append(j["stage"])
    return j["stage"] == "applying"


moving = watch(job, applying) if job else {}
moved_in = time.monotonic() - asked_at
res.check("with the write lock held, the push's stages still move: applying %.1f s after it was "
          "asked for (%s), not %d s a stage" % (moved_in, " > ".join(map(str, stages)), LOCK_WAIT),
          moving.get("stage") == "applying" and moved_in < LOCK_WAIT - 1, (moved_in, brief(moving)))
ended = watch(job, lambda j: False) if job else {}
res.check("the push the centre applied ends done though the lock kept this archive from recording "
          "the exchange, a note saying so", ended.get("state") == "done"
          and (ended.get("result") or {}).get("applied", {}).get("files", 0) >= 1
          and any("could not record the exchange" in n for n in ended.get("notes", [])), brief(ended))
stop_at = time.monotonic()
again.send_signal(signal.SIGTERM)
try:
    again.wait(timeout=60)
except subprocess.TimeoutExpired:
    again.kill()
stopped_in = time.monotonic() - stop_at
log = open(laptop_log, errors="replace").read()
res.check("stopped cleanly with the lock still held, the server ends within %.0f s (%.1f s), saying "
          "where the job's end waits" % (LOCK_WAIT + 5, stopped_in),
          again.returncode == 0 and stopped_in < LOCK_WAIT + 5
          and ("sync job %s: the server stops before its end could be saved; it waits in sync-jobs/"
               % job.get("id")) in log, (again.returncode, log[-800:]))
aside = os.path.join(laptop_dir, "sync-jobs", "%s.end" % job.get("id"))
sealed = open(aside, "rb").read() if os.path.exists(aside) else b""
words = [b"centre", b"admin", b"push", b"FICTIONAL", job.get("id", "none").encode()]
res.check("the end set aside in the archive's directory is sealed: no peer, user, kind, message "
          "or id in it", sealed and not any(w in sealed for w in words), (aside, sealed[:80]))
if holder:
    holder.communicate(b"COMMIT;\n", timeout=60)
again = serve()
admin = Session(base=laptop).login("admin")
r = admin.get(JOBS + "/" + job.get("id", "none"))
back = r.json() if r.status == 200 else {}
res.check("started again once the lock is free: the job reads back %s as it ended, with its bytes "
          "and what was packed, not interrupted" % ended.get("state"),
          back.get("state") == ended.get("state") and back.get("error") == ended.get("error")
          and back.get("result") == ended.get("result") and back.get("done") == ended.get("done") > 0
          and (back.get("packed") or {}).get("files", 0) >= 1 and back.get("ended_at") == ended.get("ended_at"),
          (r.status, brief(back), brief(ended)))
res.check("... its row in the archive too, the file set aside removed, the start saying so",
          row_state(job.get("id", "none")) == ended.get("state") and not os.path.exists(aside)
          and "saved the end of 1 sync job set aside at the last stop" in open(laptop_log, errors="replace").read(),
          (row_state(job.get("id", "none")), os.path.exists(aside)))
again.send_signal(signal.SIGTERM)
again.wait(timeout=60)
sys.exit(1 if res.failed else 0)
