/*
 * screen.c: the screening query (see screen.h): identifiers in the query
 * and among its values, the names each scorer finds, each hit with its
 * explanation, best first, and the /match batch.  The index is in
 * screen_index.c, the scorers in screen_attest.c and screen_ofac.c; their
 * shared structures in screen_int.h.
 */
#include "attest.h"
#include "lists.h"
#include "names.h"
#include "screen.h"
#include "screen_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

/* ---- identifiers -------------------------------------------------------- */

/* Identifier kinds recognised in query text. */
static void find_ids(const char *text, struct buf *name_out, json_t *ids)
{
    const char *p = text;

    while (*p) {
        size_t len = strcspn(p, " ,;");
        char word[64];
        if (len > 0 && len < sizeof word) {
            memcpy(word, p, len);
            word[len] = '\0';
            size_t digits = 0, alpha = 0, upper = 0;
            for (size_t i = 0; i < len; i++) {
                digits += isdigit((unsigned char)word[i]) != 0;
                alpha += isalpha((unsigned char)word[i]) != 0;
                upper += isupper((unsigned char)word[i]) != 0;
            }
            const char *kind = NULL;
            if (strcasecmp(word, "IMO") == 0) {
                p += len;
                while (*p == ' ' || *p == ':')
                    p++;
                continue;
            }
            if (digits == 7 && len == 7)
                kind = "imo";
            else if (strncasecmp(word, "IMO", 3) == 0 && digits == 7 && len == 10)
                kind = "imo";
            else if ((len == 8 || len == 11) && upper >= 6 && digits + upper == len
                     && isupper((unsigned char)word[4]) && isupper((unsigned char)word[5])
                     && alpha >= 6 && digits >= 1)
                kind = "swift";
            else if (strchr(word, '@'))
                kind = "email";
            else if (digits >= 8 && alpha == 0)
                kind = "phone";
            if (kind) {
                json_array_append_new(ids, json_string(word));
            } else {
                if (name_out->len)
                    buf_putc(name_out, ' ');
                buf_append(name_out, p, len);
            }
        }
        p += len;
        while (*p == ' ' || *p == ',' || *p == ';')
            p++;
    }
    buf_puts(name_out, "");
}

/* The identifier kinds a value might be, normalised, tried in turn. */
static void id_candidates(const char *value, json_t *keys)
{
    static const char *const kinds[] = { "imo", "swift", "phone", "email", "registration",
                                         "passport", "mmsi" };
    struct buf norm = BUF_INIT;

    for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
        buf_reset(&norm);
        buf_printf(&norm, "%s:", kinds[i]);
        size_t at = norm.len;
        lists_attr_norm(kinds[i], value, &norm);
        if (norm.len > at + 2)
            json_array_append_new(keys, json_string(buf_str(&norm)));
    }
    buf_free(&norm);
}

static bool type_ok(const struct s_entry *e, uint8_t tcode, const char *type)
{
    if (type == NULL || *type == '\0')
        return true;
    if (tcode != T_OTHER)
        return e->tcode == tcode;
    return strcmp(e->type, type) == 0;
}

/* Keeps score s of name n if it is its entry's best so far. */
static void note_best(const struct screen_index *ix, struct scratch *sc, uint32_t qst, uint32_t n,
                      double s, int variant, int form)
{
    const struct s_name *sn = &ix->names[n];
    struct best *b = &sc->best[sn->entry];

    if (sc->estamp[sn->entry] != qst) {
        sc->estamp[sn->entry] = qst;
        b->score = 0;
        sc->etouched[sc->netouched++] = sn->entry;
    }
    if (s > b->score) {
        b->score = s;
        b->name = n;
        b->variant = variant;
        b->form = form;
    }
}

static bool utf8_valid(const char *s)
{
    int32_t i = 0, len = (int32_t)strlen(s);

    while (i < len) {
        UChar32 c;
        U8_NEXT(s, i, len, c);
        if (c < 0)
            return false;
    }
    return true;
}

int screen_scorer_parse(struct at_ctx *ctx, const char *name, enum screen_scorer *out)
{
    if (strcmp(name, "attest") == 0)
        *out = SCREEN_ATTEST;
    else if (strcmp(name, "ofac") == 0)
        *out = SCREEN_OFAC;
    else
        return ctx_error(ctx, AT_EINVAL, "\"%s\" is not a scorer; valid: attest, ofac", name);
    return AT_OK;
}

static int cmp_hits(const void *a, const void *b)
{
    json_t *ha = *(json_t *const *)a, *hb = *(json_t *const *)b;
    double x = json_real_value(json_object_get(ha, "score"));
    double y = json_real_value(json_object_get(hb, "score"));
    if (x != y)
        return (x < y) - (x > y);
    int c = strcmp(json_string_value(json_object_get(ha, "list")), json_string_value(json_object_get(hb, "list")));
    return c ? c : strcmp(json_string_value(json_object_get(ha, "key")), json_string_value(json_object_get(hb, "key")));
}

static json_t *hit_of(const struct s_entry *e, double score, const char *scorer)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:f, s:s}", "list", e->list, "key", e->key,
                     "type", e->type, "name", e->name, "score", round(score * 10) / 10,
                     "scorer", scorer);
}

/* Every listed name, in sc->touched. */
static void all_names(const struct screen_index *ix, struct scratch *sc)
{
    for (size_t n = 0; n < ix->nnames; n++)
        sc->touched[n] = (uint32_t)n;
    sc->ntouched = ix->nnames;
}

/* Whether s is written in Latin letters only (digits, spaces and
 * punctuation aside). */
static bool latin_text(const char *s)
{
    int32_t i = 0, len = (int32_t)strlen(s);

    while (i < len) {
        UChar32 c;
        U8_NEXT(s, i, len, c);
        UErrorCode err = U_ZERO_ERROR;
        UScriptCode sc = c < 0 ? USCRIPT_COMMON : uscript_getScript(c, &err);
        if (sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED && sc != USCRIPT_LATIN)
            return false;
    }
    return true;
}

/* OFAC's method for one text of the query (code points q): the names
 * through its gate (or all, exhaustive), each scored once; the best of
 * each entry kept with the text's number. */
static void ofac_text(const struct screen_index *ix, struct scratch *sc, const struct screen_query *q,
                      uint8_t tcode, const uint32_t *q_cp, size_t nq_cp, bool exhaustive, uint32_t qst,
                      int text)
{
    size_t qs[MAX_WORDS], ql[MAX_WORDS], nqw = screen_ofac_query_words(q_cp, nq_cp, qs, ql);
    uint32_t gst = screen_scratch_stamp(ix, sc);
    uint64_t qmask = screen_letter_mask(q_cp, nq_cp);

    if (exhaustive)
        all_names(ix, sc);
    else
        screen_ofac_gate_names(ix, sc, q_cp, nq_cp, gst);
    sc->ntrows = 0;
    for (size_t t = 0; t < sc->ntouched; t++) {
        uint32_t n = sc->touched[t];
        const struct s_name *sn = &ix->names[n];
        if (sn->cp == NULL || !type_ok(&ix->entries[sn->entry], tcode, q->type))
            continue;
        if (exhaustive && !screen_ofac_cp_gate(q_cp, nq_cp, sn->cp, sn->ncp))
            continue;
        double s = exhaustive ? screen_ofac_cp_score(q_cp, nq_cp, sn->cp, sn->ncp, NULL)
                              : screen_ofac_fast_score(ix, sc, gst, q_cp, nq_cp, qmask, qs, ql, nqw, sn,
                                                       q->threshold);
        if (s > 0)
            note_best(ix, sc, qst, n, s, 0, text);
    }
}

/* Screens q: through the candidates and the bound that prunes them, or,
 * when exhaustive, by scoring every listed name (the reference the
 * candidates must agree with). */
static int query_run(struct at_ctx *ctx, const struct screen_index *ix, const struct screen_query *q,
                     bool exhaustive, json_t **hits)
{
    struct buf name = BUF_INIT;
    json_t *ids = json_array(), *id_keys = json_array(), *v;
    struct name_forms forms = { { NULL }, 0 };
    struct scratch *sc = screen_scratch_get(ix);
    struct q_form qf[NAMES_MAX_FORMS];
    uint8_t tcode = q->type ? screen_type_code(q->type) : T_OTHER;
    uint32_t *q_cps[NAMES_MAX_FORMS + 1] = { NULL }, nq_cps[NAMES_MAX_FORMS + 1] = { 0 };
    size_t nofac = 0;
    struct buf typed = BUF_INIT;
    size_t i;
    int rc = AT_OK;

    *hits = NULL;
    memset(qf, 0, sizeof qf);
    uint32_t qst = screen_scratch_stamp(ix, sc);
    sc->netouched = 0;
    find_ids(q->name ? q->name : "", &name, ids);
    for (i = 0; i < q->nids; i++)
        json_array_append_new(ids, json_string(q->ids[i]));
    json_array_foreach(ids, i, v)
        id_candidates(json_string_value(v), id_keys);
    /* identifiers first */
    json_array_foreach(id_keys, i, v) {
        const char *k = json_string_value(v);
        uint32_t p = screen_map_get(&ix->id_map, k, strlen(k));
        if (p == UINT32_MAX)
            continue;
        for (size_t j = 0; j < ix->id_postings[p].n; j++) {
            uint32_t e = ix->id_postings[p].v[j];
            if (!type_ok(&ix->entries[e], tcode, q->type))
                continue;
            if (sc->estamp[e] != qst) {
                sc->estamp[e] = qst;
                sc->best[e].score = 0;
                sc->etouched[sc->netouched++] = e;
            }
            sc->idstamp[e] = qst;
            sc->idlabel[e] = ix->id_labels[p];
        }
    }
    if (q->scorer == SCREEN_OFAC) {
        /* OFAC's own method: its gate, then each name that passes scored
         * on the query as typed (with words run together split); a query
         * in another script also on each of its Latin readings, as OFAC's
         * own tool does not */
        if (!utf8_valid(buf_str(&name))) {
            rc = ctx_error(ctx, AT_EINVAL, "the name is not valid UTF-8");
            goto out;
        }
        names_reshape(buf_str(&name), &typed);
        nofac = 1;
        q_cps[0] = screen_ofac_codepoints(buf_str(&typed), &nq_cps[0]);
        if (!latin_text(buf_str(&name)) && name.len
            && (rc = names_normalise(ctx, buf_str(&name), &forms)) != AT_OK)
            goto out;
        for (size_t f = 0; f < forms.n; f++)
            if (!screen_form_native(forms.form[f]))
                q_cps[nofac] = screen_ofac_codepoints(forms.form[f], &nq_cps[nofac]), nofac++;
        for (size_t k = 0; k < nofac; k++)
            ofac_text(ix, sc, q, tcode, q_cps[k], nq_cps[k], exhaustive, qst, (int)k);
    } else if (name.len && (rc = names_normalise(ctx, buf_str(&name), &forms)) != AT_OK) {
        goto out;
    }
    uint8_t q_script = screen_text_script(buf_str(&name));
    for (size_t f = 0; q->scorer == SCREEN_ATTEST && f < forms.n; f++) {
        struct q_form *qff = &qf[f];
        bool q_native = screen_form_native(forms.form[f]);
        screen_q_form_build(ix, forms.form[f], qff);
        uint32_t fst = screen_scratch_stamp(ix, sc);
        float col_w[MAX_QW];
        sc->memo.stamp = fst;
        sc->memo.nrows = 0;
        if (exhaustive)
            all_names(ix, sc);
        else
            screen_candidates(ix, sc, qff, fst, q->threshold, q->threshold > 0, col_w);
        for (size_t t = 0; t < sc->ntouched; t++) {
            uint32_t n = sc->touched[t];
            const struct s_name *sn = &ix->names[n];
            if (!type_ok(&ix->entries[sn->entry], tcode, q->type))
                continue;
            /* two names in one script (Hangul, Chinese) compare in it */
            if (q_script != SCRIPT_OTHER && q_script == sn->script && !(q_native && sn->native))
                continue;
            if (!exhaustive && screen_score_bound(qff, col_w, sn->max_wr, sc->nmask[n]) + 1e-6 < q->threshold)
                continue;
            int variant = 0;
            double s = screen_score_variants(ix, &sc->memo, qff, sn, &variant, NULL);
            if (s > 0)
                note_best(ix, sc, qst, n, s, variant, (int)f);
        }
    }
    *hits = json_array();
    for (size_t t = 0; t < sc->netouched; t++) {
        uint32_t e = sc->etouched[t];
        const struct best *b = &sc->best[e];
        bool id_hit = sc->idstamp[e] == qst;
        if (!id_hit && (b->score < q->threshold || b->score <= 0))
            continue;
        const char *scorer = q->scorer == SCREEN_OFAC ? "ofac" : "attest";
        json_t *hit = hit_of(&ix->entries[e], id_hit ? 100.0 : b->score, scorer);
        json_t *explain = NULL;
        if (b->score > 0) {
            const struct s_name *sn = &ix->names[b->name];
            json_object_set_new(hit, "matched_name", json_string(sn->text));
            json_object_set_new(hit, "quality", json_string(sn->quality));
            json_object_set_new(hit, "name_score", json_real(round(b->score * 10) / 10));
            if (q->scorer == SCREEN_OFAC) {
                explain = json_object();
                screen_ofac_cp_score(q_cps[b->form], nq_cps[b->form], sn->cp, sn->ncp, explain);
            } else {
                int variant;
                explain = json_object();
                screen_score_variants(ix, NULL, &qf[b->form], sn, &variant, explain);
                json_object_set_new(explain, "query_form", json_string(forms.form[b->form]));
            }
        }
        if (id_hit) {
            if (explain == NULL)
                explain = json_object();
            json_object_set_new(explain, "identifier", json_string(sc->idlabel[e]));
            json_object_set_new(hit, "match", json_string("identifier"));
        }
        if (explain)
            json_object_set_new(hit, "explain", explain);
        json_array_append_new(*hits, hit);
    }
    /* best first (ties in list order), then cut to the limit */
    size_t n = json_array_size(*hits);
    json_t **sorted = xmalloc((n ? n : 1) * sizeof *sorted);
    for (i = 0; i < n; i++)
        sorted[i] = json_incref(json_array_get(*hits, i));
    qsort(sorted, n, sizeof *sorted, cmp_hits);
    json_array_clear(*hits);
    for (i = 0; i < n; i++) {
        if (q->limit == 0 || i < q->limit)
            json_array_append(*hits, sorted[i]);
        json_decref(sorted[i]);
    }
    free(sorted);
out:
    for (size_t k = 0; k < nofac; k++)
        free(q_cps[k]);
    buf_free(&typed);
    for (size_t f = 0; f < NAMES_MAX_FORMS; f++) {
        buf_free(&qf[f].joined_text);
        buf_free(&qf[f].key_text);
    }
    names_forms_free(&forms);
    json_decref(ids);
    json_decref(id_keys);
    buf_free(&name);
    screen_scratch_put(ix, sc);
    return rc;
}

int screen_query(struct at_ctx *ctx, const struct screen_index *ix, const struct screen_query *q,
                 json_t **hits)
{
    return query_run(ctx, ix, q, false, hits);
}

int screen_query_exhaustive(struct at_ctx *ctx, const struct screen_index *ix,
                            const struct screen_query *q, json_t **hits)
{
    return query_run(ctx, ix, q, true, hits);
}

void screen_explain_text(json_t *explain, struct buf *out)
{
    json_t *p;
    size_t i;

    buf_reset(out);
    if (json_object_get(explain, "identifier"))
        buf_printf(out, "identifier %s; ", json_string_value(json_object_get(explain, "identifier")));
    json_array_foreach(json_object_get(explain, "pairs"), i, p)
        buf_printf(out, "%s%s~%s %.0f", i ? ", " : "", json_string_value(json_object_get(p, "query")),
                   json_string_value(json_object_get(p, "name")),
                   json_number_value(json_object_get(p, "score")));
    json_t *uq = json_object_get(explain, "unmatched_query");
    if (json_array_size(uq)) {
        buf_puts(out, "; unmatched:");
        json_array_foreach(uq, i, p)
            buf_printf(out, " %s", json_string_value(p));
    }
    if (json_is_false(json_object_get(explain, "gate")))
        buf_puts(out, "not through OFAC's gate");
    buf_puts(out, "");
}

bool screen_type_valid(const char *type)
{
    return type == NULL || *type == '\0' || strcmp(type, "person") == 0 || strcmp(type, "company") == 0
        || strcmp(type, "vessel") == 0 || strcmp(type, "aircraft") == 0;
}

int screen_compare(struct at_ctx *ctx, const struct screen_index *lists, const char *name1,
                   const char *name2, const char *type, json_t **out)
{
    static const enum screen_scorer scorers[] = { SCREEN_ATTEST, SCREEN_OFAC };
    static const char *const scorer_names[] = { "attest", "ofac" };
    struct screen_index *pair = NULL;
    int rc;

    *out = NULL;
    if (type && *type == '\0')
        type = NULL;
    if ((rc = screen_index_pair(ctx, lists, name2, type, &pair)) != AT_OK)
        return ctx_prefix(ctx, "name2: ");
    json_t *res = json_pack("{s:s, s:s, s:s?, s:f, s:s}", "name1", name1, "name2", name2, "type", type,
                            "threshold", SCREEN_THRESHOLD, "weights", lists ? "lists" : "default");
    for (size_t s = 0; s < ARRAY_LEN(scorers); s++) {
        struct screen_query q = { name1, type, NULL, 0, scorers[s], 0.0, 1 };
        json_t *hits = NULL;
        if ((rc = screen_query(ctx, pair, &q, &hits)) != AT_OK) {
            ctx_prefix(ctx, "name1: ");
            json_decref(res);
            screen_index_free(pair);
            return rc;
        }
        json_t *hit = json_array_get(hits, 0);
        double score = hit ? json_real_value(json_object_get(hit, "score")) : 0.0;
        json_t *explain = hit ? json_incref(json_object_get(hit, "explain")) : json_object();
        if (hit == NULL && scorers[s] == SCREEN_OFAC)
            json_object_set_new(explain, "gate", json_false());
        json_object_set_new(res, scorer_names[s], json_pack("{s:f, s:b, s:o}", "score", score, "match",
                                                            score >= SCREEN_THRESHOLD, "explain", explain));
        json_decref(hits);
    }
    screen_index_free(pair);
    *out = res;
    return AT_OK;
}

/* The screen type of a FollowTheMoney schema, or "" for any; NULL if unknown. */
static const char *schema_type(const char *schema)
{
    static const char *const map[][2] = {
        { "Company", "company" }, { "LegalEntity", "" }, { "Organization", "company" },
        { "Person", "person" }, { "Thing", "" }, { "Vessel", "vessel" }, { "Airplane", "aircraft" },
    };

    for (size_t i = 0; i < ARRAY_LEN(map); i++)
        if (strcmp(map[i][0], schema) == 0)
            return map[i][1];
    return NULL;
}

/* Screens one query of a batch into a response object. */
static json_t *match_one(const struct screen_index *ix, json_t *query, enum screen_scorer scorer,
                         double threshold, size_t limit)
{
    static const char *const id_props[] = { "imoNumber", "swiftBic", "phone", "email",
                                            "registrationNumber", "passportNumber", "mmsi" };
    struct at_ctx ctx = { 0 };
    const char *schema = json_string_value(json_object_get(query, "schema"));
    json_t *props = json_object_get(query, "properties"), *v, *hits = NULL, *results = json_array();
    const char *ids[32];
    size_t nids = 0, i;
    const char *type = schema_type(schema ? schema : "Thing");

    if (type == NULL || !json_is_object(props)) {
        json_decref(results);
        return json_pack("{s:i, s:s}", "status", 400, "error",
                         type == NULL ? "schema: not one of Person, Company, Organization, LegalEntity, Vessel, Airplane"
                                      : "properties: must be an object");
    }
    for (size_t k = 0; k < ARRAY_LEN(id_props); k++)
        json_array_foreach(json_object_get(props, id_props[k]), i, v)
            if (json_is_string(v) && nids < ARRAY_LEN(ids))
                ids[nids++] = json_string_value(v);
    json_t *names = json_object_get(props, "name");
    size_t nnames = json_array_size(names);
    for (size_t n = 0; n < (nnames ? nnames : 1); n++) {
        struct screen_query q = { nnames ? json_string_value(json_array_get(names, n)) : "",
                                  *type ? type : NULL, ids, nids, scorer, threshold, limit };
        if (screen_query(&ctx, ix, &q, &hits) != AT_OK) {
            json_decref(results);
            return json_pack("{s:i, s:s}", "status", 400, "error", ctx.message);
        }
        /* keep the best hit per entry over the query's names */
        json_array_foreach(hits, i, v) {
            json_t *r;
            size_t j;
            bool seen = false;
            json_array_foreach(results, j, r)
                if (json_equal(json_object_get(r, "key"), json_object_get(v, "key"))
                    && json_equal(json_object_get(r, "list"), json_object_get(v, "list")))
                    seen = true;
            if (!seen) {
                json_object_set_new(v, "match", json_boolean(json_real_value(json_object_get(v, "score")) >= threshold));
                json_array_append(results, v);
            }
        }
        json_decref(hits);
    }
    return json_pack("{s:i, s:o, s:I}", "status", 200, "results", results, "total",
                     (json_int_t)json_array_size(results));
}

int screen_match_json(struct at_ctx *ctx, const struct screen_index *ix, json_t *request,
                      json_t **response)
{
    json_t *queries = json_object_get(request, "queries"), *q, *responses;
    json_t *t = json_object_get(request, "threshold"), *l = json_object_get(request, "limit");
    const char *alg = json_string_value(json_object_get(request, "algorithm"));
    enum screen_scorer scorer = SCREEN_ATTEST;
    const char *id;

    *response = NULL;
    if (!json_is_object(queries))
        return ctx_error(ctx, AT_EINVAL, "queries: must be an object of query id -> query");
    if (alg && screen_scorer_parse(ctx, alg, &scorer) != AT_OK)
        return ctx_prefix(ctx, "algorithm: ");
    double threshold = t ? json_number_value(t) * 100.0 : 70.0;
    size_t limit = l ? (size_t)json_integer_value(l) : 5;
    responses = json_object();
    json_object_foreach(queries, id, q)
        json_object_set_new(responses, id, match_one(ix, q, scorer, threshold, limit));
    *response = json_pack("{s:o, s:I}", "responses", responses, "limit", (json_int_t)limit);
    return AT_OK;
}

/* Splits line at tabs into name1, name2 and type; -1 for more than three
 * fields. */
static int split_pair(char *line, char **f, size_t *n)
{
    *n = 0;
    for (char *p = line;; p++) {
        if (*n == 3)
            return -1;
        f[(*n)++] = p;
        p = strchr(p, '\t');
        if (p == NULL)
            return 0;
        *p = '\0';
    }
}

int screen_compare_pairs(struct at_ctx *ctx, const struct screen_index *lists, FILE *in,
                         const char *name, int (*each)(void *arg, json_t *result), void *arg)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned long no = 0;
    int rc = AT_OK;

    while (rc == AT_OK && (len = getline(&line, &cap, in)) >= 0) {
        char *f[3];
        size_t n;
        json_t *r;
        no++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (split_pair(line, f, &n) != 0 || n < 2 || !*f[0] || !*f[1]) {
            rc = ctx_error(ctx, AT_EINVAL, "%s:%lu: want name1<TAB>name2<TAB>type (type may be "
                           "empty), both names non-empty", name, no);
            break;
        }
        const char *type = n == 3 ? f[2] : NULL;
        if (!screen_type_valid(type)) {
            rc = ctx_error(ctx, AT_EINVAL, "%s:%lu: field \"type\": \"%s\"; valid: person, company, "
                           "vessel, aircraft or empty", name, no, type);
            break;
        }
        if ((rc = screen_compare(ctx, lists, f[0], f[1], type, &r)) != AT_OK) {
            ctx_prefix(ctx, "%s:%lu: ", name, no);
            break;
        }
        json_object_set_new(r, "line", json_integer((json_int_t)no));
        rc = each(arg, r);
    }
    free(line);
    return rc;
}
