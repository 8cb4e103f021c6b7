/*
 * cmd_export.c: `attest export jsonl|csv` writes the archive (or one type
 * of record) to stdout or a file.
 */
#include "cli.h"
#include "../core/csvio.h"

#include <errno.h>
#include <string.h>

static int export_cmd(struct cli *cli, int argc, char **argv)
{
    const char *format = NULL, *type_name = NULL, *path = NULL;
    FILE *out = stdout;
    int rc;

    for (int i = 0; i < argc; i++) {
        int got;
        if ((got = cli_option(&export_command, argc, argv, &i, "type", &type_name)) ||
            (got = cli_option(&export_command, argc, argv, &i, "output", &path))) {
            if (got < 0)
                return EXIT_USAGE;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else if (format == NULL && argv[i][0] != '-') {
            format = argv[i];
        } else {
            return cli_usage(&export_command, "unexpected argument \"%s\"", argv[i]);
        }
    }
    if (format == NULL || (strcmp(format, "jsonl") != 0 && strcmp(format, "csv") != 0))
        return cli_usage(&export_command, "give the format: jsonl or csv");
    if (strcmp(format, "csv") == 0 && (type_name == NULL || model_type(type_name) == NULL))
        return cli_usage(&export_command, "a CSV export needs --type TYPE (a record type)");
    if (cli_open(cli) != AT_OK)
        return cli_fail(cli, AT_ERR);
    if (path && (out = fopen(path, "wb")) == NULL) {
        ctx_error(&cli->ctx, AT_ERR, "cannot write %s: %s", path, strerror(errno));
        return cli_fail(cli, AT_ERR);
    }
    if (strcmp(format, "jsonl") == 0)
        rc = export_jsonl(&cli->ctx, cli->st, out);
    else
        rc = export_csv(&cli->ctx, cli->st, model_type(type_name), out);
    if (out != stdout && fclose(out) != 0 && rc == AT_OK)
        rc = ctx_error(&cli->ctx, AT_ERR, "writing %s failed", path);
    return rc == AT_OK ? EXIT_OK : cli_fail(cli, rc);
}

const struct command export_command = {
    "export", "export the archive as JSON Lines, or a type as CSV",
    "attest export jsonl [-o FILE]\n"
    "       attest export csv --type TYPE [-o FILE]\n"
    "jsonl writes every version of every record in the order they were written:\n"
    "'attest import jsonl' of it rebuilds the same archive content.  csv writes the\n"
    "current records of one type, one row each, for spreadsheets.",
    export_cmd,
};
