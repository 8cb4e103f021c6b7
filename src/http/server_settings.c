/*
 * server_settings.c: the settings `attest serve` started with (the
 * archive, the unlocked user's keys, the tile URL, the upload limits),
 * for the handlers that need one.  server_run sets them once, before the
 * first request.
 */
#include "http.h"
#include "server.h"

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

const char *server_tile_url(void)
{
    return options->tile_url;
}

const struct upload_limits *server_upload_limits(void)
{
    return &options->uploads;
}
