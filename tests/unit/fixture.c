/* fixture.c: see fixture.h. */
#include "fixture.h"
#include "unit.h"
#include "../../src/core/evlog.h"
#include "../../src/core/keys.h"

struct store *unit_archive(struct at_ctx *ctx, const char *name, struct session *admin)
{
    /* The cheapest Argon2id cost: these keys guard nothing. */
    struct kdf cheap = { crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN };
    struct store *st = NULL;
    char dir[512];

    snprintf(dir, sizeof dir, "%s/%s", unit_tmpdir(), name);
    if (store_create(ctx, dir, &st) != AT_OK)
        return NULL;
    if (store_begin(ctx, st) != AT_OK
        || keys_init(ctx, st, "admin", UNIT_PASSPHRASE, &cheap, admin) != AT_OK) {
        store_close(st);
        return NULL;
    }
    store_set_session(st, admin);
    if (evlog_commit(ctx, st) != AT_OK) {
        store_close(st);
        return NULL;
    }
    return st;
}
