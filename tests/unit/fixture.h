/* fixture.h: a fresh archive with an admin logged in, for unit tests. */
#ifndef FIXTURE_H
#define FIXTURE_H

#include "../../src/core/access.h"
#include "../../src/core/record.h"
#include "../../src/core/store.h"

#define UNIT_PASSPHRASE "FICTIONAL test passphrase"

/* Creates an archive in the test's directory (subdirectory name) with an
 * admin "admin" whose keys are cheap to derive, and sets the session.
 * Returns NULL on failure (ctx says why).  Close with store_close. */
struct store *unit_archive(struct at_ctx *ctx, const char *name, struct session *admin);

/* Two archives (subdirectories name_a and name_b), each with its admin,
 * that have pinned each other as peers "b" and "a" of the team tier.
 * AT_OK, or an error with ctx set; close with unit_peers_close either way. */
struct unit_peers {
    struct store *a, *b;
    struct session sa, sb;
};
int unit_peers_open(struct at_ctx *ctx, struct unit_peers *p, const char *name_a,
                    const char *name_b);
void unit_peers_close(struct unit_peers *p);

/* Adds a record of type with the fields in json (text) at clearance (-1:
 * the type's default) as the store's session, in a transaction of its own
 * committed to the log; writes its id into id (which may be NULL). */
int unit_add(struct at_ctx *ctx, struct store *st, const char *type, const char *json,
             int clearance, char *id);

/* The first column of the first row of sql, or -1. */
int64_t unit_sql_int(struct store *st, const char *sql);

/* The files in the vault of archive (a subdirectory of the test's
 * directory) whose names start with prefix, or, prefix NULL, that do not
 * start with a dot (staging files do); -1 when it cannot be read. */
int unit_vault_files(const char *archive, const char *prefix);

/* Imports the slices of the UN list (2026-02-27) and of OFAC's SDN files
 * in tests/data/sanctions as list versions. */
int unit_lists(struct at_ctx *ctx, struct store *st);

#endif
