/*
 * link_table.c: what every step of record linkage stands on: the
 * in-memory table of records with named fields (filled by the caller or
 * read from a CSV file), interned strings (values numbered once, so that
 * comparing two is comparing two integers), and a radix sort of 64-bit
 * keys for blocks and candidate pairs.
 */
#include "attest.h"
#include "link_int.h"
#include "csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- interned strings ------------------------------------------------------ */

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static size_t probe(const struct link_strings *t, const char *s, size_t len)
{
    size_t mask = t->nslots - 1, i = hash_bytes(s, len) & mask;

    while (t->slot[i]) {
        const char *x = t->s[t->slot[i]];
        if (strlen(x) == len && memcmp(x, s, len) == 0)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

uint32_t link_lookup(const struct link_strings *t, const char *s, size_t len)
{
    return t->nslots ? t->slot[probe(t, s, len)] : 0;
}

uint32_t link_intern(struct link_strings *t, const char *s, size_t len)
{
    size_t i;

    if (t->nslots == 0) {
        t->nslots = 1024;
        t->slot = xcalloc(t->nslots, sizeof *t->slot);
    }
    i = probe(t, s, len);
    if (t->slot[i])
        return t->slot[i];
    if (t->n + 2 > t->cap) {
        t->cap = t->cap ? 2 * t->cap : 256;
        t->s = xrealloc(t->s, t->cap * sizeof *t->s);
        t->count = xrealloc(t->count, t->cap * sizeof *t->count);
        t->len = xrealloc(t->len, t->cap * sizeof *t->len);
    }
    t->n++;
    t->s[t->n] = xmalloc(len + 1);
    memcpy(t->s[t->n], s, len);
    t->s[t->n][len] = '\0';
    t->count[t->n] = 0;
    t->len[t->n] = (uint32_t)len;
    t->slot[i] = (uint32_t)t->n;
    if (2 * t->n > t->nslots) {
        /* grow: re-enter every id */
        free(t->slot);
        t->nslots *= 4;
        t->slot = xcalloc(t->nslots, sizeof *t->slot);
        for (size_t id = 1; id <= t->n; id++)
            t->slot[probe(t, t->s[id], strlen(t->s[id]))] = (uint32_t)id;
    }
    return (uint32_t)t->n;
}

void link_strings_free(struct link_strings *t)
{
    for (size_t i = 1; i <= t->n; i++)
        free(t->s[i]);
    free(t->s);
    free(t->count);
    free(t->len);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

/* ---- the table ---------------------------------------------------------------- */

int link_table_new(struct at_ctx *ctx, const char *const *fields, size_t nfields,
                   struct link_table **out)
{
    struct link_table *t;

    if (nfields == 0)
        return ctx_error(ctx, AT_EINVAL, "a table of records needs at least one field");
    t = xcalloc(1, sizeof *t);
    t->nfields = nfields;
    t->fields = xmalloc(nfields * sizeof *t->fields);
    for (size_t i = 0; i < nfields; i++)
        t->fields[i] = xstrdup(fields[i]);
    *out = t;
    return AT_OK;
}

void link_table_free(struct link_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->ids[i]);
        for (size_t f = 0; f < t->nfields; f++)
            free(t->cells[i * t->nfields + f]);
    }
    for (size_t f = 0; f < t->nfields; f++)
        free(t->fields[f]);
    free(t->fields);
    free(t->ids);
    free(t->cells);
    free(t);
}

int link_table_add(struct at_ctx *ctx, struct link_table *t, const char *id,
                   const char *const *values)
{
    if (t->n >= UINT32_MAX - 1)
        return ctx_error(ctx, AT_EINVAL, "too many records to link");
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 1024;
        t->ids = xrealloc(t->ids, t->cap * sizeof *t->ids);
        t->cells = xrealloc(t->cells, t->cap * t->nfields * sizeof *t->cells);
    }
    t->ids[t->n] = xstrdup(id);
    for (size_t f = 0; f < t->nfields; f++) {
        const char *v = values[f];
        size_t len;
        while (v && (*v == ' ' || *v == '\t'))
            v++;
        len = v ? strlen(v) : 0;
        while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
            len--;
        if (len == 0) {
            t->cells[t->n * t->nfields + f] = NULL;
            continue;
        }
        t->cells[t->n * t->nfields + f] = xmalloc(len + 1);
        memcpy(t->cells[t->n * t->nfields + f], v, len);
        t->cells[t->n * t->nfields + f][len] = '\0';
    }
    t->n++;
    return AT_OK;
}

size_t link_table_count(const struct link_table *t)
{
    return t->n;
}

const char *link_table_id(const struct link_table *t, size_t i)
{
    return t->ids[i];
}

long link_table_find(const struct link_table *t, const char *id)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->ids[i], id) == 0)
            return (long)i;
    return -1;
}

const char *link_table_get(const struct link_table *t, size_t i, const char *field)
{
    long f = link_table_field(t, field);
    return f < 0 || i >= t->n ? NULL : link_table_cell(t, i, (size_t)f);
}

int link_table_read_csv(struct at_ctx *ctx, const char *path, const char *id_column,
                        struct link_table **out)
{
    FILE *f = fopen(path, "r");
    struct csv_reader *r = NULL;
    struct csv_record rec;
    struct link_table *t = NULL;
    const char **values = NULL;
    size_t width = 0, idcol = 0;
    int rc;

    *out = NULL;
    if (f == NULL)
        return ctx_error(ctx, AT_EINVAL, "%s: %s", path, strerror(errno));
    if ((rc = csv_open(&r, f, path, NULL, ctx)) != AT_OK)
        goto out;
    if ((rc = csv_read(r, &rec, ctx)) <= 0) {
        rc = rc == 0 ? ctx_error(ctx, AT_EINVAL, "%s: empty; want a header line", path) : rc;
        goto out;
    }
    width = rec.n;
    for (idcol = 0; idcol < width && strcmp(rec.fields[idcol], id_column) != 0; idcol++)
        ;
    if (idcol == width) {
        rc = ctx_error(ctx, AT_EINVAL, "%s: no column \"%s\" in the header", path, id_column);
        goto out;
    }
    values = xmalloc(width * sizeof *values);
    for (size_t i = 0, k = 0; i < width; i++)
        if (i != idcol)
            values[k++] = rec.fields[i];
    if ((rc = link_table_new(ctx, values, width - 1, &t)) != AT_OK)
        goto out;
    while ((rc = csv_read(r, &rec, ctx)) == 1) {
        if ((rc = csv_check_width(r, &rec, width, ctx)) != AT_OK)
            goto out;
        for (size_t i = 0, k = 0; i < width; i++)
            if (i != idcol)
                values[k++] = rec.fields[i];
        if ((rc = link_table_add(ctx, t, rec.fields[idcol], values)) != AT_OK)
            goto out;
    }
out:
    free(values);
    if (r)
        csv_close(r);
    fclose(f);
    if (rc != AT_OK) {
        link_table_free(t);
        return rc;
    }
    *out = t;
    return AT_OK;
}

const char *link_table_cell(const struct link_table *t, size_t rec, size_t field)
{
    return t->cells[rec * t->nfields + field];
}

long link_table_field(const struct link_table *t, const char *name)
{
    for (size_t f = 0; f < t->nfields; f++)
        if (strcmp(t->fields[f], name) == 0)
            return (long)f;
    return -1;
}

/* ---- sorting ------------------------------------------------------------------------ */

void link_sort_u64(uint64_t *a, size_t n)
{
    uint64_t *tmp, *src = a, *dst;
    size_t count[65536];

    if (n < 2)
        return;
    tmp = xmalloc(n * sizeof *tmp);
    dst = tmp;
    for (int shift = 0; shift < 64; shift += 16) {
        size_t sum = 0;
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & 0xffff]++;
        if (count[(src[0] >> shift) & 0xffff] == n)
            continue; /* every key has the same digit */
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xffff]++] = src[i];
        uint64_t *x = src;
        src = dst;
        dst = x;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
    free(tmp);
}
