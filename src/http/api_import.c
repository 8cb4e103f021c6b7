/*
 * api_import.c: files of records imported from the browser, as `attest
 * import csv|jsonl|kml|kmz|ftm` imports them (POST /api/v1/import?filename=F
 * with the file as the body, and the command's options as query
 * arguments).  The file is kept in memory only, never on disk
 * (memupload.c), and is gone when the request ends.  The import itself is core's, the CLI's: one
 * transaction, all or nothing (or the bad rows skipped with skip_bad), the
 * same checks and the same messages naming the file, line and field; with
 * check=1 everything is parsed and validated, then rolled back.
 */
#include "http.h"
#include "../core/csvio.h"
#include "../core/ftm.h"
#include "../core/import.h"
#include "../core/kml.h"
#include "../core/model.h"
#include "../core/vocab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The most a browser's import may send: a KML's own bound, or less when
 * the server lets one user upload less. */
#define IMPORT_MAX_BYTES ((uint64_t)KML_MAX_BYTES)
/* New records' ids given back, for links to them. */
#define IMPORT_IDS_MAX 200
/* Bad rows reported with skip_bad. */
#define IMPORT_BAD_MAX 200

static const struct {
    const char *ext, *format;
} formats[] = {
    { ".csv", "csv" }, { ".jsonl", "jsonl" }, { ".ndjson", "jsonl" },
    { ".kml", "kml" }, { ".kmz", "kmz" }, { ".ftm", "ftm" },
};

/* The format a file's name or ?format= gives, or NULL. */
static const char *format_of(const char *filename, const char *asked)
{
    const char *dot = strrchr(filename, '.');

    for (size_t i = 0; i < ARRAY_LEN(formats); i++)
        if (asked ? strcmp(asked, formats[i].format) == 0
                  : dot != NULL && strcasecmp(dot, formats[i].ext) == 0)
            return formats[i].format;
    return NULL;
}

int api_import_upload_begin(struct request *r)
{
    const char *filename = http_arg(r, "filename"), *asked = http_arg(r, "format");

    if (format_of(filename ? filename : "", asked) == NULL)
        return http_error(r, 400, "invalid", "format", "\"%.80s\": the format is csv, jsonl, kml, "
                          "kmz or ftm (?format=, or the file's name ending in .csv, .jsonl, .ndjson, "
                          ".kml, .kmz or .ftm)", asked ? asked : filename ? filename : "");
    return memupload_begin(r, IMPORT_MAX_BYTES);
}

/* What the import gathers for the reply. */
struct gathered {
    json_t *ids, *bad;
};

static void on_added(void *arg, const char *id)
{
    struct gathered *g = arg;

    if (json_array_size(g->ids) < IMPORT_IDS_MAX)
        json_array_append_new(g->ids, json_string(id));
}

static void on_bad(void *arg, const char *where, const char *message)
{
    struct gathered *g = arg;

    if (json_array_size(g->bad) < IMPORT_BAD_MAX)
        json_array_append_new(g->bad, json_pack("{s:s, s:s}", "where", where, "message", message));
}

/* The query's repeated arguments: each map= (COLUMN=FIELD) and map_value=
 * (FIELD:WORDS=CODE), copied, since the parsed maps point into them. */
struct repeated {
    json_t *maps, *values;
};

static enum MHD_Result take_repeated(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    struct repeated *rep = cls;

    (void)kind;
    if (value && strcmp(key, "map") == 0)
        json_array_append_new(rep->maps, json_string(value));
    else if (value && strcmp(key, "map_value") == 0)
        json_array_append_new(rep->values, json_string(value));
    return MHD_YES;
}

static bool flag(struct request *r, const char *name)
{
    const char *v = http_arg(r, name);

    return v && strcmp(v, "0") != 0 && strcmp(v, "false") != 0;
}

/* A KML or KMZ: core reads it by path, here the memfd's. */
static int import_kml_upload(struct request *r, struct repeated *rep,
                             struct gathered *g, struct import_counts *counts, char doc[32])
{
    size_t n = json_array_size(rep->values);
    struct kml_value_map *values = xcalloc(n + 1, sizeof *values);
    char **texts = xcalloc(n + 1, sizeof *texts);
    struct kml_options opt = { 0 };
    char iv[RECORD_ID_MAX];
    const char *interview = http_arg(r, "interview");
    int rc = AT_OK;

    for (size_t i = 0; i < n && rc == AT_OK; i++) {
        texts[i] = xstrdup(json_string_value(json_array_get(rep->values, i)));
        rc = kml_value_map_parse(&r->ctx, texts[i], &values[i]);
    }
    if (rc == AT_OK && interview && (rc = record_resolve(&r->ctx, r->st, interview, iv)) != AT_OK)
        ctx_prefix(&r->ctx, "interview: ");
    if (rc == AT_OK) {
        opt.interview = interview ? iv : NULL;
        opt.maps = values;
        opt.nmaps = n;
        opt.name = memupload_filename(r);
        opt.check_only = flag(r, "check");
        opt.on_added = on_added;
        opt.arg = g;
        rc = kml_import(&r->ctx, r->st, memupload_path(r), &opt, counts, doc);
        http_message_rename(r, memupload_path(r), memupload_filename(r));
    }
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    free(values);
    return rc;
}

/* The upload as a stream from its start, or NULL with the error set. */
static FILE *upload_stream(struct request *r)
{
    FILE *in;
    int fd;

    if ((fd = dup(memupload_fd(r))) < 0 || lseek(fd, 0, SEEK_SET) < 0 || (in = fdopen(fd, "r")) == NULL) {
        ctx_error(&r->ctx, AT_ERR, "cannot read the upload: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    return in;
}

/* The source and clearance new records get: ?source= and ?clearance=. */
static int rows_options(struct request *r, struct import_options *opt)
{
    const char *clearance = http_arg(r, "clearance");

    opt->source = http_arg(r, "source");
    if (clearance && vocab_clearance_parse(&r->ctx, clearance, &opt->clearance) != AT_OK)
        return ctx_prefix(&r->ctx, "clearance: ");
    return AT_OK;
}

/* A FollowTheMoney file: all or nothing, as `attest import ftm`; the
 * counts of what it held go in ftm. */
static int import_ftm_upload(struct request *r, struct gathered *g, struct import_counts *counts,
                             json_t **ftm)
{
    struct import_options opt = { NULL, -1, false, NULL, NULL, g, 0, flag(r, "check"), on_added };
    struct ftm_counts c;
    FILE *in = NULL;
    int rc;

    if ((rc = rows_options(r, &opt)) != AT_OK || (in = upload_stream(r)) == NULL)
        return rc != AT_OK ? rc : AT_ERR;
    rc = ftm_import(&r->ctx, r->st, in, memupload_filename(r), &opt, &c);
    fclose(in);
    if (rc != AT_OK)
        return rc;
    counts->added = c.records + c.relations;
    *ftm = json_pack("{s:I, s:I, s:I, s:I, s:I}", "entities", (json_int_t)c.entities,
                     "records", (json_int_t)c.records, "relations", (json_int_t)c.relations,
                     "addresses", (json_int_t)c.addresses, "skipped", (json_int_t)c.skipped);
    return AT_OK;
}

/* A CSV or JSON Lines file, read from the memfd. */
static int import_rows_upload(struct request *r, const char *format, struct repeated *rep,
                              struct gathered *g, struct import_counts *counts)
{
    struct import_options opt = { NULL, -1, flag(r, "skip_bad"), on_bad, NULL,
                                  g, IMPORT_BULK_AFTER, flag(r, "check"), on_added };
    const char *type_name = http_arg(r, "type");
    size_t n = json_array_size(rep->maps);
    struct csv_map *maps = xcalloc(n + 1, sizeof *maps);
    char **texts = xcalloc(n + 1, sizeof *texts);
    FILE *in = NULL;
    int rc = AT_OK;

    for (size_t i = 0; i < n && rc == AT_OK; i++) {
        char *eq;
        texts[i] = xstrdup(json_string_value(json_array_get(rep->maps, i)));
        if ((eq = strchr(texts[i], '=')) == NULL) {
            rc = ctx_error(&r->ctx, AT_EINVAL, "map \"%s\": want COLUMN=FIELD (COLUMN= ignores "
                           "the column)", texts[i]);
            break;
        }
        *eq = '\0';
        maps[i].column = texts[i];
        maps[i].field = eq + 1;
    }
    if (rc == AT_OK && strcmp(format, "jsonl") == 0 && (n > 0 || type_name))
        rc = ctx_error(&r->ctx, AT_EINVAL, "%s is for CSV imports", n ? "map" : "type");
    if (rc == AT_OK && strcmp(format, "csv") == 0
        && (type_name == NULL || model_type(type_name) == NULL)) {
        struct buf valid = BUF_INIT;
        model_list_types(&valid);
        rc = ctx_error(&r->ctx, AT_EINVAL, "type: a CSV import needs the record type of its "
                       "rows; valid: %s", buf_str(&valid));
        buf_free(&valid);
    }
    if (rc == AT_OK)
        rc = rows_options(r, &opt);
    if (rc == AT_OK && (in = upload_stream(r)) == NULL)
        rc = AT_ERR;
    if (rc == AT_OK && strcmp(format, "jsonl") == 0)
        rc = import_jsonl(&r->ctx, r->st, in, memupload_filename(r), &opt, counts);
    else if (rc == AT_OK)
        rc = csvio_import(&r->ctx, r->st, in, memupload_filename(r), model_type(type_name), maps, n, &opt,
                          counts);
    if (in)
        fclose(in);
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    free(maps);
    return rc;
}

/* POST /api/v1/import?filename=F[&format=][&type=][&map=...][&map_value=...]
 * [&source=][&clearance=][&interview=][&skip_bad=1][&check=1]; an FtM
 * file takes only source, clearance and check. */
int api_import(struct request *r)
{
    const char *format;
    struct repeated rep = { json_array(), json_array() };
    struct gathered g = { json_array(), json_array() };
    struct import_counts counts = { 0 };
    char doc[32] = "";
    json_t *reply, *ftm = NULL;
    bool check = flag(r, "check");
    int rc;

    if ((rc = memupload_complete(r)) != 0)
        goto out;
    format = format_of(memupload_filename(r), http_arg(r, "format"));
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, take_repeated, &rep);
    if (strcmp(format, "kml") == 0 || strcmp(format, "kmz") == 0) {
        if (http_arg(r, "type") || json_array_size(rep.maps) || flag(r, "skip_bad")) {
            rc = http_error(r, 400, "invalid", NULL, "type, map and skip_bad are for CSV and "
                            "JSON Lines imports; a KML file's placemarks become pinpoints and sites");
            goto out;
        }
        rc = import_kml_upload(r, &rep, &g, &counts, doc);
    } else if (strcmp(format, "ftm") == 0) {
        if (http_arg(r, "type") || json_array_size(rep.maps) || flag(r, "skip_bad")
            || json_array_size(rep.values) || http_arg(r, "interview")) {
            rc = http_error(r, 400, "invalid", NULL, "an FtM file takes source and clearance only: "
                            "its entities' schemas give the record types, and it is imported all or "
                            "nothing (type, map, skip_bad, map_value and interview are for the other "
                            "formats)");
            goto out;
        }
        rc = import_ftm_upload(r, &g, &counts, &ftm);
    } else if (json_array_size(rep.values) || http_arg(r, "interview")) {
        rc = http_error(r, 400, "invalid", NULL, "%s is for KML imports",
                        http_arg(r, "interview") ? "interview" : "map_value");
        goto out;
    } else {
        rc = import_rows_upload(r, format, &rep, &g, &counts);
    }
    if (rc != AT_OK) {
        rc = http_core_error(r, rc);
        goto out;
    }
    /* Checked only: the new records' ids were rolled back with them. */
    reply = json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:o, s:O}", "file", memupload_filename(r),
                      "format", format, "checked", check, "added", (json_int_t)counts.added,
                      "versions", (json_int_t)counts.versions,
                      "unchanged", (json_int_t)counts.already, "bad", (json_int_t)counts.bad,
                      "records", check ? json_array() : json_incref(g.ids), "skipped", g.bad);
    if (doc[0] && !check)
        json_object_set_new(reply, "document", json_string(doc));
    if (ftm)
        json_object_set_new(reply, "ftm", json_incref(ftm));
    rc = http_json(r, check ? 200 : 201, reply);
out:
    json_decref(ftm);
    json_decref(rep.maps);
    json_decref(rep.values);
    json_decref(g.ids);
    json_decref(g.bad);
    return rc;
}
