/* fixture.c: see fixture.h. */
#include "fixture.h"
#include "unit.h"
#include "../../src/core/keys.h"
#include "../../src/core/unlock.h"

struct store *unit_archive(struct at_ctx *ctx, const char *name, struct session *admin)
{
    /* The cheapest Argon2id cost: these keys guard nothing. */
    struct kdf cheap = { crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN };
    struct store *st = NULL;
    char dir[512];

    snprintf(dir, sizeof dir, "%s/%s", unit_tmpdir(), name);
    if (unlock_create(ctx, dir, "admin", UNIT_PASSPHRASE, &cheap, &st, admin) != AT_OK)
        return NULL;
    return st;
}
