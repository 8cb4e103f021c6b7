/*
 * lists_ofac.c: the reader of OFAC's legacy delimited SDN files.  They
 * have no header, CRLF line ends, every text field quoted, "-0- " for an
 * empty field, programs joined as "NPWMD] [DPRK2", a 0x1A byte at the very
 * end, and remarks cut at 1000 characters whose rest is in
 * sdn_comments.csv.  OFAC's weak aliases live only in the remarks
 * ("a.k.a. 'X'"), as do identifiers and "Linked To:" links.
 */
#include "attest.h"
#include "csv.h"
#include "lists.h"
#include "lists_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The value of a field: NULL for OFAC's "-0-" null, else trimmed. */
static const char *field(const struct csv_record *rec, size_t i, struct buf *tmp)
{
    buf_reset(tmp);
    if (i >= rec->n)
        return NULL;
    lists_clean_text(rec->fields[i], tmp);
    if (strcmp(buf_str(tmp), "-0-") == 0 || tmp->len == 0)
        return NULL;
    return buf_str(tmp);
}

static bool parse_ent_num(const char *s, long *out)
{
    char *end;

    if (s == NULL || !isdigit((unsigned char)*s))
        return false;
    errno = 0;
    *out = strtol(s, &end, 10);
    return errno == 0 && *end == '\0' && *out > 0;
}

/* Ordered index from ent_num to the entry, for the side files. */
struct ent_index {
    long *num;
    json_t **entry;
    size_t n, cap;
};

static void index_add(struct ent_index *ix, long num, json_t *entry)
{
    if (ix->n == ix->cap) {
        ix->cap = ix->cap ? ix->cap * 2 : 1024;
        ix->num = xrealloc(ix->num, ix->cap * sizeof *ix->num);
        ix->entry = xrealloc(ix->entry, ix->cap * sizeof *ix->entry);
    }
    ix->num[ix->n] = num;
    ix->entry[ix->n++] = entry;
}

static int cmp_pos(const void *a, const void *b, void *arg)
{
    const long *num = arg;
    long x = num[*(const size_t *)a], y = num[*(const size_t *)b];
    return (x > y) - (x < y);
}

static void index_sort(struct ent_index *ix)
{
    /* the new arrays keep the capacity that index_add counts on */
    size_t *order = xmalloc((ix->n ? ix->n : 1) * sizeof *order);
    long *num = xmalloc((ix->cap ? ix->cap : 1) * sizeof *num);
    json_t **entry = xmalloc((ix->cap ? ix->cap : 1) * sizeof *entry);

    for (size_t i = 0; i < ix->n; i++)
        order[i] = i;
    qsort_r(order, ix->n, sizeof *order, cmp_pos, ix->num);
    for (size_t i = 0; i < ix->n; i++) {
        num[i] = ix->num[order[i]];
        entry[i] = ix->entry[order[i]];
    }
    free(ix->num);
    free(ix->entry);
    free(order);
    ix->num = num;
    ix->entry = entry;
}

static json_t *index_find(const struct ent_index *ix, long num)
{
    size_t lo = 0, hi = ix->n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ix->num[mid] < num)
            lo = mid + 1;
        else if (ix->num[mid] > num)
            hi = mid;
        else
            return ix->entry[mid];
    }
    return NULL;
}

const char *const lists_ofac_names[LISTS_OFAC_FILES] = {
    "sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv",
};

static int open_csv(struct at_ctx *ctx, const char *path, const char *name, bool required,
                    FILE **f, struct csv_reader **r)
{
    struct csv_options opt = { .delimiter = ',', .stop_at_sub = true };

    *r = NULL;
    if (path == NULL || (*f = fopen(path, "rb")) == NULL) {
        int err = path == NULL ? ENOENT : errno;
        *f = NULL;
        if (!required && err == ENOENT)
            return AT_OK;
        return ctx_error(ctx, err == ENOENT ? AT_ENOTFOUND : AT_ERR, "%s: %s", path ? path : name,
                         strerror(err));
    }
    return csv_open(r, *f, name, &opt, ctx);
}

static int width_error(struct at_ctx *ctx, const char *file, const struct csv_record *rec,
                       size_t want)
{
    return ctx_error(ctx, AT_EINVAL, "%s:%lu: %zu fields, want %zu (OFAC's %s has no header and %zu columns)",
                     file, rec->line, rec->n, want, file, want);
}

static int ent_error(struct at_ctx *ctx, const char *file, const struct csv_record *rec,
                     const char *value)
{
    return ctx_error(ctx, AT_EINVAL, "%s:%lu: field 1 (ent_num): \"%s\" is not a positive whole number",
                     file, rec->line, value ? value : "");
}

static const char *type_of(const char *sdn_type)
{
    if (sdn_type == NULL)
        return "company";
    if (strcasecmp(sdn_type, "individual") == 0)
        return "person";
    if (strcasecmp(sdn_type, "vessel") == 0)
        return "vessel";
    if (strcasecmp(sdn_type, "aircraft") == 0)
        return "aircraft";
    return NULL;
}

/* sdn.csv: the entries, with remarks kept whole for the comments file. */
static int read_sdn(struct at_ctx *ctx, struct csv_reader *r, json_t *entries, struct ent_index *ix)
{
    static const char *const vessel_fields[] = {
        NULL, NULL, NULL, NULL, NULL, "call_sign", "vessel_type", "tonnage", "grt", "flag", "owner",
    };
    struct csv_record rec;
    struct buf tmp = BUF_INIT, name = BUF_INIT;
    int got, rc = AT_OK;

    while ((got = csv_read(r, &rec, ctx)) == 1) {
        long num;
        const char *v = field(&rec, 0, &tmp);
        if (rec.n != 12) {
            rc = width_error(ctx, "sdn.csv", &rec, 12);
            break;
        }
        if (!parse_ent_num(v, &num)) {
            rc = ent_error(ctx, "sdn.csv", &rec, v);
            break;
        }
        if (index_find(ix, num) != NULL || (ix->n && ix->num[ix->n - 1] == num)) {
            rc = ctx_error(ctx, AT_EINVAL, "sdn.csv:%lu: field 1 (ent_num): %ld appears twice", rec.line, num);
            break;
        }
        char key[24];
        snprintf(key, sizeof key, "%ld", num);
        buf_reset(&name);
        if (field(&rec, 1, &tmp) == NULL) {
            rc = ctx_error(ctx, AT_EINVAL, "sdn.csv:%lu: field 2 (SDN_Name): empty", rec.line);
            break;
        }
        buf_puts(&name, buf_str(&tmp));
        const char *type = type_of(field(&rec, 2, &tmp));
        if (type == NULL) {
            rc = ctx_error(ctx, AT_EINVAL, "sdn.csv:%lu: field 3 (SDN_Type): \"%s\"; valid: individual, vessel, aircraft or -0-",
                           rec.line, buf_str(&tmp));
            break;
        }
        json_t *e = lists_entry_new(key, type, buf_str(&name));
        if ((v = field(&rec, 3, &tmp)) != NULL) {
            char *progs = xstrdup(v), *p = progs, *sep;
            while (p) {
                if ((sep = strstr(p, "] [")) != NULL)
                    *sep = '\0';
                while (*p == '[')
                    p++;
                size_t n = strlen(p);
                while (n && p[n - 1] == ']')
                    p[--n] = '\0';
                if (*p)
                    lists_add_program(e, p);
                p = sep ? sep + 3 : NULL;
            }
            free(progs);
        }
        if ((v = field(&rec, 4, &tmp)) != NULL)
            lists_add_value(e, "title", v);
        json_t *vessel = json_object();
        for (size_t i = 5; i <= 10; i++)
            if ((v = field(&rec, i, &tmp)) != NULL)
                json_object_set_new(vessel, vessel_fields[i], json_string(v));
        if (json_object_size(vessel))
            json_object_set(e, "vessel", vessel);
        if ((v = json_string_value(json_object_get(vessel, "call_sign"))) != NULL)
            lists_add_id(e, "call_sign", v, NULL, NULL);
        json_decref(vessel);
        if ((v = field(&rec, 11, &tmp)) != NULL)
            json_object_set_new(e, "remarks", json_string(v));
        json_array_append_new(entries, e);
        index_add(ix, num, e);
        /* Kept sorted as read when the file is (it is); resorted below otherwise. */
        if (ix->n > 1 && ix->num[ix->n - 2] > num)
            index_sort(ix);
    }
    buf_free(&tmp);
    buf_free(&name);
    if (rc == AT_OK && got < 0)
        rc = got;
    return rc;
}

/* Looks up the entry of a side file's record, or fails naming the line. */
static int side_entry(struct at_ctx *ctx, const char *file, const struct csv_record *rec,
                      size_t width, const struct ent_index *ix, struct buf *tmp, json_t **e)
{
    long num;
    const char *v;

    if (rec->n != width)
        return width_error(ctx, file, rec, width);
    v = field(rec, 0, tmp);
    if (!parse_ent_num(v, &num))
        return ent_error(ctx, file, rec, v);
    if ((*e = index_find(ix, num)) == NULL)
        return ctx_error(ctx, AT_EINVAL, "%s:%lu: field 1 (ent_num): %ld is not in sdn.csv", file,
                         rec->line, num);
    return AT_OK;
}

static int read_alt(struct at_ctx *ctx, struct csv_reader *r, const struct ent_index *ix)
{
    struct csv_record rec;
    struct buf tmp = BUF_INIT, type = BUF_INIT;
    json_t *e;
    int got, rc = AT_OK;

    while ((got = csv_read(r, &rec, ctx)) == 1) {
        if ((rc = side_entry(ctx, "alt.csv", &rec, 5, ix, &tmp, &e)) != AT_OK)
            break;
        const char *t = field(&rec, 2, &type);
        const char *quality = t == NULL ? NULL
                            : strcasecmp(t, "aka") == 0 || strcasecmp(t, "nka") == 0 ? "strong"
                            : strcasecmp(t, "fka") == 0 ? "fka" : NULL;
        if (quality == NULL) {
            rc = ctx_error(ctx, AT_EINVAL, "alt.csv:%lu: field 3 (alt_type): \"%s\"; valid: aka, fka, nka",
                           rec.line, t ? t : "-0-");
            break;
        }
        if (field(&rec, 3, &tmp) == NULL) {
            rc = ctx_error(ctx, AT_EINVAL, "alt.csv:%lu: field 4 (alt_name): empty", rec.line);
            break;
        }
        lists_add_name(e, buf_str(&tmp), quality);
    }
    buf_free(&tmp);
    buf_free(&type);
    return rc == AT_OK && got < 0 ? got : rc;
}

static int read_add(struct at_ctx *ctx, struct csv_reader *r, const struct ent_index *ix)
{
    static const char *const parts[] = { NULL, NULL, "street", "city", "country", "note" };
    struct csv_record rec;
    struct buf tmp = BUF_INIT;
    json_t *e;
    int got, rc = AT_OK;

    while ((got = csv_read(r, &rec, ctx)) == 1) {
        if ((rc = side_entry(ctx, "add.csv", &rec, 6, ix, &tmp, &e)) != AT_OK)
            break;
        json_t *addr = json_object();
        for (size_t i = 2; i < 6; i++)
            if (field(&rec, i, &tmp) != NULL)
                json_object_set_new(addr, parts[i], json_string(buf_str(&tmp)));
        lists_add_address(e, addr);
    }
    buf_free(&tmp);
    return rc == AT_OK && got < 0 ? got : rc;
}

/* sdn_comments.csv: the rest of remarks cut at 1000 characters; the
 * continuation follows the cut directly, often inside a word. */
static int read_comments(struct at_ctx *ctx, struct csv_reader *r, const struct ent_index *ix)
{
    struct csv_record rec;
    struct buf tmp = BUF_INIT, joined = BUF_INIT;
    json_t *e;
    int got, rc = AT_OK;

    while ((got = csv_read(r, &rec, ctx)) == 1) {
        if ((rc = side_entry(ctx, "sdn_comments.csv", &rec, 2, ix, &tmp, &e)) != AT_OK)
            break;
        if (rec.n < 2 || rec.fields[1][0] == '\0' || strcmp(rec.fields[1], "-0- ") == 0)
            continue;
        buf_reset(&joined);
        const char *old = json_string_value(json_object_get(e, "remarks"));
        buf_puts(&joined, old ? old : "");
        buf_puts(&joined, rec.fields[1]);
        buf_reset(&tmp);
        lists_clean_text(buf_str(&joined), &tmp);
        json_object_set_new(e, "remarks", json_string(buf_str(&tmp)));
    }
    buf_free(&tmp);
    buf_free(&joined);
    return rc == AT_OK && got < 0 ? got : rc;
}

/* The newest modification date of the files (NULL: absent), as YYYY-MM-DD
 * (UTC). */
static void newest_date(const char *const *paths, size_t n, char out[11])
{
    time_t newest = 0;
    struct stat sb;
    struct tm tm;

    for (size_t i = 0; i < n; i++)
        if (paths[i] && stat(paths[i], &sb) == 0 && sb.st_mtime > newest)
            newest = sb.st_mtime;
    gmtime_r(&newest, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

int lists_read_ofac_files(struct at_ctx *ctx, const char *const paths[LISTS_OFAC_FILES],
                          const char *date, struct list_data *out)
{
    int (*const readers[])(struct at_ctx *, struct csv_reader *, const struct ent_index *) = {
        NULL, read_alt, read_add, read_comments,
    };
    struct ent_index ix = { 0 };
    int rc = AT_OK;

    memset(out, 0, sizeof *out);
    snprintf(out->source, sizeof out->source, "ofac");
    if (date && (!lists_date_valid(date) || !lists_date_prefix(date, out->published))) {
        rc = ctx_error(ctx, AT_EINVAL, "--date \"%s\" is not a date; want YYYY-MM-DD", date);
        goto out;
    }
    if (paths[0] == NULL) {
        rc = ctx_error(ctx, AT_ENOTFOUND, "%s is missing: OFAC's list needs it (%s, %s and %s "
                       "are read if present)", lists_ofac_names[0], lists_ofac_names[1],
                       lists_ofac_names[2], lists_ofac_names[3]);
        goto out;
    }
    if (date == NULL)
        newest_date(paths, LISTS_OFAC_FILES, out->published);
    if ((rc = lists_file_sha256(ctx, paths, LISTS_OFAC_FILES, out->sha256)) != AT_OK)
        goto out;
    out->entries = json_array();
    for (size_t i = 0; i < LISTS_OFAC_FILES && rc == AT_OK; i++) {
        FILE *f;
        struct csv_reader *r;
        if ((rc = open_csv(ctx, paths[i], lists_ofac_names[i], i == 0, &f, &r)) != AT_OK || f == NULL)
            continue;
        rc = i == 0 ? read_sdn(ctx, r, out->entries, &ix) : readers[i](ctx, r, &ix);
        csv_close(r);
        fclose(f);
    }
    if (rc == AT_OK) {
        size_t i;
        json_t *e;
        json_array_foreach(out->entries, i, e) {
            const char *remarks = json_string_value(json_object_get(e, "remarks"));
            if (remarks)
                lists_parse_remarks(e, remarks);
            lists_split_primary(e);
        }
    }
out:
    free(ix.num);
    free(ix.entry);
    if (rc != AT_OK)
        lists_data_free(out);
    return rc;
}

int lists_read_ofac(struct at_ctx *ctx, const char *dir, const char *date, struct list_data *out)
{
    struct buf path = BUF_INIT;
    char *paths[LISTS_OFAC_FILES];
    int rc;

    for (size_t i = 0; i < LISTS_OFAC_FILES; i++) {
        buf_reset(&path);
        buf_printf(&path, "%s/%s", dir, lists_ofac_names[i]);
        paths[i] = buf_detach(&path);
    }
    rc = lists_read_ofac_files(ctx, (const char *const *)paths, date, out);
    for (size_t i = 0; i < LISTS_OFAC_FILES; i++)
        free(paths[i]);
    buf_free(&path);
    return rc;
}

/* ---- remarks --------------------------------------------------------- */

static bool starts(const char *s, const char *prefix, const char **rest)
{
    size_t n = strlen(prefix);

    if (strncasecmp(s, prefix, n) != 0)
        return false;
    *rest = s + n;
    while (**rest == ' ' || **rest == ':')
        (*rest)++;
    return true;
}

/* The text between the first pair of single quotes (or the whole rest
 * without a final period) into out. */
static void quoted(const char *s, struct buf *out)
{
    const char *a = strchr(s, '\''), *b = a ? strrchr(a + 1, '\'') : NULL;

    buf_reset(out);
    if (a && b && b > a + 1) {
        buf_append(out, a + 1, (size_t)(b - a - 1));
    } else {
        size_t n = strlen(s);
        while (n && (s[n - 1] == '.' || s[n - 1] == ' '))
            n--;
        buf_append(out, s, n);
    }
}

/* "Passport 123 (Korea, North)": splits value and country. */
static void add_id_item(json_t *entry, const char *kind, const char *rest, const char *label)
{
    struct buf v = BUF_INIT;
    const char *open = strrchr(rest, '(');
    size_t n = open ? (size_t)(open - rest) : strlen(rest);
    char country[128] = "";

    while (n && (rest[n - 1] == ' ' || rest[n - 1] == '.' || rest[n - 1] == ';'))
        n--;
    buf_append(&v, rest, n);
    if (open) {
        const char *close = strchr(open, ')');
        size_t m = close ? (size_t)(close - open - 1) : strlen(open + 1);
        if (m >= sizeof country)
            m = sizeof country - 1;
        memcpy(country, open + 1, m);
        country[m] = '\0';
    }
    if (v.len)
        lists_add_id(entry, kind, buf_str(&v), country, label);
    buf_free(&v);
}

void lists_parse_remarks(json_t *entry, const char *remarks)
{
    /* Longest prefixes first where one is the start of another. */
    static const struct { const char *prefix, *kind; } ids[] = {
        { "Vessel Registration Identification", "imo" },
        { "Company Number IMO", "imo" },
        { "IMO", "imo" },
        { "SWIFT/BIC", "swift" },
        { "MMSI", "mmsi" },
        { "Passport", "passport" },
        { "National ID No.", "national_id" },
        { "Identification Number", "national_id" },
        { "Registration Number", "registration" },
        { "Registration ID", "registration" },
        { "Business Registration Number", "registration" },
        { "Tax ID No.", "tax_id" },
        { "Email Address", "email" },
        { "EMAIL", "email" },
        { "Website", "website" },
        { "Phone Number", "phone" },
        { "PHONE", "phone" },
        { "Telephone", "phone" },
        { "Telephone Number", "phone" },
        { "FAX", "phone" },
    };
    char *copy = xstrdup(remarks), *item = copy, *next;
    struct buf name = BUF_INIT;

    for (; item; item = next) {
        const char *rest;
        if ((next = strstr(item, "; ")) != NULL) {
            *next = '\0';
            next += 2;
        }
        while (*item == ' ')
            item++;
        if (strncasecmp(item, "alt. ", 5) == 0)
            item += 5;
        if (starts(item, "a.k.a.", &rest) || starts(item, "n.k.a.", &rest)) {
            quoted(rest, &name);
            lists_add_name(entry, buf_str(&name), "weak");
        } else if (starts(item, "f.k.a.", &rest) || starts(item, "Former Vessel Name", &rest)
                   || starts(item, "Former Name", &rest) || starts(item, "p.k.a.", &rest)) {
            quoted(rest, &name);
            lists_add_name(entry, buf_str(&name), "fka");
        } else if (starts(item, "Linked To", &rest)) {
            quoted(rest, &name);
            if (name.len)
                lists_add_value(entry, "links", buf_str(&name));
        } else if (starts(item, "DOB", &rest)) {
            quoted(rest, &name);
            lists_add_value(entry, "dob", buf_str(&name));
        } else if (starts(item, "nationality", &rest)) {
            quoted(rest, &name);
            lists_add_value(entry, "nationality", buf_str(&name));
        } else {
            for (size_t i = 0; i < ARRAY_LEN(ids); i++) {
                if (starts(item, ids[i].prefix, &rest)) {
                    if (strcmp(ids[i].kind, "imo") == 0 && strncasecmp(rest, "IMO", 3) == 0)
                        rest += 3;
                    while (*rest == ' ')
                        rest++;
                    add_id_item(entry, ids[i].kind, rest, ids[i].prefix);
                    break;
                }
            }
        }
    }
    free(copy);
    buf_free(&name);
}
