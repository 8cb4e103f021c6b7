#!/usr/bin/env python3
"""Expected values for the RFC 6962 Merkle tree over the eight leaf inputs
that Certificate Transparency implementations test with.

This is a second, deliberately plain implementation (the recursive
definitions of RFC 6962 section 2.1, straight over the leaf data) used to
cross-check the C code.  It prints, one per line:

    root N HEX                       tree head of the first N leaves
    inclusion M N HEX,HEX,...        audit path for leaf M in a tree of size N
    consistency M N HEX,HEX,...      consistency proof from size M to size N

Proof hashes are listed from the leaf end to the root end; an empty proof
prints "-".  The output depends on nothing but the inputs below.
"""
import hashlib

LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243",
    "5051525354555657", "606162636465666768696a6b6c6d6e6f",
)]


def split(n):
    """Largest power of two strictly below n (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d):
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = split(len(d))
    return hashlib.sha256(b"\x01" + mth(d[:k]) + mth(d[k:])).digest()


def path(m, d):
    if len(d) <= 1:
        return []
    k = split(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m, d, whole):
    n = len(d)
    if m == n:
        return [] if whole else [mth(d)]
    k = split(n)
    if m <= k:
        return subproof(m, d[:k], whole) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def show(hashes):
    return ",".join(h.hex() for h in hashes) or "-"


def main():
    n_max = len(LEAVES)
    print("root 0", mth([]).hex())
    for n in range(1, n_max + 1):
        print("root", n, mth(LEAVES[:n]).hex())
    for n in range(1, n_max + 1):
        for m in range(n):
            print("inclusion", m, n, show(path(m, LEAVES[:n])))
    for n in range(1, n_max + 1):
        for m in range(1, n + 1):
            print("consistency", m, n, show(subproof(m, LEAVES[:n], True)))


if __name__ == "__main__":
    main()
