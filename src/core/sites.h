/*
 * sites.h: from pinpoints to sites in an archive.  A clustering run groups
 * the current pinpoints that no site claims yet (pinpoint.site unset) into
 * candidate sites, with the confirmed sites as fixed centres; candidates
 * are derived data, replaced by each run.  Analysts' decisions (confirm a
 * candidate, split a site, merge sites) are written as record versions:
 * new sites and pinpoints pointing at them, which every later run keeps.
 */
#ifndef SITES_H
#define SITES_H

#include "attest.h"
#include "cluster.h"
#include "record.h"
#include "store.h"

#include <jansson.h>

/* The uncertainty taken for a pinpoint that states none, in metres. */
#define SITES_DEFAULT_UNCERTAINTY_M 500.0

/* Clusters the unclaimed pinpoints and replaces the candidate table.
 * Writes the number of candidates to *count.  Inside a transaction. */
int sites_cluster(struct at_ctx *ctx, struct store *st, const struct cluster_params *p,
                  size_t *count);

/* The candidates of the last run as a new JSON array of
 * {"label", "site_type", "site" (or absent), "lat", "lon", "pinpoints": [...],
 *  "corroboration": {...}}, in label order. */
int sites_candidates(struct at_ctx *ctx, struct store *st, json_t **out);

/* The corroboration of the placements ids[0..n) about centre (lat, lon):
 * {"placements", "witnesses" (independent), "witness_records",
 *  "unattributed", "basis" (strongest), "spread_m", "confidence",
 *  "date_from", "date_to"}; a new object. */
int sites_corroboration(struct at_ctx *ctx, struct store *st, const char *const *ids, size_t n,
                        double lat, double lon, json_t **out);

/* The current pinpoints of a site, as a new array of ids. */
int sites_pinpoints(struct at_ctx *ctx, struct store *st, const char *site, json_t **out);

/* Makes candidate label a site (or adds its placements to the existing
 * site it was matched to): writes the site and the pinpoints' new
 * versions.  name may be NULL for the candidate's label.  Inside a
 * transaction. */
int sites_confirm(struct at_ctx *ctx, struct store *st, const char *label, const char *name,
                  char site_out[RECORD_ID_MAX]);

/* Moves pinpoints ids[0..n) of site into a new site called name; both
 * sites' positions become their placements' weighted centres. */
int sites_split(struct at_ctx *ctx, struct store *st, const char *site, const char *const *ids,
                size_t n, const char *name, char site_out[RECORD_ID_MAX]);

/* Moves the pinpoints of others[0..n) to into, retracts the others and
 * moves into to the weighted centre of all its placements. */
int sites_merge(struct at_ctx *ctx, struct store *st, const char *into,
                const char *const *others, size_t n);

/* An analyst's decision on sites, as `attest sites confirm|split|merge`
 * and POST /api/v1/sites/decisions take it: confirm candidate ids[0] (its
 * label) as a site called name (NULL: the label); split pinpoints
 * ids[1..n) off site ids[0] into a new site called name; merge sites
 * ids[1..n) into site ids[0].  Record ids are whole.  Written as one
 * logged write (evlog_write): a versioned decision, or nothing.  site_out
 * gets the site confirmed or split off ("" for a merge). */
enum sites_verb { SITES_CONFIRM, SITES_SPLIT, SITES_MERGE };
int sites_decide(struct at_ctx *ctx, struct store *st, enum sites_verb verb,
                 const char *const *ids, size_t n, const char *name, char site_out[RECORD_ID_MAX]);

/* The verb named word ("confirm", "split", "merge") into *out; AT_EINVAL
 * naming what is valid otherwise. */
int sites_verb_parse(struct at_ctx *ctx, const char *word, enum sites_verb *out);

#endif
