/*
 * fuzz_csv.c: feeds arbitrary bytes to the CSV reader under several sets
 * of options.  Whatever it accepts is written out again with the writer
 * and read back, and must come back field for field (through csv_unguard
 * when the writer guarded formulas, and then no field read back may start
 * a formula); line numbers must rise from record to record.  Any
 * difference aborts.
 */
#include "../../src/core/attest.h"
#include "../../src/core/csv.h"

#include <stdlib.h>
#include <string.h>

struct records {
    char ***fields;
    size_t *n;
    size_t count, cap;
};

static void records_free(struct records *rs)
{
    for (size_t i = 0; i < rs->count; i++) {
        for (size_t j = 0; j < rs->n[i]; j++)
            free(rs->fields[i][j]);
        free(rs->fields[i]);
    }
    free(rs->fields);
    free(rs->n);
}

/* Reads every record of data[0..size) into rs; returns the last csv_read
 * result (0 when all went well). */
static int read_all(const uint8_t *data, size_t size,
                    const struct csv_options *opt, struct records *rs)
{
    static char empty[1];
    struct at_ctx ctx = { 0 };
    struct csv_reader *r;
    struct csv_record rec;
    unsigned long last_line = 0;
    FILE *f = fmemopen(data ? (void *)data : empty, size, "r");
    int rc;

    if (f == NULL)
        abort();
    if (csv_open(&r, f, "fuzz.csv", opt, &ctx) != AT_OK)
        abort();
    while ((rc = csv_read(r, &rec, &ctx)) == 1) {
        if (rec.n == 0 || rec.line <= last_line)
            abort();
        last_line = rec.line;
        if (rs->count == rs->cap) {
            rs->cap = rs->cap ? rs->cap * 2 : 16;
            rs->fields = xrealloc(rs->fields, rs->cap * sizeof *rs->fields);
            rs->n = xrealloc(rs->n, rs->cap * sizeof *rs->n);
        }
        char **copy = xmalloc(rec.n * sizeof *copy);
        for (size_t j = 0; j < rec.n; j++) {
            if (strlen(rec.fields[j]) != rec.lens[j])
                abort();
            copy[j] = xstrdup(rec.fields[j]);
        }
        rs->fields[rs->count] = copy;
        rs->n[rs->count++] = rec.n;
    }
    if (rc < 0 && ctx.message[0] == '\0')
        abort(); /* every failure must say why */
    csv_close(r);
    fclose(f);
    return rc;
}

static void check_round_trip(const uint8_t *data, size_t size,
                             const struct csv_options *opt)
{
    struct records first = { 0 }, again = { 0 };
    struct buf out = BUF_INIT;

    if (read_all(data, size, opt, &first) == 0) {
        for (size_t i = 0; i < first.count; i++)
            csv_write_record_opt(&out, (const char *const *)first.fields[i],
                                 first.n[i], opt);
        if (read_all((const uint8_t *)out.data, out.len, opt, &again) != 0)
            abort();
        if (again.count != first.count)
            abort();
        for (size_t i = 0; i < first.count; i++) {
            if (again.n[i] != first.n[i])
                abort();
            for (size_t j = 0; j < first.n[i]; j++) {
                const char *back = again.fields[i][j];
                if (opt->guard_formulas && csv_is_formula(back) && back[0] != '\'')
                    abort();
                if (strcmp(opt->guard_formulas ? csv_unguard(back) : back,
                           first.fields[i][j]) != 0)
                    abort();
            }
        }
    }
    records_free(&first);
    records_free(&again);
    buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct csv_options opts[] = {
        { 0 },
        { .delimiter = ';', .crlf = true, .stop_at_sub = true },
        { .delimiter = '\t', .stop_at_sub = true, .same_width = true },
        { .guard_formulas = true },
    };

    for (size_t i = 0; i < ARRAY_LEN(opts); i++)
        check_round_trip(data, size, &opts[i]);
    return 0;
}
