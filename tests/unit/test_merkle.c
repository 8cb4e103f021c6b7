/*
 * test_merkle.c: the RFC 6962 Merkle tree.  Known answers for the eight
 * leaf inputs every Certificate Transparency implementation tests with
 * (tests/merkle_vectors.py computes the same values independently), every
 * proof of the small trees checked against a naive recursive generator and
 * against tampering, larger random trees, and the nodes an append
 * completes.
 */
#include "../../src/core/merkle.h"
#include "unit.h"

#include <stdlib.h>

#define HL MERKLE_HASH_LEN

static const char *const ct_inputs[8] = {
    "", "00", "10", "2021", "3031", "40414243",
    "5051525354555657", "606162636465666768696a6b6c6d6e6f",
};

/* Roots of the first n inputs, n = 0..8. */
static const char *const ct_roots[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* Proofs published with the CT reference tests: (m, n, hashes leaf end
 * first, newline-separated as merkle_proof_write prints them). */
struct known_proof {
    uint64_t m, n;
    const char *text;
};

static const struct known_proof ct_inclusion[] = {
    { 0, 1, "" },
    { 0, 2, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7\n" },
    { 1, 2, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d\n" },
    { 2, 3, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125\n" },
    { 1, 5, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d\n"
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e\n"
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b\n" },
    { 0, 8, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7\n"
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e\n"
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4\n" },
    { 5, 8, "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b\n"
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0\n"
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7\n" },
};

static const struct known_proof ct_consistency[] = {
    { 1, 1, "" },
    { 1, 8, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7\n"
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e\n"
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4\n" },
    { 2, 5, "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e\n"
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b\n" },
    { 6, 8, "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a\n"
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0\n"
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7\n" },
};

/* ---- a naive implementation, straight from the RFC's recursion ---- */

static uint64_t naive_split(uint64_t n)
{
    uint64_t k = 1;

    while (2 * k < n)
        k *= 2;
    return k;
}

static void naive_root(const uint8_t (*leaf)[HL], uint64_t n, uint8_t out[HL])
{
    uint8_t l[HL], r[HL];
    uint64_t k;

    if (n == 0) {
        merkle_empty_root(out);
        return;
    }
    if (n == 1) {
        memcpy(out, leaf[0], HL);
        return;
    }
    k = naive_split(n);
    naive_root(leaf, k, l);
    naive_root(leaf + k, n - k, r);
    merkle_node_hash(l, r, out);
}

static void naive_path(uint64_t m, const uint8_t (*leaf)[HL], uint64_t n,
                       struct merkle_proof *p)
{
    uint64_t k;

    if (n <= 1)
        return;
    k = naive_split(n);
    if (m < k) {
        naive_path(m, leaf, k, p);
        naive_root(leaf + k, n - k, p->hash[p->len++]);
    } else {
        naive_path(m - k, leaf + k, n - k, p);
        naive_root(leaf, k, p->hash[p->len++]);
    }
}

static void naive_subproof(uint64_t m, const uint8_t (*leaf)[HL], uint64_t n,
                           bool whole, struct merkle_proof *p)
{
    uint64_t k;

    if (m == n) {
        if (!whole)
            naive_root(leaf, n, p->hash[p->len++]);
        return;
    }
    k = naive_split(n);
    if (m <= k) {
        naive_subproof(m, leaf, k, whole, p);
        naive_root(leaf + k, n - k, p->hash[p->len++]);
    } else {
        naive_subproof(m - k, leaf + k, n - k, false, p);
        naive_root(leaf, k, p->hash[p->len++]);
    }
}

/* ---- helpers ---- */

static void hex_to_bytes(const char *hex, uint8_t *out, size_t *len)
{
    size_t n = strlen(hex) / 2;

    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    *len = n;
}

static bool same_proof(const struct merkle_proof *a, const struct merkle_proof *b)
{
    return a->len == b->len && memcmp(a->hash, b->hash, a->len * HL) == 0;
}

static bool hash_is(const uint8_t h[HL], const char *hex)
{
    char got[2 * HL + 1];

    merkle_hash_hex(h, got);
    return strcmp(got, hex) == 0;
}

/* Leaf hashes of the CT inputs, and an in-memory tree of them. */
static void ct_tree(uint8_t leaf[8][HL], struct merkle_mem *t)
{
    struct at_ctx ctx = { 0 };
    uint8_t data[16];
    size_t len;

    for (int i = 0; i < 8; i++) {
        hex_to_bytes(ct_inputs[i], data, &len);
        merkle_leaf_hash(data, len, leaf[i]);
        if (merkle_mem_append(t, leaf[i], &ctx) != AT_OK)
            unit_fail(__FILE__, __LINE__, ctx.message);
    }
}

/* A deterministic pseudo-random sequence (splitmix64). */
static uint64_t next_rand(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* A source that counts lookups, passing them on to another. */
struct counting {
    struct merkle_source inner;
    unsigned calls;
};

static int counting_get(void *arg, unsigned level, uint64_t index, uint8_t out[HL],
                        struct at_ctx *ctx)
{
    struct counting *c = arg;

    c->calls++;
    return c->inner.get(c->inner.arg, level, index, out, ctx);
}

static unsigned ceil_log2(uint64_t n)
{
    unsigned b = 0;

    while ((UINT64_C(1) << b) < n)
        b++;
    return b;
}

/* ---- known answers ---- */

UNIT_TEST(merkle_ct_roots)
{
    struct merkle_mem t = MERKLE_MEM_INIT;
    struct merkle_source src = merkle_mem_source(&t);
    struct at_ctx ctx = { 0 };
    uint8_t leaf[8][HL], root[HL];

    ct_tree(leaf, &t);
    CHECK(hash_is(leaf[0], ct_roots[1]));
    CHECK(hash_is(leaf[7], "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"));
    for (uint64_t n = 0; n <= 8; n++) {
        CHECK(merkle_root(&src, n, root, &ctx) == AT_OK);
        CHECK(hash_is(root, ct_roots[n]));
        naive_root((const uint8_t (*)[HL])leaf, n, root);
        CHECK(hash_is(root, ct_roots[n]));
    }
    merkle_mem_free(&t);
}

UNIT_TEST(merkle_ct_published_proofs)
{
    struct merkle_mem t = MERKLE_MEM_INIT;
    struct merkle_source src = merkle_mem_source(&t);
    struct at_ctx ctx = { 0 };
    struct merkle_proof got, want;
    struct buf b = BUF_INIT;
    uint8_t leaf[8][HL], root[HL], old_root[HL];

    ct_tree(leaf, &t);
    for (size_t i = 0; i < ARRAY_LEN(ct_inclusion); i++) {
        const struct known_proof *kp = &ct_inclusion[i];

        REQUIRE(merkle_proof_parse(kp->text, &want, &ctx) == AT_OK);
        CHECK(merkle_inclusion_proof(&src, kp->m, kp->n, &got, &ctx) == AT_OK);
        CHECK(same_proof(&got, &want));
        buf_reset(&b);
        merkle_proof_write(&got, &b);
        CHECK_STR(buf_str(&b), kp->text);
        REQUIRE(merkle_hash_parse(ct_roots[kp->n], root, &ctx) == AT_OK);
        CHECK(merkle_verify_inclusion(leaf[kp->m], kp->m, kp->n, &want, root, &ctx) == AT_OK);
    }
    for (size_t i = 0; i < ARRAY_LEN(ct_consistency); i++) {
        const struct known_proof *kp = &ct_consistency[i];

        REQUIRE(merkle_proof_parse(kp->text, &want, &ctx) == AT_OK);
        CHECK(merkle_consistency_proof(&src, kp->m, kp->n, &got, &ctx) == AT_OK);
        CHECK(same_proof(&got, &want));
        REQUIRE(merkle_hash_parse(ct_roots[kp->m], old_root, &ctx) == AT_OK);
        REQUIRE(merkle_hash_parse(ct_roots[kp->n], root, &ctx) == AT_OK);
        CHECK(merkle_verify_consistency(kp->m, old_root, kp->n, root, &want, &ctx) == AT_OK);
    }
    buf_free(&b);
    merkle_mem_free(&t);
}

/* ---- every proof of the small trees ---- */

UNIT_TEST(merkle_inclusion_small_trees)
{
    struct merkle_mem t = MERKLE_MEM_INIT;
    struct merkle_source src = merkle_mem_source(&t);
    struct at_ctx ctx = { 0 };
    struct merkle_proof p, naive, bad;
    uint8_t leaf[8][HL], root[9][HL], bad_root[HL];

    ct_tree(leaf, &t);
    for (uint64_t n = 0; n <= 8; n++)
        REQUIRE(merkle_root(&src, n, root[n], &ctx) == AT_OK);
    for (uint64_t n = 1; n <= 8; n++) {
        for (uint64_t m = 0; m < n; m++) {
            REQUIRE(merkle_inclusion_proof(&src, m, n, &p, &ctx) == AT_OK);
            naive.len = 0;
            naive_path(m, (const uint8_t (*)[HL])leaf, n, &naive);
            CHECK(same_proof(&p, &naive));
            CHECK(merkle_verify_inclusion(leaf[m], m, n, &p, root[n], &ctx) == AT_OK);

            /* Any changed bit of any hash breaks it. */
            for (size_t i = 0; i < p.len; i++) {
                bad = p;
                bad.hash[i][i % HL] ^= 0x01;
                CHECK(merkle_verify_inclusion(leaf[m], m, n, &bad, root[n], &ctx)
                      == AT_ECORRUPT);
            }
            memcpy(bad_root, root[n], HL);
            bad_root[31] ^= 0x80;
            CHECK(merkle_verify_inclusion(leaf[m], m, n, &p, bad_root, &ctx) == AT_ECORRUPT);
            /* Another leaf, index or tree size. */
            CHECK(merkle_verify_inclusion(leaf[(m + 1) % 8], m, n, &p, root[n], &ctx)
                  == AT_ECORRUPT);
            for (uint64_t other = 0; other < n; other++)
                if (other != m)
                    CHECK(merkle_verify_inclusion(leaf[m], other, n, &p, root[n], &ctx)
                          == AT_ECORRUPT);
            for (uint64_t other = m + 1; other <= 8; other++)
                if (other != n)
                    CHECK(merkle_verify_inclusion(leaf[m], m, other, &p, root[other], &ctx)
                          == AT_ECORRUPT);
            /* One hash too few, one too many. */
            if (p.len > 0) {
                bad = p;
                bad.len--;
                CHECK(merkle_verify_inclusion(leaf[m], m, n, &bad, root[n], &ctx)
                      == AT_ECORRUPT);
            }
            bad = p;
            memcpy(bad.hash[bad.len++], leaf[0], HL);
            CHECK(merkle_verify_inclusion(leaf[m], m, n, &bad, root[n], &ctx) == AT_ECORRUPT);
        }
        CHECK(merkle_inclusion_proof(&src, n, n, &p, &ctx) == AT_EINVAL);
        CHECK(merkle_verify_inclusion(leaf[0], n, n, &p, root[n], &ctx) == AT_EINVAL);
    }
    merkle_mem_free(&t);
}

UNIT_TEST(merkle_consistency_small_trees)
{
    struct merkle_mem t = MERKLE_MEM_INIT;
    struct merkle_source src = merkle_mem_source(&t);
    struct at_ctx ctx = { 0 };
    struct merkle_proof p, naive, bad;
    uint8_t leaf[8][HL], root[9][HL], bad_root[HL];

    ct_tree(leaf, &t);
    for (uint64_t n = 0; n <= 8; n++)
        REQUIRE(merkle_root(&src, n, root[n], &ctx) == AT_OK);
    for (uint64_t n = 0; n <= 8; n++) {
        for (uint64_t m = 0; m <= n; m++) {
            REQUIRE(merkle_consistency_proof(&src, m, n, &p, &ctx) == AT_OK);
            naive.len = 0;
            if (m > 0)
                naive_subproof(m, (const uint8_t (*)[HL])leaf, n, true, &naive);
            CHECK(same_proof(&p, &naive));
            CHECK(merkle_verify_consistency(m, root[m], n, root[n], &p, &ctx) == AT_OK);

            for (size_t i = 0; i < p.len; i++) {
                bad = p;
                bad.hash[i][(i * 7) % HL] ^= 0x40;
                CHECK(merkle_verify_consistency(m, root[m], n, root[n], &bad, &ctx)
                      == AT_ECORRUPT);
            }
            memcpy(bad_root, root[m], HL);
            bad_root[0] ^= 0x01;
            CHECK(merkle_verify_consistency(m, bad_root, n, root[n], &p, &ctx) == AT_ECORRUPT);
            /* Every tree extends the empty one, whatever its root. */
            memcpy(bad_root, root[n], HL);
            bad_root[0] ^= 0x01;
            CHECK(merkle_verify_consistency(m, root[m], n, bad_root, &p, &ctx)
                  == (m == 0 ? AT_OK : AT_ECORRUPT));
            /* The same proof does not join trees of other sizes (but the
             * empty proof rightly joins any tree to the empty one, and to
             * itself). */
            for (uint64_t m2 = 0; m2 <= n; m2++)
                if (m2 != m && !(p.len == 0 && (m2 == 0 || m2 == n)))
                    CHECK(merkle_verify_consistency(m2, root[m2], n, root[n], &p, &ctx)
                          == AT_ECORRUPT);
            for (uint64_t n2 = m; n2 <= 8; n2++)
                if (n2 != n && m != 0)
                    CHECK(merkle_verify_consistency(m, root[m], n2, root[n2], &p, &ctx)
                          == AT_ECORRUPT);
            if (p.len > 0) {
                bad = p;
                bad.len--;
                CHECK(merkle_verify_consistency(m, root[m], n, root[n], &bad, &ctx)
                      == AT_ECORRUPT);
            }
            bad = p;
            memcpy(bad.hash[bad.len++], leaf[0], HL);
            CHECK(merkle_verify_consistency(m, root[m], n, root[n], &bad, &ctx)
                  == AT_ECORRUPT);
        }
        if (n > 0) {
            CHECK(merkle_consistency_proof(&src, n, n - 1, &p, &ctx) == AT_EINVAL);
            CHECK(merkle_verify_consistency(n, root[n], n - 1, root[n - 1], &p, &ctx)
                  == AT_EINVAL);
        }
    }
    merkle_mem_free(&t);
}

/* ---- larger trees ---- */

UNIT_TEST(merkle_random_trees_match_naive)
{
    enum { MAX = 3000 };
    uint8_t (*leaf)[HL] = xmalloc(MAX * sizeof *leaf);
    struct merkle_mem t = MERKLE_MEM_INIT;
    struct counting counter = { merkle_mem_source(&t), 0 };
    struct merkle_source src = { counting_get, &counter };
    struct at_ctx ctx = { 0 };
    struct merkle_proof p, naive;
    uint8_t root[HL], want[HL], old_root[HL];
    uint64_t seed = 6962, word;

    for (uint64_t i = 0; i < MAX; i++) {
        word = next_rand(&seed);
        merkle_leaf_hash(&word, (size_t)(word % 9), leaf[i]);
        REQUIRE(merkle_mem_append(&t, leaf[i], &ctx) == AT_OK);
    }
    for (int trial = 0; trial < 400; trial++) {
        uint64_t n = trial < 150 ? (uint64_t)trial + 1 : 1 + next_rand(&seed) % MAX;
        uint64_t m = next_rand(&seed) % n, old = 1 + next_rand(&seed) % n;
        unsigned bound = 2 * ceil_log2(n) + 2;

        naive_root((const uint8_t (*)[HL])leaf, n, want);
        counter.calls = 0;
        REQUIRE(merkle_root(&src, n, root, &ctx) == AT_OK);
        CHECK(memcmp(root, want, HL) == 0);
        CHECK(counter.calls <= ceil_log2(n) + 1);

        counter.calls = 0;
        REQUIRE(merkle_inclusion_proof(&src, m, n, &p, &ctx) == AT_OK);
        CHECK(counter.calls <= bound);
        naive.len = 0;
        naive_path(m, (const uint8_t (*)[HL])leaf, n, &naive);
        CHECK(same_proof(&p, &naive));
        CHECK(merkle_verify_inclusion(leaf[m], m, n, &p, root, &ctx) == AT_OK);

        counter.calls = 0;
        REQUIRE(merkle_consistency_proof(&src, old, n, &p, &ctx) == AT_OK);
        CHECK(counter.calls <= bound);
        naive.len = 0;
        naive_subproof(old, (const uint8_t (*)[HL])leaf, n, true, &naive);
        CHECK(same_proof(&p, &naive));
        naive_root((const uint8_t (*)[HL])leaf, old, old_root);
        CHECK(merkle_verify_consistency(old, old_root, n, root, &p, &ctx) == AT_OK);
        if (p.len > 0) {
            p.hash[p.len - 1][5] ^= 0x10;
            CHECK(merkle_verify_consistency(old, old_root, n, root, &p, &ctx) == AT_ECORRUPT);
        }
    }
    merkle_mem_free(&t);
    free(leaf);
}

/* The prover's proofs are the one-by-one generator's, byte for byte, for
 * every leaf of every tree up to 300 leaves and of larger odd sizes, and
 * each asks the source only for the siblings inside the leaf's peak. */
UNIT_TEST(merkle_prover_matches_inclusion_proofs)
{
    enum { MAX = 2100 };
    static const uint64_t big[] = { 511, 512, 513, 1023, 1365, 2047, 2048, 2049, 2100 };
    struct merkle_mem t = MERKLE_MEM_INIT;
    struct counting counter = { merkle_mem_source(&t), 0 };
    struct merkle_source src = { counting_get, &counter }, plain = merkle_mem_source(&t);
    struct merkle_prover mp;
    struct at_ctx ctx = { 0 };
    struct merkle_proof p, want;
    uint8_t leaf[HL], root[HL];
    uint64_t seed = 2026, word;

    for (uint64_t i = 0; i < MAX; i++) {
        word = next_rand(&seed);
        merkle_leaf_hash(&word, sizeof word, leaf);
        REQUIRE(merkle_mem_append(&t, leaf, &ctx) == AT_OK);
    }
    for (uint64_t k = 0; k < 300 + sizeof big / sizeof *big; k++) {
        uint64_t n = k < 300 ? k + 1 : big[k - 300];
        bool same = true, verifies = true, few = true;
        REQUIRE(merkle_prover_init(&mp, &src, n, &ctx) == AT_OK);
        REQUIRE(merkle_root(&plain, n, root, &ctx) == AT_OK);
        for (uint64_t m = 0; m < n; m++) {
            counter.calls = 0;
            REQUIRE(merkle_prover_proof(&mp, m, &p, &ctx) == AT_OK);
            few &= counter.calls <= ceil_log2(n);
            REQUIRE(merkle_inclusion_proof(&plain, m, n, &want, &ctx) == AT_OK);
            same &= same_proof(&p, &want);
            memcpy(leaf, t.level[0][m], HL);
            verifies &= merkle_verify_inclusion(leaf, m, n, &p, root, &ctx) == AT_OK;
        }
        CHECK(same);
        CHECK(verifies);
        CHECK(few);
        CHECK(merkle_prover_proof(&mp, n, &p, &ctx) == AT_EINVAL);
    }
    CHECK(merkle_prover_init(&mp, &src, 0, &ctx) == AT_OK);
    CHECK(merkle_prover_proof(&mp, 0, &p, &ctx) == AT_EINVAL);
    merkle_mem_free(&t);
}

/* Proofs checked one after another with the last walk kept answer as
 * each checked alone: every leaf in order verifies, and a proof changed in
 * any hash, or for another leaf, fails even right after its neighbour's
 * walk verified (the part it shares with that walk is compared, not
 * trusted); a failure leaves nothing verified for the next. */
UNIT_TEST(merkle_verify_after_the_last_walk)
{
    enum { MAX = 300 };
    static const uint64_t sizes[] = { 1, 2, 3, 7, 8, 9, 64, 255, 256, 300 };
    struct merkle_mem t = MERKLE_MEM_INIT;
    struct merkle_source src = merkle_mem_source(&t);
    struct merkle_verified last = { 0 };
    struct at_ctx ctx = { 0 };
    struct merkle_proof p, prev, bad;
    uint8_t leaf[HL], root[HL], other_root[HL];
    uint64_t seed = 16, word;

    for (uint64_t i = 0; i < MAX; i++) {
        word = next_rand(&seed);
        merkle_leaf_hash(&word, sizeof word, leaf);
        REQUIRE(merkle_mem_append(&t, leaf, &ctx) == AT_OK);
    }
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        uint64_t n = sizes[k];
        bool in_order = true, tampered_fail = true, wrong_leaf_fails = true;
        REQUIRE(merkle_root(&src, n, root, &ctx) == AT_OK);
        for (uint64_t m = 0; m < n; m++) {
            REQUIRE(merkle_inclusion_proof(&src, m, n, &p, &ctx) == AT_OK);
            in_order &= merkle_verify_inclusion_after(t.level[0][m], m, n, &p, root, &last,
                                                      &ctx) == AT_OK;
            if (m == 0)
                continue;
            REQUIRE(merkle_inclusion_proof(&src, m - 1, n, &prev, &ctx) == AT_OK);
            for (size_t i = 0; i < p.len; i++) {
                REQUIRE(merkle_verify_inclusion_after(t.level[0][m - 1], m - 1, n, &prev, root,
                                                      &last, &ctx) == AT_OK);
                bad = p;
                bad.hash[i][0] ^= 0x01;
                tampered_fail &= merkle_verify_inclusion_after(t.level[0][m], m, n, &bad, root,
                                                               &last, &ctx) == AT_ECORRUPT;
            }
            REQUIRE(merkle_verify_inclusion_after(t.level[0][m - 1], m - 1, n, &prev, root,
                                                  &last, &ctx) == AT_OK);
            wrong_leaf_fails &= merkle_verify_inclusion_after(t.level[0][m - 1], m, n, &p, root,
                                                              &last, &ctx) == AT_ECORRUPT;
            in_order &= merkle_verify_inclusion_after(t.level[0][m], m, n, &p, root, &last,
                                                      &ctx) == AT_OK;
        }
        CHECK(in_order);
        CHECK(tampered_fail);
        CHECK(wrong_leaf_fails);
        /* Under another root the last walk counts for nothing. */
        memcpy(other_root, root, HL);
        other_root[0] ^= 0x01;
        REQUIRE(merkle_inclusion_proof(&src, n - 1, n, &p, &ctx) == AT_OK);
        CHECK(merkle_verify_inclusion_after(t.level[0][n - 1], n - 1, n, &p, other_root, &last,
                                            &ctx) == AT_ECORRUPT);
    }
    merkle_mem_free(&t);
}

UNIT_TEST(merkle_append_completes_exactly_the_perfect_nodes)
{
    enum { MAX = 1100 };
    uint8_t (*leaf)[HL] = xmalloc(MAX * sizeof *leaf);
    struct merkle_mem t = MERKLE_MEM_INIT;
    struct counting counter = { merkle_mem_source(&t), 0 };
    struct merkle_source src = { counting_get, &counter };
    struct merkle_node done[MERKLE_MAX_LEVELS];
    struct at_ctx ctx = { 0 };
    uint8_t want[HL];
    size_t n;

    for (uint64_t i = 0; i < MAX; i++) {
        merkle_leaf_hash(&i, sizeof i, leaf[i]);
        counter.calls = 0;
        REQUIRE(merkle_append_nodes(&src, i, leaf[i], done, &n, &ctx) == AT_OK);
        /* One node per trailing 1 bit of i, one lookup each. */
        CHECK(n == (size_t)__builtin_ctzll(~i));
        CHECK(counter.calls == n);
        for (size_t j = 0; j < n; j++) {
            uint64_t width = UINT64_C(1) << done[j].level;

            CHECK(done[j].level == j + 1);
            CHECK(done[j].index == i >> (j + 1));
            CHECK((done[j].index + 1) * width == i + 1);
            naive_root((const uint8_t (*)[HL])leaf + done[j].index * width, width, want);
            CHECK(memcmp(done[j].hash, want, HL) == 0);
        }
        if (i == 3)
            CHECK(n == 2 && done[0].level == 1 && done[0].index == 1
                  && done[1].level == 2 && done[1].index == 0);
        REQUIRE(merkle_mem_append(&t, leaf[i], &ctx) == AT_OK);
    }
    /* After MAX appends the store holds every perfect node and no other. */
    CHECK(t.size == MAX);
    for (unsigned level = 0; level < MERKLE_MAX_LEVELS; level++) {
        uint64_t width = UINT64_C(1) << level;

        CHECK(t.count[level] == (uint64_t)MAX >> level);
        for (uint64_t idx = 0; idx < t.count[level]; idx++) {
            naive_root((const uint8_t (*)[HL])leaf + idx * width, width, want);
            CHECK(memcmp(t.level[level][idx], want, HL) == 0);
        }
    }
    merkle_mem_free(&t);
    free(leaf);
}

UNIT_TEST(merkle_source_errors_propagate)
{
    struct merkle_mem t = MERKLE_MEM_INIT;
    struct merkle_source src = merkle_mem_source(&t);
    struct at_ctx ctx = { 0 };
    struct merkle_proof p;
    uint8_t leaf[8][HL], root[HL];

    ct_tree(leaf, &t);
    /* The store holds 8 leaves; a tree of 9 needs a node it lacks. */
    CHECK(merkle_root(&src, 9, root, &ctx) == AT_ENOTFOUND);
    CHECK(strstr(ctx.message, "level 0, index 8") != NULL);
    CHECK(merkle_inclusion_proof(&src, 0, 9, &p, &ctx) == AT_ENOTFOUND);
    CHECK(p.len == 0);
    CHECK(merkle_consistency_proof(&src, 3, 12, &p, &ctx) == AT_ENOTFOUND);
    CHECK(p.len == 0);
    merkle_mem_free(&t);
}

UNIT_TEST(merkle_proof_text)
{
    struct at_ctx ctx = { 0 };
    struct merkle_proof p;
    uint8_t h[HL];
    struct buf b = BUF_INIT;
    char hex[2 * HL + 1];

    CHECK(merkle_hash_parse(ct_roots[8], h, &ctx) == AT_OK);
    merkle_hash_hex(h, hex);
    CHECK_STR(hex, ct_roots[8]);
    CHECK(merkle_hash_parse("5DC9DA79A70659A9AD559CB701DED9A2AB9D823AAD2F4960CFE370EFF4604328",
                            h, &ctx) == AT_OK);
    CHECK(hash_is(h, ct_roots[8]));
    CHECK(merkle_hash_parse("5dc9", h, &ctx) == AT_EINVAL);

    buf_printf(&b, "%s\r\n\n%s", ct_roots[1], ct_roots[2]);
    CHECK(merkle_proof_parse(buf_str(&b), &p, &ctx) == AT_OK);
    CHECK(p.len == 2 && hash_is(p.hash[0], ct_roots[1]) && hash_is(p.hash[1], ct_roots[2]));
    CHECK(merkle_proof_parse("", &p, &ctx) == AT_OK && p.len == 0);

    buf_reset(&b);
    buf_printf(&b, "%s\n%.63sg\n", ct_roots[1], ct_roots[2]);
    CHECK(merkle_proof_parse(buf_str(&b), &p, &ctx) == AT_EINVAL);
    CHECK_STR(ctx.message, "line 2: a hash must be 64 hex digits");
    CHECK(p.len == 0);

    buf_reset(&b);
    for (int i = 0; i <= MERKLE_MAX_PROOF; i++)
        buf_printf(&b, "%s\n", ct_roots[3]);
    CHECK(merkle_proof_parse(buf_str(&b), &p, &ctx) == AT_EINVAL);
    p.len = MERKLE_MAX_PROOF + 1;
    CHECK(merkle_verify_inclusion(h, 0, 8, &p, h, &ctx) == AT_EINVAL);
    CHECK(merkle_verify_consistency(3, h, 8, h, &p, &ctx) == AT_EINVAL);
    buf_free(&b);
}
