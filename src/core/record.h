/*
 * record.h: writing and reading records.  A record is never changed in
 * place: each write appends a version, enters it in the log, and refreshes
 * the derived current view and search index, all in the caller's
 * transaction.
 *
 * A version is a JSON object (the "version document"):
 *   {"id", "type", "version", "clearance", "retracted", "reason",
 *    "author", "written_at", "source", "data": {fields},
 *    "origin": {"author", "written_at"}}
 * "author" and "written_at" are always the user who stored the version in
 * this archive and when; "origin", present on an imported version only,
 * says who wrote it first and when, elsewhere.
 * Its canonical text (sorted keys, no white space, UTF-8) is what the log
 * hashes and what `export jsonl` writes, one per line.
 */
#ifndef RECORD_H
#define RECORD_H

#include "attest.h"
#include "model.h"
#include "store.h"

#include <jansson.h>

/* Why a version is written.  Fields left NULL / -1 take their defaults.
 * The author is the store's session user: writing needs one. */
struct record_write {
    const char *reason;   /* why this version; required to amend or retract */
    const char *source;   /* provenance: an interview or document id */
    int clearance;        /* CLEARANCE_*, or -1 for the type's default / the previous */
    const char *id;       /* a chosen id for a new record (imports); NULL for a fresh one */
};
#define RECORD_WRITE_INIT { NULL, NULL, -1, NULL }

/* Adds a new record of type t with fields data (validated and made
 * canonical in place; the caller keeps its reference).  Writes the new id
 * into id_out.  Must run inside a store transaction. */
int record_add(struct at_ctx *ctx, struct store *st, const struct type_spec *t, json_t *data,
               const struct record_write *w, char id_out[RECORD_ID_MAX]);

/* Writes a new version of id with changes applied to its fields (a JSON
 * null removes a field).  Inside a transaction. */
int record_amend(struct at_ctx *ctx, struct store *st, const char *id, json_t *changes,
                 const struct record_write *w);

/* Writes a new version of id marked retracted.  Inside a transaction. */
int record_retract(struct at_ctx *ctx, struct store *st, const char *id,
                   const struct record_write *w);

/* record_add, record_amend and record_retract in the form evlog_write
 * runs, each in its own transaction: evlog_write(ctx, st,
 * record_amend_write, &(struct record_change){ .id = id, .data = changes,
 * .w = &w }).  data is the fields of an add, the changes of an amend. */
struct record_change {
    const struct type_spec *type;  /* add */
    const char *id;                /* amend, retract */
    json_t *data;                  /* add, amend */
    const struct record_write *w;
    char *id_out;                  /* add: RECORD_ID_MAX bytes for the new id */
};
int record_add_write(struct at_ctx *ctx, struct store *st, void *change);
int record_amend_write(struct at_ctx *ctx, struct store *st, void *change);
int record_retract_write(struct at_ctx *ctx, struct store *st, void *change);

/* Stores a version document (an import of an export): the next version
 * of its record, or one already present with the same content and origin
 * (then *already is set and nothing is written).  The stored version's
 * author and time are the session's and now; the document's own (or its
 * origin) become the origin.  Refused (AT_EDENIED) when the version is
 * above the session's clearance, when the record is, and when it lowers
 * the record's clearance without ACTION_DECLASSIFY.  Inside a transaction. */
int record_put_version(struct at_ctx *ctx, struct store *st, json_t *doc, bool *already);

/* The version document of id at version (0 = current), whoever asks: for
 * core's own work on records it has been told to write or has checked;
 * reads for a user go through record_read.  *out is a new reference the
 * caller releases. */
int record_get(struct at_ctx *ctx, struct store *st, const char *id, int version, json_t **out);

/* Resolves a full id or a unique prefix of one into id_out, among the
 * records the store's session may read. */
int record_resolve(struct at_ctx *ctx, struct store *st, const char *prefix,
                   char id_out[RECORD_ID_MAX]);

/* Every version of id that the store's session may read (cleared for the
 * version and for the record's current clearance), oldest first, as a new
 * JSON array; "no record" when it may not read the record. */
int record_history(struct at_ctx *ctx, struct store *st, const char *id, json_t **out);

/* Filters for record_list; zero / NULL means no filter. */
struct record_filter {
    const char *type;
    int32_t date_from, date_to;  /* yyyymmdd: records whose date overlaps [from, to] */
    const char *place;           /* substring of the record's place fields */
    int max_clearance;           /* highest clearance to include; -1 = all the session may read */
    bool include_retracted;
    long limit, offset;          /* limit 0 = no limit */
    bool has_bbox;               /* only records with a point inside: */
    double south, west, north, east;
    const char *field, *value;   /* only records whose data.FIELD is VALUE (text) */
};
#define RECORD_FILTER_INIT { NULL, 0, 0, NULL, -1, false, 0, 0, false, 0, 0, 0, 0, NULL, NULL }

/* Calls fn with each current record matching f, in id order; fn returns
 * AT_OK to go on.  The document is borrowed for the call. */
int record_list(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
                int (*fn)(void *arg, json_t *doc), void *arg);

/* The current records that refer to id and that the store's session may
 * read, as a new JSON array of {"id", "field"}, in id order. */
int record_referrers(struct at_ctx *ctx, struct store *st, const char *id, json_t **out);

/* The one filter of every listing of current records, written once:
 * RECORD_FILTER_SQL is the WHERE clause over record_current as c, with
 * the order and the page, and RECORD_FILTER_RTREE(TYPE) the candidates
 * of a bounding box from the R*Tree, as g.id (one box, or two when the
 * box crosses the antimeridian; TYPE is "" or a condition on the R*Tree's
 * type column).  A listing is "SELECT ... FROM record_current c" followed
 * by RECORD_FILTER_SQL, or "SELECT ... FROM" RECORD_FILTER_RTREE(..)
 * "CROSS JOIN record_current c ON c.rowid = g.id" RECORD_FILTER_SQL.
 * The R*Tree's boxes are single-precision and made to contain their
 * points: it is asked for boxes that overlap, and the exact test on lat
 * and lon in the WHERE clause decides. */
#define RECORD_FILTER_SQL                                                      \
    " WHERE (?1 IS NULL OR c.type = ?1)"                                      \
    "   AND (?2 IS NULL OR c.date_hi >= ?2)"                                  \
    "   AND (?3 IS NULL OR c.date_lo <= ?3)"                                  \
    "   AND (?4 IS NULL OR c.place LIKE '%' || ?4 || '%')"                    \
    "   AND c.clearance <= ?5"                                                \
    "   AND (?6 OR NOT c.retracted)"                                          \
    "   AND (?9 IS NULL OR (c.lat BETWEEN ?9 AND ?11 AND"                     \
    "        (CASE WHEN ?10 <= ?12 THEN c.lon BETWEEN ?10 AND ?12"            \
    "              ELSE c.lon >= ?10 OR c.lon <= ?12 END)))"                  \
    "   AND (?13 IS NULL OR json_extract(c.doc, '$.data.' || ?13) = ?14)"     \
    " ORDER BY c.id LIMIT ?7 OFFSET ?8"
#define RECORD_FILTER_RTREE(TYPE)                                              \
    " (SELECT id FROM geo_rtree WHERE max_lat >= ?9 AND min_lat <= ?11"       \
    "  AND max_lon >= ?10 AND min_lon <= ?15 " TYPE                          \
    "  UNION ALL"                                                             \
    "  SELECT id FROM geo_rtree WHERE max_lat >= ?9 AND min_lat <= ?11"       \
    "  AND max_lon >= ?16 AND min_lon <= ?12 " TYPE ") g"

/* Binds f to a statement written with RECORD_FILTER_SQL's parameters: ?1
 * type, ?2/?3 date range, ?4 place, ?5 clearance (capped at what st's
 * session may read: "clearance <= ?5" shows nothing to no session), ?6
 * retracted, ?7/?8 limit and offset, ?9-?12 south, west, north, east,
 * ?13/?14 field and value, ?15/?16 the east end of the first box and the
 * west end of the second (a box across the antimeridian is two). */
void record_filter_bind(struct store *st, sqlite3_stmt *stmt, const struct record_filter *f);

/* Counts of current records per type (retracted ones apart), of those the
 * store's session may read. */
int record_stats(struct at_ctx *ctx, struct store *st, json_t **out);

/* For a dashboard, counting records up to max_clearance (and never above
 * the store's session's): events per year,
 * acts per act type, events per province, as {"by_year": {..}, ...}. */
int record_dashboard(struct at_ctx *ctx, struct store *st, int max_clearance, json_t **out);

/* Reads version (0 = current) of a record for the store's session, who
 * must be cleared for both that version and the record's current
 * clearance.  Otherwise AT_ENOTFOUND, with the same message as for a
 * record (or version) that does not exist.  A confidential record's
 * reading is logged. */
int record_read(struct at_ctx *ctx, struct store *st, const char *id, int version, json_t **out);

/* Logs that the session was shown the confidential records among docs (an
 * array of version documents), in one entry; nothing when there are none. */
int record_log_reads(struct at_ctx *ctx, struct store *st, json_t *docs);

/* Appends "imported; originally by AUTHOR at TIME" to out when doc is an
 * imported version; nothing otherwise. */
void record_origin_text(json_t *doc, struct buf *out);

/* Recreates the derived tables from the versions (`attest rebuild`). */
int record_rebuild(struct at_ctx *ctx, struct store *st);

#endif
