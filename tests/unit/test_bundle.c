/*
 * test_bundle.c: evidence bundles: records written at a tier with their
 * proofs and checked with no archive; the head's key pinned; a bundle
 * changed after writing refused; and a user who may not export bundles
 * refused with nothing written.
 */
#include "../../src/core/attest.h"
#include "../../src/core/bundle.h"
#include "../../src/core/keys.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

#include <unistd.h>

static struct store *two_events(struct at_ctx *ctx, struct session *admin, char a[RECORD_ID_MAX],
                                char b[RECORD_ID_MAX])
{
    struct store *st = unit_archive(ctx, "a", admin);

    if (st == NULL
        || unit_add(ctx, st, "event", "{\"title\": \"FICTIONAL one\"}", CLEARANCE_PUBLIC, a) != AT_OK
        || unit_add(ctx, st, "event", "{\"title\": \"FICTIONAL two\"}", CLEARANCE_RESTRICTED, b) != AT_OK)
        return NULL;
    return st;
}

UNIT_TEST(bundle_write_and_verify)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    char a[RECORD_ID_MAX], b[RECORD_ID_MAX], path[512], hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
    struct store *st = two_events(&ctx, &admin, a, b);
    const char *ids[2] = { a, b };
    struct bundle_counts wc = { 0 }, vc = { 0 };
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];

    REQUIRE(st != NULL);
    snprintf(path, sizeof path, "%s/court.zip", unit_tmpdir());
    REQUIRE(bundle_write(&ctx, st, ids, 2, TIER_COURT, path, &wc) == AT_OK);
    CHECK(wc.records == 2 && wc.left_out == 0);
    REQUIRE(keys_sign_pk(&ctx, st, pk) == AT_OK);
    sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
    REQUIRE(bundle_verify(&ctx, path, hex, &vc) == AT_OK);
    CHECK(vc.records == 2);
    /* At the public tier the restricted one stays in. */
    memset(&wc, 0, sizeof wc);
    snprintf(path, sizeof path, "%s/public.zip", unit_tmpdir());
    REQUIRE(bundle_write(&ctx, st, ids, 2, TIER_PUBLIC, path, &wc) == AT_OK);
    CHECK(wc.records == 1 && wc.left_out == 1);
    store_close(st);
}

UNIT_TEST(bundle_verify_refuses)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    char a[RECORD_ID_MAX], b[RECORD_ID_MAX], path[512], other[65];
    struct store *st = two_events(&ctx, &admin, a, b);
    const char *ids[1] = { a };
    struct bundle_counts c = { 0 };
    FILE *f;
    long size;

    REQUIRE(st != NULL);
    snprintf(path, sizeof path, "%s/b.zip", unit_tmpdir());
    REQUIRE(bundle_write(&ctx, st, ids, 1, TIER_COURT, path, &c) == AT_OK);
    memset(other, 'a', 64);
    other[64] = '\0';
    CHECK(bundle_verify(&ctx, path, other, &c) == AT_ECORRUPT);
    /* One byte changed in the middle of the file. */
    REQUIRE((f = fopen(path, "r+b")) != NULL);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, size / 2, SEEK_SET);
    int ch = fgetc(f);
    fseek(f, size / 2, SEEK_SET);
    fputc(ch ^ 0x55, f);
    fclose(f);
    CHECK(bundle_verify(&ctx, path, NULL, &c) != AT_OK);
    store_close(st);
}

UNIT_TEST(bundle_needs_the_right)
{
    struct at_ctx ctx = { 0 };
    struct session admin, partner;
    char a[RECORD_ID_MAX], b[RECORD_ID_MAX], path[512];
    struct store *st = two_events(&ctx, &admin, a, b);
    const char *ids[1] = { a };
    struct bundle_counts c = { 0 };

    REQUIRE(st != NULL);
    partner = admin;
    partner.role = ROLE_PARTNER;
    partner.clearance = CLEARANCE_PARTNER;
    store_set_session(st, &partner);
    snprintf(path, sizeof path, "%s/b.zip", unit_tmpdir());
    CHECK(bundle_write(&ctx, st, ids, 1, TIER_PARTNER, path, &c) == AT_EDENIED);
    CHECK(access(path, F_OK) != 0);
    store_set_session(st, &admin);
    store_close(st);
}
