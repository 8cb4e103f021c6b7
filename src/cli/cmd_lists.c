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

static void print_section(const char *title, json_t *rows, const char *a, const char *b,
                          const char *c)
{
    json_t *row;
    size_t i;

    if (json_array_size(rows) == 0)
        return;
    printf("%s (%zu)\n", title, json_array_size(rows));
    json_array_foreach(rows, i, row) {
        const char *x = json_string_value(json_object_get(row, a));
        const char *y = json_string_value(json_object_get(row, b));
        const char *z = c ? json_string_value(json_object_get(row, c)) : NULL;
        if (z && strcmp(c, "new") == 0)
            printf("  %-10s %s -> %s\n", x, y, z);
        else if (z)
            printf("  %-10s %s: + %s (%s)\n", x, y, z,
                   json_string_value(json_object_get(row, "quality")));
        else
            printf("  %-10s %s\n", x, y);
    }
}

static int lists_diff_cmd(struct cli *cli, int argc, char **argv)
{
    const char *args[2] = { NULL, NULL };
    char old[64], new[64];
    bool as_json = false;
    json_t *diff;
    int nargs = 0;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (nargs < 2 && argv[i][0] != '-')
            args[nargs++] = argv[i];
        else
            return cli_usage(&lists_command, "unexpected argument \"%s\"", argv[i]);
    }
    if (nargs != 2)
        return cli_usage(&lists_command, "lists diff needs two versions: OLD NEW");
    if (lists_resolve(&cli->ctx, cli->st, args[0], old) != AT_OK
        || lists_resolve(&cli->ctx, cli->st, args[1], new) != AT_OK
        || lists_diff(&cli->ctx, cli->st, old, new, &diff) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (as_json) {
        cli_print_json(diff);
    } else {
        printf("%s -> %s\n", old, new);
        print_section("renamed", json_object_get(diff, "renamed"), "key", "old", "new");
        print_section("added", json_object_get(diff, "added"), "key", "name", NULL);
        print_section("removed", json_object_get(diff, "removed"), "key", "name", NULL);
        print_section("new names", json_object_get(diff, "aliases_added"), "key", "name", "alias");
        print_section("names dropped", json_object_get(diff, "aliases_removed"), "key", "name", "alias");
    }
    json_decref(diff);
    return EXIT_OK;
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
        "       attest lists diff OLD NEW [--json]\n"
        "       attest lists show VERSION KEY\n"
        "Without arguments, lists the imported list versions.  'import' reads the UN\n"
        "Security Council consolidated list (XML) or OFAC's SDN files (sdn.csv, alt.csv,\n"
        "add.csv, sdn_comments.csv in DIR) and keeps them as a dated version, all or\n"
        "nothing; the same files twice are imported once.  'diff' reports entries added,\n"
        "removed and renamed, and names gained and dropped, by list key.  A VERSION is an\n"
        "id (un-2026-02-27), a source for its newest version (un, ofac), or SOURCE@N for\n"
        "its Nth import.  'show' prints one entry as JSON.",
    .run = lists_cmd,
    .needs = NEEDS_ARCHIVE,
};
