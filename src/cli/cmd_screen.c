/*
 * cmd_screen.c: `attest screen` checks a name (or a CSV file of them, a
 * record, every record of the archive) against the sanctions lists in the
 * archive, now or as of a date, and explains each hit; `screen archive
 * --new` reports what a new list version newly hits; `attest screen dismiss`,
 * `undismiss` and `decisions` keep the analysts' "not this entry"
 * decisions; `attest screen successors` ranks listed entities linked to
 * one; `attest screen compare` is in cmd_screen_compare.c.
 */
#include "cli.h"
#include "../core/csv.h"
#include "../core/lists.h"
#include "../core/number.h"
#include "../core/record.h"
#include "../core/screen.h"
#include "../core/screen_archive.h"
#include "../core/screen_decision.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct screen_opts {
    struct screen_query q;
    const char *file;
    const char *record;
    const char *as_of;     /* --as-of DATE: the lists in force that day */
    bool archive, new_only; /* screen archive, --new */
    const char *since;     /* --new --since DATE */
    bool as_json;
    const char *ids[16];
};

static bool valid_type(const char *t)
{
    return t == NULL || strcmp(t, "person") == 0 || strcmp(t, "company") == 0
        || strcmp(t, "vessel") == 0 || strcmp(t, "aircraft") == 0;
}

/* "KPe.010 (un-2026-02-27)" style reasons for the table. */
static void why(json_t *hit, struct buf *out)
{
    screen_explain_text(json_object_get(hit, "explain"), out);
}

static void print_hits(json_t *hits)
{
    struct table tab;
    struct buf reason = BUF_INIT;
    json_t *h;
    size_t i;
    char score[16];

    cli_table_init(&tab, 6, "SCORE", "LIST", "KEY", "NAME", "MATCHED", "WHY");
    json_array_foreach(hits, i, h) {
        const char *matched = json_string_value(json_object_get(h, "matched_name"));
        const char *quality = json_string_value(json_object_get(h, "quality"));
        struct buf m = BUF_INIT;
        snprintf(score, sizeof score, "%.1f", json_number_value(json_object_get(h, "score")));
        if (matched)
            buf_printf(&m, "%s (%s)", matched, quality);
        why(h, &reason);
        cli_table_row(&tab, score, json_string_value(json_object_get(h, "list")),
                      json_string_value(json_object_get(h, "key")),
                      json_string_value(json_object_get(h, "name")), buf_str(&m), buf_str(&reason));
        buf_free(&m);
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
    buf_free(&reason);
}

/* Column index of a header name, or -1. */
static int column(const struct csv_record *rec, const char *name)
{
    for (size_t i = 0; i < rec->n; i++)
        if (strcasecmp(rec->fields[i], name) == 0)
            return (int)i;
    return -1;
}

static int screen_file(struct cli *cli, struct screen_index *ix, struct screen_opts *o)
{
    static const char *const out_header[] = {
        "line", "query", "type", "score", "list", "key", "listed_name", "matched_name", "quality",
        "scorer", "why",
    };
    static const struct csv_options guard = { .guard_formulas = true }; /* for spreadsheets */
    struct csv_options copt = { 0 };
    struct csv_reader *r = NULL;
    struct csv_record rec;
    struct buf out = BUF_INIT, reason = BUF_INIT;
    FILE *in = cli_fopen(cli, o->file);
    int got, rc = EXIT_OK, c_name, c_type, c_id;
    long done = 0, total_hits = 0;
    bool progress = isatty(STDERR_FILENO);

    if (in == NULL)
        return EXIT_FAIL;
    copt.same_width = true;
    if (csv_open(&r, in, strcmp(o->file, "-") == 0 ? "stdin" : o->file, &copt, &cli->ctx) != AT_OK
        || (got = csv_read(r, &rec, &cli->ctx)) < 0) {
        rc = cli_fail(cli, cli->ctx.code);
        goto out;
    }
    if (got == 0 || (c_name = column(&rec, "name")) < 0) {
        fprintf(stderr, "attest: %s:1: no \"name\" column; the header must name the columns "
                        "(name, and optionally type, id)\n", o->file);
        rc = EXIT_USAGE;
        goto out;
    }
    c_type = column(&rec, "type");
    c_id = column(&rec, "id");
    csv_write_record_opt(&out, out_header, ARRAY_LEN(out_header), &guard);
    fwrite(out.data, 1, out.len, stdout);
    while ((got = csv_read(r, &rec, &cli->ctx)) == 1) {
        struct screen_query q = o->q;
        const char *type = c_type >= 0 && rec.fields[c_type][0] ? rec.fields[c_type] : o->q.type;
        const char *id = c_id >= 0 && rec.fields[c_id][0] ? rec.fields[c_id] : NULL;
        json_t *hits, *h;
        size_t i;
        if (!valid_type(type)) {
            fprintf(stderr, "attest: %s:%lu: field \"type\": \"%s\"; valid: person, company, vessel, "
                            "aircraft or empty\n", o->file, rec.line, type);
            rc = EXIT_USAGE;
            goto out;
        }
        if (rec.fields[c_name][0] == '\0' && id == NULL) {
            fprintf(stderr, "attest: %s:%lu: field \"name\": empty, and no id either\n", o->file,
                    rec.line);
            rc = EXIT_USAGE;
            goto out;
        }
        q.name = rec.fields[c_name];
        q.type = type;
        q.ids = &id;
        q.nids = id != NULL;
        if (screen_query(&cli->ctx, ix, &q, &hits) != AT_OK) {
            ctx_prefix(&cli->ctx, "%s:%lu: ", o->file, rec.line);
            rc = cli_fail(cli, cli->ctx.code);
            goto out;
        }
        char line[24];
        snprintf(line, sizeof line, "%lu", rec.line);
        json_array_foreach(hits, i, h) {
            char score[16];
            snprintf(score, sizeof score, "%.1f", json_number_value(json_object_get(h, "score")));
            why(h, &reason);
            const char *row[] = {
                line, rec.fields[c_name], type ? type : "", score,
                json_string_value(json_object_get(h, "list")),
                json_string_value(json_object_get(h, "key")),
                json_string_value(json_object_get(h, "name")),
                json_string_value(json_object_get(h, "matched_name")) ?: "",
                json_string_value(json_object_get(h, "quality")) ?: "",
                json_string_value(json_object_get(h, "scorer")), buf_str(&reason),
            };
            buf_reset(&out);
            csv_write_record_opt(&out, row, ARRAY_LEN(row), &guard);
            fwrite(out.data, 1, out.len, stdout);
            total_hits++;
        }
        json_decref(hits);
        if (progress && ++done % 100 == 0)
            fprintf(stderr, "\rscreening: %ld queries, %ld hits", done, total_hits);
    }
    if (got < 0) {
        rc = cli_fail(cli, cli->ctx.code);
        goto out;
    }
    if (progress)
        fprintf(stderr, "\rscreening: %ld queries, %ld hits\n", done, total_hits);
out:
    csv_close(r);
    if (in != stdin)
        fclose(in);
    buf_free(&out);
    buf_free(&reason);
    return rc;
}

/* The dismissed hits of a record: entry, by whom, when and why. */
static void print_dismissed(json_t *dismissed)
{
    json_t *h, *d;
    size_t i;

    if (json_array_size(dismissed) == 0)
        return;
    printf("dismissed (%zu): not reported as hits\n", json_array_size(dismissed));
    json_array_foreach(dismissed, i, h) {
        d = json_object_get(h, "dismissal");
        printf("  %5.1f  %s %s  %s  -- dismissed by %s at %s (%s)%s%s\n",
               json_number_value(json_object_get(h, "score")),
               json_string_value(json_object_get(h, "list")), json_string_value(json_object_get(h, "key")),
               json_string_value(json_object_get(h, "name")), json_string_value(json_object_get(d, "by")),
               json_string_value(json_object_get(d, "at")), json_string_value(json_object_get(d, "id")),
               json_string_value(json_object_get(d, "note")) ? ": " : "",
               json_string_value(json_object_get(d, "note")) ?: "");
    }
}

/* One record's result (screen_record_decided's object) for people. */
static void print_record(json_t *r, bool header)
{
    json_t *hits = json_object_get(r, "hits");

    if (header)
        printf("%s %s: %s\n", json_string_value(json_object_get(r, "record")),
               json_string_value(json_object_get(r, "type")),
               json_string_value(json_object_get(r, "name")) ?: "");
    if (json_array_size(hits))
        print_hits(hits);
    else if (!header)
        fprintf(stderr, "no hits\n");
    print_dismissed(json_object_get(r, "dismissed"));
}

static void archive_progress(void *arg, size_t done, size_t total)
{
    (void)arg;
    if (done % 20 == 0 || done == total)
        fprintf(stderr, "\rscreening the archive: %zu of %zu records", done, total);
    if (done == total)
        fprintf(stderr, "\n");
}

/* Prints "versions: a, b" on stderr: which lists answered. */
static void say_versions(const char *what, json_t *versions)
{
    json_t *v;
    size_t i;

    fprintf(stderr, "%s", what);
    json_array_foreach(versions, i, v)
        fprintf(stderr, "%s%s", i ? ", " : " ", json_string_value(v));
    fprintf(stderr, "%s\n", json_array_size(versions) ? "" : " none");
}

/* The versions to screen against: those in force on --as-of, or the
 * newest of each list. */
static int screen_versions(struct cli *cli, const struct screen_opts *o, json_t **versions)
{
    int rc;

    if (o->as_of == NULL)
        return lists_current(&cli->ctx, cli->st, versions);
    if ((rc = lists_in_force(&cli->ctx, cli->st, o->as_of, versions)) == AT_EINVAL)
        ctx_prefix(&cli->ctx, "--as-of: ");
    if (rc == AT_OK) {
        struct buf what = BUF_INIT;
        buf_printf(&what, "as of %s, in force:", o->as_of);
        say_versions(buf_str(&what), *versions);
        buf_free(&what);
    }
    return rc;
}

/* screen archive [--new [--since DATE]]: every organisation, person and
 * vessel, or only what the newest lists newly hit. */
static int screen_archive_cmd(struct cli *cli, struct screen_index *ix, json_t *versions,
                              struct screen_opts *o)
{
    struct screen_archive_opts ao = { .q = &o->q };
    struct screen_index *before_ix = NULL;
    json_t *before = NULL, *records = NULL, *r;
    size_t i;
    int rc = EXIT_OK;

    if (o->new_only) {
        char last[64];
        if (screen_archive_before(&cli->ctx, cli->st, o->since, last, &before) != AT_OK) {
            /* core names the field "since"; here it is the option --since */
            if (cli->ctx.code == AT_EINVAL && o->since)
                ctx_prefix(&cli->ctx, "--");
            rc = cli_fail(cli, cli->ctx.code);
            goto out;
        }
        if (*last)
            fprintf(stderr, "new hits of the last import, %s\n", last);
        say_versions("compared with:", before);
        if (json_array_size(before)
            && screen_index_load_versions(&cli->ctx, cli->st, before, &before_ix) != AT_OK) {
            rc = cli_fail(cli, cli->ctx.code);
            goto out;
        }
        /* no list in force before (--since an earlier day): every hit is new */
        ao.before = before_ix;
    }
    if (isatty(STDERR_FILENO))
        ao.progress = archive_progress;
    if (screen_archive(&cli->ctx, cli->st, ix, &ao, &records) != AT_OK) {
        rc = cli_fail(cli, cli->ctx.code);
        goto out;
    }
    if (o->as_json) {
        json_t *all = json_pack("{s:O, s:O}", "versions", versions, "records", records);
        if (before)
            json_object_set(all, "before", before);
        cli_print_json(all);
        json_decref(all);
    } else if (json_array_size(records) == 0) {
        fprintf(stderr, o->new_only ? "no new hits at threshold %.0f\n" : "no hits at threshold %.0f\n",
                o->q.threshold);
    } else {
        json_array_foreach(records, i, r) {
            printf("%s", i ? "\n" : "");
            print_record(r, true);
        }
    }
out:
    screen_index_free(before_ix);
    json_decref(before);
    json_decref(records);
    return rc;
}

/* screen dismiss|undismiss RECORD ENTRY [--note TEXT] */
static int decide_cmd(struct cli *cli, bool dismiss, int argc, char **argv)
{
    const char *args[2] = { NULL, NULL }, *note = NULL;
    char rid[RECORD_ID_MAX], id[RECORD_ID_MAX];
    int n = 0, rc;

    for (int i = 0; i < argc; i++) {
        int got = cli_option(&screen_command, argc, argv, &i, "note", &note);
        if (got < 0)
            return EXIT_USAGE;
        if (got > 0)
            continue;
        if (n < 2 && argv[i][0] != '-')
            args[n++] = argv[i];
        else
            return cli_usage(&screen_command, "unexpected argument \"%s\"", argv[i]);
    }
    if (n != 2)
        return cli_usage(&screen_command, "screen %s needs a record id and a list entry "
                         "(KPe.029, un:KPe.029, ofac:9345)", dismiss ? "dismiss" : "undismiss");
    if (record_resolve(&cli->ctx, cli->st, args[0], rid) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    rc = dismiss ? screen_dismiss(&cli->ctx, cli->st, rid, args[1], note, id)
                 : screen_undismiss(&cli->ctx, cli->st, rid, args[1], note, id);
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    fprintf(stderr, "%s %s for %s\n", dismiss ? "dismissed" : "withdrew the dismissal of", args[1], rid);
    printf("%s\n", id);
    return EXIT_OK;
}

/* screen decisions [RECORD] [--all] [--json] */
static int decisions_cmd(struct cli *cli, int argc, char **argv)
{
    const char *record = NULL;
    char rid[RECORD_ID_MAX];
    bool all = false, as_json = false;
    json_t *list, *d;
    struct table tab;
    size_t i;

    for (int k = 0; k < argc; k++) {
        if (strcmp(argv[k], "--all") == 0)
            all = true;
        else if (strcmp(argv[k], "--json") == 0)
            as_json = true;
        else if (record == NULL && argv[k][0] != '-')
            record = argv[k];
        else
            return cli_usage(&screen_command, "unexpected argument \"%s\"", argv[k]);
    }
    if ((record && record_resolve(&cli->ctx, cli->st, record, rid) != AT_OK)
        || screen_decisions(&cli->ctx, cli->st, record ? rid : NULL, all, &list) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (as_json) {
        cli_print_json(list);
    } else if (json_array_size(list) == 0) {
        fprintf(stderr, "no decisions\n");
    } else {
        cli_table_init(&tab, 8, "DECISION", "RECORD", "ENTRY", "LISTED NAME", "STATUS", "BY", "AT", "NOTE");
        json_array_foreach(list, i, d) {
            struct buf entry = BUF_INIT;
            bool withdrawn = strcmp(json_string_value(json_object_get(d, "status")), "withdrawn") == 0;
            buf_printf(&entry, "%s:%s", json_string_value(json_object_get(d, "list")),
                       json_string_value(json_object_get(d, "key")));
            cli_table_row(&tab, json_string_value(json_object_get(d, "id")),
                          json_string_value(json_object_get(d, "record")), buf_str(&entry),
                          json_string_value(json_object_get(d, "entry_name")) ?: "",
                          json_string_value(json_object_get(d, "status")),
                          json_string_value(json_object_get(d, "by")),
                          json_string_value(json_object_get(d, "at")),
                          json_string_value(json_object_get(d, withdrawn ? "reason" : "note")) ?: "");
            buf_free(&entry);
        }
        cli_table_print(&tab, stdout);
        cli_table_free(&tab);
    }
    json_decref(list);
    return EXIT_OK;
}

/* A typed-in entity: --name, --address, --phone, --email, --id, --link. */
static int typed_entity(int argc, char **argv, int *k, json_t *e)
{
    static const char *const opts[] = { "name", "address", "phone", "email", "id", "link" };
    const char *v;

    for (size_t o = 0; o < ARRAY_LEN(opts); o++) {
        int got = cli_option(&screen_command, argc, argv, k, opts[o], &v);
        if (got <= 0) {
            if (got < 0)
                return -1;
            continue;
        }
        if (strcmp(opts[o], "name") == 0) {
            if (!json_object_get(e, "name"))
                json_object_set_new(e, "name", json_string(v));
            json_array_append_new(json_object_get(e, "names"), json_pack("{s:s, s:s}", "name", v,
                                                                         "quality", "strong"));
        } else if (strcmp(opts[o], "address") == 0) {
            json_array_append_new(json_object_get(e, "addresses"), json_pack("{s:s}", "street", v));
        } else if (strcmp(opts[o], "link") == 0) {
            json_array_append_new(json_object_get(e, "links"), json_string(v));
        } else {
            /* --id: IMO, SWIFT/BIC, registration, ... tried as each kind */
            static const char *const kinds[] = { "imo", "swift", "registration", "passport" };
            if (strcmp(opts[o], "id") != 0)
                json_array_append_new(json_object_get(e, "ids"),
                                      json_pack("{s:s, s:s}", "kind", opts[o], "value", v));
            else
                for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
                    json_array_append_new(json_object_get(e, "ids"),
                                          json_pack("{s:s, s:s}", "kind", kinds[i], "value", v));
        }
        return 1;
    }
    return 0;
}

static int successors_cmd(struct cli *cli, int argc, char **argv)
{
    const char *ref = NULL, *limit = NULL;
    bool as_json = false;
    json_t *out, *c, *ev;
    json_t *typed = json_pack("{s:s, s:[], s:[], s:[], s:[]}", "key", "", "names", "ids",
                              "addresses", "links");
    size_t i, j;
    int rc;

    for (int k = 0; k < argc; k++) {
        int got = cli_option(&screen_command, argc, argv, &k, "limit", &limit);
        if (got == 0)
            got = typed_entity(argc, argv, &k, typed);
        if (got < 0) {
            json_decref(typed);
            return EXIT_USAGE;
        }
        if (got > 0)
            continue;
        if (strcmp(argv[k], "--json") == 0)
            as_json = true;
        else if (ref == NULL && argv[k][0] != '-')
            ref = argv[k];
        else {
            json_decref(typed);
            return cli_usage(&screen_command, "unexpected argument \"%s\"", argv[k]);
        }
    }
    bool is_typed = json_array_size(json_object_get(typed, "names"))
                    + json_array_size(json_object_get(typed, "ids"))
                    + json_array_size(json_object_get(typed, "addresses"))
                    + json_array_size(json_object_get(typed, "links")) > 0;
    if ((ref == NULL) == !is_typed) {
        json_decref(typed);
        return cli_usage(&screen_command, "screen successors needs an entity: a list key, a listed "
                         "name or a record id, or one typed in with --name, --address, --phone, "
                         "--email, --id, --link");
    }
    long lim = 10;
    if (limit && number_parse_long(&cli->ctx, "--limit", limit, 0, SCREEN_LIMIT_MAX, &lim) != AT_OK) {
        json_decref(typed);
        return cli_fail(cli, cli->ctx.code);
    }
    if (is_typed)
        rc = screen_successors_entity(&cli->ctx, cli->st, typed, (size_t)lim, &out);
    else
        rc = screen_successors(&cli->ctx, cli->st, ref, (size_t)lim, &out);
    json_decref(typed);
    if (rc != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (as_json) {
        cli_print_json(out);
        json_decref(out);
        return EXIT_OK;
    }
    json_t *ent = json_object_get(out, "entity");
    printf("%s %s: %s\n", json_string_value(json_object_get(ent, "list")),
           json_string_value(json_object_get(ent, "key")),
           json_string_value(json_object_get(ent, "name")));
    json_array_foreach(json_object_get(out, "candidates"), i, c) {
        printf("%6.2f  %s %s  %s\n", json_number_value(json_object_get(c, "score")),
               json_string_value(json_object_get(c, "list")),
               json_string_value(json_object_get(c, "key")),
               json_string_value(json_object_get(c, "name")));
        json_array_foreach(json_object_get(c, "evidence"), j, ev)
            printf("          %-8s %s (shared by %lld, weight %.2f)\n",
                   json_string_value(json_object_get(ev, "kind")),
                   json_string_value(json_object_get(ev, "value")),
                   (long long)json_integer_value(json_object_get(ev, "shared_by")),
                   json_number_value(json_object_get(ev, "weight")));
    }
    json_decref(out);
    return EXIT_OK;
}

/* Which of name, --file, --record, archive was asked for; a usage
 * message when none or several, or when --new, --since, --as-of do not fit. */
static const char *mode_error(const struct screen_opts *o, bool has_name)
{
    int modes = has_name + (o->file != NULL) + (o->record != NULL) + o->archive;

    if (modes != 1)
        return "give one of: a name (or --id VALUE), --file FILE.csv, --record ID; or screen archive";
    if (o->new_only && !o->archive)
        return "--new is for the whole archive: screen archive --new";
    if (o->since && !o->new_only)
        return "--since goes with --new: screen archive --new --since DATE";
    if (o->new_only && o->as_of)
        return "--new compares the newest lists with those before them; it does not take --as-of";
    return NULL;
}

static int screen_cmd(struct cli *cli, int argc, char **argv)
{
    struct screen_opts o = { .q = { NULL, NULL, NULL, 0, SCREEN_ATTEST, 80.0, 20 } };
    const char *threshold = NULL, *scorer = NULL, *limit = NULL, *id, *bad;
    struct buf name = BUF_INIT;
    struct screen_index *ix = NULL;
    json_t *versions = NULL, *hits;
    size_t nids = 0;
    int rc = EXIT_USAGE;

    if (argc > 0 && strcmp(argv[0], "compare") == 0)
        return cmd_screen_compare(cli, argc - 1, argv + 1);
    if (cli_login(cli) != AT_OK)
        return cli_fail(cli, AT_ERR);
    if (argc > 0 && strcmp(argv[0], "successors") == 0)
        return successors_cmd(cli, argc - 1, argv + 1);
    if (argc > 0 && (strcmp(argv[0], "dismiss") == 0 || strcmp(argv[0], "undismiss") == 0))
        return decide_cmd(cli, argv[0][0] == 'd', argc - 1, argv + 1);
    if (argc > 0 && strcmp(argv[0], "decisions") == 0)
        return decisions_cmd(cli, argc - 1, argv + 1);
    /* "archive", not "--archive": that is the global option naming the
     * archive's directory (-A) */
    if (argc > 0 && strcmp(argv[0], "archive") == 0) {
        o.archive = true;
        argc--, argv++;
    }
    for (int i = 0; i < argc; i++) {
        int got;
        if ((got = cli_option(&screen_command, argc, argv, &i, "type", &o.q.type)) ||
            (got = cli_option(&screen_command, argc, argv, &i, "threshold", &threshold)) ||
            (got = cli_option(&screen_command, argc, argv, &i, "scorer", &scorer)) ||
            (got = cli_option(&screen_command, argc, argv, &i, "limit", &limit)) ||
            (got = cli_option(&screen_command, argc, argv, &i, "file", &o.file)) ||
            (got = cli_option(&screen_command, argc, argv, &i, "record", &o.record)) ||
            (got = cli_option(&screen_command, argc, argv, &i, "as-of", &o.as_of)) ||
            (got = cli_option(&screen_command, argc, argv, &i, "since", &o.since))) {
            if (got < 0)
                goto out;
        } else if ((got = cli_option(&screen_command, argc, argv, &i, "id", &id)) != 0) {
            if (got < 0)
                goto out;
            if (nids < ARRAY_LEN(o.ids))
                o.ids[nids++] = id;
        } else if (strcmp(argv[i], "--json") == 0) {
            o.as_json = true;
        } else if (strcmp(argv[i], "--new") == 0) {
            o.new_only = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            rc = cli_usage(&screen_command, "unknown option \"%s\"", argv[i]);
            goto out;
        } else {
            buf_printf(&name, "%s%s", name.len ? " " : "", argv[i]);
        }
    }
    if (!valid_type(o.q.type)) {
        rc = cli_usage(&screen_command, "--type \"%s\"; valid: person, company, vessel, aircraft", o.q.type);
        goto out;
    }
    if (scorer && screen_scorer_parse(&cli->ctx, scorer, &o.q.scorer) != AT_OK) {
        rc = cli_fail(cli, AT_EINVAL);
        goto out;
    }
    long lim = (long)o.q.limit;
    if ((threshold && number_parse_double(&cli->ctx, "--threshold", threshold, 0, 100,
                                          &o.q.threshold) != AT_OK)
        || (limit && number_parse_long(&cli->ctx, "--limit", limit, 0, SCREEN_LIMIT_MAX, &lim) != AT_OK)) {
        rc = cli_fail(cli, AT_EINVAL);
        goto out;
    }
    o.q.limit = (size_t)lim;
    if ((bad = mode_error(&o, name.len || nids)) != NULL) {
        rc = cli_usage(&screen_command, "%s", bad);
        goto out;
    }
    o.q.name = buf_str(&name);
    o.q.ids = o.ids;
    o.q.nids = nids;
    if (screen_versions(cli, &o, &versions) != AT_OK
        || screen_index_load_versions(&cli->ctx, cli->st, versions, &ix) != AT_OK) {
        rc = cli_fail(cli, cli->ctx.code);
        goto out;
    }
    if (o.file) {
        rc = screen_file(cli, ix, &o);
        goto out;
    }
    if (o.archive) {
        rc = screen_archive_cmd(cli, ix, versions, &o);
        goto out;
    }
    char rid[RECORD_ID_MAX];
    if (o.record && (record_resolve(&cli->ctx, cli->st, o.record, rid) != AT_OK
                     || screen_record_decided(&cli->ctx, cli->st, ix, rid, &o.q, &hits) != AT_OK)) {
        rc = cli_fail(cli, cli->ctx.code);
        goto out;
    }
    if (o.record == NULL && screen_query(&cli->ctx, ix, &o.q, &hits) != AT_OK) {
        rc = cli_fail(cli, cli->ctx.code);
        goto out;
    }
    if (o.as_json)
        cli_print_json(hits);
    else if (o.record)
        print_record(hits, false);
    else if (json_array_size(hits) == 0)
        fprintf(stderr, "no hits at threshold %.0f\n", o.q.threshold);
    else
        print_hits(hits);
    json_decref(hits);
    rc = EXIT_OK;
out:
    screen_index_free(ix);
    json_decref(versions);
    buf_free(&name);
    return rc;
}

const struct command screen_command = {
    .name = "screen",
    .summary = "screen names against the sanctions lists; find successors",
    .usage =
        "attest screen NAME [--type person|company|vessel|aircraft] [--threshold N]\n"
        "              [--scorer attest|ofac] [--id VALUE]... [--limit N] [--json]\n"
        "       attest screen --file IN.csv [options] > HITS.csv\n"
        "       attest screen --record ID [options]\n"
        "       attest screen archive [--new [--since DATE]] [options]\n"
        "       attest screen dismiss|undismiss RECORD ENTRY [--note TEXT]\n"
        "       attest screen decisions [RECORD] [--all] [--json]\n"
        "       attest screen compare NAME1 NAME2 [--type person|company|vessel] [--json]\n"
        "       attest screen compare --file PAIRS.tsv [--json]\n"
        "       attest screen successors ENTITY|ID [--limit N] [--json]\n"
        "       attest screen successors --name NAME [--address A] [--phone P] [--email E]\n"
        "                                [--id VALUE] [--link NAME] [--limit N] [--json]\n"
        "Screens a name in any script (Hangul, Chinese, Cyrillic, any romanisation)\n"
        "against every name and alias of the newest imported list versions.  Scores run\n"
        "from 0 to 100; hits at or above --threshold (default 80) are shown, best first,\n"
        "with the listed name that matched and which words paired with which.  An\n"
        "identifier (IMO number, SWIFT/BIC, phone, e-mail; given with --id or inside the\n"
        "name) equal to a listed one is a hit whatever the name.  --scorer ofac scores as\n"
        "OFAC's Sanctions List Search does.  --file reads a CSV with a header: a 'name'\n"
        "column, optionally 'type' and 'id'; it writes one CSV row per hit.\n"
        "'successors' ranks listed entities that share addresses, phones, e-mails,\n"
        "identifiers or links with ENTITY (a list key such as KPe.001 or ofac:9345, or a\n"
        "name) or with a record of the archive or an entity typed in, rare attributes\n"
        "weighing most.  --record screens an organisation, person or vessel of the\n"
        "archive: all its names, with its IMO number and other identifiers; 'archive'\n"
        "screens every one of them.  --as-of DATE answers with the list versions in force\n"
        "on that day (YYYY-MM-DD).  'archive --new' reports only the hits that the last\n"
        "imported list version adds (or, with --since DATE, the lists newer than those in\n"
        "force that day).  'dismiss' records an analyst's decision that RECORD is not the\n"
        "listed ENTRY (KPe.029, un:KPe.029, ofac:9345): later screens of the record show\n"
        "that hit as dismissed, with who and when, not as a hit; 'undismiss' withdraws\n"
        "it; 'decisions' lists them (--all: withdrawn ones too).\n"
        "'compare' scores NAME1 against NAME2 as screening would with each scorer,\n"
        "with the word weights of the archive's lists when there is an archive, else\n"
        "the default ones (--default-weights forces them); --file reads lines\n"
        "name1<TAB>name2<TAB>type.",
    .run = screen_cmd,
    .needs = NEEDS_ARCHIVE_SOMETIMES,
};
