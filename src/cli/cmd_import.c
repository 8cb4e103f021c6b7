/*
 * cmd_import.c: `attest import jsonl|csv FILE` brings many records in at
 * once, all or nothing unless --skip-bad.  `attest import document` is in
 * cmd_import_document.c.
 */
#include "cli.h"
#include "../core/csvio.h"
#include "../core/ftm.h"
#include "../core/kml.h"
#include "../core/vocab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void report_bad(void *arg, const char *where, const char *message)
{
    (void)arg;
    fprintf(stderr, "attest: skipped %s: %s\n", where, message);
}

static void report_progress(void *arg, long done)
{
    (void)arg;
    fprintf(stderr, "\rimporting: %ld records", done);
}

/* import kml|kmz FILE [--interview ID] [--map-value FIELD:WORDS=CODE ...]:
 * placemarks into pinpoints and sites. */
static int import_kml(struct cli *cli, const char *path, const char *interview,
                      const struct kml_value_map *maps, size_t nmaps)
{
    struct kml_options opt = { NULL, maps, nmaps, NULL, false, NULL, NULL };
    struct import_counts counts = { 0 };
    char iv[RECORD_ID_MAX], doc[32];

    if (path == NULL || strcmp(path, "-") == 0)
        return cli_usage(&import_command, "a KML import reads a file: give FILE.kml or FILE.kmz");
    if (interview && record_resolve(&cli->ctx, cli->st, interview, iv) != AT_OK)
        return cli_fail(cli, AT_EINVAL);
    opt.interview = interview ? iv : NULL;
    if (kml_import(&cli->ctx, cli->st, path, &opt, &counts, doc) != AT_OK) {
        fprintf(stderr, "attest: %s\nattest: nothing was imported\n", cli->ctx.message);
        return cli->ctx.code == AT_ERR ? EXIT_FAIL : EXIT_USAGE;
    }
    fprintf(stderr, "imported %s: %ld new records, %ld new versions, %ld unchanged", path,
            counts.added, counts.versions, counts.already);
    if (doc[0])
        fprintf(stderr, " (the file is document %s)", doc);
    fputc('\n', stderr);
    return EXIT_OK;
}

/* import ftm FILE: FollowTheMoney entities into records, all or nothing. */
static int import_ftm(struct cli *cli, FILE *in, const char *name, const struct import_options *opt)
{
    struct ftm_counts c;

    if (ftm_import(&cli->ctx, cli->st, in, name, opt, &c) != AT_OK) {
        fprintf(stderr, "attest: %s\nattest: nothing was imported\n", cli->ctx.message);
        return cli->ctx.code == AT_ERR ? EXIT_FAIL : EXIT_USAGE;
    }
    fprintf(stderr, "imported %s: %ld FtM entities: %ld records, %ld relations, %ld addresses, "
            "%ld of other schemas left out\n", name, c.entities, c.records, c.relations,
            c.addresses, c.skipped);
    return EXIT_OK;
}

static int import_cmd(struct cli *cli, int argc, char **argv)
{
    struct import_options opt = { NULL, -1, false, report_bad, NULL, NULL, 0, false, NULL };
    struct import_counts counts = { 0 };
    const char *format = NULL, *path = NULL, *type_name = NULL, *clearance = NULL;
    const char *interview = NULL, *bulk_after = NULL;
    struct csv_map *maps = xcalloc((size_t)argc + 1, sizeof *maps);
    struct kml_value_map *values = xcalloc((size_t)argc + 1, sizeof *values);
    char **value_texts = xcalloc((size_t)argc + 1, sizeof *value_texts);
    size_t nmaps = 0, nvalues = 0;
    FILE *in = NULL;
    int rc = EXIT_USAGE;

    if (argc > 0 && strcmp(argv[0], "document") == 0) {
        rc = cmd_import_document(cli, argc - 1, argv + 1);
        goto out;
    }
    for (int i = 0; i < argc; i++) {
        const char *map;
        int got;
        if ((got = cli_option(&import_command, argc, argv, &i, "type", &type_name)) ||
            (got = cli_option(&import_command, argc, argv, &i, "source", &opt.source)) ||
            (got = cli_option(&import_command, argc, argv, &i, "clearance", &clearance)) ||
            (got = cli_option(&import_command, argc, argv, &i, "interview", &interview)) ||
            (got = cli_option(&import_command, argc, argv, &i, "bulk-after", &bulk_after))) {
            if (got < 0)
                goto out;
        } else if ((got = cli_option(&import_command, argc, argv, &i, "map", &map)) != 0) {
            const char *eq = got > 0 ? strchr(map, '=') : NULL;
            if (eq == NULL) {
                rc = got < 0 ? EXIT_USAGE : cli_usage(&import_command, "--map takes COLUMN=FIELD");
                goto out;
            }
            maps[nmaps].column = xstrdup(map);
            ((char *)maps[nmaps].column)[eq - map] = '\0';
            maps[nmaps++].field = eq + 1;
        } else if ((got = cli_option(&import_command, argc, argv, &i, "map-value", &map)) != 0) {
            if (got < 0)
                goto out;
            value_texts[nvalues] = xstrdup(map);
            if (kml_value_map_parse(&cli->ctx, value_texts[nvalues], &values[nvalues]) != AT_OK) {
                nvalues++;
                rc = cli_fail(cli, AT_EINVAL);
                goto out;
            }
            nvalues++;
        } else if (strcmp(argv[i], "--skip-bad") == 0) {
            opt.skip_bad = true;
        } else if (format == NULL && argv[i][0] != '-') {
            format = argv[i];
        } else if (path == NULL && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
            path = argv[i];
        } else {
            rc = cli_usage(&import_command, "unexpected argument \"%s\"", argv[i]);
            goto out;
        }
    }
    if (format == NULL || path == NULL) {
        rc = cli_usage(&import_command, "give the format and the file");
        goto out;
    }
    if (strcmp(format, "kml") == 0 || strcmp(format, "kmz") == 0) {
        rc = import_kml(cli, path, interview, values, nvalues);
        goto out;
    }
    if (interview || nvalues) {
        rc = cli_usage(&import_command, "%s is for KML imports",
                       interview ? "--interview" : "--map-value");
        goto out;
    }
    if (strcmp(format, "jsonl") == 0 || strcmp(format, "csv") == 0)
        opt.bulk_after = IMPORT_BULK_AFTER;
    if (bulk_after) {
        char *end;
        errno = 0;
        opt.bulk_after = strtol(bulk_after, &end, 10);
        if (errno || end == bulk_after || *end != '\0' || opt.bulk_after < 0
            || (strcmp(format, "jsonl") != 0 && strcmp(format, "csv") != 0)) {
            rc = cli_usage(&import_command, "--bulk-after \"%s\": a number of records from 0 "
                           "(0: never take the bulk path), for jsonl and csv imports", bulk_after);
            goto out;
        }
    }
    if (clearance && vocab_clearance_parse(&cli->ctx, clearance, &opt.clearance) != AT_OK) {
        rc = cli_fail(cli, AT_EINVAL);
        goto out;
    }
    if (isatty(STDERR_FILENO))
        opt.on_progress = report_progress;
    if (strcmp(format, "csv") == 0 && (type_name == NULL || model_type(type_name) == NULL)) {
        rc = cli_usage(&import_command, "a CSV import needs --type TYPE (a record type)");
        goto out;
    }
    if (strcmp(format, "jsonl") != 0 && strcmp(format, "csv") != 0 && strcmp(format, "ftm") != 0) {
        rc = cli_usage(&import_command, "\"%s\" is not an import format; valid: jsonl, csv, kml, "
                       "kmz, ftm", format);
        goto out;
    }
    if ((in = cli_fopen(cli, path)) == NULL) {
        rc = EXIT_FAIL;
        goto out;
    }
    const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
    if (strcmp(format, "ftm") == 0) {
        rc = import_ftm(cli, in, name, &opt);
        goto out;
    }
    if (strcmp(format, "jsonl") == 0)
        rc = import_jsonl(&cli->ctx, cli->st, in, name, &opt, &counts);
    else
        rc = csvio_import(&cli->ctx, cli->st, in, name, model_type(type_name), maps, nmaps,
                          &opt, &counts);
    if (opt.on_progress)
        fputc('\n', stderr);
    if (rc != AT_OK) {
        fprintf(stderr, "attest: %s\nattest: nothing was imported\n", cli->ctx.message);
        rc = rc == AT_ERR ? EXIT_FAIL : EXIT_USAGE;
        goto out;
    }
    fprintf(stderr, "imported %s: %ld new records, %ld new versions, %ld already present",
            name, counts.added, counts.versions, counts.already);
    if (opt.skip_bad)
        fprintf(stderr, ", %ld skipped as bad", counts.bad);
    fputc('\n', stderr);
    rc = EXIT_OK;
out:
    if (in && in != stdin)
        fclose(in);
    for (size_t m = 0; m < nmaps; m++)
        free((char *)maps[m].column);
    for (size_t m = 0; m < nvalues; m++)
        free(value_texts[m]);
    free(maps);
    free(values);
    free(value_texts);
    return rc;
}

const struct command import_command = {
    .name = "import",
    .summary = "import records from JSON Lines, CSV, KML/KMZ or FtM, and documents as sources",
    .usage =
        "attest import jsonl FILE|- [--skip-bad] [--bulk-after N]\n"
        "       attest import csv FILE|- --type TYPE [--map COLUMN=FIELD ...] [--skip-bad]\n"
        "                                [--source ID] [--clearance LEVEL] [--bulk-after N]\n"
        "       attest import kml FILE.kml|FILE.kmz [--interview ID]\n"
        "                                [--map-value FIELD:WORDS=CODE ...]\n"
        "       attest import ftm FILE|- [--source ID] [--clearance LEVEL]\n"
        "       attest import document FILE|- [--url U] [--published DATE] [--publisher P]\n"
        "                                [--title T] [--format text|markdown|html]\n"
        "Imports many records in one transaction: all of them, or none if one is bad\n"
        "(--skip-bad keeps the good ones and reports each bad one).  A JSON Lines file\n"
        "holds versions from 'attest export jsonl', or new records {\"type\", \"data\"}.\n"
        "A CSV file has a header row; columns named like fields fill them (--map\n"
        "renames a column, --map COLUMN= ignores it); UTF-8 with or without BOM.\n"
        "After N new records (default 10000; 0: never) the rest are written in bulk,\n"
        "with the same result: see docs/commands/import-export.md.\n"
        "A KML or KMZ file's placemarks become pinpoints (a Point; several points: one\n"
        "placement group) and sites (Polygons, LineStrings, LinearRings), with their\n"
        "names, descriptions, dates and ExtendedData; words for types (\"killing site\",\n"
        "\"매장지\", a folder's name) become codes, --map-value maps the team's other\n"
        "words.  With --interview they are attributed to that interview, without it the\n"
        "file is recorded as a document that they name as their source.  Importing the\n"
        "same file again writes only what changed.  See docs/commands/kml.md.\n"
        "An ftm file holds FollowTheMoney entities, one per line (OpenSanctions'\n"
        "format): companies, organisations, persons and vessels become records,\n"
        "Ownership, Directorship and Succession become relations; all or nothing.\n"
        "A document (plain text, Markdown or HTML, at most 16 MiB of UTF-8) is kept\n"
        "with its text, SHA-256 and retrieval date; a digest of articles that each end\n"
        "with an attribution (\"[Yonhap]\", or a line that is one link) becomes one\n"
        "document per article naming the digest.  Places, organisations, persons,\n"
        "listed entries, dates and quantities in the text are suggested as tags\n"
        "(attest tags review).  See docs/commands/documents.md.",
    .run = import_cmd,
    .needs = NEEDS_ARCHIVE,
};
