/*
 * route.c: the route table, sorted by path then method, and the one gate
 * every request passes: who is asking, whether they must be logged in,
 * and the CSRF check on every state-changing request.  What each user may
 * do with a record is then decided by core (access.c).
 */
#include "http.h"

#include <string.h>

static const struct route routes[] = {
    { "GET", "/", ROUTE_PUBLIC, assets_serve, "the web application" },
    { "GET", "/api/v1/evidence", ROUTE_USER, api_evidence_list, "list evidence items" },
    { "POST", "/api/v1/evidence", ROUTE_USER, api_evidence_upload, "upload an evidence file (raw body, streamed)" },
    { "GET", "/api/v1/evidence/{id}", ROUTE_USER, api_evidence_get, "an evidence item's details and custody" },
    { "GET", "/api/v1/evidence/{id}/file", ROUTE_USER, api_evidence_file, "download an evidence file, decrypted and checked" },
    { "GET", "/api/v1/export/{format}", ROUTE_USER, api_export, "export: jsonl, or csv of ?type=" },
    { "POST", "/api/v1/login", ROUTE_PUBLIC, api_login, "log in: {username, passphrase}" },
    { "POST", "/api/v1/logout", ROUTE_USER, api_logout, "log out" },
    { "GET", "/api/v1/map", ROUTE_USER, api_map, "GeoJSON of sites, pinpoints and events in ?bbox=" },
    { "GET", "/api/v1/me", ROUTE_USER, api_me, "the logged-in user" },
    { "GET", "/api/v1/openapi.json", ROUTE_PUBLIC, api_openapi, "this API's OpenAPI 3 description" },
    { "GET", "/api/v1/records", ROUTE_USER, api_records_list, "list records with filters and paging" },
    { "POST", "/api/v1/records", ROUTE_USER, api_records_create, "create a record" },
    { "GET", "/api/v1/records/{id}", ROUTE_USER, api_records_get, "a record's current (or ?version=) version" },
    { "GET", "/api/v1/records/{id}/history", ROUTE_USER, api_records_history, "every version of a record" },
    { "POST", "/api/v1/records/{id}/retract", ROUTE_USER, api_records_retract, "retract a record" },
    { "POST", "/api/v1/records/{id}/versions", ROUTE_USER, api_records_amend, "write a new version" },
    { "POST", "/api/v1/screen", ROUTE_USER, api_screen, "screen a batch of names against the sanctions lists (OpenSanctions /match shape)" },
    { "GET", "/api/v1/search", ROUTE_USER, api_search, "full-text search: ?q=" },
    { "GET", "/api/v1/sites", ROUTE_USER, api_sites_list, "GeoJSON of the sites in ?bbox= (the map's site layer)" },
    { "GET", "/api/v1/sites/{id}", ROUTE_USER, api_sites_get, "a site with its pinpoints" },
    { "GET", "/api/v1/stats", ROUTE_USER, api_stats, "counts by type, year, act type and province" },
    { "POST", "/api/v1/tokens", ROUTE_USER, api_token_create, "make an API token for scripts" },
    { "GET", "/api/v1/types", ROUTE_USER, api_types, "the record types and their fields" },
    { "GET", "/api/v1/vocab", ROUTE_USER, api_vocab, "the controlled vocabularies" },
    { "POST", "/api/v1/witnesses/{id}/identity", ROUTE_USER, api_identity_set, "seal a witness's identity" },
};

const struct route *route_all(size_t *count)
{
    *count = ARRAY_LEN(routes);
    return routes;
}

/* Matches url against pattern, capturing {…} segments into r->params. */
static bool match(struct request *r, const char *pattern, const char *url)
{
    size_t used = 0;
    int nparams = 0;

    while (*pattern && *url) {
        if (*pattern == '{') {
            const char *end = strchr(url, '/');
            size_t n = end ? (size_t)(end - url) : strlen(url);
            if (n == 0 || used + n + 1 > sizeof r->param_buf || nparams == HTTP_MAX_PARAMS)
                return false;
            memcpy(r->param_buf + used, url, n);
            r->param_buf[used + n] = '\0';
            r->params[nparams++] = r->param_buf + used;
            used += n + 1;
            url += n;
            pattern = strchr(pattern, '}') + 1;
        } else if (*pattern++ != *url++) {
            return false;
        }
    }
    return *pattern == '\0' && *url == '\0';
}

/* Finds r's route and checks that its caller may call it: logged in when
 * it needs a login, and the CSRF token on a change.  Returns 0 and sets
 * *out (NULL for the web application's own paths), or the error status
 * it set. */
static int gate(struct request *r, const struct route **out)
{
    bool path_found = false;
    bool changes = strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0;

    *out = NULL;
    /* Decided afresh each time: a session may end while a body arrives. */
    r->session = NULL;
    r->logged_in = false;
    session_free(&r->keys);
    if (auth_identify(r) != AT_OK)
        return http_core_error(r, AT_EDENIED);
    for (size_t i = 0; i < ARRAY_LEN(routes); i++) {
        const struct route *rt = &routes[i];
        if (!match(r, rt->pattern, r->url))
            continue;
        path_found = true;
        /* HEAD runs the GET handler; libmicrohttpd sends no body for it. */
        if (strcmp(rt->method, r->method) != 0
            && !(strcmp(r->method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0))
            continue;
        if (rt->access == ROUTE_USER && !r->logged_in)
            return http_error(r, 401, "unauthorised", NULL, "log in first (POST /api/v1/login)");
        if (changes && rt->handler != api_login && !auth_csrf_ok(r))
            return http_error(r, 403, "csrf", NULL, "missing or wrong X-CSRF-Token header");
        *out = rt;
        return 0;
    }
    if (path_found)
        return http_error(r, 405, "method_not_allowed", NULL, "%s is not allowed here", r->method);
    if (strncmp(r->url, "/api/", 5) != 0)
        return 0; /* the web application's own paths */
    return http_error(r, 404, "not_found", NULL, "no such route");
}

int route_gate(struct request *r)
{
    const struct route *rt;

    return gate(r, &rt);
}

int route_dispatch(struct request *r)
{
    const struct route *rt;
    int status = gate(r, &rt);

    if (status != 0)
        return status;
    if (rt == NULL)
        return assets_serve(r);
    store_set_session(r->st, r->logged_in ? &r->keys : NULL);
    status = rt->handler(r);
    store_set_session(r->st, NULL);
    return status;
}
