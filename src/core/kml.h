/*
 * kml.h: Google Earth's KML and KMZ, in and out of the archive.
 *
 * Reading: each Placemark with a Point becomes a pinpoint, and one with a
 * MultiGeometry of points several pinpoints of one placement group; one
 * with Polygons, LineStrings or LinearRings a site with an outline (a
 * MultiPolygon for several) and line features.  The placemark's name,
 * description, TimeStamp or TimeSpan (as a fuzzy date), enclosing Folders,
 * styleUrl and ExtendedData are kept; an ExtendedData value named like a
 * field of the record fills that field, and words for types (a folder's
 * name, a value) are mapped to vocabulary codes through their synonyms
 * (vocab_match) or the importer's --map-value.  Anything else (Model,
 * gx:Track, a placemark with no geometry, a coordinate out of range, a
 * word no vocabulary knows, XML that is not well formed) is an error
 * naming the line and the placemark, and nothing is imported.  Importing
 * a file again finds the records its placemarks made (by the placemark's
 * id, or its folders and name) and writes a new version only of those
 * that changed.
 *
 * Writing is in geo_export.h.
 */
#ifndef KML_H
#define KML_H

#include "attest.h"
#include "import.h"
#include "store.h"

#include <jansson.h>

/* Largest KML text read, also when unpacked from a KMZ. */
#define KML_MAX_BYTES (256u << 20)

enum kml_geometry {
    KML_POINTS, /* one point or several: pinpoints */
    KML_SITE,   /* polygons and/or lines, with at most one point: a site */
};

struct kml_placemark {
    long line;               /* of the <Placemark> tag */
    char *id;                /* its id attribute, or NULL */
    char *name;              /* NULL when it has none */
    char *description;
    char *style;             /* styleUrl without its '#', or NULL */
    char *date;              /* TimeStamp/when or TimeSpan/begin/end as a fuzzy date */
    json_t *folders;         /* names of enclosing Folders, outermost first */
    json_t *extended;        /* ExtendedData: {name: text} */
    enum kml_geometry kind;
    json_t *points;          /* [[lon, lat], ...]: KML_POINTS's points; a site's point, if any */
    json_t *geometry;        /* KML_SITE: a GeoJSON Polygon or MultiPolygon, or NULL */
    json_t *lines;           /* KML_SITE: a GeoJSON MultiLineString, or NULL */
};

/* The placemarks of one document, in document order; owns them. */
struct kml_doc {
    struct kml_placemark *pm;
    size_t n, cap;
};

/* Parses KML text; file names it in messages ("FILE:LINE: placemark
 * \"NAME\": ...").  On failure out is empty. */
int kml_parse(struct at_ctx *ctx, const char *text, size_t len, const char *file,
              struct kml_doc *out);
void kml_doc_free(struct kml_doc *d);

/* Reads the KML of path into out: the file itself, or a KMZ's doc.kml (or
 * its first .kml).  sha256 gets the hash of the file's bytes. */
int kml_read_file(struct at_ctx *ctx, const char *path, struct buf *out, uint8_t sha256[32]);

/* A GroundOverlay: an image laid on the ground between four edges (its
 * LatLonBox), turned counter-clockwise about its centre by rotation
 * degrees.  href is the image as the file names it: a path inside the KMZ,
 * or beside the KML. */
struct kml_overlay {
    long line;
    char *name;      /* NULL when it has none */
    char *href;
    double north, south, east, west, rotation;
};

/* The one GroundOverlay of KML text.  A file with none or several, an
 * overlay without an image or LatLonBox (such as one placed by
 * gx:LatLonQuad's free corners), an online image or one outside the file's
 * directory, and edges out of range are refused naming the file, line and
 * what would be valid. */
int kml_overlay(struct at_ctx *ctx, const char *text, size_t len, const char *file,
                struct kml_overlay *out);
void kml_overlay_free(struct kml_overlay *o);

/* A word of the team's own for a vocabulary field: --map-value
 * FIELD:WORDS=CODE. */
struct kml_value_map {
    const char *field, *words, *code;
};

struct kml_options {
    const char *interview;              /* an interview's id, or NULL */
    const struct kml_value_map *maps;   /* checked by kml_import */
    size_t nmaps;
    /* The file's name in messages and as the document's title, when path
     * is not named like the file (an upload); NULL: path's last part. */
    const char *name;
    bool check_only;                    /* as import_options' */
    void (*on_added)(void *arg, const char *id);
    void *arg;
};

/* Parses "FIELD:WORDS=CODE" (the first ":", the last "=") into m, whose
 * strings point into text, which the caller keeps. */
int kml_value_map_parse(struct at_ctx *ctx, char *text, struct kml_value_map *m);

/* Imports the KML or KMZ at path in one transaction.  With an interview
 * the records are attributed to it; without, the file is recorded as a
 * document (title: its name; its SHA-256) that the records name as their
 * source, and a changed file is a new version of that document.  A
 * placemark that made a record before (same source, same placemark) makes
 * a new version of it when it changed and nothing when it did not
 * (counts->versions, counts->already).  The writes end with evlog_commit.
 * doc_out, when not NULL, gets the document's id ("" with an interview). */
int kml_import(struct at_ctx *ctx, struct store *st, const char *path,
               const struct kml_options *opt, struct import_counts *counts, char doc_out[32]);

#endif
