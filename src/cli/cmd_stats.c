/* cmd_stats.c: `attest stats` prints the archive's counts (stats.h) as
 * text tables, JSON or CSV, and writes their charts as SVG files. */
#include "cli.h"
#include "../core/stats.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* Writes one SVG per table that has something to draw into dir, printing
 * each file's path. */
static int write_charts(struct cli *cli, json_t *stats, const char *dir)
{
    struct buf svg = BUF_INIT, path = BUF_INIT;
    json_t *table;
    FILE *f;
    size_t i;
    int rc = EXIT_OK, drawn;

    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "attest: --svg %s: %s\n", dir, strerror(errno));
        return EXIT_FAIL;
    }
    json_array_foreach(json_object_get(stats, "tables"), i, table) {
        buf_reset(&svg);
        if ((drawn = stats_chart(&cli->ctx, table, SVG_EN, &svg)) == AT_ENOTFOUND)
            continue;   /* nothing to draw: the table says so */
        if (drawn != AT_OK) {
            rc = cli_fail(cli, drawn);
            break;
        }
        buf_reset(&path);
        buf_printf(&path, "%s/%s.svg", dir, json_string_value(json_object_get(table, "name")));
        if ((f = fopen(buf_str(&path), "w")) == NULL || fwrite(svg.data, 1, svg.len, f) != svg.len
            || fclose(f) != 0) {
            fprintf(stderr, "attest: %s: %s\n", buf_str(&path), strerror(errno));
            rc = EXIT_FAIL;
            break;
        }
        puts(buf_str(&path));
    }
    buf_free(&svg);
    buf_free(&path);
    return rc;
}

static void print_types(json_t *types)
{
    struct table tab;
    char n[3][32];
    json_t *row;
    size_t i;

    cli_table_init(&tab, 4, "TYPE", "RECORDS", "RETRACTED", "VERSIONS");
    json_array_foreach(types, i, row) {
        snprintf(n[0], sizeof n[0], "%lld", (long long)json_integer_value(json_object_get(row, "records")));
        snprintf(n[1], sizeof n[1], "%lld", (long long)json_integer_value(json_object_get(row, "retracted")));
        snprintf(n[2], sizeof n[2], "%lld", (long long)json_integer_value(json_object_get(row, "versions")));
        cli_table_row(&tab, json_string_value(json_object_get(row, "type")), n[0], n[1], n[2]);
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
}

static const char *cell_name(json_t *cols, size_t c)
{
    return json_string_value(json_array_get(cols, c));
}

/* A table of stats_compute as text: its title, the rows (a cell as a
 * count, a percentage, "-" for none, or its withheld mark), its note. */
static void print_rows(json_t *table, json_t *cols, size_t ncols);

static void print_table(json_t *table)
{
    json_t *cols = json_object_get(table, "columns");
    size_t ncols = json_array_size(cols);

    if (ncols > 4)
        ncols = 4;
    printf("\n%s\n", json_string_value(json_object_get(table, "title")));
    if (json_array_size(json_object_get(table, "rows")) == 0)
        puts("(nothing to count)");
    else
        print_rows(table, cols, ncols);
    if (json_object_get(table, "note"))
        printf("Note: %s\n", json_string_value(json_object_get(table, "note")));
}

static void print_rows(json_t *table, json_t *cols, size_t ncols)
{
    const char *cell[5] = { "", "", "", "", "" };
    char text[4][32];
    struct table tab;
    json_t *row, *v;
    size_t i, c;

    cell[0] = json_string_value(json_object_get(table, "key"));
    for (c = 0; c < ncols; c++)
        cell[c + 1] = json_string_value(json_array_get(cols, c));
    cli_table_init(&tab, ncols + 1, cell[0], cell[1], cell[2], cell[3], cell[4]);
    json_array_foreach(json_object_get(table, "rows"), i, row) {
        cell[0] = json_string_value(json_object_get(row, "label"));
        for (c = 0; c < ncols; c++) {
            v = json_array_get(json_object_get(row, "values"), c);
            if (json_is_integer(v))
                snprintf(text[c], sizeof text[c], "%lld", (long long)json_integer_value(v));
            else if (json_is_real(v) && strncmp(cell_name(cols, c), "change", 6) == 0)
                snprintf(text[c], sizeof text[c], "%+.1f", json_real_value(v));
            else if (json_is_real(v))
                snprintf(text[c], sizeof text[c], "%.1f", json_real_value(v));
            else
                snprintf(text[c], sizeof text[c], "%s", json_string_value(v) ?: "-");
            cell[c + 1] = text[c];
        }
        cli_table_row(&tab, cell[0], cell[1], cell[2], cell[3], cell[4]);
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
}

static int stats_cmd(struct cli *cli, int argc, char **argv)
{
    const char *svg_dir = NULL, *period_text = NULL, *only = NULL;
    struct stats_rates rates = { 0 };
    const char *rate = NULL;
    enum stats_period period = STATS_HALF_YEAR;
    bool as_json = false, as_csv = false;
    json_t *stats, *table;
    struct buf csv = BUF_INIT;
    int rc = EXIT_OK, got;
    size_t i;

    for (int a = 0; a < argc; a++) {
        if (strcmp(argv[a], "--json") == 0)
            as_json = true;
        else if (strcmp(argv[a], "--csv") == 0)
            as_csv = true;
        else if ((got = cli_option(&stats_command, argc, argv, &a, "svg", &svg_dir)) != 0
                 || (got = cli_option(&stats_command, argc, argv, &a, "period", &period_text)) != 0
                 || (got = cli_option(&stats_command, argc, argv, &a, "table", &only)) != 0
                 || (got = cli_option(&stats_command, argc, argv, &a, "rate", &rate)) != 0) {
            if (got < 0)
                return EXIT_USAGE;
            if (rate && stats_rate_parse(&cli->ctx, rate, &rates) != AT_OK)
                return cli_fail(cli, AT_EINVAL);
            rate = NULL;
        } else
            return cli_usage(&stats_command, "unexpected argument \"%s\"", argv[a]);
    }
    if (as_json + as_csv + (svg_dir != NULL) > 1)
        return cli_usage(&stats_command, "give one of --json, --csv and --svg");
    if (period_text && stats_period_parse(&cli->ctx, period_text, &period) != AT_OK)
        return cli_fail(cli, AT_EINVAL);
    if (stats_compute(&cli->ctx, cli->st, -1, period, &stats) != AT_OK)
        return cli_fail(cli, AT_ERR);
    if (stats_casework(&cli->ctx, cli->st, -1, &rates, stats) != AT_OK) {
        json_decref(stats);
        return cli_fail(cli, AT_ERR);
    }
    if (only) {
        if ((table = stats_table(stats, only)) == NULL) {
            fprintf(stderr, "attest: --table: no table \"%s\"; valid:", only);
            json_array_foreach(json_object_get(stats, "tables"), i, table)
                fprintf(stderr, " %s", json_string_value(json_object_get(table, "name")));
            fputc('\n', stderr);
            json_decref(stats);
            return EXIT_USAGE;
        }
        json_object_set_new(stats, "tables", json_pack("[O]", table));
    }
    if (as_json) {
        cli_print_json(stats);
    } else if (as_csv) {
        stats_csv(stats, &csv);
        fputs(buf_str(&csv), stdout);
        buf_free(&csv);
    } else if (svg_dir) {
        rc = write_charts(cli, stats, svg_dir);
    } else {
        if (!only)
            print_types(json_object_get(stats, "types"));
        json_array_foreach(json_object_get(stats, "tables"), i, table)
            print_table(table);
    }
    json_decref(stats);
    return rc;
}

const struct command stats_command = {
    .name = "stats",
    .summary = "count records, acts, victims and the witness sample; draw charts",
    .usage =
        "attest stats [--json | --csv | --svg DIR] [--table NAME] [--period half|year]\n"
        "             [--rate FROM:TO=RATE ...]\n"
        "Counts what you may see: records per type; acts by type, year, province and\n"
        "perpetrator agency; victims by sex and age band; witnesses by home province,\n"
        "year of exit and sex; arrivals per half-year (or --period year) with the change\n"
        "in percent and the share of women.  Below confidential clearance, witness\n"
        "counts under 5 are withheld.  Casework: sale prices (median and range by year\n"
        "and region, in one currency), the ILO indicators found in cases, and overseas\n"
        "workers by country; counts of cases under 5 are withheld below confidential.\n"
        "  --json       everything as one JSON object\n"
        "  --csv        one line per cell: table,key,column,value\n"
        "  --svg DIR    one SVG chart per table into DIR (made if missing); prints the paths\n"
        "  --table NAME only that table (acts_by_year, arrivals, ...)\n"
        "  --rate FROM:TO=RATE  converts sale prices: CNY:USD=0.14 is 1 CNY = 0.14 USD\n"
        "               (repeat for more currencies, all into the same one); the tables\n"
        "               state the rate used",
    .run = stats_cmd,
    .needs = NEEDS_ARCHIVE,
};
