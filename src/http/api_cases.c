/*
 * api_cases.c: casework over HTTP: a case with its chain of sales (placed
 * on the gazetteer for the map), its full ILO checklist, and the
 * dependants and referrals the user may see (casework_read); a sale put
 * into the chain or taken out of it (`attest case sale add|remove`); an
 * indicator set.  A case itself is created and amended
 * through the records API; these add what it cannot do in one step.
 */
#include "http.h"
#include "../core/casework.h"
#include "../core/evlog.h"
#include "../core/number.h"

#include <limits.h>

int api_cases_get(struct request *r)
{
    json_t *c;
    int rc;

    if ((rc = casework_read(&r->ctx, r->st, r->params[0], &c)) != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 200, c);
}

/* The case as casework_read gives it after a change: 200 with it. */
static int reply_case(struct request *r, unsigned status)
{
    return api_cases_get(r) == 200 ? (int)(r->status = status) : (int)r->status;
}

/* POST {"sale": {...}, "before": N, "reason", "source"}. */
int api_cases_sale_add(struct request *r)
{
    json_t *body = http_body_json(r, true), *before;
    struct casework_sale c = { .case_id = r->params[0] };
    int rc;

    if (body == NULL)
        return (int)r->status;
    before = json_object_get(body, "before");
    c.sale = json_object_get(body, "sale");
    c.reason = json_string_value(json_object_get(body, "reason"));
    c.source = json_string_value(json_object_get(body, "source"));
    if (!json_is_object(c.sale))
        rc = http_error(r, 400, "invalid", "sale", "\"sale\" must be an object: {seller, buyer, "
                        "broker, place, date, price, currency, note}");
    else if (before && (!json_is_integer(before) || json_integer_value(before) < 1
                        || json_integer_value(before) > INT_MAX))
        rc = http_error(r, 400, "invalid", "before", "\"before\" must be the number of a sale "
                        "(from 1), or absent to add at the end");
    else if ((c.before = before ? (size_t)json_integer_value(before) : 0),
             (rc = evlog_write(&r->ctx, r->st, casework_sale_add_write, &c)) != AT_OK)
        rc = http_core_error(r, rc);
    else
        rc = reply_case(r, 201);
    json_decref(body);
    return rc;
}

/* POST /api/v1/cases/{id}/sales/{n}/remove {"reason", "source"}: sale n (from 1)
 * taken out of the chain, as `attest case sale remove CASE N --reason R`. */
int api_cases_sale_remove(struct request *r)
{
    json_t *body = http_body_json(r, true);
    struct casework_sale c = { .case_id = r->params[0] };
    long n = 0;
    int rc;

    if (body == NULL)
        return (int)r->status;
    c.reason = json_string_value(json_object_get(body, "reason"));
    c.source = json_string_value(json_object_get(body, "source"));
    if (number_parse_long(&r->ctx, "sale number", r->params[1], 1, INT_MAX, &n) != AT_OK)
        rc = http_error(r, 400, "invalid", "n", "%s", r->ctx.message);
    else if (c.reason == NULL || *c.reason == '\0')
        rc = http_error(r, 400, "invalid", "reason", "\"reason\" is required: why the sale is "
                        "taken out of the chain (kept in the case's history)");
    else if ((c.remove = (size_t)n),
             (rc = evlog_write(&r->ctx, r->st, casework_sale_remove_write, &c)) != AT_OK)
        rc = http_core_error(r, rc);
    else
        rc = reply_case(r, 200);
    json_decref(body);
    return rc;
}

/* POST {"indicator", "status", "note", "source", "reason"}. */
int api_cases_indicator_set(struct request *r)
{
    json_t *body = http_body_json(r, true);
    struct casework_indicator c = { .case_id = r->params[0] };
    int rc;

    if (body == NULL)
        return (int)r->status;
    c.indicator = json_string_value(json_object_get(body, "indicator"));
    c.status = json_string_value(json_object_get(body, "status"));
    c.note = json_string_value(json_object_get(body, "note"));
    c.source = json_string_value(json_object_get(body, "source"));
    c.reason = json_string_value(json_object_get(body, "reason"));
    if ((rc = evlog_write(&r->ctx, r->st, casework_indicator_set_write, &c)) != AT_OK)
        rc = http_core_error(r, rc);
    else
        rc = reply_case(r, 200);
    json_decref(body);
    return rc;
}
