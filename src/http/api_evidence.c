/*
 * api_evidence.c: /api/v1/evidence: upload, list, details with custody,
 * and download.
 *
 * A download is decrypted and checked as it is sent, never into a file.
 *
 * A preview is the same stream sent inline, only for media types a
 * browser shows without running anything (images other than SVG, audio,
 * video; any text as text/plain), each under a Content-Security-Policy
 * that sandboxes it and loads nothing else.  A PDF is never sent: its
 * pages are drawn as PNG images in a sandbox (core's preview.c), and the
 * pages drawn are kept in memory, never on disk, for the next reader
 * (who passes the same gate first).  Anything else is for download.
 *
 * An upload is the raw body, with the file's details in the query.  All
 * that can refuse it is decided from the head, before a byte of the body
 * is read: who is asking (route.c), the details, whether the user may add
 * evidence at that clearance, and a place under the upload limits of
 * `attest serve`.  The body is then encrypted as it arrives (vault.h), so
 * that no plaintext reaches the disk, and stored when complete.
 */
#include "http.h"
#include "server.h"
#include "../core/evlog.h"
#include "../core/preview.h"
#include "../core/vault.h"
#include "../core/vocab.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Space left free on the vault's file system whatever uploads declare:
 * for the database and its log. */
#define UPLOAD_DISK_RESERVE ((uint64_t)64 << 20)

/* Uploads in progress: per user (one entry per user with any; there are
 * never more users than uploads, so the entries never run out, and an
 * entry stays put while a request holds it) and in all. */
struct uploader {
    char user[64];
    unsigned uploads;   /* 0: the entry is free */
    uint64_t bytes;
};

static pthread_mutex_t uploads_lock = PTHREAD_MUTEX_INITIALIZER;
static struct uploader *uploaders;  /* server_upload_limits()->total entries */
static unsigned uploads_total;
static uint64_t uploads_bytes;

/* The entry of user, or a free one; under the lock. */
static struct uploader *uploader_of(const char *user)
{
    const struct upload_limits *lim = server_upload_limits();
    struct uploader *free_one = NULL;

    if (uploaders == NULL)
        uploaders = xcalloc(lim->total, sizeof *uploaders);
    for (unsigned i = 0; i < lim->total; i++) {
        if (uploaders[i].uploads && strcmp(uploaders[i].user, user) == 0)
            return &uploaders[i];
        if (uploaders[i].uploads == 0 && free_one == NULL)
            free_one = &uploaders[i];
    }
    return free_one;
}

/* Bytes free for uploads on the vault's file system. */
static uint64_t disk_free(void)
{
    struct statvfs vfs;
    char dir[512];
    uint64_t avail;

    snprintf(dir, sizeof dir, "%s/vault", server_archive());
    if (statvfs(dir, &vfs) != 0)
        return UINT64_MAX; /* unknown: writing will say */
    avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    return avail > UPLOAD_DISK_RESERVE ? avail - UPLOAD_DISK_RESERVE : 0;
}

/* Takes a place for r's upload of length bytes under the limits; returns
 * 0, or the error status it set: 413 when the upload alone is more than a
 * user may send at once, 429 when the user or the server has as many
 * uploads in progress as allowed, 507 when the disk cannot take it. */
static int uploads_take(struct request *r, uint64_t length)
{
    const struct upload_limits *lim = server_upload_limits();
    uint64_t space = disk_free();
    struct uploader *u;
    int status = 0;

    if (length > lim->bytes_per_user)
        return http_error(r, 413, "too_large", NULL, "the file is %" PRIu64 " bytes; this server "
                          "takes at most %" PRIu64 " bytes of uploads at once from one user",
                          length, lim->bytes_per_user);
    pthread_mutex_lock(&uploads_lock);
    u = uploader_of(r->keys.user);
    if (uploads_total >= lim->total || u == NULL)
        status = http_error(r, 429, "too_many_uploads", NULL, "the server has %u uploads in "
                            "progress, as many as it takes; try again when one is done",
                            uploads_total);
    else if (u->uploads >= lim->per_user)
        status = http_error(r, 429, "too_many_uploads", NULL, "you have %u uploads in progress, "
                            "as many as one user may; try again when one is done", u->uploads);
    else if (u->bytes + length > lim->bytes_per_user)
        status = http_error(r, 429, "too_many_uploads", NULL, "your uploads in progress and this "
                            "one come to more than the %" PRIu64 " bytes one user may send at "
                            "once; try again when one is done", lim->bytes_per_user);
    else if (uploads_bytes + length > space)
        status = http_error(r, 507, "insufficient_storage", NULL, "the server's disk has no room "
                            "for %" PRIu64 " more bytes", length);
    if (status == 0) {
        snprintf(u->user, sizeof u->user, "%s", r->keys.user);
        u->uploads++;
        u->bytes += length;
        uploads_total++;
        uploads_bytes += length;
        r->uploader = u;
        r->upload_length = length;
    }
    pthread_mutex_unlock(&uploads_lock);
    return status;
}

/* Reads the upload's details from the query into a; returns 0, or the
 * error status it set. */
static int upload_args(struct request *r, struct vault_add *a)
{
    const char *clearance = http_arg(r, "clearance");

    *a = (struct vault_add){ .filename = http_arg(r, "filename"),
                             .media_type = http_arg(r, "media_type"),
                             .link = http_arg(r, "interview"),
                             .parent = http_arg(r, "working_copy_of"), .clearance = -1 };
    if (a->link == NULL)
        a->link = http_arg(r, "source");
    if (a->filename == NULL || *a->filename == '\0')
        return http_error(r, 400, "invalid", "filename", "give the file's name in ?filename=");
    if (clearance && vocab_clearance_parse(&r->ctx, clearance, &a->clearance) != AT_OK)
        return http_error(r, 400, "invalid", "clearance", "%s", r->ctx.message);
    return 0;
}

int api_evidence_upload_begin(struct request *r)
{
    struct vault_add a;
    uint64_t n;
    int status, rc;

    if ((status = memupload_length(r, 0, &n)) != 0)
        return status;
    if ((status = upload_args(r, &a)) != 0)
        return status;
    store_set_session(r->st, &r->keys);
    rc = vault_add_check(&r->ctx, r->st, &a);
    if (rc == AT_OK && (status = uploads_take(r, n)) == 0)
        rc = vault_upload_begin(&r->ctx, r->st, &a, &r->upload);
    store_set_session(r->st, NULL);
    if (status != 0)
        return status;
    if (rc != AT_OK) {
        api_evidence_upload_end(r);
        return http_core_error(r, rc);
    }
    return 0;
}

void api_evidence_upload_take(struct request *r, const char *data, size_t size)
{
    if (!r->upload_failed && vault_upload_write(&r->ctx, r->upload, data, size) != AT_OK)
        r->upload_failed = true;
}

void api_evidence_upload_end(struct request *r)
{
    struct uploader *u = r->uploader;

    vault_upload_free(r->upload);
    r->upload = NULL;
    if (u == NULL)
        return;
    pthread_mutex_lock(&uploads_lock);
    u->uploads--;
    u->bytes -= r->upload_length;
    uploads_total--;
    uploads_bytes -= r->upload_length;
    pthread_mutex_unlock(&uploads_lock);
    r->uploader = NULL;
}

struct upload_finish {
    struct vault_upload *upload;
    const struct vault_add *a;
    char *id;       /* VAULT_ID_MAX bytes */
    bool *existed;
};

/* Sweeps what an interrupted add left, then stores the upload. */
static int finish_upload(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct upload_finish *u = arg;
    long swept;
    int rc = vault_sweep(ctx, st, &swept);

    return rc == AT_OK ? vault_upload_finish(ctx, st, u->upload, u->a, u->id, u->existed) : rc;
}

int api_evidence_upload(struct request *r)
{
    struct vault_add a;
    char id[VAULT_ID_MAX];
    bool existed;
    json_t *item;
    int rc, status;

    if (r->upload == NULL)
        return http_error(r, 500, "internal", NULL, "the upload was not received");
    if (r->upload_failed)
        return http_error(r, 500, "internal", NULL, "the upload could not be stored: %s",
                          r->ctx.message);
    if ((status = upload_args(r, &a)) != 0)
        return status;
    rc = evlog_write(&r->ctx, r->st, finish_upload,
                     &(struct upload_finish){ r->upload, &a, id, &existed });
    api_evidence_upload_end(r); /* its place is free before the reply */
    if (rc != AT_OK || (rc = vault_item(&r->ctx, r->st, id, &item)) != AT_OK)
        return http_core_error(r, rc);
    json_object_set_new(item, "already_present", json_boolean(existed));
    return http_json(r, existed ? 200 : 201, item);
}

int api_evidence_list(struct request *r)
{
    json_t *items;
    int rc = vault_list(&r->ctx, r->st, &items);

    return rc == AT_OK ? http_json(r, 200, json_pack("{s:o}", "items", items)) : http_core_error(r, rc);
}

int api_evidence_get(struct request *r)
{
    json_t *item, *custody;
    int rc;

    if ((rc = vault_item(&r->ctx, r->st, r->params[0], &item)) != AT_OK)
        return http_core_error(r, rc);
    if ((rc = vault_custody(&r->ctx, r->st, r->params[0], &custody)) != AT_OK) {
        json_decref(item);
        return http_core_error(r, rc);
    }
    json_object_set_new(item, "custody", custody);
    return http_json(r, 200, item);
}

/* A download: the item decrypted and checked as it is sent. */
struct download {
    struct at_ctx ctx;
    struct vault_reader *reader;
    char id[VAULT_ID_MAX];
};

static ssize_t download_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct download *d = cls;
    ssize_t n = vault_read(&d->ctx, d->reader, buf, max);

    (void)pos;
    if (n < 0) {
        /* The reply is cut short, so the client never takes it whole. */
        fprintf(stderr, "attest: the download of %s stopped: %s\n", d->id, d->ctx.message);
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    return n > 0 ? n : MHD_CONTENT_READER_END_OF_STREAM;
}

static void download_free(void *cls)
{
    struct download *d = cls;

    vault_close(d->reader);
    free(d);
}

/* Sends item id decrypted as it goes, as content_type; 200, or the error
 * status set. */
static int send_item(struct request *r, const char *content_type)
{
    struct download *d = xcalloc(1, sizeof *d);
    int rc;

    snprintf(d->id, sizeof d->id, "%s", r->params[0]);
    if ((rc = vault_open(&r->ctx, r->st, r->params[0], &d->reader, &r->file_len)) != AT_OK) {
        download_free(d);
        return http_core_error(r, rc);
    }
    r->stream = download_read;
    r->stream_free = download_free;
    r->stream_arg = d;
    r->content_type = content_type;
    r->status = 200;
    return 200;
}

int api_evidence_file(struct request *r)
{
    static __thread char disposition[320];
    int status = send_item(r, "application/octet-stream");

    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s.bin\"", r->params[0]);
    r->disposition = disposition;
    return status;
}

/* The media types a preview is sent as: what the item's recorded type
 * starts with, and what it is sent as (NULL: as recorded). */
static const struct {
    const char *prefix, *sent_as;
} previewable[] = {
    { "image/png", NULL }, { "image/jpeg", NULL }, { "image/gif", NULL }, { "image/webp", NULL },
    { "audio/", NULL }, { "video/", NULL },
    { "text/", "text/plain; charset=utf-8" }, { "application/json", "text/plain; charset=utf-8" },
};

/* Where a preview is sent from the item's recorded media type, or NULL
 * when it has none a browser may show safely. */
static const char *preview_type(const char *media_type)
{
    static __thread char type[96];

    if (media_type == NULL || strcspn(media_type, "\r\n\"") != strlen(media_type))
        return NULL;
    for (size_t i = 0; i < ARRAY_LEN(previewable); i++) {
        if (strncmp(media_type, previewable[i].prefix, strlen(previewable[i].prefix)) != 0)
            continue;
        if (previewable[i].sent_as)
            return previewable[i].sent_as;
        snprintf(type, sizeof type, "%.*s", (int)strcspn(media_type, "; "), media_type);
        return type;
    }
    return NULL;
}

/* Whether media_type is a PDF's. */
static bool is_pdf(const char *media_type)
{
    return media_type && strncmp(media_type, "application/pdf", 15) == 0
        && (media_type[15] == '\0' || media_type[15] == ';');
}

/* The pages of PDFs drawn lately, by item and page (0: the page count
 * alone), the oldest replaced first; an item's bytes never change. */
#define PDF_PAGES_KEPT 64
static struct pdf_page {
    char id[VAULT_ID_MAX];
    unsigned page, pages;
    struct http_bytes *png;  /* NULL for page 0 */
    uint64_t used;
} pdf_pages[PDF_PAGES_KEPT];
static uint64_t pdf_pages_clock;
static pthread_mutex_t pdf_pages_lock = PTHREAD_MUTEX_INITIALIZER;

/* The kept page of id, with a reference to its PNG for the caller; false
 * when it is not kept. */
static bool pdf_page_kept(const char *id, unsigned page, unsigned *pages, struct http_bytes **png)
{
    bool found = false;

    pthread_mutex_lock(&pdf_pages_lock);
    for (size_t i = 0; i < PDF_PAGES_KEPT && !found; i++) {
        struct pdf_page *p = &pdf_pages[i];

        if (p->pages == 0 || p->page != page || strcmp(p->id, id) != 0)
            continue;
        found = true;
        p->used = ++pdf_pages_clock;
        *pages = p->pages;
        if ((*png = p->png) != NULL)
            http_bytes_ref(p->png);
    }
    pthread_mutex_unlock(&pdf_pages_lock);
    return found;
}

/* Keeps page of id (png may be NULL), in place of the least recently used. */
static void pdf_page_keep(const char *id, unsigned page, unsigned pages, struct http_bytes *png)
{
    struct pdf_page *oldest = &pdf_pages[0];

    pthread_mutex_lock(&pdf_pages_lock);
    for (size_t i = 1; i < PDF_PAGES_KEPT; i++)
        if (pdf_pages[i].used < oldest->used)
            oldest = &pdf_pages[i];
    if (oldest->png)
        http_bytes_release(oldest->png);
    snprintf(oldest->id, sizeof oldest->id, "%s", id);
    oldest->page = page;
    oldest->pages = pages;
    oldest->png = png;
    if (png)
        http_bytes_ref(png);
    oldest->used = ++pdf_pages_clock;
    pthread_mutex_unlock(&pdf_pages_lock);
}

/* The sandbox's limits: core's, of which the environment may only lower
 * the processor seconds (ATTEST_PREVIEW_CPU_S, for the test of a PDF that
 * the limits stop). */
static struct sandbox_limits preview_lim;
static pthread_once_t preview_lim_once = PTHREAD_ONCE_INIT;

static void preview_limits_set(void)
{
    const char *cpu = getenv("ATTEST_PREVIEW_CPU_S");
    unsigned long n = cpu ? strtoul(cpu, NULL, 10) : 0;

    preview_lim = sandbox_defaults;
    if (n >= 1 && n < preview_lim.cpu_s)
        preview_lim.cpu_s = (unsigned)n;
}

/* A PDF's preview: without ?page= its page count as JSON, with it that
 * page as PNG. */
static int preview_pdf_reply(struct request *r)
{
    const char *arg = http_arg(r, "page");
    unsigned page = 0, pages = 0;
    struct http_bytes *png = NULL;
    struct buf out = BUF_INIT;
    char *end = NULL;
    int rc;

    if (arg) {
        unsigned long n = strtoul(arg, &end, 10);

        if (*arg < '1' || *arg > '9' || *end != '\0' || n > PREVIEW_PDF_PAGES_MAX)
            return http_error(r, 400, "invalid", "page", "?page= takes a page number from 1 to "
                              "%u", PREVIEW_PDF_PAGES_MAX);
        page = (unsigned)n;
    }
    if (!pdf_page_kept(r->params[0], page, &pages, &png)) {
        pthread_once(&preview_lim_once, preview_limits_set);
        rc = preview_pdf(&r->ctx, r->st, &preview_lim, r->params[0], page, &pages,
                         page ? &out : NULL);
        if (rc == AT_ERR && strncmp(r->ctx.message, "the sandbox", 11) == 0)
            return http_error(r, 503, "sandbox_unavailable", NULL, "PDF preview needs the "
                              "sandbox: %s; download the PDF to open it", r->ctx.message);
        if (rc == AT_EINVAL && strncmp(r->ctx.message, "field", 5) != 0)
            return http_error(r, 422, "unreadable", NULL, "%s; download it to open it",
                              r->ctx.message);
        if (rc != AT_OK) {
            buf_free(&out);
            return http_core_error(r, rc);
        }
        if (page) {
            size_t len = out.len;

            png = http_bytes_new(buf_detach(&out), len, "image/png");
        }
        pdf_page_keep(r->params[0], page, pages, png);
    }
    if (png == NULL)
        return http_json(r, 200, json_pack("{s:s,s:I,s:I}", "media_type", "application/pdf",
                                           "pages", (json_int_t)pages, "pages_shown",
                                           (json_int_t)(pages < PREVIEW_PDF_PAGES_MAX
                                                        ? pages : PREVIEW_PDF_PAGES_MAX)));
    r->disposition = "inline";
    r->csp = "default-src 'none'; sandbox; frame-ancestors 'none'";
    r->status = 200;
    return http_reply_bytes(r, png);
}

/* GET /api/v1/evidence/{id}/preview[?page=N] */
int api_evidence_preview(struct request *r)
{
    const char *type;
    bool pdf;
    json_t *item;
    int rc;

    if ((rc = vault_item(&r->ctx, r->st, r->params[0], &item)) != AT_OK)
        return http_core_error(r, rc);
    type = preview_type(json_string_value(json_object_get(item, "media_type")));
    pdf = is_pdf(json_string_value(json_object_get(item, "media_type")));
    json_decref(item);
    if (pdf)
        return preview_pdf_reply(r);
    if (type == NULL)
        return http_error(r, 415, "not_previewable", NULL, "this item's media type is not shown in "
                          "the browser; download it to open it");
    r->disposition = "inline";
    r->csp = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox; "
             "frame-ancestors 'none'";
    return send_item(r, type);
}

/* POST /api/v1/evidence/{id}/custody {action, from, to, how, at, note} */
struct custody_write {
    const char *id;
    const struct custody_event *e;
};

static int add_custody(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct custody_write *c = arg;

    return vault_custody_add(ctx, st, c->id, c->e);
}

int api_evidence_custody_add(struct request *r)
{
    static const char *const names[] = { "action", "from", "to", "how", "at", "note" };
    json_t *body = http_body_json(r, true), *events, *v;
    const char *text[ARRAY_LEN(names)];
    struct custody_event e;
    int rc, status = 0;

    if (body == NULL)
        return (int)r->status;
    for (size_t i = 0; i < ARRAY_LEN(names) && status == 0; i++) {
        v = json_object_get(body, names[i]);
        text[i] = json_string_value(v);
        if (v && !json_is_string(v) && !json_is_null(v))
            status = http_error(r, 400, "invalid", names[i], "\"%s\" must be text", names[i]);
        else if (text[i] && *text[i] == '\0')
            text[i] = NULL;
    }
    if (status == 0 && text[0] == NULL)
        status = http_error(r, 400, "invalid", "action", "\"action\" is required: received, "
                            "copied, handed_over, examined, exported, ...");
    if (status != 0) {
        json_decref(body);
        return status;
    }
    e = (struct custody_event){ text[0], text[1], text[2], text[3], text[4], text[5] };
    rc = evlog_write(&r->ctx, r->st, add_custody, &(struct custody_write){ r->params[0], &e });
    json_decref(body);
    if (rc != AT_OK || (rc = vault_custody(&r->ctx, r->st, r->params[0], &events)) != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 201, json_pack("{s:o}", "custody", events));
}
