/*
 * cmd_case.c: `attest case sale|indicator|show`: what `add`, `amend` and
 * `show` cannot do for a trafficking or overseas-labour case: put a sale
 * into its chain at its place (or take one out), set an ILO indicator on
 * its checklist, and show the case with its chain in order, its checklist,
 * and the dependants and referrals the user may see.  The case itself is
 * added with `attest add case` and listed with `attest list case`.
 */
#include "cli.h"
#include "../core/casework.h"
#include "../core/evlog.h"
#include "../core/model.h"
#include "../core/number.h"
#include "../core/record.h"
#include "../core/vocab.h"

#include <limits.h>
#include <string.h>

/* `case sale add CASE --KEY VALUE ... [--before N]`, `case sale remove
 * CASE N --reason R`. */
static int sale_cmd(struct cli *cli, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "", *case_arg = NULL, *number = NULL;
    const char *before = NULL, *value;
    struct casework_sale c = { 0 };
    char id[RECORD_ID_MAX];
    json_t *sale = json_object();
    size_t nkeys;
    const char *const *sale_keys = model_sale_keys(&nkeys);
    long n = 0;
    int rc = EXIT_USAGE, got;

    for (int i = 1; i < argc; i++) {
        size_t k = 0;
        if ((got = cli_option(&case_command, argc, argv, &i, "before", &before))
            || (got = cli_option(&case_command, argc, argv, &i, "reason", &c.reason))
            || (got = cli_option(&case_command, argc, argv, &i, "source", &c.source))) {
            if (got < 0)
                goto out;
            continue;
        }
        for (; k < nkeys; k++)
            if ((got = cli_option(&case_command, argc, argv, &i, sale_keys[k], &value)) != 0)
                break;
        if (k < nkeys) {
            if (got < 0)
                goto out;
            if (strcmp(sale_keys[k], "price") == 0) {
                double x;
                if (number_parse_double(&cli->ctx, "--price", value, 0, 1e12, &x) != AT_OK) {
                    rc = cli_fail(cli, AT_EINVAL);
                    goto out;
                }
                json_object_set_new(sale, "price", x == (double)(json_int_t)x
                                                       ? json_integer((json_int_t)x) : json_real(x));
            } else if (strcmp(sale_keys[k], "currency") == 0) {
                const char *code = vocab_match(vocab_find("currency"), value);
                json_object_set_new(sale, "currency", json_string(code ? code : value));
            } else {
                json_object_set_new(sale, sale_keys[k], json_string(value));
            }
        } else if (argv[i][0] != '-' && case_arg == NULL) {
            case_arg = argv[i];
        } else if (argv[i][0] != '-' && number == NULL && strcmp(sub, "remove") == 0) {
            number = argv[i];
        } else {
            rc = cli_usage(&case_command, "unexpected argument \"%s\"", argv[i]);
            goto out;
        }
    }
    if (strcmp(sub, "add") != 0 && strcmp(sub, "remove") != 0) {
        rc = cli_usage(&case_command, "case sale needs add or remove");
        goto out;
    }
    if (case_arg == NULL || (strcmp(sub, "remove") == 0 && number == NULL)) {
        rc = cli_usage(&case_command, "give the case's id%s",
                       strcmp(sub, "remove") == 0 ? " and the number of the sale" : "");
        goto out;
    }
    if ((before && number_parse_long(&cli->ctx, "--before", before, 1, INT_MAX, &n) != AT_OK)
        || (number && number_parse_long(&cli->ctx, "sale number", number, 1, INT_MAX, &n) != AT_OK)) {
        rc = cli_fail(cli, AT_EINVAL);
        goto out;
    }
    if (record_resolve(&cli->ctx, cli->st, case_arg, id) != AT_OK) {
        rc = cli_fail(cli, cli->ctx.code);
        goto out;
    }
    c.case_id = id;
    c.sale = sale;
    if (strcmp(sub, "add") == 0) {
        c.before = (size_t)n;
        rc = evlog_write(&cli->ctx, cli->st, casework_sale_add_write, &c);
    } else {
        c.remove = (size_t)n;
        rc = evlog_write(&cli->ctx, cli->st, casework_sale_remove_write, &c);
    }
    if (rc != AT_OK) {
        rc = cli_fail(cli, rc);
        goto out;
    }
    fprintf(stderr, "sale %zu of %s %s\n", c.position, id,
            strcmp(sub, "add") == 0 ? "added" : "taken out");
    rc = EXIT_OK;
out:
    json_decref(sale);
    return rc;
}

/* `case indicator CASE INDICATOR STATUS [--note T] [--source ID]`. */
static int indicator_cmd(struct cli *cli, int argc, char **argv)
{
    struct casework_indicator c = { 0 };
    const char *words[3] = { NULL, NULL, NULL };
    char id[RECORD_ID_MAX];
    size_t nwords = 0;
    int got, rc;

    for (int i = 0; i < argc; i++) {
        if ((got = cli_option(&case_command, argc, argv, &i, "note", &c.note))
            || (got = cli_option(&case_command, argc, argv, &i, "source", &c.source))
            || (got = cli_option(&case_command, argc, argv, &i, "reason", &c.reason))) {
            if (got < 0)
                return EXIT_USAGE;
        } else if (argv[i][0] != '-' && nwords < 3) {
            words[nwords++] = argv[i];
        } else {
            return cli_usage(&case_command, "unexpected argument \"%s\"", argv[i]);
        }
    }
    if (nwords < 3)
        return cli_usage(&case_command, "case indicator needs CASE INDICATOR STATUS "
                         "(see attest vocab ilo_indicator)");
    if (record_resolve(&cli->ctx, cli->st, words[0], id) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    c.case_id = id;
    c.indicator = words[1];
    c.status = words[2];
    if ((rc = evlog_write(&cli->ctx, cli->st, casework_indicator_set_write, &c)) != AT_OK)
        return cli_fail(cli, rc);
    fprintf(stderr, "%s: %s set\n", id, c.code);
    return EXIT_OK;
}

static const char *text(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key)) ?: "";
}

static void print_chain(json_t *chain)
{
    struct table tab;
    char n[16], price[64];
    json_t *sale;
    size_t i;

    printf("\nChain of sales, in order (%zu)\n", json_array_size(chain));
    if (json_array_size(chain) == 0) {
        puts("(none recorded)");
        return;
    }
    cli_table_init(&tab, 8, "N", "DATE", "PLACE", "REGION", "SELLER", "BUYER", "BROKER", "PRICE");
    json_array_foreach(chain, i, sale) {
        json_t *p = json_object_get(sale, "price");
        snprintf(n, sizeof n, "%zu", i + 1);
        if (p)
            snprintf(price, sizeof price, "%.15g %s", json_number_value(p), text(sale, "currency"));
        else
            snprintf(price, sizeof price, "-");
        cli_table_row(&tab, n, text(sale, "date"), text(sale, "place"), text(sale, "region"),
                      text(sale, "seller"), text(sale, "buyer"), text(sale, "broker"), price);
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
}

static void print_checklist(json_t *checklist)
{
    struct table tab;
    json_t *row;
    size_t i;

    puts("\nILO indicators of forced labour");
    cli_table_init(&tab, 4, "INDICATOR", "STATUS", "NOTE", "SOURCE");
    json_array_foreach(checklist, i, row)
        cli_table_row(&tab, text(row, "label"), text(row, "status"), text(row, "note"),
                      text(row, "source"));
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
}

/* Dependants or referrals: one row each, with the fields that say most. */
static void print_related(const char *title, json_t *docs, const char *const *fields, size_t n)
{
    struct table tab;
    json_t *doc;
    size_t i;

    printf("\n%s (%zu)\n", title, json_array_size(docs));
    if (json_array_size(docs) == 0) {
        puts("(none you may see)");
        return;
    }
    cli_table_init(&tab, n + 1, "ID", fields[0], fields[1], fields[2], fields[3], fields[4]);
    json_array_foreach(docs, i, doc) {
        json_t *data = json_object_get(doc, "data");
        cli_table_row(&tab, text(doc, "id"), text(data, fields[0]), text(data, fields[1]),
                      text(data, fields[2]), text(data, fields[3]), text(data, fields[4]));
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
}

static int show(struct cli *cli, int argc, char **argv)
{
    static const char *const dependant_fields[] = { "sex", "birth_date", "citizenship",
                                                    "birth_registration", "schooling" };
    static const char *const referral_fields[] = { "need", "status", "help_given", "by", "date" };
    const char *case_arg = NULL;
    char id[RECORD_ID_MAX];
    bool as_json = false;
    json_t *c, *data;
    int rc;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (argv[i][0] != '-' && case_arg == NULL)
            case_arg = argv[i];
        else
            return cli_usage(&case_command, "unexpected argument \"%s\"", argv[i]);
    }
    if (case_arg == NULL)
        return cli_usage(&case_command, "give the case's id");
    if (record_resolve(&cli->ctx, cli->st, case_arg, id) != AT_OK
        || (rc = casework_read(&cli->ctx, cli->st, id, &c)) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (as_json) {
        cli_print_json(c);
        json_decref(c);
        return EXIT_OK;
    }
    data = json_object_get(c, "data");
    printf("case %s: %s, %s (clearance %s)\n", id, text(data, "kind"),
           *text(data, "status") ? text(data, "status") : "status not given", text(c, "clearance"));
    if (json_object_get(data, "person"))
        printf("person: %s\n", text(data, "person"));
    if (json_object_get(data, "summary"))
        printf("summary: %s\n", text(data, "summary"));
    if (strcmp(text(data, "kind"), "overseas_labour") == 0) {
        printf("employer: %s; country: %s; sector: %s; period: %s\n", text(data, "employer"),
               text(data, "country"), text(data, "sector"), text(data, "period"));
        if (json_object_get(data, "wage_amount"))
            printf("stated wage: %.15g %s per %s; share taken: %.15g%%\n",
                   json_number_value(json_object_get(data, "wage_amount")),
                   text(data, "wage_currency"), text(data, "wage_per"),
                   json_number_value(json_object_get(data, "share_taken")));
    } else {
        print_chain(json_object_get(c, "chain"));
    }
    print_checklist(json_object_get(c, "checklist"));
    print_related("Dependants", json_object_get(c, "dependants"), dependant_fields,
                  ARRAY_LEN(dependant_fields));
    print_related("Needs and referrals", json_object_get(c, "referrals"), referral_fields,
                  ARRAY_LEN(referral_fields));
    json_decref(c);
    return EXIT_OK;
}

static int case_cmd(struct cli *cli, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "";

    if (strcmp(sub, "sale") == 0)
        return sale_cmd(cli, argc - 1, argv + 1);
    if (strcmp(sub, "indicator") == 0)
        return indicator_cmd(cli, argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0)
        return show(cli, argc - 1, argv + 1);
    return cli_usage(&case_command, "give a subcommand: sale, indicator or show");
}

const struct command case_command = {
    .name = "case",
    .summary = "casework: a case's chain of sales, its ILO indicators, and the case shown whole",
    .usage =
        "attest case sale add CASE [--seller S] [--buyer B] [--broker K] [--place P]\n"
        "                          [--date D] [--price N --currency C] [--note T]\n"
        "                          [--before N] [--source ID] [--reason R]\n"
        "       attest case sale remove CASE N --reason R\n"
        "       attest case indicator CASE INDICATOR STATUS [--note T] [--source ID]\n"
        "       attest case show CASE [--json]\n"
        "A case is added with `attest add case --kind trafficking|overseas_labour ...`,\n"
        "its dependants with `attest add dependant --case CASE ...` and its needs and\n"
        "referrals (confidential by default) with `attest add referral --case CASE ...`.\n"
        "sale add puts a sale at the end of the chain, or before sale N; a seller,\n"
        "buyer or broker is the id of a person or organisation, or words; the currency\n"
        "is an ISO 4217 code (CNY, USD, KPW, KRW, ...).  indicator sets one of the ILO's\n"
        "eleven indicators (attest vocab ilo_indicator) to observed, not_observed or\n"
        "unknown.  show prints the chain in order, the whole checklist, and the\n"
        "dependants and referrals you are cleared to see.",
    .run = case_cmd,
    .needs = NEEDS_ARCHIVE,
};
