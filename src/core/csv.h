/*
 * csv.h: a streaming reader and a writer for comma-separated values, as
 * RFC 4180 defines them and as spreadsheets and published lists actually
 * write them (a UTF-8 byte order mark, CRLF or LF or CR line ends, ';' or
 * tab delimiters, a trailing 0x1A byte).  The reader holds one record in
 * memory at a time, so files of any size can be read; docs/formats-csv.md
 * lists what it accepts and the errors it reports.
 */
#ifndef CSV_H
#define CSV_H

#include "attest.h"

#include <stdio.h>

/* Options for the reader and the writer.  A zeroed struct (or NULL where a
 * pointer is taken) means: ',' delimiter, LF line ends, no end marker, no
 * width check. */
struct csv_options {
    char delimiter;    /* ',' when 0; ';' and '\t' are common.  Must be
                        * ASCII, and not '"', CR or LF */
    bool crlf;         /* writer: end records with CRLF instead of LF */
    bool stop_at_sub;  /* reader: a 0x1A (SUB) byte that is the last byte of
                        * the input is an end-of-file marker, not data */
    bool same_width;   /* reader: every record must have as many fields as
                        * the first one (the header) */
    bool guard_formulas; /* writer: a field a spreadsheet would run as a
                          * formula gets a leading ' (csv_is_formula) */
};

/* One record, as csv_read returns it.  Everything it points to belongs to
 * the reader and stays valid until the next csv_read or csv_close. */
struct csv_record {
    const char *const *fields; /* n NUL-terminated UTF-8 strings */
    const size_t *lens;        /* their lengths in bytes */
    size_t n;                  /* at least 1 */
    unsigned long line;        /* physical line (from 1) the record starts on */
};

struct csv_reader;

/* Opens a reader over f, or over the file descriptor fd.  name is used in
 * messages ("people.csv:12:7: ...") and is copied.  The reader never closes
 * f or fd, and reads from the current position.  opt may be NULL.  Returns
 * AT_OK and sets *out (free it with csv_close), or AT_EINVAL for a bad
 * delimiter. */
int csv_open(struct csv_reader **out, FILE *f, const char *name,
             const struct csv_options *opt, struct at_ctx *ctx);
int csv_open_fd(struct csv_reader **out, int fd, const char *name,
                const struct csv_options *opt, struct at_ctx *ctx);

/* Reads the next record into *rec.  Returns 1 when a record was read, 0 at
 * the end of the input, AT_EINVAL when the input is not valid CSV (the
 * message gives file, line and column and says what would be valid) and
 * AT_ERR when reading fails.  After an error every further call fails. */
int csv_read(struct csv_reader *r, struct csv_record *rec, struct at_ctx *ctx);

/* Returns AT_OK when rec has exactly `expected` fields (usually the
 * header's count), else AT_EINVAL with a message naming the line and both
 * counts. */
int csv_check_width(const struct csv_reader *r, const struct csv_record *rec,
                    size_t expected, struct at_ctx *ctx);

void csv_close(struct csv_reader *r);

/* Appends one record of n fields to out, each field quoted only when it
 * must be: when it contains the delimiter, a quote, CR or LF, starts or
 * ends with a space or tab, starts with a byte order mark, or is the only
 * field and empty.  csv_write_record uses ',' and LF; csv_write_record_opt
 * takes the delimiter and line end from opt (NULL: the same defaults).
 * With n of 0 nothing is appended.  Reading the output back with the same
 * delimiter gives the same fields, provided they are valid UTF-8.  With
 * opt->guard_formulas, a field for which csv_is_formula is true is written
 * with a ' before it and in double quotes (OWASP's rule against CSV
 * injection); csv_unguard of what is read back gives the field again. */
void csv_write_record(struct buf *out, const char *const *fields, size_t n);
void csv_write_record_opt(struct buf *out, const char *const *fields, size_t n,
                          const struct csv_options *opt);

/* Whether a spreadsheet could take field f as a formula: after any ' it
 * starts with =, +, -, @, a tab or CR, and is not a plain decimal number
 * ("-12.5", "+3", "1e-4" are numbers and stay as they are).  The quotes
 * are counted so that a field that already starts with ' round-trips. */
bool csv_is_formula(const char *f);

/* A field as it was before the writer guarded it: f without its first
 * character when f starts with ' and csv_is_formula(f), else f. */
const char *csv_unguard(const char *f);

#endif
