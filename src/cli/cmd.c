/*
 * cmd.c: the command table, kept sorted by name.  A command is one file,
 * cmd_NAME.c, defining NAME_command with named fields (.name, .summary,
 * .usage, .run, and .needs: what main provides before .run), plus one
 * line in commands.def.
 */
#include "cli.h"

#include <string.h>

static const struct command *const table[] = {
#define COMMAND(name) &name##_command,
#include "commands.def"
#undef COMMAND
};

const struct command *const *cmd_all(size_t *count)
{
    *count = ARRAY_LEN(table);
    return table;
}

const struct command *cmd_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(table); i++)
        if (strcmp(table[i]->name, name) == 0)
            return table[i];
    return NULL;
}
