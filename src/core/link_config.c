/*
 * link_config.c: the configuration of record linkage: which comparisons,
 * with which levels, which blocking rules, and the thresholds, read from
 * a small text file or taken from the built-in defaults for persons and
 * events.  The format is in docs/commands/link.md:
 *
 *   # a comment
 *   threshold 0.9
 *   review 0.2 0.9
 *   compare NAME KIND FIELD [THRESHOLD ...] [tf [WEIGHT]]
 *   block FIELD:KEY[:ARG] [FIELD:KEY ...]
 *   recall FIELD:KEY[:ARG] [FIELD:KEY ...]
 *
 * A comparison's levels run from the most alike (0) to "else"; what its
 * thresholds mean depends on its kind (link_int.h).
 */
#include "attest.h"
#include "link_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    enum link_kind kind;
    enum link_derive derive;
    size_t fixed;      /* levels besides one per threshold */
    size_t maxthr;     /* thresholds allowed */
    bool descending;   /* thresholds must decrease (similarities) or increase */
} kinds[] = {
    { "exact", LINK_KIND_EXACT, LINK_DERIVE_VALUE, 2, 0, false },
    { "jw", LINK_KIND_JW, LINK_DERIVE_VALUE, 2, LINK_MAX_LEVELS - 2, true },
    { "family", LINK_KIND_FAMILY, LINK_DERIVE_NAME, 2, LINK_MAX_LEVELS - 2, true },
    { "given", LINK_KIND_GIVEN, LINK_DERIVE_NAME, 2, LINK_MAX_LEVELS - 2, true },
    { "place", LINK_KIND_PLACE, LINK_DERIVE_PLACE, 2, LINK_MAX_LEVELS - 2, true },
    { "date", LINK_KIND_DATE, LINK_DERIVE_DATE, 4, LINK_MAX_LEVELS - 4, false },
    { "geo", LINK_KIND_GEO, LINK_DERIVE_GEO, 1, LINK_MAX_LEVELS - 1, false },
    { "count", LINK_KIND_COUNT, LINK_DERIVE_COUNT, 2, LINK_MAX_LEVELS - 2, false },
    { "set", LINK_KIND_SET, LINK_DERIVE_SET, 3, 0, false },
};

static const struct {
    const char *name;
    enum link_key key;
    enum link_derive derive;
} keys[] = {
    { "value", LINK_KEY_VALUE, LINK_DERIVE_VALUE },
    { "family", LINK_KEY_FAMILY, LINK_DERIVE_NAME },
    { "given", LINK_KEY_GIVEN, LINK_DERIVE_NAME },
    { "place", LINK_KEY_PLACE, LINK_DERIVE_PLACE },
    { "year", LINK_KEY_YEAR, LINK_DERIVE_DATE },
    { "cell", LINK_KEY_CELL, LINK_DERIVE_GEO },
    { "member", LINK_KEY_MEMBER, LINK_DERIVE_SET },
    { "prefix", LINK_KEY_PREFIX, LINK_DERIVE_VALUE },
};

/* The built-in configurations.  Persons: a victim's names (folded across
 * romanisations and Hangul), birth date, sex, home county and province,
 * and the events and act types they are a victim of.  Events: date,
 * placements against their uncertainty, county, province, what happened
 * where as the title says it ("Beatings at the market": the same words,
 * the same act told of another site, else), and victim counts.  The act
 * types are not compared besides the title: they repeat its first words,
 * and the two counted as independent outweigh place and date.  The title's
 * u is taken from random pairs: among the candidates, blocked on place and
 * year, EM would learn it from the events of one county and year.  The
 * recall rules reach records with no placement and no county, or no date,
 * that the block rules miss; EM is fitted to the block rules' pairs only. */
static const char person_defaults[] =
    "threshold 0.8\n"
    "review 0.2 0.9\n"
    "compare family_name family names tf\n"
    "compare given_name given names 0.94 0.86\n"
    "compare birth_date date birth_date 366 1827\n"
    "compare sex exact sex\n"
    "compare home_county place home_county 0.9\n"
    "compare home_province place home_province 0.9\n"
    "compare victim_of set events\n"
    "compare act_type set act_types\n"
    "anchor given_name birth_date:2\n"
    "block names:family names:given\n"
    "block names:given birth_date:year\n"
    "block names:family names:given:3 birth_date:year\n";

static const char event_defaults[] =
    "threshold 0.8\n"
    "review 0.2 0.9\n"
    "compare date date date 31 366\n"
    "compare place geo place 1 2 4\n"
    "compare county place county 0.9\n"
    "compare province place province 0.9\n"
    "compare title jw title 0.8 fixu\n"
    "compare victims count victims 1.5 3\n"
    "block date:year county:place\n"
    "block place:cell date:year\n"
    "block place:cell\n"
    "recall date:year province:place title:prefix:6\n"
    "recall county:place title:value\n";

enum link_derive link_kind_derive(enum link_kind k)
{
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
        if (kinds[i].kind == k)
            return kinds[i].derive;
    return LINK_DERIVE_VALUE;
}

enum link_derive link_key_derive(enum link_key k)
{
    for (size_t i = 0; i < ARRAY_LEN(keys); i++)
        if (keys[i].key == k)
            return keys[i].derive;
    return LINK_DERIVE_VALUE;
}

static const char *kind_name(enum link_kind k)
{
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
        if (kinds[i].kind == k)
            return kinds[i].name;
    return "?";
}

static const char *key_name(enum link_key k)
{
    for (size_t i = 0; i < ARRAY_LEN(keys); i++)
        if (keys[i].key == k)
            return keys[i].name;
    return "?";
}

void link_level_label(const struct link_comparison *c, int level, char *out, size_t size)
{
    size_t l = (size_t)level, t = c->nthresholds;

    if (level == LINK_NULL) {
        snprintf(out, size, "null");
        return;
    }
    switch (c->kind) {
    case LINK_KIND_EXACT:
        snprintf(out, size, "%s", level == 0 ? "exact" : "else");
        return;
    case LINK_KIND_SET:
        snprintf(out, size, "%s", level == 0 ? "same" : level == 1 ? "overlap" : "disjoint");
        return;
    case LINK_KIND_JW:
    case LINK_KIND_FAMILY:
    case LINK_KIND_GIVEN:
    case LINK_KIND_PLACE:
        if (l == 0)
            snprintf(out, size, "exact");
        else if (l <= t)
            snprintf(out, size, "jw>=%g", c->thresholds[l - 1]);
        else
            snprintf(out, size, "else");
        return;
    case LINK_KIND_DATE:
        if (l == 0)
            snprintf(out, size, "same day");
        else if (l == 1)
            snprintf(out, size, "same month");
        else if (l == 2)
            snprintf(out, size, "overlap");
        else if (l - 3 < t)
            snprintf(out, size, "within %g days", c->thresholds[l - 3]);
        else
            snprintf(out, size, "else");
        return;
    case LINK_KIND_GEO:
        if (l < t)
            snprintf(out, size, "within %g sigma", c->thresholds[l]);
        else
            snprintf(out, size, "else");
        return;
    case LINK_KIND_COUNT:
        if (l == 0)
            snprintf(out, size, "equal");
        else if (l <= t)
            snprintf(out, size, "ratio<=%g", c->thresholds[l - 1]);
        else
            snprintf(out, size, "else");
        return;
    }
    snprintf(out, size, "%d", level);
}

static void set_defaults(struct link_config *c)
{
    memset(c, 0, sizeof *c);
    c->threshold = 0.9;
    c->review_lo = 0.2;
    c->review_hi = 0.9;
    c->split_below = 0.01;
    c->max_cluster = 50;
    c->max_block = 5000;
    c->u_pairs = 200000;
    c->tf_min = 0.0005;
    c->tf_prior = 1000;
    c->train = LINK_TRAIN_CANDIDATES;
    c->em_max_iter = 200;
}

/* Splits line into words at white space, in place.  Returns the count. */
static size_t split_words(char *line, char **w, size_t max)
{
    size_t n = 0;
    char *save = NULL;

    for (char *tok = strtok_r(line, " \t\r", &save); tok && n < max;
         tok = strtok_r(NULL, " \t\r", &save))
        w[n++] = tok;
    return n;
}

static int number(struct at_ctx *ctx, const char *what, const char *text, double min, double max,
                  double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(text, &end);
    if (errno || *end || end == text || !isfinite(v) || v < min || v > max)
        return ctx_error(ctx, AT_EINVAL, "%s: \"%s\" is not a number from %g to %g",
                         what, text, min, max);
    *out = v;
    return AT_OK;
}

static int copy_name(struct at_ctx *ctx, const char *what, const char *text, char *out)
{
    size_t n = strlen(text);

    if (n == 0 || n >= LINK_NAME_LEN || strspn(text, "abcdefghijklmnopqrstuvwxyz"
                                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != n)
        return ctx_error(ctx, AT_EINVAL, "%s: \"%s\" is not a name (letters, digits and _, "
                         "at most %d)", what, text, LINK_NAME_LEN - 1);
    memcpy(out, text, n + 1);
    return AT_OK;
}

static int parse_compare(struct at_ctx *ctx, struct link_config *c, char **w, size_t n)
{
    struct link_comparison *k;
    size_t i, kind = ARRAY_LEN(kinds);
    int rc;

    if (n < 4)
        return ctx_error(ctx, AT_EINVAL, "want \"compare NAME KIND FIELD [THRESHOLD ...] [fixu] [tf [WEIGHT]]\"");
    if (c->ncomp == LINK_MAX_COMPARISONS)
        return ctx_error(ctx, AT_EINVAL, "more than %d comparisons", LINK_MAX_COMPARISONS);
    k = &c->comp[c->ncomp];
    memset(k, 0, sizeof *k);
    if ((rc = copy_name(ctx, "comparison name", w[1], k->name)) != AT_OK
        || (rc = copy_name(ctx, "field", w[3], k->field)) != AT_OK)
        return rc;
    for (i = 0; i < c->ncomp; i++)
        if (strcmp(c->comp[i].name, k->name) == 0)
            return ctx_error(ctx, AT_EINVAL, "comparison \"%s\" is defined twice", k->name);
    for (i = 0; i < ARRAY_LEN(kinds); i++)
        if (strcmp(kinds[i].name, w[2]) == 0)
            kind = i;
    if (kind == ARRAY_LEN(kinds)) {
        struct buf valid = BUF_INIT;
        for (i = 0; i < ARRAY_LEN(kinds); i++)
            buf_printf(&valid, "%s%s", i ? ", " : "", kinds[i].name);
        ctx_error(ctx, AT_EINVAL, "unknown comparison kind \"%s\"; valid: %s", w[2], buf_str(&valid));
        buf_free(&valid);
        return AT_EINVAL;
    }
    k->kind = kinds[kind].kind;
    k->tf_weight = 1.0;
    for (i = 4; i < n; i++) {
        double v;
        if (strcmp(w[i], "fixu") == 0) {
            k->fix_u = true;
            continue;
        }
        if (strcmp(w[i], "tf") == 0) {
            if (k->kind != LINK_KIND_EXACT && k->kind != LINK_KIND_JW && k->kind != LINK_KIND_FAMILY
                && k->kind != LINK_KIND_GIVEN && k->kind != LINK_KIND_PLACE)
                return ctx_error(ctx, AT_EINVAL, "tf: only exact, jw, family, given and place "
                                 "comparisons have a term-frequency adjustment");
            k->tf = true;
            if (i + 1 < n && (rc = number(ctx, "tf weight", w[i + 1], 0, 1, &k->tf_weight)) != AT_OK)
                return rc;
            i = n;
            break;
        }
        if (k->nthresholds == kinds[kind].maxthr)
            return ctx_error(ctx, AT_EINVAL, "a %s comparison takes at most %zu thresholds",
                             kinds[kind].name, kinds[kind].maxthr);
        if ((rc = number(ctx, "threshold", w[i], 0, kinds[kind].descending ? 1 : 1e9, &v)) != AT_OK)
            return rc;
        if (k->nthresholds > 0) {
            double prev = k->thresholds[k->nthresholds - 1];
            if (kinds[kind].descending ? v >= prev : v <= prev)
                return ctx_error(ctx, AT_EINVAL, "thresholds of a %s comparison must %s: "
                                 "%g after %g", kinds[kind].name,
                                 kinds[kind].descending ? "decrease" : "increase", v, prev);
        }
        k->thresholds[k->nthresholds++] = v;
    }
    k->nlevels = kinds[kind].fixed + k->nthresholds;
    c->ncomp++;
    return AT_OK;
}

static int parse_block(struct at_ctx *ctx, struct link_config *c, char **w, size_t n)
{
    struct link_rule *r;

    if (n < 2)
        return ctx_error(ctx, AT_EINVAL, "want \"%s FIELD:KEY [FIELD:KEY ...]\"", w[0]);
    if (c->nrules == LINK_MAX_RULES)
        return ctx_error(ctx, AT_EINVAL, "more than %d blocking rules", LINK_MAX_RULES);
    if (n - 1 > LINK_MAX_RULE_KEYS)
        return ctx_error(ctx, AT_EINVAL, "a rule has at most %d keys", LINK_MAX_RULE_KEYS);
    r = &c->rules[c->nrules];
    memset(r, 0, sizeof *r);
    r->recall = strcmp(w[0], "recall") == 0;
    for (size_t i = 1; i < n; i++) {
        struct link_rule_key *k = &r->keys[r->nkeys++];
        char *colon = strchr(w[i], ':'), *arg;
        size_t j;
        int rc;
        if (colon == NULL)
            return ctx_error(ctx, AT_EINVAL, "\"%s\": want FIELD:KEY", w[i]);
        *colon = '\0';
        if ((arg = strchr(colon + 1, ':')) != NULL)
            *arg++ = '\0';
        if ((rc = copy_name(ctx, "field", w[i], k->field)) != AT_OK)
            return rc;
        for (j = 0; j < ARRAY_LEN(keys); j++)
            if (strcmp(keys[j].name, colon + 1) == 0)
                break;
        if (j == ARRAY_LEN(keys))
            return ctx_error(ctx, AT_EINVAL, "unknown key \"%s\"; valid: value, family, given, "
                             "place, year, cell, member, prefix:N (family, given and place may take :N too)", colon + 1);
        k->key = keys[j].key;
        if (arg != NULL) {
            double v;
            if (k->key != LINK_KEY_PREFIX && k->key != LINK_KEY_FAMILY && k->key != LINK_KEY_GIVEN
                && k->key != LINK_KEY_PLACE)
                return ctx_error(ctx, AT_EINVAL, "key \"%s\" takes no length; only prefix, family, "
                                 "given and place do", colon + 1);
            if ((rc = number(ctx, "prefix length", arg, 1, 32, &v)) != AT_OK)
                return rc;
            k->arg = (int)v;
        } else if (k->key == LINK_KEY_PREFIX) {
            return ctx_error(ctx, AT_EINVAL, "prefix: want prefix:N, N from 1 to 32");
        }
    }
    c->nrules++;
    return AT_OK;
}

static int parse_setting(struct at_ctx *ctx, struct link_config *c, char **w, size_t n)
{
    static const struct {
        const char *name;
        size_t off;
        bool count;
        double min, max;
    } settings[] = {
        { "threshold", offsetof(struct link_config, threshold), false, 0, 1 },
        { "split_below", offsetof(struct link_config, split_below), false, 0, 1 },
        { "tf_min", offsetof(struct link_config, tf_min), false, 1e-9, 1 },
        { "tf_prior", offsetof(struct link_config, tf_prior), false, 0, 1e9 },
        { "max_cluster", offsetof(struct link_config, max_cluster), true, 2, 1e7 },
        { "max_block", offsetof(struct link_config, max_block), true, 2, 1e7 },
        { "u_pairs", offsetof(struct link_config, u_pairs), true, 100, 1e9 },
    };
    double v;
    int rc;

    if (strcmp(w[0], "review") == 0) {
        if (n != 3)
            return ctx_error(ctx, AT_EINVAL, "want \"review LOW HIGH\"");
        if ((rc = number(ctx, "review low", w[1], 0, 1, &c->review_lo)) != AT_OK
            || (rc = number(ctx, "review high", w[2], c->review_lo, 1, &c->review_hi)) != AT_OK)
            return rc;
        return AT_OK;
    }
    if (strcmp(w[0], "anchor") == 0) {
        if (n < 2)
            return ctx_error(ctx, AT_EINVAL, "want \"anchor COMPARISON ...\"");
        for (size_t i = 1; i < n; i++) {
            char *colon = strchr(w[i], ':');
            double level = 0;
            size_t k;
            if (colon)
                *colon = '\0';
            for (k = 0; k < c->ncomp && strcmp(c->comp[k].name, w[i]) != 0; k++)
                ;
            if (k == c->ncomp)
                return ctx_error(ctx, AT_EINVAL, "anchor: no comparison \"%s\" above this line", w[i]);
            if (colon && (rc = number(ctx, "anchor level", colon + 1, 0,
                                      (double)c->comp[k].nlevels - 2, &level)) != AT_OK)
                return rc;
            c->anchor |= 1u << k;
            c->anchor_level[k] = (uint8_t)level;
        }
        return AT_OK;
    }
    if (strcmp(w[0], "train") == 0) {
        if (n == 2 && strcmp(w[1], "candidates") == 0)
            c->train = LINK_TRAIN_CANDIDATES;
        else if (n == 2 && strcmp(w[1], "fixed-u") == 0)
            c->train = LINK_TRAIN_FIXED_U;
        else
            return ctx_error(ctx, AT_EINVAL, "train: valid: candidates, fixed-u");
        return AT_OK;
    }
    for (size_t i = 0; i < ARRAY_LEN(settings); i++) {
        if (strcmp(settings[i].name, w[0]) != 0)
            continue;
        if (n != 2)
            return ctx_error(ctx, AT_EINVAL, "want \"%s VALUE\"", w[0]);
        if ((rc = number(ctx, w[0], w[1], settings[i].min, settings[i].max, &v)) != AT_OK)
            return rc;
        if (settings[i].count)
            *(size_t *)((char *)c + settings[i].off) = (size_t)v;
        else
            *(double *)((char *)c + settings[i].off) = v;
        return AT_OK;
    }
    return ctx_error(ctx, AT_EINVAL, "unknown directive \"%s\"; valid: compare, block, threshold, "
                     "review, split_below, max_cluster, max_block, u_pairs, tf_min, tf_prior, train, anchor",
                     w[0]);
}

int link_config_parse(struct at_ctx *ctx, const char *text, const char *name,
                      struct link_config **out)
{
    struct link_config *c = xmalloc(sizeof *c);
    char *copy = xstrdup(text);
    int line = 0, rc = AT_OK;

    set_defaults(c);
    for (char *p = copy; p != NULL && rc == AT_OK; line++) {
        char *nl = strchr(p, '\n'), *hash, *w[2 + LINK_MAX_LEVELS + 4];
        size_t n;
        if (nl)
            *nl = '\0';
        if ((hash = strchr(p, '#')) != NULL)
            *hash = '\0';
        n = split_words(p, w, ARRAY_LEN(w));
        p = nl ? nl + 1 : NULL;
        if (n == 0)
            continue;
        if (strcmp(w[0], "compare") == 0)
            rc = parse_compare(ctx, c, w, n);
        else if (strcmp(w[0], "block") == 0 || strcmp(w[0], "recall") == 0)
            rc = parse_block(ctx, c, w, n);
        else
            rc = parse_setting(ctx, c, w, n);
        if (rc != AT_OK)
            ctx_prefix(ctx, "%s line %d: ", name, line + 1);
    }
    if (rc == AT_OK && c->ncomp == 0)
        rc = ctx_error(ctx, AT_EINVAL, "%s: no comparison; add at least one \"compare\" line", name);
    if (rc == AT_OK && (c->nrules == 0 || c->rules[0].recall))
        rc = ctx_error(ctx, AT_EINVAL, "%s: no blocking rule before the first \"recall\" line; "
                       "add at least one \"block\" line first", name);
    if (rc == AT_OK && c->review_hi > c->threshold + 1e-12 && c->review_lo > c->threshold)
        rc = ctx_error(ctx, AT_EINVAL, "%s: the review band must reach the threshold", name);
    free(copy);
    if (rc != AT_OK) {
        free(c);
        return rc;
    }
    *out = c;
    return AT_OK;
}

int link_config_default(struct at_ctx *ctx, enum link_type type, struct link_config **out)
{
    return link_config_parse(ctx, type == LINK_PERSON ? person_defaults : event_defaults,
                             "built-in configuration", out);
}

int link_config_read(struct at_ctx *ctx, const char *path, struct link_config **out)
{
    FILE *f = fopen(path, "r");
    struct buf text = BUF_INIT;
    char chunk[4096];
    size_t n;
    int rc;

    if (f == NULL)
        return ctx_error(ctx, AT_EINVAL, "configuration %s: %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && text.len < (1u << 20))
        buf_append(&text, chunk, n);
    fclose(f);
    rc = link_config_parse(ctx, buf_str(&text), path, out);
    buf_free(&text);
    return rc;
}

void link_config_free(struct link_config *c)
{
    free(c);
}

void link_config_text(const struct link_config *c, struct buf *out)
{
    buf_printf(out, "threshold %g\nreview %g %g\nsplit_below %g\nmax_cluster %zu\n"
               "max_block %zu\nu_pairs %zu\ntf_min %g\ntf_prior %g\ntrain %s\n",
               c->threshold, c->review_lo, c->review_hi, c->split_below, c->max_cluster,
               c->max_block, c->u_pairs, c->tf_min, c->tf_prior,
               c->train == LINK_TRAIN_CANDIDATES ? "candidates" : "fixed-u");
    for (size_t i = 0; i < c->ncomp; i++) {
        const struct link_comparison *k = &c->comp[i];
        buf_printf(out, "compare %s %s %s", k->name, kind_name(k->kind), k->field);
        for (size_t j = 0; j < k->nthresholds; j++)
            buf_printf(out, " %g", k->thresholds[j]);
        if (k->fix_u)
            buf_puts(out, " fixu");
        if (k->tf)
            buf_printf(out, " tf %g", k->tf_weight);
        buf_putc(out, '\n');
    }
    if (c->anchor) {
        buf_puts(out, "anchor");
        for (size_t k = 0; k < c->ncomp; k++)
            if (c->anchor >> k & 1)
                buf_printf(out, c->anchor_level[k] ? " %s:%d" : " %s", c->comp[k].name,
                           c->anchor_level[k]);
        buf_putc(out, '\n');
    }
    for (size_t i = 0; i < c->nrules; i++) {
        buf_puts(out, c->rules[i].recall ? "recall" : "block");
        for (size_t j = 0; j < c->rules[i].nkeys; j++) {
            const struct link_rule_key *k = &c->rules[i].keys[j];
            buf_printf(out, " %s:%s", k->field, key_name(k->key));
            if (k->arg)
                buf_printf(out, ":%d", k->arg);
        }
        buf_putc(out, '\n');
    }
}

double link_config_threshold(const struct link_config *c)
{
    return c->threshold;
}

void link_config_review(const struct link_config *c, double *lo, double *hi)
{
    *lo = c->review_lo;
    *hi = c->review_hi;
}
