/*
 * lists.c: building list entries (the helpers of lists_int.h), storing a
 * list version in the archive, reading versions back, and the diff of two
 * versions by list key.
 */
#include "attest.h"
#include "access.h"
#include "canonical.h"
#include "date.h"
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

bool lists_date_valid(const char *s)
{
    char day[11];
    struct tm tm = { 0 };
    time_t t;

    if (strlen(s) != 10 || !lists_date_prefix(s, day))
        return false;
    tm.tm_year = atoi(s) - 1900;
    tm.tm_mon = atoi(s + 5) - 1;
    tm.tm_mday = atoi(s + 8);
    t = timegm(&tm);
    gmtime_r(&t, &tm);
    return tm.tm_year == atoi(s) - 1900 && tm.tm_mon == atoi(s + 5) - 1 && tm.tm_mday == atoi(s + 8);
}

/* The hex form of a SHA-256 digest. */
static void hex_of(const unsigned char digest[32], char hex[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

int lists_file_sha256(struct at_ctx *ctx, const char *const *paths, size_t n, char hex[65])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char digest[32], chunk[65536];
    int rc = AT_OK;

    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    for (size_t i = 0; i < n && rc == AT_OK; i++) {
        FILE *f = paths[i] ? fopen(paths[i], "rb") : NULL;
        size_t got;
        if (paths[i] == NULL)
            continue;
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
    hex_of(digest, hex);
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

/* The newest version of source published on or before date (NULL: any),
 * other than version without (NULL: none), if any, into id.  A source's
 * versions are ordered by publication date, then by import; lists_previous
 * follows the same order. */
static int newest_of(struct at_ctx *ctx, struct store *st, const char *source, const char *date,
                     const char *without, struct buf *id)
{
    static const char sql[] =
        "SELECT id FROM list_version WHERE source = ?1 AND (?2 IS NULL OR published <= ?2) "
        "AND id IS NOT ?3 ORDER BY published DESC, imported_at DESC, rowid DESC LIMIT 1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, date, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, without, -1, SQLITE_STATIC);
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
    hex_of(digest, entries_hex);
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
        rc = newest_of(ctx, st, arg, NULL, NULL, &id);
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

/* The newest version of each source published on or before date (NULL:
 * any), leaving out version without (NULL: none), as a new JSON array of
 * ids. */
static int newest_each(struct at_ctx *ctx, struct store *st, const char *date, const char *without,
                       json_t **out)
{
    static const char *const sources[] = { "ofac", "un" };
    struct buf id = BUF_INIT;
    int rc = AT_OK;

    *out = json_array();
    for (size_t i = 0; i < ARRAY_LEN(sources) && rc == AT_OK; i++) {
        buf_reset(&id);
        rc = newest_of(ctx, st, sources[i], date, without, &id);
        if (rc == AT_OK)
            json_array_append_new(*out, json_string(buf_str(&id)));
        else if (rc == AT_ENOTFOUND)
            rc = AT_OK;
    }
    buf_free(&id);
    return rc;
}

int lists_current(struct at_ctx *ctx, struct store *st, json_t **out)
{
    return newest_each(ctx, st, NULL, NULL, out);
}

int lists_date_parse(struct at_ctx *ctx, const char *text, char day[11])
{
    struct fuzzy_date d;

    if (date_parse(ctx, text, &d) != AT_OK)
        return AT_EINVAL;
    if (d.precision != DATE_DAY || d.approx || d.range)
        return ctx_error(ctx, AT_EINVAL, "\"%s\" is not one day; give a date as YYYY-MM-DD", text);
    snprintf(day, 11, "%04d-%02d-%02d", (int)(d.lo / 10000), (int)(d.lo / 100 % 100),
             (int)(d.lo % 100));
    return AT_OK;
}

int lists_in_force(struct at_ctx *ctx, struct store *st, const char *date, json_t **out)
{
    static const char first_sql[] =
        "SELECT id, published FROM list_version ORDER BY published, imported_at, rowid LIMIT 1";
    char day[11];
    sqlite3_stmt *stmt;
    int rc;

    *out = NULL;
    if ((rc = lists_date_parse(ctx, date, day)) != AT_OK)
        return rc;
    if ((rc = newest_each(ctx, st, day, NULL, out)) != AT_OK || json_array_size(*out) > 0)
        return rc;
    json_decref(*out);
    *out = NULL;
    if ((stmt = store_stmt(ctx, st, first_sql)) == NULL)
        return AT_ERR;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        rc = ctx_error(ctx, AT_ENOTFOUND, "no list version was in force on %s: the first, %s, "
                       "was published on %s", day, (const char *)sqlite3_column_text(stmt, 0),
                       (const char *)sqlite3_column_text(stmt, 1));
    else
        rc = ctx_error(ctx, AT_ENOTFOUND, "no sanctions list has been imported; use 'attest "
                       "lists import'");
    sqlite3_reset(stmt);
    return rc;
}

int lists_last_import(struct at_ctx *ctx, struct store *st, char version[64],
                      json_t **before)
{
    static const char sql[] = "SELECT id FROM list_version ORDER BY rowid DESC LIMIT 1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    *before = NULL;
    if (stmt == NULL)
        return AT_ERR;
    if ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        snprintf(version, 64, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_reset(stmt);
    if (step == SQLITE_DONE)
        return ctx_error(ctx, AT_ENOTFOUND, "no sanctions list has been imported; use 'attest "
                         "lists import'");
    if (step != SQLITE_ROW)
        return store_error(ctx, st, "reading list versions");
    return newest_each(ctx, st, NULL, version, before);
}

int lists_previous(struct at_ctx *ctx, struct store *st, const char *version, char prev[64])
{
    static const char sql[] =
        "SELECT p.id FROM list_version v JOIN list_version p ON p.source = v.source "
        "AND (p.published, p.imported_at, p.rowid) < (v.published, v.imported_at, v.rowid) "
        "WHERE v.id = ?1 ORDER BY p.published DESC, p.imported_at DESC, p.rowid DESC LIMIT 1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
    if ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        snprintf(prev, 64, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_reset(stmt);
    if (step == SQLITE_DONE)
        return ctx_error(ctx, AT_ENOTFOUND, "%s is the first version of its list", version);
    return step == SQLITE_ROW ? AT_OK : store_error(ctx, st, "reading list versions");
}

int lists_find_key(struct at_ctx *ctx, struct store *st, const char *ref, char source[8],
                   struct buf *key, struct buf *name)
{
    static const char sql[] =
        "SELECT v.source, e.name FROM list_entry e JOIN list_version v ON v.id = e.version "
        "WHERE e.key = ?1 AND (?2 IS NULL OR v.source = ?2) "
        "ORDER BY v.published DESC, v.imported_at DESC, v.rowid DESC";
    const char *colon = strchr(ref, ':'), *k = ref;
    struct buf want = BUF_INIT;
    sqlite3_stmt *stmt;
    int step, rc = AT_OK;

    source[0] = '\0';
    if (colon) {
        buf_append(&want, ref, (size_t)(colon - ref));
        if (strcmp(buf_str(&want), "un") != 0 && strcmp(buf_str(&want), "ofac") != 0) {
            rc = ctx_error(ctx, AT_EINVAL, "\"%s\": unknown list \"%s\"; valid: un, ofac "
                           "(un:KPe.029, ofac:9345)", ref, buf_str(&want));
            goto out;
        }
        k = colon + 1;
    }
    if ((stmt = store_stmt(ctx, st, sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    sqlite3_bind_text(stmt, 1, k, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, colon ? buf_str(&want) : NULL, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *src = (const char *)sqlite3_column_text(stmt, 0);
        if (source[0] == '\0') {
            snprintf(source, 8, "%s", src);
            buf_puts(name, (const char *)sqlite3_column_text(stmt, 1));
        } else if (strcmp(source, src) != 0) {
            rc = ctx_error(ctx, AT_EINVAL, "\"%s\" is a key on both lists; give un:%s or ofac:%s",
                           k, k, k);
            break;
        }
    }
    sqlite3_reset(stmt);
    if (rc == AT_OK && step != SQLITE_DONE)
        rc = store_error(ctx, st, "reading list entries");
    else if (rc == AT_OK && source[0] == '\0')
        rc = ctx_error(ctx, AT_ENOTFOUND, "no entry \"%s\" on any imported list version; give a "
                       "list key (KPe.029, ofac:9345)", ref);
    if (rc == AT_OK)
        buf_puts(key, k);
out:
    buf_free(&want);
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

/* One entry of a version: its key, its document and the hex SHA-256 of the
 * document's canonical text (as stored). */
struct diff_entry {
    char *key;
    json_t *doc;
    char sha256[65];
};

struct diff_side {
    struct diff_entry *e;
    size_t n;
};

static void diff_side_free(struct diff_side *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->e[i].key);
        json_decref(d->e[i].doc);
    }
    free(d->e);
}

/* Every entry of a version, in key order. */
static int load_side(struct at_ctx *ctx, struct store *st, const char *version, struct diff_side *out)
{
    static const char sql[] = "SELECT key, doc FROM list_entry WHERE version = ?1 ORDER BY key";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    size_t cap = 0;
    int step, rc = AT_OK;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(stmt, 1);
        unsigned char digest[32];
        json_error_t err;
        if (out->n == cap)
            out->e = xrealloc(out->e, (cap = cap ? 2 * cap : 256) * sizeof *out->e);
        struct diff_entry *e = &out->e[out->n];
        if ((e->doc = json_loads(text, 0, &err)) == NULL) {
            rc = ctx_error(ctx, AT_ECORRUPT, "list entry %s of %s: %s",
                           (const char *)sqlite3_column_text(stmt, 0), version, err.text);
            break;
        }
        e->key = xstrdup((const char *)sqlite3_column_text(stmt, 0));
        EVP_Digest(text, strlen(text), digest, NULL, EVP_sha256(), NULL);
        hex_of(digest, e->sha256);
        out->n++;
    }
    if (rc == AT_OK && step != SQLITE_DONE)
        rc = store_error(ctx, st, "reading a list version");
    sqlite3_reset(stmt);
    return rc;
}

/* The names of an entry by comparable form -> {name, quality}, leaving out
 * its primary name when skip_primary (a rename reports that one). */
static json_t *name_set(json_t *e, bool skip_primary)
{
    const char *primary = json_string_value(json_object_get(e, "name"));
    json_t *set = json_object(), *n;
    struct buf form = BUF_INIT, pform = BUF_INIT;
    size_t i;

    diff_form(primary ? primary : "", &pform);
    json_array_foreach(json_object_get(e, "names"), i, n) {
        diff_form(json_string_value(json_object_get(n, "name")), &form);
        if (skip_primary && strcmp(buf_str(&form), buf_str(&pform)) == 0)
            continue;
        if (json_object_get(set, buf_str(&form)) == NULL)
            json_object_set(set, buf_str(&form), n);
    }
    buf_free(&form);
    buf_free(&pform);
    return set;
}

/* The identifiers of an entry by kind and comparable value -> {kind, value}. */
static json_t *id_set(json_t *e)
{
    json_t *set = json_object(), *id;
    struct buf k = BUF_INIT;
    size_t i;

    json_array_foreach(json_object_get(e, "ids"), i, id) {
        const char *kind = json_string_value(json_object_get(id, "kind"));
        const char *value = json_string_value(json_object_get(id, "value"));
        size_t start;
        buf_reset(&k);
        buf_printf(&k, "%s:", kind);
        start = k.len;
        lists_attr_norm(kind, value, &k);
        if (k.len == start)
            buf_puts(&k, value);
        json_object_set_new(set, buf_str(&k), json_pack("{s:s, s:s}", "kind", kind, "value", value));
    }
    buf_free(&k);
    return set;
}

/* Appends what is in a and not in b to out[prop] (created when needed). */
static void set_minus(json_t *a, json_t *b, json_t *out, const char *prop)
{
    const char *k;
    json_t *v;

    json_object_foreach(a, k, v)
        if (json_object_get(b, k) == NULL)
            json_array_append(array_prop(out, prop), v);
}

/* Names in both a and b whose quality changed: {name, old, new}. */
static void requalified(json_t *a, json_t *b, json_t *out)
{
    const char *k;
    json_t *was, *now;

    json_object_foreach(a, k, was) {
        const char *q0 = json_string_value(json_object_get(was, "quality"));
        if ((now = json_object_get(b, k)) == NULL
            || strcmp(q0, json_string_value(json_object_get(now, "quality"))) == 0)
            continue;
        json_array_append_new(array_prop(out, "aliases_requalified"),
                              json_pack("{s:O, s:s, s:O}", "name", json_object_get(now, "name"),
                                        "old", q0, "new", json_object_get(now, "quality")));
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The other top-level fields whose values differ, in name order; names
 * and ids when they differ in spelling only (no rename, and no name or
 * identifier gained, dropped or requalified). */
static void other_fields(json_t *was, json_t *now, json_t *out)
{
    json_t *keys = json_object(), *v;
    const char *k, **sorted;
    size_t n = 0;

    json_object_foreach(was, k, v)
        json_object_set(keys, k, json_true());
    json_object_foreach(now, k, v)
        json_object_set(keys, k, json_true());
    sorted = xmalloc((json_object_size(keys) + 1) * sizeof *sorted);
    json_object_foreach(keys, k, v)
        sorted[n++] = k;
    qsort(sorted, n, sizeof *sorted, cmp_str);
    for (size_t i = 0; i < n; i++) {
        k = sorted[i];
        bool detailed = strcmp(k, "names") == 0
            ? json_object_get(out, "renamed") || json_object_get(out, "aliases_added")
                || json_object_get(out, "aliases_removed") || json_object_get(out, "aliases_requalified")
            : strcmp(k, "ids") == 0 && (json_object_get(out, "ids_added")
                                        || json_object_get(out, "ids_removed"));
        if (strcmp(k, "key") == 0 || strcmp(k, "name") == 0 || detailed
            || json_equal(json_object_get(was, k), json_object_get(now, k)))
            continue;
        json_array_append_new(array_prop(out, "fields_changed"), json_string(k));
    }
    free(sorted);
    json_decref(keys);
}

/* The row of an entry present in one version only. */
static json_t *one_sided(const struct diff_entry *e, const char *change)
{
    return json_pack("{s:s, s:O, s:O, s:s, s:s}", "key", e->key, "type", json_object_get(e->doc, "type"),
                     "name", json_object_get(e->doc, "name"), "change", change,
                     strcmp(change, "added") == 0 ? "new_sha256" : "old_sha256", e->sha256);
}

/* The row of an entry in both versions whose content differs. */
static json_t *changed(const struct diff_entry *a, const struct diff_entry *b, bool *renamed)
{
    json_t *row = json_pack("{s:s, s:O, s:O, s:s, s:s, s:s}", "key", b->key,
                            "type", json_object_get(b->doc, "type"), "name", json_object_get(b->doc, "name"),
                            "change", "changed", "old_sha256", a->sha256, "new_sha256", b->sha256);
    struct buf x = BUF_INIT, y = BUF_INIT;

    diff_form(json_string_value(json_object_get(a->doc, "name")) ?: "", &x);
    diff_form(json_string_value(json_object_get(b->doc, "name")) ?: "", &y);
    *renamed = strcmp(buf_str(&x), buf_str(&y)) != 0;
    if (*renamed)
        json_object_set_new(row, "renamed", json_pack("{s:O, s:O}", "old", json_object_get(a->doc, "name"),
                                                      "new", json_object_get(b->doc, "name")));
    json_t *on = name_set(a->doc, *renamed), *nn = name_set(b->doc, *renamed);
    json_t *oi = id_set(a->doc), *ni = id_set(b->doc);
    set_minus(nn, on, row, "aliases_added");
    set_minus(on, nn, row, "aliases_removed");
    requalified(on, nn, row);
    set_minus(ni, oi, row, "ids_added");
    set_minus(oi, ni, row, "ids_removed");
    other_fields(a->doc, b->doc, row);
    json_decref(on);
    json_decref(nn);
    json_decref(oi);
    json_decref(ni);
    buf_free(&x);
    buf_free(&y);
    return row;
}

/* The source of a version: "un" of "un-2026-02-27". */
static int source_of(struct at_ctx *ctx, struct store *st, const char *version, struct buf *out)
{
    static const char sql[] = "SELECT source FROM list_version WHERE id = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int rc = AT_OK;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        buf_puts(out, (const char *)sqlite3_column_text(stmt, 0));
    else
        rc = ctx_error(ctx, AT_ENOTFOUND, "no list version \"%s\"", version);
    sqlite3_reset(stmt);
    return rc;
}

int lists_diff(struct at_ctx *ctx, struct store *st, const char *old_version,
               const char *new_version, json_t **out)
{
    struct diff_side a = { 0 }, b = { 0 };
    struct buf sa = BUF_INIT, sb = BUF_INIT;
    json_t *entries = json_array();
    json_int_t added = 0, removed = 0, renamed = 0, changes = 0, same = 0;
    size_t i = 0, j = 0;
    int rc;

    *out = NULL;
    if ((rc = source_of(ctx, st, old_version, &sa)) != AT_OK
        || (rc = source_of(ctx, st, new_version, &sb)) != AT_OK)
        goto out;
    if (strcmp(buf_str(&sa), buf_str(&sb)) != 0) {
        rc = ctx_error(ctx, AT_EINVAL, "%s and %s are versions of different lists (%s, %s); "
                       "a diff compares two versions of one list", old_version, new_version,
                       buf_str(&sa), buf_str(&sb));
        goto out;
    }
    if ((rc = load_side(ctx, st, old_version, &a)) != AT_OK
        || (rc = load_side(ctx, st, new_version, &b)) != AT_OK)
        goto out;
    while (i < a.n || j < b.n) {
        int c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.e[i].key, b.e[j].key);
        bool was_renamed;
        if (c < 0) {
            json_array_append_new(entries, one_sided(&a.e[i++], "removed"));
            removed++;
        } else if (c > 0) {
            json_array_append_new(entries, one_sided(&b.e[j++], "added"));
            added++;
        } else if (strcmp(a.e[i].sha256, b.e[j].sha256) == 0) {
            i++, j++, same++;
        } else {
            json_array_append_new(entries, changed(&a.e[i++], &b.e[j++], &was_renamed));
            changes++;
            renamed += was_renamed;
        }
    }
    *out = json_pack("{s:s, s:s, s:s, s:{s:I, s:I, s:I, s:I, s:I}, s:O}", "list", buf_str(&sa),
                     "old", old_version, "new", new_version, "counts", "added", added,
                     "removed", removed, "changed", changes, "renamed", renamed, "unchanged", same,
                     "entries", entries);
out:
    json_decref(entries);
    diff_side_free(&a);
    diff_side_free(&b);
    buf_free(&sa);
    buf_free(&sb);
    return rc;
}
