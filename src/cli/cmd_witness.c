/*
 * cmd_witness.c: `attest witness identity|reveal|reseal|consent`: a
 * witness's sealed identity and their consents.
 */
#include "cli.h"
#include "../core/evlog.h"
#include "../core/identity.h"
#include "../core/record.h"

#include <string.h>

/* What reveal and reseal write (identity_reveal, whose reading is logged;
 * identity_reseal_all), made by evlog_write. */
struct identity_write {
    const char *id;
    json_t *identity;   /* reveal: the one read, the caller's */
    bool history;       /* reveal every version */
    long resealed;
};

static int reveal_identity(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct identity_write *w = arg;

    return w->history ? identity_reveal_history(ctx, st, w->id, &w->identity)
                      : identity_reveal(ctx, st, w->id, &w->identity);
}

static int reseal_identities(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct identity_write *w = arg;

    return identity_reseal_all(ctx, st, &w->resealed);
}

/* Records the identity read from path ("-": stdin), sealed to the officers. */
static int set_identity(struct cli *cli, const char *id, const char *path)
{
    struct buf text = BUF_INIT;
    json_t *identity = NULL;
    int rc;

    if (cli_read_file(cli, path, &text) != AT_OK)
        return EXIT_FAIL;
    rc = identity_parse(&cli->ctx, buf_str(&text), text.len, &identity);
    sodium_memzero(text.data, text.cap);
    buf_free(&text);
    if (rc == AT_OK)
        rc = evlog_write(&cli->ctx, cli->st, identity_set_write,
                         &(struct identity_change){ id, identity });
    json_decref(identity);
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    fprintf(stderr, "identity of %s sealed to the protection officers\n", id);
    return EXIT_OK;
}

/* Prints the newest identity of id, or with history every version. */
static int reveal(struct cli *cli, const char *id, bool history)
{
    struct identity_write w = { .id = id, .history = history };
    int rc = evlog_write(&cli->ctx, cli->st, reveal_identity, &w);

    if (rc != AT_OK) {
        json_decref(w.identity);
        return cli_fail(cli, rc);
    }
    cli_print_json(w.identity);
    json_decref(w.identity);
    return EXIT_OK;
}

static int reseal(struct cli *cli)
{
    struct identity_write w = { 0 };
    int rc = evlog_write(&cli->ctx, cli->st, reseal_identities, &w);

    if (rc != AT_OK)
        return cli_fail(cli, rc);
    fprintf(stderr, "resealed %ld identities to every officer\n", w.resealed);
    return EXIT_OK;
}

/* Adds a consent, or marks the active consent for use withdrawn. */
static int consent(struct cli *cli, const char *id, const char *use, const char *granted,
                   const char *withdrawn, const char *note, const char *reason)
{
    struct record_write w = RECORD_WRITE_INIT;
    json_t *doc = NULL, *list, *item, *changes;
    bool found = false;
    size_t i;
    int rc;

    if (use == NULL || (granted == NULL && withdrawn == NULL))
        return cli_usage(&witness_command, "consent needs --use and --granted or --withdrawn");
    if (record_read(&cli->ctx, cli->st, id, 0, &doc) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    list = json_deep_copy(json_object_get(json_object_get(doc, "data"), "consent"));
    if (list == NULL)
        list = json_array();
    if (granted) {
        item = json_pack("{s:s, s:s}", "use", use, "granted", granted);
        if (withdrawn)
            json_object_set_new(item, "withdrawn", json_string(withdrawn));
        if (note)
            json_object_set_new(item, "note", json_string(note));
        json_array_append_new(list, item);
        found = true;
    } else {
        json_array_foreach(list, i, item) {
            if (strcmp(json_string_value(json_object_get(item, "use")) ?: "", use) == 0
                && !json_object_get(item, "withdrawn")) {
                json_object_set_new(item, "withdrawn", json_string(withdrawn));
                if (note)
                    json_object_set_new(item, "note", json_string(note));
                found = true;
            }
        }
    }
    json_decref(doc);
    if (!found) {
        json_decref(list);
        ctx_error(&cli->ctx, AT_EINVAL, "%s has no active consent for %s to withdraw", id, use);
        return cli_fail(cli, AT_EINVAL);
    }
    changes = json_pack("{s:o}", "consent", list);
    w.reason = reason ? reason : granted ? "consent recorded" : "consent withdrawn";
    rc = evlog_write(&cli->ctx, cli->st, record_amend_write,
                     &(struct record_change){ .id = id, .data = changes, .w = &w });
    json_decref(changes);
    return rc == AT_OK ? EXIT_OK : cli_fail(cli, rc);
}

static int witness_cmd(struct cli *cli, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "", *id_arg = NULL, *file = NULL;
    const char *use = NULL, *granted = NULL, *withdrawn = NULL, *note = NULL, *reason = NULL;
    char id[RECORD_ID_MAX];
    bool history = false;

    for (int i = 1; i < argc; i++) {
        int got;
        if ((got = cli_option(&witness_command, argc, argv, &i, "file", &file)) ||
            (got = cli_option(&witness_command, argc, argv, &i, "use", &use)) ||
            (got = cli_option(&witness_command, argc, argv, &i, "granted", &granted)) ||
            (got = cli_option(&witness_command, argc, argv, &i, "withdrawn", &withdrawn)) ||
            (got = cli_option(&witness_command, argc, argv, &i, "note", &note)) ||
            (got = cli_option(&witness_command, argc, argv, &i, "reason", &reason))) {
            if (got < 0)
                return EXIT_USAGE;
        } else if (strcmp(argv[i], "--history") == 0 && strcmp(sub, "reveal") == 0) {
            history = true;
        } else if (id_arg == NULL && argv[i][0] != '-') {
            id_arg = argv[i];
        } else {
            return cli_usage(&witness_command, "unexpected argument \"%s\"", argv[i]);
        }
    }
    if (strcmp(sub, "identity") && strcmp(sub, "reveal") && strcmp(sub, "reseal")
        && strcmp(sub, "consent"))
        return cli_usage(&witness_command, "give a subcommand: identity, reveal, reseal or consent");
    if (strcmp(sub, "reseal") == 0)
        return reseal(cli);
    if (id_arg == NULL)
        return cli_usage(&witness_command, "give the witness's id");
    if (record_resolve(&cli->ctx, cli->st, id_arg, id) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (strcmp(sub, "identity") == 0)
        return file ? set_identity(cli, id, file)
                    : cli_usage(&witness_command, "give the identity with --file FILE (or - for stdin)");
    if (strcmp(sub, "reveal") == 0)
        return reveal(cli, id, history);
    return consent(cli, id, use, granted, withdrawn, note, reason);
}

const struct command witness_command = {
    .name = "witness",
    .summary = "seal, reveal and reseal witness identities; record consent",
    .usage =
        "attest witness identity ID --file FILE|-\n"
        "       attest witness reveal ID [--history]\n"
        "       attest witness reseal\n"
        "       attest witness consent ID --use USE (--granted DATE | --withdrawn DATE)\n"
        "                                 [--note TEXT] [--reason TEXT]\n"
        "identity seals a JSON object (keys real_name, other_names, contacts, address,\n"
        "relatives_in_north_korea, notes) to every protection officer's key: it never\n"
        "appears in the open record, and only an officer can read it; replacing an\n"
        "identity already recorded needs an officer, and keeps the earlier one.\n"
        "reveal prints it for an officer (-u), with --history every version (oldest\n"
        "first), and logs each reading.  reseal (an officer) extends\n"
        "every identity to officers added since.  consent records what the witness\n"
        "agreed to (USE: analysis, share_partner, court, publication) or withdraws it;\n"
        "exports and bundles leave out what has no consent.",
    .run = witness_cmd,
    .needs = NEEDS_ARCHIVE,
};
