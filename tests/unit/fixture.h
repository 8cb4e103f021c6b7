/* fixture.h: a fresh archive with an admin logged in, for unit tests. */
#ifndef FIXTURE_H
#define FIXTURE_H

#include "../../src/core/access.h"
#include "../../src/core/store.h"

#define UNIT_PASSPHRASE "FICTIONAL test passphrase"

/* Creates an archive in the test's directory (subdirectory name) with an
 * admin "admin" whose keys are cheap to derive, and sets the session.
 * Returns NULL on failure (ctx says why).  Close with store_close. */
struct store *unit_archive(struct at_ctx *ctx, const char *name, struct session *admin);

#endif
