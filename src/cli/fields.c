/*
 * fields.c: reading a record's fields and write options from command-line
 * flags, shared by `add` and `amend`:  --FIELD VALUE for each field of the
 * type (--name for a names field), --clearance, --source, --reason.
 */
#include "cli.h"
#include "fields.h"
#include "../core/vocab.h"

#include <string.h>

int fields_from_flags(struct cli *cli, const struct command *cmd, const struct type_spec *t,
                      int argc, char **argv, json_t *data, struct record_write *w,
                      const char **json_file)
{
    for (int i = 0; i < argc; i++) {
        const char *value = NULL, *arg = argv[i];
        int got;

        if ((got = cli_option(cmd, argc, argv, &i, "clearance", &value)) != 0) {
            if (got < 0)
                return EXIT_USAGE;
            if (vocab_clearance_parse(&cli->ctx, value, &w->clearance) != AT_OK)
                return cli_fail(cli, AT_EINVAL);
        } else if ((got = cli_option(cmd, argc, argv, &i, "source", &value)) != 0) {
            if (got < 0)
                return EXIT_USAGE;
            w->source = value;
        } else if ((got = cli_option(cmd, argc, argv, &i, "reason", &value)) != 0) {
            if (got < 0)
                return EXIT_USAGE;
            w->reason = value;
        } else if (json_file && (got = cli_option(cmd, argc, argv, &i, "json", &value)) != 0) {
            if (got < 0)
                return EXIT_USAGE;
            *json_file = value;
        } else if (strncmp(arg, "--", 2) == 0 && arg[2] != '\0') {
            char field[64];
            const char *eq = strchr(arg, '=');
            size_t n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);

            snprintf(field, sizeof field, "%.*s", (int)n, arg + 2);
            for (char *p = field; *p; p++)
                if (*p == '-')
                    *p = '_';
            if (strcmp(field, "name") == 0 && model_field(t, "names"))
                strcpy(field, "names");
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else
                return cli_usage(cmd, "--%s needs a value", field);
            if (model_set_from_text(&cli->ctx, t, data, field, value) != AT_OK)
                return cli_fail(cli, AT_EINVAL);
        } else {
            return cli_usage(cmd, "unexpected argument \"%s\"", arg);
        }
    }
    return EXIT_OK;
}

void fields_usage(const struct type_spec *t, FILE *out)
{
    fprintf(out, "fields of a %s (%s):\n", t->name, t->about);
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_spec *f = &t->fields[i];
        char flag[64];
        snprintf(flag, sizeof flag, "--%s", f->kind == FIELD_NAMES ? "name" : f->name);
        fprintf(out, "  %-18s %s%s", flag, f->about, (f->flags & FIELD_REQUIRED) ? " (required)" : "");
        if (f->kind == FIELD_VOCAB)
            fprintf(out, " [vocabulary %s]", f->vocab);
        if (f->kind == FIELD_REF)
            fprintf(out, " [id of a %s]", f->ref_types);
        if (f->kind == FIELD_DATE)
            fprintf(out, " [fuzzy date]");
        fputc('\n', out);
    }
}
