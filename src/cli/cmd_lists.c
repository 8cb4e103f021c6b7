/*
 * cmd_lists.c: `attest lists` shows, imports and compares versions of the
 * sanctions lists (the UN consolidated list, OFAC's SDN list).
 */
#include "cli.h"
#include "../core/lists.h"

#include <stdlib.h>
#include <string.h>

static int lists_show_versions(struct cli *cli, bool as_json)
{
    json_t *versions, *v;
    struct table tab;
    char n[32];
    size_t i;

    if (lists_versions(&cli->ctx, cli->st, &versions) != AT_OK)
        return cli_fail(cli, AT_ERR);
    if (as_json) {
        cli_print_json(versions);
    } else {
        cli_table_init(&tab, 5, "VERSION", "SOURCE", "PUBLISHED", "ENTRIES", "IMPORTED");
        json_array_foreach(versions, i, v) {
            snprintf(n, sizeof n, "%lld", (long long)json_integer_value(json_object_get(v, "entries")));
            cli_table_row(&tab, json_string_value(json_object_get(v, "id")),
                          json_string_value(json_object_get(v, "source")),
                          json_string_value(json_object_get(v, "published")), n,
                          json_string_value(json_object_get(v, "imported_at")));
        }
        cli_table_print(&tab, stdout);
        cli_table_free(&tab);
    }
    json_decref(versions);
    return EXIT_OK;
}

static int lists_import_cmd(struct cli *cli, int argc, char **argv)
{
    const char *source = NULL, *path = NULL, *date = NULL;
    struct list_data data;
    char version[64];
    bool already;
    int rc;

    for (int i = 0; i < argc; i++) {
        int got = cli_option(&lists_command, argc, argv, &i, "date", &date);
        if (got < 0)
            return EXIT_USAGE;
        if (got > 0)
            continue;
        if (source == NULL && argv[i][0] != '-')
            source = argv[i];
        else if (path == NULL && argv[i][0] != '-')
            path = argv[i];
        else
            return cli_usage(&lists_command, "unexpected argument \"%s\"", argv[i]);
    }
    if (source == NULL || path == NULL)
        return cli_usage(&lists_command, "lists import needs a source (un, ofac) and a file or directory");
    if (strcmp(source, "un") == 0) {
        if (date)
            return cli_usage(&lists_command, "--date is for OFAC files; the UN list carries its date");
        rc = lists_read_un(&cli->ctx, path, &data);
    } else if (strcmp(source, "ofac") == 0) {
        rc = lists_read_ofac(&cli->ctx, path, date, &data);
    } else {
        return cli_usage(&lists_command, "\"%s\" is not a list source; valid: un, ofac", source);
    }
    if (rc != AT_OK) {
        fprintf(stderr, "attest: %s\nattest: nothing was imported\n", cli->ctx.message);
        return rc == AT_EINVAL ? EXIT_USAGE : EXIT_FAIL;
    }
    size_t n = json_array_size(data.entries);
    rc = lists_import(&cli->ctx, cli->st, &data, version, &already);
    lists_data_free(&data);
    if (rc != AT_OK) {
        fprintf(stderr, "attest: %s\nattest: nothing was imported\n", cli->ctx.message);
        return rc == AT_EINVAL ? EXIT_USAGE : EXIT_FAIL;
    }
    if (already)
        fprintf(stderr, "%s: already imported as %s; nothing written\n", path, version);
    else
        fprintf(stderr, "imported %s: %zu entries\n", path, n);
    printf("%s\n", version);
    return EXIT_OK;
}

/* Prints rows[i].a (with " (quality)" when the row has one) under a label. */
static void print_names(const char *label, json_t *rows)
{
    json_t *r;
    size_t i;

    json_array_foreach(rows, i, r)
        printf("  %-20s %s (%s)\n", label, json_string_value(json_object_get(r, "name")),
               json_string_value(json_object_get(r, "quality")));
}

static void print_ids(const char *label, json_t *rows)
{
    json_t *r;
    size_t i;

    json_array_foreach(rows, i, r)
        printf("  %-20s %s %s\n", label, json_string_value(json_object_get(r, "kind")),
               json_string_value(json_object_get(r, "value")));
}

/* One diff for people: a line of counts, then each entry that changed:
 * its key and name (old -> new when renamed) and what changed. */
static void print_diff(json_t *diff)
{
    json_t *counts = json_object_get(diff, "counts"), *e, *r, *f;
    size_t i, j;

#define COUNT(k) (long long)json_integer_value(json_object_get(counts, k))
    printf("%s -> %s: %lld added, %lld removed, %lld changed (%lld renamed), %lld unchanged\n",
           json_string_value(json_object_get(diff, "old")), json_string_value(json_object_get(diff, "new")),
           COUNT("added"), COUNT("removed"), COUNT("changed"), COUNT("renamed"), COUNT("unchanged"));
#undef COUNT
    json_array_foreach(json_object_get(diff, "entries"), i, e) {
        const char *change = json_string_value(json_object_get(e, "change"));
        const char *old_sha = json_string_value(json_object_get(e, "old_sha256"));
        const char *new_sha = json_string_value(json_object_get(e, "new_sha256"));
        if ((r = json_object_get(e, "renamed")) != NULL)
            printf("%-10s %s -> %s [renamed]\n", json_string_value(json_object_get(e, "key")),
                   json_string_value(json_object_get(r, "old")), json_string_value(json_object_get(r, "new")));
        else
            printf("%-10s %s [%s]\n", json_string_value(json_object_get(e, "key")),
                   json_string_value(json_object_get(e, "name")), change);
        print_names("new alias", json_object_get(e, "aliases_added"));
        print_names("removed alias", json_object_get(e, "aliases_removed"));
        json_array_foreach(json_object_get(e, "aliases_requalified"), j, r)
            printf("  %-20s %s: %s -> %s\n", "alias quality", json_string_value(json_object_get(r, "name")),
                   json_string_value(json_object_get(r, "old")), json_string_value(json_object_get(r, "new")));
        print_ids("new identifier", json_object_get(e, "ids_added"));
        print_ids("removed identifier", json_object_get(e, "ids_removed"));
        if (json_array_size(json_object_get(e, "fields_changed"))) {
            printf("  %-20s", "also changed");
            json_array_foreach(json_object_get(e, "fields_changed"), j, f)
                printf("%s%s", j ? ", " : " ", json_string_value(f));
            printf("\n");
        }
        printf("  %-20s %.12s -> %.12s\n", "entry sha256", old_sha ? old_sha : "-", new_sha ? new_sha : "-");
    }
}

/* The default pairs: each list's newest version and the one before it. */
static int default_pairs(struct cli *cli, json_t *pairs)
{
    json_t *current, *v;
    char prev[64];
    size_t i;
    int rc = AT_OK;

    if (lists_current(&cli->ctx, cli->st, &current) != AT_OK)
        return AT_ERR;
    json_array_foreach(current, i, v) {
        const char *id = json_string_value(v);
        if ((rc = lists_previous(&cli->ctx, cli->st, id, prev)) == AT_OK)
            json_array_append_new(pairs, json_pack("[s, s]", prev, id));
        else if (rc == AT_ENOTFOUND)
            fprintf(stderr, "attest: %s is its list's only version; nothing to compare it with\n", id);
        else
            break;
    }
    json_decref(current);
    if (rc != AT_OK && rc != AT_ENOTFOUND)
        return rc;
    if (json_array_size(pairs) == 0)
        return ctx_error(&cli->ctx, AT_ENOTFOUND, "no list has two versions to compare; import a "
                         "newer version with 'attest lists import', or name two versions: "
                         "lists diff OLD NEW");
    return AT_OK;
}

static int lists_diff_cmd(struct cli *cli, int argc, char **argv)
{
    const char *args[2] = { NULL, NULL };
    char old[64], new[64];
    bool as_json = false;
    json_t *pairs = json_array(), *diffs = json_array(), *p, *diff;
    int nargs = 0, rc = EXIT_OK;
    size_t i;

    for (int k = 0; k < argc; k++) {
        if (strcmp(argv[k], "--json") == 0)
            as_json = true;
        else if (nargs < 2 && argv[k][0] != '-')
            args[nargs++] = argv[k];
        else {
            rc = cli_usage(&lists_command, "unexpected argument \"%s\"", argv[k]);
            goto out;
        }
    }
    if (nargs == 1) {
        rc = cli_usage(&lists_command, "lists diff takes two versions, OLD NEW, or none for the "
                       "two newest of each list");
        goto out;
    }
    if (nargs == 2 && (lists_resolve(&cli->ctx, cli->st, args[0], old) != AT_OK
                       || lists_resolve(&cli->ctx, cli->st, args[1], new) != AT_OK)) {
        rc = cli_fail(cli, cli->ctx.code);
        goto out;
    }
    if (nargs == 2)
        json_array_append_new(pairs, json_pack("[s, s]", old, new));
    else if (default_pairs(cli, pairs) != AT_OK) {
        rc = cli_fail(cli, cli->ctx.code);
        goto out;
    }
    json_array_foreach(pairs, i, p) {
        if (lists_diff(&cli->ctx, cli->st, json_string_value(json_array_get(p, 0)),
                       json_string_value(json_array_get(p, 1)), &diff) != AT_OK) {
            rc = cli_fail(cli, cli->ctx.code);
            goto out;
        }
        json_array_append_new(diffs, diff);
    }
    /* two versions named: one diff object; the default: an array, one per list */
    if (as_json)
        cli_print_json(nargs == 2 ? json_array_get(diffs, 0) : diffs);
    else
        json_array_foreach(diffs, i, diff)
            print_diff(diff);
out:
    json_decref(pairs);
    json_decref(diffs);
    return rc;
}

static int lists_show_cmd(struct cli *cli, int argc, char **argv)
{
    char version[64];
    json_t *entry;

    if (argc != 2)
        return cli_usage(&lists_command, "lists show needs a version and a list key");
    if (lists_resolve(&cli->ctx, cli->st, argv[0], version) != AT_OK
        || lists_entry(&cli->ctx, cli->st, version, argv[1], &entry) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    cli_print_json(entry);
    json_decref(entry);
    return EXIT_OK;
}

static int lists_cmd(struct cli *cli, int argc, char **argv)
{
    if (argc == 0 || (argc == 1 && strcmp(argv[0], "--json") == 0))
        return lists_show_versions(cli, argc == 1);
    if (strcmp(argv[0], "import") == 0)
        return lists_import_cmd(cli, argc - 1, argv + 1);
    if (strcmp(argv[0], "diff") == 0)
        return lists_diff_cmd(cli, argc - 1, argv + 1);
    if (strcmp(argv[0], "show") == 0)
        return lists_show_cmd(cli, argc - 1, argv + 1);
    return cli_usage(&lists_command, "\"%s\" is not a lists command; valid: import, diff, show", argv[0]);
}

const struct command lists_command = {
    .name = "lists",
    .summary = "import, show and compare versions of the sanctions lists",
    .usage =
        "attest lists [--json]\n"
        "       attest lists import un FILE.xml\n"
        "       attest lists import ofac DIR [--date YYYY-MM-DD]\n"
        "       attest lists diff [OLD NEW] [--json]\n"
        "       attest lists show VERSION KEY\n"
        "Without arguments, lists the imported list versions.  'import' reads the UN\n"
        "Security Council consolidated list (XML) or OFAC's SDN files (sdn.csv, alt.csv,\n"
        "add.csv, sdn_comments.csv in DIR) and keeps them as a dated version, all or\n"
        "nothing; the same files twice are imported once.  'diff' reports, entry by entry\n"
        "(by list key and a hash of each entry), what was added, removed or renamed, and\n"
        "the aliases and identifiers gained or dropped; without versions it compares the\n"
        "two newest versions of each list.  A VERSION is an\n"
        "id (un-2026-02-27), a source for its newest version (un, ofac), or SOURCE@N for\n"
        "its Nth import.  'show' prints one entry as JSON.",
    .run = lists_cmd,
    .needs = NEEDS_ARCHIVE,
};
