/*
 * api_documents.c: documents as sources over HTTP: importing a text, a
 * document with its text, its tags and the claims recorded from it, an
 * analyst's decision on a tag, and claims listed side by side or added
 * from a span (core/document.h, core/tags.h, core/claims.h).
 */
#include "http.h"
#include "../core/claims.h"
#include "../core/document.h"
#include "../core/evlog.h"
#include "../core/record.h"
#include "../core/tags.h"
#include "../core/vocab.h"

#include <stdlib.h>
#include <string.h>

/* POST /api/v1/documents {"text", "name"?, "format"?, "url"?, "published"?,
 * "publisher"?, "title"?}: as `attest import document`. */
int api_documents_import(struct request *r)
{
    static const char *const options[] = { "url", "published", "publisher", "title" };
    json_t *body = http_body_json(r, true);
    struct document_import im = { 0 };
    const char *format, *opt[4];
    int rc;

    if (body == NULL)
        return (int)r->status;
    im.data = json_string_value(json_object_get(body, "text"));
    im.name = json_string_value(json_object_get(body, "name"));
    format = json_string_value(json_object_get(body, "format"));
    for (size_t i = 0; i < ARRAY_LEN(options); i++) {
        json_t *v = json_object_get(body, options[i]);
        opt[i] = json_string_value(v);
        if (v && !json_is_string(v)) {
            rc = http_error(r, 400, "invalid", options[i], "\"%s\" must be text", options[i]);
            goto out;
        }
    }
    if (im.data == NULL) {
        rc = http_error(r, 400, "invalid", "text", "\"text\" is required: the document's text, "
                        "Markdown or HTML");
        goto out;
    }
    im.len = json_string_length(json_object_get(body, "text"));
    im.name = im.name ? im.name : "document";
    im.url = opt[0];
    im.published = opt[1];
    im.publisher = opt[2];
    im.title = opt[3];
    if (format && document_format_parse(&r->ctx, format, &im.format) != AT_OK) {
        rc = http_error(r, 400, "invalid", "format", "%s", r->ctx.message);
        goto out;
    }
    if (format == NULL)
        im.format = document_sniff(im.name, im.data, im.len);
    if ((rc = evlog_write(&r->ctx, r->st, document_import_write, &im)) != AT_OK) {
        rc = http_core_error(r, rc);
        goto out;
    }
    rc = http_json(r, 201, json_pack("{s:s, s:I, s:I, s:O}", "id", im.id, "articles", (json_int_t)im.articles,
                                     "tags", (json_int_t)im.tags, "documents", im.written));
out:
    json_decref(im.written);
    json_decref(body);
    return rc;
}

/* GET /api/v1/documents/{id}: {"document": version, "tags": [...],
 * "claims": [...]}; spans are code points of data.text. */
int api_documents_get(struct request *r)
{
    json_t *doc = NULL, *tags = NULL, *claims = NULL, *mine, *c;
    size_t i;
    int rc;

    if ((rc = record_read(&r->ctx, r->st, r->params[0], 0, &doc)) != AT_OK
        || (rc = tags_list(&r->ctx, r->st, r->params[0], &tags)) != AT_OK
        || (rc = claims_list(&r->ctx, r->st, NULL, &claims)) != AT_OK) {
        json_decref(doc);
        json_decref(tags);
        return http_core_error(r, rc);
    }
    mine = json_array();
    json_array_foreach(claims, i, c)
        if (strcmp(json_string_value(json_object_get(c, "document")), r->params[0]) == 0)
            json_array_append(mine, c);
    json_decref(claims);
    return http_json(r, 200, json_pack("{s:o, s:o, s:o}", "document", doc, "tags", tags, "claims", mine));
}

/* POST /api/v1/tags/{id} {"status": "accepted"|"rejected"} */
int api_tags_decide(struct request *r)
{
    json_t *body = http_body_json(r, true);
    const char *status;
    char *end;
    long id;
    int rc;

    if (body == NULL)
        return (int)r->status;
    status = json_string_value(json_object_get(body, "status"));
    id = strtol(r->params[0], &end, 10);
    if (*r->params[0] == '\0' || *end != '\0' || id <= 0)
        rc = http_error(r, 404, "not_found", NULL, "no tag %s", r->params[0]);
    else if (status == NULL || (strcmp(status, "accepted") != 0 && strcmp(status, "rejected") != 0))
        rc = http_error(r, 400, "invalid", "status", "\"status\" must be \"accepted\" or \"rejected\"");
    else {
        struct tags_decision d = { &id, 1, status, 0 };
        if ((rc = evlog_write(&r->ctx, r->st, tags_decide_write, &d)) != AT_OK)
            rc = http_core_error(r, rc);
        else
            rc = http_json(r, 200, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)id, "status", status,
                                             "changed", d.changed > 0));
    }
    json_decref(body);
    return rc;
}

/* GET /api/v1/claims[?about=TOPIC] */
int api_claims_list(struct request *r)
{
    const char *about = http_arg(r, "about"), *topic = NULL;
    json_t *rows;
    int rc;

    if (about && (topic = vocab_match(vocab_find("claim_topic"), about)) == NULL) {
        struct buf valid = BUF_INIT;
        vocab_list_codes(vocab_find("claim_topic"), &valid);
        rc = http_error(r, 400, "invalid", "about", "\"%s\" is not a topic; valid: %s", about, valid.data);
        buf_free(&valid);
        return rc;
    }
    if ((rc = claims_list(&r->ctx, r->st, topic, &rows)) != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 200, json_pack("{s:o}", "claims", rows));
}

/* POST /api/v1/claims {"document", "span", "quantity", "unit", "topic",
 * "qualifier"?, "period"?, "place"?, "note"?, "quote"?} */
int api_claims_create(struct request *r)
{
    json_t *body = http_body_json(r, true);
    struct claims_add c = { NULL, "" };
    int rc;

    if (body == NULL)
        return (int)r->status;
    c.data = body;
    if ((rc = evlog_write(&r->ctx, r->st, claims_add_write, &c)) != AT_OK)
        rc = http_core_error(r, rc);
    else
        rc = http_json(r, 201, json_pack("{s:s, s:O}", "id", c.id, "data", c.data));
    json_decref(body);
    return rc;
}
