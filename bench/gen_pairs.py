#!/usr/bin/env python3
"""Random string pairs for the Jaro-Winkler check, seeded.

usage: gen_pairs.py COUNT SEED OUT.tsv

Half the pairs are a random upper-case word and a copy with up to three
random edits (so that many pairs share a prefix and score high), the other
half two independent random words; lengths 1 to 20, letters from a small
alphabet so that characters often match.
"""
import random
import sys


def word(rnd):
    return "".join(rnd.choice("ABCDEHIKLMNORSTU") for _ in range(rnd.randint(1, 20)))


def edit(rnd, w):
    w = list(w)
    for _ in range(rnd.randint(0, 3)):
        op = rnd.randrange(3)
        i = rnd.randrange(len(w) + 1)
        if op == 0:
            w.insert(i, rnd.choice("ABCDEHIKLMNORSTU"))
        elif op == 1 and len(w) > 1 and i < len(w):
            del w[i]
        elif i < len(w):
            w[i] = rnd.choice("ABCDEHIKLMNORSTU")
    return "".join(w) or "A"


def main():
    count, seed, dst = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rnd = random.Random(seed)
    with open(dst, "w") as out:
        for i in range(count):
            a = word(rnd)
            b = edit(rnd, a) if i % 2 == 0 else word(rnd)
            out.write(f"{a}\t{b}\n")


if __name__ == "__main__":
    main()
