#!/usr/bin/env python3
"""Adjusted Rand index of a labelling against the truth column of a
generated file.  usage: ari.py POINTS.csv LABELS [noise-label]
Rows labelled with the noise label count as clusters of their own."""
import sys
from collections import Counter


def c2(n):
    return n * (n - 1) / 2


def main():
    truth = [line.rstrip("\n").split(",")[4] for line in open(sys.argv[1]).readlines()[1:]]
    labels = [line.strip() for line in open(sys.argv[2]).readlines()[1:]]
    noise = sys.argv[3] if len(sys.argv) > 3 else None
    labels = ["noise%d" % i if l == noise else l for i, l in enumerate(labels)]
    assert len(truth) == len(labels), (len(truth), len(labels))
    n = len(truth)
    index = sum(c2(v) for v in Counter(zip(truth, labels)).values())
    a = sum(c2(v) for v in Counter(truth).values())
    b = sum(c2(v) for v in Counter(labels).values())
    expected = a * b / c2(n)
    print("%.4f" % ((index - expected) / ((a + b) / 2 - expected)))


if __name__ == "__main__":
    main()
