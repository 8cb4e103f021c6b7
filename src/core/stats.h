/*
 * stats.h: what the archive documents, counted: records by type; acts by
 * type, year, province and perpetrator agency; victims by sex and age
 * band; the witness sample by home province, year of exit and sex; and
 * arrivals per half-year (or year) with the change in percent and the
 * share of women, laid out as the Ministry of Unification publishes its
 * figures for escapees.  `attest stats`, the dashboard and its charts all
 * read these tables.
 *
 * Counts are of what the reader may see: every query binds the session's
 * read limit, so a reader counts no record they could not open.  Counts of
 * witnesses are the sensitive ones (a cell of one witness from a small
 * county and year names them to anyone who knows the community), so below
 * CLEARANCE_CONFIDENTIAL every witness cell from 1 to STATS_MIN_CELL - 1
 * is given as "<5", and when a table would then hide exactly one cell the
 * next smallest is hidden too, so that the total does not give it back
 * (docs/security.md).  No table ever holds a record's id, code or name;
 * organisations (state agencies) are named, persons never.
 */
#ifndef STATS_H
#define STATS_H

#include "attest.h"
#include "svg.h"
#include "store.h"

#include <jansson.h>

/* The smallest witness count shown to a reader below confidential. */
#define STATS_MIN_CELL 5

/* The warning every table and chart of raw counts over time carries. */
#define STATS_NOT_TRENDS                                                                  \
    "Documented counts from convenience samples are not trends: they rise and fall with "  \
    "who was interviewed, when and by whom, not only with what happened."

enum stats_period { STATS_HALF_YEAR, STATS_YEAR };

/* Parses "half" or "year". */
int stats_period_parse(struct at_ctx *ctx, const char *text, enum stats_period *out);

/*
 * Counts everything for the store's session, reading records up to
 * max_clearance (-1: as far as the session may; a token's limit in the
 * server), arrivals per period.  *out (the caller's) is
 *   { "read_limit": "restricted", "exact_witness_counts": false,
 *     "min_cell": 5, "types": [{type, records, retracted, versions}],
 *     "tables": [TABLE...] }
 * and each TABLE is
 *   { "name": "acts_by_year", "title": "Acts by year", "subject": "acts",
 *     "key": "year", "columns": ["acts", "victims"],
 *     "rows": [{"key": "2015", "label": "2015", "values": [3, 4]}],
 *     "witnesses": false, "over_time": true, "note": "..." (when one) }
 * A value is a count, a percentage (a number), null where none applies
 * (the change of the first period), or the string "<5" where a witness
 * count is withheld.
 */
int stats_compute(struct at_ctx *ctx, struct store *st, int max_clearance,
                  enum stats_period period, json_t **out);

/*
 * Casework (casework.h): rates stated by the user convert sale prices into
 * one currency, "CNY:USD=0.14" meaning 1 CNY = 0.14 USD; each rate must
 * convert into the same currency.  Without a rate, prices are summarised
 * in the currency most sales were paid in, and the others are left out
 * (the table's note says how many, and in what).
 */
#define STATS_MAX_RATES 16
struct stats_rates {
    char to[4];                       /* "" until a rate is given */
    struct { char from[4]; double rate; } r[STATS_MAX_RATES];
    size_t n;
};

/* Adds the rate text ("FROM:TO=RATE", ISO 4217 codes) to rates; AT_EINVAL
 * saying what is wrong and what would be valid. */
int stats_rate_parse(struct at_ctx *ctx, const char *text, struct stats_rates *rates);

/*
 * Appends the casework tables to stats (stats_compute's result), counted
 * the same way (the reader's limit; counts of cases, sales and workers
 * from 1 to STATS_MIN_CELL - 1 withheld below confidential, with the
 * prices beside a withheld count):
 *   sale_prices_by_year, sale_prices_by_region: {sales, median, min, max},
 *     in one currency, with "currency" and "rate" ("1 CNY = 0.14 USD") on
 *     the table and in its title;
 *   indicators: per ILO indicator, the cases where it was observed, not
 *     observed, or is unknown or not recorded;
 *   workers_by_country: overseas-labour cases by country of work, with
 *     the median share of the wage taken.
 */
int stats_casework(struct at_ctx *ctx, struct store *st, int max_clearance,
                   const struct stats_rates *rates, json_t *stats);

/* The table called name in stats (stats_compute's result), or NULL. */
json_t *stats_table(json_t *stats, const char *name);

/* Draws table (one of stats_compute's tables) as an SVG chart into out:
 * bars over the years for counts over time (with STATS_NOT_TRENDS under
 * them), bars across the page for categories (with "not given" last).
 * Rows without a year are in the table only.  Withheld cells are left out
 * of the chart and the note says so.  AT_ENOTFOUND when there is nothing
 * to draw.  The chart's own words (title, axes, series, the notes' fixed
 * sentences) are in lang (svg.h); rows and figures as given. */
int stats_chart(struct at_ctx *ctx, const json_t *table, enum svg_lang lang, struct buf *out);

/* Writes stats as CSV to out, one line per cell: table,key,column,value
 * with a header, cells a spreadsheet would run as formulas guarded. */
void stats_csv(const json_t *stats, struct buf *out);

#endif
