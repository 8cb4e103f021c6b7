/*
 * import.h: bringing many records into the archive at once, from JSON
 * Lines, a JSON array or CSV.  An import is one transaction: all or
 * nothing, so a crash at any instant leaves the archive as it was before
 * or with the import complete.  With skip_bad, each bad record is
 * reported through on_bad and left out, and the good ones are kept.
 */
#ifndef IMPORT_H
#define IMPORT_H

#include "attest.h"
#include "record.h"

#include <stdio.h>

struct import_options {
    const char *source;      /* provenance for new records, or NULL */
    int clearance;           /* for new records, or -1 for each type's default */
    bool skip_bad;
    /* Called for each bad record when skip_bad: where is "FILE:LINE". */
    void (*on_bad)(void *arg, const char *where, const char *message);
    /* Called now and then with the records done so far (progress bars). */
    void (*on_progress)(void *arg, long done);
    void *arg;
    /* The bulk path (record_bulk_*): after this many new records written
     * one by one, the rest are written in bulk; 0: never.  Only for
     * readers that write nothing but records (JSON Lines, CSV). */
    long bulk_after;
    /* Parse and validate everything, then roll back: nothing is stored
     * (the counts say what an import would do). */
    bool check_only;
    /* Called with each new record's id, when not NULL (with arg). */
    void (*on_added)(void *arg, const char *id);
};

/* The bulk path's threshold for `attest import jsonl|csv`: below it, an
 * import into a large archive would spend more making the indexes again
 * than it saves. */
#define IMPORT_BULK_AFTER 10000

struct import_counts {
    long added;      /* new records */
    long versions;   /* versions of existing records, from an export */
    long already;    /* versions already present, unchanged */
    long bad;        /* left out (skip_bad) */
};

struct import {
    struct at_ctx *ctx;
    struct store *st;
    const struct import_options *opt;
    struct import_counts counts;
    const char *file;  /* for messages */
    int cache_size;    /* the page cache's setting before the import */
    struct record_bulk *bulk;  /* while on the bulk path */
    bool bulk_done;            /* left the bulk path; not taken again */
};

/* Starts an import: opens the transaction. */
int import_begin(struct import *im, struct at_ctx *ctx, struct store *st,
                 const struct import_options *opt, const char *file);

/* Imports one item read at line (0 when unknown), item (0 when not in an
 * array).  obj is either a version document of an export (it has
 * "version"), or a new record {"type", "data", and optionally "id",
 * "clearance", "source", "reason"}.  When type is given, obj is the data
 * of a new record of that type.  Returns AT_OK when the item was stored
 * or skipped as bad; an error otherwise, with the message naming FILE,
 * line and field. */
int import_item(struct import *im, json_t *obj, const struct type_spec *type,
                long line, long item);

/* Reports a bad item (or fails the import): for readers that reject an
 * item before it becomes JSON. */
int import_bad(struct import *im, long line, const struct at_ctx *why);

/* Commits (ok, unless opt->check_only) or rolls back. */
int import_end(struct import *im, bool ok);

/* Reads JSON Lines from in, each line one item as import_item takes it. */
int import_jsonl(struct at_ctx *ctx, struct store *st, FILE *in, const char *file,
                 const struct import_options *opt, struct import_counts *counts);

/* Reads one JSON value from in: an object or an array of objects, each the
 * data of a new record of type t (`attest add TYPE --json`).  Writes the new
 * ids, one per line, to ids. */
int import_json_records(struct at_ctx *ctx, struct store *st, FILE *in, const char *file,
                        const struct type_spec *t, const struct import_options *opt,
                        struct import_counts *counts, struct buf *ids);

/* Writes every version the store's session may read (see record_read), in
 * log order, one canonical JSON document per line: for a user cleared to
 * confidential, the archive's lossless export. */
int import_export_jsonl(struct at_ctx *ctx, struct store *st, FILE *out);

#endif
