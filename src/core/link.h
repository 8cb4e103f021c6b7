/*
 * link.h: record linkage: which records describe the same victim, or the
 * same event, told by different witnesses with different spellings, vague
 * dates and different places.
 *
 * The engine works on an in-memory table of records with named text
 * fields (struct link_table), so that the same code links the archive's
 * persons and events, the test files and the benchmark's generated
 * records.  A run (link_run) goes:
 *
 *   blocking     candidate pairs from an OR of AND-rules over derived keys
 *                (folded Korean name keys, birth year, county, event year,
 *                geographic cell, act type ...);
 *   comparison   each candidate pair gets a level per comparison (exact,
 *                close, far ...; a missing value is the null level);
 *   estimation   Fellegi-Sunter: u from random pairs, m and lambda by EM
 *                on the counts of distinct agreement patterns (null levels
 *                neutral), term-frequency adjustment for common values
 *                (Kim, Ri, Pak), blended with the population's shares;
 *   scoring      match weight and probability of every candidate pair;
 *   clustering   connected components above the threshold, broken up
 *                when too large or when they hold a rejected pair.
 *
 * The comparisons, levels and blocking rules come from a small text file
 * (link_config_parse; docs/commands/link.md), or from the built-in
 * defaults for persons and events.
 *
 * On the archive (link_archive_*), a run reads the records the session may
 * see, stores a versioned link run (which records, probability, model
 * version) entered in the log, and refreshes the derived table
 * link_cluster(record_id, type, cluster_id).  Analysts' decisions on pairs
 * (link_decide) are versioned and logged, and every later run respects
 * them.  Records are never merged or changed.
 */
#ifndef LINK_H
#define LINK_H

#include "attest.h"
#include "model.h"
#include "store.h"

#include <jansson.h>

/* Limits of a configuration. */
#define LINK_MAX_COMPARISONS 16
#define LINK_MAX_LEVELS 8    /* levels of one comparison, the null level apart */
#define LINK_MAX_RULES 16
#define LINK_MAX_RULE_KEYS 4
/* The level of a comparison with a missing value on either side. */
#define LINK_NULL 255

/* ---- the table of records -------------------------------------------- */

struct link_table;

/* A new empty table whose records have the nfields fields named in
 * fields.  Release with link_table_free. */
int link_table_new(struct at_ctx *ctx, const char *const *fields, size_t nfields,
                   struct link_table **out);
void link_table_free(struct link_table *t);
/* Appends a record: its id and one value per field (NULL or "" when
 * missing).  The table copies them.  A multi-valued field (several names,
 * several act types) holds its values separated by " | ". */
int link_table_add(struct at_ctx *ctx, struct link_table *t, const char *id,
                   const char *const *values);
size_t link_table_count(const struct link_table *t);
const char *link_table_id(const struct link_table *t, size_t i);
/* The index of the record with this id, or -1. */
long link_table_find(const struct link_table *t, const char *id);
/* The value of field for record i, or NULL when missing or no such field. */
const char *link_table_get(const struct link_table *t, size_t i, const char *field);
/* Reads a CSV file with a header line into a new table: the column named
 * id_column gives the ids, every other column is a field. */
int link_table_read_csv(struct at_ctx *ctx, const char *path, const char *id_column,
                        struct link_table **out);

/* ---- configuration --------------------------------------------------- */

enum link_type { LINK_PERSON, LINK_EVENT };
/* "persons"/"person" or "events"/"event"; a message naming the valid
 * values otherwise. */
int link_type_parse(struct at_ctx *ctx, const char *text, enum link_type *out);
const char *link_type_name(enum link_type t); /* "person", "event" */

struct link_config;

/* The built-in configuration for the archive's persons or events. */
int link_config_default(struct at_ctx *ctx, enum link_type type, struct link_config **out);
/* Parses a configuration file's text; errors name the line ("NAME line
 * N: ...") and what would be valid. */
int link_config_parse(struct at_ctx *ctx, const char *text, const char *name,
                      struct link_config **out);
int link_config_read(struct at_ctx *ctx, const char *path, struct link_config **out);
void link_config_free(struct link_config *c);
/* The canonical text of a configuration (what the model version covers). */
void link_config_text(const struct link_config *c, struct buf *out);
/* The match threshold and review band the configuration sets. */
double link_config_threshold(const struct link_config *c);
void link_config_review(const struct link_config *c, double *lo, double *hi);

/* ---- Fellegi-Sunter EM on agreement-pattern counts --------------------- */

/* Parameters of the model: lambda = P(match) among the pairs it is fitted
 * to; m[k][l] = P(level l | match), u[k][l] = P(level l | non-match). */
struct link_params {
    size_t ncomp;
    size_t nlevels[LINK_MAX_COMPARISONS];
    double lambda;
    double m[LINK_MAX_COMPARISONS][LINK_MAX_LEVELS];
    double u[LINK_MAX_COMPARISONS][LINK_MAX_LEVELS];
    uint32_t fixed_u;    /* bit k: keep u of comparison k as given */
};

enum {
    LINK_EM_FIX_U = 1u << 0,       /* keep u as given (estimated from random pairs) */
    LINK_EM_FIX_LAMBDA = 1u << 1,
};

/* Runs EM from the parameters in *p over npatterns distinct patterns
 * (levels[i * ncomp + k] is the level of comparison k in pattern i, or
 * LINK_NULL, which counts in neither m nor u) with counts[i] pairs each,
 * until no parameter moves by more than tol or after max_iter rounds.
 * *iterations (may be NULL) gets the rounds made. */
int link_em(struct at_ctx *ctx, const uint8_t *levels, const double *counts, size_t npatterns,
            struct link_params *p, unsigned flags, int max_iter, double tol, int *iterations);

/* ---- a run on a table -------------------------------------------------- */

/* One comparison of one pair, as explain and the review queue show it. */
struct link_term {
    const char *name;    /* the comparison's name ("family_name") */
    int level;           /* 0 = most alike; LINK_NULL = a value missing */
    const char *label;   /* "exact", "jw>=0.92", "within 365 days", "null" */
    double weight;       /* log2(m/u) with any term-frequency adjustment */
};

struct link_pair {
    uint32_t a, b;       /* record indexes, a < b */
    float probability;
    float weight;        /* total match weight, prior included (log2 odds) */
};

struct link_result {
    struct link_params params;
    size_t records;
    size_t pairs_compared;       /* candidate pairs scored */
    struct link_pair *pairs;     /* the candidate pairs kept (probability >= keep) */
    size_t npairs;
    uint32_t *cluster;           /* cluster[i]: the cluster of record i, its
                                  * smallest member index */
    size_t nclusters;
    size_t broken;               /* components broken up */
    int em_iterations;
};

/* A pair an analyst has decided, by record index. */
struct link_constraint {
    uint32_t a, b;
    bool same;                   /* accepted: true; rejected: false */
};

struct link_run_options {
    double threshold;            /* < 0: the configuration's */
    double keep;                 /* keep pairs with probability >= keep in result */
    const struct link_constraint *constraints;
    size_t nconstraints;
    uint64_t seed;               /* for the random pairs that estimate u */
};
#define LINK_RUN_OPTIONS_INIT { -1.0, 0.5, NULL, 0, 1 }

/* Links the records of t under configuration c.  The result's arrays
 * belong to the caller: link_result_free. */
int link_run(struct at_ctx *ctx, const struct link_config *c, const struct link_table *t,
             const struct link_run_options *o, struct link_result *out);
void link_result_free(struct link_result *r);

/* Compares records i and j of t under the parameters of a run: fills
 * terms (room for LINK_MAX_COMPARISONS) and returns their number; *weight
 * and *probability get the total.  The run's model is kept by
 * link_model_new for this. */
struct link_model;
int link_model_new(struct at_ctx *ctx, const struct link_config *c, const struct link_table *t,
                   const struct link_params *p, struct link_model **out);
void link_model_free(struct link_model *m);
size_t link_model_explain(struct link_model *m, size_t i, size_t j, struct link_term *terms,
                          double *weight, double *probability);

/* Pairwise precision, recall and F1 of a clustering against the truth
 * (truth[i]: any label of record i's true entity). */
struct link_score {
    double precision, recall, f1;
    size_t true_pairs, found_pairs, both;
};
void link_score_clusters(const uint32_t *cluster, const uint32_t *truth, size_t n,
                         struct link_score *out);

/* ---- on the archive ---------------------------------------------------- */

struct link_archive_options {
    double threshold;                 /* < 0: the configuration's */
    const struct link_config *config; /* NULL: the built-in one */
};

struct link_archive_summary {
    int64_t run;                      /* the stored run's number */
    char model_version[40];
    size_t records, pairs_compared, links, clusters, decisions;
    struct link_params params;
};

/*
 * Links the current persons or events that the store's session may read,
 * respecting every decision, and stores the run: the model version and
 * parameters, the pairs at or above the lower review threshold with their
 * probability, and each record's cluster, one log item for the run.  The
 * derived link_cluster rows of those records are replaced; a cluster keeps
 * the id most of its members had before (docs/commands/link.md).  In the
 * form evlog_write runs: arg is a struct link_archive_job.
 */
struct link_archive_job {
    enum link_type type;
    const struct link_archive_options *options;
    struct link_archive_summary *summary;
};
int link_archive_run_write(struct at_ctx *ctx, struct store *st, void *job);

/* Explains the pair (a, b) under the model of the latest run of their
 * type (or a model fitted now when there is none), as a new JSON object
 * {"a", "b", "type", "model_version", "prior_weight", "weight",
 *  "probability", "comparisons": [{"name", "level", "label", "weight"}]}.
 * Both records must be readable by the session. */
int link_archive_explain(struct at_ctx *ctx, struct store *st, const char *a, const char *b,
                         const struct link_config *config, json_t **out);

/* Calls fn with each record of type that the session may read and its
 * cluster id, in record id order; a record no run has seen is its own
 * cluster. */
int link_archive_clusters(struct at_ctx *ctx, struct store *st, enum link_type type,
                          int (*fn)(void *arg, const char *record_id, const char *cluster_id),
                          void *arg);

/*
 * The review queue: the pairs of the latest run of type whose probability
 * lies in [lo, hi] (lo, hi < 0: the run's review band), that no decision
 * covers and whose two records the session may read, most informative
 * first (probability nearest 0.5; ties in id order), at most limit of them
 * (0: all).  A new JSON array of
 *   {"a", "b", "probability", "weight", "prior_weight", "model_version",
 *    "comparisons": [{"name", "level", "label", "weight"}]}
 * "level" is a number (null for a missing value), "label" a word.
 */
int link_review_queue(struct at_ctx *ctx, struct store *st, enum link_type type,
                      double lo, double hi, size_t limit, json_t **out);

enum link_decision { LINK_ACCEPT, LINK_REJECT };
/* "accept" or "reject". */
int link_decision_parse(struct at_ctx *ctx, const char *text, enum link_decision *out);
const char *link_decision_name(enum link_decision d);

/*
 * Decides that records a and b are (accept) or are not (reject) the same
 * victim or event: a new version of the decision on that pair, entered in
 * the log, by the session's user, who must be allowed to write and to
 * read both records.  Every later run keeps an accepted pair in one
 * cluster and a rejected pair apart; link_cluster is refreshed at once
 * from the latest run.  note may be NULL.  In the form evlog_write runs:
 * arg is a struct link_decide_job.  *version_out (may be NULL) gets the
 * decision's version on that pair.
 */
struct link_decide_job {
    const char *a, *b;
    enum link_decision decision;
    const char *note;
    int *version_out;
};
int link_decide_write(struct at_ctx *ctx, struct store *st, void *job);

/* The decisions on pairs of type that the session may read (both records),
 * latest version of each, as a new JSON array of {"a", "b", "decision",
 * "version", "author", "decided_at", "note"}. */
int link_decisions(struct at_ctx *ctx, struct store *st, enum link_type type, json_t **out);

/* Recreates link_cluster from the stored runs and decisions (`attest
 * rebuild`). */
int link_archive_rebuild(struct at_ctx *ctx, struct store *st);

#endif
