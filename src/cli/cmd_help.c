/* cmd_help.c: `attest help [COMMAND]`. */
#include "cli.h"

static int help_cmd(struct cli *cli, int argc, char **argv)
{
    const struct command *cmd;
    size_t n;
    const struct command *const *all = cmd_all(&n);

    (void)cli;
    if (argc == 0) {
        printf("usage: attest [-A DIR] COMMAND [options]\n\ncommands:\n");
        for (size_t i = 0; i < n; i++)
            printf("  %-10s %s\n", all[i]->name, all[i]->summary);
        printf("\n-A DIR (or ATTEST_ARCHIVE) names the archive; the default is ./archive.\n"
               "'attest help COMMAND' tells more about one.\n");
        return EXIT_OK;
    }
    if ((cmd = cmd_find(argv[0])) == NULL)
        return cli_usage(&help_command, "'%s' is not a command", argv[0]);
    printf("usage: %s\n", cmd->usage);
    return EXIT_OK;
}

const struct command help_command = {
    .name = "help",
    .summary = "tell how to use attest or one command",
    .usage = "attest help [COMMAND]",
    .run = help_cmd,
    .needs = NEEDS_NOTHING,
};
