/*
 * server_settings.c: the settings `attest serve` started with (the
 * archive, the unlocked user's keys, the tile URL, the upload limits),
 * for the handlers that need one.  server_run sets them once, before the
 * first request; and another connection to that archive (server_store_open).
 */
#include "http.h"
#include "server.h"

#include <sodium.h>

static const struct serve_options *options;

void server_settings_set(const struct serve_options *o)
{
    options = o;
}

const struct session *server_keys(void)
{
    return options->keys;
}

const char *server_archive(void)
{
    return options->archive;
}

/* Opens another connection to the archive the server unlocked at start. */
int server_store_open(struct at_ctx *ctx, struct store **st)
{
    uint8_t page_key[STORE_KEY_BYTES];
    int rc;

    store_page_key(server_keys()->master, page_key);
    rc = store_open(ctx, server_archive(), page_key, st);
    sodium_memzero(page_key, sizeof page_key);
    return rc;
}

const char *server_tile_url(void)
{
    return options->tile_url;
}

const struct upload_limits *server_upload_limits(void)
{
    return &options->uploads;
}
