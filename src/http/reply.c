/*
 * reply.c: what every handler uses to read its request and answer it:
 * the query-string arguments, the JSON body, the JSON and error replies,
 * with the one mapping of core's results to HTTP statuses, and a file made
 * in memory sent whole.  The
 * server (server.c) sends what these leave on the request.
 */
#include "http.h"
#include "../core/number.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int http_error(struct request *r, unsigned status, const char *code, const char *field,
               const char *fmt, ...)
{
    char message[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return http_json(r, status, json_pack("{s:{s:s, s:s, s:s?}}", "error", "code", code,
                                          "message", message, "field", field));
}

int http_core_error(struct request *r, int rc)
{
    static const struct {
        int rc;
        unsigned status;
        const char *code;
    } map[] = {
        { AT_EINVAL, 400, "invalid" },     { AT_EDENIED, 403, "forbidden" },
        { AT_ENOTFOUND, 404, "not_found" }, { AT_ECONFLICT, 409, "conflict" },
        { AT_ECORRUPT, 500, "corrupt" },   { AT_ERR, 500, "internal" },
    };
    const char *msg = r->ctx.message[0] ? r->ctx.message : "failed";
    char field[64] = "";

    /* Core messages about a field start with: field "NAME": ... */
    if (strncmp(msg, "field \"", 7) == 0)
        sscanf(msg + 7, "%63[^\"]", field);
    for (size_t i = 0; i < ARRAY_LEN(map); i++)
        if (map[i].rc == rc)
            return http_error(r, map[i].status, map[i].code, field[0] ? field : NULL, "%s", msg);
    return http_error(r, 500, "internal", NULL, "%s", msg);
}

int http_json(struct request *r, unsigned status, json_t *reply)
{
    json_decref(r->reply);
    r->reply = reply;
    r->status = status;
    return (int)status;
}

int http_memfile(struct request *r, const char *name)
{
    int fd = memfd_create(name, MFD_CLOEXEC);

    if (fd < 0)
        http_error(r, 500, "internal", NULL, "cannot make an in-memory file: %s", strerror(errno));
    return fd;
}

int http_reply_fd(struct request *r, int fd, const char *content_type, const char *disposition)
{
    struct stat sb;

    if (fstat(fd, &sb) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        int status = http_error(r, 500, "internal", NULL, "cannot read back the file made: %s",
                                strerror(errno));
        close(fd);
        return status;
    }
    r->file_fd = fd;
    r->file_len = (uint64_t)sb.st_size;
    r->content_type = content_type;
    r->disposition = disposition;
    r->status = 200;
    return 200;
}

json_t *http_body_json(struct request *r, bool want_object)
{
    json_error_t jerr;
    json_t *j;

    if (r->body.len == 0) {
        http_error(r, 400, "bad_json", NULL, "the request needs a JSON body");
        return NULL;
    }
    j = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL) {
        http_error(r, 400, "bad_json", NULL, "malformed JSON at line %d, column %d: %s",
                   jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    if (want_object && !json_is_object(j)) {
        json_decref(j);
        http_error(r, 400, "bad_json", NULL, "the body must be a JSON object");
        return NULL;
    }
    return j;
}

void http_message_rename(struct request *r, const char *from, const char *to)
{
    char *at = strstr(r->ctx.message, from);
    struct buf m = BUF_INIT;

    if (at == NULL)
        return;
    buf_printf(&m, "%.*s%s%s", (int)(at - r->ctx.message), r->ctx.message, to, at + strlen(from));
    snprintf(r->ctx.message, sizeof r->ctx.message, "%s", buf_str(&m));
    buf_free(&m);
}

const char *http_arg(struct request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int http_arg_long(struct request *r, const char *name, long min, long max, long fallback,
                  long *out)
{
    const char *text = http_arg(r, name);

    *out = fallback;
    if (text && number_parse_long(&r->ctx, name, text, min, max, out) != AT_OK)
        return http_error(r, 400, "invalid", name, "%s", r->ctx.message);
    return 0;
}

struct http_bytes *http_bytes_new(char *data, size_t len, const char *type)
{
    struct http_bytes *b = xcalloc(1, sizeof *b);

    atomic_init(&b->refs, 1);
    b->len = len;
    b->type = type;
    b->data = data;
    return b;
}

void http_bytes_ref(struct http_bytes *b)
{
    atomic_fetch_add(&b->refs, 1);
}

void http_bytes_release(void *cls)
{
    struct http_bytes *b = cls;

    if (atomic_fetch_sub(&b->refs, 1) == 1) {
        free(b->data);
        free(b);
    }
}

int http_reply_bytes(struct request *r, struct http_bytes *b)
{
    r->content_type = b->type;
    r->raw = b->data;
    r->raw_len = b->len;
    r->raw_release = http_bytes_release;
    r->raw_cls = b;
    return (int)r->status;
}
