/*
 * merkle.c: RFC 6962 tree hashing, proofs built from perfect subtree
 * hashes, the RFC 9162 verifiers, the text form of proofs, and an
 * in-memory node store.
 *
 * A subtree of the RFC tree that covers leaves [start, start + len) always
 * has start aligned to the largest power of two in len, so it is a row of
 * perfect subtrees, one per set bit of len, largest first; its hash folds
 * them from the right.  The generators walk the RFC recursion from the
 * root down, collecting sibling hashes, and reverse them at the end.  The
 * verifiers share nothing with the generators but the node hash.
 */
#include "merkle.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* SHA-256 of prefix byte || a || b.  libcrypto fails here only when it
 * cannot allocate, which core treats as fatal (see xmalloc). */
static EVP_MD *sha256_md;
/* Each thread's digest context, made once and reset for every hash: a new
 * context per hash cost as much as hashing an inner node. */
static pthread_key_t sha256_ctx_key;

/* Fetched once: the implicit fetch of EVP_sha256() in every init takes
 * a lock and a look-up, which cost more than hashing a small record. */
static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (pthread_key_create(&sha256_ctx_key, (void (*)(void *))EVP_MD_CTX_free) != 0)
        abort();
}

static void sha256_prefixed(uint8_t prefix, const void *a, size_t alen,
                            const void *b, size_t blen, uint8_t out[MERKLE_HASH_LEN])
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    unsigned int outlen = 0;
    EVP_MD_CTX *md;

    pthread_once(&once, sha256_fetch);
    if ((md = pthread_getspecific(sha256_ctx_key)) == NULL
        && ((md = EVP_MD_CTX_new()) == NULL || pthread_setspecific(sha256_ctx_key, md) != 0))
        abort();
    if (sha256_md == NULL
        || EVP_DigestInit_ex2(md, sha256_md, NULL) != 1
        || EVP_DigestUpdate(md, &prefix, 1) != 1
        || (alen > 0 && EVP_DigestUpdate(md, a, alen) != 1)
        || (blen > 0 && EVP_DigestUpdate(md, b, blen) != 1)
        || EVP_DigestFinal_ex(md, out, &outlen) != 1
        || outlen != MERKLE_HASH_LEN)
        abort();
}

void merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH_LEN])
{
    sha256_prefixed(0x00, data, len, NULL, 0, out);
}

void merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN],
                      const uint8_t right[MERKLE_HASH_LEN],
                      uint8_t out[MERKLE_HASH_LEN])
{
    /* Through the fetched digest, as leaves are: SHA256() fetches it again
     * on every call (see sha256_fetch). */
    sha256_prefixed(0x01, left, MERKLE_HASH_LEN, right, MERKLE_HASH_LEN, out);
}

void merkle_empty_root(uint8_t out[MERKLE_HASH_LEN])
{
    SHA256((const unsigned char *)"", 0, out);
}

/* The largest power of two strictly below n; n >= 2. */
static uint64_t split_point(uint64_t n)
{
    return UINT64_C(1) << (63 - __builtin_clzll(n - 1));
}

/* The hash of the RFC subtree over leaves [start, start + len), len >= 1,
 * from one perfect node per set bit of len, folded from the right.  start
 * is a multiple of the largest power of two in len, as it is for every
 * subtree of an RFC tree, so each of those nodes is aligned. */
static int range_hash(const struct merkle_source *src, uint64_t start, uint64_t len,
                      uint8_t out[MERKLE_HASH_LEN], struct at_ctx *ctx)
{
    uint64_t end = start + len;
    uint8_t node[MERKLE_HASH_LEN];
    bool first = true;
    int rc;

    for (unsigned level = 0; len != 0; level++, len >>= 1) {
        if ((len & 1) == 0)
            continue;
        end -= UINT64_C(1) << level;
        rc = src->get(src->arg, level, end >> level, first ? out : node, ctx);
        if (rc != AT_OK)
            return rc;
        if (!first)
            merkle_node_hash(node, out, out);
        first = false;
    }
    return AT_OK;
}

int merkle_root(const struct merkle_source *src, uint64_t size,
                uint8_t root[MERKLE_HASH_LEN], struct at_ctx *ctx)
{
    if (size == 0) {
        merkle_empty_root(root);
        return AT_OK;
    }
    return range_hash(src, 0, size, root, ctx);
}

/* Reverses the order of the proof's hashes in place. */
static void reverse_proof(struct merkle_proof *proof)
{
    uint8_t tmp[MERKLE_HASH_LEN];

    for (size_t i = 0, j = proof->len; i + 1 < j; i++, j--) {
        memcpy(tmp, proof->hash[i], MERKLE_HASH_LEN);
        memcpy(proof->hash[i], proof->hash[j - 1], MERKLE_HASH_LEN);
        memcpy(proof->hash[j - 1], tmp, MERKLE_HASH_LEN);
    }
}

int merkle_inclusion_proof(const struct merkle_source *src, uint64_t index,
                           uint64_t size, struct merkle_proof *proof,
                           struct at_ctx *ctx)
{
    uint64_t start = 0, k;
    int rc;

    proof->len = 0;
    if (index >= size)
        return ctx_error(ctx, AT_EINVAL,
                         "leaf %llu is not in a tree of %llu leaves",
                         (unsigned long long)index, (unsigned long long)size);
    /* Invariant: the leaf is index within the subtree [start, start + size). */
    while (size > 1) {
        k = split_point(size);
        if (index < k) {
            rc = range_hash(src, start + k, size - k, proof->hash[proof->len], ctx);
            size = k;
        } else {
            rc = range_hash(src, start, k, proof->hash[proof->len], ctx);
            start += k;
            index -= k;
            size -= k;
        }
        if (rc != AT_OK) {
            proof->len = 0;
            return rc;
        }
        proof->len++;
    }
    reverse_proof(proof);
    return AT_OK;
}

int merkle_prover_init(struct merkle_prover *p, const struct merkle_source *src, uint64_t size,
                       struct at_ctx *ctx)
{
    uint64_t start = 0;
    int rc;

    p->src = src;
    p->size = size;
    p->npeaks = 0;
    /* The peaks left to right: largest first. */
    for (unsigned level = MERKLE_MAX_LEVELS; level-- > 0;) {
        if ((size >> level & 1) == 0)
            continue;
        p->level[p->npeaks] = level;
        p->start[p->npeaks] = start;
        if ((rc = src->get(src->arg, level, start >> level, p->peak[p->npeaks], ctx)) != AT_OK)
            return rc;
        start += UINT64_C(1) << level;
        p->npeaks++;
    }
    /* Folded from the right, as range_hash folds them. */
    for (unsigned j = p->npeaks; j-- > 1;) {
        if (j == p->npeaks - 1)
            memcpy(p->right[j - 1], p->peak[j], MERKLE_HASH_LEN);
        else
            merkle_node_hash(p->peak[j], p->right[j], p->right[j - 1]);
    }
    return AT_OK;
}

int merkle_prover_proof(const struct merkle_prover *p, uint64_t index,
                        struct merkle_proof *proof, struct at_ctx *ctx)
{
    unsigned j = 0;
    int rc;

    proof->len = 0;
    if (index >= p->size)
        return ctx_error(ctx, AT_EINVAL,
                         "leaf %llu is not in a tree of %llu leaves",
                         (unsigned long long)index, (unsigned long long)p->size);
    while (index >= p->start[j] + (UINT64_C(1) << p->level[j]))
        j++;
    for (unsigned level = 0; level < p->level[j]; level++) {
        rc = p->src->get(p->src->arg, level, (index >> level) ^ 1, proof->hash[proof->len], ctx);
        if (rc != AT_OK) {
            proof->len = 0;
            return rc;
        }
        proof->len++;
    }
    if (j + 1 < p->npeaks)
        memcpy(proof->hash[proof->len++], p->right[j], MERKLE_HASH_LEN);
    while (j-- > 0)
        memcpy(proof->hash[proof->len++], p->peak[j], MERKLE_HASH_LEN);
    return AT_OK;
}

int merkle_consistency_proof(const struct merkle_source *src,
                             uint64_t old_size, uint64_t new_size,
                             struct merkle_proof *proof, struct at_ctx *ctx)
{
    uint64_t start = 0, m = old_size, n = new_size, k;
    bool whole_old_root = true;
    int rc;

    proof->len = 0;
    if (old_size > new_size)
        return ctx_error(ctx, AT_EINVAL,
                         "a tree of %llu leaves cannot follow one of %llu",
                         (unsigned long long)new_size, (unsigned long long)old_size);
    if (old_size == 0)
        return AT_OK;
    /* Invariant: the old tree ends m leaves into the subtree [start, start + n).
     * While that subtree starts at leaf 0 (whole_old_root), reaching m == n
     * means it is the old tree itself, whose root the verifier has. */
    while (m < n) {
        k = split_point(n);
        if (m <= k) {
            rc = range_hash(src, start + k, n - k, proof->hash[proof->len], ctx);
            n = k;
        } else {
            rc = range_hash(src, start, k, proof->hash[proof->len], ctx);
            start += k;
            m -= k;
            n -= k;
            whole_old_root = false;
        }
        if (rc != AT_OK) {
            proof->len = 0;
            return rc;
        }
        proof->len++;
    }
    reverse_proof(proof);
    if (!whole_old_root) {
        /* The subtree where the walk stopped goes first. */
        memmove(proof->hash[1], proof->hash[0], proof->len * MERKLE_HASH_LEN);
        proof->len++;
        rc = range_hash(src, start, n, proof->hash[0], ctx);
        if (rc != AT_OK) {
            proof->len = 0;
            return rc;
        }
    }
    return AT_OK;
}

/* Shifts *fn and *sn right together until fn is odd or zero. */
static void shift_while_even(uint64_t *fn, uint64_t *sn)
{
    while (*fn != 0 && (*fn & 1) == 0) {
        *fn >>= 1;
        *sn >>= 1;
    }
}

static int proof_too_long(const struct merkle_proof *proof, struct at_ctx *ctx)
{
    return ctx_error(ctx, AT_EINVAL, "a proof of %zu hashes is longer than any tree needs",
                     proof->len);
}

int merkle_verify_inclusion(const uint8_t leaf_hash[MERKLE_HASH_LEN],
                            uint64_t index, uint64_t size,
                            const struct merkle_proof *proof,
                            const uint8_t root[MERKLE_HASH_LEN],
                            struct at_ctx *ctx)
{
    return merkle_verify_inclusion_after(leaf_hash, index, size, proof, root, NULL, ctx);
}

/* Whether a walk in state (fn, sn, r) at step i of proof meets the last
 * one verified, of len hashes: the same state at the same step and the
 * same hashes from there on lead to the same root. */
static bool walked_before(const struct merkle_verified *last, size_t len,
                          const struct merkle_proof *proof, size_t i, uint64_t fn, uint64_t sn,
                          const uint8_t r[MERKLE_HASH_LEN])
{
    return len == proof->len && last->step[i].fn == fn && last->step[i].sn == sn
           && memcmp(last->step[i].node, r, MERKLE_HASH_LEN) == 0
           && memcmp(last->hash[i], proof->hash[i], (len - i) * MERKLE_HASH_LEN) == 0;
}

int merkle_verify_inclusion_after(const uint8_t leaf_hash[MERKLE_HASH_LEN],
                                  uint64_t index, uint64_t size,
                                  const struct merkle_proof *proof,
                                  const uint8_t root[MERKLE_HASH_LEN],
                                  struct merkle_verified *last, struct at_ctx *ctx)
{
    uint8_t r[MERKLE_HASH_LEN];
    uint64_t fn = index, sn;
    size_t last_len = 0;

    if (index >= size)
        return ctx_error(ctx, AT_EINVAL,
                         "leaf %llu is not in a tree of %llu leaves",
                         (unsigned long long)index, (unsigned long long)size);
    if (proof->len > MERKLE_MAX_PROOF)
        return proof_too_long(proof, ctx);
    if (last) {
        /* The last walk counts only under the same root and size; while
         * this one overwrites its steps, last holds nothing verified. */
        if (last->size == size && memcmp(last->root, root, MERKLE_HASH_LEN) == 0)
            last_len = last->len;
        last->len = MERKLE_UNVERIFIED;
    }
    sn = size - 1;
    memcpy(r, leaf_hash, MERKLE_HASH_LEN);
    for (size_t i = 0; i < proof->len; i++) {
        if (sn == 0)
            return ctx_error(ctx, AT_ECORRUPT,
                             "inclusion proof has %zu hashes, more than the tree needs",
                             proof->len);
        if (last && walked_before(last, last_len, proof, i, fn, sn, r)) {
            memcpy(last->hash, proof->hash, i * MERKLE_HASH_LEN);
            last->len = last_len;
            return AT_OK;
        }
        if (last) {
            last->step[i].fn = fn, last->step[i].sn = sn;
            memcpy(last->step[i].node, r, MERKLE_HASH_LEN);
        }
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(proof->hash[i], r, r);
            shift_while_even(&fn, &sn);
        } else {
            merkle_node_hash(r, proof->hash[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return ctx_error(ctx, AT_ECORRUPT,
                         "inclusion proof has %zu hashes, fewer than the tree needs",
                         proof->len);
    if (memcmp(r, root, MERKLE_HASH_LEN) != 0)
        return ctx_error(ctx, AT_ECORRUPT,
                         "inclusion proof for leaf %llu does not lead to the root",
                         (unsigned long long)index);
    if (last) {
        last->size = size;
        memcpy(last->root, root, MERKLE_HASH_LEN);
        memcpy(last->hash, proof->hash, proof->len * MERKLE_HASH_LEN);
        last->len = proof->len;
    }
    return AT_OK;
}

int merkle_verify_consistency(uint64_t old_size,
                              const uint8_t old_root[MERKLE_HASH_LEN],
                              uint64_t new_size,
                              const uint8_t new_root[MERKLE_HASH_LEN],
                              const struct merkle_proof *proof,
                              struct at_ctx *ctx)
{
    uint8_t fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
    uint64_t fn, sn;
    size_t i = 0;

    if (old_size > new_size)
        return ctx_error(ctx, AT_EINVAL,
                         "a tree of %llu leaves cannot follow one of %llu",
                         (unsigned long long)new_size, (unsigned long long)old_size);
    if (proof->len > MERKLE_MAX_PROOF)
        return proof_too_long(proof, ctx);
    if (old_size == 0 || old_size == new_size) {
        if (proof->len != 0)
            return ctx_error(ctx, AT_ECORRUPT,
                             "consistency proof from size %llu to %llu must be empty",
                             (unsigned long long)old_size, (unsigned long long)new_size);
        if (old_size == 0) {
            merkle_empty_root(fr);
            if (memcmp(old_root, fr, MERKLE_HASH_LEN) != 0)
                return ctx_error(ctx, AT_ECORRUPT, "the old root is not that of the empty tree");
        } else if (memcmp(old_root, new_root, MERKLE_HASH_LEN) != 0) {
            return ctx_error(ctx, AT_ECORRUPT, "the two roots of size %llu differ",
                             (unsigned long long)new_size);
        }
        return AT_OK;
    }
    if (proof->len == 0)
        return ctx_error(ctx, AT_ECORRUPT, "consistency proof is empty");

    fn = old_size - 1;
    sn = new_size - 1;
    /* Skip the levels where the old tree's last node is a right child:
     * the proof starts above them. */
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    if ((old_size & (old_size - 1)) == 0) {
        /* The old tree is a perfect subtree: its root is the first node. */
        memcpy(fr, old_root, MERKLE_HASH_LEN);
    } else {
        memcpy(fr, proof->hash[0], MERKLE_HASH_LEN);
        i = 1;
    }
    memcpy(sr, fr, MERKLE_HASH_LEN);
    for (; i < proof->len; i++) {
        if (sn == 0)
            return ctx_error(ctx, AT_ECORRUPT,
                             "consistency proof has %zu hashes, more than the trees need",
                             proof->len);
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(proof->hash[i], fr, fr);
            merkle_node_hash(proof->hash[i], sr, sr);
            shift_while_even(&fn, &sn);
        } else {
            merkle_node_hash(sr, proof->hash[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return ctx_error(ctx, AT_ECORRUPT,
                         "consistency proof has %zu hashes, fewer than the trees need",
                         proof->len);
    if (memcmp(fr, old_root, MERKLE_HASH_LEN) != 0)
        return ctx_error(ctx, AT_ECORRUPT,
                         "consistency proof does not lead to the old root");
    if (memcmp(sr, new_root, MERKLE_HASH_LEN) != 0)
        return ctx_error(ctx, AT_ECORRUPT,
                         "consistency proof does not lead to the new root");
    return AT_OK;
}

int merkle_append_nodes(const struct merkle_source *src, uint64_t leaf_index,
                        const uint8_t leaf_hash[MERKLE_HASH_LEN],
                        struct merkle_node out[MERKLE_MAX_LEVELS],
                        size_t *n_out, struct at_ctx *ctx)
{
    uint8_t left[MERKLE_HASH_LEN];
    const uint8_t *right = leaf_hash;
    uint64_t index = leaf_index;
    unsigned level = 0;
    int rc;

    *n_out = 0;
    if (leaf_index == UINT64_MAX)
        return ctx_error(ctx, AT_EINVAL, "the log cannot hold more than 2^64-1 leaves");
    /* While the newest node is a right child, its parent is now complete. */
    while (index & 1) {
        rc = src->get(src->arg, level, index - 1, left, ctx);
        if (rc != AT_OK) {
            *n_out = 0;
            return rc;
        }
        index >>= 1;
        level++;
        out[*n_out].level = level;
        out[*n_out].index = index;
        merkle_node_hash(left, right, out[*n_out].hash);
        right = out[*n_out].hash;
        (*n_out)++;
    }
    return AT_OK;
}

void merkle_hash_hex(const uint8_t hash[MERKLE_HASH_LEN], char out[2 * MERKLE_HASH_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < MERKLE_HASH_LEN; i++) {
        out[2 * i] = digits[hash[i] >> 4];
        out[2 * i + 1] = digits[hash[i] & 0xf];
    }
    out[2 * MERKLE_HASH_LEN] = '\0';
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes 64 hex digits at s into out; false if any is not hex. */
static bool hex_decode(const char *s, uint8_t out[MERKLE_HASH_LEN])
{
    for (size_t i = 0; i < MERKLE_HASH_LEN; i++) {
        int hi = hex_digit(s[2 * i]), lo = hi < 0 ? -1 : hex_digit(s[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

int merkle_hash_parse(const char *s, uint8_t out[MERKLE_HASH_LEN], struct at_ctx *ctx)
{
    if (strlen(s) != 2 * MERKLE_HASH_LEN || !hex_decode(s, out))
        return ctx_error(ctx, AT_EINVAL, "a hash must be %d hex digits",
                         2 * MERKLE_HASH_LEN);
    return AT_OK;
}

void merkle_proof_write(const struct merkle_proof *proof, struct buf *b)
{
    char hex[2 * MERKLE_HASH_LEN + 1];

    for (size_t i = 0; i < proof->len; i++) {
        merkle_hash_hex(proof->hash[i], hex);
        buf_append(b, hex, 2 * MERKLE_HASH_LEN);
        buf_putc(b, '\n');
    }
}

int merkle_proof_parse(const char *text, struct merkle_proof *proof, struct at_ctx *ctx)
{
    const char *line = text;
    size_t lineno = 1;

    proof->len = 0;
    while (*line != '\0') {
        size_t n = strcspn(line, "\n");

        if (n > 0 && line[n - 1] == '\r')
            n--;
        if (n > 0) {
            if (proof->len == MERKLE_MAX_PROOF) {
                proof->len = 0;
                return ctx_error(ctx, AT_EINVAL, "line %zu: a proof has at most %d hashes",
                                 lineno, MERKLE_MAX_PROOF);
            }
            if (n != 2 * MERKLE_HASH_LEN || !hex_decode(line, proof->hash[proof->len])) {
                proof->len = 0;
                return ctx_error(ctx, AT_EINVAL, "line %zu: a hash must be %d hex digits",
                                 lineno, 2 * MERKLE_HASH_LEN);
            }
            proof->len++;
        }
        line += strcspn(line, "\n");
        if (*line == '\n')
            line++;
        lineno++;
    }
    return AT_OK;
}

/* Stores hash as node (level, index), which must be the next on its level. */
static void mem_put(struct merkle_mem *t, unsigned level, uint64_t index,
                    const uint8_t hash[MERKLE_HASH_LEN])
{
    if (t->count[level] == t->cap[level]) {
        t->cap[level] = t->cap[level] ? 2 * t->cap[level] : 16;
        t->level[level] = xrealloc(t->level[level], t->cap[level] * MERKLE_HASH_LEN);
    }
    memcpy(t->level[level][index], hash, MERKLE_HASH_LEN);
    t->count[level] = index + 1;
}

static int mem_get(void *arg, unsigned level, uint64_t index,
                   uint8_t out[MERKLE_HASH_LEN], struct at_ctx *ctx)
{
    const struct merkle_mem *t = arg;

    if (level >= MERKLE_MAX_LEVELS || index >= t->count[level])
        return ctx_error(ctx, AT_ENOTFOUND, "no Merkle node at level %u, index %llu",
                         level, (unsigned long long)index);
    memcpy(out, t->level[level][index], MERKLE_HASH_LEN);
    return AT_OK;
}

struct merkle_source merkle_mem_source(struct merkle_mem *t)
{
    return (struct merkle_source){ mem_get, t };
}

int merkle_mem_append(struct merkle_mem *t, const uint8_t leaf_hash[MERKLE_HASH_LEN],
                      struct at_ctx *ctx)
{
    struct merkle_source src = merkle_mem_source(t);
    struct merkle_node done[MERKLE_MAX_LEVELS];
    size_t n;
    int rc;

    rc = merkle_append_nodes(&src, t->size, leaf_hash, done, &n, ctx);
    if (rc != AT_OK)
        return rc;
    mem_put(t, 0, t->size, leaf_hash);
    for (size_t i = 0; i < n; i++)
        mem_put(t, done[i].level, done[i].index, done[i].hash);
    t->size++;
    return AT_OK;
}

void merkle_mem_free(struct merkle_mem *t)
{
    for (unsigned i = 0; i < MERKLE_MAX_LEVELS; i++)
        free(t->level[i]);
    memset(t, 0, sizeof *t);
}
