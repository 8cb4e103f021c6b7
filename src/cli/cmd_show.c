/*
 * cmd_show.c: `attest show ID` prints one record: its provenance, its
 * fields, the records that refer to it, and for an event its
 * corroboration.
 */
#include "cli.h"
#include "../core/corroboration.h"
#include "../core/number.h"
#include "../core/record.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* "agree", "disagree", or how few accounts there are to compare. */
static void agreement_text(json_t *part, struct buf *out)
{
    json_t *agree = json_object_get(part, "agree");
    json_int_t n = json_integer_value(json_object_get(part, "accounts"));

    if (json_is_null(agree))
        buf_printf(out, n ? "one account" : "no account");
    else
        buf_printf(out, "%s (%lld accounts)", json_is_true(agree) ? "agree" : "disagree", (long long)n);
}

/* An event's corroboration (corroboration.h), one row per part. */
static void print_corroboration(struct table *tab, json_t *c)
{
    json_t *date = json_object_get(c, "date"), *place = json_object_get(c, "place");
    json_t *victims = json_object_get(c, "victims");
    struct buf cell = BUF_INIT;

    cli_table_row(tab, "", "");
    buf_printf(&cell, "%lld (of %lld witnesses and documents; %lld accounts, %lld unattributed)",
               (long long)json_integer_value(json_object_get(c, "sources")),
               (long long)json_integer_value(json_object_get(c, "source_records")),
               (long long)json_integer_value(json_object_get(c, "accounts")),
               (long long)json_integer_value(json_object_get(c, "unattributed")));
    cli_table_row(tab, "independent sources", buf_str(&cell));
    if (json_integer_value(json_object_get(c, "linked_events"))) {
        buf_reset(&cell);
        buf_printf(&cell, "%lld other event records, whose accounts count too",
                   (long long)json_integer_value(json_object_get(c, "linked_events")));
        cli_table_row(tab, "linked", buf_str(&cell));
    }
    buf_reset(&cell);
    buf_printf(&cell, "%s; direct sources: %lld",
               json_string_value(json_object_get(c, "strongest_basis")) ?: "none stated",
               (long long)json_integer_value(json_object_get(c, "direct_sources")));
    cli_table_row(tab, "strongest basis", buf_str(&cell));
    buf_reset(&cell);
    agreement_text(date, &cell);
    if (json_object_get(date, "from"))
        buf_printf(&cell, ", %s to %s", json_string_value(json_object_get(date, "from")),
                   json_string_value(json_object_get(date, "to")));
    cli_table_row(tab, "dates", buf_str(&cell));
    buf_reset(&cell);
    agreement_text(place, &cell);
    if (json_object_get(place, "spread_m"))
        buf_printf(&cell, ", %.0f m apart at most",
                   json_number_value(json_object_get(place, "spread_m")));
    cli_table_row(tab, "places", buf_str(&cell));
    buf_reset(&cell);
    agreement_text(victims, &cell);
    if (json_object_get(victims, "min"))
        buf_printf(&cell, ", %lld to %lld victims",
                   (long long)json_integer_value(json_object_get(victims, "min")),
                   (long long)json_integer_value(json_object_get(victims, "max")));
    cli_table_row(tab, "victims", buf_str(&cell));
    buf_free(&cell);
}

static void print_record(json_t *doc, json_t *referrers)
{
    const struct type_spec *t = model_type(json_string_value(json_object_get(doc, "type")));
    json_t *data = json_object_get(doc, "data");
    struct table tab;
    struct buf cell = BUF_INIT;
    char num[32];
    size_t i;
    json_t *r;

    cli_table_init(&tab, 2, "id", json_string_value(json_object_get(doc, "id")));
    cli_table_row(&tab, "type", t->name);
    snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(doc, "version")));
    cli_table_row(&tab, "version", num);
    cli_table_row(&tab, "clearance", json_string_value(json_object_get(doc, "clearance")));
    if (json_is_true(json_object_get(doc, "retracted")))
        cli_table_row(&tab, "retracted", "yes");
    cli_table_row(&tab, "source", json_string_value(json_object_get(doc, "source")));
    cli_table_row(&tab, "entered by", json_string_value(json_object_get(doc, "author")));
    cli_table_row(&tab, "entered at", json_string_value(json_object_get(doc, "written_at")));
    buf_reset(&cell);
    record_origin_text(doc, &cell);
    if (cell.len)
        cli_table_row(&tab, "origin", buf_str(&cell));
    cli_table_row(&tab, "reason", json_string_value(json_object_get(doc, "reason")));
    cli_table_row(&tab, "", "");
    for (i = 0; i < t->nfields; i++) {
        const struct field_spec *f = &t->fields[i];
        json_t *v = json_object_get(data, f->name);
        if (v == NULL)
            continue;
        buf_reset(&cell);
        model_field_text(f, v, &cell);
        cli_table_row(&tab, f->name, buf_str(&cell));
    }
    json_array_foreach(referrers, i, r) {
        buf_reset(&cell);
        buf_printf(&cell, "%s (as %s)", json_string_value(json_object_get(r, "id")),
                   json_string_value(json_object_get(r, "field")));
        cli_table_row(&tab, i == 0 ? "referred by" : "", buf_str(&cell));
    }
    if (json_object_get(doc, "corroboration"))
        print_corroboration(&tab, json_object_get(doc, "corroboration"));
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
    buf_free(&cell);
}

static int show_cmd(struct cli *cli, int argc, char **argv)
{
    const char *id_arg = NULL, *version_arg = NULL;
    bool as_json = false;
    char id[RECORD_ID_MAX];
    json_t *doc = NULL, *referrers = NULL;
    long version = 0;
    int rc;

    for (int i = 0; i < argc; i++) {
        int got = cli_option(&show_command, argc, argv, &i, "version", &version_arg);
        if (got < 0)
            return EXIT_USAGE;
        if (got > 0)
            continue;
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (argv[i][0] != '-' && id_arg == NULL)
            id_arg = argv[i];
        else
            return cli_usage(&show_command, "unexpected argument \"%s\"", argv[i]);
    }
    if (id_arg == NULL)
        return cli_usage(&show_command, "give the id of a record");
    if (version_arg
        && number_parse_long(&cli->ctx, "--version", version_arg, 1, INT_MAX, &version) != AT_OK)
        return cli_fail(cli, AT_EINVAL);
    if (record_resolve(&cli->ctx, cli->st, id_arg, id) != AT_OK
        || record_read(&cli->ctx, cli->st, id, (int)version, &doc) != AT_OK
        || record_referrers(&cli->ctx, cli->st, id, &referrers) != AT_OK) {
        rc = cli_fail(cli, cli->ctx.code);
        goto out;
    }
    /* An event's current version shows how it is corroborated now; a
     * retracted event has no corroboration. */
    if (version == 0 && strcmp(json_string_value(json_object_get(doc, "type")), "event") == 0
        && !json_is_true(json_object_get(doc, "retracted"))) {
        json_t *c;
        if (corroboration_of_event(&cli->ctx, cli->st, id, &c) != AT_OK) {
            rc = cli_fail(cli, cli->ctx.code);
            goto out;
        }
        json_object_set_new(doc, "corroboration", c);
    }
    if (as_json) {
        json_object_set(doc, "referred_by", referrers);
        cli_print_json(doc);
    } else {
        print_record(doc, referrers);
    }
    rc = EXIT_OK;
out:
    json_decref(doc);
    json_decref(referrers);
    return rc;
}

const struct command show_command = {
    .name = "show",
    .summary = "print a record",
    .usage =
        "attest show ID [--version N] [--json]\n"
        "Prints the current version of record ID (or version N): who entered it, when,\n"
        "from which source, its fields, and the records that refer to it; for an event\n"
        "also its corroboration: independent sources (a witness's household, group\n"
        "interview or hearsay counts once), the strongest basis of knowledge, and\n"
        "whether the accounts agree on date, place and victims.  ID may be shortened\n"
        "to any unique prefix.",
    .run = show_cmd,
    .needs = NEEDS_ARCHIVE,
};
