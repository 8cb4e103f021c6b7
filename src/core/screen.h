/*
 * screen.h: screening names and identifiers against the sanctions lists
 * held in the archive, and ranking the likely successors of a listed
 * entity.
 *
 * A screen index is built in memory from the newest version of each list
 * (every name and alias of every entry, and their identifiers).  A query
 * is a name, an optional type, and identifiers; identifiers are also
 * found inside the name text ("PU RYONG IMO 8705539").  Two scorers:
 *
 *   ofac    OFAC's published method (its first-letter, 50 % edit-distance
 *           candidate gate, then Jaro-Winkler of the whole name and of each
 *           word, the higher of the two), for comparison with what OFAC's
 *           own search tool shows;
 *   attest  words folded across romanisations and paired one to one by
 *           Jaro-Winkler, each pair weighted by how rare its words are on
 *           the lists, company-form words weighed down, unmatched query
 *           words penalised more than unmatched list words, and numbers
 *           decisive.
 *
 * An identifier (IMO, SWIFT/BIC, phone, e-mail, registration, passport)
 * equal to a listed one makes a hit of score 100 whatever the name.  Each
 * hit explains itself: the entry, the name that matched, which words
 * paired with which and the score of each.  docs/screening.md describes
 * the scoring.
 */
#ifndef SCREEN_H
#define SCREEN_H

#include "attest.h"
#include "store.h"

#include <jansson.h>

struct screen_index;

/* Builds the index from the newest version of each list; AT_ENOTFOUND when
 * no list has been imported.  Free with screen_index_free. */
int screen_index_load(struct at_ctx *ctx, struct store *st, struct screen_index **out);
/* The same from the given list versions (a JSON array of version ids, as
 * lists_in_force gives), e.g. those in force on a past date. */
int screen_index_load_versions(struct at_ctx *ctx, struct store *st, json_t *versions,
                               struct screen_index **out);
void screen_index_free(struct screen_index *ix);

/* An index of one name (of type, or any type when NULL), for comparing a
 * name with it: its words weigh as in weights_from, the lists' index, or,
 * when that is NULL, as SCREEN_DEFAULT_IDF says (docs/commands/screen.md).
 * weights_from must outlive it. */
int screen_index_pair(struct at_ctx *ctx, const struct screen_index *weights_from,
                      const char *name, const char *type, struct screen_index **out);

/* Counts for reports: entries and indexed name forms. */
void screen_index_counts(const struct screen_index *ix, size_t *entries, size_t *names);

enum screen_scorer { SCREEN_ATTEST, SCREEN_OFAC };

struct screen_query {
    const char *name;          /* may be NULL or "" when ids are given */
    const char *type;          /* person, company, vessel, aircraft or NULL */
    const char *const *ids;    /* identifier values, any kind; may be NULL */
    size_t nids;
    enum screen_scorer scorer;
    double threshold;          /* 0..100 */
    size_t limit;              /* 0: no limit; at most SCREEN_LIMIT_MAX */
};

/* The most hits a caller may ask for (the CLI's --limit, the API's "limit"). */
#define SCREEN_LIMIT_MAX 500

/* Screens one query.  *hits is a new JSON array, best first, of
 *   {"list", "key", "type", "name", "score", "scorer", "matched_name",
 *    "quality", "explain": {...}} */
int screen_query(struct at_ctx *ctx, const struct screen_index *ix, const struct screen_query *q,
                 json_t **hits);

/* The same hits as screen_query, found by scoring every listed name
 * instead of only the candidates the index leads to: slow, the reference
 * that candidates and pruning are tested against. */
int screen_query_exhaustive(struct at_ctx *ctx, const struct screen_index *ix,
                            const struct screen_query *q, json_t **hits);

/* A hit's explanation in one line of text: "identifier ...; query~name
 * score, ...; unmatched: ...". */
void screen_explain_text(json_t *explain, struct buf *out);

/* The default threshold of screening (the CLI's --threshold). */
#define SCREEN_THRESHOLD 80.0

/* Compares two names as screening would score name1 against name2 listed
 * (weights as screen_index_pair): *out is a new object
 *   {"name1", "name2", "type", "threshold", "weights": "lists"|"default",
 *    "attest": {"score", "match", "explain"}, "ofac": {"score", "match", "explain"}}
 * with match true when the score reaches SCREEN_THRESHOLD.  type may be
 * NULL or "" (any). */
int screen_compare(struct at_ctx *ctx, const struct screen_index *lists, const char *name1,
                   const char *name2, const char *type, json_t **out);

/* Compares each pair of a file of pairs, a line "name1<TAB>name2[<TAB>type]"
 * each (empty lines skipped; CR LF line ends taken), as screen_compare:
 * each result, with "line" (from 1) added, is given to each(arg, result),
 * which owns it and returns AT_OK to go on.  A bad line stops the reading:
 * AT_EINVAL, the message "name:LINE: " and what is wrong (name is the
 * file's name as the user knows it). */
int screen_compare_pairs(struct at_ctx *ctx, const struct screen_index *lists, FILE *in,
                         const char *name, int (*each)(void *arg, json_t *result), void *arg);

/* Whether type is a listed type a name may be compared as: NULL or ""
 * (any), person, company, vessel or aircraft. */
bool screen_type_valid(const char *type);

/* Parses a scorer name ("ofac", "attest"). */
int screen_scorer_parse(struct at_ctx *ctx, const char *name, enum screen_scorer *out);

/* The OFAC-parity score (0..100) of a query name against one list name,
 * and its explanation when explain is not NULL (a new object). */
double screen_ofac_score(const char *query, const char *name, json_t **explain);

/* OFAC's candidate gate: whether some query word (of those longer than two
 * letters, or all when none is) shares its first letter with a word of the
 * list name and is at least 50 % similar to it by edit distance (no more
 * edits than half the longer word).  screen_query with the ofac scorer
 * scores only the names that pass. */
bool screen_ofac_gate(const char *query, const char *name);

/*
 * A batch in the shape of OpenSanctions' /match: request
 *   {"queries": {"ID": {"schema": "Person|Company|Organization|LegalEntity|Vessel",
 *                       "properties": {"name": [...], "imoNumber": [...],
 *                                      "swiftBic": [...], "phone": [...],
 *                                      "email": [...], "registrationNumber": [...]}}},
 *    "threshold": 0.8, "algorithm": "attest|ofac", "limit": 5}
 * response
 *   {"responses": {"ID": {"status": 200, "results": [hit + "match": bool],
 *                         "total": N}}, "limit": N}
 * A bad query gets {"status": 400, "error": message} and the others still
 * run.  For the HTTP server: one call per request.
 */
int screen_match_json(struct at_ctx *ctx, const struct screen_index *ix, json_t *request,
                      json_t **response);

/*
 * Ranks listed entities that share attributes with an entity: the list
 * entry named by ref ("KPe.010", "ofac:9345", "un:KPe.010") or, failing
 * that, any entry whose name matches ref.  Shared addresses, phones,
 * e-mails, identifiers and "Linked To" names count, each weighted by how
 * rare it is (log of entries over entries sharing it), and so do
 * mentions: remarks of one entry naming the other.  *out is a new object
 * {"entity": {...}, "candidates": [{"list", "key", "name", "score",
 * "evidence": [{"kind", "value", "shared_by", "weight"}]}]}.
 */
int screen_successors(struct at_ctx *ctx, struct store *st, const char *ref, size_t limit,
                      json_t **out);

/*
 * The archive's own records.  screen_entity_of_record turns an
 * organisation, person or vessel the session may read into an entity
 * shaped like a list entry: {"key": id, "type", "record_type", "name",
 * "names": [{"name", "quality"}], "ids": [{"kind", "value", "note"?}],
 * "addresses": [{"street"}], "links": [{"relation", "type", "name"}],
 * "remarks"?}.  Its ids are its IMO number, phones, e-mails, SWIFT/BIC and
 * registration numbers, and the IMO numbers of the vessels it owns (noted
 * "owned vessel"); its links are the records at the other end of its
 * ownership, directorship and succession relations.
 */
int screen_entity_of_record(struct at_ctx *ctx, struct store *st, const char *id, json_t **out);

/* Screens a record (organisation, person or vessel): each of its names
 * with its own identifiers, q's scorer and threshold.  *hits is a new
 * array as screen_query gives, one hit per list entry (its best), each
 * with "query": the record's name that matched. */
int screen_record(struct at_ctx *ctx, struct store *st, const struct screen_index *ix,
                  const char *id, const struct screen_query *q, json_t **hits);

/* Successors of an entity that is on no list: entity is shaped like a
 * list entry (as screen_entity_of_record makes, or typed in: "name",
 * "names", "ids", "addresses", "links" as names, "remarks").  The result
 * is as screen_successors gives, with the entity's own key if any. */
int screen_successors_entity(struct at_ctx *ctx, struct store *st, json_t *entity, size_t limit,
                             json_t **out);

#endif
