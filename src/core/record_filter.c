/*
 * record_filter.c: binds a record filter to a statement written with
 * RECORD_FILTER_SQL (record_filter.h): the one place a listing's filter
 * meets its SQL, with the clearance capped at what the session may read,
 * and a place given in any spelling the gazetteer knows.
 */
#include "record_filter.h"
#include "access.h"
#include "gazetteer.h"
#include "model.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* True when some record type has a place field called name. */
static bool is_place_field(const char *name)
{
    size_t n;
    const struct type_spec *types = model_types(&n);

    for (size_t i = 0; i < n; i++) {
        const struct field_spec *f = model_field(&types[i], name);
        if (f && (f->flags & FIELD_PLACE))
            return true;
    }
    return false;
}

/* A JSON array: text, and with spellings, every spelling of the places
 * the gazetteer says it names. */
static json_t *spellings_of(const char *text, bool spellings)
{
    const struct gazetteer_place *named[8];
    struct buf lines = BUF_INIT;
    json_t *all = json_array();

    json_array_append_new(all, json_string(text));
    if (spellings && gazetteer_named(text, named, ARRAY_LEN(named), &lines) > 0)
        for (char *line = lines.data, *nl; line && *line; line = nl + 1) {
            nl = strchr(line, '\n');
            *nl = '\0';
            if (strcmp(line, text) != 0)
                json_array_append_new(all, json_string(line));
        }
    buf_free(&lines);
    return all;
}

/* Binds value (taken) at param as JSON text. */
static void bind_json(sqlite3_stmt *stmt, int param, json_t *value)
{
    char *json = json_dumps(value, JSON_COMPACT);

    sqlite3_bind_text(stmt, param, json, -1, SQLITE_TRANSIENT);
    free(json);
    json_decref(value);
}

static json_t *field_values(const struct record_filter_field *ff)
{
    return spellings_of(ff->value, is_place_field(ff->name));
}

void record_filter_bind_values(sqlite3_stmt *stmt, int param, const struct record_filter_field *ff)
{
    bind_json(stmt, param, field_values(ff));
}

void record_filter_bind(struct store *st, sqlite3_stmt *stmt, const struct record_filter *f)
{
    if (f->has_bbox) {
        bool crosses = f->west > f->east;
        /* First box: west to east, or west to 180; second: -180 to east
         * when crossing, else an empty range. */
        sqlite3_bind_double(stmt, 15, crosses ? 180.0 : f->east);
        sqlite3_bind_double(stmt, 16, crosses ? -180.0 : 1000.0);
    }
    if (f->type)
        sqlite3_bind_text(stmt, 1, f->type, -1, SQLITE_STATIC);
    if (f->date_from)
        sqlite3_bind_int(stmt, 2, f->date_from);
    if (f->date_to)
        sqlite3_bind_int(stmt, 3, f->date_to);
    if (f->place)
        bind_json(stmt, 4, spellings_of(f->place, true));
    sqlite3_bind_int(stmt, 5, access_read_limit(store_session(st), f->max_clearance));
    sqlite3_bind_int(stmt, 6, f->include_retracted);
    sqlite3_bind_int64(stmt, 7, f->limit > 0 ? f->limit : -1);
    sqlite3_bind_int64(stmt, 8, f->offset);
    if (f->has_bbox) {
        sqlite3_bind_double(stmt, 9, f->south);
        sqlite3_bind_double(stmt, 10, f->west);
        sqlite3_bind_double(stmt, 11, f->north);
        sqlite3_bind_double(stmt, 12, f->east);
    }
    if (f->fields[0].name) {
        json_t *fields = json_object();
        for (size_t i = 0; i < RECORD_FILTER_FIELDS && f->fields[i].name; i++)
            json_object_set_new(fields, f->fields[i].name, field_values(&f->fields[i]));
        bind_json(stmt, 13, fields);
    }
}
