/*
 * cmd_user.c: `attest user add|passwd|role|disable|enable|list|token`:
 * the archive's users and their API tokens.
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

    if (keys_user_list(&cli->ctx, cli->st, &users) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (as_json) {
        cli_print_json(users);
    } else {
        cli_table_init(&tab, 4, "USER", "ROLE", "STATE", "SEALING KEY");
        json_array_foreach(users, i, u)
            cli_table_row(&tab, json_string_value(json_object_get(u, "name")),
                          json_string_value(json_object_get(u, "role")),
                          json_is_true(json_object_get(u, "enabled")) ? "enabled" : "disabled",
                          json_string_value(json_object_get(u, "box_pk")));
        cli_table_print(&tab, stdout);
        cli_table_free(&tab);
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

/* A change to users or tokens, made by evlog_write: sub is the
 * subcommand, the other fields are those it takes. */
struct user_change {
    const char *sub;
    const struct session *by;
    const char *name, *pass, *label;  /* name: a user, or a token's id to revoke */
    enum role role;
    const struct kdf *kdf;
    bool enable;
    int days;
    char *token;                      /* create: 64 bytes for the new token */
};

static int change_user(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct user_change *c = arg;

    if (strcmp(c->sub, "create") == 0)
        return keys_token_create(ctx, st, c->by, c->label, c->days, c->token);
    if (strcmp(c->sub, "revoke") == 0)
        return keys_token_revoke(ctx, st, c->by, c->name);
    if (strcmp(c->sub, "add") == 0)
        return keys_user_add(ctx, st, c->by, c->name, c->role, c->pass, c->kdf);
    if (strcmp(c->sub, "passwd") == 0)
        return keys_passwd(ctx, st, c->by, c->pass, c->kdf);
    if (strcmp(c->sub, "reset") == 0)
        return keys_passphrase_reset(ctx, st, c->by, c->name, c->pass, c->kdf);
    if (strcmp(c->sub, "role") == 0)
        return keys_set_role(ctx, st, c->by, c->name, c->role);
    return keys_user_enable(ctx, st, c->by, c->name, c->enable);
}

static int token_list(struct cli *cli, const char *user, bool as_json)
{
    json_t *tokens, *t;
    struct table tab;
    size_t i;

    if (keys_token_list(&cli->ctx, cli->st, &cli->session, user, &tokens) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (as_json) {
        cli_print_json(tokens);
    } else {
        cli_table_init(&tab, 6, "ID", "USER", "STATE", "EXPIRES", "CREATED", "LABEL");
        json_array_foreach(tokens, i, t)
            cli_table_row(&tab, json_string_value(json_object_get(t, "id")),
                          json_string_value(json_object_get(t, "user")),
                          json_string_value(json_object_get(t, "state")),
                          json_string_value(json_object_get(t, "expires_at")),
                          json_string_value(json_object_get(t, "created_at")),
                          json_string_value(json_object_get(t, "label")));
        cli_table_print(&tab, stdout);
        cli_table_free(&tab);
    }
    json_decref(tokens);
    return EXIT_OK;
}

/* attest user token create|list|revoke, as the -u user. */
static int token_cmd(struct cli *cli, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "", *arg = NULL, *label = NULL;
    const char *expires = NULL;
    char token[64], *end;
    bool as_json = false;
    long days = TOKEN_DAYS_DEFAULT;
    int rc;

    for (int i = 1; i < argc; i++) {
        int got;
        if ((got = cli_option(&user_command, argc, argv, &i, "label", &label)) ||
            (got = cli_option(&user_command, argc, argv, &i, "expires", &expires))) {
            if (got < 0)
                return EXIT_USAGE;
        } else if (strcmp(argv[i], "--json") == 0) {
            as_json = true;
        } else if (arg == NULL && argv[i][0] != '-' && strcmp(sub, "create") != 0) {
            arg = argv[i]; /* revoke: the token's id; list: whose tokens */
        } else {
            return cli_usage(&user_command, "unexpected argument \"%s\"", argv[i]);
        }
    }
    if (strcmp(sub, "create") && strcmp(sub, "list") && strcmp(sub, "revoke"))
        return cli_usage(&user_command, "give a token subcommand: create, list or revoke");
    if (strcmp(sub, "revoke") == 0 && arg == NULL)
        return cli_usage(&user_command, "give the id of the token to revoke (attest user token list)");
    if (expires) {
        days = strtol(expires, &end, 10);
        if (*expires == '\0' || *end != '\0' || days < 1 || days > TOKEN_DAYS_MAX)
            return cli_usage(&user_command, "--expires \"%s\": give a number of days from 1 to %d",
                             expires, TOKEN_DAYS_MAX);
    }
    if (strcmp(sub, "list") == 0)
        return token_list(cli, arg, as_json);
    rc = evlog_write(&cli->ctx, cli->st, change_user,
                     &(struct user_change){ .sub = sub, .by = &cli->session, .name = arg,
                                            .label = label, .days = (int)days, .token = token });
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    if (strcmp(sub, "create") == 0) {
        printf("%s\n", token);
        sodium_memzero(token, sizeof token);
        fprintf(stderr, "token for %s made; it expires in %ld days\n", cli->user, days);
    } else {
        fprintf(stderr, "token %s revoked\n", arg);
    }
    return EXIT_OK;
}

static int user_cmd(struct cli *cli, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "", *name = NULL, *role_arg = NULL, *fd = NULL;
    const char *kdf_name = NULL, *done;
    struct kdf kdf = keys_kdf_default();
    struct buf pass = BUF_INIT;
    bool as_json = false, enable = strcmp(sub, "enable") == 0;
    bool needs_pass = strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0
                      || strcmp(sub, "reset") == 0;
    enum role role = ROLE_ANALYST;
    int rc;

    if (strcmp(sub, "token") == 0)
        return token_cmd(cli, argc - 1, argv + 1);
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
    if ((role_arg && access_role_parse(&cli->ctx, role_arg, &role) != AT_OK)
        || (kdf_name && keys_kdf_parse(&cli->ctx, kdf_name, &kdf) != AT_OK))
        return cli_fail(cli, AT_EINVAL);
    if (strcmp(sub, "list") == 0)
        return user_list(cli, as_json);
    if (!needs_pass && strcmp(sub, "role") && strcmp(sub, "disable") && !enable)
        return cli_usage(&user_command, "give a subcommand: add, passwd, reset, role, disable, "
                         "enable, list or token");
    if (strcmp(sub, "passwd") != 0 && name == NULL)
        return cli_usage(&user_command, "give the user's name");
    if (strcmp(sub, "role") == 0 && role_arg == NULL)
        return cli_usage(&user_command, "give the new role with --role");
    if (needs_pass && read_new(cli, fd, strcmp(sub, "passwd") != 0 ? name : cli->user, &pass) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    rc = evlog_write(&cli->ctx, cli->st, change_user,
                     &(struct user_change){ .sub = sub, .by = &cli->session, .name = name,
                                            .pass = buf_str(&pass), .role = role, .kdf = &kdf,
                                            .enable = enable });
    sodium_memzero(pass.data, pass.cap);
    buf_free(&pass);
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    done = strcmp(sub, "add") == 0      ? "added"
           : strcmp(sub, "passwd") == 0 ? "passphrase changed; their sessions and tokens have ended"
           : strcmp(sub, "reset") == 0  ? "passphrase reset, with a new sealing key; their "
                                          "sessions and tokens have ended"
           : strcmp(sub, "role") == 0   ? "role changed; their sessions and tokens have ended"
           : enable                     ? "enabled"
                                        : "disabled; their sessions and tokens have ended";
    fprintf(stderr, "user %s: %s\n", name ? name : cli->user, done);
    return EXIT_OK;
}

const struct command user_command = {
    .name = "user",
    .summary = "add users, change passphrases and roles, disable users, manage API tokens",
    .usage =
        "attest user add NAME --role ROLE [--new-passphrase-fd N] [--kdf LEVEL]\n"
        "       attest user passwd [--new-passphrase-fd N]\n"
        "       attest user reset NAME [--new-passphrase-fd N]\n"
        "       attest user role NAME --role ROLE\n"
        "       attest user disable NAME | attest user enable NAME\n"
        "       attest user list [--json]\n"
        "       attest user token create [--label TEXT] [--expires DAYS]\n"
        "       attest user token list [NAME] [--json]\n"
        "       attest user token revoke ID\n"
        "Roles: admin, officer (witness protection: may reveal identities),\n"
        "investigator, analyst, partner, public.  add, role, disable and enable\n"
        "need an admin (-u); the last enabled admin can be neither demoted nor\n"
        "disabled.  passwd changes the -u user's own passphrase; reset (an admin)\n"
        "sets a new one for NAME, who lost theirs: NAME gets a new sealing key (an\n"
        "officer's sealed identities open again after another officer's\n"
        "`attest witness reseal`).  A change of role\n"
        "or passphrase, and disabling, end the user's server sessions and API\n"
        "tokens at once; a disabled user cannot log in.  The new passphrase is\n"
        "asked on the terminal, or read from file descriptor N.\n"
        "token create prints a new API token for the -u user (on stdout, once),\n"
        "valid for DAYS days (default 90).  token list shows your tokens (an admin:\n"
        "everyone's, or NAME's) with their ids and states; token revoke ends one.",
    .run = user_cmd,
    .needs = NEEDS_ARCHIVE,
};
