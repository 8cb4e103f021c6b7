/*
 * geo_export.c: sites and pinpoints as KML, KMZ, GeoJSON and CSV.  See
 * geo_export.h.
 *
 * Every format is written from one list of features: the records that
 * the tier lets out (already coarsened where it says so), each with the
 * properties the formats share, sorted by kind, province, site type and
 * name, which is also the KML folder order.
 */
#include "attest.h"
#include "geo_export.h"
#include "csv.h"
#include "date.h"
#include "gazetteer.h"
#include "geo.h"
#include "polygon.h"
#include "record.h"
#include "sites.h"
#include "vocab.h"

#include <archive.h>
#include <archive_entry.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int geo_format_parse(struct at_ctx *ctx, const char *name, enum geo_format *out)
{
    static const char *const names[] = { "kml", "kmz", "geojson", "csv" };

    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (strcmp(names[i], name) == 0) {
            *out = (enum geo_format)i;
            return AT_OK;
        }
    return ctx_error(ctx, AT_EINVAL, "unknown map format \"%s\"; valid: kml, kmz, geojson, csv",
                     name);
}

/* One record going out. */
struct feature {
    json_t *doc;      /* the version document, as the tier lets it out */
    json_t *props;    /* the properties every format writes */
    const char *kind; /* "site" or "pinpoint" */
    const char *province, *type;
};

struct collect {
    struct at_ctx *ctx;
    struct store *st;
    enum tier tier;
    struct feature *f;
    size_t n, cap;
    struct geo_export_counts *counts;
};

static double prop_num(json_t *data, const char *key)
{
    return json_number_value(json_object_get(data, key));
}

static void set_text(json_t *props, const char *key, json_t *data, const char *field)
{
    json_t *v = json_object_get(data, field);
    if (v)
        json_object_set(props, key, v);
}

/* A site's corroboration, from its pinpoints. */
static int add_corroboration(struct collect *c, json_t *orig, json_t *props)
{
    json_t *data = json_object_get(orig, "data"), *ids = NULL, *k = NULL;
    const char *id = json_string_value(json_object_get(orig, "id"));
    int rc = sites_pinpoints(c->ctx, c->st, id, &ids);
    size_t n = json_array_size(ids);
    const char **v = xcalloc(n + 1, sizeof *v);

    for (size_t i = 0; i < n; i++)
        v[i] = json_string_value(json_array_get(ids, i));
    if (rc == AT_OK && n > 0)
        rc = sites_corroboration(c->ctx, c->st, v, n,
                                 json_number_value(json_object_get(data, "lat")),
                                 json_number_value(json_object_get(data, "lon")), &k);
    if (rc == AT_OK) {
        json_object_set_new(props, "placements", json_integer((json_int_t)n));
        json_object_set_new(props, "witnesses", json_integer(
                                k ? json_integer_value(json_object_get(k, "witnesses")) : 0));
        set_text(props, "basis", k, "basis");
        set_text(props, "date_from", k, "date_from");
        set_text(props, "date_to", k, "date_to");
        if (c->tier != TIER_PUBLIC && json_object_get(k, "spread_m"))
            json_object_set_new(props, "spread_m", json_real(round(json_number_value(
                                    json_object_get(k, "spread_m")))));
        if (!json_object_get(data, "confidence"))
            set_text(props, "confidence", k, "confidence");
    }
    free(v);
    json_decref(ids);
    json_decref(k);
    return rc;
}

static const char *const site_props[] = { "name", "site_type", "confidence", "tier", "province",
                                          "county", "date", "description" };
static const char *const pinpoint_props[] = { "name", "site_type", "uncertainty_m", "basis",
                                              "imagery_date", "date", "interview", "site",
                                              "description" };

/* The date as entered stays in "date"; its standard form goes beside it. */
static void add_edtf(json_t *props, const char *date)
{
    struct at_ctx ignore = { 0 };
    struct fuzzy_date d;
    struct buf edtf = BUF_INIT;

    if (date == NULL || date_parse(&ignore, date, &d) != AT_OK)
        return;
    date_edtf(&d, &edtf);
    json_object_set_new(props, "date_edtf", json_string(buf_str(&edtf)));
    buf_free(&edtf);
}

static int collect_one(void *arg, json_t *doc)
{
    struct collect *c = arg;
    json_t *out = NULL, *data, *props;
    bool redacted = false, site;
    struct tier_note note;
    int rc = tier_apply_noted(c->ctx, c->st, c->tier, doc, &out, &note);

    if (rc != AT_OK)
        return rc;
    redacted = note.redacted;
    if (out && !json_object_get(json_object_get(out, "data"), "lat")) {
        json_decref(out);   /* nothing to place on a map */
        out = NULL;
        note.reason = TIER_NO_POINT;
    }
    if (out == NULL) {
        c->counts->left_out++;
        json_array_append_new(c->counts->left, json_pack("{s:s, s:s, s:s, s:s, s:s}",
            "id", json_string_value(json_object_get(doc, "id")),
            "record", json_string_value(json_object_get(doc, "type")),
            "reason", tier_reason_code(note.reason), "why", tier_reason_text(note.reason),
            "fix", tier_reason_fix(note.reason, c->tier)));
        json_decref(note.removed);
        return AT_OK;
    }
    if (note.removed)
        json_array_append_new(c->counts->removed, json_pack("{s:s, s:o}",
            "id", json_string_value(json_object_get(doc, "id")), "fields", note.removed));
    data = json_object_get(out, "data");
    site = strcmp(json_string_value(json_object_get(out, "type")), "site") == 0;
    props = json_pack("{s:s, s:s}", "id", json_string_value(json_object_get(out, "id")),
                      "record", site ? "site" : "pinpoint");
    const char *const *keys = site ? site_props : pinpoint_props;
    size_t nkeys = site ? ARRAY_LEN(site_props) : ARRAY_LEN(pinpoint_props);
    for (size_t i = 0; i < nkeys; i++)
        set_text(props, keys[i], data, keys[i]);
    add_edtf(props, json_string_value(json_object_get(data, "date")));
    if (site && (rc = add_corroboration(c, doc, props)) != AT_OK) {
        json_decref(props);
        json_decref(out);
        return rc;
    }
    if (redacted) {
        json_object_set_new(props, "coarsened", json_true());
        c->counts->redacted++;
    }
    site ? c->counts->sites++ : c->counts->pinpoints++;
    if (c->n == c->cap)
        c->f = xrealloc(c->f, (c->cap = c->cap ? 2 * c->cap : 64) * sizeof *c->f);
    /* The folder of a record that names no province: the gazetteer's. */
    const char *province = json_string_value(json_object_get(data, "province"));
    const struct gazetteer_place *county = province ? NULL : gazetteer_county_of(
        NULL, prop_num(data, "lat"), prop_num(data, "lon"));
    if (county && gazetteer_province(county))
        province = gazetteer_province(county)->name;
    c->f[c->n++] = (struct feature){
        out, props, site ? "site" : "pinpoint", province,
        json_string_value(json_object_get(data, "site_type")),
    };
    return AT_OK;
}

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "\x7f", b ? b : "\x7f");
}

static int feature_order(const void *pa, const void *pb)
{
    const struct feature *a = pa, *b = pb;
    int d;

    if ((d = strcmp(b->kind, a->kind)) != 0)   /* sites first */
        return d;
    if ((d = cmp_str(a->province, b->province)) != 0 || (d = cmp_str(a->type, b->type)) != 0)
        return d;
    return cmp_str(json_string_value(json_object_get(a->props, "name")),
                   json_string_value(json_object_get(b->props, "name")));
}

/* ---- shared pieces ---- */

/* A coordinate with up to 8 decimals (about a millimetre), no trailing zeros. */
static void put_coord(struct buf *out, double x)
{
    char s[40];
    size_t n = (size_t)snprintf(s, sizeof s, "%.8f", x);

    while (n > 1 && s[n - 1] == '0')
        s[--n] = '\0';
    if (s[n - 1] == '.')
        s[--n] = '\0';
    buf_puts(out, strcmp(s, "-0") == 0 ? "0" : s);
}

/* The label people read for a code of a vocabulary; none when not given. */
static const char *label_of(const char *vocab, const char *code, const char *none)
{
    const struct vocab *v = vocab_find(vocab);
    int i = code ? vocab_index(v, code) : -1;
    return i >= 0 ? v->terms[i].label : code ? code : none;
}

static const char *type_label(const char *code)
{
    return label_of("site_type", code, "Type not given");
}

/* The lines of a feature's description for people: what it is, its
 * corroboration and dates, then the record's own description. */
static void describe(const struct feature *f, struct buf *out)
{
    json_t *p = f->props;
    const char *s;

    buf_printf(out, "%s%s", type_label(f->type), strcmp(f->kind, "site") == 0 ? "" : " (one placement)");
    if ((s = json_string_value(json_object_get(p, "confidence"))))
        buf_printf(out, "; confidence: %s", label_of("confidence", s, s));
    if (json_object_get(p, "placements"))
        buf_printf(out, "\nPlacements: %lld, by %lld independent witness%s",
                   (long long)json_integer_value(json_object_get(p, "placements")),
                   (long long)json_integer_value(json_object_get(p, "witnesses")),
                   json_integer_value(json_object_get(p, "witnesses")) == 1 ? "" : "es");
    if ((s = json_string_value(json_object_get(p, "basis"))))
        buf_printf(out, "\n%s: %s", strcmp(f->kind, "site") == 0 ? "Strongest basis of knowledge"
                   : "Basis of knowledge", label_of("basis_of_knowledge", s, s));
    if (json_object_get(p, "uncertainty_m"))
        buf_printf(out, "\nUncertainty: %.0f m", json_number_value(json_object_get(p, "uncertainty_m")));
    if ((s = json_string_value(json_object_get(p, "date_from"))))
        buf_printf(out, "\nDates reported: %s to %s", s,
                   json_string_value(json_object_get(p, "date_to")) ?: s);
    if ((s = json_string_value(json_object_get(p, "date"))))
        buf_printf(out, "\nDate: %s", s);
    if (json_is_true(json_object_get(p, "coarsened")))
        buf_puts(out, "\nLocation coarsened for publication");
    if ((s = json_string_value(json_object_get(p, "description"))))
        buf_printf(out, "\n\n%s", s);
}

/* ---- KML ---- */

static void xml_escape(struct buf *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        default: buf_putc(out, *s);
        }
    }
}

/* KML colours are aabbggrr.  One per site type, in vocabulary order. */
static const char *const type_colours[] = { "ff0000ff", "ff00008b", "ff3c3cd7", "ff1e69d2",
                                            "ff00a5ff", "ff800080", "ffb469ff", "ffff901e",
                                            "ff00ff00", "ff8b8b00", "ffc0c0c0" };

static const struct {
    const char *confidence;
    const char *alpha;
    double scale;
} looks[] = {
    { "confirmed", "ff", 1.4 }, { "probable", "dd", 1.2 }, { "possible", "aa", 1.0 },
    { "unverified", "88", 0.8 }, { "none", "88", 0.7 },
};

static void kml_styles(struct buf *out)
{
    const struct vocab *v = vocab_find("site_type");

    for (size_t i = 0; i <= v->nterms; i++) {
        const char *code = i < v->nterms ? v->terms[i].code : "untyped";
        const char *colour = type_colours[i < ARRAY_LEN(type_colours) ? i : ARRAY_LEN(type_colours) - 1];
        for (size_t k = 0; k < ARRAY_LEN(looks); k++)
            buf_printf(out, "<Style id=\"%s-%s\"><IconStyle><color>%s%s</color><scale>%.1f</scale>"
                       "<Icon><href>http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"
                       "</href></Icon></IconStyle><LineStyle><color>%s%s</color><width>2</width>"
                       "</LineStyle><PolyStyle><color>55%s</color></PolyStyle></Style>\n",
                       code, looks[k].confidence, looks[k].alpha, colour + 2, looks[k].scale,
                       looks[k].alpha, colour + 2, colour + 2);
    }
}

static void kml_ring(struct buf *out, json_t *ring, const char *tag)
{
    size_t i;
    json_t *pos;

    buf_printf(out, "<%s><LinearRing><coordinates>", tag);
    json_array_foreach(ring, i, pos) {
        if (i)
            buf_putc(out, ' ');
        put_coord(out, json_number_value(json_array_get(pos, 0)));
        buf_putc(out, ',');
        put_coord(out, json_number_value(json_array_get(pos, 1)));
    }
    buf_printf(out, "</coordinates></LinearRing></%s>", tag);
}

static void kml_polygon(void *arg, json_t *rings)
{
    struct buf *out = arg;
    size_t i;
    json_t *ring;

    buf_puts(out, "<Polygon>");
    json_array_foreach(rings, i, ring)
        kml_ring(out, ring, i ? "innerBoundaryIs" : "outerBoundaryIs");
    buf_puts(out, "</Polygon>");
}

/* A fuzzy date as a TimeSpan: the first and the last day it may mean
 * (the date as entered is in the balloon and in ExtendedData). */
static void kml_time(struct buf *out, const char *date)
{
    struct at_ctx ignore = { 0 };
    struct fuzzy_date d;

    if (date == NULL || date_parse(&ignore, date, &d) != AT_OK || d.precision == DATE_UNKNOWN)
        return;
    buf_printf(out, "<TimeSpan><begin>%04d-%02d-%02d</begin><end>%04d-%02d-%02d</end></TimeSpan>",
               (int)(d.lo / 10000), (int)(d.lo / 100 % 100), (int)(d.lo % 100),
               (int)(d.hi / 10000), (int)(d.hi / 100 % 100), (int)(d.hi % 100));
}

/* Vertices of a pinpoint's circle of uncertainty. */
#define CIRCLE_VERTICES 64

/* A pinpoint's circle of uncertainty as a KML Polygon: its radius the
 * stated uncertainty, its vertices geodesic, counter-clockwise from north. */
static void kml_circle(struct buf *out, double lat, double lon, double radius_m)
{
    json_t *ring = json_array(), *rings;

    for (int k = 0; k <= CIRCLE_VERTICES; k++) {
        double la, lo;
        geo_direct(lat, lon, k == CIRCLE_VERTICES ? 0 : 360.0 - 360.0 * k / CIRCLE_VERTICES,
                   radius_m, &la, &lo);
        json_array_append_new(ring, json_pack("[f,f]", lo, la));
    }
    rings = json_pack("[o]", ring);
    kml_polygon(out, rings);
    json_decref(rings);
}

/* A site's line features as KML LineStrings. */
static void kml_lines(struct buf *out, const char *text)
{
    struct at_ctx ignore = { 0 };
    json_t *g = NULL, *line, *pos;
    size_t l, i;

    if (text == NULL || polygon_lines_parse(&ignore, text, &g) != AT_OK)
        return;
    json_array_foreach(json_object_get(g, "coordinates"), l, line) {
        buf_puts(out, "<LineString><coordinates>");
        json_array_foreach(line, i, pos) {
            if (i)
                buf_putc(out, ' ');
            put_coord(out, json_number_value(json_array_get(pos, 0)));
            buf_putc(out, ',');
            put_coord(out, json_number_value(json_array_get(pos, 1)));
        }
        buf_puts(out, "</coordinates></LineString>");
    }
    json_decref(g);
}

static void kml_placemark(struct buf *out, const struct feature *f)
{
    json_t *data = json_object_get(f->doc, "data"), *v;
    const char *confidence = json_string_value(json_object_get(f->props, "confidence"));
    const char *geometry = json_string_value(json_object_get(data, "geometry"));
    const char *key;
    struct buf text = BUF_INIT, html = BUF_INIT;

    buf_puts(out, "<Placemark><name>");
    xml_escape(out, json_string_value(json_object_get(f->props, "name"))
                        ?: json_string_value(json_object_get(f->props, "id")));
    describe(f, &text);
    for (const char *s = buf_str(&text); *s; s++) {
        if (*s == '\n')
            buf_puts(&html, "<br>");
        else if (*s == '<')
            buf_puts(&html, "&lt;");
        else if (*s == '>')
            buf_puts(&html, "&gt;");
        else if (*s == '&')
            buf_puts(&html, "&amp;");
        else
            buf_putc(&html, *s);
    }
    buf_puts(out, "</name><description>");
    xml_escape(out, buf_str(&html));
    buf_printf(out, "</description><styleUrl>#%s-%s</styleUrl>", f->type ? f->type : "untyped",
               strcmp(f->kind, "site") == 0 && confidence ? confidence : "none");
    kml_time(out, json_string_value(json_object_get(data, "date")));
    buf_printf(out, "<ExtendedData><Data name=\"attest:type\"><value>%s</value></Data>", f->kind);
    json_object_foreach(f->props, key, v) {
        struct buf value = BUF_INIT;
        if (strcmp(key, "record") == 0)
            continue;
        if (json_is_string(v))
            buf_puts(&value, json_string_value(v));
        else if (json_is_integer(v))
            buf_printf(&value, "%lld", (long long)json_integer_value(v));
        else if (json_is_real(v))
            buf_printf(&value, "%.15g", json_real_value(v));
        else
            buf_puts(&value, json_is_true(v) ? "true" : "false");
        /* Fields of the record by their names; what the export adds, under attest:. */
        bool own = strcmp(key, "id") != 0 && json_object_get(data, key) != NULL;
        buf_printf(out, "<Data name=\"%s%s\"><value>", own ? "" : "attest:", key);
        xml_escape(out, buf_str(&value));
        buf_puts(out, "</value></Data>");
        buf_free(&value);
    }
    buf_puts(out, "</ExtendedData>");
    json_t *g = NULL;
    struct at_ctx ignore = { 0 };
    const char *lines = json_string_value(json_object_get(data, "lines"));
    double radius = json_number_value(json_object_get(f->props, "uncertainty_m"));
    bool outline = geometry && polygon_parse(&ignore, geometry, &g) == AT_OK;
    bool circle = strcmp(f->kind, "pinpoint") == 0 && radius > 0;
    bool multi = circle || lines || (outline && strcmp(json_string_value(json_object_get(g, "type")),
                                                      "MultiPolygon") == 0);

    buf_puts(out, multi ? "<MultiGeometry>" : "");
    if (outline) {
        polygon_each(g, kml_polygon, out);
    } else if (!lines || circle) {
        buf_puts(out, "<Point><coordinates>");
        put_coord(out, prop_num(data, "lon"));
        buf_putc(out, ',');
        put_coord(out, prop_num(data, "lat"));
        buf_puts(out, "</coordinates></Point>");
    }
    if (circle)
        kml_circle(out, prop_num(data, "lat"), prop_num(data, "lon"), radius);
    kml_lines(out, lines);
    buf_puts(out, multi ? "</MultiGeometry>" : "");
    json_decref(g);
    buf_puts(out, "</Placemark>\n");
    buf_free(&text);
    buf_free(&html);
}

static void kml_write(struct buf *out, const struct feature *f, size_t n, enum tier t)
{
    const char *kind = NULL, *province = NULL, *type = NULL;
    int open = 0;

    buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n"
               "<name>attest sites and pinpoints (%s tier)</name>\n", tier_name(t));
    kml_styles(out);
    for (size_t i = 0; i < n; i++) {
        bool new_kind = kind == NULL || strcmp(kind, f[i].kind) != 0;
        bool new_prov = new_kind || cmp_str(province, f[i].province) != 0;
        bool new_type = new_prov || cmp_str(type, f[i].type) != 0;
        int keep = new_kind ? 0 : new_prov ? 1 : new_type ? 2 : 3;
        for (; open > keep; open--)
            buf_puts(out, "</Folder>\n");
        if (new_kind)
            buf_printf(out, "<Folder><name>%s</name>\n", strcmp(f[i].kind, "site") == 0
                       ? "Sites" : "Pinpoints");
        if (new_prov) {
            buf_puts(out, "<Folder><name>");
            xml_escape(out, f[i].province ? f[i].province : "Province not given");
            buf_puts(out, "</name>\n");
        }
        if (new_type)
            buf_printf(out, "<Folder><name>%s</name>\n", type_label(f[i].type));
        open = 3;
        kind = f[i].kind;
        province = f[i].province;
        type = f[i].type;
        kml_placemark(out, &f[i]);
    }
    for (; open > 0; open--)
        buf_puts(out, "</Folder>\n");
    buf_puts(out, "</Document>\n</kml>\n");
}

static int kmz_write(struct at_ctx *ctx, const struct buf *kml, FILE *out)
{
    struct archive *a = archive_write_new();
    struct archive_entry *e = archive_entry_new();
    int rc = AT_OK;

    archive_write_set_format_zip(a);
    archive_entry_set_pathname(e, "doc.kml");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)kml->len);
    if (archive_write_open_FILE(a, out) != ARCHIVE_OK || archive_write_header(a, e) != ARCHIVE_OK
        || archive_write_data(a, kml->data, kml->len) != (la_ssize_t)kml->len
        || archive_write_close(a) != ARCHIVE_OK)
        rc = ctx_error(ctx, AT_ERR, "writing the KMZ failed: %s", archive_error_string(a));
    archive_entry_free(e);
    archive_write_free(a);
    return rc;
}

/* ---- GeoJSON ---- */

/* Positions as reals rounded to 8 decimals; exterior rings counter-
 * clockwise and holes clockwise, as RFC 7946 section 3.1.6 asks. */
static json_t *geojson_rings(json_t *rings)
{
    json_t *out = json_array(), *ring;
    size_t r;

    json_array_foreach(rings, r, ring) {
        json_t *copy = json_array(), *pos;
        size_t i, n = json_array_size(ring);
        bool flip = (polygon_ring_area2(ring) < 0) == (r == 0);
        for (i = 0; i < n; i++) {
            pos = json_array_get(ring, flip ? n - 1 - i : i);
            json_array_append_new(copy, json_pack("[f,f]",
                round(json_number_value(json_array_get(pos, 0)) * 1e8) / 1e8,
                round(json_number_value(json_array_get(pos, 1)) * 1e8) / 1e8));
        }
        json_array_append_new(out, copy);
    }
    return out;
}

static void add_polygon(void *arg, json_t *rings)
{
    json_array_append_new(arg, geojson_rings(rings));
}

static json_t *geojson_outline(json_t *data)
{
    const char *text = json_string_value(json_object_get(data, "geometry"));
    struct at_ctx ignore = { 0 };
    json_t *g = NULL, *out;

    if (text && polygon_parse(&ignore, text, &g) == AT_OK) {
        json_t *polys = json_array();
        polygon_each(g, add_polygon, polys);
        if (json_array_size(polys) == 1)
            out = json_pack("{s:s, s:O}", "type", "Polygon", "coordinates", json_array_get(polys, 0));
        else
            out = json_pack("{s:s, s:O}", "type", "MultiPolygon", "coordinates", polys);
        json_decref(polys);
        json_decref(g);
        return out;
    }
    return json_pack("{s:s, s:[f,f]}", "type", "Point", "coordinates",
                     round(prop_num(data, "lon") * 1e8) / 1e8,
                     round(prop_num(data, "lat") * 1e8) / 1e8);
}

/* A site's outline, or the point; with its line features beside it in a
 * GeometryCollection when it has them. */
static json_t *geojson_geometry(json_t *data)
{
    const char *lines = json_string_value(json_object_get(data, "lines"));
    struct at_ctx ignore = { 0 };
    json_t *base = geojson_outline(data), *l = NULL, *line, *pos, *coords;
    size_t i, k;

    if (lines == NULL || polygon_lines_parse(&ignore, lines, &l) != AT_OK)
        return base;
    coords = json_array();
    json_array_foreach(json_object_get(l, "coordinates"), i, line) {
        json_t *one = json_array();
        json_array_foreach(line, k, pos)
            json_array_append_new(one, json_pack("[f,f]",
                round(json_number_value(json_array_get(pos, 0)) * 1e8) / 1e8,
                round(json_number_value(json_array_get(pos, 1)) * 1e8) / 1e8));
        json_array_append_new(coords, one);
    }
    json_decref(l);
    return json_pack("{s:s, s:[o, {s:s, s:o}]}", "type", "GeometryCollection", "geometries",
                     base, "type", "MultiLineString", "coordinates", coords);
}

static void geojson_write(struct buf *out, const struct feature *f, size_t n)
{
    json_t *fc = json_pack("{s:s, s:[]}", "type", "FeatureCollection", "features");
    json_t *features = json_object_get(fc, "features");
    char *text;

    for (size_t i = 0; i < n; i++)
        json_array_append_new(features, json_pack("{s:s, s:O, s:o, s:O}", "type", "Feature",
            "id", json_object_get(f[i].props, "id"),
            "geometry", geojson_geometry(json_object_get(f[i].doc, "data")),
            "properties", f[i].props));
    text = json_dumps(fc, JSON_INDENT(1) | JSON_REAL_PRECISION(12) | JSON_PRESERVE_ORDER);
    buf_puts(out, text);
    buf_putc(out, '\n');
    free(text);
    json_decref(fc);
}

/* ---- CSV ---- */

static const char *const csv_columns[] = {
    "record", "id", "name", "site_type", "lat", "lon", "uncertainty_m", "confidence", "tier",
    "province", "county", "date", "date_edtf", "basis", "imagery_date", "placements", "witnesses",
    "date_from", "date_to", "coarsened", "description",
};

/* Names and descriptions are typed in by people: no cell may reach a
 * spreadsheet as a formula. */
static void csv_write(struct buf *out, const struct feature *f, size_t n)
{
    static const struct csv_options guard = { .guard_formulas = true };
    const char *cells[ARRAY_LEN(csv_columns)];
    struct buf text[ARRAY_LEN(csv_columns)];

    csv_write_record_opt(out, csv_columns, ARRAY_LEN(csv_columns), &guard);
    for (size_t i = 0; i < n; i++) {
        json_t *data = json_object_get(f[i].doc, "data");
        for (size_t c = 0; c < ARRAY_LEN(csv_columns); c++) {
            const char *col = csv_columns[c];
            json_t *v = json_object_get(f[i].props, col);
            text[c] = (struct buf)BUF_INIT;
            if (strcmp(col, "lat") == 0 || strcmp(col, "lon") == 0)
                put_coord(&text[c], prop_num(data, col));
            else if (json_is_string(v))
                buf_puts(&text[c], json_string_value(v));
            else if (json_is_integer(v))
                buf_printf(&text[c], "%lld", (long long)json_integer_value(v));
            else if (json_is_real(v))
                buf_printf(&text[c], "%.15g", json_real_value(v));
            else if (json_is_true(v))
                buf_puts(&text[c], "true");
            cells[c] = buf_str(&text[c]);
        }
        csv_write_record_opt(out, cells, ARRAY_LEN(csv_columns), &guard);
        for (size_t c = 0; c < ARRAY_LEN(csv_columns); c++)
            buf_free(&text[c]);
    }
}

int geo_export(struct at_ctx *ctx, struct store *st, enum geo_format fmt, enum tier t, FILE *out,
               struct geo_export_counts *counts)
{
    struct collect c = { ctx, st, t, NULL, 0, 0, counts };
    static const char *const types[] = { "site", "pinpoint" };
    struct buf text = BUF_INIT;
    int rc = AT_OK;

    memset(counts, 0, sizeof *counts);
    counts->left = json_array();
    counts->removed = json_array();
    for (size_t i = 0; i < ARRAY_LEN(types) && rc == AT_OK; i++) {
        struct record_filter f = RECORD_FILTER_INIT;
        f.type = types[i];
        rc = record_list(ctx, st, &f, collect_one, &c);
    }
    if (rc == AT_OK) {
        if (c.n)   /* qsort may not be given a NULL array, even empty */
            qsort(c.f, c.n, sizeof *c.f, feature_order);
        if (fmt == GEO_KML || fmt == GEO_KMZ)
            kml_write(&text, c.f, c.n, t);
        else if (fmt == GEO_GEOJSON)
            geojson_write(&text, c.f, c.n);
        else
            csv_write(&text, c.f, c.n);
        if (fmt == GEO_KMZ)
            rc = kmz_write(ctx, &text, out);
        else if (fwrite(buf_str(&text), 1, text.len, out) != text.len)
            rc = ctx_error(ctx, AT_ERR, "writing the export failed");
    }
    for (size_t i = 0; i < c.n; i++) {
        json_decref(c.f[i].doc);
        json_decref(c.f[i].props);
    }
    free(c.f);
    buf_free(&text);
    return rc;
}

json_t *geo_export_report(const struct geo_export_counts *c, enum tier t)
{
    json_t *by = json_object(), *item;
    size_t i;

    json_array_foreach(c->left, i, item) {
        const char *code = json_string_value(json_object_get(item, "reason"));
        json_t *r = json_object_get(by, code);
        if (r == NULL)
            json_object_set_new(by, code, r = json_pack("{s:i, s:O, s:O}", "count", 0,
                                "why", json_object_get(item, "why"), "fix",
                                json_object_get(item, "fix")));
        json_object_set_new(r, "count", json_integer(json_integer_value(json_object_get(r, "count")) + 1));
    }
    return json_pack("{s:s, s:i, s:i, s:i, s:i, s:O, s:o, s:O}", "tier", tier_name(t),
                     "sites", (int)c->sites, "pinpoints", (int)c->pinpoints,
                     "coarsened", (int)c->redacted, "left_out_count", (int)c->left_out,
                     "left_out", c->left ? c->left : json_null(), "by_reason", by,
                     "free_text_removed", c->removed ? c->removed : json_null());
}

void geo_export_counts_free(struct geo_export_counts *c)
{
    json_decref(c->left);
    json_decref(c->removed);
    c->left = c->removed = NULL;
}
