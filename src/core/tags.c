/*
 * tags.c: suggested tags of documents, stored and reviewed (see tags.h).
 */
#include "attest.h"
#include "tags.h"
#include "access.h"
#include "canonical.h"
#include "evlog.h"
#include "gazetteer.h"
#include "lists.h"
#include "model.h"
#include "record.h"
#include "document.h"

#include <stdlib.h>
#include <string.h>

void tags_add_places(struct tagger *t)
{
    for (size_t p = 0; p < gazetteer_nplaces; p++) {
        const struct gazetteer_place *pl = &gazetteer_places[p];
        struct buf spellings = BUF_INIT;
        gazetteer_spellings(pl, &spellings);
        for (char *line = spellings.data, *nl; line && *line; line = nl + 1) {
            if ((nl = strchr(line, '\n')) == NULL)
                break;
            *nl = '\0';
            tagger_add(t, line, TAG_PLACE, pl->hangul, pl->name);
        }
        buf_free(&spellings);
    }
}

/* The names of the organisations and persons the session may read. */
static int add_records(struct at_ctx *ctx, struct store *st, struct tagger *t)
{
    static const char sql[] =
        "SELECT id, type, json_extract(doc, '$.data.names') FROM record_current"
        " WHERE type IN ('organisation', 'person') AND NOT retracted AND clearance <= ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int(stmt, 1, access_read_limit(store_session(st), -1));
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(stmt, 0);
        bool org = strcmp((const char *)sqlite3_column_text(stmt, 1), "organisation") == 0;
        const char *names = (const char *)sqlite3_column_text(stmt, 2);
        json_t *list = names ? json_loads(names, 0, NULL) : NULL;
        const char *first = json_string_value(json_object_get(json_array_get(list, 0), "name"));
        size_t i;
        json_t *n;
        json_array_foreach(list, i, n) {
            const char *name = json_string_value(json_object_get(n, "name"));
            if (name)
                tagger_add(t, name, org ? TAG_ORGANISATION : TAG_PERSON, id, first ? first : name);
        }
        json_decref(list);
    }
    sqlite3_reset(stmt);
    return AT_OK;
}

/* The names of the entries of the newest version of each list. */
static int add_listed(struct at_ctx *ctx, struct store *st, struct tagger *t)
{
    static const char sql[] =
        "SELECT e.key, e.name, e.name FROM list_entry e WHERE e.version = ?1"
        " UNION SELECT n.key, n.name, e.name FROM list_name n"
        " JOIN list_entry e ON e.version = n.version AND e.key = n.key WHERE n.version = ?1"
        " ORDER BY 1";
    json_t *versions = NULL, *v;
    size_t i;
    int rc;

    if ((rc = lists_current(ctx, st, &versions)) != AT_OK)
        return rc;
    json_array_foreach(versions, i, v) {
        sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
        if (stmt == NULL) {
            rc = AT_ERR;
            break;
        }
        sqlite3_bind_text(stmt, 1, json_string_value(v), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            struct buf target = BUF_INIT;
            buf_printf(&target, "%s %s", json_string_value(v), (const char *)sqlite3_column_text(stmt, 0));
            tagger_add(t, (const char *)sqlite3_column_text(stmt, 1), TAG_LISTED, target.data,
                       (const char *)sqlite3_column_text(stmt, 2));
            buf_free(&target);
        }
        sqlite3_reset(stmt);
    }
    json_decref(versions);
    return rc;
}

int tags_dictionary(struct at_ctx *ctx, struct store *st, struct tagger **out)
{
    struct tagger *t = tagger_new();
    int rc;

    tags_add_places(t);
    if ((rc = add_records(ctx, st, t)) != AT_OK || (rc = add_listed(ctx, st, t)) != AT_OK) {
        tagger_free(t);
        t = NULL;
    }
    *out = t;
    return rc;
}

int tags_suggest(struct at_ctx *ctx, struct store *st, struct tagger *dict, const char *doc,
                 const char *text, size_t *count)
{
    static const char sql[] =
        "INSERT INTO doc_tag(document, span_start, span_end, kind, target, label, text, status)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'suggested')";
    struct tagger_mention *ms;
    size_t n = tagger_scan(dict, text, strlen(text), &ms);
    int rc = AT_OK;

    *count = 0;
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
        if (stmt == NULL) {
            rc = AT_ERR;
            break;
        }
        sqlite3_bind_text(stmt, 1, doc, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ms[i].cp_start);
        sqlite3_bind_int64(stmt, 3, (sqlite3_int64)ms[i].cp_end);
        sqlite3_bind_text(stmt, 4, tagger_kind_name(ms[i].kind), -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, ms[i].target, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 6, ms[i].label, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 7, text + ms[i].start, (int)(ms[i].end - ms[i].start), SQLITE_STATIC);
        rc = sqlite3_step(stmt) == SQLITE_DONE ? AT_OK : store_error(ctx, st, "storing a tag");
        sqlite3_reset(stmt);
        if (rc != AT_OK)
            break;
        (*count)++;
    }
    free(ms);
    return rc;
}

/* AT_OK when the session may read doc, a document. */
static int readable_document(struct at_ctx *ctx, struct store *st, const char *doc)
{
    json_t *d = record_visible(st, doc);
    const char *type = json_string_value(json_object_get(d, "type"));
    int rc = AT_OK;

    if (d == NULL)
        rc = ctx_error(ctx, AT_ENOTFOUND, "no record %s", doc);
    else if (strcmp(type, "document") != 0)
        rc = ctx_error(ctx, AT_EINVAL, "%s is a %s; tags belong to documents", doc, type);
    json_decref(d);
    return rc;
}

/* Whether the session may see a tag's target. */
static bool target_visible(struct store *st, const char *kind, const char *target)
{
    if (strcmp(kind, "organisation") != 0 && strcmp(kind, "person") != 0)
        return true;
    json_t *d = record_visible(st, target);
    json_decref(d);
    return d != NULL;
}

/* The columns tag_row reads.  A macro, so that each statement built on it
 * is one static string: store_stmt's cache is keyed by the SQL's address. */
#define TAG_SELECT \
    "SELECT id, document, span_start, span_end, kind, target, label, text, status, decided_by," \
    " decided_at, relation FROM doc_tag"

static json_t *tag_row(sqlite3_stmt *stmt)
{
    json_t *t = json_pack("{s:I, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s}",
                          "id", (json_int_t)sqlite3_column_int64(stmt, 0),
                          "document", (const char *)sqlite3_column_text(stmt, 1),
                          "start", (json_int_t)sqlite3_column_int64(stmt, 2),
                          "end", (json_int_t)sqlite3_column_int64(stmt, 3),
                          "kind", (const char *)sqlite3_column_text(stmt, 4),
                          "target", (const char *)sqlite3_column_text(stmt, 5),
                          "label", (const char *)sqlite3_column_text(stmt, 6),
                          "text", (const char *)sqlite3_column_text(stmt, 7),
                          "status", (const char *)sqlite3_column_text(stmt, 8));
    static const char *const optional[] = { "decided_by", "decided_at", "relation" };
    for (int c = 0; c < 3; c++)
        if (sqlite3_column_type(stmt, 9 + c) != SQLITE_NULL)
            json_object_set_new(t, optional[c], json_string((const char *)sqlite3_column_text(stmt, 9 + c)));
    return t;
}

int tags_list(struct at_ctx *ctx, struct store *st, const char *doc, json_t **out)
{
    static const char sql[] = TAG_SELECT " WHERE document = ?1 ORDER BY span_start, span_end DESC, id";
    sqlite3_stmt *stmt;
    json_t *rows;
    int rc;

    *out = NULL;
    if ((rc = readable_document(ctx, st, doc)) != AT_OK)
        return rc;
    stmt = store_stmt(ctx, st, sql);
    if (stmt == NULL)
        return AT_ERR;
    rows = json_array();
    sqlite3_bind_text(stmt, 1, doc, -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW)
        json_array_append_new(rows, tag_row(stmt));
    sqlite3_reset(stmt);
    /* after the statement: record_visible uses the cache too */
    for (size_t i = json_array_size(rows); i-- > 0;) {
        json_t *t = json_array_get(rows, i);
        if (!target_visible(st, json_string_value(json_object_get(t, "kind")),
                            json_string_value(json_object_get(t, "target"))))
            json_array_remove(rows, i);
    }
    *out = rows;
    return AT_OK;
}

/* The tag id as the session may see it, into *out (a new reference). */
static int tag_get(struct at_ctx *ctx, struct store *st, long id, json_t **out)
{
    static const char sql[] = TAG_SELECT " WHERE id = ?1";
    sqlite3_stmt *stmt;
    json_t *t = NULL;

    stmt = store_stmt(ctx, st, sql);
    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int64(stmt, 1, id);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        t = tag_row(stmt);
    sqlite3_reset(stmt);
    if (t == NULL || readable_document(ctx, st, json_string_value(json_object_get(t, "document"))) != AT_OK
        || !target_visible(st, json_string_value(json_object_get(t, "kind")),
                           json_string_value(json_object_get(t, "target")))) {
        json_decref(t);
        return ctx_error(ctx, AT_ENOTFOUND, "no tag %ld", id);
    }
    *out = t;
    return AT_OK;
}

/* Accepting a tag on a record links the document to it; rejecting an
 * accepted one retracts that link.  The relation's id, or NULL, into rel. */
static int link_target(struct at_ctx *ctx, struct store *st, json_t *tag, const char *status,
                       char rel[RECORD_ID_MAX])
{
    const char *kind = json_string_value(json_object_get(tag, "kind"));
    const char *old = json_string_value(json_object_get(tag, "relation"));
    struct record_write w = RECORD_WRITE_INIT;
    struct buf why = BUF_INIT;
    int rc = AT_OK;

    rel[0] = '\0';
    buf_printf(&why, "tag %lld: \"%s\" at %lld:%lld", (long long)json_integer_value(json_object_get(tag, "id")),
               json_string_value(json_object_get(tag, "text")),
               (long long)json_integer_value(json_object_get(tag, "start")),
               (long long)json_integer_value(json_object_get(tag, "end")));
    w.reason = why.data;
    if (strcmp(status, "accepted") == 0 && old == NULL
        && (strcmp(kind, "organisation") == 0 || strcmp(kind, "person") == 0)) {
        json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", "information", "from",
                                 json_string_value(json_object_get(tag, "document")), "to",
                                 json_string_value(json_object_get(tag, "target")), "basis", "document",
                                 "description", why.data);
        w.source = json_string_value(json_object_get(tag, "document"));
        rc = record_add(ctx, st, model_type("relation"), data, &w, rel);
        json_decref(data);
    } else if (strcmp(status, "rejected") == 0 && old) {
        rc = record_retract(ctx, st, old, &w);
    } else if (old) {
        snprintf(rel, RECORD_ID_MAX, "%s", old);
    }
    buf_free(&why);
    return rc;
}

int tags_decide_write(struct at_ctx *ctx, struct store *st, void *arg)
{
    static const char update_sql[] =
        "UPDATE doc_tag SET status = ?2, decided_by = ?3, decided_at = ?4, log_seq = ?5, relation = ?6"
        " WHERE id = ?1";
    struct tags_decision *dec = arg;
    const struct session *s = store_session(st);
    char now[21], rel[RECORD_ID_MAX];
    int rc;

    dec->changed = 0;
    if ((rc = access_check(ctx, s, ACTION_WRITE, 0)) != AT_OK)
        return rc;
    if (strcmp(dec->status, "accepted") != 0 && strcmp(dec->status, "rejected") != 0)
        return ctx_error(ctx, AT_EINVAL, "\"%s\" is not a decision on a tag; valid: accepted, rejected",
                         dec->status);
    canonical_now(now);
    for (size_t i = 0; i < dec->n; i++) {
        json_t *tag = NULL, *logged;
        sqlite3_stmt *stmt;
        int64_t seq;
        if ((rc = tag_get(ctx, st, dec->ids[i], &tag)) != AT_OK)
            return rc;
        if (strcmp(json_string_value(json_object_get(tag, "status")), dec->status) == 0) {
            json_decref(tag);
            continue;
        }
        if ((rc = link_target(ctx, st, tag, dec->status, rel)) != AT_OK) {
            json_decref(tag);
            return rc;
        }
        logged = json_pack("{s:I, s:s, s:[I, I], s:s, s:s, s:s, s:s, s:s, s:s}",
                           "tag", (json_int_t)dec->ids[i],
                           "document", json_string_value(json_object_get(tag, "document")),
                           "span", json_integer_value(json_object_get(tag, "start")),
                           json_integer_value(json_object_get(tag, "end")),
                           "kind", json_string_value(json_object_get(tag, "kind")),
                           "target", json_string_value(json_object_get(tag, "target")),
                           "text", json_string_value(json_object_get(tag, "text")),
                           "status", dec->status, "author", s->user, "decided_at", now);
        if (rel[0])
            json_object_set_new(logged, "relation", json_string(rel));
        rc = evlog_append_item(ctx, st, "tag", json_string_value(json_object_get(tag, "document")),
                               logged, &seq);
        json_decref(logged);
        json_decref(tag);
        if (rc != AT_OK)
            return rc;
        if ((stmt = store_stmt(ctx, st, update_sql)) == NULL)
            return AT_ERR;
        sqlite3_bind_int64(stmt, 1, dec->ids[i]);
        sqlite3_bind_text(stmt, 2, dec->status, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, s->user, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, now, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 5, seq);
        if (rel[0])
            sqlite3_bind_text(stmt, 6, rel, -1, SQLITE_STATIC);
        rc = sqlite3_step(stmt) == SQLITE_DONE ? AT_OK : store_error(ctx, st, "storing a tag decision");
        sqlite3_reset(stmt);
        if (rc != AT_OK)
            return rc;
        dec->changed++;
    }
    return AT_OK;
}
