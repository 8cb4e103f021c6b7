/*
 * screen_successors.c: ranking listed entities linked to one entity by
 * what the lists themselves say (see screen_successors in screen.h).  Evidence:
 *
 *   shared attribute  an address, phone, e-mail or identifier held by
 *                     both, weighted log(N / entries holding it), so that
 *                     a registered agent's room shared by dozens weighs
 *                     little and a street address shared by two weighs much;
 *   mention           the remarks or "Linked To" of one entry name the
 *                     other ("has taken over many of the activities of
 *                     KOMID", "front company for Daedong Credit Bank"),
 *                     weighted as an attribute held by two.
 *
 * Only the newest version of each list is read.
 */
#include "attest.h"
#include "lists.h"
#include "record.h"
#include "screen.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MENTION_FACTOR 0.5   /* a mention against an attribute shared by two */
#define VIA_VESSEL_FACTOR 0.5 /* the owner of a shared vessel, against the vessel */

/* Upper-case letters and digits of s, single-spaced, padded with a space
 * at each end so that whole words can be found with strstr. */
static void words_upper(const char *s, struct buf *out)
{
    bool space = true;

    buf_reset(out);
    buf_putc(out, ' ');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c >= 0x80) {
            buf_putc(out, (char)toupper(c));
            space = false;
        } else if (c != '\'' && !space) {
            buf_putc(out, ' ');
            space = true;
        }
    }
    if (!space)
        buf_putc(out, ' ');
}

struct cand {
    char *version, *key, *name;
    double score;
    json_t *evidence;
};

struct cands {
    struct cand *v;
    size_t n;
};

static struct cand *cand_get(struct cands *c, const char *version, const char *key, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].version, version) == 0 && strcmp(c->v[i].key, key) == 0)
            return &c->v[i];
    c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
    struct cand *x = &c->v[c->n++];
    x->version = xstrdup(version);
    x->key = xstrdup(key);
    x->name = xstrdup(name);
    x->score = 0;
    x->evidence = json_array();
    return x;
}

static void evidence(struct cand *c, const char *kind, const char *value, long shared_by,
                     double weight)
{
    c->score += weight;
    json_array_append_new(c->evidence, json_pack("{s:s, s:s, s:I, s:f}", "kind", kind,
                                                 "value", value, "shared_by", (json_int_t)shared_by,
                                                 "weight", round(weight * 100) / 100));
}

/* Finds the entry: [SOURCE:]KEY in the newest versions, else a listed name. */
static int find_entity(struct at_ctx *ctx, struct store *st, json_t *current, const char *ref,
                       char version[64], struct buf *key)
{
    static const char by_name[] =
        "SELECT n.key FROM list_name n WHERE n.version = ?1 AND upper(n.name) = upper(?2) LIMIT 1";
    const char *colon = strchr(ref, ':');
    json_t *v, *doc;
    size_t i;

    json_array_foreach(current, i, v) {
        const char *ver = json_string_value(v);
        const char *k = ref;
        if (colon && strncmp(ver, ref, (size_t)(colon - ref)) == 0 && ver[colon - ref] == '-')
            k = colon + 1;
        else if (colon)
            continue;
        if (lists_entry(ctx, st, ver, k, &doc) == AT_OK) {
            json_decref(doc);
            snprintf(version, 64, "%s", ver);
            buf_puts(key, k);
            return AT_OK;
        }
    }
    json_array_foreach(current, i, v) {
        sqlite3_stmt *stmt = store_stmt(ctx, st, by_name);
        if (stmt == NULL)
            return AT_ERR;
        sqlite3_bind_text(stmt, 1, json_string_value(v), -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, ref, -1, SQLITE_STATIC);
        bool found = sqlite3_step(stmt) == SQLITE_ROW;
        if (found) {
            buf_puts(key, (const char *)sqlite3_column_text(stmt, 0));
            snprintf(version, 64, "%s", json_string_value(v));
        }
        sqlite3_reset(stmt);
        if (found)
            return AT_OK;
    }
    return ctx_error(ctx, AT_ENOTFOUND,
                     "\"%s\" is not a list key (KPe.010, ofac:9345) or a listed name", ref);
}

static long count_entries(struct store *st, struct at_ctx *ctx, json_t *current)
{
    static const char sql[] = "SELECT entries FROM list_version WHERE id = ?1";
    json_t *v;
    size_t i;
    long n = 0;

    json_array_foreach(current, i, v) {
        sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
        if (stmt == NULL)
            return 1;
        sqlite3_bind_text(stmt, 1, json_string_value(v), -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            n += sqlite3_column_int64(stmt, 0);
        sqlite3_reset(stmt);
    }
    return n > 1 ? n : 2;
}

/* The listed entry's attributes as [kind, norm, value] triples. */
static int listed_attrs(struct at_ctx *ctx, struct store *st, const char *version, const char *key,
                        json_t *attrs)
{
    static const char mine_sql[] =
        "SELECT DISTINCT kind, norm, value FROM list_attr WHERE version = ?1 AND key = ?2 "
        "AND kind NOT IN ('program', 'link')";
    sqlite3_stmt *mine = store_stmt(ctx, st, mine_sql);

    if (mine == NULL)
        return AT_ERR;
    sqlite3_bind_text(mine, 1, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(mine, 2, key, -1, SQLITE_STATIC);
    while (sqlite3_step(mine) == SQLITE_ROW)
        json_array_append_new(attrs, json_pack("[s, s, s]", (const char *)sqlite3_column_text(mine, 0),
                                               (const char *)sqlite3_column_text(mine, 1),
                                               (const char *)sqlite3_column_text(mine, 2)));
    sqlite3_reset(mine);
    return AT_OK;
}

/* An entity's attributes (not on a list) as [kind, norm, value] triples,
 * normalised as the lists' are. */
static void entity_attrs(json_t *entity, json_t *attrs)
{
    static const char *const parts[] = { "street", "city", "state", "zip", "country" };
    struct buf norm = BUF_INIT, text = BUF_INIT;
    json_t *v;
    size_t i;

    json_array_foreach(json_object_get(entity, "ids"), i, v) {
        const char *kind = json_string_value(json_object_get(v, "kind"));
        const char *value = json_string_value(json_object_get(v, "value"));
        buf_reset(&norm);
        if (kind && value)
            lists_attr_norm(kind, value, &norm);
        if (norm.len)
            json_array_append_new(attrs, json_pack("[s, s, s]", kind, buf_str(&norm), value));
    }
    json_array_foreach(json_object_get(entity, "addresses"), i, v) {
        buf_reset(&text);
        buf_reset(&norm);
        for (size_t k = 0; k < ARRAY_LEN(parts); k++) {
            const char *p = json_string_value(json_object_get(v, parts[k]));
            if (p && *p)
                buf_printf(&text, "%s%s", text.len ? ", " : "", p);
        }
        if (json_object_get(v, "street") || json_object_get(v, "city"))
            lists_attr_norm("address", buf_str(&text), &norm);
        if (norm.len)
            json_array_append_new(attrs, json_pack("[s, s, s]", "address", buf_str(&norm),
                                                   buf_str(&text)));
    }
    buf_free(&norm);
    buf_free(&text);
}

/* Shared attributes: every other entry holding the same normalised value. */
static int shared_attrs(struct at_ctx *ctx, struct store *st, json_t *current, const char *version,
                        const char *key, json_t *attrs, double n_entries, struct cands *out)
{
    static const char others_sql[] =
        "SELECT a.version, a.key, e.name FROM list_attr a JOIN list_entry e "
        "ON e.version = a.version AND e.key = a.key WHERE a.kind = ?1 AND a.norm = ?2";
    json_t *a;
    size_t i;

    json_array_foreach(attrs, i, a) {
        sqlite3_stmt *others = store_stmt(ctx, st, others_sql);
        struct cands here = { NULL, 0 };
        long holders = 0;
        if (others == NULL)
            break;
        sqlite3_bind_text(others, 1, json_string_value(json_array_get(a, 0)), -1, SQLITE_STATIC);
        sqlite3_bind_text(others, 2, json_string_value(json_array_get(a, 1)), -1, SQLITE_STATIC);
        while (sqlite3_step(others) == SQLITE_ROW) {
            const char *ver = (const char *)sqlite3_column_text(others, 0);
            bool is_current = false;
            json_t *c;
            size_t j;
            json_array_foreach(current, j, c)
                is_current |= strcmp(json_string_value(c), ver) == 0;
            if (!is_current)
                continue;
            holders++;
            const char *k = (const char *)sqlite3_column_text(others, 1);
            if (strcmp(ver, version) == 0 && strcmp(k, key) == 0)
                continue;
            cand_get(&here, ver, k, (const char *)sqlite3_column_text(others, 2));
        }
        sqlite3_reset(others);
        double w = log(n_entries / (double)(holders > 1 ? holders : 2));
        for (size_t j = 0; j < here.n; j++) {
            struct cand *c = cand_get(out, here.v[j].version, here.v[j].key, here.v[j].name);
            evidence(c, json_string_value(json_array_get(a, 0)),
                     json_string_value(json_array_get(a, 2)), holders, w);
            free(here.v[j].version);
            free(here.v[j].key);
            free(here.v[j].name);
            json_decref(here.v[j].evidence);
        }
        free(here.v);
    }
    return AT_OK;
}

/* Mentions both ways between the entity's remarks and links and the
 * names of every other current entry. */
static int mentions(struct at_ctx *ctx, struct store *st, json_t *current, const char *version,
                    const char *key, json_t *entity, double n_entries, struct cands *out)
{
    static const char sql[] =
        "SELECT e.key, e.name, n.name, json_extract(e.doc, '$.remarks'), json_extract(e.doc, '$.links') "
        "FROM list_entry e JOIN list_name n ON n.version = e.version AND n.key = e.key "
        "WHERE e.version = ?1";
    struct buf mine = BUF_INIT, theirs = BUF_INIT, name = BUF_INIT, raw = BUF_INIT;
    json_t *v, *n;
    size_t i;

    buf_puts(&raw, json_string_value(json_object_get(entity, "remarks")) ?: "");
    /* links are names (a list's "Linked To") or the archive's related records */
    json_array_foreach(json_object_get(entity, "links"), i, v)
        buf_printf(&raw, " ; %s", json_is_string(v) ? json_string_value(v)
                                   : json_string_value(json_object_get(v, "name")) ?: "");
    words_upper(buf_str(&raw), &mine);
    /* the entity's own names, as words */
    json_t *own = json_array();
    json_array_foreach(json_object_get(entity, "names"), i, n) {
        words_upper(json_string_value(json_object_get(n, "name")), &name);
        if (name.len >= 7)
            json_array_append_new(own, json_string(buf_str(&name)));
    }
    /* a mention weighs half an attribute shared by two: words in remarks
     * are weaker evidence than a rare address or number held by both */
    double w = MENTION_FACTOR * log(n_entries / 2.0);
    json_array_foreach(current, i, v) {
        sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
        if (stmt == NULL)
            break;
        sqlite3_bind_text(stmt, 1, json_string_value(v), -1, SQLITE_STATIC);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            const char *k = (const char *)sqlite3_column_text(stmt, 0);
            if (strcmp(json_string_value(v), version) == 0 && strcmp(k, key) == 0)
                continue;
            const char *listed = (const char *)sqlite3_column_text(stmt, 1);
            words_upper((const char *)sqlite3_column_text(stmt, 2), &name);
            /* this entity's remarks name the other */
            if (name.len >= 7 && strstr(buf_str(&mine), buf_str(&name))) {
                struct cand *c = cand_get(out, json_string_value(v), k, listed);
                buf_reset(&raw);
                buf_printf(&raw, "this entity's remarks or links name \"%s\"",
                           (const char *)sqlite3_column_text(stmt, 2));
                evidence(c, "mention", buf_str(&raw), 2, w);
            }
            /* the other's remarks or links name this entity (once per entry) */
            buf_reset(&raw);
            buf_printf(&raw, "%s %s", (const char *)sqlite3_column_text(stmt, 3) ?: "",
                       (const char *)sqlite3_column_text(stmt, 4) ?: "");
            words_upper(buf_str(&raw), &theirs);
            json_t *o;
            size_t j;
            json_array_foreach(own, j, o) {
                if (strstr(buf_str(&theirs), json_string_value(o)) == NULL)
                    continue;
                struct cand *c = cand_get(out, json_string_value(v), k, listed);
                struct buf what = BUF_INIT;
                buf_printf(&what, "its remarks name this entry as \"%.*s\"",
                           (int)strlen(json_string_value(o)) - 2, json_string_value(o) + 1);
                bool dup = false;
                json_t *ev;
                size_t m;
                json_array_foreach(c->evidence, m, ev)
                    dup |= strcmp(json_string_value(json_object_get(ev, "value")), buf_str(&what)) == 0;
                if (!dup)
                    evidence(c, "mention", buf_str(&what), 2, w);
                buf_free(&what);
                break;
            }
        }
        sqlite3_reset(stmt);
    }
    json_decref(own);
    buf_free(&mine);
    buf_free(&theirs);
    buf_free(&name);
    buf_free(&raw);
    return AT_OK;
}

static int cmp_cand(const void *a, const void *b)
{
    double x = ((const struct cand *)a)->score, y = ((const struct cand *)b)->score;
    return (x < y) - (x > y);
}

/* Second hop, vessel to owner: a listed vessel found through a shared
 * IMO number links ("Linked To") to its listed owners or managers, who
 * are then candidates too, at half the vessel's weight. */
static int via_vessels(struct at_ctx *ctx, struct store *st, json_t *current, struct cands *cands)
{
    static const char links_sql[] =
        "SELECT a.value FROM list_attr a JOIN list_entry e ON e.version = a.version AND e.key = a.key "
        "WHERE a.version = ?1 AND a.key = ?2 AND a.kind = 'link' AND e.type = 'vessel'";
    static const char owner_sql[] =
        "SELECT e.key, e.name FROM list_name n JOIN list_entry e ON e.version = n.version "
        "AND e.key = n.key WHERE n.version = ?1 AND upper(n.name) = upper(?2) AND e.type != 'vessel' "
        "LIMIT 1";
    size_t n0 = cands->n;

    (void)current;
    for (size_t i = 0; i < n0; i++) {
        double w = 0;
        json_t *ev;
        size_t j;
        json_array_foreach(cands->v[i].evidence, j, ev)
            if (strcmp(json_string_value(json_object_get(ev, "kind")), "imo") == 0)
                w = json_number_value(json_object_get(ev, "weight"));
        if (w <= 0)
            continue;
        sqlite3_stmt *links = store_stmt(ctx, st, links_sql);
        json_t *names = json_array(), *l;
        if (links == NULL)
            return AT_ERR;
        sqlite3_bind_text(links, 1, cands->v[i].version, -1, SQLITE_STATIC);
        sqlite3_bind_text(links, 2, cands->v[i].key, -1, SQLITE_STATIC);
        while (sqlite3_step(links) == SQLITE_ROW)
            json_array_append_new(names, json_string((const char *)sqlite3_column_text(links, 0)));
        sqlite3_reset(links);
        json_array_foreach(names, j, l) {
            struct buf name = BUF_INIT, what = BUF_INIT;
            lists_clean_text(json_string_value(l), &name);
            while (name.len && (name.data[name.len - 1] == '.' || name.data[name.len - 1] == ' '))
                name.data[--name.len] = '\0';
            sqlite3_stmt *owner = store_stmt(ctx, st, owner_sql);
            if (owner == NULL) {
                buf_free(&name);
                json_decref(names);
                return AT_ERR;
            }
            sqlite3_bind_text(owner, 1, cands->v[i].version, -1, SQLITE_STATIC);
            sqlite3_bind_text(owner, 2, buf_str(&name), -1, SQLITE_STATIC);
            if (sqlite3_step(owner) == SQLITE_ROW) {
                char *version = xstrdup(cands->v[i].version), *vname = xstrdup(cands->v[i].name);
                struct cand *c = cand_get(cands, version, (const char *)sqlite3_column_text(owner, 0),
                                          (const char *)sqlite3_column_text(owner, 1));
                buf_printf(&what, "linked to the listed vessel %s, which shares an IMO number", vname);
                evidence(c, "vessel", buf_str(&what), 2, VIA_VESSEL_FACTOR * w);
                free(version);
                free(vname);
            }
            sqlite3_reset(owner);
            buf_free(&name);
            buf_free(&what);
        }
        json_decref(names);
    }
    return AT_OK;
}

/* Ranks the candidates for entity (version and key name it when it is a
 * list entry; "" otherwise) into a new array. */
static int rank(struct at_ctx *ctx, struct store *st, json_t *current, const char *version,
                const char *key, json_t *entity, json_t *attrs, size_t limit, json_t **list)
{
    struct cands cands = { NULL, 0 };
    double n = (double)count_entries(st, ctx, current);
    int rc;

    *list = NULL;
    if ((rc = shared_attrs(ctx, st, current, version, key, attrs, n, &cands)) == AT_OK
        && (rc = via_vessels(ctx, st, current, &cands)) == AT_OK
        && (rc = mentions(ctx, st, current, version, key, entity, n, &cands)) == AT_OK) {
        if (cands.n)   /* qsort may not be given a NULL array, even empty */
            qsort(cands.v, cands.n, sizeof *cands.v, cmp_cand);
        *list = json_array();
        for (size_t i = 0; i < cands.n && (limit == 0 || i < limit); i++)
            json_array_append_new(*list, json_pack("{s:s, s:s, s:s, s:f, s:O}", "list",
                                                   cands.v[i].version, "key", cands.v[i].key,
                                                   "name", cands.v[i].name,
                                                   "score", round(cands.v[i].score * 100) / 100,
                                                   "evidence", cands.v[i].evidence));
    }
    for (size_t i = 0; i < cands.n; i++) {
        free(cands.v[i].version);
        free(cands.v[i].key);
        free(cands.v[i].name);
        json_decref(cands.v[i].evidence);
    }
    free(cands.v);
    return rc;
}

int screen_successors_entity(struct at_ctx *ctx, struct store *st, json_t *entity, size_t limit,
                             json_t **out)
{
    json_t *current = NULL, *attrs = json_array(), *list;
    int rc;

    *out = NULL;
    entity_attrs(entity, attrs);
    if ((rc = lists_current(ctx, st, &current)) == AT_OK
        && (rc = rank(ctx, st, current, "", "", entity, attrs, limit, &list)) == AT_OK)
        *out = json_pack("{s:{s:s, s:s, s:s}, s:o}", "entity", "list", "archive",
                         "key", json_string_value(json_object_get(entity, "key")) ?: "",
                         "name", json_string_value(json_object_get(entity, "name")) ?: "",
                         "candidates", list);
    json_decref(current);
    json_decref(attrs);
    return rc;
}

int screen_successors(struct at_ctx *ctx, struct store *st, const char *ref, size_t limit,
                      json_t **out)
{
    json_t *current = NULL, *entity = NULL, *attrs = json_array(), *list;
    struct buf key = BUF_INIT;
    char version[64];
    int rc;

    *out = NULL;
    /* a record of the archive */
    if (model_id_valid(ref)) {
        char id[RECORD_ID_MAX];
        if ((rc = record_resolve(ctx, st, ref, id)) == AT_OK
            && (rc = screen_entity_of_record(ctx, st, id, &entity)) == AT_OK)
            rc = screen_successors_entity(ctx, st, entity, limit, out);
        json_decref(entity);
        json_decref(attrs);
        return rc;
    }
    if ((rc = lists_current(ctx, st, &current)) != AT_OK
        || (rc = find_entity(ctx, st, current, ref, version, &key)) != AT_OK
        || (rc = lists_entry(ctx, st, version, buf_str(&key), &entity)) != AT_OK
        || (rc = listed_attrs(ctx, st, version, buf_str(&key), attrs)) != AT_OK
        || (rc = rank(ctx, st, current, version, buf_str(&key), entity, attrs, limit, &list)) != AT_OK)
        goto out;
    *out = json_pack("{s:{s:s, s:s, s:O}, s:o}", "entity", "list", version, "key", buf_str(&key),
                     "name", json_object_get(entity, "name"), "candidates", list);
out:
    json_decref(current);
    json_decref(entity);
    json_decref(attrs);
    buf_free(&key);
    return rc;
}
