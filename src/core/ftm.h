/*
 * ftm.h: FollowTheMoney entity JSON, the format of OpenSanctions and its
 * tools: one entity per line, {"id", "schema", "properties": {PROP: [text,
 * ...]}}.
 *
 * Export writes either the archive's organisations, persons and vessels
 * with their ownership, directorship and succession relations, or the
 * entries of one list version.  Import creates organisation, person,
 * vessel and relation records from Company, Organization, LegalEntity,
 * Person, Vessel, Address, Ownership, Directorship and Succession
 * entities, in one transaction: all of them, or none when one is bad (the
 * message names the line and the property).  docs/commands/import-export.md
 * gives the mapping.
 */
#ifndef FTM_H
#define FTM_H

#include "attest.h"
#include "import.h"
#include "store.h"

#include <stdio.h>

struct ftm_counts {
    long entities;   /* entities written or read */
    long records;    /* organisation, person and vessel records */
    long relations;  /* relation records */
    long addresses;  /* Address entities */
    long skipped;    /* entities of other schemas, left out */
};

/* Writes the current organisation, person and vessel records the session
 * may read, then their ownership, directorship and succession relations
 * whose both ends were written.  Records keep their ids. */
int ftm_export_records(struct at_ctx *ctx, struct store *st, FILE *out, struct ftm_counts *c);

/* Writes every entry of a list version (an argument as lists_resolve
 * takes it), its addresses as Address entities and its "Linked To" names
 * that are entries of the same version as UnknownLink entities. */
int ftm_export_list(struct at_ctx *ctx, struct store *st, const char *version, FILE *out,
                    struct ftm_counts *c);

/* Reads FtM entities (JSON Lines) from in and creates records, all in one
 * transaction.  References (owner, asset, director, organization,
 * predecessor, successor, addressEntity) name entities of the file or
 * records already in the archive.  Needs a session. */
int ftm_import(struct at_ctx *ctx, struct store *st, FILE *in, const char *file,
               const struct import_options *opt, struct ftm_counts *c);

#endif
