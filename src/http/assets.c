/*
 * assets.c: serves the web application from the files compiled into the
 * binary.  Names are looked up exactly in the table, so no request can
 * reach a file outside it.  Paths that are not assets get the
 * application's page, which routes in the browser.
 */
#include "http.h"
#include "assets.h"

#include <string.h>

static const struct asset *find(const char *name)
{
    for (size_t i = 0; i < nassets; i++)
        if (strcmp(assets[i].name, name) == 0)
            return &assets[i];
    return NULL;
}

static int send_asset(struct request *r, const struct asset *a)
{
    r->raw = a->data;
    r->raw_len = a->len;
    r->content_type = a->content_type;
    r->status = 200;
    return 200;
}

int assets_serve(struct request *r)
{
    const struct asset *a;

    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
        return http_error(r, 405, "method_not_allowed", NULL, "%s is not allowed here", r->method);
    if (strncmp(r->url, "/assets/", 8) == 0) {
        if ((a = find(r->url + 8)) == NULL)
            return http_error(r, 404, "not_found", NULL, "no such file");
        return send_asset(r, a);
    }
    if (strstr(r->url, "..") != NULL || strchr(r->url + 1, '.') != NULL)
        return http_error(r, 404, "not_found", NULL, "no such file");
    return send_asset(r, find("index.html"));
}

int assets_openapi(struct request *r)
{
    return send_asset(r, find("openapi.json"));
}
