/*
 * api_lists.c: the sanctions list versions the archive holds (GET
 * /api/v1/lists, as `attest lists --json`), what changed between two
 * versions of one list (GET /api/v1/lists/{version}/diff[?from=OLD], as
 * `attest lists diff`: without from, against the version just before),
 * one entry as a version lists it (GET /api/v1/lists/{version}/entries/{key},
 * as `attest lists show`), and a new version of the UN list loaded from
 * the browser (POST /api/v1/lists?source=un&filename=F with the XML file
 * as the body, as `attest lists import un`): the file is kept in memory
 * only (memupload.c), and read and imported by core as the CLI does.
 */
#include "http.h"
#include "../core/lists.h"

#include <string.h>

/* The most a list file may be: the UN consolidated list is a few MB. */
#define LISTS_MAX_BYTES ((uint64_t)64 << 20)

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

int api_lists_entry(struct request *r)
{
    char version[64];
    json_t *entry = NULL;
    int rc;

    if ((rc = lists_resolve(&r->ctx, r->st, r->params[0], version)) == AT_OK)
        rc = lists_entry(&r->ctx, r->st, version, r->params[1], &entry);
    return rc == AT_OK ? http_json(r, 200, entry) : http_core_error(r, rc);
}

/* Checks ?source= before the file is read: only the UN list comes as one
 * file (OFAC's is a folder of files, imported at the command line). */
int api_lists_upload_begin(struct request *r)
{
    const char *source = http_arg(r, "source");

    if (source == NULL || strcmp(source, "un") != 0)
        return http_error(r, 400, "invalid", "source", "?source= must be \"un\" (the UN consolidated "
                          "list's XML file); an OFAC list is a folder of files: attest lists import "
                          "ofac DIR");
    return memupload_begin(r, LISTS_MAX_BYTES);
}

int api_lists_import(struct request *r)
{
    struct list_data data;
    char version[64];
    bool already = false;
    size_t n;
    int rc;

    if ((rc = memupload_complete(r)) != 0)
        return rc;
    rc = lists_read_un(&r->ctx, memupload_path(r), &data);
    http_message_rename(r, memupload_path(r), memupload_filename(r));
    if (rc != AT_OK)
        return http_core_error(r, rc);
    n = json_array_size(data.entries);
    rc = lists_import(&r->ctx, r->st, &data, version, &already);
    lists_data_free(&data);
    if (rc != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, already ? 200 : 201, json_pack("{s:s, s:s, s:I, s:b}", "file",
                     memupload_filename(r), "version", version, "entries", (json_int_t)n,
                     "already", already));
}
