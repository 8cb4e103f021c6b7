/*
 * cmd_prove.c: `attest prove ID` prints a Merkle inclusion proof of a
 * record version or log item against the newest signed tree head;
 * `attest prove --consistency OLD_SIZE` a consistency proof.
 */
#include "cli.h"
#include "../core/canonical.h"
#include "../core/evlog.h"
#include "../core/keys.h"
#include "../core/number.h"
#include "../core/record.h"
#include "../core/verify.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int prove_cmd(struct cli *cli, int argc, char **argv)
{
    const char *id_arg = NULL, *old_arg = NULL, *version_arg = NULL;
    json_t *out = NULL;
    bool as_json = false;
    long version = 0;
    int rc;

    for (int i = 0; i < argc; i++) {
        int got;
        if ((got = cli_option(&prove_command, argc, argv, &i, "consistency", &old_arg)) ||
            (got = cli_option(&prove_command, argc, argv, &i, "version", &version_arg))) {
            if (got < 0)
                return EXIT_USAGE;
        } else if (strcmp(argv[i], "--json") == 0) {
            as_json = true;
        } else if (id_arg == NULL && argv[i][0] != '-') {
            id_arg = argv[i];
        } else {
            return cli_usage(&prove_command, "unexpected argument \"%s\"", argv[i]);
        }
    }
    if ((id_arg == NULL) == (old_arg == NULL))
        return cli_usage(&prove_command, "give either an id or --consistency OLD_SIZE");
    if (version_arg
        && number_parse_long(&cli->ctx, "--version", version_arg, 1, INT_MAX, &version) != AT_OK)
        return cli_fail(cli, AT_EINVAL);
    if (id_arg) {
        if (verify_prove(&cli->ctx, cli->st, id_arg, (int)version, &out) != AT_OK) {
            rc = cli_fail(cli, cli->ctx.code);
            goto done;
        }
    } else if (verify_consistency(&cli->ctx, cli->st, old_arg, &out) != AT_OK) {
        rc = cli->ctx.code == AT_EINVAL ? cli_usage(&prove_command, "%s", cli->ctx.message)
                                        : cli_fail(cli, cli->ctx.code);
        goto done;
    }
    if (as_json) {
        cli_print_json(out);
    } else {
        json_t *h = json_object_get(out, "tree_head"), *v;
        const char *key;
        size_t i;
        printf("signed tree head\n");
        json_object_foreach(h, key, v) {
            if (json_is_string(v))
                printf("  %-11s %s\n", key, json_string_value(v));
            else
                printf("  %-11s %lld\n", key, (long long)json_integer_value(v));
        }
        if (id_arg)
            printf("%s is leaf %lld, hash %s\ninclusion proof (leaf end first):\n",
                   json_string_value(json_object_get(out, "id")),
                   (long long)json_integer_value(json_object_get(out, "leaf_index")),
                   json_string_value(json_object_get(out, "leaf_hash")));
        else
            printf("old tree: size %lld, root %s\nconsistency proof:\n",
                   (long long)json_integer_value(json_object_get(out, "old_size")),
                   json_string_value(json_object_get(out, "old_root")));
        json_array_foreach(json_object_get(out, id_arg ? "inclusion_proof" : "consistency_proof"), i, v)
            printf("  %s\n", json_string_value(v));
    }
    rc = EXIT_OK;
done:
    json_decref(out);
    return rc;
}

const struct command prove_command = {
    .name = "prove",
    .summary = "print a Merkle proof that a record is in the signed log",
    .usage =
        "attest prove ID [--version N] [--json]\n"
        "       attest prove --consistency OLD_SIZE [--json]\n"
        "The first form proves that the newest version of ID (or version N; or the\n"
        "newest log entry about an evidence item) is leaf I of the tree whose root the\n"
        "newest signed head signs (RFC 6962 audit path).  The second proves that the\n"
        "log of OLD_SIZE entries is a prefix of the newest: nothing was rewritten.\n"
        "docs/formats-log.md tells how to check both without attest.",
    .run = prove_cmd,
    .needs = NEEDS_ARCHIVE,
};
