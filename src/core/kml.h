/*
 * kml.h: Google Earth's KML and KMZ, in and out of the archive.
 *
 * Reading: each Placemark with a Point becomes a pinpoint, each with a
 * Polygon (or a MultiGeometry of polygons) a site with an outline.  The
 * placemark's name, description, TimeStamp or TimeSpan (as a fuzzy date),
 * enclosing Folders, styleUrl and ExtendedData are kept; an ExtendedData
 * value named like a field of the record fills that field.  Anything else
 * (LineString, Model, gx:Track, a placemark with no geometry, a coordinate
 * out of range, XML that is not well formed) is an error naming the line
 * and the placemark, and nothing is imported.
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

enum kml_geometry { KML_POINT, KML_POLYGON };

struct kml_placemark {
    long line;               /* of the <Placemark> tag */
    char *name;              /* NULL when it has none */
    char *description;
    char *style;             /* styleUrl without its '#', or NULL */
    char *date;              /* TimeStamp/when or TimeSpan/begin/end as a fuzzy date */
    json_t *folders;         /* names of enclosing Folders, outermost first */
    json_t *extended;        /* ExtendedData: {name: text} */
    enum kml_geometry kind;
    double lat, lon;         /* KML_POINT */
    json_t *geometry;        /* KML_POLYGON: a GeoJSON Polygon or MultiPolygon */
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

/* Imports the KML or KMZ at path in one transaction.  With interview (an
 * interview's id) the records are attributed to it; without, the file is
 * recorded as a document (title: its name; its SHA-256) that the records
 * name as their source.  The writes end with evlog_commit.  doc_out, when
 * not NULL, gets the document's id ("" with an interview). */
int kml_import(struct at_ctx *ctx, struct store *st, const char *path, const char *interview,
               struct import_counts *counts, char doc_out[32]);

#endif
