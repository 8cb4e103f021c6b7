/*
 * import.c: imports in one transaction, with per-item savepoints so that
 * a bad item can be left out without losing the good ones; the JSON Lines
 * and JSON readers; the JSON Lines export.
 */
#include "attest.h"
#include "import.h"
#include "access.h"
#include "evlog.h"
#include "search.h"
#include "vocab.h"

#include <stdlib.h>
#include <string.h>

#define PROGRESS_EVERY 10000

/* A bulk import writes far more pages than a page cache of everyday size
 * holds: for the import, the cache is the store's bulk cache
 * (store_bulk_cache), and the full-text indexes flush less often (see
 * search_bulk); both are set back afterwards. */

/* Sets the bulk settings (or, with bulk false, sets them back) inside the
 * import's transaction.  A rollback takes back the full-text settings by
 * itself; the page cache is set back by store_bulk_cache_restore. */
static int bulk_settings(struct import *im, bool bulk)
{
    if (bulk)
        im->cache_size = store_bulk_cache(im->st);
    else
        store_bulk_cache_restore(im->st, im->cache_size);
    return search_bulk(im->ctx, im->st, bulk);
}

int import_begin(struct import *im, struct at_ctx *ctx, struct store *st,
                 const struct import_options *opt, const char *file)
{
    memset(im, 0, sizeof *im);
    im->ctx = ctx;
    im->st = st;
    im->opt = opt;
    im->file = file;
    if (store_begin(ctx, st) != AT_OK)
        return ctx->code;
    if (bulk_settings(im, true) != AT_OK) {
        store_rollback(st);
        store_bulk_cache_restore(im->st, im->cache_size);
        return ctx->code;
    }
    return AT_OK;
}

/* Ends the bulk path, if the import is on it. */
static int bulk_leave(struct import *im)
{
    struct record_bulk *b = im->bulk;

    im->bulk = NULL;
    im->bulk_done = true;
    return b ? record_bulk_end(im->ctx, im->st, b) : AT_OK;
}

/* Takes the bulk path once the import has written opt->bulk_after new
 * records, and leaves it at the first version of an existing record (an
 * export's line), which is written as any other write is. */
static int bulk_switch(struct import *im, json_t *obj, const struct type_spec *type)
{
    bool version = type == NULL && json_is_object(obj) && json_object_get(obj, "version");

    if (im->bulk && version)
        return bulk_leave(im);
    if (im->bulk == NULL && !im->bulk_done && !version && im->opt->bulk_after > 0
        && im->counts.added >= im->opt->bulk_after)
        return record_bulk_begin(im->ctx, im->st, &im->bulk);
    return AT_OK;
}

int import_end(struct import *im, bool ok)
{
    int rc;

    if (!ok) {
        record_bulk_free(im->bulk);
        im->bulk = NULL;
        store_rollback(im->st);
        store_bulk_cache_restore(im->st, im->cache_size);
        return AT_OK;
    }
    if ((rc = bulk_leave(im)) != AT_OK || (rc = bulk_settings(im, false)) != AT_OK) {
        store_rollback(im->st);
        store_bulk_cache_restore(im->st, im->cache_size);
        return rc;
    }
    if (im->opt->check_only) {
        store_rollback(im->st);
        store_bulk_cache_restore(im->st, im->cache_size);
        return AT_OK;
    }
    return evlog_commit(im->ctx, im->st);
}

static void where_of(const struct import *im, long line, long item, char *out, size_t n)
{
    if (item && line)
        snprintf(out, n, "%s:%ld: item %ld", im->file, line, item);
    else if (item)
        snprintf(out, n, "%s: item %ld", im->file, item);
    else
        snprintf(out, n, "%s:%ld", im->file, line);
}

static int bad(struct import *im, long line, long item)
{
    char where[512];

    where_of(im, line, item, where, sizeof where);
    if (im->ctx->code == AT_ERR || !im->opt->skip_bad)
        return ctx_prefix(im->ctx, "%s: ", where);
    im->counts.bad++;
    if (im->opt->on_bad)
        im->opt->on_bad(im->opt->arg, where, im->ctx->message);
    ctx_clear(im->ctx);
    return AT_OK;
}

int import_bad(struct import *im, long line, const struct at_ctx *why)
{
    if (why != im->ctx)
        *im->ctx = *why;
    return bad(im, line, 0);
}

/* Writes a new record from an import line. */
static int import_new(struct import *im, json_t *obj, const struct type_spec *type)
{
    struct at_ctx *ctx = im->ctx;
    struct record_write w = RECORD_WRITE_INIT;
    char id[RECORD_ID_MAX];
    json_t *data = obj;

    w.source = im->opt->source;
    w.clearance = im->opt->clearance;
    if (type == NULL) {
        static const char *const keys[] = { "clearance", "data", "id", "reason", "source", "type" };
        const char *key;
        json_t *v;

        json_object_foreach(obj, key, v) {
            size_t k = 0;
            while (k < ARRAY_LEN(keys) && strcmp(keys[k], key) != 0)
                k++;
            if (k == ARRAY_LEN(keys) || (strcmp(key, "data") != 0 && !json_is_string(v)))
                return ctx_error(ctx, AT_EINVAL, "key \"%s\": a new record is {\"type\", \"data\"} "
                                 "with optional text keys id, clearance, source, reason", key);
        }
        const char *name = json_string_value(json_object_get(obj, "type"));
        if (name == NULL || (type = model_type(name)) == NULL) {
            struct buf valid = BUF_INIT;
            model_list_types(&valid);
            ctx_error(ctx, AT_EINVAL, "key \"type\": \"%s\" is not a record type; valid: %s",
                      name ? name : "", buf_str(&valid));
            buf_free(&valid);
            return AT_EINVAL;
        }
        data = json_object_get(obj, "data");
        if (data == NULL)
            return ctx_error(ctx, AT_EINVAL, "key \"data\": required, an object of fields");
        w.id = json_string_value(json_object_get(obj, "id"));
        w.reason = json_string_value(json_object_get(obj, "reason"));
        if (json_object_get(obj, "source"))
            w.source = json_string_value(json_object_get(obj, "source"));
        const char *clearance = json_string_value(json_object_get(obj, "clearance"));
        if (clearance && vocab_clearance_parse(ctx, clearance, &w.clearance) != AT_OK)
            return ctx_prefix(ctx, "key \"clearance\": ");
    }
    /* An import writes nothing above what its importer may read. */
    int rc = access_check(ctx, store_session(im->st), ACTION_READ,
                          w.clearance >= 0 ? w.clearance : type->default_clearance);
    if (rc != AT_OK)
        return ctx_prefix(ctx, "key \"clearance\": ");
    rc = im->bulk ? record_bulk_add(ctx, im->st, im->bulk, type, data, &w, id)
                  : record_add(ctx, im->st, type, data, &w, id);
    if (rc == AT_OK)
        im->counts.added++;
    if (rc == AT_OK && im->opt->on_added)
        im->opt->on_added(im->opt->arg, id);
    return rc;
}

int import_item(struct import *im, json_t *obj, const struct type_spec *type, long line, long item)
{
    bool already = false;
    int rc;

    if (bulk_switch(im, obj, type) != AT_OK)
        return AT_ERR;
    if (im->opt->skip_bad && store_exec(im->ctx, im->st, "SAVEPOINT item") != AT_OK)
        return AT_ERR;
    if (!json_is_object(obj))
        rc = ctx_error(im->ctx, AT_EINVAL, "expected a JSON object");
    else if (type == NULL && json_object_get(obj, "version"))
        rc = record_put_version(im->ctx, im->st, obj, &already);
    else
        rc = import_new(im, obj, type);
    if (rc == AT_OK && json_object_get(obj, "version") && type == NULL)
        already ? im->counts.already++ : im->counts.versions++;
    if (im->opt->skip_bad) {
        const char *end = rc == AT_OK ? "RELEASE item" : "ROLLBACK TO item; RELEASE item";
        struct at_ctx keep = *im->ctx;
        if (store_exec(im->ctx, im->st, end) != AT_OK)
            return AT_ERR;
        *im->ctx = keep;
    }
    if (rc != AT_OK)
        return bad(im, line, item);
    long done = im->counts.added + im->counts.versions + im->counts.already;
    if (im->opt->on_progress && done % PROGRESS_EVERY == 0)
        im->opt->on_progress(im->opt->arg, done);
    return AT_OK;
}

int import_jsonl(struct at_ctx *ctx, struct store *st, FILE *in, const char *file,
                 const struct import_options *opt, struct import_counts *counts)
{
    struct import im;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int rc;

    if ((rc = import_begin(&im, ctx, st, opt, file)) != AT_OK)
        return rc;
    while (rc == AT_OK && (n = getline(&line, &cap, in)) >= 0) {
        json_error_t jerr;
        json_t *obj;

        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)n)
            continue;
        obj = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
        if (obj == NULL) {
            ctx_error(ctx, AT_EINVAL, "column %d: malformed JSON: %s", jerr.column, jerr.text);
            rc = bad(&im, lineno, 0);
            continue;
        }
        rc = import_item(&im, obj, NULL, lineno, 0);
        json_decref(obj);
    }
    free(line);
    if (rc == AT_OK && ferror(in))
        rc = ctx_error(ctx, AT_ERR, "%s: read error", file);
    if (rc == AT_OK)
        rc = import_end(&im, true);
    else
        import_end(&im, false);
    *counts = im.counts;
    return rc;
}

int import_json_records(struct at_ctx *ctx, struct store *st, FILE *in, const char *file,
                        const struct type_spec *t, const struct import_options *opt,
                        struct import_counts *counts, struct buf *ids)
{
    json_error_t jerr;
    json_t *value = json_loadf(in, JSON_REJECT_DUPLICATES, &jerr), *item;
    struct import im;
    size_t i;
    int rc;

    if (value == NULL)
        return ctx_error(ctx, AT_EINVAL, "%s:%d:%d: malformed JSON: %s; expected an object of "
                         "fields or an array of them", file, jerr.line, jerr.column, jerr.text);
    if (!json_is_array(value)) {
        json_t *one = json_array();
        json_array_append_new(one, value);
        value = one;
    }
    if ((rc = import_begin(&im, ctx, st, opt, file)) != AT_OK) {
        json_decref(value);
        return rc;
    }
    json_array_foreach(value, i, item) {
        long before = im.counts.added;
        if ((rc = import_item(&im, item, t, 0, (long)i + 1)) != AT_OK)
            break;
        if (im.counts.added > before) {
            /* The id of the record just added: the newest current row. */
            sqlite3_stmt *stmt = store_stmt(ctx, st,
                "SELECT id FROM record_current ORDER BY rowid DESC LIMIT 1");
            if (stmt && sqlite3_step(stmt) == SQLITE_ROW)
                buf_printf(ids, "%s\n", (const char *)sqlite3_column_text(stmt, 0));
            if (stmt)
                sqlite3_reset(stmt);
        }
    }
    json_decref(value);
    if (rc == AT_OK)
        rc = import_end(&im, true);
    else
        import_end(&im, false);
    *counts = im.counts;
    return rc;
}

int import_export_jsonl(struct at_ctx *ctx, struct store *st, FILE *out)
{
    /* The versions the session may read: cleared for the version and for
     * its record's current clearance. */
    static const char sql[] =
        "SELECT v.doc, v.id, v.version, json_extract(v.doc, '$.clearance'), c.clearance"
        " FROM record_version v JOIN record_current c ON c.id = v.id"
        " WHERE c.clearance <= ?1 ORDER BY v.log_seq";
    const struct session *s = store_session(st);
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    struct at_ctx quiet = { 0 };
    int step;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int(stmt, 1, access_session_clearance(s));
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        int clearance = CLEARANCE_CONFIDENTIAL;
        vocab_clearance_parse(&quiet, (const char *)sqlite3_column_text(stmt, 3) ?: "", &clearance);
        if (access_check_version(&quiet, s, (const char *)sqlite3_column_text(stmt, 1),
                                 sqlite3_column_int(stmt, 2), clearance,
                                 sqlite3_column_int(stmt, 4)) != AT_OK)
            continue;
        fputs((const char *)sqlite3_column_text(stmt, 0), out);
        fputc('\n', out);
    }
    sqlite3_reset(stmt);
    if (step != SQLITE_DONE)
        return store_error(ctx, st, "exporting");
    if (fflush(out) != 0 || ferror(out))
        return ctx_error(ctx, AT_ERR, "writing the export failed");
    return AT_OK;
}
