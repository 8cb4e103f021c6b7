/*
 * record.c: the append-only record store.  Every write goes through
 * write_version(), which logs the version's canonical text and refreshes
 * the derived tables; record_rebuild() recreates those tables from the
 * versions alone.
 */
#include "attest.h"
#include "record.h"
#include "date.h"
#include "access.h"
#include "canonical.h"
#include "evlog.h"
#include "layer.h"
#include "search.h"
#include "spatial.h"
#include "vocab.h"

#include <stdlib.h>
#include <string.h>

/* Keys of a version document, sorted; no other key is allowed. */
static const char *const doc_keys[] = {
    "author", "clearance", "data", "id", "origin", "reason", "retracted",
    "source", "type", "version", "written_at",
};

/* The clearance a version document carries; confidential when it cannot
 * be read, so that a damaged document is shown to the fewest. */
static int doc_clearance(json_t *doc)
{
    struct at_ctx quiet = { 0 };
    int clearance = CLEARANCE_CONFIDENTIAL;

    if (vocab_clearance_parse(&quiet, json_string_value(json_object_get(doc, "clearance")) ?: "",
                              &clearance) != AT_OK)
        return CLEARANCE_CONFIDENTIAL;
    return clearance;
}

void record_origin_text(json_t *doc, struct buf *out)
{
    json_t *origin = json_object_get(doc, "origin");

    if (origin)
        buf_printf(out, "imported; originally by %s at %s",
                   json_string_value(json_object_get(origin, "author")) ?: "?",
                   json_string_value(json_object_get(origin, "written_at")) ?: "?");
}

/* Fills the derived columns of a current record from its data. */
struct derived {
    int32_t date_lo, date_hi;
    bool has_date, has_point;
    double lat, lon;
    struct buf place;
};

static void derive(const struct type_spec *t, json_t *data, struct derived *d)
{
    struct at_ctx quiet = { 0 };

    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_spec *f = &t->fields[i];
        json_t *v = json_object_get(data, f->name);
        struct fuzzy_date date;

        if (v == NULL)
            continue;
        /* An unknown date is left out of date filters rather than matching all. */
        if ((f->flags & FIELD_DATE_KEY) && date_parse(&quiet, json_string_value(v), &date) == AT_OK
            && date.precision != DATE_UNKNOWN) {
            d->has_date = true;
            d->date_lo = date.lo;
            d->date_hi = date.hi;
        }
        if (f->flags & FIELD_PLACE)
            model_place_text(f, v, &d->place);
        if (f->flags & FIELD_LAT)
            d->lat = json_number_value(v), d->has_point = true;
        if (f->flags & FIELD_LON)
            d->lon = json_number_value(v);
    }
}

/* Whether doc (a version, its shape checked) has a point on the map, as
 * derive finds it. */
static bool doc_has_point(json_t *doc)
{
    const struct type_spec *t = model_type(json_string_value(json_object_get(doc, "type")));
    json_t *data = json_object_get(doc, "data");

    for (size_t i = 0; t && i < t->nfields; i++)
        if ((t->fields[i].flags & FIELD_LAT) && json_object_get(data, t->fields[i].name))
            return true;
    return false;
}

struct ref_insert {
    struct at_ctx *ctx;
    struct store *st;
    const char *id;
    int rc;
    struct layer_stale *stale;    /* what the map's dates refresh after the write */
};

static void insert_ref(void *arg, const char *field, const char *target)
{
    static const char sql[] = "INSERT INTO record_ref(id, field, target) VALUES (?1, ?2, ?3)";
    struct ref_insert *r = arg;
    sqlite3_stmt *stmt;

    if (r->rc != AT_OK || (stmt = store_stmt(r->ctx, r->st, sql)) == NULL) {
        r->rc = AT_ERR;
        return;
    }
    sqlite3_bind_text(stmt, 1, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, field, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, target, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        r->rc = store_error(r->ctx, r->st, "recording a reference");
    layer_stale_add(r->stale, target);
}

/* Replaces the derived rows of the record that doc is the current version
 * of.  replaces: the record has a current row already (not a first
 * version, nor a rebuild, which emptied the derived tables).
 *
 * When there is no current row yet (a first version, or a rebuild) a plain
 * INSERT does; otherwise an UPDATE of the one row by its id, whose rowid is
 * read first.  An upsert would do either, but an upsert (like RETURNING,
 * or a write that may touch several rows) makes SQLite open a statement
 * savepoint, and each savepoint makes FTS5 flush its pending terms into a
 * new segment: one segment per record, merged over and over, which took
 * half the time of an import (and a tenth of a pack's that amends known
 * records). */
static int derive_current(struct at_ctx *ctx, struct store *st, json_t *doc, const char *text,
                          bool replaces)
{
    static const char del_refs[] = "DELETE FROM record_ref WHERE id = ?1";
    static const char insert[] =
        "INSERT INTO record_current(id, type, version, clearance, retracted, date_lo, date_hi,"
        " place, lat, lon, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
    static const char rowid_sql[] = "SELECT rowid FROM record_current WHERE id = ?1";
    static const char update[] =
        "UPDATE record_current SET type = ?2, version = ?3, clearance = ?4, retracted = ?5,"
        " date_lo = ?6, date_hi = ?7, place = ?8, lat = ?9, lon = ?10, doc = ?11 WHERE id = ?1";
    const char *id = json_string_value(json_object_get(doc, "id"));
    const struct type_spec *t = model_type(json_string_value(json_object_get(doc, "type")));
    json_t *data = json_object_get(doc, "data");
    struct derived d = { 0 };
    struct layer_stale stale = LAYER_STALE_INIT;
    struct ref_insert refs = { ctx, st, id, AT_OK, &stale };
    sqlite3_stmt *stmt;
    int clearance = 0, version = (int)json_integer_value(json_object_get(doc, "version"));
    sqlite3_int64 rowid;
    int rc = AT_ERR;

    vocab_clearance_parse(ctx, json_string_value(json_object_get(doc, "clearance")), &clearance);
    derive(t, data, &d);
    if (replaces) {
        if ((stmt = store_stmt(ctx, st, rowid_sql)) == NULL)
            goto out;
        sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
        replaces = sqlite3_step(stmt) == SQLITE_ROW;
        rowid = sqlite3_column_int64(stmt, 0);
        sqlite3_reset(stmt);
        /* The full-text indexes read the text to delete from the row's
         * old doc (their external content): before the row changes. */
        if (replaces && search_forget(ctx, st, rowid) != AT_OK)
            goto out;
    }
    if ((stmt = store_stmt(ctx, st, replaces ? update : insert)) == NULL)
        goto out;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, t->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 3, version);
    sqlite3_bind_int(stmt, 4, clearance);
    sqlite3_bind_int(stmt, 5, json_is_true(json_object_get(doc, "retracted")));
    if (d.has_date) {
        sqlite3_bind_int(stmt, 6, d.date_lo);
        sqlite3_bind_int(stmt, 7, d.date_hi);
    }
    if (d.place.len)
        sqlite3_bind_text(stmt, 8, buf_str(&d.place), -1, SQLITE_STATIC);
    if (d.has_point) {
        sqlite3_bind_double(stmt, 9, d.lat);
        sqlite3_bind_double(stmt, 10, d.lon);
    }
    sqlite3_bind_text(stmt, 11, text, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        store_error(ctx, st, "updating the current view");
        goto out;
    }
    if (!replaces)
        rowid = sqlite3_last_insert_rowid(store_db(st));
    sqlite3_reset(stmt);
    if (replaces) {
        if (layer_date_before(ctx, st, id, &stale) != AT_OK
            || (stmt = store_stmt(ctx, st, del_refs)) == NULL)
            goto out;
        sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
            store_error(ctx, st, "updating references");
            goto out;
        }
    }
    model_each_ref(t, data, insert_ref, &refs);
    /* The version's source (an interview or document) is a reference too:
     * the source's page lists what cites it. */
    if (json_is_string(json_object_get(doc, "source")))
        insert_ref(&refs, "source", json_string_value(json_object_get(doc, "source")));
    if (refs.rc != AT_OK
        || layer_count_record(ctx, st, rowid, t->name, clearance, d.has_point, d.lat, d.lon,
                              json_is_true(json_object_get(doc, "retracted"))) != AT_OK
        || spatial_index_record(ctx, st, rowid, id, t->name, clearance, d.has_point, d.lat, d.lon,
                                json_is_true(json_object_get(doc, "retracted"))) != AT_OK
        || layer_date_record(ctx, st, rowid, id, replaces, &stale) != AT_OK)
        goto out;
    rc = search_index_record(ctx, st, rowid, t, doc);
out:
    layer_stale_free(&stale);
    buf_free(&d.place);
    return rc;
}

/* A witness code names one witness: a second would count one person twice
 * among the independent sources.  Codes compare without case or the spaces
 * around them; a retracted witness's code is free.  The one gate for every
 * way in (add, amend, import), since each writes through write_version.
 * The other witness is not named: it may be above the writer's clearance. */
static int check_witness_code(struct at_ctx *ctx, struct store *st, json_t *doc)
{
    static const char sql[] =
        "SELECT 1 FROM record_current WHERE type = 'witness' AND retracted = 0"
        " AND upper(trim(json_extract(doc, '$.data.code'))) = upper(trim(?1)) AND id <> ?2"
        " LIMIT 1";
    const char *code = json_string_value(json_object_get(json_object_get(doc, "data"), "code"));
    sqlite3_stmt *stmt;
    int step;

    if (code == NULL || json_is_true(json_object_get(doc, "retracted"))
        || strcmp(json_string_value(json_object_get(doc, "type")), "witness") != 0)
        return AT_OK;
    if ((stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, json_string_value(json_object_get(doc, "id")), -1, SQLITE_STATIC);
    step = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (step == SQLITE_ROW)
        return ctx_error(ctx, AT_EINVAL, "field \"code\": witness code \"%s\" is already in use "
                         "by another witness; each witness needs a code of its own (retract the "
                         "other first if it was entered twice)", code);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "checking the witness code");
}

/* The current-view rule, in one place: of a record's heads (the versions
 * no other version of it is based on), the one first written last (origin
 * time), ties broken by origin archive, then origin sequence, highest
 * first.  Every archive holding the same versions picks the same one,
 * whatever order they arrived in.  ?1 is the record's id. */
#define HEADS_SQL(cols)                                                                   \
    "SELECT " cols " FROM record_version v WHERE v.id = ?1 AND NOT EXISTS"               \
    " (SELECT 1 FROM record_base b WHERE b.id = v.id AND b.base_origin = v.origin"        \
    " AND b.base_oseq = v.oseq)"                                                          \
    " ORDER BY v.origin_at DESC, v.origin DESC, v.oseq DESC"

/* The rule over every record at once: each record's picked version (id,
 * version, doc, log_seq) and its number of heads. */
#define CURRENT_SQL                                                                       \
    "SELECT id, version, doc, log_seq, heads FROM (SELECT v.id, v.version, v.doc,"        \
    " v.log_seq, row_number() OVER w AS n, count(*) OVER (PARTITION BY v.id) AS heads"    \
    " FROM record_version v WHERE NOT EXISTS (SELECT 1 FROM record_base b"                \
    " WHERE b.id = v.id AND b.base_origin = v.origin AND b.base_oseq = v.oseq)"           \
    " WINDOW w AS (PARTITION BY v.id ORDER BY v.origin_at DESC, v.origin DESC,"           \
    " v.oseq DESC)) WHERE n = 1"

/* Enters the versions a new version of id is based on: for a version of
 * this archive, every head of the record (so that amending a record in
 * conflict resolves it); for an imported one, those its origin named. */
static int insert_bases(struct at_ctx *ctx, struct store *st, const char *id, int version,
                        json_t *bases)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO record_base(id, version, base_origin, base_oseq)"
        " VALUES (?1, ?2, ?3, ?4)";
    static const char heads_sql[] =
        "INSERT OR IGNORE INTO record_base(id, version, base_origin, base_oseq) SELECT ?1, ?2,"
        " h.origin, h.oseq FROM (" HEADS_SQL("v.origin, v.oseq") ") h";
    sqlite3_stmt *stmt;
    json_t *gid;
    size_t i;

    if (bases == NULL) {
        if ((stmt = store_stmt(ctx, st, heads_sql)) == NULL)
            return AT_ERR;
        sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 2, version);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            return store_error(ctx, st, "recording what a version is based on");
        sqlite3_reset(stmt);
        return AT_OK;
    }
    json_array_foreach(bases, i, gid) {
        char origin[RECORD_GID_MAX];
        int64_t oseq;
        if (record_gid_parse(json_string_value(gid), origin, &oseq) != AT_OK)
            return ctx_error(ctx, AT_EINVAL, "%s: base \"%s\" is not a version identity "
                             "(ARCHIVE/SEQUENCE)", id, json_string_value(gid) ?: "");
        if ((stmt = store_stmt(ctx, st, sql)) == NULL)
            return AT_ERR;
        sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 2, version);
        sqlite3_bind_text(stmt, 3, origin, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(stmt, 4, oseq);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            return store_error(ctx, st, "recording what a version is based on");
        sqlite3_reset(stmt);
    }
    return AT_OK;
}

/* Lists id in conflict while it has more than one head; *picked is the
 * version the rule picks (0 when it has none). */
static int pick_head(struct at_ctx *ctx, struct store *st, const char *id, int *picked)
{
    static const char conflict_sql[] = "INSERT OR IGNORE INTO record_conflict(id) VALUES (?1)";
    static const char settled_sql[] = "DELETE FROM record_conflict WHERE id = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, HEADS_SQL("v.version"));
    int heads = 0, step;

    *picked = 0;
    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        if (heads++ == 0)
            *picked = sqlite3_column_int(stmt, 0);
    sqlite3_reset(stmt);
    if (step != SQLITE_DONE)
        return store_error(ctx, st, "finding a record's heads");
    if ((stmt = store_stmt(ctx, st, heads > 1 ? conflict_sql : settled_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    step = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "listing a conflict");
}

/* Makes the current view of id the version the rule picks, after a new
 * version (doc, text) was stored: refreshed only when the new version is
 * the one picked; the record is listed in conflict while it has more than
 * one head. */
static int refresh_current(struct at_ctx *ctx, struct store *st, json_t *doc, const char *text,
                           bool replaces)
{
    int picked, rc;

    if ((rc = pick_head(ctx, st, json_string_value(json_object_get(doc, "id")), &picked))
        != AT_OK)
        return rc;
    if (picked != json_integer_value(json_object_get(doc, "version")))
        return AT_OK;
    return derive_current(ctx, st, doc, text, replaces);
}

/* The map's counts (and the dates they keep) through a write of many records:
 * a bulk import, or a pack's versions settled.  Keeping them costs more than
 * anything else a record does (a point is added to 13 zoom levels twice over,
 * a look-up and an upsert each, and its dates refreshed: about 72
 * microseconds a record with a point); making them again from every point
 * costs about a sixth of that a point (11), but for the archive's points too
 * (docs/scaling.md, with the bulk page cache).  When making them again is the
 * cheaper, they are emptied (and left alone: layer_count_record and
 * layer_date_record do nothing while they are not built) and made once at the
 * end of the write.  A pack's settling knows beforehand how many records with
 * a point it derives, n into an archive of m points, and decides then
 * (map_bulk_expect): made again when n * MAP_KEEP_COST > m + n.  A bulk
 * import does not know what is coming: it keeps them till it has derived as
 * many records as the archive had points (map_bulk_derived), so a small write
 * into a large archive keeps them, one as large as the archive makes them
 * once. */
#define MAP_KEEP_COST 6

struct map_bulk {
    bool begun;
    bool counting;            /* kept record by record */
    bool recount;             /* emptied: made again at the end */
    int64_t points_before;    /* the points they counted at the start */
    int64_t written;          /* the records derived since */
    int64_t expected;         /* the records with a point settling said were coming */
};

static int map_bulk_begin(struct at_ctx *ctx, struct store *st, struct map_bulk *m)
{
    m->begun = true;
    return layer_count_points(ctx, st, &m->counting, &m->points_before);
}

/* Empties the counts, to be made again at the end. */
static int map_bulk_stop(struct at_ctx *ctx, struct store *st, struct map_bulk *m)
{
    m->counting = false;
    m->recount = true;
    return layer_count_clear(ctx, st);
}

/* After each record derived. */
static int map_bulk_derived(struct at_ctx *ctx, struct store *st, struct map_bulk *m)
{
    if (!m->counting || ++m->written <= m->points_before)
        return AT_OK;
    return map_bulk_stop(ctx, st, m);
}

/* Before n more records with a point are derived. */
static int map_bulk_expect(struct at_ctx *ctx, struct store *st, struct map_bulk *m, int64_t n)
{
    m->expected += n;
    if (!m->counting || m->expected * (MAP_KEEP_COST - 1) <= m->points_before)
        return AT_OK;
    return map_bulk_stop(ctx, st, m);
}

/* A record whose view waits, with the last version stored for it (its
 * number and canonical text), held so that settling, which picks that
 * version far more often than not, need not read it back.  The text, not
 * its parsed document: a document costs several times its text in memory
 * (half of an import's heap at 50,000 records), and canonical_parse makes
 * it again in a few microseconds.  Past PENDING_HELD_MAX records, versions
 * are read back instead: memory stays bounded in a pack of any size. */
struct pending_record {
    char *id;
    int version;   /* of text; 0: not held */
    char *text;
    bool point;    /* the last version stored has a point on the map */
    int last;      /* the number of the last version stored (the highest) */
    /* While the record's versions stored are a new chain, the identity of
     * the last (else NULL): a chain when the first was the record's first
     * anywhere here (numbered 1) and based on none, and each after it
     * based on the one before and nothing else.  Its one head is then the
     * last, and it has no view to replace and no conflict: settling need
     * not ask the archive (pick_head), as it must for any other record. */
    char *chain_origin;
    int64_t chain_oseq;
};

#define PENDING_HELD_MAX 65536

struct record_pending {
    struct pending_record *rec;  /* in the order first touched */
    size_t n, cap;
    json_t *index;               /* id -> its place in rec */
    struct map_bulk map;         /* begun at the first settle */
};

struct record_pending *record_pending_new(void)
{
    struct record_pending *p = xcalloc(1, sizeof *p);

    p->index = json_object();
    return p;
}

/* Whether bases names the version origin/oseq and nothing else. */
static bool based_on_only(json_t *bases, const char *origin, int64_t oseq)
{
    char base_origin[RECORD_GID_MAX];
    int64_t base_oseq;

    return json_array_size(bases) == 1
           && record_gid_parse(json_string_value(json_array_get(bases, 0)), base_origin,
                               &base_oseq) == AT_OK
           && base_oseq == oseq && strcmp(base_origin, origin) == 0;
}

/* Notes that id has a new version, its canonical text (with a point:
 * point), o its identity and bases; takes text. */
static void pending_add(struct record_pending *p, const char *id, int version, char *text,
                        bool point, const struct record_origin *o)
{
    json_t *at = json_object_get(p->index, id);
    struct pending_record *r;
    bool chain;

    if (at == NULL) {
        if (p->n == p->cap) {
            p->cap = p->cap ? 2 * p->cap : 256;
            p->rec = xrealloc(p->rec, p->cap * sizeof *p->rec);
        }
        json_object_set_new(p->index, id, json_integer((json_int_t)p->n));
        r = &p->rec[p->n++];
        *r = (struct pending_record){ .id = xstrdup(id) };
        chain = version == 1 && json_array_size(o->base) == 0;
    } else {
        r = &p->rec[json_integer_value(at)];
        free(r->text);
        r->version = 0, r->text = NULL;
        chain = r->chain_origin && based_on_only(o->base, r->chain_origin, r->chain_oseq);
    }
    if (!chain) {
        free(r->chain_origin);
        r->chain_origin = NULL;
    } else if (r->chain_origin == NULL || strcmp(r->chain_origin, o->archive) != 0) {
        /* copied only when it changes: mostly the origin is the same */
        free(r->chain_origin);
        r->chain_origin = xstrdup(o->archive);
    }
    r->chain_oseq = o->seq;
    r->point = point;
    r->last = version;
    if ((size_t)(r - p->rec) < PENDING_HELD_MAX) {
        r->version = version;
        r->text = text;
    } else {
        free(text);
    }
}

/* The view of r's record as refresh_current leaves it after its last
 * version: derived from the version picked (the one held, or read back),
 * unless that is the current row's already. */
static int settle_one(struct at_ctx *ctx, struct store *st, struct record_pending *p,
                      const struct pending_record *r)
{
    static const char current_sql[] = "SELECT version FROM record_current WHERE id = ?1";
    static const char version_sql[] =
        "SELECT doc FROM record_version WHERE id = ?1 AND version = ?2";
    sqlite3_stmt *stmt;
    json_t *doc = NULL;
    char *read_back = NULL;
    const char *text = NULL;
    int picked = r->last, current = 0, rc;
    bool replaces = false;

    if (r->chain_origin == NULL) {
        if ((rc = pick_head(ctx, st, r->id, &picked)) != AT_OK)
            return rc;
        if ((stmt = store_stmt(ctx, st, current_sql)) == NULL)
            return AT_ERR;
        sqlite3_bind_text(stmt, 1, r->id, -1, SQLITE_STATIC);
        if ((replaces = sqlite3_step(stmt) == SQLITE_ROW))
            current = sqlite3_column_int(stmt, 0);
        sqlite3_reset(stmt);
        if (picked == 0 || (replaces && current == picked))
            return AT_OK;
    }
    if (r->text && r->version == picked) {
        text = r->text;
    } else {
        if ((stmt = store_stmt(ctx, st, version_sql)) == NULL)
            return AT_ERR;
        sqlite3_bind_text(stmt, 1, r->id, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 2, picked);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            text = read_back = xstrdup((const char *)sqlite3_column_text(stmt, 0));
        sqlite3_reset(stmt);
    }
    if (text)
        doc = canonical_parse(text, strlen(text));
    rc = doc ? derive_current(ctx, st, doc, text, replaces)
             : ctx_error(ctx, AT_ECORRUPT, "%s: version %d cannot be read", r->id, picked);
    if (rc == AT_OK)
        rc = map_bulk_derived(ctx, st, &p->map);
    json_decref(doc);
    free(read_back);
    return rc;
}

/* The record id as pending, or NULL. */
static const struct pending_record *pending_find(const struct record_pending *p, const char *id)
{
    json_t *at = p ? json_object_get(p->index, id) : NULL;

    return at ? &p->rec[json_integer_value(at)] : NULL;
}

static void pending_clear(struct record_pending *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->rec[i].id);
        free(p->rec[i].text);
        free(p->rec[i].chain_origin);
    }
    p->n = 0;
    json_object_clear(p->index);
}

int record_pending_settle(struct at_ctx *ctx, struct store *st, struct record_pending *p)
{
    int rc = p->map.begun || p->n == 0 ? AT_OK : map_bulk_begin(ctx, st, &p->map);
    int64_t points = 0;

    for (size_t i = 0; i < p->n; i++)
        points += p->rec[i].point;
    if (rc == AT_OK && points > 0)
        rc = map_bulk_expect(ctx, st, &p->map, points);
    for (size_t i = 0; i < p->n && rc == AT_OK; i++)
        rc = settle_one(ctx, st, p, &p->rec[i]);
    pending_clear(p);
    return rc;
}

int record_pending_end(struct at_ctx *ctx, struct store *st, struct record_pending *p)
{
    int rc = record_pending_settle(ctx, st, p);

    if (rc == AT_OK && p->map.recount)
        rc = layer_count_rebuild(ctx, st);
    p->map = (struct map_bulk){ 0 };
    return rc;
}

void record_pending_free(struct record_pending *p)
{
    if (p == NULL)
        return;
    pending_clear(p);
    json_decref(p->index);
    free(p->rec);
    free(p);
}


int record_gid_parse(const char *gid, char origin[RECORD_GID_MAX], int64_t *seq)
{
    const char *slash = gid ? strchr(gid, '/') : NULL;
    char *end;
    long long n;

    if (slash == NULL || slash == gid || (size_t)(slash - gid) >= RECORD_GID_MAX
        || strspn(gid, "0123456789abcdef") != (size_t)(slash - gid))
        return AT_EINVAL;
    n = strtoll(slash + 1, &end, 10);
    if (*end != '\0' || n < 1 || end == slash + 1)
        return AT_EINVAL;
    memcpy(origin, gid, (size_t)(slash - gid));
    origin[slash - gid] = '\0';
    *seq = n;
    return AT_OK;
}

/* Stores doc (its canonical text) as the version logged at seq, with its
 * identity: o, or this archive's (self) when o is NULL. */
static int insert_version(struct at_ctx *ctx, struct store *st, json_t *doc, const char *text,
                          int64_t seq, const struct record_origin *o, const char *self)
{
    static const char sql[] =
        "INSERT INTO record_version(id, version, type, log_seq, doc, origin, oseq, origin_at,"
        " proof) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, json_string_value(json_object_get(doc, "id")), -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, (int)json_integer_value(json_object_get(doc, "version")));
    sqlite3_bind_text(stmt, 3, json_string_value(json_object_get(doc, "type")), -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 4, seq);
    sqlite3_bind_text(stmt, 5, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 6, o ? o->archive : self, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 7, o ? o->seq : seq);
    sqlite3_bind_text(stmt, 8, o ? o->written_at
                                 : json_string_value(json_object_get(doc, "written_at")),
                      -1, SQLITE_STATIC);
    if (o)
        sqlite3_bind_blob(stmt, 9, o->proof, (int)o->proof_len, SQLITE_STATIC);
    step = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "storing the version");
}

/* Appends s (its doc, text and leaf) to the log and the versions, with
 * its identity (o, or this archive's when NULL), then refreshes the
 * derived view. */
static int write_stored(struct at_ctx *ctx, struct store *st, const struct record_stored *s,
                        const struct record_origin *o)
{
    static const char has_sql[] = "SELECT 1 FROM record_current WHERE id = ?1";
    json_t *doc = s->doc;
    const char *id = json_string_value(json_object_get(doc, "id"));
    int version = (int)json_integer_value(json_object_get(doc, "version"));
    struct buf self = BUF_INIT;
    sqlite3_stmt *stmt;
    bool replaces;
    int64_t seq;
    int rc = AT_ERR;

    if (s->text == NULL)
        return ctx_error(ctx, AT_EINVAL, "record %s: nested too deeply to be written", id);
    /* A witness code from elsewhere was checked where it was written. */
    if (o == NULL && (rc = check_witness_code(ctx, st, doc)) != AT_OK)
        goto out;
    rc = AT_ERR;
    if (o == NULL && store_meta_get(ctx, st, "archive_id", &self) != AT_OK)
        goto out;
    /* Bases first: a local version is based on the heads before it. */
    if ((rc = insert_bases(ctx, st, id, version, o ? o->base : NULL)) != AT_OK)
        goto out;
    rc = AT_ERR;
    if (evlog_append_leaf(ctx, st, s->leaf, &seq) != AT_OK
        || insert_version(ctx, st, doc, s->text, seq, o, buf_str(&self)) != AT_OK)
        goto out;
    if (o && o->pending) {
        pending_add(o->pending, id, version, xstrdup(s->text), doc_has_point(doc), o);
        rc = AT_OK;
        goto out;
    }
    if ((stmt = store_stmt(ctx, st, has_sql)) == NULL)
        goto out;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    replaces = sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_reset(stmt);
    rc = refresh_current(ctx, st, doc, s->text, replaces);
out:
    buf_free(&self);
    return rc;
}

/* write_stored for a version written here. */
static int write_version(struct at_ctx *ctx, struct store *st, json_t *doc)
{
    struct record_stored s = { doc, canonical_text(doc), { 0 } };
    int rc;

    if (s.text)
        merkle_leaf_hash(s.text, strlen(s.text), s.leaf);
    rc = write_stored(ctx, st, &s, NULL);
    free(s.text);
    return rc;
}

/* Checks that each reference in data names a record of the archive. */
struct ref_check {
    struct at_ctx *ctx;
    struct store *st;
    int rc;
};

static void check_ref(void *arg, const char *field, const char *target)
{
    static const char sql[] = "SELECT 1 FROM record_current WHERE id = ?1";
    struct ref_check *r = arg;
    sqlite3_stmt *stmt;
    int step;

    if (r->rc != AT_OK)
        return;
    if ((stmt = store_stmt(r->ctx, r->st, sql)) == NULL) {
        r->rc = AT_ERR;
        return;
    }
    sqlite3_bind_text(stmt, 1, target, -1, SQLITE_STATIC);
    step = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (step == SQLITE_DONE)
        r->rc = ctx_error(r->ctx, AT_EINVAL, "field \"%s\": no record %s in the archive "
                          "(a reference must name a record added before it)", field, target);
    else if (step != SQLITE_ROW)
        r->rc = store_error(r->ctx, r->st, "checking a reference");
}

static int check_refs(struct at_ctx *ctx, struct store *st, const struct type_spec *t, json_t *data)
{
    struct ref_check r = { ctx, st, AT_OK };

    model_each_ref(t, data, check_ref, &r);
    return r.rc;
}

static int check_source(struct at_ctx *ctx, struct store *st, const char *source)
{
    const struct type_spec *t = model_type_of_id(source);

    if (!model_id_valid(source) || (strcmp(t->name, "interview") != 0
                                    && strcmp(t->name, "document") != 0))
        return ctx_error(ctx, AT_EINVAL, "source \"%s\": must be an interview or document id",
                         source);
    struct ref_check r = { ctx, st, AT_OK };
    check_ref(&r, "source", source);
    return r.rc;
}

static json_t *new_doc(struct store *st, const char *id, const struct type_spec *t, int version,
                       int clearance, bool retracted, const struct record_write *w,
                       const char *source, json_t *data)
{
    char now[21];
    json_t *doc = json_object();
    bool made;

    /* Member by member, in this order, as json_pack made it, for a tenth
     * of its cost (it read its format again for every record); NULL when
     * a text is not UTF-8, as json_pack's. */
    canonical_now(now);
    made = json_object_set_new(doc, "id", json_string(id)) == 0
        && json_object_set_new(doc, "type", json_string(t->name)) == 0
        && json_object_set_new(doc, "version", json_integer(version)) == 0
        && json_object_set_new(doc, "clearance", json_string(vocab_clearance_name(clearance))) == 0
        && json_object_set_new(doc, "retracted", json_boolean(retracted)) == 0
        && json_object_set_new(doc, "reason", json_string(w->reason ? w->reason
                                                          : version == 1 ? "created" : "")) == 0
        && json_object_set_new(doc, "author", json_string(store_session(st)->user)) == 0
        && json_object_set_new(doc, "written_at", json_string(now)) == 0
        && (source == NULL || json_object_set_new(doc, "source", json_string(source)) == 0)
        && json_object_set(doc, "data", data) == 0;
    if (!made) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* The first version of a new record, checked as every new record is: its
 * document in *doc (the caller's), its id in id_out. */
static int new_record(struct at_ctx *ctx, struct store *st, const struct type_spec *t,
                      json_t *data, const struct record_write *w, char id_out[RECORD_ID_MAX],
                      json_t **doc)
{
    static const char exists_sql[] = "SELECT 1 FROM record_version WHERE id = ?1";
    int clearance = w->clearance >= 0 ? w->clearance : t->default_clearance;
    int rc;

    if ((rc = access_check(ctx, store_session(st), ACTION_WRITE, clearance)) != AT_OK
        || (rc = model_validate(ctx, t, data)) != AT_OK
        || (rc = check_refs(ctx, st, t, data)) != AT_OK
        || (w->source && (rc = check_source(ctx, st, w->source)) != AT_OK))
        return rc;
    if (w->id) {
        const struct type_spec *of = model_type_of_id(w->id);
        if (!model_id_valid(w->id) || of != t)
            return ctx_error(ctx, AT_EINVAL, "id \"%s\": not a %s id (%s- and 12 characters "
                             "of 0-9 a-z without i l o u)", w->id, t->name, t->prefix);
        snprintf(id_out, RECORD_ID_MAX, "%s", w->id);
    } else {
        model_new_id(t, id_out);
    }
    sqlite3_stmt *stmt = store_stmt(ctx, st, exists_sql);
    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, id_out, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc == SQLITE_ROW)
        return ctx_error(ctx, AT_ECONFLICT, "id \"%s\": already in the archive", id_out);
    *doc = new_doc(st, id_out, t, 1, clearance, false, w, w->source, data);
    return AT_OK;
}

int record_add(struct at_ctx *ctx, struct store *st, const struct type_spec *t, json_t *data,
               const struct record_write *w, char id_out[RECORD_ID_MAX])
{
    json_t *doc;
    int rc;

    if ((rc = new_record(ctx, st, t, data, w, id_out, &doc)) != AT_OK)
        return rc;
    rc = write_version(ctx, st, doc);
    json_decref(doc);
    return rc;
}

/* A bulk write of new records (record.h).  The indexes it leaves to its
 * end: the references' two, on random ids, which no new record reads
 * (references are checked against the current view's ids), made again
 * from their small table.  The current view's index by type and date is
 * kept up to date: making it again reads every current row, documents
 * and all (over 20,000 records it cost as much as it saved, and the
 * documents outgrow the page cache long before a million). */
static const char *const bulk_indexes[] = {
    "record_ref_id", "record_ref_target",
};

struct record_bulk {
    struct buf self;          /* this archive's id */
    struct buf indexes;       /* the CREATE statements of the indexes dropped */
    struct evlog_batch log;
    struct map_bulk map;
};

int record_bulk_begin(struct at_ctx *ctx, struct store *st, struct record_bulk **out)
{
    static const char sql[] = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1";
    struct record_bulk *b = xcalloc(1, sizeof *b);
    struct buf drop = BUF_INIT;
    int rc;

    if ((rc = store_meta_get(ctx, st, "archive_id", &b->self)) != AT_OK)
        goto out;
    for (size_t i = 0; i < ARRAY_LEN(bulk_indexes); i++) {
        sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
        if (stmt == NULL) {
            rc = AT_ERR;
            goto out;
        }
        sqlite3_bind_text(stmt, 1, bulk_indexes[i], -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) == SQLITE_ROW) {
            buf_printf(&b->indexes, "%s;\n", (const char *)sqlite3_column_text(stmt, 0));
            buf_printf(&drop, "DROP INDEX %s;\n", bulk_indexes[i]);
        }
        sqlite3_reset(stmt);
    }
    if (drop.len)
        rc = store_exec(ctx, st, buf_str(&drop));
    /* The map's dates read the references through those indexes: made
     * again at the end. */
    if (rc == AT_OK)
        rc = map_bulk_begin(ctx, st, &b->map);
    if (rc == AT_OK)
        rc = layer_date_suspend(ctx, st);
out:
    buf_free(&drop);
    if (rc != AT_OK) {
        record_bulk_free(b);
        b = NULL;
    }
    *out = b;
    return rc;
}

int record_bulk_add(struct at_ctx *ctx, struct store *st, struct record_bulk *b,
                    const struct type_spec *t, json_t *data, const struct record_write *w,
                    char id_out[RECORD_ID_MAX])
{
    json_t *doc = NULL;
    char *text = NULL;
    int64_t seq = 0;
    int rc;

    /* What write_version does for a record with no version yet: it has no
     * heads, so no bases, no conflict and no current row to replace.  All
     * that is derived from a current version is written by derive_current,
     * on both paths, so a derived table kept there is the same either way. */
    if ((rc = new_record(ctx, st, t, data, w, id_out, &doc)) != AT_OK
        || (rc = check_witness_code(ctx, st, doc)) != AT_OK)
        goto out;
    text = canonical_text(doc);
    if ((rc = evlog_batch_append(ctx, st, &b->log, text, &seq)) != AT_OK
        || (rc = insert_version(ctx, st, doc, text, seq, NULL, buf_str(&b->self))) != AT_OK
        || (rc = derive_current(ctx, st, doc, text, false)) != AT_OK)
        goto out;
    rc = map_bulk_derived(ctx, st, &b->map);
out:
    if (rc != AT_OK && seq != 0)
        evlog_batch_drop(&b->log, seq);
    free(text);
    json_decref(doc);
    return rc;
}

int record_bulk_end(struct at_ctx *ctx, struct store *st, struct record_bulk *b)
{
    int rc = evlog_batch_flush(ctx, st, &b->log);

    if (rc == AT_OK && b->indexes.len)
        rc = store_exec(ctx, st, buf_str(&b->indexes));
    if (rc == AT_OK)
        rc = b->map.recount ? layer_count_rebuild(ctx, st) : layer_date_resume(ctx, st);
    record_bulk_free(b);
    return rc;
}

void record_bulk_free(struct record_bulk *b)
{
    if (b == NULL)
        return;
    buf_free(&b->self);
    buf_free(&b->indexes);
    evlog_batch_free(&b->log);
    free(b);
}

/* Loads the current version of id for a new version to be made from it. */
static int load_current(struct at_ctx *ctx, struct store *st, const char *id, json_t **doc,
                        const struct type_spec **t, const struct record_write *w)
{
    int rc;

    if ((rc = access_check(ctx, store_session(st), ACTION_WRITE, 0)) != AT_OK)
        return rc;
    if (w->reason == NULL || *w->reason == '\0')
        return ctx_error(ctx, AT_EINVAL, "a new version of %s needs a reason (--reason TEXT)", id);
    if ((rc = record_get(ctx, st, id, 0, doc)) != AT_OK)
        return rc;
    if ((rc = access_check_version(ctx, store_session(st), id, 0, CLEARANCE_PUBLIC,
                                   doc_clearance(*doc))) != AT_OK) {
        json_decref(*doc);
        *doc = NULL;
        return rc;
    }
    *t = model_type(json_string_value(json_object_get(*doc, "type")));
    return AT_OK;
}

/* Lowering a record's clearance is a decision some roles may not take. */
static int check_clearance_change(struct at_ctx *ctx, struct store *st, json_t *old, int clearance)
{
    if (clearance < doc_clearance(old))
        return access_check(ctx, store_session(st), ACTION_DECLASSIFY, 0);
    return AT_OK;
}

/* The next local version number of id: versions are numbered in the
 * order they arrive, and the current one need not be the last. */
static int next_version(struct at_ctx *ctx, struct store *st, const char *id, int *out)
{
    static const char sql[] =
        "SELECT coalesce(max(version), 0) + 1 FROM record_version WHERE id = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    step = sqlite3_step(stmt);
    *out = sqlite3_column_int(stmt, 0);
    sqlite3_reset(stmt);
    return step == SQLITE_ROW ? AT_OK : store_error(ctx, st, "numbering a version");
}

static int write_next(struct at_ctx *ctx, struct store *st, json_t *old, const struct type_spec *t,
                      json_t *data, bool retracted, const struct record_write *w)
{
    int clearance = 0, version;
    const char *source = w->source ? w->source
                                   : json_string_value(json_object_get(old, "source"));
    json_t *doc;
    int rc;

    if (w->clearance >= 0)
        clearance = w->clearance;
    else if (vocab_clearance_parse(ctx, json_string_value(json_object_get(old, "clearance")),
                                   &clearance) != AT_OK)
        return AT_ECORRUPT;
    if (w->source && (rc = check_source(ctx, st, w->source)) != AT_OK)
        return rc;
    if (w->clearance >= 0 && (rc = check_clearance_change(ctx, st, old, clearance)) != AT_OK)
        return rc;
    if ((rc = next_version(ctx, st, json_string_value(json_object_get(old, "id")),
                           &version)) != AT_OK)
        return rc;
    doc = new_doc(st, json_string_value(json_object_get(old, "id")), t, version, clearance,
                  retracted, w, source, data);
    rc = write_version(ctx, st, doc);
    json_decref(doc);
    return rc;
}

int record_amend(struct at_ctx *ctx, struct store *st, const char *id, json_t *changes,
                 const struct record_write *w)
{
    const struct type_spec *t = NULL;
    json_t *old = NULL, *data, *value;
    const char *key;
    int rc;

    if ((rc = load_current(ctx, st, id, &old, &t, w)) != AT_OK)
        return rc;
    data = json_deep_copy(json_object_get(old, "data"));
    json_object_foreach(changes, key, value) {
        if (json_is_null(value))
            json_object_del(data, key);
        else
            json_object_set(data, key, value);
    }
    if ((rc = model_validate(ctx, t, data)) == AT_OK
        && (rc = check_refs(ctx, st, t, data)) == AT_OK)
        rc = write_next(ctx, st, old, t, data, json_is_true(json_object_get(old, "retracted")), w);
    json_decref(data);
    json_decref(old);
    return rc;
}

int record_retract(struct at_ctx *ctx, struct store *st, const char *id,
                   const struct record_write *w)
{
    const struct type_spec *t = NULL;
    json_t *old = NULL;
    int rc;

    if ((rc = load_current(ctx, st, id, &old, &t, w)) != AT_OK)
        return rc;
    if (json_is_true(json_object_get(old, "retracted")))
        rc = ctx_error(ctx, AT_ECONFLICT, "%s is already retracted", id);
    else
        rc = write_next(ctx, st, old, t, json_object_get(old, "data"), true, w);
    json_decref(old);
    return rc;
}

int record_add_write(struct at_ctx *ctx, struct store *st, void *change)
{
    struct record_change *c = change;

    return record_add(ctx, st, c->type, c->data, c->w, c->id_out);
}

int record_amend_write(struct at_ctx *ctx, struct store *st, void *change)
{
    struct record_change *c = change;

    return record_amend(ctx, st, c->id, c->data, c->w);
}

int record_retract_write(struct at_ctx *ctx, struct store *st, void *change)
{
    struct record_change *c = change;

    return record_retract(ctx, st, c->id, c->w);
}

/* Checks the shape of an imported version document. */
static int check_doc_shape(struct at_ctx *ctx, json_t *doc, const struct type_spec **t)
{
    const char *key;
    json_t *value;
    int clearance;

    if (!json_is_object(doc))
        return ctx_error(ctx, AT_EINVAL, "a version must be a JSON object");
    json_object_foreach(doc, key, value) {
        size_t k = 0;
        while (k < ARRAY_LEN(doc_keys) && strcmp(doc_keys[k], key) != 0)
            k++;
        if (k == ARRAY_LEN(doc_keys))
            return ctx_error(ctx, AT_EINVAL, "key \"%s\": not part of a version; valid: author, "
                             "clearance, data, id, origin, reason, retracted, source, type, "
                             "version, written_at", key);
    }
    *t = model_type(json_string_value(json_object_get(doc, "type")));
    if (*t == NULL) {
        struct buf valid = BUF_INIT;
        model_list_types(&valid);
        ctx_error(ctx, AT_EINVAL, "key \"type\": unknown type; valid: %s", buf_str(&valid));
        buf_free(&valid);
        return AT_EINVAL;
    }
    const char *id = json_string_value(json_object_get(doc, "id"));
    if (id == NULL || !model_id_valid(id) || model_type_of_id(id) != *t)
        return ctx_error(ctx, AT_EINVAL, "key \"id\": \"%s\" is not a %s id", id ? id : "",
                         (*t)->name);
    if (!json_is_integer(json_object_get(doc, "version"))
        || json_integer_value(json_object_get(doc, "version")) < 1)
        return ctx_error(ctx, AT_EINVAL, "key \"version\": must be a whole number from 1");
    if (!json_is_boolean(json_object_get(doc, "retracted")))
        return ctx_error(ctx, AT_EINVAL, "key \"retracted\": must be true or false");
    if (vocab_clearance_parse(ctx, json_string_value(json_object_get(doc, "clearance")) ?: "",
                              &clearance) != AT_OK)
        return ctx_prefix(ctx, "key \"clearance\": ");
    static const char *const text_keys[] = { "author", "reason", "written_at" };
    for (size_t i = 0; i < ARRAY_LEN(text_keys); i++)
        if (!json_is_string(json_object_get(doc, text_keys[i])))
            return ctx_error(ctx, AT_EINVAL, "key \"%s\": must be text", text_keys[i]);
    json_t *origin = json_object_get(doc, "origin");
    if (origin && (!json_is_object(origin) || json_object_size(origin) != 2
                   || !json_is_string(json_object_get(origin, "author"))
                   || !json_is_string(json_object_get(origin, "written_at"))))
        return ctx_error(ctx, AT_EINVAL, "key \"origin\": must be {\"author\": TEXT, "
                         "\"written_at\": TEXT}");
    json_t *source = json_object_get(doc, "source");
    if (source && !json_is_string(source))
        return ctx_error(ctx, AT_EINVAL, "key \"source\": must be an interview or document id");
    return AT_OK;
}

/* Who first wrote the version doc and when, as a new {"author",
 * "written_at"}: its origin when it was itself imported, else its own. */
static json_t *origin_of(json_t *doc)
{
    json_t *origin = json_object_get(doc, "origin");

    if (origin)
        return json_deep_copy(origin);
    return json_pack("{s:O, s:O}", "author", json_object_get(doc, "author"),
                     "written_at", json_object_get(doc, "written_at"));
}

/* The canonical text of doc without who stored it, when, or who it says
 * wrote it first: a file imported twice compares equal to what its first
 * import stored. */
static char *content_text(json_t *doc)
{
    json_t *copy = json_copy(doc);
    char *text;

    json_object_del(copy, "origin");
    json_object_del(copy, "author");
    json_object_del(copy, "written_at");
    text = canonical_text(copy);
    json_decref(copy);
    return text;
}

/* Sets *same to whether the archive's version of doc's id and version has
 * doc's content and origin. */
static int same_version(struct at_ctx *ctx, struct store *st, json_t *doc, bool *same)
{
    json_t *held = NULL;
    char *a, *b;
    int rc;

    if ((rc = record_get(ctx, st, json_string_value(json_object_get(doc, "id")),
                         (int)json_integer_value(json_object_get(doc, "version")), &held)) != AT_OK)
        return rc;
    a = content_text(held);
    b = content_text(doc);
    *same = strcmp(a, b) == 0;
    free(a);
    free(b);
    json_decref(held);
    return AT_OK;
}

/* An imported version may neither be above what its importer may read,
 * nor change a record they may not read, nor lower a record's clearance
 * without the right to. */
static int check_import_clearance(struct at_ctx *ctx, struct store *st, json_t *doc,
                                  json_t *current)
{
    const struct session *s = store_session(st);
    int rc;

    if ((rc = access_check(ctx, s, ACTION_READ, doc_clearance(doc))) != AT_OK)
        return ctx_prefix(ctx, "key \"clearance\": ");
    if (current == NULL)
        return AT_OK;
    if (access_check(ctx, s, ACTION_READ, doc_clearance(current)) != AT_OK)
        return ctx_error(ctx, AT_EDENIED, "key \"id\": %s is above your clearance; you may "
                         "not write it", json_string_value(json_object_get(doc, "id")));
    return check_clearance_change(ctx, st, current, doc_clearance(doc));
}

int record_put_version(struct at_ctx *ctx, struct store *st, json_t *doc, bool *already)
{
    const struct type_spec *t = NULL;
    const char *id;
    json_int_t version, have = 0;
    json_t *current = NULL, *stored = NULL;
    char now[21];
    bool same;
    int rc;

    *already = false;
    if ((rc = access_check(ctx, store_session(st), ACTION_WRITE, 0)) != AT_OK
        || (rc = check_doc_shape(ctx, doc, &t)) != AT_OK)
        return rc;
    json_t *data = json_object_get(doc, "data");
    if ((rc = model_validate(ctx, t, data)) != AT_OK)
        return ctx_prefix(ctx, "key \"data\": ");
    id = json_string_value(json_object_get(doc, "id"));
    version = json_integer_value(json_object_get(doc, "version"));
    if ((rc = record_get(ctx, st, id, 0, &current)) == AT_ENOTFOUND)
        ctx_clear(ctx);
    else if (rc != AT_OK)
        return rc;
    else
        have = json_integer_value(json_object_get(current, "version"));
    if ((rc = check_import_clearance(ctx, st, doc, current)) != AT_OK)
        goto out;
    if (version <= have) {
        /* Present already: fine if the same, a conflict otherwise. */
        if ((rc = same_version(ctx, st, doc, &same)) != AT_OK)
            goto out;
        if (!same)
            rc = ctx_error(ctx, AT_ECONFLICT, "%s version %lld: the archive holds a different "
                           "version %lld", id, (long long)version, (long long)version);
        *already = same;
        goto out;
    }
    if (version != have + 1) {
        rc = ctx_error(ctx, AT_EINVAL, "%s version %lld: version %lld must come first",
                       id, (long long)version, (long long)have + 1);
        goto out;
    }
    const char *source = json_string_value(json_object_get(doc, "source"));
    if ((rc = check_refs(ctx, st, t, data)) != AT_OK
        || (source && (rc = check_source(ctx, st, source)) != AT_OK))
        goto out;
    /* The version is the importer's, written now: a file is signed by no
     * one, so the author and origin it names are not carried (a pack
     * signed by a pinned archive is the one way an author from elsewhere
     * enters, record_put_synced). */
    stored = json_copy(doc);
    canonical_now(now);
    json_object_del(stored, "origin");
    json_object_set_new(stored, "author", json_string(store_session(st)->user));
    json_object_set_new(stored, "written_at", json_string(now));
    rc = write_version(ctx, st, stored);
out:
    json_decref(stored);
    json_decref(current);
    return rc;
}

int record_synced_check(struct at_ctx *ctx, json_t *doc)
{
    const struct type_spec *t = NULL;
    int rc;

    if ((rc = check_doc_shape(ctx, doc, &t)) != AT_OK)
        return rc;
    if ((rc = model_validate(ctx, t, json_object_get(doc, "data"))) != AT_OK)
        return ctx_prefix(ctx, "key \"data\": ");
    return AT_OK;
}

/* Whether s, made ahead, is what this import stores: the number, the
 * second and the importer it was made for are these. */
static bool made_as(const struct record_stored *s, int version, const char now[21],
                    const char *user)
{
    return json_integer_value(json_object_get(s->doc, "version")) == version
           && strcmp(json_string_value(json_object_get(s->doc, "written_at")), now) == 0
           && strcmp(json_string_value(json_object_get(s->doc, "author")), user) == 0;
}

int record_put_synced(struct at_ctx *ctx, struct store *st, json_t *doc,
                      const struct record_origin *o)
{
    struct record_origin with = *o;
    const struct record_stored *made;
    struct record_stored *own = NULL;
    char now[21];
    int rc, version;

    if (!o->checked && (rc = record_synced_check(ctx, doc)) != AT_OK)
        return rc;
    if ((rc = access_check(ctx, store_session(st), ACTION_READ, doc_clearance(doc))) != AT_OK)
        return ctx_prefix(ctx, "key \"clearance\": ");
    /* Numbered after the last version of the record this write stored,
     * when it stored one since it last settled (nothing else writes a
     * version before it settles). */
    const struct pending_record *r = pending_find(o->pending,
                                                  json_string_value(json_object_get(doc, "id")));
    if (r)
        version = r->last + 1;
    else if ((rc = next_version(ctx, st, json_string_value(json_object_get(doc, "id")), &version))
             != AT_OK)
        return rc;
    /* Stored as the importer's, now, and numbered in arrival order; who
     * wrote it first, where and when is its origin.  Made ahead, mostly. */
    canonical_now(now);
    made = o->made;
    if (made == NULL || !made_as(made, version, now, store_session(st)->user))
        made = own = record_stored_make(doc, NULL, 0, store_session(st)->user, version, now);
    with.written_at = json_string_value(json_object_get(json_object_get(made->doc, "origin"),
                                                        "written_at"));
    rc = write_stored(ctx, st, made, &with);
    record_stored_free(own);
    return rc;
}

struct record_stored *record_stored_make(json_t *doc, const char *text, size_t len,
                                         const char *user, int version, const char now[21])
{
    /* What the version stored changes of doc, in canonical key order. */
    static const char *const changed[] = { "author", "origin", "version", "written_at" };
    struct canonical_member set[ARRAY_LEN(changed)];
    struct record_stored *s = xcalloc(1, sizeof *s);

    s->doc = json_copy(doc);
    json_object_set_new(s->doc, "origin", origin_of(doc));
    json_object_set_new(s->doc, "version", json_integer(version));
    json_object_set_new(s->doc, "author", json_string(user));
    json_object_set_new(s->doc, "written_at", json_string(now));
    for (size_t i = 0; i < ARRAY_LEN(changed); i++)
        set[i] = (struct canonical_member){ changed[i], json_object_get(s->doc, changed[i]) };
    if (text == NULL || (s->text = canonical_text_merged(text, len, set, ARRAY_LEN(set))) == NULL)
        s->text = canonical_text(s->doc);
    if (s->text != NULL)
        merkle_leaf_hash(s->text, strlen(s->text), s->leaf);
    return s;
}

void record_stored_free(struct record_stored *s)
{
    if (s == NULL)
        return;
    json_decref(s->doc);
    free(s->text);
    free(s);
}

/* record_put_synced's doc back from what it stored: the origin's author
 * and time in their places again, no "origin", and the version number
 * the origin gave it (version).  Exact only for a doc that had no origin
 * of its own (record_logged_text_again says when). */
char *record_logged_text(json_t *stored, json_int_t version)
{
    json_t *origin = json_object_get(stored, "origin"), *doc;
    char *text;

    if (!json_is_object(origin))
        return NULL;
    doc = json_copy(stored);
    json_object_set(doc, "author", json_object_get(origin, "author"));
    json_object_set(doc, "written_at", json_object_get(origin, "written_at"));
    json_object_set_new(doc, "version", json_integer(version));
    json_object_del(doc, "origin");
    text = canonical_text(doc);
    json_decref(doc);
    return text;
}

bool record_logged_text_again(json_t *doc, const char *text, size_t len)
{
    char *again;
    bool same;

    if (json_object_get(doc, "origin") != NULL)
        return false; /* origin_of kept it, and lost the doc's own author and time */
    again = canonical_text(doc);
    same = again && strlen(again) == len && memcmp(again, text, len) == 0;
    free(again);
    return same;
}

int record_get(struct at_ctx *ctx, struct store *st, const char *id, int version, json_t **out)
{
    static const char current_sql[] = "SELECT doc FROM record_current WHERE id = ?1";
    static const char version_sql[] =
        "SELECT doc FROM record_version WHERE id = ?1 AND version = ?2";
    sqlite3_stmt *stmt = store_stmt(ctx, st, version ? version_sql : current_sql);
    json_error_t jerr;
    int step;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    if (version)
        sqlite3_bind_int(stmt, 2, version);
    step = sqlite3_step(stmt);
    if (step != SQLITE_ROW) {
        sqlite3_reset(stmt);
        if (step != SQLITE_DONE)
            return store_error(ctx, st, "reading a record");
        if (version)
            return ctx_error(ctx, AT_ENOTFOUND, "%s has no version %d", id, version);
        return ctx_error(ctx, AT_ENOTFOUND, "no record %s", id);
    }
    *out = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, &jerr);
    sqlite3_reset(stmt);
    if (*out == NULL)
        return ctx_error(ctx, AT_ECORRUPT, "%s: stored version is not JSON: %s", id, jerr.text);
    return AT_OK;
}

json_t *record_visible(struct store *st, const char *id)
{
    struct at_ctx quiet = { 0 };
    json_t *doc;

    if (id == NULL || record_get(&quiet, st, id, 0, &doc) != AT_OK)
        return NULL;
    if (access_check(&quiet, store_session(st), ACTION_READ, doc_clearance(doc)) != AT_OK
        || json_is_true(json_object_get(doc, "retracted"))) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

int record_resolve(struct at_ctx *ctx, struct store *st, const char *prefix,
                   char id_out[RECORD_ID_MAX])
{
    static const char sql[] =
        "SELECT id FROM record_current WHERE id >= ?1 AND id < ?1 || '~' AND clearance <= ?2"
        " ORDER BY id LIMIT 2";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int found = 0;

    if (stmt == NULL)
        return AT_ERR;
    if (strlen(prefix) < 4 || strchr(prefix, '-') == NULL)
        return ctx_error(ctx, AT_EINVAL, "\"%s\" is not a record id (such as ev-7k2m9q4xd3ab, "
                         "or its first few characters)", prefix);
    /* Only the records the session may read: the others are not there
     * for it, not even as a second match. */
    sqlite3_bind_text(stmt, 1, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, access_session_clearance(store_session(st)));
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        if (found++ == 0)
            snprintf(id_out, RECORD_ID_MAX, "%s", (const char *)sqlite3_column_text(stmt, 0));
    }
    sqlite3_reset(stmt);
    if (found == 0)
        return ctx_error(ctx, AT_ENOTFOUND, "no record %s", prefix);
    if (found > 1)
        return ctx_error(ctx, AT_EINVAL, "%s names more than one record; type more of the id",
                         prefix);
    return AT_OK;
}

int record_history(struct at_ctx *ctx, struct store *st, const char *id, json_t **out)
{
    static const char sql[] = "SELECT doc FROM record_version WHERE id = ?1 ORDER BY version";
    const struct session *s = store_session(st);
    sqlite3_stmt *stmt;
    json_t *current;
    int rc, current_clearance;

    if ((rc = record_get(ctx, st, id, 0, &current)) != AT_OK)
        return rc;
    current_clearance = doc_clearance(current);
    json_decref(current);
    if ((rc = access_check_version(ctx, s, id, 0, CLEARANCE_PUBLIC, current_clearance)) != AT_OK)
        return rc;
    if ((stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    *out = json_array();
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        /* A version above the session's clearance stays out of the history. */
        json_t *v = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL);
        if (v && access_check_version(ctx, s, id, 0, doc_clearance(v), current_clearance) == AT_OK)
            json_array_append_new(*out, v);
        else
            json_decref(v);
    }
    ctx_clear(ctx);
    sqlite3_reset(stmt);
    if (json_array_size(*out) == 0) {
        json_decref(*out);
        return ctx_error(ctx, AT_ENOTFOUND, "no record %s", id);
    }
    return AT_OK;
}

int record_list(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
                int (*fn)(void *arg, json_t *doc), void *arg)
{
    static const char sql[] = "SELECT c.doc FROM record_current c" RECORD_FILTER_SQL;
    /* With a bounding box (and without retracted records, which are not
     * in it), candidates come from the R*Tree. */
    static const char bbox_sql[] =
        "SELECT c.doc FROM" RECORD_FILTER_RTREE("AND (?1 IS NULL OR type = ?1)")
        " CROSS JOIN record_current c ON c.rowid = g.id" /* CROSS: the R*Tree drives */
        RECORD_FILTER_SQL;
    bool indexed = f->has_bbox && !f->include_retracted;
    sqlite3_stmt *stmt = store_stmt(ctx, st, indexed ? bbox_sql : sql);
    int rc = AT_OK, step;

    if (stmt == NULL)
        return AT_ERR;
    record_filter_bind(st, stmt, f);
    while (rc == AT_OK && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
        json_t *doc = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL);
        rc = doc ? fn(arg, doc) : ctx_error(ctx, AT_ECORRUPT, "a current record is not JSON");
        json_decref(doc);
    }
    if (rc == AT_OK && step != SQLITE_DONE)
        rc = store_error(ctx, st, "listing records");
    sqlite3_reset(stmt);
    return rc;
}

int record_referrers(struct at_ctx *ctx, struct store *st, const char *id, json_t **out)
{
    /* Only the referrers the session may read: their ids alone would tell
     * that records above its clearance exist. */
    static const char sql[] =
        "SELECT r.id, r.field FROM record_ref r JOIN record_current c ON c.id = r.id"
        " WHERE r.target = ?1 AND c.clearance <= ?2 ORDER BY r.id";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    *out = json_array();
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, access_session_clearance(store_session(st)));
    while (sqlite3_step(stmt) == SQLITE_ROW)
        json_array_append_new(*out, json_pack("{s:s, s:s}",
                                              "id", (const char *)sqlite3_column_text(stmt, 0),
                                              "field", (const char *)sqlite3_column_text(stmt, 1)));
    sqlite3_reset(stmt);
    return AT_OK;
}

int record_rebuild(struct at_ctx *ctx, struct store *st)
{
    static const char latest_sql[] = "SELECT doc, heads FROM (" CURRENT_SQL ") ORDER BY log_seq";
    static const char conflict_sql[] = "INSERT INTO record_conflict(id) VALUES (?1)";
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = store_exec(ctx, st, "DELETE FROM record_current; DELETE FROM record_ref;"
                         " DELETE FROM record_conflict; DELETE FROM record_offered;"
                         " INSERT OR IGNORE INTO record_offered(user, id)"
                         "  SELECT i.ref, j.value FROM log_item i, json_each(i.doc, '$.records') j"
                         "  WHERE i.kind = 'offer';")) != AT_OK
        || (rc = search_clear(ctx, st)) != AT_OK
        || (rc = spatial_clear(ctx, st)) != AT_OK
        || (rc = layer_count_clear(ctx, st)) != AT_OK)
        return rc;
    if ((stmt = store_stmt(ctx, st, latest_sql)) == NULL)
        return AT_ERR;
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(stmt, 0);
        json_t *doc = json_loads(text, 0, NULL);
        rc = doc ? derive_current(ctx, st, doc, text, false)
                 : ctx_error(ctx, AT_ECORRUPT, "a stored version is not JSON");
        if (rc == AT_OK && sqlite3_column_int(stmt, 1) > 1) {
            sqlite3_stmt *c = store_stmt(ctx, st, conflict_sql);
            if (c == NULL)
                rc = AT_ERR;
            else {
                sqlite3_bind_text(c, 1, json_string_value(json_object_get(doc, "id")), -1,
                                  SQLITE_TRANSIENT);
                if (sqlite3_step(c) != SQLITE_DONE)
                    rc = store_error(ctx, st, "listing a conflict");
                sqlite3_reset(c);
            }
        }
        json_decref(doc);
    }
    sqlite3_reset(stmt);
    return rc == AT_OK ? layer_count_rebuild(ctx, st) : rc;
}

static int append_read(struct at_ctx *ctx, struct store *st, void *doc)
{
    int64_t seq;

    return evlog_append_item(ctx, st, "read", store_session(st)->user, doc, &seq);
}

/* Appends a "read" entry naming ids and commits it. */
static int log_read(struct at_ctx *ctx, struct store *st, json_t *ids)
{
    const struct session *s = store_session(st);
    json_t *doc;
    char now[21];
    int rc;

    canonical_now(now);
    doc = json_pack("{s:s, s:s, s:O}", "read_by", s->user, "at", now, "records", ids);
    rc = evlog_write(ctx, st, append_read, doc);
    json_decref(doc);
    return rc;
}

int record_log_reads(struct at_ctx *ctx, struct store *st, json_t *docs)
{
    json_t *ids = json_array(), *doc;
    size_t i;
    int rc = AT_OK;

    json_array_foreach(docs, i, doc) {
        if (strcmp(json_string_value(json_object_get(doc, "clearance")) ?: "", "confidential") == 0)
            json_array_append(ids, json_object_get(doc, "id"));
    }
    if (json_array_size(ids) > 0 && store_session(st))
        rc = log_read(ctx, st, ids);
    json_decref(ids);
    return rc;
}

struct offer_job {
    json_t *ids;   /* the confidential records not yet offered to the user */
};

/* In the write: marks each as offered and logs the entry naming those
 * that were not already (another request may have logged one since). */
static int append_offer(struct at_ctx *ctx, struct store *st, void *arg)
{
    static const char sql[] = "INSERT OR IGNORE INTO record_offered(user, id) VALUES (?1, ?2)";
    struct offer_job *job = arg;
    const struct session *s = store_session(st);
    json_t *fresh = json_array(), *id, *doc;
    sqlite3_stmt *stmt;
    char now[21];
    int64_t seq;
    size_t i;
    int rc = AT_OK;

    json_array_foreach(job->ids, i, id) {
        if ((stmt = store_stmt(ctx, st, sql)) == NULL) {
            rc = AT_ERR;
            break;
        }
        sqlite3_bind_text(stmt, 1, s->user, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, json_string_value(id), -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
            rc = store_error(ctx, st, "noting an offer");
            break;
        }
        if (sqlite3_changes(store_db(st)) > 0)
            json_array_append(fresh, id);
    }
    if (rc == AT_OK && json_array_size(fresh) > 0) {
        canonical_now(now);
        doc = json_pack("{s:s, s:s, s:O}", "offered_to", s->user, "at", now, "records", fresh);
        rc = evlog_append_item(ctx, st, "offer", s->user, doc, &seq);
        json_decref(doc);
    }
    json_decref(fresh);
    return rc;
}

int record_log_offers(struct at_ctx *ctx, struct store *st, json_t *docs)
{
    static const char seen_sql[] = "SELECT 1 FROM record_offered WHERE user = ?1 AND id = ?2";
    const struct session *s = store_session(st);
    struct offer_job job = { json_array() };
    sqlite3_stmt *stmt;
    json_t *doc;
    size_t i;
    int rc = AT_OK;

    json_array_foreach(docs, i, doc) {
        if (s == NULL || strcmp(json_string_value(json_object_get(doc, "clearance")) ?: "", "confidential") != 0)
            continue;
        if ((stmt = store_stmt(ctx, st, seen_sql)) == NULL) {
            rc = AT_ERR;
            break;
        }
        sqlite3_bind_text(stmt, 1, s->user, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, json_string_value(json_object_get(doc, "id")), -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_ROW)
            json_array_append(job.ids, json_object_get(doc, "id"));
        sqlite3_reset(stmt);
    }
    /* Only a record not offered before writes: a picker's keystrokes over
     * the same records take no write lock and sign no tree head. */
    if (rc == AT_OK && json_array_size(job.ids) > 0)
        rc = evlog_write(ctx, st, append_offer, &job);
    json_decref(job.ids);
    return rc;
}

int record_read(struct at_ctx *ctx, struct store *st, const char *id, int version, json_t **out)
{
    const struct session *s = store_session(st);
    json_t *current = NULL, *one;
    int rc;

    *out = NULL;
    /* The current version first: a record the reader may not read has
     * no versions for them either. */
    if ((rc = record_get(ctx, st, id, 0, &current)) != AT_OK
        || (rc = access_check_version(ctx, s, id, 0, CLEARANCE_PUBLIC,
                                      doc_clearance(current))) != AT_OK)
        goto out;
    if (version == 0 || version == json_integer_value(json_object_get(current, "version")))
        *out = json_incref(current);
    else if ((rc = record_get(ctx, st, id, version, out)) != AT_OK
             || (rc = access_check_version(ctx, s, id, version, doc_clearance(*out),
                                           doc_clearance(current))) != AT_OK)
        goto out;
    one = json_pack("[O]", *out);
    rc = record_log_reads(ctx, st, one);
    json_decref(one);
out:
    json_decref(current);
    if (rc != AT_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int record_check_current(struct at_ctx *ctx, struct store *st)
{
    static const char sql[] =
        "SELECT r.id, r.version, c.version, c.doc IS r.doc, (SELECT count(*) FROM"
        " record_conflict k WHERE k.id = r.id), r.heads FROM (" CURRENT_SQL ") r"
        " LEFT JOIN record_current c ON c.id = r.id"
        " WHERE c.id IS NULL OR c.doc IS NOT r.doc"
        " OR (SELECT count(*) FROM record_conflict k WHERE k.id = r.id) != (r.heads > 1)"
        " LIMIT 1";
    static const char base_sql[] =
        "SELECT b.id, b.version FROM record_base b WHERE NOT EXISTS (SELECT 1 FROM"
        " record_version v WHERE v.id = b.id AND v.version = b.version) LIMIT 1";
    /* Every version has an identity: this archive's own is its log
     * sequence number here, or carries its proof when it came back from
     * the centre after `attest travel`; one from elsewhere carries its
     * origin's proof. */
    static const char identity_sql[] =
        "SELECT id, version FROM record_version WHERE origin IS NULL OR oseq IS NULL"
        " OR origin_at IS NULL OR (origin = ?1 AND oseq != log_seq AND proof IS NULL)"
        " OR (origin != ?1 AND proof IS NULL) LIMIT 1";
    static const char orphan_sql[] =
        "SELECT id FROM record_current c WHERE NOT EXISTS (SELECT 1 FROM record_version v"
        " WHERE v.id = c.id) LIMIT 1";
    struct buf self = BUF_INIT;
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = store_meta_get(ctx, st, "archive_id", &self)) != AT_OK)
        return rc;
    if (sqlite3_prepare_v2(store_db(st), identity_sql, -1, &stmt, NULL) != SQLITE_OK) {
        buf_free(&self);
        return store_error(ctx, st, "reading versions");
    }
    sqlite3_bind_text(stmt, 1, buf_str(&self), -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        rc = ctx_error(ctx, AT_ECORRUPT, "record %s version %d: its identity (origin archive "
                       "and sequence, or its origin's proof) is missing or wrong",
                       sqlite3_column_text(stmt, 0), sqlite3_column_int(stmt, 1));
    sqlite3_finalize(stmt);
    buf_free(&self);
    if (rc != AT_OK)
        return rc;
    if (sqlite3_prepare_v2(store_db(st), orphan_sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "reading the current view");
    if (sqlite3_step(stmt) == SQLITE_ROW)
        rc = ctx_error(ctx, AT_ECORRUPT, "record %s: in the current view, but no version of it "
                       "is stored (run 'attest rebuild' if nothing else is wrong)",
                       sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    if (rc != AT_OK)
        return rc;

    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "reading the current view");
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(stmt, 0);
        if (sqlite3_column_type(stmt, 2) == SQLITE_NULL || sqlite3_column_int(stmt, 3) == 0)
            rc = ctx_error(ctx, AT_ECORRUPT, "record %s: the current view differs from its version "
                           "%d, which the rule over its heads picks (run 'attest rebuild' if "
                           "nothing else is wrong)", id, sqlite3_column_int(stmt, 1));
        else
            rc = ctx_error(ctx, AT_ECORRUPT, "record %s: has %d heads but is %slisted in "
                           "conflict (run 'attest rebuild' if nothing else is wrong)", id,
                           sqlite3_column_int(stmt, 5), sqlite3_column_int(stmt, 4) ? "" : "not ");
    }
    sqlite3_finalize(stmt);
    if (rc != AT_OK)
        return rc;
    if (sqlite3_prepare_v2(store_db(st), base_sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "reading the versions' bases");
    if (sqlite3_step(stmt) == SQLITE_ROW)
        rc = ctx_error(ctx, AT_ECORRUPT, "record %s: version %d is listed as based on others, "
                       "but is not stored", sqlite3_column_text(stmt, 0),
                       sqlite3_column_int(stmt, 1));
    sqlite3_finalize(stmt);
    return rc;
}

int record_heads(struct at_ctx *ctx, struct store *st, const char *id, json_t **out)
{
    static const char base_sql[] =
        "SELECT b.base_origin || '/' || b.base_oseq FROM record_base b"
        " WHERE b.id = ?1 AND b.version = ?2 ORDER BY 1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, HEADS_SQL("v.version, v.origin, v.oseq, v.doc"));
    json_t *heads;
    int rc = AT_OK, step;

    if (stmt == NULL)
        return AT_ERR;
    heads = json_array();
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    while (rc == AT_OK && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
        json_t *doc = json_loads((const char *)sqlite3_column_text(stmt, 3), 0, NULL);
        json_t *origin = doc ? origin_of(doc) : NULL, *bases = json_array();
        sqlite3_stmt *b;
        if (doc == NULL) {
            rc = ctx_error(ctx, AT_ECORRUPT, "%s: a stored version is not JSON", id);
            json_decref(bases);
            break;
        }
        if ((b = store_stmt(ctx, st, base_sql)) == NULL) {
            rc = AT_ERR;
        } else {
            sqlite3_bind_text(b, 1, id, -1, SQLITE_STATIC);
            sqlite3_bind_int(b, 2, sqlite3_column_int(stmt, 0));
            while (sqlite3_step(b) == SQLITE_ROW)
                json_array_append_new(bases, json_string((const char *)sqlite3_column_text(b, 0)));
            sqlite3_reset(b);
        }
        json_array_append_new(heads, json_pack(
            "{s:i, s:s+++, s:s, s:O, s:O, s:O, s:o, s:O}", "version", sqlite3_column_int(stmt, 0),
            "gid", (const char *)sqlite3_column_text(stmt, 1), "/",
            (const char *)sqlite3_column_text(stmt, 2) ?: "", "",
            "origin_archive", (const char *)sqlite3_column_text(stmt, 1),
            "author", json_object_get(origin, "author"),
            "written_at", json_object_get(origin, "written_at"),
            "retracted", json_object_get(doc, "retracted"), "base", bases,
            "data", json_object_get(doc, "data")));
        json_decref(origin);
        json_decref(doc);
    }
    sqlite3_reset(stmt);
    if (rc == AT_OK && step != SQLITE_DONE)
        rc = store_error(ctx, st, "finding a record's heads");
    if (rc != AT_OK) {
        json_decref(heads);
        return rc;
    }
    *out = heads;
    return AT_OK;
}
