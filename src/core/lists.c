/*
 * lists.c: building list entries (the helpers of lists_int.h), storing a
 * list version in the archive, reading versions back, and the diff of two
 * versions by list key.
 */
#include "attest.h"
#include "access.h"
#include "canonical.h"
#include "evlog.h"
#include "lists.h"
#include "lists_int.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lists_data_free(struct list_data *d)
{
    json_decref(d->entries);
    d->entries = NULL;
}

/* ---- building entries ------------------------------------------------ */

void lists_clean_text(const char *s, struct buf *out)
{
    bool space = false;
    size_t start = out->len;

    for (; s && *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v') {
            space = true;
            continue;
        }
        if (space && out->len > start)
            buf_putc(out, ' ');
        space = false;
        buf_putc(out, *s);
    }
    if (out->data == NULL)
        buf_puts(out, "");
}

static json_t *array_prop(json_t *entry, const char *prop)
{
    json_t *a = json_object_get(entry, prop);

    if (a == NULL) {
        a = json_array();
        json_object_set_new(entry, prop, a);
    }
    return a;
}

json_t *lists_entry_new(const char *key, const char *type, const char *name)
{
    json_t *e = json_pack("{s:s, s:s, s:s}", "key", key, "type", type, "name", name);

    lists_add_name(e, name, "primary");
    return e;
}

static bool has_name(json_t *names, const char *name)
{
    size_t i;
    json_t *n;

    json_array_foreach(names, i, n)
        if (strcmp(json_string_value(json_object_get(n, "name")), name) == 0)
            return true;
    return false;
}

static bool is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

void lists_add_name(json_t *entry, const char *name, const char *quality)
{
    struct buf clean = BUF_INIT;
    json_t *names = array_prop(entry, "names");

    lists_clean_text(name, &clean);
    /* A trailing parenthesised form in another script is a name too. */
    char *open = strrchr(clean.data, '(');
    size_t len = clean.len;
    if (open && clean.data[len - 1] == ')' && open > clean.data
        && !is_ascii(open + 1, (size_t)(clean.data + len - 1 - (open + 1)))) {
        clean.data[len - 1] = '\0';
        lists_add_name(entry, open + 1, quality);
        *open = '\0';
        clean.len = (size_t)(open - clean.data);
        while (clean.len && clean.data[clean.len - 1] == ' ')
            clean.data[--clean.len] = '\0';
    }
    if (clean.len && !has_name(names, clean.data))
        json_array_append_new(names, json_pack("{s:s, s:s}", "name", clean.data, "quality", quality));
    buf_free(&clean);
}

void lists_add_id(json_t *entry, const char *kind, const char *value, const char *country,
                  const char *note)
{
    json_t *ids = array_prop(entry, "ids"), *id;
    size_t i;

    json_array_foreach(ids, i, id)
        if (strcmp(json_string_value(json_object_get(id, "kind")), kind) == 0
            && strcmp(json_string_value(json_object_get(id, "value")), value) == 0)
            return;
    id = json_pack("{s:s, s:s}", "kind", kind, "value", value);
    if (country && *country)
        json_object_set_new(id, "country", json_string(country));
    if (note && *note)
        json_object_set_new(id, "note", json_string(note));
    json_array_append_new(ids, id);
}

void lists_add_address(json_t *entry, json_t *addr)
{
    if (json_object_size(addr) == 0)
        json_decref(addr);
    else
        json_array_append_new(array_prop(entry, "addresses"), addr);
}

void lists_add_value(json_t *entry, const char *prop, const char *value)
{
    json_t *a = array_prop(entry, prop), *v;
    size_t i;

    json_array_foreach(a, i, v)
        if (strcmp(json_string_value(v), value) == 0)
            return;
    json_array_append_new(a, json_string(value));
}

void lists_add_program(json_t *entry, const char *program)
{
    lists_add_value(entry, "programs", program);
}

/* Copies the run of characters of s accepted by ok into out; returns the
 * length consumed. */
static size_t take(const char *s, int (*ok)(int), struct buf *out)
{
    size_t n = 0;

    buf_reset(out);
    while (s[n] && ok((unsigned char)s[n]))
        n++;
    buf_append(out, s, n);
    return n;
}

static int is_phone_char(int c)
{
    return isdigit(c) || c == ' ' || c == '+' || c == '-' || c == '(' || c == ')';
}

static int is_email_char(int c)
{
    return isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@' || c == '+';
}

void lists_scan_text_ids(json_t *entry, const char *text)
{
    struct buf v = BUF_INIT;

    for (const char *p = text; *p; p++) {
        if (strncasecmp(p, "IMO", 3) == 0 && (p == text || !isalpha((unsigned char)p[-1]))) {
            /* "IMO number: 5571322", "IMO Number 1790183" */
            const char *q = p + 3;
            for (int k = 0; k < 16 && *q && !isdigit((unsigned char)*q); k++, q++)
                ;
            size_t n = 0;
            while (isdigit((unsigned char)q[n]))
                n++;
            if (n == 7) {
                buf_reset(&v);
                buf_append(&v, q, 7);
                lists_add_id(entry, "imo", buf_str(&v), NULL, NULL);
            }
        } else if (strncasecmp(p, "SWIFT", 5) == 0) {
            const char *q = p + 5;
            while (*q && (*q == '/' || *q == ' ' || *q == ':' || isalpha((unsigned char)*q))
                   && !(isupper((unsigned char)*q) && q > p + 5 && q[-1] == ' '))
                q++;
            size_t n = 0;
            while (isalnum((unsigned char)q[n]))
                n++;
            if (n == 8 || n == 11) {
                buf_reset(&v);
                buf_append(&v, q, n);
                lists_add_id(entry, "swift", buf_str(&v), NULL, NULL);
            }
        } else if ((strncasecmp(p, "phone", 5) == 0 || strncasecmp(p, "tel", 3) == 0)
                   && (p == text || !isalpha((unsigned char)p[-1]))) {
            const char *q = p;
            while (*q && isalpha((unsigned char)*q))
                q++;
            while (*q && (*q == ':' || *q == '.' || *q == ' ' || (isalpha((unsigned char)*q) && !isdigit((unsigned char)*q) && q - p < 24)))
                q++;
            take(q, is_phone_char, &v);
            size_t digits = 0;
            for (size_t i = 0; i < v.len; i++)
                digits += isdigit((unsigned char)v.data[i]) != 0;
            while (v.len && !isdigit((unsigned char)v.data[v.len - 1]))
                v.data[--v.len] = '\0';
            if (digits >= 6)
                lists_add_id(entry, "phone", buf_str(&v), NULL, NULL);
        } else if (*p == '@' && p > text && isalnum((unsigned char)p[-1])) {
            const char *a = p;
            while (a > text && is_email_char((unsigned char)a[-1]))
                a--;
            take(a, is_email_char, &v);
            while (v.len && v.data[v.len - 1] == '.')
                v.data[--v.len] = '\0';
            if (strchr(strchr(buf_str(&v), '@'), '.'))
                lists_add_id(entry, "email", buf_str(&v), NULL, NULL);
        }
    }
    buf_free(&v);
}

void lists_split_primary(json_t *entry)
{
    const char *name = json_string_value(json_object_get(entry, "name"));
    const char *open = strrchr(name, '(');
    size_t len = strlen(name);

    if (open == NULL || open == name || name[len - 1] != ')')
        return;
    struct buf inner = BUF_INIT, outer = BUF_INIT;
    buf_append(&inner, open + 1, (size_t)(name + len - 1 - (open + 1)));
    buf_append(&outer, name, (size_t)(open - name));
    bool acronym = inner.len >= 2 && inner.len <= 10;
    for (size_t i = 0; i < inner.len; i++)
        if (!isupper((unsigned char)inner.data[i]) && !isdigit((unsigned char)inner.data[i]))
            acronym = false;
    if (acronym) {
        struct buf clean = BUF_INIT;
        lists_clean_text(buf_str(&outer), &clean);
        lists_add_name(entry, buf_str(&inner), "strong");
        lists_add_name(entry, buf_str(&clean), "strong");
        buf_free(&clean);
    }
    buf_free(&inner);
    buf_free(&outer);
}

bool lists_date_prefix(const char *s, char out[11])
{
    for (int i = 0; i < 10; i++) {
        bool dash = i == 4 || i == 7;
        if (s[i] == '\0' || (dash ? s[i] != '-' : !isdigit((unsigned char)s[i])))
            return false;
    }
    memcpy(out, s, 10);
    out[10] = '\0';
    return true;
}

int lists_file_sha256(struct at_ctx *ctx, const char *const *paths, size_t n, char hex[65])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char digest[32], chunk[65536];
    int rc = AT_OK;

    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    for (size_t i = 0; i < n && rc == AT_OK; i++) {
        FILE *f = fopen(paths[i], "rb");
        size_t got;
        if (f == NULL) {
            if (errno != ENOENT || i == 0)
                rc = ctx_error(ctx, errno == ENOENT ? AT_ENOTFOUND : AT_ERR, "%s: %s", paths[i],
                               strerror(errno));
            continue;
        }
        while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
            EVP_DigestUpdate(md, chunk, got);
        if (ferror(f))
            rc = ctx_error(ctx, AT_ERR, "%s: read error", paths[i]);
        fclose(f);
    }
    EVP_DigestFinal_ex(md, digest, NULL);
    EVP_MD_CTX_free(md);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return rc;
}

/* ---- attribute normalisation ----------------------------------------- */

static void digits_of(const char *s, struct buf *out)
{
    for (; *s; s++)
        if (isdigit((unsigned char)*s))
            buf_putc(out, *s);
}

/* Box codes of registered agents ("DL1849", "QD5399"): two letters then
 * digits in one word, which identify a client, not a place. */
static bool is_box_code(const char *w, size_t n)
{
    size_t i = 0, d = 0;

    while (i < n && isalpha((unsigned char)w[i]))
        i++;
    if (i != 2)
        return false;
    while (i < n && isdigit((unsigned char)w[i]))
        i++, d++;
    return i == n && d >= 3;
}

static void address_norm(const char *value, struct buf *out)
{
    struct buf low = BUF_INIT;
    const char *s = value;

    /* "c/o Weihai Huijiang Trade Limited, Room 602, ..." */
    if (strncasecmp(s, "c/o ", 4) == 0 || strncasecmp(s, "care of ", 8) == 0) {
        const char *comma = strchr(s, ',');
        s = comma ? comma + 1 : s + strlen(s);
    }
    for (; *s; s++)
        buf_putc(&low, isalnum((unsigned char)*s) || (unsigned char)*s >= 0x80
                 ? (char)tolower((unsigned char)*s) : ' ');
    const char *p = buf_str(&low);
    size_t start = out->len;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n && !is_box_code(p, n)) {
            if (out->len > start)
                buf_putc(out, ' ');
            buf_append(out, p, n);
        }
        p += n;
    }
    buf_free(&low);
}

static void truncate_to(struct buf *b, size_t len)
{
    b->len = len;
    if (b->data)
        b->data[len] = '\0';
}

void lists_attr_norm(const char *kind, const char *value, struct buf *out)
{
    size_t start = out->len;

    if (strcmp(kind, "imo") == 0 || strcmp(kind, "phone") == 0 || strcmp(kind, "mmsi") == 0) {
        digits_of(value, out);
        /* a phone number must be long enough to mean something */
        if (strcmp(kind, "phone") == 0 && out->len - start < 6)
            truncate_to(out, start);
    } else if (strcmp(kind, "swift") == 0) {
        for (size_t i = 0; value[i] && i < 8; i++)
            buf_putc(out, (char)toupper((unsigned char)value[i]));
    } else if (strcmp(kind, "address") == 0) {
        address_norm(value, out);
    } else {
        for (const char *s = value; *s; s++)
            if (!isspace((unsigned char)*s))
                buf_putc(out, (char)tolower((unsigned char)*s));
        if (strcmp(kind, "website") == 0 && out->len - start > 4
            && strncmp(out->data + start, "www.", 4) == 0) {
            memmove(out->data + start, out->data + start + 4, out->len - start - 3);
            out->len -= 4;
        }
    }
}

/* ---- storing a version ------------------------------------------------ */

/* The full text of an address: its parts joined by ", ". */
static void address_text(json_t *addr, struct buf *out)
{
    static const char *const parts[] = { "street", "city", "state", "zip", "country" };

    for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
        const char *v = json_string_value(json_object_get(addr, parts[i]));
        if (v && *v)
            buf_printf(out, "%s%s", out->len ? ", " : "", v);
    }
}

static int insert_attr(struct at_ctx *ctx, struct store *st, const char *version, const char *key,
                       const char *kind, const char *value)
{
    static const char sql[] =
        "INSERT INTO list_attr(version, key, kind, value, norm) VALUES (?1, ?2, ?3, ?4, ?5)";
    struct buf norm = BUF_INIT;
    sqlite3_stmt *stmt;
    int rc = AT_OK;

    lists_attr_norm(kind, value, &norm);
    if (norm.len == 0)
        goto out;
    if ((stmt = store_stmt(ctx, st, sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, value, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, buf_str(&norm), -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = store_error(ctx, st, "storing a list attribute");
out:
    buf_free(&norm);
    return rc;
}

static int store_entry(struct at_ctx *ctx, struct store *st, const char *version, json_t *e,
                       const char *doc)
{
    static const char entry_sql[] =
        "INSERT INTO list_entry(version, key, type, name, listed_on, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    static const char name_sql[] =
        "INSERT INTO list_name(version, key, name, quality) VALUES (?1, ?2, ?3, ?4)";
    const char *key = json_string_value(json_object_get(e, "key"));
    sqlite3_stmt *stmt = store_stmt(ctx, st, entry_sql);
    struct buf text = BUF_INIT;
    json_t *v;
    size_t i;
    int rc = AT_OK;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, json_string_value(json_object_get(e, "type")), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, json_string_value(json_object_get(e, "name")), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, json_string_value(json_object_get(e, "listed_on")), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 6, doc, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        return ctx_error(ctx, sqlite3_extended_errcode(store_db(st)) == SQLITE_CONSTRAINT_PRIMARYKEY
                         ? AT_EINVAL : AT_ERR, "list key %s: %s", key, sqlite3_errmsg(store_db(st)));
    json_array_foreach(json_object_get(e, "names"), i, v) {
        if ((stmt = store_stmt(ctx, st, name_sql)) == NULL)
            return AT_ERR;
        sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, json_string_value(json_object_get(v, "name")), -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, json_string_value(json_object_get(v, "quality")), -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            return store_error(ctx, st, "storing a list name");
    }
    json_array_foreach(json_object_get(e, "ids"), i, v)
        if (rc == AT_OK)
            rc = insert_attr(ctx, st, version, key, json_string_value(json_object_get(v, "kind")),
                             json_string_value(json_object_get(v, "value")));
    json_array_foreach(json_object_get(e, "addresses"), i, v) {
        buf_reset(&text);
        address_text(v, &text);
        /* An address that is only a country says nothing shared. */
        if (rc == AT_OK && (json_object_get(v, "street") || json_object_get(v, "city")))
            rc = insert_attr(ctx, st, version, key, "address", buf_str(&text));
    }
    json_array_foreach(json_object_get(e, "programs"), i, v)
        if (rc == AT_OK)
            rc = insert_attr(ctx, st, version, key, "program", json_string_value(v));
    json_array_foreach(json_object_get(e, "links"), i, v)
        if (rc == AT_OK)
            rc = insert_attr(ctx, st, version, key, "link", json_string_value(v));
    buf_free(&text);
    return rc;
}

/* The newest version of source, if any, into id. */
static int newest_of(struct at_ctx *ctx, struct store *st, const char *source, struct buf *id)
{
    static const char sql[] =
        "SELECT id FROM list_version WHERE source = ?1 "
        "ORDER BY published DESC, imported_at DESC, rowid DESC LIMIT 1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, source, -1, SQLITE_STATIC);
    if ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        buf_puts(id, (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_reset(stmt);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return store_error(ctx, st, "reading list versions");
    return step == SQLITE_ROW ? AT_OK : AT_ENOTFOUND;
}

static bool version_exists(struct at_ctx *ctx, struct store *st, const char *id)
{
    static const char sql[] = "SELECT 1 FROM list_version WHERE id = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    bool found;

    if (stmt == NULL)
        return false;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    found = sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_reset(stmt);
    return found;
}

/* Whether a version of the same source has this file digest; its id. */
static bool digest_known(struct at_ctx *ctx, struct store *st, const char *source, const char *sha,
                         char version[64])
{
    static const char sql[] = "SELECT id FROM list_version WHERE source = ?1 AND file_sha256 = ?2";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    bool found;

    if (stmt == NULL)
        return false;
    sqlite3_bind_text(stmt, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, sha, -1, SQLITE_STATIC);
    if ((found = sqlite3_step(stmt) == SQLITE_ROW))
        snprintf(version, 64, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_reset(stmt);
    return found;
}

static int cmp_entry_key(const void *a, const void *b)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "key")),
                  json_string_value(json_object_get(*(json_t *const *)b, "key")));
}

struct list_import {
    const struct list_data *d;
    char *version;   /* 64 bytes */
    bool *already;
};

/* Stores a list version and its entries, and logs it; nothing when the
 * same file of the same source is already stored. */
static int import_list(struct at_ctx *ctx, struct store *st, void *arg)
{
    static const char version_sql[] =
        "INSERT INTO list_version(id, source, published, imported_at, file_sha256, entries, log_seq) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    struct list_import *im = arg;
    const struct list_data *d = im->d;
    char *version = im->version;
    size_t n = json_array_size(d->entries);
    json_t **sorted = xmalloc((n ? n : 1) * sizeof *sorted);
    char **docs = xcalloc(n ? n : 1, sizeof *docs);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char digest[32];
    char entries_hex[65], now[21];
    json_t *item = NULL;
    sqlite3_stmt *stmt;
    int64_t seq;
    int rc = AT_OK;

    if ((*im->already = digest_known(ctx, st, d->source, d->sha256, version)))
        goto out;
    snprintf(version, 64, "%s-%s", d->source, d->published);
    for (int k = 2; version_exists(ctx, st, version); k++)
        snprintf(version, 64, "%s-%s.%d", d->source, d->published, k);
    for (size_t i = 0; i < n; i++)
        sorted[i] = json_array_get(d->entries, i);
    qsort(sorted, n, sizeof *sorted, cmp_entry_key);
    /* The digest of every entry goes into the log item, which the
     * version row refers to; the entries follow. */
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    for (size_t i = 0; i < n; i++) {
        docs[i] = canonical_text(sorted[i]);
        EVP_DigestUpdate(md, docs[i], strlen(docs[i]));
        EVP_DigestUpdate(md, "\n", 1);
    }
    EVP_DigestFinal_ex(md, digest, NULL);
    for (int i = 0; i < 32; i++)
        snprintf(entries_hex + 2 * i, 3, "%02x", digest[i]);
    canonical_now(now);
    item = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "version", version, "source", d->source,
                     "published", d->published, "file_sha256", d->sha256, "entries", (json_int_t)n,
                     "entries_sha256", entries_hex, "imported_at", now);
    if ((rc = evlog_append_item(ctx, st, "list", version, item, &seq)) != AT_OK)
        goto out;
    if ((stmt = store_stmt(ctx, st, version_sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, d->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, d->published, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, d->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 6, (sqlite3_int64)n);
    sqlite3_bind_int64(stmt, 7, seq);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = store_error(ctx, st, "storing the list version");
    for (size_t i = 0; i < n && rc == AT_OK; i++)
        rc = store_entry(ctx, st, version, sorted[i], docs[i]);
out:
    json_decref(item);
    EVP_MD_CTX_free(md);
    for (size_t i = 0; i < n; i++)
        free(docs[i]);
    free(docs);
    free(sorted);
    return rc;
}

int lists_import(struct at_ctx *ctx, struct store *st, const struct list_data *d,
                 char version[64], bool *already)
{
    int rc;

    *already = false;
    if ((rc = access_check(ctx, store_session(st), ACTION_WRITE, 0)) != AT_OK)
        return rc;
    return evlog_write(ctx, st, import_list,
                       &(struct list_import){ .d = d, .version = version, .already = already });
}

/* ---- reading versions ------------------------------------------------- */

int lists_versions(struct at_ctx *ctx, struct store *st, json_t **out)
{
    static const char sql[] =
        "SELECT id, source, published, imported_at, entries, file_sha256 FROM list_version "
        "ORDER BY rowid";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    *out = NULL;
    if (stmt == NULL)
        return AT_ERR;
    *out = json_array();
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        json_array_append_new(*out, json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}",
            "id", (const char *)sqlite3_column_text(stmt, 0),
            "source", (const char *)sqlite3_column_text(stmt, 1),
            "published", (const char *)sqlite3_column_text(stmt, 2),
            "imported_at", (const char *)sqlite3_column_text(stmt, 3),
            "entries", (json_int_t)sqlite3_column_int64(stmt, 4),
            "file_sha256", (const char *)sqlite3_column_text(stmt, 5)));
    sqlite3_reset(stmt);
    if (step != SQLITE_DONE) {
        json_decref(*out);
        *out = NULL;
        return store_error(ctx, st, "reading list versions");
    }
    return AT_OK;
}

int lists_resolve(struct at_ctx *ctx, struct store *st, const char *arg, char version[64])
{
    struct buf id = BUF_INIT;
    int rc;

    if (version_exists(ctx, st, arg)) {
        snprintf(version, 64, "%s", arg);
        return AT_OK;
    }
    const char *at = strchr(arg, '@');
    if (at) {
        static const char sql[] = "SELECT id FROM list_version WHERE source = ?1 ORDER BY rowid LIMIT 1 OFFSET ?2";
        sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
        long k = atol(at + 1);
        if (stmt == NULL)
            return AT_ERR;
        sqlite3_bind_text(stmt, 1, arg, (int)(at - arg), SQLITE_TRANSIENT);
        sqlite3_bind_int64(stmt, 2, k - 1);
        rc = k >= 1 && sqlite3_step(stmt) == SQLITE_ROW ? AT_OK : AT_ENOTFOUND;
        if (rc == AT_OK)
            snprintf(version, 64, "%s", (const char *)sqlite3_column_text(stmt, 0));
        sqlite3_reset(stmt);
    } else {
        rc = newest_of(ctx, st, arg, &id);
        if (rc == AT_OK)
            snprintf(version, 64, "%s", buf_str(&id));
    }
    buf_free(&id);
    if (rc == AT_ENOTFOUND)
        return ctx_error(ctx, AT_ENOTFOUND,
                         "no list version \"%s\"; give an id from 'attest lists', a source (un, ofac) "
                         "or SOURCE@N", arg);
    return rc;
}

int lists_current(struct at_ctx *ctx, struct store *st, json_t **out)
{
    static const char *const sources[] = { "ofac", "un" };
    struct buf id = BUF_INIT;
    int rc = AT_OK;

    *out = json_array();
    for (size_t i = 0; i < ARRAY_LEN(sources) && rc == AT_OK; i++) {
        buf_reset(&id);
        rc = newest_of(ctx, st, sources[i], &id);
        if (rc == AT_OK)
            json_array_append_new(*out, json_string(buf_str(&id)));
        else if (rc == AT_ENOTFOUND)
            rc = AT_OK;
    }
    buf_free(&id);
    return rc;
}

int lists_entry(struct at_ctx *ctx, struct store *st, const char *version, const char *key,
                json_t **out)
{
    static const char sql[] = "SELECT doc FROM list_entry WHERE version = ?1 AND key = ?2";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    json_error_t err;
    int rc = AT_OK;

    *out = NULL;
    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        *out = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, &err);
        if (*out == NULL)
            rc = ctx_error(ctx, AT_ECORRUPT, "list entry %s of %s: %s", key, version, err.text);
    } else {
        rc = ctx_error(ctx, AT_ENOTFOUND, "no entry %s in list version %s", key, version);
    }
    sqlite3_reset(stmt);
    return rc;
}

/* ---- diff --------------------------------------------------------------- */

/* The comparable form of a name for diffs: letters and digits, upper case,
 * single spaces; other bytes (non-ASCII) kept. */
static void diff_form(const char *s, struct buf *out)
{
    bool space = false;

    buf_reset(out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c >= 0x80) {
            if (space && out->len)
                buf_putc(out, ' ');
            space = false;
            buf_putc(out, (char)toupper(c));
        } else if (c != '\'' && c != '.') {
            space = true;
        }
    }
    buf_puts(out, "");
}

/* Every entry of a version as an object key -> doc. */
static int load_version(struct at_ctx *ctx, struct store *st, const char *version, json_t **out)
{
    static const char sql[] = "SELECT key, doc FROM list_entry WHERE version = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    *out = json_object();
    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        json_object_set_new(*out, (const char *)sqlite3_column_text(stmt, 0),
                            json_loads((const char *)sqlite3_column_text(stmt, 1), 0, NULL));
    sqlite3_reset(stmt);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "reading a list version");
}

/* Names of e (comparable form -> {name, quality}). */
static json_t *name_set(json_t *e)
{
    json_t *set = json_object(), *n;
    struct buf form = BUF_INIT;
    size_t i;

    json_array_foreach(json_object_get(e, "names"), i, n) {
        diff_form(json_string_value(json_object_get(n, "name")), &form);
        if (json_object_get(set, buf_str(&form)) == NULL)
            json_object_set(set, buf_str(&form), n);
    }
    buf_free(&form);
    return set;
}

static json_t *brief(const char *key, json_t *e)
{
    return json_pack("{s:s, s:O, s:O}", "key", key, "type", json_object_get(e, "type"),
                     "name", json_object_get(e, "name"));
}

/* Adds the names in a but not in b to out as {key, name, alias, quality}. */
static void name_changes(const char *key, json_t *e, json_t *a, json_t *b, json_t *out)
{
    const char *form;
    json_t *n;

    json_object_foreach(a, form, n)
        if (json_object_get(b, form) == NULL)
            json_array_append_new(out, json_pack("{s:s, s:O, s:O, s:O}", "key", key,
                                                 "name", json_object_get(e, "name"),
                                                 "alias", json_object_get(n, "name"),
                                                 "quality", json_object_get(n, "quality")));
}

int lists_diff(struct at_ctx *ctx, struct store *st, const char *old_version,
               const char *new_version, json_t **out)
{
    json_t *old = NULL, *new = NULL;
    json_t *added = json_array(), *removed = json_array(), *renamed = json_array();
    json_t *aliases_added = json_array(), *aliases_removed = json_array();
    struct buf a = BUF_INIT, b = BUF_INIT;
    const char *key;
    json_t *e;
    int rc;

    *out = NULL;
    if ((rc = load_version(ctx, st, old_version, &old)) != AT_OK
        || (rc = load_version(ctx, st, new_version, &new)) != AT_OK)
        goto out;
    json_object_foreach(new, key, e) {
        json_t *was = json_object_get(old, key);
        if (was == NULL) {
            json_array_append_new(added, brief(key, e));
            continue;
        }
        diff_form(json_string_value(json_object_get(was, "name")), &a);
        diff_form(json_string_value(json_object_get(e, "name")), &b);
        if (strcmp(buf_str(&a), buf_str(&b)) != 0)
            json_array_append_new(renamed, json_pack("{s:s, s:O, s:O, s:O}", "key", key,
                                                     "type", json_object_get(e, "type"),
                                                     "old", json_object_get(was, "name"),
                                                     "new", json_object_get(e, "name")));
        json_t *on = name_set(was), *nn = name_set(e);
        name_changes(key, e, nn, on, aliases_added);
        name_changes(key, e, on, nn, aliases_removed);
        json_decref(on);
        json_decref(nn);
    }
    json_object_foreach(old, key, e)
        if (json_object_get(new, key) == NULL)
            json_array_append_new(removed, brief(key, e));
    *out = json_pack("{s:s, s:s, s:O, s:O, s:O, s:O, s:O}", "old", old_version, "new", new_version,
                     "added", added, "removed", removed, "renamed", renamed,
                     "aliases_added", aliases_added, "aliases_removed", aliases_removed);
out:
    json_decref(old);
    json_decref(new);
    json_decref(added);
    json_decref(removed);
    json_decref(renamed);
    json_decref(aliases_added);
    json_decref(aliases_removed);
    buf_free(&a);
    buf_free(&b);
    return rc;
}
