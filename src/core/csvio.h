/*
 * csvio.h: records from and to CSV, the format researchers keep their
 * lists in.  One row is one record of one type; columns are fields.
 */
#ifndef CSVIO_H
#define CSVIO_H

#include "attest.h"
#include "import.h"

/* A column-to-field mapping given by the user (--map COLUMN=FIELD); an
 * empty field ignores the column. */
struct csv_map {
    const char *column;
    const char *field;
};

/* Imports the rows of in as new records of type t, all or nothing (or
 * skipping bad rows with opt->skip_bad).  Columns map to fields by name
 * (case and spaces ignored; "name" fills names), unless maps say
 * otherwise; the columns "id", "clearance" and "source" set those; two
 * columns that would fill the same field are refused.  A cell that
 * csvio_export guarded against spreadsheet formulas loses its leading '
 * (csv_unguard). */
int csvio_import(struct at_ctx *ctx, struct store *st, FILE *in, const char *file,
                 const struct type_spec *t, const struct csv_map *maps, size_t nmaps,
                 const struct import_options *opt, struct import_counts *counts);

/* Writes the current records of type t as CSV with a header row: id,
 * clearance, retracted, source, then each field; an event then has its
 * corroboration for the store's session (corroboration_columns), which
 * csvio_import passes over.  Unless raw, a cell a
 * spreadsheet would run as a formula gets a leading ' (csv.h). */
int csvio_export(struct at_ctx *ctx, struct store *st, const struct type_spec *t, bool raw,
                 FILE *out);

#endif
