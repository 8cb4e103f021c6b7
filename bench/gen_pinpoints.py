#!/usr/bin/env python3
"""Seeded synthetic placements for clustering tests and benchmarks.

usage: gen_pinpoints.py SITES SEED OUT.csv

Sites are scattered over North Korea's bounding box; a fifth of them lie
in dense towns, on grids 300-400 m apart.  Each site is placed by 1 +
Poisson(9) witnesses; each states an uncertainty radius (rural 200 m to
2 km, towns 30 to 120 m) and errs by a circular normal error of which that
radius holds about 95%.  Columns: lat,lon,uncertainty_m,group,truth.
FICTIONAL data: no real site or witness.
"""
import math
import random
import sys

RADIUS_PER_SIGMA = 2.4477


def poisson(rng, lam):
    l, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= l:
            return k
        k += 1


def main():
    nsites, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rng = random.Random(seed)
    sites = []
    ntown = nsites // 5
    while len(sites) < ntown:
        lat0, lon0 = rng.uniform(38.0, 42.5), rng.uniform(124.6, 130.4)
        step = rng.uniform(300, 400)
        for i in range(10):
            for j in range(10):
                if len(sites) < ntown:
                    sites.append((lat0 + i * step / 111132.0,
                                  lon0 + j * step / (111320.0 * math.cos(math.radians(lat0))),
                                  30, 120))
    while len(sites) < nsites:
        sites.append((rng.uniform(37.7, 42.9), rng.uniform(124.3, 130.7), 200, 2000))
    with open(out, "w") as f:
        f.write("lat,lon,uncertainty_m,group,truth\n")
        for s, (lat, lon, rmin, rmax) in enumerate(sites):
            for _ in range(1 + poisson(rng, 9)):
                r = rng.uniform(rmin, rmax)
                sigma = r / RADIUS_PER_SIGMA
                dy, dx = rng.gauss(0, sigma), rng.gauss(0, sigma)
                plat = lat + dy / 111132.0
                plon = lon + dx / (111320.0 * math.cos(math.radians(lat)))
                f.write("%.7f,%.7f,%.1f,0,%d\n" % (plat, plon, r, s))


if __name__ == "__main__":
    main()
