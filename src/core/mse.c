/*
 * mse.c: the capture-history table and the estimators that need no model
 * fitting: Lincoln-Petersen and Chapman for two lists, Chao's lower bound;
 * and what the methods share: quantiles and the plain-words warnings about
 * a table.  See mse.h for the family and docs/commands/estimate.md for the
 * CSV layout.
 */
#include "attest.h"
#include "csv.h"
#include "mse.h"
#include "number.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The normal quantile at MSE_LEVEL. */
#define Z95 1.959963984540054
/* Warnings: a cell under this is tiny; a list holding more than this share
 * dominates; a pair sharing fewer people than this barely overlaps. */
#define TINY_CELL 5
#define DOMINANT_SHARE 0.8
#define FEW_SHARED 10
#define ONE_LIST_SHARE 0.9
#define FEW_PEOPLE 50
/* The largest count a cell of the CSV may hold. */
#define COUNT_MAX 1000000000L

double mse_table_observed(const struct mse_table *t)
{
    double n = 0;

    for (int h = 1; h < (1 << t->nlists); h++)
        n += t->count[h];
    return n;
}

double mse_table_list_total(const struct mse_table *t, int j)
{
    double n = 0;

    for (int h = 1; h < (1 << t->nlists); h++)
        if (h & (1 << j))
            n += t->count[h];
    return n;
}

int mse_table_check(struct at_ctx *ctx, const struct mse_table *t)
{
    if (t->nlists < 2 || t->nlists > MSE_MAX_LISTS)
        return ctx_error(ctx, AT_EINVAL, "a capture table needs 2 to %d lists, not %d",
                         MSE_MAX_LISTS, t->nlists);
    if (t->count[0] != 0)
        return ctx_error(ctx, AT_EINVAL, "the cell of people on no list cannot be known; it must be 0");
    for (int h = 1; h < (1 << t->nlists); h++)
        if (!(t->count[h] >= 0) || t->count[h] != floor(t->count[h]))
            return ctx_error(ctx, AT_EINVAL, "capture counts must be whole numbers >= 0");
    if (mse_table_observed(t) <= 0)
        return ctx_error(ctx, AT_EINVAL, "no one is on any list: there is nothing to estimate from");
    return AT_OK;
}

/* The header: 2..6 list names, then "count". */
static int read_header(struct at_ctx *ctx, const char *name, const struct csv_record *rec,
                       struct mse_table *out)
{
    int nlists = (int)rec->n - 1;

    if (rec->n < 3 || rec->n > MSE_MAX_LISTS + 1)
        return ctx_error(ctx, AT_EINVAL,
                         "%s: line %lu: the header has %zu columns; it needs 2 to %d list names and a last column \"count\"",
                         name, rec->line, rec->n, MSE_MAX_LISTS);
    if (strcasecmp(rec->fields[rec->n - 1], "count") != 0)
        return ctx_error(ctx, AT_EINVAL,
                         "%s: line %lu: the last column of the header is \"%.40s\"; it must be \"count\"",
                         name, rec->line, rec->fields[rec->n - 1]);
    for (int j = 0; j < nlists; j++) {
        if (rec->lens[j] == 0 || rec->lens[j] >= MSE_NAME_MAX)
            return ctx_error(ctx, AT_EINVAL,
                             "%s: line %lu, column %d: a list name must have 1 to %d bytes",
                             name, rec->line, j + 1, MSE_NAME_MAX - 1);
        for (int i = 0; i < j; i++)
            if (strcmp(out->names[i], rec->fields[j]) == 0)
                return ctx_error(ctx, AT_EINVAL,
                                 "%s: line %lu: the list \"%s\" is named twice in the header",
                                 name, rec->line, rec->fields[j]);
        memcpy(out->names[j], rec->fields[j], rec->lens[j] + 1);
    }
    out->nlists = nlists;
    return AT_OK;
}

int mse_table_read_csv(struct at_ctx *ctx, FILE *f, const char *name, struct mse_table *out)
{
    struct csv_reader *rd = NULL;
    struct csv_record rec;
    unsigned long seen_on[MSE_MAX_CELLS] = { 0 };
    struct buf field = BUF_INIT;
    int rc, got;

    memset(out, 0, sizeof *out);
    rc = csv_open(&rd, f, name, NULL, ctx);
    if (rc != AT_OK)
        return rc;
    got = csv_read(rd, &rec, ctx);
    if (got < 0) {
        rc = got;
        goto out;
    }
    if (got == 0) {
        rc = ctx_error(ctx, AT_EINVAL, "%s: the file is empty; it needs a header naming the lists and a last column \"count\"", name);
        goto out;
    }
    if ((rc = read_header(ctx, name, &rec, out)) != AT_OK)
        goto out;
    while ((got = csv_read(rd, &rec, ctx)) == 1) {
        int h = 0;
        long count;

        if ((rc = csv_check_width(rd, &rec, (size_t)out->nlists + 1, ctx)) != AT_OK)
            goto out;
        for (int j = 0; j < out->nlists; j++) {
            const char *v = rec.fields[j];

            if (strcmp(v, "1") == 0)
                h |= 1 << j;
            else if (strcmp(v, "0") != 0) {
                rc = ctx_error(ctx, AT_EINVAL, "%s: line %lu, column \"%s\": \"%.20s\" is not 0 or 1",
                               name, rec.line, out->names[j], v);
                goto out;
            }
        }
        buf_reset(&field);
        buf_printf(&field, "%s: line %lu, column \"count\"", name, rec.line);
        if ((rc = number_parse_long(ctx, buf_str(&field), rec.fields[out->nlists], 0, COUNT_MAX, &count)) != AT_OK)
            goto out;
        if (seen_on[h]) {
            rc = ctx_error(ctx, AT_EINVAL, "%s: line %lu: the same capture pattern as line %lu; give each pattern once",
                           name, rec.line, seen_on[h]);
            goto out;
        }
        if (h == 0 && count != 0) {
            rc = ctx_error(ctx, AT_EINVAL,
                           "%s: line %lu: the pattern of all 0s counts the people no list has, which cannot be known; leave it out or give 0",
                           name, rec.line);
            goto out;
        }
        seen_on[h] = rec.line;
        out->count[h] = (double)count;
    }
    if (got < 0) {
        rc = got;
        goto out;
    }
    if (mse_table_observed(out) <= 0)
        rc = ctx_error(ctx, AT_EINVAL, "%s: every count is 0: there is nothing to estimate from", name);
out:
    buf_free(&field);
    csv_close(rd);
    return rc;
}

int mse_chapman(struct at_ctx *ctx, const struct mse_table *t, int a, int b,
                struct mse_estimate *chapman, double *lp)
{
    double n1 = 0, n2 = 0, m = 0, seen = 0;

    if (a < 0 || b < 0 || a >= t->nlists || b >= t->nlists || a == b)
        return ctx_error(ctx, AT_EINVAL, "two-list estimates need two different lists");
    for (int h = 1; h < (1 << t->nlists); h++) {
        int in_a = (h >> a) & 1, in_b = (h >> b) & 1;

        n1 += in_a ? t->count[h] : 0;
        n2 += in_b ? t->count[h] : 0;
        m += in_a && in_b ? t->count[h] : 0;
        seen += in_a || in_b ? t->count[h] : 0;
    }
    if (n1 == 0 || n2 == 0)
        return ctx_error(ctx, AT_EINVAL, "list \"%s\" is empty: two lists need people on both",
                         n1 == 0 ? t->names[a] : t->names[b]);
    if (m == 0)
        return ctx_error(ctx, AT_EINVAL,
                         "lists \"%s\" and \"%s\" share no one: two-list estimates need an overlap",
                         t->names[a], t->names[b]);
    memset(chapman, 0, sizeof *chapman);
    chapman->observed = seen;
    chapman->total = (n1 + 1) * (n2 + 1) / (m + 1) - 1;
    /* Seber (1970): Var = (n1+1)(n2+1)(n1-m)(n2-m) / ((m+1)^2 (m+2)). */
    chapman->se = sqrt((n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) * (m + 1) * (m + 2)));
    chapman->lower = fmax(seen, chapman->total - Z95 * chapman->se);
    chapman->upper = chapman->total + Z95 * chapman->se;
    snprintf(chapman->model, sizeof chapman->model, "%s x %s", t->names[a], t->names[b]);
    if (lp)
        *lp = n1 * n2 / m;
    return AT_OK;
}

int mse_chao(struct at_ctx *ctx, const struct mse_table *t, struct mse_estimate *out,
             double f[MSE_MAX_LISTS + 1])
{
    double fk[MSE_MAX_LISTS + 1] = { 0 }, n, f0, r, var, c;

    for (int h = 1; h < (1 << t->nlists); h++)
        fk[__builtin_popcount((unsigned)h)] += t->count[h];
    if (f)
        memcpy(f, fk, sizeof fk);
    if (fk[2] == 0)
        return ctx_error(ctx, AT_EINVAL, "no one is on exactly two lists: Chao's bound needs f2 > 0");
    n = mse_table_observed(t);
    memset(out, 0, sizeof *out);
    out->observed = n;
    r = fk[1] / fk[2];
    f0 = fk[1] * fk[1] / (2 * fk[2]);
    out->total = n + f0;
    /* Chao (1987): Var = f2 (r^4/4 + r^3 + r^2/2), r = f1/f2, and a
     * log-normal interval for the unobserved part. */
    var = fk[2] * (r * r * r * r / 4 + r * r * r + r * r / 2);
    out->se = sqrt(var);
    if (f0 > 0) {
        c = exp(Z95 * sqrt(log(1 + var / (f0 * f0))));
        out->lower = n + f0 / c;
        out->upper = n + f0 * c;
    } else {
        out->lower = out->upper = n;
    }
    snprintf(out->model, sizeof out->model, "lower bound");
    return AT_OK;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

double mse_quantile(double *values, size_t n, double q)
{
    double pos, frac;
    size_t i;

    if (n == 0)
        return NAN;
    qsort(values, n, sizeof values[0], by_value);
    pos = q * (double)(n - 1);
    i = (size_t)floor(pos);
    frac = pos - (double)i;
    if (i + 1 >= n)
        return values[n - 1];
    return values[i] + frac * (values[i + 1] - values[i]);
}

void mse_table_warnings(const struct mse_table *t, struct buf *out)
{
    int cells = (1 << t->nlists) - 1, tiny = 0;
    double n = mse_table_observed(t), once = 0;

    if (n < FEW_PEOPLE)
        buf_printf(out, "Only %.0f people are documented: too few for any of these methods to say much.\n", n);
    for (int h = 1; h <= cells; h++) {
        tiny += t->count[h] < TINY_CELL;
        once += __builtin_popcount((unsigned)h) == 1 ? t->count[h] : 0;
    }
    if (tiny > 0)
        buf_printf(out, "%d of the %d capture patterns hold fewer than %d people: estimates that lean on them are unstable.\n",
                   tiny, cells, TINY_CELL);
    for (int j = 0; j < t->nlists; j++) {
        double share = mse_table_list_total(t, j) / n;

        if (share > DOMINANT_SHARE)
            buf_printf(out, "List \"%s\" holds %.0f%% of the people documented: the estimate rests mostly on how the other lists overlap with it.\n",
                       t->names[j], 100 * share);
    }
    if (once / n > ONE_LIST_SHARE)
        buf_printf(out, "%.0f%% of the people are on one list only: the lists barely overlap, and every method extrapolates far from what was seen.\n",
                   100 * once / n);
    for (int a = 0; a < t->nlists; a++)
        for (int b = a + 1; b < t->nlists; b++) {
            double m = 0;

            for (int h = 1; h <= cells; h++)
                if ((h >> a & 1) && (h >> b & 1))
                    m += t->count[h];
            if (m < FEW_SHARED)
                buf_printf(out, "Lists \"%s\" and \"%s\" share only %.0f people: what they say about each other is weak.\n",
                           t->names[a], t->names[b], m);
        }
}
