#!/usr/bin/env python3
"""Seeded synthetic placements for clustering tests and benchmarks.

usage: gen_pinpoints.py SITES SEED OUT.csv [SITES.csv]

Sites are scattered over North Korea (inside a coarse outline of its land
border and coast).  About 30% of them lie in dense towns: grids of 5 x 5 to
10 x 10 sites 300-400 m apart.  Each site is placed by 1 + Poisson(19)
witnesses, about 20; each states an uncertainty radius (rural: 60 m to
900 m, log-uniform; towns: 30 m to 120 m) and errs by a circular normal
error of which that radius holds about 95%.  Columns: lat,lon,
uncertainty_m,group,truth.  With SITES.csv the true sites are written too
(lat,lon).  FICTIONAL data: no real site or witness.
"""
import math
import random
import sys

RADIUS_PER_SIGMA = 2.4477
M_PER_DEG_LAT = 111132.0

# A coarse outline of North Korea (lat, lon): the Yalu and Tumen borders,
# the east coast, the demarcation line, the west coast.
OUTLINE = [
    (39.83, 124.35), (40.30, 124.70), (40.60, 125.30), (40.95, 125.90),
    (41.20, 126.40), (41.75, 126.90), (41.65, 127.50), (41.45, 128.10),
    (41.98, 128.10), (42.25, 129.20), (42.45, 129.75), (42.98, 129.95),
    (42.40, 130.40), (42.30, 130.68), (41.85, 129.90), (41.50, 129.70),
    (40.80, 129.60), (40.40, 128.80), (39.90, 128.00), (39.60, 127.50),
    (39.10, 127.50), (38.60, 128.36), (38.30, 127.60), (38.05, 127.00),
    (37.80, 126.60), (37.72, 126.10), (37.90, 125.60), (37.75, 125.10),
    (38.10, 124.70), (38.60, 125.00), (38.90, 125.20), (39.40, 125.30),
    (39.60, 124.90),
]
SOUTH, NORTH = min(p[0] for p in OUTLINE), max(p[0] for p in OUTLINE)
WEST, EAST = min(p[1] for p in OUTLINE), max(p[1] for p in OUTLINE)


def inside(lat, lon):
    """Even-odd rule on the outline."""
    c = False
    j = len(OUTLINE) - 1
    for i, (yi, xi) in enumerate(OUTLINE):
        yj, xj = OUTLINE[j]
        if (yi > lat) != (yj > lat) and lon < xi + (xj - xi) * (lat - yi) / (yj - yi):
            c = not c
        j = i
    return c


def land_point(rng):
    while True:
        lat, lon = rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)
        if inside(lat, lon):
            return lat, lon


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
    ntown = nsites // 2
    while len(sites) < ntown:
        lat0, lon0 = land_point(rng)
        step, side = rng.uniform(300, 400), rng.randint(5, 10)
        m_per_deg_lon = 111320.0 * math.cos(math.radians(lat0))
        for i in range(side):
            for j in range(side):
                if len(sites) < ntown:
                    sites.append((lat0 + i * step / M_PER_DEG_LAT,
                                  lon0 + j * step / m_per_deg_lon, 30, 120))
    while len(sites) < nsites:
        lat, lon = land_point(rng)
        sites.append((lat, lon, 30, 300))
    log = math.log
    with open(out, "w") as f:
        f.write("lat,lon,uncertainty_m,group,truth\n")
        rows = []
        for s, (lat, lon, rmin, rmax) in enumerate(sites):
            m_per_deg_lon = 111320.0 * math.cos(math.radians(lat))
            for _ in range(1 + poisson(rng, 19)):
                r = math.exp(rng.uniform(log(rmin), log(rmax)))
                sigma = r / RADIUS_PER_SIGMA
                dy, dx = rng.gauss(0, sigma), rng.gauss(0, sigma)
                rows.append("%.7f,%.7f,%.1f,0,%d\n" % (lat + dy / M_PER_DEG_LAT,
                                                       lon + dx / m_per_deg_lon, r, s))
            if len(rows) >= 65536:
                f.writelines(rows)
                rows = []
        f.writelines(rows)
    if len(sys.argv) > 4:
        with open(sys.argv[4], "w") as f:
            f.write("lat,lon\n")
            f.writelines("%.7f,%.7f\n" % (s[0], s[1]) for s in sites)


if __name__ == "__main__":
    main()
