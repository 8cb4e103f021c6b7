/*
 * geo_export.h: the archive's sites and pinpoints for Google Earth and GIS
 * tools, at a tier: KML, KMZ, GeoJSON (RFC 7946) or CSV.
 *
 * What goes out, and how coarsened, is decided by tier_apply (tier.c)
 * record by record.  Each site carries its corroboration as
 * sites_corroboration computes it (placements, independent witnesses,
 * strongest basis, dates reported), never anything that names a witness.
 * docs/formats-geo.md describes the outputs.
 */
#ifndef GEO_EXPORT_H
#define GEO_EXPORT_H

#include "attest.h"
#include "store.h"
#include "tier.h"

#include <stdio.h>

enum geo_format { GEO_KML, GEO_KMZ, GEO_GEOJSON, GEO_CSV };

/* Parses "kml", "kmz", "geojson" or "csv". */
int geo_format_parse(struct at_ctx *ctx, const char *name, enum geo_format *out);

struct geo_export_counts {
    long sites, pinpoints;  /* written */
    long redacted;          /* written with coordinates coarsened */
    long left_out;          /* kept back at this tier */
    json_t *left;           /* each kept back: {id, record, reason, why, fix} */
    json_t *removed;        /* public tier: {id, fields: [free text taken out]} */
};

/* The counts as JSON for people and the browser: {tier, sites, pinpoints,
 * coarsened, left_out: [...], free_text_removed: [...], by_reason: {code:
 * {count, why, fix}}}. */
json_t *geo_export_report(const struct geo_export_counts *c, enum tier t);

/* Releases what geo_export put in c. */
void geo_export_counts_free(struct geo_export_counts *c);

/* Writes the current sites and pinpoints that tier t lets out, for the
 * store's session, to out in format f; c says what was kept back and why
 * (release it with geo_export_counts_free). */
int geo_export(struct at_ctx *ctx, struct store *st, enum geo_format f, enum tier t, FILE *out,
               struct geo_export_counts *counts);

#endif
