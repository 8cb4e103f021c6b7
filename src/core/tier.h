/*
 * tier.h: what leaves the archive at each tier (court, partner, public):
 * the one place that decides which records go out, redacted how.
 */
#ifndef TIER_H
#define TIER_H

#include "attest.h"
#include "store.h"

#include <jansson.h>

enum tier { TIER_COURT, TIER_PARTNER, TIER_PUBLIC };

int tier_parse(struct at_ctx *ctx, const char *name, enum tier *out);
const char *tier_name(enum tier t);

/* The grid that public coordinates are snapped to, in kilometres. */
#define TIER_PUBLIC_GRID_KM 10.0

/* Snaps a point to the centre of its cell of a grid of about
 * TIER_PUBLIC_GRID_KM on each side. */
void tier_coarsen(double lat, double lon, double *clat, double *clon);

/* The public position of a point: the point that stands for its county
 * (the county seat, from the gazetteer) when the county is known, from
 * the record's county field or from the point itself; else the centre of
 * its grid cell.  Returns the county's name (GeoNames), or NULL for the
 * grid. */
const char *tier_public_point(const char *county, double lat, double lon, double *clat,
                              double *clon);

/* Decides what of a record's current version goes out at tier t for the
 * store's session: *out is NULL when it stays in (clearance above the
 * tier or the user; a witness's consent missing for the tier's use; at the
 * public tier, witnesses and interviews; a site whose publication tier is
 * narrower), else a new reference to doc itself, or to a redacted copy
 * (at the public tier: the point moved by tier_public_point, the
 * uncertainty, outline and interview dropped) with *redacted set. */
int tier_apply(struct at_ctx *ctx, struct store *st, enum tier t, json_t *doc, json_t **out,
               bool *redacted);

/* Why a record stays in at a tier. */
enum tier_reason {
    TIER_LET_OUT,
    TIER_RETRACTED,
    TIER_CLEARANCE,       /* the record's clearance is above the tier's */
    TIER_READER,          /* above the reader's own clearance */
    TIER_WITNESS_ONLY,    /* witnesses and interviews never go out to the public */
    TIER_SITE_TIER,       /* the site's own publication tier is narrower */
    TIER_CONSENT,         /* the witness has not consented to the tier's use */
    TIER_NO_POINT,        /* (map exports) nothing to place on a map */
};

/* What tier_apply_noted says beside its decision. */
struct tier_note {
    bool redacted;
    enum tier_reason reason; /* when the record stays in */
    json_t *removed;         /* at the public tier: the free-text fields dropped or
                                replaced (an array of names; NULL when none) */
};

/* tier_apply, saying why a record stays in and which free text the public
 * tier took out: at the public tier a placed record's free text (its name,
 * description) goes out only when its field "publishable" names the field;
 * a name is replaced by its type, a description dropped.  The caller
 * releases note->removed. */
int tier_apply_noted(struct at_ctx *ctx, struct store *st, enum tier t, json_t *doc, json_t **out,
                     struct tier_note *note);

/* The reason in words, and what would let the record out at tier t. */
const char *tier_reason_text(enum tier_reason r);
const char *tier_reason_fix(enum tier_reason r, enum tier t);
const char *tier_reason_code(enum tier_reason r);

#endif
