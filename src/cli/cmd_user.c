/*
 * cmd_user.c: `attest user add|passwd|role|list`: the archive's users.
 */
#include "cli.h"
#include "../core/evlog.h"
#include "../core/keys.h"
#include "../core/number.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int user_list(struct cli *cli, bool as_json)
{
    json_t *users, *u;
    struct table tab;
    size_t i;

    if (cli_open(cli) != AT_OK || keys_user_list(&cli->ctx, cli->st, &users) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (as_json) {
        cli_print_json(users);
    } else {
        table_init(&tab, 3, "USER", "ROLE", "SEALING KEY");
        json_array_foreach(users, i, u)
            table_row(&tab, json_string_value(json_object_get(u, "name")),
                      json_string_value(json_object_get(u, "role")),
                      json_string_value(json_object_get(u, "box_pk")));
        table_print(&tab, stdout);
        table_free(&tab);
    }
    json_decref(users);
    return EXIT_OK;
}

/* Reads the new user's passphrase: from --new-passphrase-fd, or the terminal. */
static int read_new(struct cli *cli, const char *fd_arg, const char *whose, struct buf *pass)
{
    int keep = cli->passphrase_fd, rc;
    long fd = -1;
    char prompt[96];

    if (fd_arg && number_parse_long(&cli->ctx, "--new-passphrase-fd", fd_arg, 0, INT_MAX, &fd) != AT_OK)
        return AT_EINVAL;
    snprintf(prompt, sizeof prompt, "new passphrase for %s: ", whose);
    cli->passphrase_fd = (int)fd;
    rc = cli_read_passphrase(cli, prompt, pass);
    cli->passphrase_fd = keep;
    return rc;
}

static int user_cmd(struct cli *cli, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "", *name = NULL, *role_arg = NULL, *fd = NULL;
    const char *kdf_name = NULL;
    struct kdf kdf = kdf_default();
    struct buf pass = BUF_INIT;
    bool as_json = false;
    enum role role = ROLE_ANALYST;
    int rc;

    for (int i = 1; i < argc; i++) {
        int got;
        if ((got = cli_option(&user_command, argc, argv, &i, "role", &role_arg)) ||
            (got = cli_option(&user_command, argc, argv, &i, "new-passphrase-fd", &fd)) ||
            (got = cli_option(&user_command, argc, argv, &i, "kdf", &kdf_name))) {
            if (got < 0)
                return EXIT_USAGE;
        } else if (strcmp(argv[i], "--json") == 0) {
            as_json = true;
        } else if (name == NULL && argv[i][0] != '-') {
            name = argv[i];
        } else {
            return cli_usage(&user_command, "unexpected argument \"%s\"", argv[i]);
        }
    }
    if ((role_arg && role_parse(&cli->ctx, role_arg, &role) != AT_OK)
        || (kdf_name && kdf_parse(&cli->ctx, kdf_name, &kdf) != AT_OK))
        return cli_fail(cli, AT_EINVAL);
    if (strcmp(sub, "list") == 0)
        return user_list(cli, as_json);
    if (strcmp(sub, "add") != 0 && strcmp(sub, "passwd") != 0 && strcmp(sub, "role") != 0)
        return cli_usage(&user_command, "give a subcommand: add, passwd, role or list");
    if (strcmp(sub, "passwd") != 0 && name == NULL)
        return cli_usage(&user_command, "give the user's name");
    if (strcmp(sub, "role") == 0 && role_arg == NULL)
        return cli_usage(&user_command, "give the new role with --role");
    if (cli_login(cli) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (strcmp(sub, "role") != 0
        && read_new(cli, fd, strcmp(sub, "add") == 0 ? name : cli->user, &pass) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if ((rc = store_begin(&cli->ctx, cli->st)) == AT_OK) {
        if (strcmp(sub, "add") == 0)
            rc = keys_user_add(&cli->ctx, cli->st, &cli->session, name, role, buf_str(&pass), &kdf);
        else if (strcmp(sub, "passwd") == 0)
            rc = keys_passwd(&cli->ctx, cli->st, &cli->session, buf_str(&pass), &kdf);
        else
            rc = keys_set_role(&cli->ctx, cli->st, &cli->session, name, role);
        if (rc == AT_OK)
            rc = evlog_commit(&cli->ctx, cli->st);
        else
            store_rollback(cli->st);
    }
    sodium_memzero(pass.data, pass.cap);
    buf_free(&pass);
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    fprintf(stderr, "user %s: %s\n", name ? name : cli->user,
            strcmp(sub, "add") == 0 ? "added" : strcmp(sub, "passwd") == 0 ? "passphrase changed"
                                                                             : "role changed");
    return EXIT_OK;
}

const struct command user_command = {
    "user", "add users, change passphrases and roles, list users",
    "attest user add NAME --role ROLE [--new-passphrase-fd N] [--kdf LEVEL]\n"
    "       attest user passwd [--new-passphrase-fd N]\n"
    "       attest user role NAME --role ROLE\n"
    "       attest user list [--json]\n"
    "Roles: admin, officer (witness protection: may reveal identities),\n"
    "investigator, analyst, partner, public.  add and role need an admin (-u);\n"
    "passwd changes the -u user's own passphrase.  The new passphrase is asked\n"
    "on the terminal, or read from file descriptor N.",
    user_cmd,
};
