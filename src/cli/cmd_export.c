/*
 * cmd_export.c: `attest export jsonl|csv` writes the archive (or one type
 * of record) to stdout or a file.
 */
#include "cli.h"
#include "../core/bundle.h"
#include "../core/corroboration.h"
#include "../core/csvio.h"
#include "../core/ftm.h"
#include "../core/geo_export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* export bundle: the records and files named, at a tier, into a tar. */
static int export_bundle(struct cli *cli, const char *tier_name, const char *path,
                         const char *const *ids, size_t nids)
{
    struct bundle_counts c;
    enum tier tier;

    if (tier_name == NULL || path == NULL || nids == 0)
        return cli_usage(&export_command, "a bundle needs --tier, -o FILE and the ids to include");
    if (tier_parse(&cli->ctx, tier_name, &tier) != AT_OK)
        return cli_fail(cli, AT_EINVAL);
    if (bundle_write(&cli->ctx, cli->st, ids, nids, tier, path, &c) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    fprintf(stderr, "wrote %s: %ld records with proofs, %ld redacted for the %s tier, %ld left "
            "out, %ld files (%llu bytes)\n", path, c.records, c.redacted, tier_name, c.left_out,
            c.files, (unsigned long long)c.file_bytes);
    return EXIT_OK;
}

/* What a map export kept back and took out, each with why and the fix. */
static void map_report(const struct geo_export_counts *c, const char *tier_name)
{
    json_t *item;
    size_t i;

    fprintf(stderr, "exported %ld sites and %ld pinpoints for the %s tier (%ld coarsened, "
            "%ld left out)\n", c->sites, c->pinpoints, tier_name, c->redacted, c->left_out);
    json_array_foreach(c->left, i, item)
        fprintf(stderr, "left out %s: %s; fix: %s\n",
                json_string_value(json_object_get(item, "id")),
                json_string_value(json_object_get(item, "why")),
                json_string_value(json_object_get(item, "fix")));
    json_array_foreach(c->removed, i, item) {
        json_t *f;
        size_t k;
        fprintf(stderr, "free text taken out of %s:", json_string_value(json_object_get(item, "id")));
        json_array_foreach(json_object_get(item, "fields"), k, f)
            fprintf(stderr, " %s", json_string_value(f));
        fprintf(stderr, " (name them in its field publishable to let them out)\n");
    }
}

/* export kml|kmz|geojson|csv --tier T: sites and pinpoints for maps. */
static int export_map(struct cli *cli, const char *format, const char *tier_name, const char *path)
{
    struct geo_export_counts c;
    enum geo_format fmt;
    enum tier tier;
    FILE *out = stdout;
    int rc;

    if (tier_name == NULL)
        return cli_usage(&export_command, "a map export needs --tier court|partner|public");
    if (geo_format_parse(&cli->ctx, format, &fmt) != AT_OK
        || tier_parse(&cli->ctx, tier_name, &tier) != AT_OK)
        return cli_fail(cli, AT_EINVAL);
    if (path && (out = fopen(path, "wb")) == NULL) {
        ctx_error(&cli->ctx, AT_ERR, "cannot write %s: %s", path, strerror(errno));
        return cli_fail(cli, AT_ERR);
    }
    rc = geo_export(&cli->ctx, cli->st, fmt, tier, out, &c);
    if (out != stdout && fclose(out) != 0 && rc == AT_OK)
        rc = ctx_error(&cli->ctx, AT_ERR, "writing %s failed", path);
    if (rc == AT_OK)
        map_report(&c, tier_name);
    geo_export_counts_free(&c);
    return rc == AT_OK ? EXIT_OK : cli_fail(cli, rc);
}

/* export ftm [--list VERSION]: FollowTheMoney entities, one per line. */
static int export_ftm(struct cli *cli, const char *list, const char *path)
{
    struct ftm_counts c;
    FILE *out = stdout;
    int rc;

    if (path && (out = fopen(path, "wb")) == NULL) {
        ctx_error(&cli->ctx, AT_ERR, "cannot write %s: %s", path, strerror(errno));
        return cli_fail(cli, AT_ERR);
    }
    rc = list ? ftm_export_list(&cli->ctx, cli->st, list, out, &c)
              : ftm_export_records(&cli->ctx, cli->st, out, &c);
    if (out != stdout && fclose(out) != 0 && rc == AT_OK)
        rc = ctx_error(&cli->ctx, AT_ERR, "writing %s failed", path);
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    fprintf(stderr, "exported %ld FtM entities: %ld %s, %ld relations, %ld addresses\n",
            c.entities, c.records, list ? "list entries" : "records", c.relations, c.addresses);
    return EXIT_OK;
}

static int export_cmd(struct cli *cli, int argc, char **argv)
{
    const char *format = NULL, *type_name = NULL, *path = NULL, *tier = NULL, *list = NULL;
    const char **ids = xcalloc((size_t)argc + 1, sizeof *ids);
    size_t nids = 0;
    bool raw = false;
    FILE *out = stdout;
    int rc;

    for (int i = 0; i < argc; i++) {
        int got;
        if ((got = cli_option(&export_command, argc, argv, &i, "type", &type_name)) ||
            (got = cli_option(&export_command, argc, argv, &i, "tier", &tier)) ||
            (got = cli_option(&export_command, argc, argv, &i, "list", &list)) ||
            (got = cli_option(&export_command, argc, argv, &i, "output", &path))) {
            if (got < 0) {
                free(ids);
                return EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else if (strcmp(argv[i], "--raw") == 0) {
            raw = true;
        } else if (format == NULL && argv[i][0] != '-') {
            format = argv[i];
        } else if (format && strcmp(format, "bundle") == 0 && argv[i][0] != '-') {
            ids[nids++] = argv[i];
        } else {
            free(ids);
            return cli_usage(&export_command, "unexpected argument \"%s\"", argv[i]);
        }
    }
    if (raw && (format == NULL || strcmp(format, "csv") != 0 || tier)) {
        free(ids);
        return cli_usage(&export_command, "--raw is for csv --type TYPE");
    }
    if (format && strcmp(format, "bundle") == 0) {
        rc = export_bundle(cli, tier, path, ids, nids);
        free(ids);
        return rc;
    }
    free(ids);
    if (format && strcmp(format, "ftm") == 0)
        return export_ftm(cli, list, path);
    if (list)
        return cli_usage(&export_command, "--list is for the ftm format");
    if (format && (strcmp(format, "kml") == 0 || strcmp(format, "kmz") == 0
                   || strcmp(format, "geojson") == 0 || (strcmp(format, "csv") == 0 && tier)))
        return export_map(cli, format, tier, path);
    if (format == NULL || (strcmp(format, "jsonl") != 0 && strcmp(format, "csv") != 0
                           && strcmp(format, "corroboration") != 0))
        return cli_usage(&export_command, "give the format: jsonl, csv, bundle, kml, kmz, geojson, "
                         "ftm or corroboration");
    if (strcmp(format, "csv") == 0 && (type_name == NULL || model_type(type_name) == NULL))
        return cli_usage(&export_command, "a CSV export needs --type TYPE (a record type)");
    if (path && (out = fopen(path, "wb")) == NULL) {
        ctx_error(&cli->ctx, AT_ERR, "cannot write %s: %s", path, strerror(errno));
        return cli_fail(cli, AT_ERR);
    }
    if (strcmp(format, "jsonl") == 0) {
        rc = import_export_jsonl(&cli->ctx, cli->st, out);
    } else if (strcmp(format, "corroboration") == 0) {
        long n = 0;
        if ((rc = corroboration_export(&cli->ctx, cli->st, out, &n)) == AT_OK)
            fprintf(stderr, "exported the corroboration of %ld events\n", n);
    } else
        rc = csvio_export(&cli->ctx, cli->st, model_type(type_name), raw, out);
    if (out != stdout && fclose(out) != 0 && rc == AT_OK)
        rc = ctx_error(&cli->ctx, AT_ERR, "writing %s failed", path);
    return rc == AT_OK ? EXIT_OK : cli_fail(cli, rc);
}

const struct command export_command = {
    .name = "export",
    .summary = "export the archive (JSON Lines), a type (CSV), an evidence bundle, a map or "
               "events' corroboration",
    .usage =
        "attest export jsonl [-o FILE]\n"
        "       attest export csv --type TYPE [--raw] [-o FILE]\n"
        "       attest export bundle --tier court|partner|public -o FILE.tar ID...\n"
        "       attest export kml|kmz|geojson|csv --tier court|partner|public [-o FILE]\n"
        "       attest export ftm [--list VERSION] [-o FILE]\n"
        "       attest export corroboration [-o FILE]\n"
        "jsonl writes every version of every record in the order they were written:\n"
        "'attest import jsonl' of it rebuilds the same archive content.  csv writes the\n"
        "current records of one type, one row each, for spreadsheets (events with their\n"
        "corroboration in the last columns, which import csv passes over): a cell that\n"
        "a spreadsheet would run as a formula (=, +, -, @, tab or CR first, and not a\n"
        "number) gets a leading ' unless --raw; import csv takes it off.  bundle\n"
        "writes the records and evidence files named (ids) with Merkle proofs against\n"
        "the signed log and VERIFY.md, for a court (everything you may see), a partner\n"
        "(up to partner clearance) or the public (no witness details, coordinates\n"
        "coarsened to a 10 km grid); records without the witness's consent for that use\n"
        "are left out.  Check one with 'attest verify-bundle'.  kml, kmz, geojson and\n"
        "csv with --tier write the sites and pinpoints that the tier lets out, with\n"
        "each site's corroboration (witness counts, dates), for Google Earth and GIS\n"
        "tools, and say on stderr why each record left out stays in and what would let\n"
        "it out; the public tier also takes out names and descriptions unless the\n"
        "record's field publishable names them; see docs/formats-geo.md.  ftm writes FollowTheMoney entities (JSON\n"
        "Lines, as OpenSanctions tools read them): the organisations, persons and\n"
        "vessels you may read with their ownership, directorship and succession\n"
        "relations, or with --list the entries of a sanctions list version.\n"
        "corroboration writes each event you may read with its corroboration, as JSON\n"
        "Lines: independent sources, strongest basis, agreement on date, place and\n"
        "victims, counted from what you may read (see 'attest show').",
    .run = export_cmd,
    .needs = NEEDS_ARCHIVE,
};
