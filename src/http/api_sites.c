/*
 * api_sites.c: corroboration review over the API, for the map's site
 * panel: cluster the pinpoints no site claims into candidate sites (POST
 * /api/v1/sites/cluster), list the candidates (GET
 * /api/v1/sites/candidates), and decide (POST /api/v1/sites/decisions:
 * confirm a candidate, split a site, merge sites).  The same core calls as
 * `attest sites`, behind the same gate; each decision is a logged write.
 */
#include "http.h"
#include "../core/sites.h"

#include <string.h>

/* The most ids one decision names. */
#define DECISION_IDS_MAX 256

int api_sites_candidates(struct request *r)
{
    json_t *all = NULL;
    int rc = sites_candidates(&r->ctx, r->st, &all);

    if (rc != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 200, json_pack("{s:o}", "candidates", all));
}

int api_sites_cluster(struct request *r)
{
    struct cluster_params p = CLUSTER_PARAMS_INIT;
    size_t count = 0;
    int rc;

    if ((rc = store_begin(&r->ctx, r->st)) != AT_OK
        || (rc = sites_cluster(&r->ctx, r->st, &p, &count)) != AT_OK
        || (rc = store_commit(&r->ctx, r->st)) != AT_OK) {
        store_rollback(r->st);
        return http_core_error(r, rc);
    }
    return http_json(r, 200, json_pack("{s:I}", "candidates", (json_int_t)count));
}

/* Appends the strings of body's array key to ids; false (with a 400 set)
 * when it is not an array of text. */
static bool id_list(struct request *r, json_t *body, const char *key, const char **ids, size_t *n)
{
    json_t *list = json_object_get(body, key), *v;
    size_t i;

    if (!json_is_array(list) || json_array_size(list) == 0
        || json_array_size(list) > DECISION_IDS_MAX - 1) {
        http_error(r, 400, "invalid", key, "\"%s\" must be a list of 1 to %d record ids", key,
                   DECISION_IDS_MAX - 1);
        return false;
    }
    json_array_foreach(list, i, v) {
        if (!json_is_string(v)) {
            http_error(r, 400, "invalid", key, "\"%s\" item %zu is not a record id", key, i + 1);
            return false;
        }
        ids[(*n)++] = json_string_value(v);
    }
    return true;
}

/* POST /api/v1/sites/decisions: {"decision": "confirm", "candidate":
 * LABEL, "name"} | {"decision": "split", "site", "pinpoints": [...],
 * "name"} | {"decision": "merge", "site", "sites": [...]}. */
int api_sites_decide(struct request *r)
{
    json_t *body = http_body_json(r, true), *name;
    const char *ids[DECISION_IDS_MAX], *first;
    char site[RECORD_ID_MAX] = "";
    enum sites_verb verb;
    size_t n = 0;
    int rc;

    if (body == NULL)
        return (int)r->status;
    name = json_object_get(body, "name");
    first = json_string_value(json_object_get(body, "candidate"));
    if (sites_verb_parse(&r->ctx, json_string_value(json_object_get(body, "decision")), &verb) != AT_OK) {
        rc = http_error(r, 400, "invalid", "decision", "%s", r->ctx.message);
        goto out;
    }
    if (name && !json_is_string(name)) {
        rc = http_error(r, 400, "invalid", "name", "\"name\" must be text");
        goto out;
    }
    if (verb != SITES_CONFIRM)
        first = json_string_value(json_object_get(body, "site"));
    if (first == NULL) {
        rc = http_error(r, 400, "invalid", verb == SITES_CONFIRM ? "candidate" : "site",
                        verb == SITES_CONFIRM ? "\"candidate\" must be a candidate's label (c1, c2, ...)"
                                              : "\"site\" must be the id of a site");
        goto out;
    }
    ids[n++] = first;
    if (verb != SITES_CONFIRM
        && !id_list(r, body, verb == SITES_SPLIT ? "pinpoints" : "sites", ids, &n)) {
        rc = (int)r->status;
        goto out;
    }
    if ((rc = sites_decide(&r->ctx, r->st, verb, ids, n, json_string_value(name), site)) != AT_OK)
        rc = http_core_error(r, rc);
    else
        rc = http_json(r, 201, json_pack("{s:s, s:s}", "decision", json_string_value(json_object_get(body, "decision")),
                                         "site", site[0] ? site : first));
out:
    json_decref(body);
    return rc;
}
