/*
 * claims.c: figures stated in documents (see claims.h).
 */
#include "attest.h"
#include "claims.h"
#include "access.h"
#include "document.h"
#include "record.h"

#include <stdlib.h>
#include <string.h>

int claims_add_write(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct claims_add *c = arg;
    const char *doc_id = json_string_value(json_object_get(c->data, "document"));
    const char *span = json_string_value(json_object_get(c->data, "span"));
    const char *given = json_string_value(json_object_get(c->data, "quote"));
    struct record_write w = RECORD_WRITE_INIT;
    struct buf quote = BUF_INIT;
    unsigned long start, end;
    json_t *doc = NULL;
    const char *text;
    int used = 0, rc;

    if ((rc = access_check(ctx, store_session(st), ACTION_WRITE, 0)) != AT_OK)
        return rc;
    if (doc_id == NULL || span == NULL)
        return ctx_error(ctx, AT_EINVAL, "field \"%s\": required", doc_id ? "span" : "document");
    if ((doc = record_visible(st, doc_id)) == NULL)
        return ctx_error(ctx, AT_ENOTFOUND, "field \"document\": no record %s", doc_id);
    text = json_string_value(json_object_get(json_object_get(doc, "data"), "text"));
    if (strcmp(json_string_value(json_object_get(doc, "type")), "document") != 0 || text == NULL) {
        rc = ctx_error(ctx, AT_EINVAL, "field \"document\": %s is not a document with a text; "
                       "claims are recorded from imported documents (attest import document)", doc_id);
        goto out;
    }
    if (sscanf(span, "%lu:%lu%n", &start, &end, &used) != 2 || span[used] != '\0') {
        rc = ctx_error(ctx, AT_EINVAL, "field \"span\": \"%s\"; give START:END, code points of the "
                       "document's text, END exclusive", span);
        goto out;
    }
    if ((rc = document_span(ctx, text, start, end, &quote)) != AT_OK) {
        ctx_prefix(ctx, "field \"span\": ");
        goto out;
    }
    if (given && strcmp(given, quote.data) != 0) {
        rc = ctx_error(ctx, AT_ECONFLICT, "field \"quote\": the text at %s is \"%s\", not \"%s\"",
                       span, quote.data, given);
        goto out;
    }
    json_object_set_new(c->data, "quote", json_string(quote.data));
    w.source = doc_id;
    rc = record_add(ctx, st, model_type("claim"), c->data, &w, c->id);
out:
    buf_free(&quote);
    json_decref(doc);
    return rc;
}

int claims_list(struct at_ctx *ctx, struct store *st, const char *topic, json_t **out)
{
    static const char sql[] =
        "SELECT c.id, json_extract(c.doc, '$.data'), json_extract(d.doc, '$.data.title'),"
        "       json_extract(d.doc, '$.data.publisher'), json_extract(d.doc, '$.data.date')"
        " FROM record_current c JOIN record_current d ON d.id = json_extract(c.doc, '$.data.document')"
        " WHERE c.type = 'claim' AND NOT c.retracted AND c.clearance <= ?1"
        "   AND NOT d.retracted AND d.clearance <= ?1"
        "   AND (?2 IS NULL OR json_extract(c.doc, '$.data.topic') = ?2)"
        " ORDER BY json_extract(c.doc, '$.data.topic'), c.date_lo,"
        "          json_extract(c.doc, '$.data.quantity'), c.id";
    static const char *const fields[] = { "quantity", "unit", "qualifier", "topic", "period", "place",
                                          "span", "quote", "document" };
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    json_t *rows;

    *out = NULL;
    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int(stmt, 1, access_read_limit(store_session(st), -1));
    if (topic)
        sqlite3_bind_text(stmt, 2, topic, -1, SQLITE_STATIC);
    rows = json_array();
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        json_t *data = json_loads((const char *)sqlite3_column_text(stmt, 1), 0, NULL);
        json_t *row = json_pack("{s:s}", "id", (const char *)sqlite3_column_text(stmt, 0));
        for (size_t f = 0; f < ARRAY_LEN(fields); f++)
            if (json_object_get(data, fields[f]))
                json_object_set(row, fields[f], json_object_get(data, fields[f]));
        static const char *const doc_fields[] = { "title", "publisher", "document_date" };
        for (int k = 0; k < 3; k++)
            if (sqlite3_column_type(stmt, 2 + k) != SQLITE_NULL)
                json_object_set_new(row, doc_fields[k],
                                    json_string((const char *)sqlite3_column_text(stmt, 2 + k)));
        json_decref(data);
        json_array_append_new(rows, row);
    }
    sqlite3_reset(stmt);
    *out = rows;
    return AT_OK;
}
