/*
 * cmd_basemap.c: `attest basemap add|list|remove|export`: offline imagery kept
 * in the archive, served to the web map as tiles.
 */
#include "cli.h"
#include "../core/basemap.h"

#include <string.h>

static int add(struct cli *cli, int argc, char **argv)
{
    const char *file = NULL, *name = NULL;
    struct buf def = BUF_INIT;
    struct basemap_info b;
    int rc, i;

    for (i = 0; i < argc; i++) {
        if ((rc = cli_option(&basemap_command, argc, argv, &i, "name", &name)) < 0)
            return EXIT_USAGE;
        if (rc == 0 && file == NULL && argv[i][0] != '-')
            file = argv[i];
        else if (rc == 0)
            return cli_usage(&basemap_command, "unexpected argument \"%s\"", argv[i]);
    }
    if (file == NULL)
        return cli_usage(&basemap_command, "give the MBTiles file or georeferenced image to add");
    if (name == NULL) {
        basemap_name_from_path(file, &def);
        name = buf_str(&def);
    }
    rc = basemap_add(&cli->ctx, cli->st, file, name, &b);
    buf_free(&def);
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    printf("%s\n", b.name);
    fprintf(stderr, "added basemap %s: %lld %s tiles, zoom %d to %d\n", b.name, b.tiles, b.format,
            b.minzoom, b.maxzoom);
    return EXIT_OK;
}

static int list_row(void *arg, const struct basemap_info *b)
{
    json_array_append_new(arg, basemap_json(b));
    return AT_OK;
}

static int list(struct cli *cli, int argc, char **argv)
{
    bool as_json = false;
    json_t *all = json_array(), *o;
    struct table tab;
    size_t i;
    int rc;

    for (int k = 0; k < argc; k++) {
        if (strcmp(argv[k], "--json") != 0) {
            json_decref(all);
            return cli_usage(&basemap_command, "unexpected argument \"%s\"", argv[k]);
        }
        as_json = true;
    }
    if ((rc = basemap_each(&cli->ctx, cli->st, list_row, all)) != AT_OK) {
        json_decref(all);
        return cli_fail(cli, rc);
    }
    if (as_json) {
        cli_print_json(all);
        json_decref(all);
        return EXIT_OK;
    }
    cli_table_init(&tab, 5, "NAME", "FORMAT", "ZOOM", "TILES", "BOUNDS (W,S,E,N)");
    json_array_foreach(all, i, o) {
        char zoom[32], tiles[32], bounds[128];
        json_t *bb = json_object_get(o, "bounds");
        snprintf(zoom, sizeof zoom, "%d-%d", (int)json_integer_value(json_object_get(o, "minzoom")),
                 (int)json_integer_value(json_object_get(o, "maxzoom")));
        snprintf(tiles, sizeof tiles, "%lld", (long long)json_integer_value(json_object_get(o, "tiles")));
        snprintf(bounds, sizeof bounds, "%.5f,%.5f,%.5f,%.5f",
                 json_real_value(json_array_get(bb, 0)), json_real_value(json_array_get(bb, 1)),
                 json_real_value(json_array_get(bb, 2)), json_real_value(json_array_get(bb, 3)));
        cli_table_row(&tab, json_string_value(json_object_get(o, "name")),
                      json_string_value(json_object_get(o, "format")), zoom, tiles, bounds);
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
    json_decref(all);
    return EXIT_OK;
}

static int remove_cmd(struct cli *cli, int argc, char **argv)
{
    int rc;

    if (argc != 1)
        return cli_usage(&basemap_command, "give the one basemap to remove");
    if ((rc = basemap_remove(&cli->ctx, cli->st, argv[0])) != AT_OK)
        return cli_fail(cli, rc);
    fprintf(stderr, "removed basemap %s\n", argv[0]);
    return EXIT_OK;
}

static int export_cmd(struct cli *cli, int argc, char **argv)
{
    int rc;

    if (argc != 2)
        return cli_usage(&basemap_command, "give the basemap and the new MBTiles file to write");
    if ((rc = basemap_export(&cli->ctx, cli->st, argv[0], argv[1])) != AT_OK)
        return cli_fail(cli, rc);
    fprintf(stderr, "wrote basemap %s to %s (not encrypted)\n", argv[0], argv[1]);
    return EXIT_OK;
}

static int basemap_cmd(struct cli *cli, int argc, char **argv)
{
    if (argc == 0)
        return cli_usage(&basemap_command, "give add, list, remove or export");
    if (strcmp(argv[0], "add") == 0)
        return add(cli, argc - 1, argv + 1);
    if (strcmp(argv[0], "list") == 0)
        return list(cli, argc - 1, argv + 1);
    if (strcmp(argv[0], "remove") == 0)
        return remove_cmd(cli, argc - 1, argv + 1);
    if (strcmp(argv[0], "export") == 0)
        return export_cmd(cli, argc - 1, argv + 1);
    return cli_usage(&basemap_command, "no subcommand \"%s\": give add, list, remove or export",
                     argv[0]);
}

const struct command basemap_command = {
    .name = "basemap",
    .summary = "add, list, remove or export offline imagery for the web map",
    .usage =
        "attest basemap add FILE [--name NAME]\n"
        "attest basemap list [--json]\n"
        "attest basemap remove NAME\n"
        "attest basemap export NAME FILE\n"
        "add keeps imagery inside the encrypted archive under NAME (by default the\n"
        "file's name without its extension): a raster MBTiles file (PNG, JPEG or WebP\n"
        "tiles) as it is, or a georeferenced raster GDAL reads (a GeoTIFF) warped to\n"
        "Web Mercator and cut into PNG tiles.  'attest serve' serves it at\n"
        "/tiles/NAME/{z}/{x}/{y} and every map offers it as a layer.  A file that is\n"
        "not valid is refused whole.  export writes a new MBTiles file, NOT encrypted.\n"
        "add, remove and export need the right to write records.",
    .run = basemap_cmd,
    .needs = NEEDS_ARCHIVE,
};
