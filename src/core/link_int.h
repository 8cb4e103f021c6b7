/*
 * link_int.h: what the record-linkage files (link*.c) share and nothing
 * else sees: the table, the configuration, the derived columns that
 * comparisons and blocking keys read, and the steps of a run.
 *
 * A derived column is computed once per (field, derivation) and shared:
 * the folded family and given names of a names field serve both the name
 * comparisons and the blocking keys, so that each name is normalised once.
 */
#ifndef LINK_INT_H
#define LINK_INT_H

#include "attest.h"
#include "link.h"

/* ---- interned strings --------------------------------------------------- */

/* Distinct strings, numbered from 1 in order of arrival (0 is "none"),
 * with how many times each was interned. */
struct link_strings {
    char **s;
    uint32_t *len;          /* strlen of each */
    uint32_t *count;
    size_t n, cap;          /* ids 1..n; s[0] unused */
    uint32_t *slot;         /* open-addressing table of ids */
    size_t nslots;
};
uint32_t link_intern(struct link_strings *t, const char *s, size_t len);
/* The id of s, or 0 when it was never interned. */
uint32_t link_lookup(const struct link_strings *t, const char *s, size_t len);
void link_strings_free(struct link_strings *t);

/* ---- the table ------------------------------------------------------------ */

struct link_table {
    size_t nfields, n, cap;
    char **fields;
    char **ids;        /* n */
    char **cells;      /* n * nfields, NULL when missing */
};
const char *link_table_cell(const struct link_table *t, size_t rec, size_t field);
/* The index of the field called name, or -1. */
long link_table_field(const struct link_table *t, const char *name);

/* ---- configuration --------------------------------------------------------- */

enum link_kind {
    LINK_KIND_EXACT,   /* equal or not */
    LINK_KIND_JW,      /* exact, then Jaro-Winkler >= each threshold */
    LINK_KIND_FAMILY,  /* Korean family name: same folded key, then JW */
    LINK_KIND_GIVEN,   /* Korean given name: same folded key, then JW */
    LINK_KIND_PLACE,   /* a place name in any script: same folded key, then JW */
    LINK_KIND_DATE,    /* same day, same month, overlapping, then gap <= each number of days */
    LINK_KIND_GEO,     /* distance <= each multiple of the combined uncertainty */
    LINK_KIND_COUNT,   /* equal, then ratio <= each bound */
    LINK_KIND_SET,     /* same set, overlapping, disjoint */
};

enum link_derive {
    LINK_DERIVE_VALUE,  /* the value, trimmed and lower-cased */
    LINK_DERIVE_NAME,   /* folded family and given names */
    LINK_DERIVE_PLACE,  /* folded place names, each romanisation of Hangul */
    LINK_DERIVE_DATE,
    LINK_DERIVE_GEO,
    LINK_DERIVE_COUNT,
    LINK_DERIVE_SET,
};

enum link_key {
    LINK_KEY_VALUE,     /* the whole value */
    LINK_KEY_FAMILY,    /* each folded family name */
    LINK_KEY_GIVEN,     /* each folded given name */
    LINK_KEY_PLACE,     /* each folded place name */
    LINK_KEY_YEAR,      /* each year a date may fall in (spans of 3 years at most) */
    LINK_KEY_CELL,      /* the grid cells of about 11 km near each placement */
    LINK_KEY_MEMBER,    /* each member of a set */
    LINK_KEY_PREFIX,    /* the first arg characters of the value */
};
/* A family, given or place key with an arg uses the first arg characters
 * of each folded key. */

#define LINK_NAME_LEN 40

struct link_comparison {
    char name[LINK_NAME_LEN];
    char field[LINK_NAME_LEN];
    enum link_kind kind;
    size_t nthresholds;
    double thresholds[LINK_MAX_LEVELS];
    size_t nlevels;         /* levels, null apart */
    bool tf;                /* term-frequency adjustment of the exact level */
    bool fix_u;             /* u from random pairs, not re-estimated by EM */
    double tf_weight;
};

struct link_rule_key {
    char field[LINK_NAME_LEN];
    enum link_key key;
    int arg;
};

struct link_rule {
    bool recall;            /* its pairs are scored but not trained on ("recall" lines) */
    size_t nkeys;
    struct link_rule_key keys[LINK_MAX_RULE_KEYS];
};

enum link_train {
    LINK_TRAIN_CANDIDATES, /* EM of m, u and lambda over the candidate pairs, u started from random pairs */
    LINK_TRAIN_FIXED_U,    /* u from random pairs kept; m and lambda by EM */
};

struct link_config {
    struct link_comparison comp[LINK_MAX_COMPARISONS];
    size_t ncomp;
    struct link_rule rules[LINK_MAX_RULES];
    size_t nrules;
    double threshold, review_lo, review_hi;
    double split_below;     /* a compared pair below this may not end in one cluster */
    size_t max_cluster;
    size_t max_block;       /* blocks larger than this are skipped */
    size_t u_pairs;         /* random pairs for u */
    double tf_min, tf_prior;
    enum link_train train;
    int em_max_iter;
    /* EM starts from the split these comparisons make: the candidate
     * pairs at or below the anchor level of every one of them against
     * the others. */
    uint32_t anchor;        /* bit per comparison */
    uint8_t anchor_level[LINK_MAX_COMPARISONS];
};

enum link_derive link_kind_derive(enum link_kind k);
enum link_derive link_key_derive(enum link_key k);
/* The label of level l of comparison c ("exact", "jw>=0.92", ...), in
 * out (at least 32 bytes). */
void link_level_label(const struct link_comparison *c, int level, char *out, size_t size);

/* ---- derived columns ------------------------------------------------------- */

#define LINK_NAME_SLOTS 4    /* folded forms kept per record */

struct link_point {
    double v[3];            /* unit vector */
    double sigma;           /* standard error, metres */
};

struct link_column {
    char field[LINK_NAME_LEN];
    enum link_derive derive;
    size_t slots;                 /* ids per record */
    uint32_t *id;                 /* n * slots; 0 = none */
    struct link_strings strs;     /* VALUE, SET: values; NAME: family keys; PLACE: keys */
    struct link_strings given;    /* NAME: given keys */
    uint32_t *given_id;           /* NAME: n * slots */
    int32_t *lo, *hi;             /* DATE: day numbers; lo > hi when missing */
    int16_t *ylo, *yhi;           /* DATE: first and last year */
    uint32_t *off, *cnt;          /* GEO: points of record i: pts[off[i] ..] */
    struct link_point *pts;
    size_t npts;
    int64_t *num;                 /* COUNT: -1 when missing */
    uint64_t *set;                /* SET: bit per value (first 64 values) */
    size_t total;                 /* records with a value */
    double *share;                /* NAME: tf of each family key (archive and population) */
};

/* The readings of two records' names last compared: a person's family and
 * given names are read together, and two comparisons ask for them. */
struct link_name_memo {
    const void *col;
    size_t i, j;
    double family, given;   /* similarity, -1 when missing */
};

struct link_prep {
    const struct link_config *cfg;
    const struct link_table *t;
    struct link_column *cols;
    size_t ncols;
    int comp_col[LINK_MAX_COMPARISONS];   /* column of each comparison */
    double u_exact[LINK_MAX_COMPARISONS]; /* u of the exact level among random pairs */
    struct link_name_memo *memo;          /* owned; one per run, not shared by threads */
};

/* Derives every column the configuration's comparisons and rules need. */
int link_prep_build(struct at_ctx *ctx, const struct link_config *c, const struct link_table *t,
                    struct link_prep *p);
void link_prep_free(struct link_prep *p);
/* The column of (field, derive), or NULL. */
const struct link_column *link_prep_column(const struct link_prep *p, const char *field,
                                           enum link_derive d);

/* Derivation of one column (link_compare.c). */
int link_column_build(struct at_ctx *ctx, const struct link_config *c, const struct link_table *t,
                      size_t field, struct link_column *col);
void link_column_free(struct link_column *col);

/* The level of comparison k for records i and j (LINK_NULL when either
 * lacks a value). */
int link_compare_level(const struct link_prep *p, size_t k, size_t i, size_t j);
/* The term-frequency adjustment (log2) of comparison k at its exact level
 * for records i and j; 0 when it has none. */
double link_compare_tf(const struct link_prep *p, size_t k, size_t i, size_t j);
/* The population share of a folded family-name key, or 0 when the
 * reference table does not list it. */
double link_surname_share(const char *key);

/* ---- blocking ----------------------------------------------------------------- */

/* The candidate pairs: (a << 32 | b), a < b, sorted, distinct.  When
 * some rules are recall rules, *train gets a flag per pair: 1 when a
 * block rule gives it too (EM is fitted to those); else *train is NULL. */
int link_block_pairs(struct at_ctx *ctx, const struct link_prep *p, uint64_t **pairs,
                     size_t *npairs, uint8_t **train, size_t *skipped_blocks);

/* ---- clustering ----------------------------------------------------------------- */

/* Clusters n records from the scored candidate pairs (pairs[i] = a << 32
 * | b, prob[i] its probability) and the analysts' constraints:
 * cluster[i] gets the smallest index in i's cluster.  *broken counts the
 * joins refused. */
int link_cluster_run(struct at_ctx *ctx, size_t n, const uint64_t *pairs, const float *prob,
                     size_t npairs, const struct link_constraint *cons, size_t ncons,
                     double threshold, double split_below, size_t max_cluster, uint32_t *cluster,
                     size_t *nclusters, size_t *broken);

/* Sorts a[0..n) in place (radix sort). */
void link_sort_u64(uint64_t *a, size_t n);

/* u of every comparison from random pairs of records (all pairs when
 * there are fewer than the configuration's u_pairs), into p->u and
 * prep->u_exact. */
void link_estimate_u(struct link_prep *prep, struct link_params *p, uint64_t seed);

/* ---- weights -------------------------------------------------------------------- */

/* log2(m/u) of level l of comparison k; 0 for the null level. */
double link_level_weight(const struct link_params *p, size_t k, int level);
double link_prior_weight(const struct link_params *p);
double link_probability(double weight);

#endif
