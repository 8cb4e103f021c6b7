/*
 * csvio.c: CSV import and export of records.  See csvio.h.
 */
#include "attest.h"
#include "csvio.h"
#include "corroboration.h"
#include "csv.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Meta columns that are not fields. */
enum { COL_IGNORE = -1, COL_ID = -2, COL_CLEARANCE = -3, COL_SOURCE = -4, COL_RETRACTED = -5 };

/* The header cell as a field name: lower case, spaces and dashes as '_'. */
static void field_name_of(const char *header, char *out, size_t n)
{
    size_t k = 0;

    for (; *header && k + 1 < n; header++)
        out[k++] = (*header == ' ' || *header == '-') ? '_' : (char)tolower((unsigned char)*header);
    out[k] = '\0';
}

/* Refuses a second column that fills what an earlier one fills (two
 * "title" columns, or "Title" and "title"), which would otherwise keep
 * only the last. */
static int check_repeated(struct at_ctx *ctx, const char *file, const struct csv_record *header,
                          const int *cols, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (cols[j] == cols[i] && cols[i] != COL_IGNORE)
            return ctx_error(ctx, AT_EINVAL, "%s:%lu: column %zu \"%s\" fills the same field as "
                             "column %zu \"%s\"; each field may have one column: remove or "
                             "rename one of them", file, header->line, i + 1, header->fields[i],
                             j + 1, header->fields[j]);
    return AT_OK;
}

/* True for a column that an export derives rather than stores (an
 * event's corroboration): an import of the export passes over it. */
static bool derived_column(const struct type_spec *t, const char *name)
{
    for (size_t i = 0; strcmp(t->name, "event") == 0 && i < corroboration_ncolumns; i++)
        if (strcmp(corroboration_columns[i], name) == 0)
            return true;
    return false;
}

/* Decides what each column holds.  cols[i] is a field index or COL_*. */
static int map_columns(struct at_ctx *ctx, const char *file, const struct type_spec *t,
                       const struct csv_record *header, const struct csv_map *maps, size_t nmaps,
                       int *cols)
{
    for (size_t i = 0; i < header->n; i++) {
        char name[128];
        const char *target = NULL;

        for (size_t m = 0; m < nmaps; m++)
            if (strcmp(maps[m].column, header->fields[i]) == 0)
                target = maps[m].field;
        if (target == NULL) {
            field_name_of(header->fields[i], name, sizeof name);
            target = strcmp(name, "name") == 0 && model_field(t, "names") ? "names" : name;
        }
        if (*target == '\0' || derived_column(t, target))
            cols[i] = COL_IGNORE;
        else if (strcmp(target, "id") == 0)
            cols[i] = COL_ID;
        else if (strcmp(target, "clearance") == 0)
            cols[i] = COL_CLEARANCE;
        else if (strcmp(target, "source") == 0)
            cols[i] = COL_SOURCE;
        else if (strcmp(target, "retracted") == 0)
            cols[i] = COL_RETRACTED;
        else if (model_field(t, target))
            cols[i] = (int)(model_field(t, target) - t->fields);
        else {
            struct buf valid = BUF_INIT;
            for (size_t f = 0; f < t->nfields; f++)
                buf_printf(&valid, "%s, ", t->fields[f].name);
            ctx_error(ctx, AT_EINVAL, "%s:%lu: column %zu \"%s\" is not a field of type %s; "
                      "valid: %sid, clearance, source, retracted; or map it with --map \"%s=FIELD\" "
                      "(--map \"%s=\" ignores it)", file, header->line, i + 1,
                      header->fields[i], t->name, buf_str(&valid), header->fields[i],
                      header->fields[i]);
            buf_free(&valid);
            return AT_EINVAL;
        }
        if (check_repeated(ctx, file, header, cols, i) != AT_OK)
            return AT_EINVAL;
    }
    return AT_OK;
}

/* Turns one row into an import item {"type", "data", ...}. */
static int row_item(struct at_ctx *ctx, const struct type_spec *t, const struct csv_record *row,
                    const int *cols, json_t **out)
{
    json_t *item = json_pack("{s:s, s:o}", "type", t->name, "data", json_object());
    json_t *data = json_object_get(item, "data");

    for (size_t i = 0; i < row->n; i++) {
        const char *cell = csv_unguard(row->fields[i]);
        int rc = AT_OK;

        if (*cell == '\0' || cols[i] == COL_IGNORE)
            continue;
        if (cols[i] == COL_ID)
            json_object_set_new(item, "id", json_string(cell));
        else if (cols[i] == COL_CLEARANCE)
            json_object_set_new(item, "clearance", json_string(cell));
        else if (cols[i] == COL_SOURCE)
            json_object_set_new(item, "source", json_string(cell));
        else if (cols[i] == COL_RETRACTED)
            rc = ctx_error(ctx, AT_EINVAL, "a retracted record cannot come in from CSV; move "
                           "whole archives with 'attest export jsonl' and 'import jsonl'");
        else
            rc = model_set_from_text(ctx, t, data, t->fields[cols[i]].name, cell);
        if (rc != AT_OK) {
            json_decref(item);
            return ctx_prefix(ctx, "column %zu: ", i + 1);
        }
    }
    *out = item;
    return AT_OK;
}

/* Removes a leading "FILE:LINE: " from ctx's message (the CSV reader's
 * own), since the import names the file and line itself. */
static void drop_location(struct at_ctx *ctx, const char *file, unsigned long line)
{
    char where[512];
    int n = snprintf(where, sizeof where, "%s:%lu: ", file, line);

    if (n > 0 && (size_t)n < sizeof where && strncmp(ctx->message, where, (size_t)n) == 0)
        memmove(ctx->message, ctx->message + n, strlen(ctx->message + n) + 1);
}

int csvio_import(struct at_ctx *ctx, struct store *st, FILE *in, const char *file,
                 const struct type_spec *t, const struct csv_map *maps, size_t nmaps,
                 const struct import_options *opt, struct import_counts *counts)
{
    struct csv_reader *r = NULL;
    struct csv_record rec;
    struct import im;
    int *cols = NULL;
    size_t ncols;
    int rc;

    memset(counts, 0, sizeof *counts);
    if ((rc = csv_open(&r, in, file, NULL, ctx)) != AT_OK)
        return rc;
    rc = csv_read(r, &rec, ctx);
    if (rc != 1) {
        csv_close(r);
        return rc == 0 ? ctx_error(ctx, AT_EINVAL, "%s: empty file; the first row must name "
                                   "the columns", file) : rc;
    }
    ncols = rec.n;
    cols = xcalloc(ncols, sizeof *cols);
    if ((rc = map_columns(ctx, file, t, &rec, maps, nmaps, cols)) != AT_OK)
        goto out;
    if ((rc = import_begin(&im, ctx, st, opt, file)) != AT_OK)
        goto out;
    while ((rc = csv_read(r, &rec, ctx)) == 1) {
        json_t *item = NULL;
        if (csv_check_width(r, &rec, ncols, ctx) != AT_OK) {
            drop_location(ctx, file, rec.line);
            if ((rc = import_bad(&im, (long)rec.line, ctx)) != AT_OK)
                break;
            continue;
        }
        if (row_item(ctx, t, &rec, cols, &item) != AT_OK) {
            if ((rc = import_bad(&im, (long)rec.line, ctx)) != AT_OK)
                break;
            continue;
        }
        rc = import_item(&im, item, NULL, (long)rec.line, 0);
        json_decref(item);
        if (rc != AT_OK)
            break;
    }
    if (rc == 0)
        rc = import_end(&im, true);
    else
        import_end(&im, false);
    *counts = im.counts;
out:
    free(cols);
    csv_close(r);
    return rc;
}

struct csv_out {
    struct at_ctx *ctx;
    const struct type_spec *t;
    FILE *out;
    struct buf line;
    struct csv_options opt;
    struct corroboration *corroboration;  /* events: their derived columns */
};

/* The columns after the fields: an event's corroboration, now. */
static size_t derived_count(const struct csv_out *o)
{
    return o->corroboration ? corroboration_ncolumns : 0;
}

static int csv_row(void *arg, json_t *doc)
{
    struct csv_out *o = arg;
    const struct type_spec *t = o->t;
    json_t *data = json_object_get(doc, "data"), *c = NULL;
    size_t n = 4 + t->nfields + derived_count(o);
    struct buf *cells = xcalloc(n, sizeof *cells);
    const char **fields = xcalloc(n, sizeof *fields);
    int rc = AT_OK;

    buf_puts(&cells[0], json_string_value(json_object_get(doc, "id")));
    buf_puts(&cells[1], json_string_value(json_object_get(doc, "clearance")));
    buf_puts(&cells[2], json_is_true(json_object_get(doc, "retracted")) ? "yes" : "");
    buf_puts(&cells[3], json_string_value(json_object_get(doc, "source")) ?: "");
    for (size_t i = 0; i < t->nfields; i++)
        model_field_text(&t->fields[i], json_object_get(data, t->fields[i].name), &cells[4 + i]);
    /* A retracted event has no corroboration: its cells stay empty. */
    if (derived_count(o) && !json_is_true(json_object_get(doc, "retracted"))
        && (rc = corroboration_event(o->ctx, o->corroboration,
                                     json_string_value(json_object_get(doc, "id")), &c)) == AT_OK)
        for (size_t i = 0; i < corroboration_ncolumns; i++)
            corroboration_cell(c, i, &cells[4 + t->nfields + i]);
    json_decref(c);
    for (size_t i = 0; i < n; i++)
        fields[i] = buf_str(&cells[i]);
    buf_reset(&o->line);
    csv_write_record_opt(&o->line, fields, n, &o->opt);
    fwrite(o->line.data, 1, o->line.len, o->out);
    for (size_t i = 0; i < n; i++)
        buf_free(&cells[i]);
    free(cells);
    free(fields);
    return rc;
}

int csvio_export(struct at_ctx *ctx, struct store *st, const struct type_spec *t, bool raw,
                 FILE *out)
{
    struct record_filter f = RECORD_FILTER_INIT;
    struct csv_out o = { ctx, t, out, BUF_INIT, { .guard_formulas = !raw }, NULL };
    const char **header;
    int rc = AT_OK;

    if (strcmp(t->name, "event") == 0 && (rc = corroboration_open(ctx, st, &o.corroboration)) != AT_OK)
        return rc;
    header = xcalloc(4 + t->nfields + derived_count(&o), sizeof *header);
    header[0] = "id", header[1] = "clearance", header[2] = "retracted", header[3] = "source";
    for (size_t i = 0; i < t->nfields; i++)
        header[4 + i] = t->fields[i].kind == FIELD_NAMES ? "name" : t->fields[i].name;
    for (size_t i = 0; i < derived_count(&o); i++)
        header[4 + t->nfields + i] = corroboration_columns[i];
    csv_write_record_opt(&o.line, header, 4 + t->nfields + derived_count(&o), &o.opt);
    fwrite(o.line.data, 1, o.line.len, out);
    free(header);
    f.type = t->name;
    f.include_retracted = true;
    rc = record_list(ctx, st, &f, csv_row, &o);
    corroboration_free(o.corroboration);
    buf_free(&o.line);
    if (rc == AT_OK && (fflush(out) != 0 || ferror(out)))
        rc = ctx_error(ctx, AT_ERR, "writing the CSV failed");
    return rc;
}
