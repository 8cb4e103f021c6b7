/*
 * referrers.c: a record's referrers with their summaries.  A record with
 * hundreds of relations is read with its referrers' titles in one query,
 * instead of one request per referrer.
 */
#include "referrers.h"
#include "access.h"

#include <string.h>

/* The first n characters (UTF-8 code points) of s, as a new string. */
static json_t *cut(const char *s, size_t n)
{
    size_t i = 0;

    for (; s[i] && n > 0; n--)
        for (i++; (s[i] & 0xC0) == 0x80; i++)
            ;
    return json_stringn(s, i);
}

/* Copies data's field name into out when present; true when it was. */
static bool keep(json_t *out, json_t *data, const char *name)
{
    json_t *v = json_object_get(data, name);

    if (v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
        return false;
    json_object_set(out, name, v);
    return true;
}

/* The data fields a record's title is made from, in the order a title
 * looks for them (the web application's recordLabel): the first of
 * title, name, code and names that is there; else, by type, an act's
 * act_type and event, a relation's kind, from and to, an interview's
 * date, interviewer and place; else description or summary, cut. */
json_t *referrers_summary_of(const char *type, json_t *data)
{
    json_t *out = json_object(), *names = json_object_get(data, "names"), *n;
    size_t i;

    if (keep(out, data, "title") || keep(out, data, "name") || keep(out, data, "code"))
        return out;
    if (json_is_array(names) && json_array_size(names) > 0) {
        json_t *only = json_array();
        json_array_foreach(names, i, n)
            json_array_append_new(only, json_pack("{s:O?}", "name", json_object_get(n, "name")));
        json_object_set_new(out, "names", only);
        return out;
    }
    if (strcmp(type, "act") == 0 && json_object_get(data, "act_type")) {
        keep(out, data, "act_type");
        keep(out, data, "event");
        return out;
    }
    if (strcmp(type, "relation") == 0 && json_object_get(data, "kind")) {
        keep(out, data, "kind");
        keep(out, data, "from");
        keep(out, data, "to");
        return out;
    }
    if (strcmp(type, "interview") == 0) {
        keep(out, data, "date");
        keep(out, data, "interviewer");
        keep(out, data, "place");
        return out;
    }
    static const char *const long_text[] = { "description", "summary" };
    for (i = 0; i < ARRAY_LEN(long_text); i++) {
        const char *s = json_string_value(json_object_get(data, long_text[i]));
        if (s && *s) {
            json_object_set_new(out, long_text[i], cut(s, SUMMARY_CHARS));
            break;
        }
    }
    return out;
}

int referrers_summary(struct at_ctx *ctx, struct store *st, const char *id, json_t **out,
                      json_t *shown)
{
    /* Only the referrers the session may read: their ids alone would tell
     * that records above its clearance exist. */
    static const char sql[] =
        "SELECT r.id, r.field, c.doc FROM record_ref r JOIN record_current c ON c.id = r.id"
        " WHERE r.target = ?1 AND c.clearance <= ?2 ORDER BY r.id";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    if (stmt == NULL)
        return AT_ERR;
    *out = json_array();
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, access_session_clearance(store_session(st)));
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        json_t *doc = json_loadb((const char *)sqlite3_column_text(stmt, 2),
                                 (size_t)sqlite3_column_bytes(stmt, 2), 0, NULL);
        json_t *type = json_object_get(doc, "type");
        json_array_append_new(*out, json_pack("{s:s, s:s, s:O?, s:b, s:o}",
                                              "id", (const char *)sqlite3_column_text(stmt, 0),
                                              "field", (const char *)sqlite3_column_text(stmt, 1),
                                              "type", type,
                                              "retracted", json_is_true(json_object_get(doc, "retracted")),
                                              "summary", referrers_summary_of(json_string_value(type) ?: "",
                                                                    json_object_get(doc, "data"))));
        if (doc && strcmp(json_string_value(json_object_get(doc, "clearance")) ?: "", "confidential") == 0)
            json_array_append(shown, doc);
        json_decref(doc);
    }
    sqlite3_reset(stmt);
    if (step != SQLITE_DONE) {
        json_decref(*out);
        *out = NULL;
        return store_error(ctx, st, "listing referrers");
    }
    return AT_OK;
}
