/*
 * lists_un.c: the reader of the UN Security Council consolidated list
 * (CONSOLIDATED_LIST / INDIVIDUALS / INDIVIDUAL, ENTITIES / ENTITY).  The
 * file is read with libxml2's pull reader; each INDIVIDUAL or ENTITY
 * element alone is expanded into a tree, turned into an entry and freed.
 * Network access and entity expansion are off.  Field values are trimmed
 * and their inner white space (line breaks in older files) collapsed.
 */
#include "attest.h"
#include "lists.h"
#include "lists_int.h"

#include <libxml/xmlreader.h>
#include <stdlib.h>
#include <string.h>

struct un_reader {
    const char *path;
    struct at_ctx *ctx;
    char xml_error[512];
    int xml_line;
};

static void on_xml_error(void *arg, const xmlError *err)
{
    struct un_reader *r = arg;

    if (r->xml_error[0] || err == NULL || err->level < XML_ERR_ERROR)
        return;
    snprintf(r->xml_error, sizeof r->xml_error, "%s", err->message ? err->message : "malformed XML");
    size_t n = strlen(r->xml_error);
    while (n && (r->xml_error[n - 1] == '\n' || r->xml_error[n - 1] == ' '))
        r->xml_error[--n] = '\0';
    r->xml_line = err->line;
}

static bool named(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The trimmed, space-collapsed text of n into out (reset first). */
static void text_of(const xmlNode *n, struct buf *out)
{
    xmlChar *t = xmlNodeGetContent(n);

    buf_reset(out);
    lists_clean_text((const char *)t, out);
    xmlFree(t);
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (named(c, name))
            return c;
    return NULL;
}

/* The cleaned text of n's child name, or "" (in out). */
static const char *child_text(const xmlNode *n, const char *name, struct buf *out)
{
    const xmlNode *c = child(n, name);

    buf_reset(out);
    if (c)
        text_of(c, out);
    return buf_str(out);
}

static int field_error(struct un_reader *r, const xmlNode *n, const char *field, const char *what)
{
    return ctx_error(r->ctx, AT_EINVAL, "%s:%ld: %s: %s", r->path, xmlGetLineNo(n), field, what);
}

/* Adds each name of an ALIAS_NAME, which may hold several separated by
 * "; ", with the quality its QUALITY element gives. */
static void add_alias(json_t *entry, const xmlNode *alias, struct buf *tmp)
{
    const char *q = child_text(alias, "QUALITY", tmp);
    const char *quality = strcmp(q, "Low") == 0 ? "weak"
                        : strcmp(q, "f.k.a.") == 0 ? "fka" : "strong";
    struct buf names = BUF_INIT;

    child_text(alias, "ALIAS_NAME", &names);
    char *s = names.data, *semi;
    while (s && *s) {
        if ((semi = strstr(s, "; ")) != NULL)
            *semi = '\0';
        lists_add_name(entry, s, quality);
        s = semi ? semi + 2 : NULL;
    }
    buf_free(&names);
}

static void add_address(json_t *entry, const xmlNode *a, struct buf *tmp)
{
    static const char *const parts[][2] = {
        { "STREET", "street" }, { "CITY", "city" }, { "STATE_PROVINCE", "state" },
        { "ZIP_CODE", "zip" }, { "COUNTRY", "country" }, { "NOTE", "note" },
    };
    json_t *addr = json_object();

    for (size_t i = 0; i < ARRAY_LEN(parts); i++)
        if (*child_text(a, parts[i][0], tmp))
            json_object_set_new(addr, parts[i][1], json_string(buf_str(tmp)));
    lists_add_address(entry, addr);
}

static void add_document(json_t *entry, const xmlNode *d, struct buf *tmp)
{
    struct buf type = BUF_INIT, country = BUF_INIT;
    const char *number = child_text(d, "NUMBER", tmp);

    child_text(d, "TYPE_OF_DOCUMENT", &type);
    if (*child_text(d, "ISSUING_COUNTRY", &country) == '\0')
        child_text(d, "COUNTRY_OF_ISSUE", &country);
    if (*number) {
        char lower[128];
        size_t i;
        for (i = 0; i + 1 < sizeof lower && type.data && type.data[i]; i++)
            lower[i] = (char)(type.data[i] >= 'A' && type.data[i] <= 'Z' ? type.data[i] + 32 : type.data[i]);
        lower[i] = '\0';
        const char *kind = strstr(lower, "pas") ? "passport"
                         : strstr(lower, "nation") || strstr(lower, "ident") ? "national_id"
                         : "document";
        lists_add_id(entry, kind, number, buf_str(&country), buf_str(&type));
    }
    buf_free(&type);
    buf_free(&country);
}

/* Turns one INDIVIDUAL or ENTITY element into an entry. */
static int read_entry(struct un_reader *r, const xmlNode *n, bool person, json_t **out)
{
    struct buf tmp = BUF_INIT, name = BUF_INIT, key = BUF_INIT;
    static const char *const name_parts[] = { "FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME" };
    json_t *entry = NULL;
    int rc = AT_OK;

    for (size_t i = 0; i < ARRAY_LEN(name_parts); i++)
        if (*child_text(n, name_parts[i], &tmp))
            buf_printf(&name, "%s%s", name.len ? " " : "", buf_str(&tmp));
    child_text(n, "REFERENCE_NUMBER", &key);
    if (key.len == 0)
        child_text(n, "DATAID", &key);
    if (key.len == 0) {
        rc = field_error(r, n, "REFERENCE_NUMBER", "missing, and there is no DATAID either");
        goto out;
    }
    if (name.len == 0) {
        rc = field_error(r, n, "FIRST_NAME", "the entry has no name");
        goto out;
    }
    entry = lists_entry_new(buf_str(&key), person ? "person" : "company", buf_str(&name));
    if (*child_text(n, "DATAID", &tmp))
        json_object_set_new(entry, "dataid", json_string(buf_str(&tmp)));
    if (*child_text(n, "NAME_ORIGINAL_SCRIPT", &tmp))
        lists_add_name(entry, buf_str(&tmp), "strong");
    if (*child_text(n, "UN_LIST_TYPE", &tmp))
        lists_add_program(entry, buf_str(&tmp));
    if (*child_text(n, "LISTED_ON", &tmp))
        json_object_set_new(entry, "listed_on", json_string(buf_str(&tmp)));
    if (*child_text(n, "GENDER", &tmp))
        json_object_set_new(entry, "gender", json_string(buf_str(&tmp)));
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (named(c, "INDIVIDUAL_ALIAS") || named(c, "ENTITY_ALIAS")) {
            add_alias(entry, c, &tmp);
        } else if (named(c, "INDIVIDUAL_ADDRESS") || named(c, "ENTITY_ADDRESS")) {
            add_address(entry, c, &tmp);
        } else if (named(c, "INDIVIDUAL_DOCUMENT")) {
            add_document(entry, c, &tmp);
        } else if (named(c, "NATIONALITY") || named(c, "DESIGNATION") || named(c, "TITLE")) {
            const char *prop = named(c, "NATIONALITY") ? "nationality"
                             : named(c, "TITLE") ? "title" : "position";
            for (const xmlNode *v = c->children; v; v = v->next)
                if (named(v, "VALUE")) {
                    text_of(v, &tmp);
                    if (tmp.len)
                        lists_add_value(entry, prop, buf_str(&tmp));
                }
        } else if (named(c, "INDIVIDUAL_DATE_OF_BIRTH")) {
            const char *d = child_text(c, "DATE", &tmp);
            if (*d == '\0')
                d = child_text(c, "YEAR", &tmp);
            if (*d)
                lists_add_value(entry, "dob", d);
        }
    }
    if (*child_text(n, "COMMENTS1", &tmp)) {
        json_object_set_new(entry, "remarks", json_string(buf_str(&tmp)));
        lists_scan_text_ids(entry, buf_str(&tmp));
    }
    lists_split_primary(entry);
out:
    buf_free(&tmp);
    buf_free(&name);
    buf_free(&key);
    *out = entry;
    return rc;
}

/* Checks the root element and takes the list date from it. */
static int read_root(struct un_reader *r, xmlTextReaderPtr reader, struct list_data *out)
{
    const char *name = (const char *)xmlTextReaderConstName(reader);
    int line = xmlTextReaderGetParserLineNumber(reader);
    xmlChar *date;
    bool ok;

    if (strcmp(name, "CONSOLIDATED_LIST") != 0)
        return ctx_error(r->ctx, AT_EINVAL,
                         "%s:%d: the root element is <%s>; a UN list has <CONSOLIDATED_LIST>",
                         r->path, line, name);
    date = xmlTextReaderGetAttribute(reader, BAD_CAST "dateGenerated");
    ok = date && lists_date_prefix((const char *)date, out->published);
    xmlFree(date);
    if (!ok)
        return ctx_error(r->ctx, AT_EINVAL,
                         "%s:%d: dateGenerated: missing or not a date (want YYYY-MM-DD...)",
                         r->path, line);
    return AT_OK;
}

int lists_read_un(struct at_ctx *ctx, const char *path, struct list_data *out)
{
    struct un_reader r = { path, ctx, "", 0 };
    xmlTextReaderPtr reader;
    int got, rc = AT_OK;
    bool saw_root = false;

    memset(out, 0, sizeof *out);
    snprintf(out->source, sizeof out->source, "un");
    if (lists_file_sha256(ctx, &path, 1, out->sha256) != AT_OK)
        return ctx->code;
    reader = xmlReaderForFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOCDATA);
    if (reader == NULL)
        return ctx_error(ctx, AT_EINVAL, "%s: cannot be read as XML", path);
    xmlTextReaderSetStructuredErrorHandler(reader, (xmlStructuredErrorFunc)on_xml_error, &r);
    out->entries = json_array();
    /* After an entry the reader has already moved past its subtree
     * (xmlTextReaderNext), so the next node is looked at before reading. */
    bool advanced = false;
    for (;;) {
        if (!advanced && (got = xmlTextReaderRead(reader)) != 1)
            break;
        advanced = false;
        if (xmlTextReaderNodeType(reader) != XML_READER_TYPE_ELEMENT)
            continue;
        const char *name = (const char *)xmlTextReaderConstName(reader);
        int depth = xmlTextReaderDepth(reader);
        if (depth == 0) {
            if ((rc = read_root(&r, reader, out)) != AT_OK)
                break;
            saw_root = true;
            continue;
        }
        if (depth != 2 || (strcmp(name, "INDIVIDUAL") != 0 && strcmp(name, "ENTITY") != 0))
            continue;
        bool person = strcmp(name, "INDIVIDUAL") == 0;
        xmlNode *node = xmlTextReaderExpand(reader);
        json_t *entry;
        if (node == NULL) {
            got = -1;
            break;
        }
        if ((rc = read_entry(&r, node, person, &entry)) != AT_OK)
            break;
        json_array_append_new(out->entries, entry);
        if ((got = xmlTextReaderNext(reader)) != 1)
            break;
        advanced = true;
    }
    if (rc == AT_OK && (got < 0 || r.xml_error[0])) {
        rc = ctx_error(ctx, AT_EINVAL, "%s:%d: not well-formed XML: %s", path,
                       r.xml_line ? r.xml_line : xmlTextReaderGetParserLineNumber(reader),
                       r.xml_error[0] ? r.xml_error : "parse error");
    } else if (rc == AT_OK && !saw_root) {
        rc = ctx_error(ctx, AT_EINVAL, "%s: no <CONSOLIDATED_LIST> element; is this the UN list?", path);
    }
    xmlFreeTextReader(reader);
    if (rc != AT_OK)
        lists_data_free(out);
    return rc;
}
