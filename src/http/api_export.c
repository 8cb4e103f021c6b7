/*
 * api_export.c: /api/v1/export/{format}: the archive as JSON Lines, or one
 * type as CSV (cells guarded against spreadsheet formulas unless ?raw=1),
 * or as FollowTheMoney entities (ftm: the organisations, persons and
 * vessels the reader may read with their relations, or with ?list= a
 * sanctions list version's entries, as `attest export ftm`), or an
 * evidence bundle of the records and items named (bundle?tier=&id=...,
 * as `attest export bundle`), or every event's corroboration counted for
 * the reader (corroboration, as `attest export corroboration`),
 * or with ?tier= the sites and pinpoints for maps (kml, kmz, geojson, csv),
 * written to an unlinked temporary file and streamed; and
 * /api/v1/export/{format}/report: what such a map export lets out, and
 * for each record it keeps back the reason and the fix.
 */
#include "http.h"
#include "../core/access.h"
#include "../core/bundle.h"
#include "../core/corroboration.h"
#include "../core/csvio.h"
#include "../core/ftm.h"
#include "../core/geo_export.h"
#include "../core/import.h"
#include "../core/vocab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
    const char *format, *content_type, *disposition;
} map_files[] = {
    [GEO_KML] = { "kml", "application/vnd.google-earth.kml+xml",
                  "attachment; filename=\"attest-map.kml\"" },
    [GEO_KMZ] = { "kmz", "application/vnd.google-earth.kmz",
                  "attachment; filename=\"attest-map.kmz\"" },
    [GEO_GEOJSON] = { "geojson", "application/geo+json",
                      "attachment; filename=\"attest-map.geojson\"" },
    [GEO_CSV] = { "csv", "text/csv; charset=utf-8", "attachment; filename=\"attest-map.csv\"" },
};

/* The map format and tier of the request: 0, or the error status set. */
static int map_args(struct request *r, enum geo_format *fmt, enum tier *tier)
{
    const char *t = http_arg(r, "tier");

    if (t == NULL)
        return http_error(r, 400, "invalid", "tier", "a map export needs ?tier= court, partner or public");
    if (tier_parse(&r->ctx, t, tier) != AT_OK)
        return http_error(r, 400, "invalid", "tier", "%s", r->ctx.message);
    if (geo_format_parse(&r->ctx, r->params[0], fmt) != AT_OK)
        return http_error(r, 404, "not_found", NULL, "map export formats: kml, kmz, geojson, csv");
    return 0;
}

/* Streams the file f holds as the reply. */
/* An export is made in memory (http_memfile): a bundle holds evidence as
 * plaintext, and nothing an export holds should outlive it.  NULL (with the
 * reply set) when no file can be made. */
static FILE *export_file(struct request *r)
{
    int fd = http_memfile(r, "attest-export");
    FILE *f = fd >= 0 ? fdopen(fd, "w+b") : NULL;

    if (fd >= 0 && f == NULL) {
        close(fd);
        http_error(r, 500, "internal", NULL, "cannot open the in-memory file: %s", strerror(errno));
    }
    return f;
}

static int reply_file(struct request *r, FILE *f, const char *content_type, const char *disposition)
{
    int fd = fflush(f) == 0 ? dup(fileno(f)) : -1;

    fclose(f);
    if (fd < 0)
        return http_core_error(r, AT_ERR);
    return http_reply_fd(r, fd, content_type, disposition);
}

static int export_map(struct request *r)
{
    struct geo_export_counts c;
    enum geo_format fmt;
    enum tier tier;
    FILE *f;
    int rc;

    if (map_args(r, &fmt, &tier) != 0)
        return (int)r->status;
    if ((f = export_file(r)) == NULL)
        return (int)r->status;
    rc = geo_export(&r->ctx, r->st, fmt, tier, f, &c);
    geo_export_counts_free(&c);
    if (rc != AT_OK) {
        fclose(f);
        return http_core_error(r, rc);
    }
    return reply_file(r, f, map_files[fmt].content_type, map_files[fmt].disposition);
}

int api_export_report(struct request *r)
{
    struct geo_export_counts c;
    enum geo_format fmt;
    enum tier tier;
    FILE *f;
    int rc;

    if (map_args(r, &fmt, &tier) != 0)
        return (int)r->status;
    if ((f = fopen("/dev/null", "wb")) == NULL)
        return http_error(r, 500, "internal", NULL, "cannot open /dev/null");
    /* KML is the cheapest to write; what goes out is the same in every format. */
    rc = geo_export(&r->ctx, r->st, GEO_KML, tier, f, &c);
    fclose(f);
    if (rc == AT_OK)
        rc = http_json(r, 200, geo_export_report(&c, tier));
    else
        rc = http_core_error(r, rc);
    geo_export_counts_free(&c);
    return rc;
}

/* ftm[?list=VERSION]: the records the reader may read, so any role that
 * may export may ask. */
static int export_ftm(struct request *r)
{
    const char *list = http_arg(r, "list");
    struct ftm_counts c;
    FILE *f;
    int rc;

    if ((f = export_file(r)) == NULL)
        return (int)r->status;
    rc = list ? ftm_export_list(&r->ctx, r->st, list, f, &c) : ftm_export_records(&r->ctx, r->st, f, &c);
    if (rc != AT_OK) {
        fclose(f);
        if (list && rc == AT_ENOTFOUND)
            return http_error(r, 404, "not_found", "list", "%s", r->ctx.message);
        return http_core_error(r, rc);
    }
    return reply_file(r, f, "application/x-ndjson", list ? "attachment; filename=\"attest-list.ftm.json\""
                                                         : "attachment; filename=\"attest-export.ftm.json\"");
}

/* corroboration: JSON Lines, {event, corroboration} for each event the
 * reader may read, counted at the reader's clearance. */
static int export_corroboration(struct request *r)
{
    long n = 0;
    FILE *f;
    int rc;

    if ((f = export_file(r)) == NULL)
        return (int)r->status;
    if ((rc = corroboration_export(&r->ctx, r->st, f, &n)) != AT_OK) {
        fclose(f);
        return http_core_error(r, rc);
    }
    return reply_file(r, f, "application/x-ndjson", "attachment; filename=\"attest-corroboration.jsonl\"");
}

/* The most records and items one bundle from the browser names. */
#define BUNDLE_IDS_MAX 1000

static enum MHD_Result take_id(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    if (value && *value && strcmp(key, "id") == 0 && json_array_size(cls) <= BUNDLE_IDS_MAX)
        json_array_append_new(cls, json_string(value));
    return MHD_YES;
}

/* bundle?tier=T&id=ID[&id=ID...]: as `attest export bundle`, made in memory. */
static int export_bundle(struct request *r)
{
    const char *t = http_arg(r, "tier");
    json_t *list = json_array();
    const char **ids = NULL;
    struct bundle_counts c;
    enum tier tier;
    FILE *f = NULL;
    size_t n;
    int rc;

    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, take_id, list);
    n = json_array_size(list);
    if (t == NULL || tier_parse(&r->ctx, t, &tier) != AT_OK) {
        rc = http_error(r, 400, "invalid", "tier", "a bundle needs ?tier= court, partner or public");
        goto out;
    }
    if (n == 0 || n > BUNDLE_IDS_MAX) {
        rc = http_error(r, 400, "invalid", "id", "a bundle needs from 1 to %d ?id= (records and "
                        "evidence items to include)", BUNDLE_IDS_MAX);
        goto out;
    }
    ids = xcalloc(n, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = json_string_value(json_array_get(list, i));
    if ((f = export_file(r)) == NULL) {
        rc = (int)r->status;
        goto out;
    }
    if ((rc = bundle_write_fd(&r->ctx, r->st, ids, n, tier, fileno(f), &c)) != AT_OK) {
        fclose(f);
        rc = http_core_error(r, rc);
        goto out;
    }
    rc = reply_file(r, f, "application/x-tar", "attachment; filename=\"attest-bundle.tar\"");
out:
    free(ids);
    json_decref(list);
    return rc;
}

int api_export(struct request *r)
{
    const char *format = r->params[0], *type = http_arg(r, "type");
    long raw;
    FILE *f;
    int rc;

    if ((http_arg(r, "tier") && strcmp(format, "bundle") != 0) || strcmp(format, "kml") == 0 || strcmp(format, "kmz") == 0
        || strcmp(format, "geojson") == 0)
        return export_map(r);
    if (strcmp(format, "ftm") == 0)
        return export_ftm(r);
    if (strcmp(format, "bundle") == 0)
        return export_bundle(r);
    if (strcmp(format, "corroboration") == 0)
        return export_corroboration(r);
    if (http_arg(r, "list"))
        return http_error(r, 400, "invalid", "list", "list is for the ftm format");
    /* A whole-archive export holds every record: beyond the route's right
     * to export (checked by the gate), the reader must see every level. */
    if ((rc = access_check(&r->ctx, &r->keys, ACTION_READ, CLEARANCE_CONFIDENTIAL)) != AT_OK)
        return http_core_error(r, rc);
    if (strcmp(format, "csv") == 0 && (type == NULL || model_type(type) == NULL))
        return http_error(r, 400, "invalid", "type", "a CSV export needs ?type= a record type, "
                          "or ?tier= for the map's sites and pinpoints");
    if (strcmp(format, "jsonl") != 0 && strcmp(format, "csv") != 0)
        return http_error(r, 404, "not_found", NULL, "export formats: jsonl, csv, ftm, bundle, "
                          "corroboration; "
                          "with ?tier=: kml, kmz, geojson, csv");
    if (http_arg_long(r, "raw", 0, 1, 0, &raw) != 0)
        return (int)r->status;
    if ((f = export_file(r)) == NULL)
        return (int)r->status;
    rc = strcmp(format, "jsonl") == 0 ? import_export_jsonl(&r->ctx, r->st, f)
                                      : csvio_export(&r->ctx, r->st, model_type(type), raw, f);
    if (rc != AT_OK) {
        fclose(f);
        return http_core_error(r, rc);
    }
    return strcmp(format, "csv") == 0
        ? reply_file(r, f, "text/csv; charset=utf-8", "attachment; filename=\"attest-export.csv\"")
        : reply_file(r, f, "application/x-ndjson", "attachment; filename=\"attest-export.jsonl\"");
}
