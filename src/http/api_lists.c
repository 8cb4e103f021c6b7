/*
 * api_lists.c: the sanctions list versions the archive holds (GET
 * /api/v1/lists, as `attest lists --json`) and what changed between two
 * versions of one list (GET /api/v1/lists/{version}/diff[?from=OLD], as
 * `attest lists diff`: without from, against the version just before).
 */
#include "http.h"
#include "../core/lists.h"

int api_lists(struct request *r)
{
    json_t *versions = NULL;
    int rc = lists_versions(&r->ctx, r->st, &versions);

    return rc == AT_OK ? http_json(r, 200, versions) : http_core_error(r, rc);
}

int api_lists_diff(struct request *r)
{
    const char *from = http_arg(r, "from");
    char new_version[64], old_version[64];
    json_t *diff = NULL;
    int rc;

    if ((rc = lists_resolve(&r->ctx, r->st, r->params[0], new_version)) != AT_OK)
        return http_core_error(r, rc);
    rc = from ? lists_resolve(&r->ctx, r->st, from, old_version)
              : lists_previous(&r->ctx, r->st, new_version, old_version);
    if (rc == AT_OK)
        rc = lists_diff(&r->ctx, r->st, old_version, new_version, &diff);
    if (rc == AT_EINVAL && from)
        return http_error(r, 400, "invalid", "from", "%s", r->ctx.message);
    return rc == AT_OK ? http_json(r, 200, diff) : http_core_error(r, rc);
}
