/*
 * record_filter.h: the one filter of every listing of current records
 * (record_list, the map layer, search): which records of which type,
 * dates, place, clearance, box and field value, written once as SQL and
 * bound in one place.  record.h includes it.
 */
#ifndef RECORD_FILTER_H
#define RECORD_FILTER_H

#include "attest.h"
#include "store.h"

/* The most field filters one listing applies (the map's: site_type,
 * confidence, province). */
#define RECORD_FILTER_FIELDS 3

/* Which current records a listing shows; zero / NULL means no filter. */
struct record_filter {
    const char *type;
    int32_t date_from, date_to;  /* yyyymmdd: records whose date overlaps [from, to];
                                    a site or pinpoint with no date of its own, when
                                    an event it places does (its "event", an
                                    occurred_at relation, its pinpoints' events) */
    const char *place;           /* substring of the record's place fields, in any
                                    spelling the gazetteer knows for it */
    int max_clearance;           /* highest clearance to include; -1 = all the session may read */
    bool include_retracted;
    long limit, offset;          /* limit 0 = no limit */
    bool has_bbox;               /* only records with a point inside: */
    double south, west, north, east;
    struct record_filter_field {
        const char *name, *value;
    } fields[RECORD_FILTER_FIELDS]; /* only records whose data.NAME is VALUE for every
                                    name given (text; for a place field, any spelling
                                    of that place); the unused ones at the end, NULL */
};
#define RECORD_FILTER_INIT { NULL, 0, 0, NULL, -1, false, 0, 0, false, 0, 0, 0, 0, { { NULL, NULL } } }

/* The filter as SQL: RECORD_FILTER_WHERE is the condition on
 * record_current as c; RECORD_FILTER_SQL the WHERE clause with it, the
 * order and the page; RECORD_FILTER_RTREE(TYPE) the candidates of a
 * bounding box from the R*Tree, as g.id (one box, or two when the box
 * crosses the antimeridian; TYPE is "" or a condition on the R*Tree's
 * type column).  A listing is "SELECT ... FROM record_current c" followed
 * by RECORD_FILTER_SQL, or "SELECT ... FROM" RECORD_FILTER_RTREE(..)
 * "CROSS JOIN record_current c ON c.rowid = g.id" RECORD_FILTER_SQL.
 * The R*Tree's boxes are single-precision and made to contain their
 * points: it is asked for boxes that overlap, and the exact test on lat
 * and lon in the WHERE clause decides.  A search (search.c) puts its own
 * parameters from ?17 on, after the filter's. */
#define RECORD_FILTER_WHERE                                                    \
    "(?1 IS NULL OR c.type = ?1)"                                             \
    "   AND c.clearance <= ?5"                                                \
    "   AND (?6 OR NOT c.retracted)"                                          \
    "   AND " RECORD_FILTER_BOX("c")                                          \
    "   AND (?13 IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(?13) q"       \
    "        WHERE NOT coalesce(json_extract(c.doc, '$.data.' || q.key)"       \
    "            IN (SELECT value FROM json_each(q.value)), 0)))"              \
    "   AND (?4 IS NULL OR EXISTS (SELECT 1 FROM json_each(?4) p"             \
    "        WHERE c.place LIKE '%' || p.value || '%'))"                      \
    /* Last, the dearest: an undated site's or pinpoint's events. */          \
    "   AND ((?2 IS NULL AND ?3 IS NULL)"                                    \
    "        OR ((?2 IS NULL OR c.date_hi >= ?2) AND (?3 IS NULL OR c.date_lo <= ?3))" \
    "        OR (c.date_lo IS NULL AND c.type IN " RECORD_FILTER_DATED_BY_EVENTS   \
    "            AND EXISTS (SELECT 1 FROM " RECORD_FILTER_LINKS("c.id") " l"          \
    "                CROSS JOIN record_current e ON e.id = l.t" /* the references drive */ \
    "                WHERE e.type = 'event' AND e.clearance <= ?5 AND NOT e.retracted" \
    "                AND (?2 IS NULL OR e.date_hi >= ?2) AND (?3 IS NULL OR e.date_lo <= ?3))))"
/* The types whose records without a date of their own are dated by the
 * events of RECORD_FILTER_LINKS. */
#define RECORD_FILTER_DATED_BY_EVENTS "('site', 'pinpoint')"
/* The records an undated site or pinpoint of id ID is linked to, as l.t:
 * those it refers to, and those referred to by a record that refers to it
 * (a pinpoint's event for its site, an occurred_at relation's event).
 * The map's kept dates (layer.c) read the same links. */
#define RECORD_FILTER_LINKS(ID)                                                \
    "(SELECT target AS t FROM record_ref WHERE id = " ID                       \
    "  UNION ALL SELECT r2.target FROM record_ref r1"                          \
    "  JOIN record_ref r2 ON r2.id = r1.id WHERE r1.target = " ID ")"
#define RECORD_FILTER_SQL " WHERE " RECORD_FILTER_WHERE " ORDER BY c.id LIMIT ?7 OFFSET ?8"
#define RECORD_FILTER_RTREE(TYPE) RECORD_FILTER_RTREE_COLUMNS("id", TYPE)
/* The exact box test on the lat and lon columns of the table named T. */
#define RECORD_FILTER_BOX(T)                                                   \
    "(?9 IS NULL OR (" T ".lat BETWEEN ?9 AND ?11 AND"                         \
    "  (CASE WHEN ?10 <= ?12 THEN " T ".lon BETWEEN ?10 AND ?12"               \
    "        ELSE " T ".lon >= ?10 OR " T ".lon <= ?12 END)))"
/* RECORD_FILTER_RTREE with the R*Tree's COLUMNS as g's (id, type, lat,
 * lon, clearance: the R*Tree holds them for the records not retracted). */
#define RECORD_FILTER_RTREE_COLUMNS(COLUMNS, TYPE)                             \
    " (SELECT " COLUMNS " FROM geo_rtree WHERE max_lat >= ?9 AND min_lat <= ?11" \
    "  AND max_lon >= ?10 AND min_lon <= ?15 " TYPE                          \
    "  UNION ALL"                                                             \
    "  SELECT " COLUMNS " FROM geo_rtree WHERE max_lat >= ?9 AND min_lat <= ?11" \
    "  AND max_lon >= ?16 AND min_lon <= ?12 " TYPE ") g"

/* Binds f to a statement written with RECORD_FILTER_SQL's parameters: ?1
 * type, ?2/?3 date range, ?4 place (a JSON array: the text and, when it
 * names a place of the gazetteer, every spelling of it), ?5 clearance (capped at what st's
 * session may read: "clearance <= ?5" shows nothing to no session), ?6
 * retracted, ?7/?8 limit and offset, ?9-?12 south, west, north, east,
 * ?13 the field filters (a JSON object: each field's name and the array
 * record_filter_values gives for its value; ?14 unused), ?15/?16 the east end of the first box and the
 * west end of the second (a box across the antimeridian is two). */
void record_filter_bind(struct store *st, sqlite3_stmt *stmt, const struct record_filter *f);

/* What a field filter matches, as a JSON array of text: the value, with
 * every spelling of the place it names when the field is a place field.
 * Bound at param of stmt (a statement that tests "IN (SELECT value FROM
 * json_each(?N))"). */
void record_filter_bind_values(sqlite3_stmt *stmt, int param, const struct record_filter_field *ff);

#endif
