/*
 * cmd_evidence.c: `attest evidence add|get|list|show`: files in the vault.
 */
#include "cli.h"
#include "../core/evlog.h"
#include "../core/vault.h"
#include "../core/vocab.h"

#include <string.h>
#include <unistd.h>

struct evidence_files {
    int nfiles;
    char **files;
    const struct vault_add *base;
};

/* Sweeps what an interrupted add left, then adds each file. */
static int add_files(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct evidence_files *f = arg;
    long swept;
    int rc = vault_sweep(ctx, st, &swept);

    for (int i = 0; i < f->nfiles && rc == AT_OK; i++) {
        struct vault_add a = *f->base;
        char id[VAULT_ID_MAX];
        bool existed;
        a.path = f->files[i];
        if ((rc = vault_add_file(ctx, st, &a, id, &existed)) == AT_OK)
            printf("%s%s\n", id, existed ? "  (already in the vault)" : "");
    }
    return rc;
}

static int evidence_add(struct cli *cli, int nfiles, char **files, const struct vault_add *base)
{
    int rc;

    if (nfiles == 0)
        return cli_usage(&evidence_command, "give the files to add");
    rc = evlog_write(&cli->ctx, cli->st, add_files, &(struct evidence_files){ nfiles, files, base });
    return rc == AT_OK ? EXIT_OK : cli_fail(cli, rc);
}

static void print_item(json_t *item)
{
    struct table tab;
    const char *key;
    json_t *v;
    char num[32];

    cli_table_init(&tab, 2, "id", json_string_value(json_object_get(item, "id")));
    json_object_foreach(item, key, v) {
        if (strcmp(key, "id") == 0)
            continue;
        if (json_is_integer(v))
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        else if (json_is_boolean(v))
            snprintf(num, sizeof num, "%s", json_is_true(v) ? "yes" : "no");
        cli_table_row(&tab, key, json_is_string(v) ? json_string_value(v) : json_is_null(v) ? "" : num);
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
}

static int evidence_cmd(struct cli *cli, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "", *clearance = NULL;
    struct vault_add a = { .clearance = -1 };
    char **rest = argc > 1 ? xcalloc((size_t)argc, sizeof *rest) : NULL;
    bool as_json = false;
    int nrest = 0, rc;

    for (int i = 1; i < argc; i++) {
        int got;
        const char *source = NULL;
        if ((got = cli_option(&evidence_command, argc, argv, &i, "interview", &source)) ||
            (got = cli_option(&evidence_command, argc, argv, &i, "source", &source)) ||
            (got = cli_option(&evidence_command, argc, argv, &i, "working-copy-of", &a.parent)) ||
            (got = cli_option(&evidence_command, argc, argv, &i, "media-type", &a.media_type)) ||
            (got = cli_option(&evidence_command, argc, argv, &i, "clearance", &clearance))) {
            if (got < 0) {
                free(rest);
                return EXIT_USAGE;
            }
            if (source)
                a.link = source;
        } else if (strcmp(argv[i], "--json") == 0) {
            as_json = true;
        } else {
            rest[nrest++] = argv[i];
        }
    }
    rc = EXIT_OK;
    if (clearance && vocab_clearance_parse(&cli->ctx, clearance, &a.clearance) != AT_OK)
        rc = cli_fail(cli, AT_EINVAL);
    else if (strcmp(sub, "add") && strcmp(sub, "get") && strcmp(sub, "list") && strcmp(sub, "show"))
        rc = cli_usage(&evidence_command, "give a subcommand: add, get, list or show");
    if (rc != EXIT_OK)
        goto out;
    if (strcmp(sub, "add") == 0) {
        rc = evidence_add(cli, nrest, rest, &a);
    } else if (strcmp(sub, "list") == 0) {
        json_t *items, *item;
        size_t i;
        if (vault_list(&cli->ctx, cli->st, &items) != AT_OK) {
            rc = cli_fail(cli, cli->ctx.code);
            goto out;
        }
        if (as_json) {
            cli_print_json(items);
        } else {
            struct table tab;
            char size[32];
            cli_table_init(&tab, 5, "ID", "SIZE", "SHA-256", "KIND", "FILE");
            json_array_foreach(items, i, item) {
                snprintf(size, sizeof size, "%lld", (long long)json_integer_value(json_object_get(item, "size")));
                cli_table_row(&tab, json_string_value(json_object_get(item, "id")), size,
                              json_string_value(json_object_get(item, "sha256")),
                              json_is_true(json_object_get(item, "original")) ? "original" : "working copy",
                              json_string_value(json_object_get(item, "filename")));
            }
            cli_table_print(&tab, stdout);
            cli_table_free(&tab);
        }
        json_decref(items);
    } else if (nrest != 1) {
        rc = cli_usage(&evidence_command, "give one evidence id");
    } else if (strcmp(sub, "show") == 0) {
        json_t *item;
        if (vault_item(&cli->ctx, cli->st, rest[0], &item) != AT_OK) {
            rc = cli_fail(cli, cli->ctx.code);
            goto out;
        }
        as_json ? cli_print_json(item) : print_item(item);
        json_decref(item);
    } else {
        if (isatty(STDOUT_FILENO)) {
            rc = cli_usage(&evidence_command, "send the file somewhere: attest evidence get ID > FILE");
            goto out;
        }
        if (vault_get(&cli->ctx, cli->st, rest[0], STDOUT_FILENO) != AT_OK)
            rc = cli_fail(cli, cli->ctx.code);
    }
out:
    free(rest);
    return rc;
}

const struct command evidence_command = {
    .name = "evidence",
    .summary = "add files to the encrypted vault, get them back, list them",
    .usage =
        "attest evidence add FILE... [--interview ID | --source ID] [--working-copy-of ID]\n"
        "                           [--media-type TYPE] [--clearance LEVEL]\n"
        "       attest evidence get ID > FILE\n"
        "       attest evidence list [--json]\n"
        "       attest evidence show ID [--json]\n"
        "add stores each file once, identified by the SHA-256 of its bytes, encrypted\n"
        "in the vault (streamed: any size); the same bytes added again give the same\n"
        "id.  Originals are never changed; --working-copy-of links a derived file to\n"
        "its original.  get decrypts, checks every chunk and the SHA-256, and writes\n"
        "the file to standard output.",
    .run = evidence_cmd,
    .needs = NEEDS_ARCHIVE,
};
