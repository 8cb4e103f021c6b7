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

/* Reads one geometry element into pm (a point) or polys (each polygon an
 * array of rings). */
static int read_geometry(struct parser *p, const xmlNode *g, struct kml_placemark *pm,
                         json_t *polys, int *points)
{
    long line = xmlGetLineNo(g);

    if (is(g, "Point")) {
        json_t *pos;
        if (parse_coordinates(p, child(g, "coordinates"), pm->name, &pos) != AT_OK)
            return AT_EINVAL;
        size_t n = json_array_size(pos);
        pm->lon = json_real_value(json_array_get(json_array_get(pos, 0), 0));
        pm->lat = json_real_value(json_array_get(json_array_get(pos, 0), 1));
        json_decref(pos);
        if (n != 1)
            return pm_error(p, line, pm->name, "a Point has one coordinate, not %zu", n);
        (*points)++;
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
        json_array_append_new(polys, rings);
        return AT_OK;
    }
    if (is(g, "MultiGeometry")) {
        for (const xmlNode *c = g->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE
                && read_geometry(p, c, pm, polys, points) != AT_OK)
                return AT_EINVAL;
        return AT_OK;
    }
    return pm_error(p, line, pm->name, "unsupported geometry %s; valid: Point, Polygon, or a "
                    "MultiGeometry of polygons", (const char *)g->name);
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
    free(pm->name);
    free(pm->description);
    free(pm->style);
    free(pm->date);
    json_decref(pm->folders);
    json_decref(pm->extended);
    json_decref(pm->geometry);
}

static int read_placemark(struct parser *p, const xmlNode *node)
{
    struct kml_placemark pm = { 0 };
    json_t *polys = json_array();
    int points = 0, rc = AT_OK;
    char *style;

    pm.line = xmlGetLineNo(node);
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
            rc = read_geometry(p, c, &pm, polys, &points);
    if (rc == AT_OK && points + json_array_size(polys) == 0)
        rc = pm_error(p, pm.line, pm.name, "no geometry; valid: Point, Polygon");
    else if (rc == AT_OK && points && json_array_size(polys))
        rc = pm_error(p, pm.line, pm.name, "mixes points and polygons");
    else if (rc == AT_OK && points > 1)
        rc = pm_error(p, pm.line, pm.name, "holds %d points; one placemark is one placement",
                      points);
    if (rc == AT_OK && json_array_size(polys)) {
        pm.kind = KML_POLYGON;
        pm.geometry = json_array_size(polys) == 1
            ? json_pack("{s:s, s:O}", "type", "Polygon", "coordinates", json_array_get(polys, 0))
            : json_pack("{s:s, s:O}", "type", "MultiPolygon", "coordinates", polys);
    }
    json_decref(polys);
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

int kml_parse(struct at_ctx *ctx, const char *text, size_t len, const char *file,
              struct kml_doc *out)
{
    struct parser p = { ctx, file, out, json_array() };
    xmlParserCtxtPtr xc;
    xmlDocPtr doc = NULL;
    const xmlNode *root;
    int rc = AT_EINVAL;

    memset(out, 0, sizeof *out);
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
    rc = walk(&p, root);
out:
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

/* The site type a name suggests: a vocabulary code or label, singular or
 * plural, in any case ("Burial sites", "#burial_site-probable", "매장지"). */
static const char *match_site_type(const char *text)
{
    const struct vocab *v = vocab_find("site_type");
    char norm[128];
    size_t n = 0;

    if (text == NULL)
        return NULL;
    for (const char *s = text; *s && n + 1 < sizeof norm; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            c = '_';
        if (c != '_' || (n > 0 && norm[n - 1] != '_'))
            norm[n++] = c;
    }
    while (n > 0 && norm[n - 1] == '_')
        n--;
    norm[n] = '\0';
    if (n > 3 && strcmp(norm + n - 3, "ies") == 0)   /* facilities */
        strcpy(norm + n - 3, "y");
    for (size_t i = 0; i < v->nterms; i++) {
        const struct vocab_term *t = &v->terms[i];
        size_t m = strlen(t->code);
        char label[128];
        size_t k = 0;
        for (const char *s = t->label; *s && k + 1 < sizeof label; s++)
            label[k++] = *s == ' ' ? '_' : (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
        label[k] = '\0';
        if ((strncmp(norm, t->code, m) == 0 && (norm[m] == '\0' || norm[m] == '_'
                                                 || (norm[m] == 's' && (norm[m + 1] == '\0'
                                                                        || norm[m + 1] == '_'))))
            || (strncmp(norm, label, k) == 0 && (norm[k] == '\0' || strcmp(norm + k, "s") == 0))
            || strcmp(text, t->label_ko) == 0)
            return t->code;
    }
    return NULL;
}

static const char *infer_site_type(const struct kml_placemark *pm)
{
    const char *code = match_site_type(pm->style);

    for (size_t i = json_array_size(pm->folders); code == NULL && i > 0; i--)
        code = match_site_type(json_string_value(json_array_get(pm->folders, i - 1)));
    return code;
}

/* The fields ExtendedData may fill, by record type. */
static const char *const pinpoint_keys[] = { "name", "description", "date", "site_type",
                                             "uncertainty_m", "basis", "imagery_date" };
static const char *const site_keys[] = { "name", "description", "date", "site_type",
                                         "confidence", "tier", "province", "county" };

static bool key_in(const char *key, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0)
            return true;
    return false;
}

/* The data of the record a placemark becomes; *type its type.  Values
 * named in ExtendedData fill the record's fields; other values, except
 * the export's own ("attest:..."), are kept as lines of the description. */
static int placemark_data(struct at_ctx *ctx, const struct kml_placemark *pm,
                          const char *interview, const struct type_spec **type, json_t **out)
{
    const char *as = json_string_value(json_object_get(pm->extended, "attest:type"));
    bool site = pm->kind == KML_POLYGON || (as && strcmp(as, "site") == 0);
    const char *const *keys = site ? site_keys : pinpoint_keys;
    size_t nkeys = site ? ARRAY_LEN(site_keys) : ARRAY_LEN(pinpoint_keys);
    json_t *data = json_object(), *v;
    struct buf more = BUF_INIT;
    const char *key;
    int rc = AT_OK;

    *type = model_type(site ? "site" : "pinpoint");
    if (pm->name)
        json_object_set_new(data, "name", json_string(pm->name));
    if (pm->description)
        json_object_set_new(data, "description", json_string(pm->description));
    if (pm->date)
        json_object_set_new(data, "date", json_string(pm->date));
    json_object_foreach(pm->extended, key, v) {
        if (key_in(key, keys, nkeys))
            rc = model_set_from_text(ctx, *type, data, key, json_string_value(v));
        else if (strncmp(key, "attest:", 7) != 0)
            buf_printf(&more, "\n%s: %s", key, json_string_value(v));
        if (rc != AT_OK)
            break;
    }
    if (more.len) {
        const char *d = json_string_value(json_object_get(data, "description"));
        json_object_set_new(data, "description", json_sprintf("%s%s", d ? d : "",
                                                              d ? more.data : more.data + 1));
    }
    buf_free(&more);
    if (!json_object_get(data, "site_type")) {
        const char *inferred = infer_site_type(pm);
        if (inferred || site)
            json_object_set_new(data, "site_type", json_string(inferred ? inferred : "other"));
    }
    if (pm->kind == KML_POLYGON) {
        char *text = polygon_text(pm->geometry);
        json_object_set_new(data, "geometry", json_string(text));
        free(text);
    } else {
        json_object_set_new(data, "lat", json_real(pm->lat));
        json_object_set_new(data, "lon", json_real(pm->lon));
    }
    if (site && !json_object_get(data, "name"))
        json_object_set_new(data, "name", json_sprintf("Unnamed site (line %ld)", pm->line));
    if (!site && interview)
        json_object_set_new(data, "interview", json_string(interview));
    *out = data;
    return rc;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The document record that stands for the file. */
static int add_document(struct at_ctx *ctx, struct store *st, const char *path,
                        const uint8_t sha256[32], size_t nplacemarks, char id[RECORD_ID_MAX])
{
    struct record_write w = RECORD_WRITE_INIT;
    char hex[65];
    json_t *data;
    int rc;

    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", sha256[i]);
    data = json_pack("{s:s, s:s, s:s}", "title", base_name(path), "sha256", hex,
                     "description", "");
    json_object_set_new(data, "description",
                        json_sprintf("KML file imported with %zu placemarks", nplacemarks));
    rc = record_add(ctx, st, model_type("document"), data, &w, id);
    json_decref(data);
    return rc;
}

int kml_import(struct at_ctx *ctx, struct store *st, const char *path, const char *interview,
               struct import_counts *counts, char doc_out[32])
{
    struct import_options opt = { NULL, -1, false, NULL, NULL, NULL };
    struct kml_doc doc = { 0 };
    struct buf text = BUF_INIT;
    struct import im;
    uint8_t sha[32];
    char docid[RECORD_ID_MAX] = "";
    int rc;

    if (doc_out)
        doc_out[0] = '\0';
    if ((rc = kml_read_file(ctx, path, &text, sha)) != AT_OK
        || (rc = kml_parse(ctx, text.data ? text.data : "", text.len, base_name(path), &doc))
               != AT_OK)
        goto out;
    if (interview) {
        const struct type_spec *t = model_type_of_id(interview);
        json_t *iv = NULL;
        if (t == NULL || strcmp(t->name, "interview") != 0) {
            rc = ctx_error(ctx, AT_EINVAL, "--interview: \"%s\" is not an interview id", interview);
            goto out;
        }
        if ((rc = record_get(ctx, st, interview, 0, &iv)) != AT_OK)
            goto out;
        json_decref(iv);
    }
    if ((rc = import_begin(&im, ctx, st, &opt, base_name(path))) != AT_OK)
        goto out;
    if (interview == NULL)
        rc = add_document(ctx, st, path, sha, doc.n, docid);
    opt.source = interview ? interview : docid;
    for (size_t i = 0; i < doc.n && rc == AT_OK; i++) {
        const struct type_spec *t;
        json_t *data = NULL;
        rc = placemark_data(ctx, &doc.pm[i], interview, &t, &data);
        if (rc == AT_OK)
            rc = import_item(&im, data, t, doc.pm[i].line, 0);
        if (rc != AT_OK) {
            /* Say which placemark: "FILE:LINE: placemark "NAME": why". */
            char prefix[512];
            const char *msg = ctx->message;
            snprintf(prefix, sizeof prefix, "%s:%ld: ", base_name(path), doc.pm[i].line);
            if (strncmp(msg, prefix, strlen(prefix)) == 0)
                msg += strlen(prefix);
            char why[sizeof ctx->message];
            snprintf(why, sizeof why, "%s", msg);
            ctx_error(ctx, rc, "%s:%ld: placemark \"%s\": %s", base_name(path), doc.pm[i].line,
                      doc.pm[i].name ? doc.pm[i].name : "(no name)", why);
        }
        json_decref(data);
    }
    if (rc == AT_OK && interview == NULL)
        im.counts.added++;
    *counts = im.counts;
    if (rc != AT_OK) {
        import_end(&im, false);
        goto out;
    }
    rc = import_end(&im, true);
    if (rc == AT_OK && doc_out)
        snprintf(doc_out, 32, "%s", docid);
out:
    kml_doc_free(&doc);
    buf_free(&text);
    return rc;
}
