/*
 * kml.c: reading KML and KMZ into pinpoints and sites.  See kml.h.
 *
 * The document is parsed whole with libxml2 (line numbers kept, no
 * network, no DTD accepted), every placemark is checked before anything
 * is written, and the records are then written in one import
 * transaction: a bad file leaves the archive as it was.
 */
#include "attest.h"
#include "kml.h"
#include "canonical.h"
#include "geo.h"
#include "model.h"
#include "polygon.h"
#include "record.h"
#include "vocab.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    struct at_ctx *ctx;
    const char *file;
    struct kml_doc *doc;
    json_t *folders;   /* the names of the Folders around the current node */
};

static bool is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *child(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n->children; c; c = c->next)
        if (is(c, name))
            return c;
    return NULL;
}

/* The text inside n, trimmed; NULL when there is none.  Caller frees. */
static char *text_of(const xmlNode *n)
{
    xmlChar *raw = n ? xmlNodeGetContent(n) : NULL;
    const char *s = (const char *)raw, *e;
    char *out = NULL;

    if (s == NULL)
        return NULL;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        e--;
    if (e > s) {
        out = xmalloc((size_t)(e - s) + 1);
        memcpy(out, s, (size_t)(e - s));
        out[e - s] = '\0';
    }
    xmlFree(raw);
    return out;
}

static int pm_error(struct parser *p, long line, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "FILE:LINE: placemark "NAME": message" */
static int pm_error(struct parser *p, long line, const char *name, const char *fmt, ...)
{
    struct buf msg = BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    ctx_error(p->ctx, AT_EINVAL, "%s:%ld: placemark \"%s\": %s", p->file, line,
              name ? name : "(no name)", buf_str(&msg));
    buf_free(&msg);
    return AT_EINVAL;
}

/* Parses a <coordinates> list into a new array of [lon, lat] (altitudes
 * dropped), each checked for range. */
static int parse_coordinates(struct parser *p, const xmlNode *node, const char *pmname,
                             json_t **out)
{
    long line = node ? xmlGetLineNo(node) : 0;
    char *text = text_of(node), *save = NULL;
    int rc = AT_OK;

    *out = json_array();
    for (char *tok = text ? strtok_r(text, " \t\r\n", &save) : NULL; tok;
         tok = strtok_r(NULL, " \t\r\n", &save)) {
        double v[3];
        int k = 0;
        char *s = tok, *end;
        for (; k < 3; k++) {
            errno = 0;
            v[k] = strtod(s, &end);
            if (end == s || errno == ERANGE)
                break;
            s = end;
            if (*s != ',')
                break;
            s++;
        }
        if (k < 3)
            k++;
        if (*end != '\0' || k < 2) {
            rc = pm_error(p, line, pmname, "coordinate \"%.40s\" is not LON,LAT[,ALT]", tok);
            break;
        }
        if (!geo_valid(v[1], v[0])) {
            rc = pm_error(p, line, pmname, "coordinate %.10g,%.10g is out of range (longitude "
                          "-180 to 180, latitude -90 to 90)", v[0], v[1]);
            break;
        }
        json_array_append_new(*out, json_pack("[f,f]", v[0], v[1]));
    }
    if (rc == AT_OK && json_array_size(*out) == 0)
        rc = pm_error(p, line, pmname, "no coordinates");
    free(text);
    if (rc != AT_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static int parse_ring(struct parser *p, const xmlNode *boundary, const char *pmname, json_t **out)
{
    const xmlNode *ring = boundary ? child(boundary, "LinearRing") : NULL;
    long line = boundary ? xmlGetLineNo(boundary) : 0;
    size_t n;

    if (ring == NULL)
        return pm_error(p, line, pmname, "a polygon boundary needs a LinearRing");
    if (parse_coordinates(p, child(ring, "coordinates"), pmname, out) != AT_OK)
        return AT_EINVAL;
    n = json_array_size(*out);
    if (n < 4 || !json_equal(json_array_get(*out, 0), json_array_get(*out, n - 1))) {
        json_decref(*out);
        *out = NULL;
        return pm_error(p, xmlGetLineNo(ring), pmname, "a LinearRing needs at least 4 "
                        "coordinates, the last repeating the first");
    }
    return AT_OK;
}

/* What the geometries of one placemark hold, as they are read. */
struct shapes {
    json_t *points; /* [[lon, lat], ...] */
    json_t *polys;  /* each polygon an array of rings */
    json_t *lines;  /* each line an array of [lon, lat] */
};

/* Reads one geometry element into sh. */
static int read_geometry(struct parser *p, const xmlNode *g, const struct kml_placemark *pm,
                         struct shapes *sh)
{
    long line = xmlGetLineNo(g);
    json_t *pos;
    size_t n;

    if (is(g, "Point")) {
        if (parse_coordinates(p, child(g, "coordinates"), pm->name, &pos) != AT_OK)
            return AT_EINVAL;
        n = json_array_size(pos);
        if (n == 1)
            json_array_append(sh->points, json_array_get(pos, 0));
        json_decref(pos);
        return n == 1 ? AT_OK : pm_error(p, line, pm->name, "a Point has one coordinate, not %zu", n);
    }
    if (is(g, "LineString") || is(g, "LinearRing")) {
        bool ring = is(g, "LinearRing");
        if (parse_coordinates(p, child(g, "coordinates"), pm->name, &pos) != AT_OK)
            return AT_EINVAL;
        n = json_array_size(pos);
        if (ring ? n < 4 || !json_equal(json_array_get(pos, 0), json_array_get(pos, n - 1)) : n < 2) {
            json_decref(pos);
            return pm_error(p, line, pm->name, ring ? "a LinearRing needs at least 4 "
                            "coordinates, the last repeating the first"
                            : "a LineString needs at least 2 coordinates");
        }
        json_array_append_new(sh->lines, pos);
        return AT_OK;
    }
    if (is(g, "Polygon")) {
        json_t *rings = json_array(), *ring;
        if (parse_ring(p, child(g, "outerBoundaryIs"), pm->name, &ring) != AT_OK) {
            json_decref(rings);
            return AT_EINVAL;
        }
        json_array_append_new(rings, ring);
        for (const xmlNode *c = g->children; c; c = c->next) {
            if (!is(c, "innerBoundaryIs"))
                continue;
            if (parse_ring(p, c, pm->name, &ring) != AT_OK) {
                json_decref(rings);
                return AT_EINVAL;
            }
            json_array_append_new(rings, ring);
        }
        json_array_append_new(sh->polys, rings);
        return AT_OK;
    }
    if (is(g, "MultiGeometry")) {
        for (const xmlNode *c = g->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE && read_geometry(p, c, pm, sh) != AT_OK)
                return AT_EINVAL;
        return AT_OK;
    }
    return pm_error(p, line, pm->name, "unsupported geometry %s; valid: Point, Polygon, "
                    "LineString, LinearRing, or a MultiGeometry of them", (const char *)g->name);
}

static bool is_geometry(const xmlNode *n)
{
    static const char *const names[] = { "Point", "Polygon", "MultiGeometry", "LineString",
                                         "LinearRing", "Model", "Track", "MultiTrack" };

    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (is(n, names[i]))
            return true;
    return false;
}

static void read_extended(const xmlNode *ext, json_t *out)
{
    for (const xmlNode *c = ext->children; c; c = c->next) {
        if (is(c, "Data")) {
            xmlChar *name = xmlGetProp(c, BAD_CAST "name");
            char *value = text_of(child(c, "value"));
            json_t *v = value ? json_string(value) : NULL;
            if (name && v)
                json_object_set_new(out, (const char *)name, v);
            else
                json_decref(v);
            xmlFree(name);
            free(value);
        } else if (is(c, "SchemaData")) {
            read_extended(c, out);
        } else if (is(c, "SimpleData")) {
            xmlChar *name = xmlGetProp(c, BAD_CAST "name");
            char *value = text_of(c);
            json_t *v = value ? json_string(value) : NULL;
            if (name && v)
                json_object_set_new(out, (const char *)name, v);
            else
                json_decref(v);
            xmlFree(name);
            free(value);
        }
    }
}

/* TimeStamp/when or TimeSpan/begin, end as a fuzzy date: the day part of
 * each xsd:dateTime; a span "BEGIN/END". */
static char *read_date(const xmlNode *pm)
{
    const xmlNode *ts = child(pm, "TimeStamp"), *span = child(pm, "TimeSpan");
    char *ends[2] = { NULL, NULL };
    struct buf out = BUF_INIT;

    if (ts)
        ends[0] = text_of(child(ts, "when"));
    else if (span) {
        ends[0] = text_of(child(span, "begin"));
        ends[1] = text_of(child(span, "end"));
    }
    for (int i = 0; i < 2; i++) {
        char *t = ends[i] ? strchr(ends[i], 'T') : NULL;
        if (t)
            *t = '\0';
        if (ends[i] && *ends[i])
            buf_printf(&out, "%s%s", out.len ? "/" : "", ends[i]);
        free(ends[i]);
    }
    return out.len ? buf_detach(&out) : NULL;
}

static void placemark_free(struct kml_placemark *pm)
{
    free(pm->id);
    free(pm->name);
    free(pm->description);
    free(pm->style);
    free(pm->date);
    json_decref(pm->folders);
    json_decref(pm->extended);
    json_decref(pm->points);
    json_decref(pm->geometry);
    json_decref(pm->lines);
}

/* What the shapes make: points alone are pinpoints; polygons or lines,
 * with one point at most, a site. */
static int placemark_shapes(struct parser *p, struct kml_placemark *pm, struct shapes *sh)
{
    size_t points = json_array_size(sh->points), polys = json_array_size(sh->polys);
    size_t lines = json_array_size(sh->lines);

    if (points + polys + lines == 0)
        return pm_error(p, pm->line, pm->name, "no geometry; valid: Point, Polygon, LineString, "
                        "LinearRing");
    if (polys + lines > 0 && points > 1)
        return pm_error(p, pm->line, pm->name, "holds %zu points beside its outlines or lines; "
                        "a site has one point: give the points a placemark of their own", points);
    pm->kind = polys + lines ? KML_SITE : KML_POINTS;
    pm->points = json_incref(sh->points);
    if (polys == 1)
        pm->geometry = json_pack("{s:s, s:O}", "type", "Polygon", "coordinates",
                                 json_array_get(sh->polys, 0));
    else if (polys > 1)
        pm->geometry = json_pack("{s:s, s:O}", "type", "MultiPolygon", "coordinates", sh->polys);
    if (lines)
        pm->lines = json_pack("{s:s, s:O}", "type", "MultiLineString", "coordinates", sh->lines);
    return AT_OK;
}

static int read_placemark(struct parser *p, const xmlNode *node)
{
    struct kml_placemark pm = { 0 };
    struct shapes sh = { json_array(), json_array(), json_array() };
    xmlChar *id = xmlGetProp(node, BAD_CAST "id");
    int rc = AT_OK;
    char *style;

    pm.line = xmlGetLineNo(node);
    pm.id = id && *id ? xstrdup((const char *)id) : NULL;
    xmlFree(id);
    pm.name = text_of(child(node, "name"));
    pm.description = text_of(child(node, "description"));
    style = text_of(child(node, "styleUrl"));
    if (style) {
        const char *hash = strrchr(style, '#');
        pm.style = xstrdup(hash ? hash + 1 : style);
        free(style);
    }
    pm.date = read_date(node);
    pm.folders = json_deep_copy(p->folders);
    pm.extended = json_object();
    if (child(node, "ExtendedData"))
        read_extended(child(node, "ExtendedData"), pm.extended);
    for (const xmlNode *c = node->children; c && rc == AT_OK; c = c->next)
        if (is_geometry(c))
            rc = read_geometry(p, c, &pm, &sh);
    if (rc == AT_OK)
        rc = placemark_shapes(p, &pm, &sh);
    json_decref(sh.points);
    json_decref(sh.polys);
    json_decref(sh.lines);
    if (rc != AT_OK) {
        placemark_free(&pm);
        return rc;
    }
    if (p->doc->n == p->doc->cap)
        p->doc->pm = xrealloc(p->doc->pm, (p->doc->cap = p->doc->cap ? 2 * p->doc->cap : 16)
                                              * sizeof *p->doc->pm);
    p->doc->pm[p->doc->n++] = pm;
    return AT_OK;
}

static int walk(struct parser *p, const xmlNode *node)
{
    for (const xmlNode *c = node->children; c; c = c->next) {
        int rc = AT_OK;
        if (is(c, "Placemark")) {
            rc = read_placemark(p, c);
        } else if (is(c, "Folder")) {
            char *name = text_of(child(c, "name"));
            json_array_append_new(p->folders, json_string(name ? name : ""));
            free(name);
            rc = walk(p, c);
            json_array_remove(p->folders, json_array_size(p->folders) - 1);
        } else if (is(c, "Document")) {
            rc = walk(p, c);
        }
        if (rc != AT_OK)
            return rc;
    }
    return AT_OK;
}

/* Parses KML text into *doc: well formed, no DTD, <kml> at its root. */
static int load_xml(struct at_ctx *ctx, const char *text, size_t len, const char *file,
                    xmlDocPtr *out)
{
    xmlParserCtxtPtr xc;
    xmlDocPtr doc = NULL;
    const xmlNode *root;
    int rc = AT_EINVAL;

    if (len > KML_MAX_BYTES || len > (size_t)INT32_MAX) {
        rc = ctx_error(ctx, AT_EINVAL, "%s: larger than %u MiB", file, KML_MAX_BYTES >> 20);
        goto out;
    }
    xmlInitParser();
    if ((xc = xmlNewParserCtxt()) == NULL) {
        rc = ctx_error(ctx, AT_ERR, "%s: out of memory", file);
        goto out;
    }
    doc = xmlCtxtReadMemory(xc, text, (int)len, file, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR
                            | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA);
    if (doc == NULL || !xc->wellFormed) {
        const xmlError *e = xmlCtxtGetLastError(xc);
        char msg[256];
        snprintf(msg, sizeof msg, "%s", e && e->message ? e->message : "unreadable");
        msg[strcspn(msg, "\n")] = '\0';
        ctx_error(ctx, AT_EINVAL, "%s:%d: not well-formed XML: %s", file, e ? e->line : 0, msg);
        xmlFreeParserCtxt(xc);
        goto out;
    }
    xmlFreeParserCtxt(xc);
    root = xmlDocGetRootElement(doc);
    if (doc->intSubset || doc->extSubset) {
        ctx_error(ctx, AT_EINVAL, "%s: a DTD is not accepted in KML", file);
        goto out;
    }
    if (root == NULL || !is(root, "kml")) {
        ctx_error(ctx, AT_EINVAL, "%s:%ld: not KML: the document element is <%s>, want <kml>",
                  file, root ? xmlGetLineNo(root) : 0L, root ? (const char *)root->name : "");
        goto out;
    }
    *out = doc;
    doc = NULL;
    rc = AT_OK;
out:
    if (doc)
        xmlFreeDoc(doc);
    return rc;
}

int kml_parse(struct at_ctx *ctx, const char *text, size_t len, const char *file,
              struct kml_doc *out)
{
    struct parser p = { ctx, file, out, json_array() };
    xmlDocPtr doc = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = load_xml(ctx, text, len, file, &doc)) == AT_OK)
        rc = walk(&p, xmlDocGetRootElement(doc));
    if (doc)
        xmlFreeDoc(doc);
    json_decref(p.folders);
    if (rc != AT_OK)
        kml_doc_free(out);
    return rc;
}

void kml_doc_free(struct kml_doc *d)
{
    for (size_t i = 0; i < d->n; i++)
        placemark_free(&d->pm[i]);
    free(d->pm);
    memset(d, 0, sizeof *d);
}

/* ---- ground overlays ---- */

static void find_overlays(const xmlNode *n, size_t *count, const xmlNode **first)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (is(c, "GroundOverlay")) {
            if ((*count)++ == 0)
                *first = c;
        } else if (c->type == XML_ELEMENT_NODE) {
            find_overlays(c, count, first);
        }
    }
}

/* The number in box's element name into *out, within [lo, hi]. */
static int box_number(struct at_ctx *ctx, const char *file, const xmlNode *box, const char *name,
                      double lo, double hi, bool required, double *out)
{
    char *text = text_of(child(box, name)), *end = NULL;
    int rc = AT_OK;

    if (text == NULL) {
        if (required)
            rc = ctx_error(ctx, AT_EINVAL, "%s:%ld: GroundOverlay: LatLonBox has no <%s>; give "
                           "north, south, east and west in degrees", file, xmlGetLineNo(box), name);
        free(text);
        return rc;
    }
    *out = strtod(text, &end);
    if (end == text || *end != '\0' || !(*out >= lo && *out <= hi))
        rc = ctx_error(ctx, AT_EINVAL, "%s:%ld: GroundOverlay: <%s> \"%s\" is not a number "
                       "from %g to %g", file, xmlGetLineNo(box), name, text, lo, hi);
    free(text);
    return rc;
}

int kml_overlay(struct at_ctx *ctx, const char *text, size_t len, const char *file,
                struct kml_overlay *out)
{
    const xmlNode *o = NULL, *box;
    xmlDocPtr doc = NULL;
    size_t count = 0;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = load_xml(ctx, text, len, file, &doc)) != AT_OK)
        return rc;
    find_overlays(xmlDocGetRootElement(doc), &count, &o);
    rc = AT_EINVAL;
    if (count != 1) {
        ctx_error(ctx, AT_EINVAL, count ? "%s holds %zu GroundOverlays: a basemap is made of one; "
                                          "save each overlay in a KMZ of its own"
                                        : "%s holds no GroundOverlay%.0zu: give a KML or KMZ with an "
                                          "image overlay, an MBTiles file or a georeferenced raster",
                  file, count);
        goto out;
    }
    out->line = xmlGetLineNo(o);
    out->name = text_of(child(o, "name"));
    out->href = text_of(child(child(o, "Icon") ? child(o, "Icon") : o, "href"));
    if (out->href == NULL) {
        ctx_error(ctx, AT_EINVAL, "%s:%ld: GroundOverlay has no <Icon><href>: name its image",
                  file, out->line);
        goto out;
    }
    if (strstr(out->href, "://") || out->href[0] == '/' || strstr(out->href, "..")) {
        ctx_error(ctx, AT_EINVAL, "%s:%ld: GroundOverlay: the image \"%s\" is not in the file: "
                  "attest works offline and reads only an image inside the KMZ (or beside the "
                  "KML), named without \"..\"", file, out->line, out->href);
        goto out;
    }
    if ((box = child(o, "LatLonBox")) == NULL) {
        ctx_error(ctx, AT_EINVAL, child(o, "LatLonQuad")
                  ? "%s:%ld: GroundOverlay is placed by gx:LatLonQuad (four free corners), which "
                    "attest cannot place: give it a LatLonBox (north, south, east, west, rotation)"
                  : "%s:%ld: GroundOverlay has no LatLonBox: give north, south, east, west "
                    "(and rotation) in degrees", file, out->line);
        goto out;
    }
    if (box_number(ctx, file, box, "north", -90, 90, true, &out->north) != AT_OK
        || box_number(ctx, file, box, "south", -90, 90, true, &out->south) != AT_OK
        || box_number(ctx, file, box, "east", -180, 180, true, &out->east) != AT_OK
        || box_number(ctx, file, box, "west", -180, 180, true, &out->west) != AT_OK
        || box_number(ctx, file, box, "rotation", -180, 180, false, &out->rotation) != AT_OK)
        goto out;
    if (out->north <= out->south || out->east <= out->west) {
        ctx_error(ctx, AT_EINVAL, "%s:%ld: GroundOverlay: LatLonBox needs north above south and "
                  "east of west (an overlay across the 180th meridian is not taken)", file,
                  xmlGetLineNo(box));
        goto out;
    }
    rc = AT_OK;
out:
    xmlFreeDoc(doc);
    if (rc != AT_OK)
        kml_overlay_free(out);
    return rc;
}

void kml_overlay_free(struct kml_overlay *o)
{
    free(o->name);
    free(o->href);
    memset(o, 0, sizeof *o);
}

/* ---- files ---- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* The doc.kml of a KMZ (or its first .kml entry) into out. */
static int read_kmz(struct at_ctx *ctx, const char *path, const struct buf *zip, struct buf *out)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    int rc = AT_ENOTFOUND, r;
    bool first_is_doc = false;

    archive_read_support_format_zip(a);
    if (archive_read_open_memory(a, zip->data, zip->len) != ARCHIVE_OK) {
        rc = ctx_error(ctx, AT_EINVAL, "%s: not a KMZ (zip) file: %s", path,
                       archive_error_string(a));
        goto out;
    }
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        bool doc = name && strcmp(name, "doc.kml") == 0;
        char chunk[65536];
        la_ssize_t n;
        if (!name || !ends_with(name, ".kml") || (out->len && !doc) || first_is_doc)
            continue;
        buf_reset(out);
        while ((n = archive_read_data(a, chunk, sizeof chunk)) > 0) {
            if (out->len + (size_t)n > KML_MAX_BYTES) {
                rc = ctx_error(ctx, AT_EINVAL, "%s: %s unpacks to more than %u MiB", path, name,
                               KML_MAX_BYTES >> 20);
                goto out;
            }
            buf_append(out, chunk, (size_t)n);
        }
        if (n < 0) {
            rc = ctx_error(ctx, AT_EINVAL, "%s: %s: %s", path, name, archive_error_string(a));
            goto out;
        }
        first_is_doc = doc;
        rc = AT_OK;
    }
    if (r != ARCHIVE_EOF && r != ARCHIVE_OK)
        rc = ctx_error(ctx, AT_EINVAL, "%s: not a KMZ (zip) file: %s", path, archive_error_string(a));
    else if (rc == AT_ENOTFOUND)
        ctx_error(ctx, AT_EINVAL, "%s: the KMZ holds no .kml file", path);
    if (rc == AT_ENOTFOUND)
        rc = AT_EINVAL;
out:
    archive_read_free(a);
    return rc;
}

int kml_read_file(struct at_ctx *ctx, const char *path, struct buf *out, uint8_t sha256[32])
{
    FILE *f = fopen(path, "rb");
    struct buf raw = BUF_INIT;
    char chunk[65536];
    size_t n;
    int rc = AT_OK;

    if (f == NULL)
        return ctx_error(ctx, AT_ENOTFOUND, "cannot read %s: %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (raw.len + n > KML_MAX_BYTES) {
            rc = ctx_error(ctx, AT_EINVAL, "%s: larger than %u MiB", path, KML_MAX_BYTES >> 20);
            break;
        }
        buf_append(&raw, chunk, n);
    }
    if (rc == AT_OK && ferror(f))
        rc = ctx_error(ctx, AT_ERR, "reading %s failed", path);
    fclose(f);
    if (rc == AT_OK) {
        SHA256((const unsigned char *)(raw.data ? raw.data : ""), raw.len, sha256);
        if (raw.len >= 4 && memcmp(raw.data, "PK\003\004", 4) == 0) {
            rc = read_kmz(ctx, path, &raw, out);
        } else {
            buf_append(out, raw.data ? raw.data : "", raw.len);
        }
    }
    buf_free(&raw);
    return rc;
}

/* ---- import ---- */

/* The fields ExtendedData may fill, by record type. */
static const char *const pinpoint_keys[] = { "name", "description", "date", "site_type",
                                             "uncertainty_m", "basis", "imagery_date" };
static const char *const site_keys[] = { "name", "description", "date", "site_type",
                                         "confidence", "tier", "province", "county" };

/* What follows the placemark's shapes: a new import of a placemark removes
 * these when the placemark no longer gives them (a site's point is then
 * the centre of its outline again).  Other fields it gives are compared
 * and rewritten, and fields it does not give (an analyst's "county",
 * "site" or "event") are kept. */
static const char *const shape_keys[] = { "geometry", "lines", "placement_group", "lat", "lon" };

/* Other names Google Earth users give the type in ExtendedData. */
static const char *const site_type_keys[] = { "type", "category", "kind", "site type",
                                              "유형", "종류", "분류" };

static bool key_in(const char *key, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(keys[i], key) == 0)
            return true;
    return false;
}

/* The field an ExtendedData name fills, or NULL. */
static const char *field_of_key(const char *key, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0)
            return keys[i];
    return key_in(key, site_type_keys, ARRAY_LEN(site_type_keys)) ? "site_type" : NULL;
}

/* The code that words stand for in field: the importer's --map-value
 * first, then the vocabulary's own words; NULL when neither knows them. */
static const char *word_code(const struct kml_options *opt, const char *field, const char *words)
{
    const struct type_spec *t = model_type("site");
    const struct field_spec *f = model_field(t, field);

    if (f == NULL)
        f = model_field(model_type("pinpoint"), field);
    for (size_t i = 0; words && i < opt->nmaps; i++)
        if (strcmp(opt->maps[i].field, field) == 0 && strcasecmp(opt->maps[i].words, words) == 0)
            return opt->maps[i].code;
    return f && f->kind == FIELD_VOCAB ? vocab_match(vocab_find(f->vocab), words) : NULL;
}

/* The site type a styleUrl or a folder's name gives ("#burial_site-probable",
 * "Burial sites", "처형장"), innermost folder first; NULL when none does. */
static const char *infer_site_type(const struct kml_placemark *pm, const struct kml_options *opt)
{
    const char *code = word_code(opt, "site_type", pm->style);

    if (code == NULL && pm->style && strrchr(pm->style, '-')) {
        /* attest's own styles: TYPE-CONFIDENCE */
        char *type = xstrdup(pm->style);
        *strrchr(type, '-') = '\0';
        code = word_code(opt, "site_type", type);
        free(type);
    }
    for (size_t i = json_array_size(pm->folders); code == NULL && i > 0; i--)
        code = word_code(opt, "site_type", json_string_value(json_array_get(pm->folders, i - 1)));
    return code;
}

/* Sets field from an ExtendedData value: a vocabulary field through its
 * words, refusing words no one has mapped. */
static int set_field(struct at_ctx *ctx, const struct kml_options *opt,
                     const struct type_spec *t, json_t *data, const char *field, const char *value)
{
    const struct field_spec *f = model_field(t, field);
    const char *code;

    if (f == NULL || f->kind != FIELD_VOCAB)
        return model_set_from_text(ctx, t, data, field, value);
    if ((code = word_code(opt, field, value)) != NULL)
        return model_set_from_text(ctx, t, data, field, code);

    struct buf closest = BUF_INIT;
    vocab_closest(vocab_find(f->vocab), value, 3, &closest);
    ctx_error(ctx, AT_EINVAL, "field \"%s\": unknown %s \"%s\"; closest: %s; or give "
              "--map-value \"%s:%s=CODE\"", field, f->vocab, value, buf_str(&closest), field, value);
    buf_free(&closest);
    return AT_EINVAL;
}

/* The fields a placemark gives every record it makes; *site: whether it
 * makes a site.  Values named in ExtendedData fill the record's fields;
 * other values, except the export's own ("attest:..."), are kept as lines
 * of the description. */
static int placemark_fields(struct at_ctx *ctx, const struct kml_placemark *pm,
                            const struct kml_options *opt, bool *site, json_t **out)
{
    const char *as = json_string_value(json_object_get(pm->extended, "attest:type"));
    size_t npoints = json_array_size(pm->points);
    const struct type_spec *t;
    json_t *data = json_object(), *v;
    struct buf more = BUF_INIT;
    const char *key;
    int rc = AT_OK;

    /* An export's pinpoint comes back with its circle of uncertainty: a
     * point, and a polygon that is not an outline. */
    *site = as ? strcmp(as, "site") == 0 : pm->kind == KML_SITE;
    if (*site && pm->kind == KML_POINTS && npoints != 1)
        rc = ctx_error(ctx, AT_EINVAL, "a site has one point, not %zu", npoints);
    if (!*site && pm->kind == KML_SITE && npoints != 1)
        rc = ctx_error(ctx, AT_EINVAL, "a pinpoint needs a point");
    t = model_type(*site ? "site" : "pinpoint");
    const char *const *keys = *site ? site_keys : pinpoint_keys;
    size_t nkeys = *site ? ARRAY_LEN(site_keys) : ARRAY_LEN(pinpoint_keys);
    if (rc == AT_OK && pm->name)
        json_object_set_new(data, "name", json_string(pm->name));
    if (rc == AT_OK && pm->description)
        json_object_set_new(data, "description", json_string(pm->description));
    if (rc == AT_OK && pm->date)
        json_object_set_new(data, "date", json_string(pm->date));
    json_object_foreach(pm->extended, key, v) {
        const char *field = field_of_key(key, keys, nkeys);
        if (rc != AT_OK)
            break;
        if (field)
            rc = set_field(ctx, opt, t, data, field, json_string_value(v));
        else if (strncmp(key, "attest:", 7) != 0)
            buf_printf(&more, "\n%s: %s", key, json_string_value(v));
    }
    if (more.len) {
        const char *d = json_string_value(json_object_get(data, "description"));
        json_object_set_new(data, "description", json_sprintf("%s%s", d ? d : "",
                                                              d ? more.data : more.data + 1));
    }
    buf_free(&more);
    if (rc == AT_OK && !json_object_get(data, "site_type")) {
        const char *inferred = infer_site_type(pm, opt);
        if (inferred || *site)
            json_object_set_new(data, "site_type", json_string(inferred ? inferred : "other"));
    }
    if (rc == AT_OK && *site) {
        char *text;
        if (pm->geometry && pm->kind == KML_SITE) {
            json_object_set_new(data, "geometry", json_string(text = polygon_text(pm->geometry)));
            free(text);
        }
        if (pm->lines) {
            json_object_set_new(data, "lines", json_string(text = polygon_text(pm->lines)));
            free(text);
        }
        if (!json_object_get(data, "name"))
            json_object_set_new(data, "name", json_sprintf("Unnamed site (line %ld)", pm->line));
    }
    *out = data;
    return rc;
}

/* The key of a placemark within its file: "FILE#ID" for one with an id,
 * else "FILE: FOLDER / ... / NAME", with " [N]" for the Nth placemark of
 * the same folders and name.  seen counts the keys given so far. */
static void placemark_key(const struct kml_placemark *pm, const char *file, json_t *seen,
                          struct buf *key)
{
    json_int_t n;

    buf_reset(key);
    if (pm->id) {
        buf_printf(key, "%s#%s", file, pm->id);
    } else {
        buf_printf(key, "%s: ", file);
        for (size_t i = 0; i < json_array_size(pm->folders); i++)
            buf_printf(key, "%s / ", json_string_value(json_array_get(pm->folders, i)));
        buf_puts(key, pm->name ? pm->name : "(no name)");
    }
    n = json_integer_value(json_object_get(seen, buf_str(key))) + 1;
    json_object_set_new(seen, buf_str(key), json_integer(n));
    if (n > 1)
        buf_printf(key, " [%lld]", (long long)n);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The records that earlier imports made from placemarks and named source
 * as their source: {placemark: version document}.  Caller releases. */
static int made_before(struct at_ctx *ctx, struct store *st, const char *source, json_t **out)
{
    static const char sql[] =
        "SELECT json_extract(doc, '$.data.placemark'), doc FROM record_current"
        " WHERE NOT retracted AND type IN ('pinpoint', 'site')"
        " AND json_extract(doc, '$.source') = ?1"
        " AND json_extract(doc, '$.data.placemark') IS NOT NULL";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    *out = json_object();
    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, source, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        json_t *doc = json_loads((const char *)sqlite3_column_text(stmt, 1), 0, NULL);
        if (doc)
            json_object_set_new(*out, (const char *)sqlite3_column_text(stmt, 0), doc);
    }
    sqlite3_reset(stmt);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "reading earlier imports");
}

/* The same value as stored: a version keeps its canonical text (reals to
 * 15 digits), so two values are compared by theirs, 200 and 200.0 alike. */
static bool same_value(json_t *a, json_t *b)
{
    json_t *pair[2] = { a, b };
    char *text[2];
    bool same;

    if (a == NULL || b == NULL)
        return a == b;
    for (int i = 0; i < 2; i++) {
        json_t *v = json_is_integer(pair[i]) ? json_real((double)json_integer_value(pair[i]))
                                             : json_incref(pair[i]);
        json_t *box = json_pack("[o]", v);
        text[i] = canonical_text(box);
        json_decref(box);
    }
    same = strcmp(text[0], text[1]) == 0;
    free(text[0]);
    free(text[1]);
    return same;
}

/* A placemark imported before: a new version when what it says changed. */
static int update_record(struct at_ctx *ctx, struct store *st, json_t *old, json_t *fresh,
                         const char *file, struct import_counts *counts)
{
    const char *id = json_string_value(json_object_get(old, "id"));
    const struct type_spec *t = model_type_of_id(id);
    json_t *was = json_object_get(old, "data"), *merged = json_deep_copy(was);
    json_t *changes = json_object(), *v;
    const char *key;
    int rc;

    for (size_t i = 0; i < ARRAY_LEN(shape_keys); i++)
        if (!json_object_get(fresh, shape_keys[i]))
            json_object_del(merged, shape_keys[i]);
    json_object_foreach(fresh, key, v)
        json_object_set(merged, key, v);
    if ((rc = model_validate(ctx, t, merged)) == AT_OK) {
        json_object_foreach(merged, key, v)
            if (!same_value(v, json_object_get(was, key)))
                json_object_set(changes, key, v);
        json_object_foreach(was, key, v)
            if (!json_object_get(merged, key))
                json_object_set_new(changes, key, json_null());
        if (json_object_size(changes) == 0) {
            counts->already++;
        } else {
            struct record_write w = RECORD_WRITE_INIT;
            char reason[512];
            snprintf(reason, sizeof reason, "imported again from %s: the placemark changed", file);
            w.reason = reason;
            if ((rc = record_amend(ctx, st, id, changes, &w)) == AT_OK)
                counts->versions++;
        }
    }
    json_decref(merged);
    json_decref(changes);
    return rc;
}

/* The document that stands for the file: the one an earlier import of a
 * file of the same name made (a new version when the file changed), or a
 * new one. */
static int file_document(struct at_ctx *ctx, struct store *st, const char *path,
                         const uint8_t sha256[32], size_t nplacemarks,
                         struct import_counts *counts, char id[RECORD_ID_MAX])
{
    static const char sql[] =
        "SELECT id, json_extract(doc, '$.data.sha256') FROM record_current"
        " WHERE type = 'document' AND NOT retracted AND json_extract(doc, '$.data.title') = ?1"
        " AND json_extract(doc, '$.data.description') LIKE 'KML file imported with %'"
        " ORDER BY rowid DESC LIMIT 1";
    struct record_write w = RECORD_WRITE_INIT;
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    char hex[65], before[65] = "";
    json_t *data;
    int rc;

    if (stmt == NULL)
        return AT_ERR;
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", sha256[i]);
    id[0] = '\0';
    sqlite3_bind_text(stmt, 1, base_name(path), -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        snprintf(id, RECORD_ID_MAX, "%s", (const char *)sqlite3_column_text(stmt, 0));
        snprintf(before, sizeof before, "%s", (const char *)sqlite3_column_text(stmt, 1) ?: "");
    }
    sqlite3_reset(stmt);
    if (id[0] && strcmp(before, hex) == 0) {
        counts->already++;
        return AT_OK;
    }
    data = json_pack("{s:s, s:s}", "sha256", hex, "title", base_name(path));
    json_object_set_new(data, "description",
                        json_sprintf("KML file imported with %zu placemarks", nplacemarks));
    if (id[0]) {
        w.reason = "the file changed and was imported again";
        if ((rc = record_amend(ctx, st, id, data, &w)) == AT_OK)
            counts->versions++;
    } else if ((rc = record_add(ctx, st, model_type("document"), data, &w, id)) == AT_OK) {
        counts->added++;
    }
    json_decref(data);
    return rc;
}

/* Every --map-value names a vocabulary field of pinpoints or sites and one
 * of its codes. */
static int check_maps(struct at_ctx *ctx, const struct kml_options *opt)
{
    for (size_t i = 0; i < opt->nmaps; i++) {
        const struct kml_value_map *m = &opt->maps[i];
        const struct field_spec *f = model_field(model_type("site"), m->field);
        struct buf valid = BUF_INIT;
        if (f == NULL || f->kind != FIELD_VOCAB)
            f = model_field(model_type("pinpoint"), m->field);
        if (f == NULL || f->kind != FIELD_VOCAB) {
            ctx_error(ctx, AT_EINVAL, "--map-value \"%s:%s=%s\": \"%s\" has no vocabulary; "
                      "valid: site_type, basis, confidence, tier", m->field, m->words, m->code,
                      m->field);
            return AT_EINVAL;
        }
        if (vocab_index(vocab_find(f->vocab), m->code) < 0) {
            vocab_list_codes(vocab_find(f->vocab), &valid);
            ctx_error(ctx, AT_EINVAL, "--map-value \"%s:%s=%s\": \"%s\" is not a %s code; "
                      "valid: %s", m->field, m->words, m->code, m->code, f->vocab, buf_str(&valid));
            buf_free(&valid);
            return AT_EINVAL;
        }
    }
    return AT_OK;
}

int kml_value_map_parse(struct at_ctx *ctx, char *text, struct kml_value_map *m)
{
    char *colon = strchr(text, ':'), *eq = strrchr(text, '=');

    if (colon == NULL || eq == NULL || eq < colon || colon == text || colon + 1 == eq
        || eq[1] == '\0')
        return ctx_error(ctx, AT_EINVAL, "--map-value \"%s\": want FIELD:WORDS=CODE, as in "
                         "--map-value \"site_type:pig farm=workplace\"", text);
    *colon = '\0';
    *eq = '\0';
    *m = (struct kml_value_map){ text, colon + 1, eq + 1 };
    return AT_OK;
}

/* Writes the records of placemark pm (one site, or one pinpoint per
 * point): new ones, or new versions of those an earlier import made. */
static int import_placemark(struct import *im, const struct kml_placemark *pm,
                            const struct kml_options *opt, const char *key, json_t *before)
{
    struct at_ctx *ctx = im->ctx;
    json_t *fields = NULL;
    bool site;
    int rc = placemark_fields(ctx, pm, opt, &site, &fields);
    size_t n = site ? 1 : json_array_size(pm->points);

    for (size_t i = 0; rc == AT_OK && i < n; i++) {
        json_t *data = json_deep_copy(fields), *pos = json_array_get(pm->points, i), *old;
        struct buf one = BUF_INIT;
        buf_printf(&one, n > 1 ? "%s #%zu" : "%s", key, i + 1);
        json_object_set_new(data, "placemark", json_string(buf_str(&one)));
        if (pos) {
            json_object_set_new(data, "lat", json_real(json_real_value(json_array_get(pos, 1))));
            json_object_set_new(data, "lon", json_real(json_real_value(json_array_get(pos, 0))));
        }
        if (n > 1)
            json_object_set_new(data, "placement_group", json_string(key));
        if (!site && opt->interview)
            json_object_set_new(data, "interview", json_string(opt->interview));
        old = json_object_get(before, buf_str(&one));
        if (old && strcmp(json_string_value(json_object_get(old, "type")), site ? "site" : "pinpoint") == 0)
            rc = update_record(ctx, im->st, old, data, im->file, &im->counts);
        else
            rc = import_item(im, data, model_type(site ? "site" : "pinpoint"), pm->line, 0);
        json_decref(data);
        buf_free(&one);
    }
    json_decref(fields);
    return rc;
}

int kml_import(struct at_ctx *ctx, struct store *st, const char *path,
               const struct kml_options *opt, struct import_counts *counts, char doc_out[32])
{
    struct import_options io = { NULL, -1, false, NULL, NULL, opt->arg, 0, opt->check_only,
                                 opt->on_added };
    struct kml_doc doc = { 0 };
    struct buf text = BUF_INIT, key = BUF_INIT;
    json_t *before = NULL, *seen = json_object();
    const char *file = opt->name ? opt->name : base_name(path);
    struct import im;
    uint8_t sha[32];
    char docid[RECORD_ID_MAX] = "";
    int rc;

    memset(counts, 0, sizeof *counts);
    if (doc_out)
        doc_out[0] = '\0';
    if ((rc = check_maps(ctx, opt)) != AT_OK
        || (rc = kml_read_file(ctx, path, &text, sha)) != AT_OK
        || (rc = kml_parse(ctx, text.data ? text.data : "", text.len, file, &doc)) != AT_OK)
        goto out;
    if (opt->interview) {
        const struct type_spec *t = model_type_of_id(opt->interview);
        json_t *iv = NULL;
        if (t == NULL || strcmp(t->name, "interview") != 0) {
            rc = ctx_error(ctx, AT_EINVAL, "--interview: \"%s\" is not an interview id",
                           opt->interview);
            goto out;
        }
        if ((rc = record_get(ctx, st, opt->interview, 0, &iv)) != AT_OK)
            goto out;
        json_decref(iv);
    }
    if ((rc = import_begin(&im, ctx, st, &io, file)) != AT_OK)
        goto out;
    if (opt->interview == NULL)
        rc = file_document(ctx, st, file, sha, doc.n, &im.counts, docid);
    io.source = opt->interview ? opt->interview : docid;
    if (rc == AT_OK)
        rc = made_before(ctx, st, io.source, &before);
    for (size_t i = 0; i < doc.n && rc == AT_OK; i++) {
        placemark_key(&doc.pm[i], file, seen, &key);
        rc = import_placemark(&im, &doc.pm[i], opt, buf_str(&key), before);
        if (rc != AT_OK) {
            /* Say which placemark: "FILE:LINE: placemark "NAME": why". */
            char prefix[512], why[sizeof ctx->message];
            const char *msg = ctx->message;
            snprintf(prefix, sizeof prefix, "%s:%ld: ", file, doc.pm[i].line);
            if (strncmp(msg, prefix, strlen(prefix)) == 0)
                msg += strlen(prefix);
            snprintf(why, sizeof why, "%s", msg);
            ctx_error(ctx, rc, "%s:%ld: placemark \"%s\": %s", file, doc.pm[i].line,
                      doc.pm[i].name ? doc.pm[i].name : "(no name)", why);
        }
    }
    *counts = im.counts;
    if (rc != AT_OK) {
        import_end(&im, false);
        goto out;
    }
    rc = import_end(&im, true);
    if (rc == AT_OK && doc_out)
        snprintf(doc_out, 32, "%s", docid);
out:
    json_decref(before);
    json_decref(seen);
    kml_doc_free(&doc);
    buf_free(&text);
    buf_free(&key);
    return rc;
}
