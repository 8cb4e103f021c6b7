/*
 * screen_int.h: the screen index's structures and the calls the
 * screening files share (screen_index.c, screen_attest.c, screen_ofac.c,
 * screen.c); not for other modules.
 *
 *   screen_index.c   the index: loading list versions, words and keys,
 *                    rarity weights, key blocks, scratch space for queries
 *   screen_attest.c  the attest scorer, its query forms and its candidates
 *                    with the bound that prunes them
 *   screen_ofac.c    OFAC's tokens, candidate gate and scorer
 *   screen.c         the query: identifiers, both scorers' hits, their
 *                    explanations, and the /match batch
 */
#ifndef SCREEN_INT_H
#define SCREEN_INT_H

#include "attest.h"
#include "screen.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define MAX_WORDS 24
/* The rarity of every word without lists to weigh them by (screen
 * compare without an archive): that of a word held by about one listed
 * name in a thousand. */
#define SCREEN_DEFAULT_IDF 8.0f
#define PREFIX_LEN 3

/* A string -> uint32 hash map (screen_map_*). */
struct strmap {
    char **keys;
    uint32_t *vals;
    uint64_t *hashes;
    size_t cap, n;
};

/* A growable array of uint32. */
struct u32vec {
    uint32_t *v;
    size_t n, cap;
};


/* Blocks of values by the 64-bit hash of a string, packed: the values of
 * bucket b are start[b] .. start[b+1]; a lookup keeps those whose hash is
 * equal (a rare collision only adds a value the caller checks anyway). */
struct hblocks {
    uint32_t mask;
    uint32_t *start;
    uint64_t *hash;
    uint32_t *val;
};

struct hpair {
    uint64_t hash;
    uint32_t val;
};

/* ---- the index ---------------------------------------------------------- */

struct s_word {
    char *raw, *key;
    uint16_t rawlen, keylen;
    uint8_t cls;          /* enum name_word_class */
    uint32_t key_id;
    float weight;         /* screen_word_weight of its key's IDF */
    bool syllables;       /* its key is Korean syllables (names_korean_syllables) */
    bool korean;          /* Korean syllables, mostly in Korean names (names_korean_name) */
    uint32_t in_korean, in_all;   /* names holding it that are Korean, all (while loading) */
};

struct s_name {
    uint32_t entry;
    float max_wr;         /* weight of its heaviest word */
    const char *text;     /* the name as listed (owned by names_text) */
    const char *quality;
    uint32_t *words;      /* word ids of the form */
    uint16_t nwords;
    uint32_t *joined;     /* the form with the given-name words joined, or NULL */
    uint16_t njoined;
    uint32_t *cp;         /* OFAC tokens: code points, tokens separated by ' ' */
    uint32_t ncp;
    uint64_t cpmask;      /* the letters of cp, one bit each (mod 64) */
    uint32_t *gtok;       /* its distinct OFAC tokens (gate token ids), or NULL */
    uint16_t ngtok;
    uint8_t script;       /* enum s_script of the name as listed */
    bool native;          /* this form is in that script, not romanised */
};

/* Scripts whose names are compared in that script when both sides are
 * in it (최용호 is not 최영호, though both romanise to Choe Yong Ho). */
enum s_script { SCRIPT_OTHER, SCRIPT_HANGUL, SCRIPT_HAN };

struct s_entry {
    char *list, *key, *type, *name;
    uint8_t tcode;        /* enum s_type */
};

enum s_type { T_OTHER, T_PERSON, T_COMPANY, T_VESSEL, T_AIRCRAFT };

/* OFAC's candidate gate (FAQ 249: candidates are selected "based on the
 * first letter of input search terms" and by being at least 50 % similar
 * by edit distance).  Each distinct OFAC token of the listed names is kept
 * once, with the names holding it; the tokens are ordered by first letter,
 * then length, so that a query word only looks at the listed words that
 * share its first letter and whose length could be within half of it. */
struct ofac_gate {
    struct strmap map;          /* token (UTF-8) -> token id */
    uint32_t *cp;               /* the tokens' code points, packed */
    size_t ncp, capcp;
    uint32_t *off;              /* token id -> its code points in cp */
    uint16_t *len;
    uint64_t *mask;             /* token id -> its letters, one bit each (mod 64) */
    size_t ntok, captok;
    struct u32vec pairs;        /* (token, name) pairs while loading: 2 per pair */
    uint64_t *order;            /* (first letter, length, token id), sorted */
    uint32_t *name_start;       /* token id -> its names in name_ids */
    uint32_t *name_ids;
};

struct scratch;

/* The index itself. */
struct screen_index {
    struct s_entry *entries;
    size_t nentries;
    struct s_name *names;
    size_t nnames, capnames;
    char **texts;
    size_t ntexts, captexts;
    struct s_word *words;
    size_t nwords, capwords;
    struct strmap word_map;     /* raw word -> word id */
    struct strmap key_map;      /* folded key -> key id */
    uint32_t *key_df;           /* names holding each key */
    const char **key_str;       /* key id -> the key (owned by a word) */
    uint16_t *key_len;
    uint64_t *key_mask;         /* key id -> its letters, one bit each (mod 64) */
    float *key_idf;
    float *key_w;               /* key id -> heaviest weight of its words */
    float max_key_w;
    size_t nkeys, capkeys;
    uint32_t *key_name_start;   /* key id -> its names in key_name_ids */
    uint32_t *key_name_ids;
    struct hblocks prefix_blocks;   /* first three letters of a key -> keys */
    struct hblocks del_blocks;      /* a key with one letter deleted -> keys */
    struct ofac_gate gate;      /* OFAC's candidate gate over the OFAC tokens */
    struct strmap id_map;       /* "kind:norm" -> posting list id of entries */
    struct u32vec *id_postings;
    size_t nid_postings;
    char **id_labels;
    float max_idf;              /* the weight of a word the lists do not hold */
    bool borrowed;              /* weights from weights_from, or the default (NULL) */
    const struct screen_index *weights_from;
    pthread_mutex_t pool_lock;  /* scratch spaces not in use */
    struct scratch **pool;
    size_t npool, cappool;
};

/* gate order keys: (first letter << GATE_FIRST_SHIFT) | (length << GATE_LEN_SHIFT) | token id */
#define GATE_ID_BITS 27
#define GATE_LEN_SHIFT GATE_ID_BITS
#define GATE_FIRST_SHIFT (GATE_ID_BITS + 16)

/* ---- the attest scorer ------------------------------------------------- */

/* A query word: interned when the index has it, else standalone. */
struct q_word {
    const char *raw, *key;
    size_t rawlen, keylen;
    uint8_t cls;
    bool korean;                /* Korean syllables in a Korean name */
    float weight;
    uint32_t word_id, key_id;   /* in the index, or UINT32_MAX */
};

#define EXTRA_QUERY 0.8   /* weight of an unmatched query word */
#define EXTRA_NAME 0.2    /* weight of an unmatched list word */
#define PAIR_MIN 0.80     /* word similarity below which words do not pair */
#define ONE_SLIP 0.85     /* similarity of two words (4+ letters) one slip apart */
#define ORDER_COST 0.25   /* share of a company's score lost when its words are all swapped */

/* Word similarities computed once per query word and listed word. */
#define MAX_QW (MAX_WORDS + 1)
struct memo {
    uint32_t stamp;        /* this query form's */
    uint32_t *wstamp;      /* word id -> stamp when it has a row */
    uint32_t *wslot;       /* word id -> row */
    float *rows;           /* MAX_QW similarities per row, -1 until computed */
    size_t nrows, caprows;
};

/* A query form: its words, and its given-name words joined. */
struct q_form {
    struct q_word w[MAX_WORDS];
    size_t n;
    struct q_word joined[2];
    size_t njoined;
    uint8_t idx[MAX_WORDS], jidx[2];  /* memo columns of w and joined */
    bool informative;                 /* has a word that is not a company form */
    struct buf joined_text, key_text;
};

/* ---- queries ------------------------------------------------------------- */

/* An entry's best name so far for this query. */
struct best {
    double score;
    uint32_t name;
    int variant;   /* 0: words, 1: joined query, 2: joined name, 3: both */
    int form;
};

struct reach_memo;

/* Per-query arrays kept with the index and reused (screen_scratch_get). */
struct scratch {
    uint32_t epoch;                 /* stamps below older than this are stale */
    uint32_t *nstamp, *nmask;       /* name -> stamp, bits of the query words found there */
    uint32_t *touched;              /* names reached by this form */
    size_t ntouched;
    uint32_t *estamp;               /* entry -> stamp when best[] holds this query's */
    struct best *best;
    uint32_t *etouched;             /* entries with a score or identifier */
    size_t netouched;
    uint32_t *idstamp;              /* entry -> stamp when an identifier hit it */
    const char **idlabel;
    uint32_t *kstamp;               /* key -> stamp of the query word that last saw it */
    uint32_t *kbstamp, *kbits;      /* key -> stamp of the form, bits of the words it is similar to */
    uint32_t *klist;                /* keys similar to each query word in turn */
    size_t nklist, capklist;
    struct memo memo;
    /* the OFAC scorer's word similarities, once per query word and listed token */
    uint32_t *tstamp, *tslot;       /* gate token -> stamp when it has a row, its row */
    double *trows;                  /* MAX_WORDS similarities per row, -1 until computed */
    size_t ntrows, captrows;
    /* the keys each query word reached, kept across queries (words repeat) */
    struct strmap reach_map;        /* class and key of a query word -> its reach_memo */
    struct reach_memo *reach_memo;
    size_t nreach, capreach;
    struct u32vec reach_kids;       /* the keys of every reach_memo, packed */
};

/* The similar keys one query word reached (their ids in reach_kids). */
struct reach_memo {
    uint32_t start, len;
    float max_w;
    size_t names;
};
/* Past these the remembered reaches are forgotten and start again. */
#define REACH_MEMO_WORDS 65536
#define REACH_MEMO_KEYS (1u << 22)

/* ---- screen_index.c ------------------------------------------------------ */

uint64_t screen_hash(const char *s, size_t n);
/* The value of s[0..n), or UINT32_MAX. */
uint32_t screen_map_get(const struct strmap *m, const char *s, size_t n);
void screen_map_put(struct strmap *m, const char *s, size_t n, uint32_t v);
void screen_map_free(struct strmap *m);
void screen_u32_push(struct u32vec *a, uint32_t x);
/* The bytes of w, one bit each (mod 64). */
uint64_t screen_byte_mask(const char *w, size_t n);
/* enum s_script of a name's text. */
uint8_t screen_text_script(const char *text);
/* Whether a normalised form is in its own script (has non-ASCII words). */
bool screen_form_native(const char *form);
/* enum s_type of a type name. */
uint8_t screen_type_code(const char *t);
/* Scratch space from the index's pool (the index itself is not changed:
 * the pool is only a cache, under its own lock); given back with
 * screen_scratch_put. */
struct scratch *screen_scratch_get(const struct screen_index *ix);
void screen_scratch_put(const struct screen_index *ix, struct scratch *sc);
/* The weight of a word of key rarity idf and class cls: company forms
 * weigh a quarter, numbers one and a half. */
float screen_word_weight(float idf, uint8_t cls);
/* The rarity (IDF) of a key: the index's own, or, for a key it does not
 * hold, that of the index it borrows its weights from, or its heaviest;
 * SCREEN_DEFAULT_IDF when ix is NULL. */
float screen_key_idf(const struct screen_index *ix, const char *key, size_t len);
/* Forgets the reaches the scratch space remembers. */
void screen_scratch_forget(struct scratch *sc);
/* A fresh stamp; every stamp array is cleared when the counter would wrap. */
uint32_t screen_scratch_stamp(const struct screen_index *ix, struct scratch *sc);

/* ---- screen_attest.c ----------------------------------------------------- */

void screen_q_form_build(const struct screen_index *ix, const char *form, struct q_form *f);
/* Candidates of query form f (stamp fst): sc->touched gets the names worth
 * scoring, sc->nmask their marks, col_w each query column's heaviest
 * listed weight.  bounded: leave out names that cannot reach threshold. */
void screen_candidates(const struct screen_index *ix, struct scratch *sc, const struct q_form *f,
                       uint32_t fst, double threshold, bool bounded, float *col_w);
/* The best score a name of heaviest word max_wr could reach when the
 * query words of mask pair with its words. */
double screen_score_bound(const struct q_form *f, const float *col_w, float max_wr, uint32_t mask);
/* The attest score of name sn for form f, the best of its word variants
 * (*variant says which), explained into explain when not NULL. */
double screen_score_variants(const struct screen_index *ix, struct memo *m, const struct q_form *f,
                             const struct s_name *sn, int *variant, json_t *explain);

/* ---- screen_ofac.c ------------------------------------------------------- */

/* OFAC's tokens of s as code points (free with free()). */
uint32_t *screen_ofac_codepoints(const char *s, uint32_t *n_out);
/* The letters of w, one bit each (mod 64). */
uint64_t screen_letter_mask(const uint32_t *w, size_t n);
/* Splits code points at spaces: token starts and lengths (at most max). */
size_t screen_cp_tokens(const uint32_t *cp, size_t n, size_t *start, size_t *len, size_t max);
/* Appends code points to out as UTF-8, NUL-terminated. */
void screen_cp_utf8(const uint32_t *cp, size_t n, struct buf *out);
/* The query words the gate and the word score use (starts and lengths). */
size_t screen_ofac_query_words(const uint32_t *q, size_t nq, size_t *qs, size_t *ql);
/* The OFAC score of code points q against c, explained into explain when
 * not NULL. */
double screen_ofac_cp_score(const uint32_t *q, size_t nq, const uint32_t *c, size_t nc,
                            json_t *explain);
/* Whether query code points q pass OFAC's gate with name c (screen_ofac_gate). */
bool screen_ofac_cp_gate(const uint32_t *q, size_t nq, const uint32_t *c, size_t nc);
/* The names passing the gate for q, in sc->touched (stamp st). */
void screen_ofac_gate_names(const struct screen_index *ix, struct scratch *sc, const uint32_t *q,
                            size_t nq, uint32_t st);
/* The OFAC score of sn, exact whenever it can reach threshold. */
double screen_ofac_fast_score(const struct screen_index *ix, struct scratch *sc, uint32_t st,
                              const uint32_t *q, size_t nq, uint64_t qmask, const size_t *qs,
                              const size_t *ql, size_t nqw, const struct s_name *sn,
                              double threshold);

#endif
