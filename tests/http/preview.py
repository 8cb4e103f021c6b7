"""preview.py PART: the PDF preview's requests (test_preview.sh).  Parts:
pages (a PDF made here previews as PNG pages, the range is checked, a
malformed PDF is refused clearly and the server stays up, the gate is
the item's), slow (a PDF made to take long is stopped by the sandbox's
limits), nosandbox (the server cannot start bubblewrap: 503 saying so and
to download the PDF, which still downloads).  Prints ok/not ok lines.  FICTIONAL data only."""
import struct
import sys
import zlib

from client import Session, Results, error_of

res = Results()
PNG = b"\x89PNG\r\n\x1a\n"


def make_pdf(pages, strokes=0):
    """A PDF of pages pages, each with a filled square; with strokes, one
    page drawing that many page-wide lines (slow to draw)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            ("<< /Type /Pages /Kids [%s] /Count %d >>"
             % (" ".join("%d 0 R" % (3 + 2 * i) for i in range(pages)), pages)).encode()]
    for i in range(pages):
        content = b"0 0 1 rg %d 72 200 200 re f" % (72 + 40 * i)
        if strokes:
            content = b"0.5 w " + b"0 0 m 612 792 l 612 0 l 0 792 l h S\n" * strokes
        data = zlib.compress(content, 9)
        objs.append(("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R >>"
                     % (4 + 2 * i)).encode())
        objs.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
    out, offsets = b"%PDF-1.4\n", []
    for n, o in enumerate(objs):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % (n + 1) + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def upload(s, name, data, clearance="restricted"):
    r = s.request("POST", "/api/v1/evidence?filename=%s&media_type=application/pdf&clearance=%s"
                  % (name, clearance), body=data, headers={"Content-Type": "application/octet-stream"})
    res.setup("upload " + name, r.status in (200, 201), r.body[:200])
    return r.json()["id"]


def png_size(body):
    return struct.unpack(">II", body[16:24]) if body[:8] == PNG and body[12:16] == b"IHDR" else (0, 0)


admin = Session().login("admin")
part = sys.argv[1]

if part == "pages":
    pdf = upload(admin, "three.pdf", make_pdf(3))
    r = admin.get("/api/v1/evidence/%s/preview" % pdf)
    res.check("a PDF's preview without ?page= gives its page count",
              r.status == 200 and r.json().get("pages") == 3 and r.json().get("pages_shown") == 3, r.body[:200])
    for page in (1, 3):
        r = admin.get("/api/v1/evidence/%s/preview?page=%d" % (pdf, page))
        w, h = png_size(r.body)
        res.check("page %d of 3 is a PNG image, inline" % page,
                  r.status == 200 and r.header("content-type") == "image/png" and r.body[:8] == PNG
                  and r.header("content-disposition") == "inline", (r.status, r.headers, r.body[:40]))
        res.check("page %d's size is sane: letter-shaped, 1400 pixels high" % page,
                  h == 1400 and 1000 < w < 1200, (w, h))
    csp = r.header("content-security-policy") or ""
    res.check("the page image is sent under a sandboxing policy that loads nothing",
              "sandbox" in csp and "default-src 'none'" in csp, csp)
    res.check("the PDF's own bytes are never sent", b"%PDF" not in r.body)
    again = admin.get("/api/v1/evidence/%s/preview?page=3" % pdf)
    res.check("a page asked again is the same image", again.status == 200 and again.body == r.body)
    r = admin.get("/api/v1/evidence/%s/preview?page=4" % pdf)
    res.check("a page past the last: 400 naming page and the pages there are",
              r.status == 400 and error_of(r).get("field") == "page" and "1 to 3" in error_of(r).get("message", ""),
              r.body[:200])
    for bad in ("0", "x", "-1", "51"):
        r = admin.get("/api/v1/evidence/%s/preview?page=%s" % (pdf, bad))
        res.check("?page=%s: 400 naming page and the valid range" % bad,
                  r.status == 400 and error_of(r).get("field") == "page" and "1 to 50" in error_of(r).get("message", ""),
                  r.body[:200])

    junk = upload(admin, "junk.pdf", b"%PDF-1.4\nFICTIONAL: this is not a PDF's body at all\n")
    r = admin.get("/api/v1/evidence/%s/preview?page=1" % junk)
    msg = error_of(r).get("message", "")
    res.check("a malformed PDF: 422 saying it cannot be read and to download it",
              r.status == 422 and "cannot be read" in msg and "download" in msg, r.body[:300])
    res.check("the server is still up after it", admin.get("/api/v1/me").status == 200)

    secret = upload(admin, "secret.pdf", make_pdf(1), clearance="confidential")
    r = Session().login("public").get("/api/v1/evidence/%s/preview?page=1" % secret)
    res.check("the preview passes the item's gate: a reader below its clearance gets 404 or 403",
              r.status in (403, 404) and r.body[:8] != PNG, r.status)
    admin.get("/api/v1/evidence/%s/preview?page=1" % secret)
    r = Session().login("public").get("/api/v1/evidence/%s/preview?page=1" % secret)
    res.check("...even once the page is kept in memory for others", r.status in (403, 404), r.status)

elif part == "slow":
    slow = upload(admin, "slow.pdf", make_pdf(1, strokes=20000))
    r = admin.get("/api/v1/evidence/%s/preview?page=1" % slow, timeout=120)
    msg = error_of(r).get("message", "")
    res.check("a PDF made to take long is stopped by the sandbox's limit: 422 saying so",
              r.status == 422 and "processor time" in msg, r.body[:300])
    res.check("the server is still up after it", admin.get("/api/v1/me").status == 200)

elif part == "nosandbox":
    pdf = upload(admin, "unsandboxed.pdf", make_pdf(2))
    for q in ("", "?page=1"):
        r = admin.get("/api/v1/evidence/%s/preview%s" % (pdf, q))
        e = error_of(r)
        res.check("no sandbox: the preview%s is 503 sandbox_unavailable, naming bubblewrap and saying to "
                  "download the PDF" % (" of a page" if q else ""),
                  r.status == 503 and e.get("code") == "sandbox_unavailable" and "bubblewrap" in e.get("message", "")
                  and "download the PDF" in e.get("message", "") and r.body[:8] != PNG, r.body[:300])
    r = admin.get("/api/v1/evidence/%s/file" % pdf)
    res.check("the PDF itself still downloads", r.status == 200 and r.body[:5] == b"%PDF-", r.body[:40])
    res.check("the server is still up after it", admin.get("/api/v1/me").status == 200)
sys.exit(1 if res.failed else 0)
