#!/usr/bin/env python3
"""Independent Tg from a V(T) table: temperatures binned (width BIN from the
lowest T), one least-squares line through the glass range and one through
the liquid range (RANGES "g0:g1,l0:l1", K), Tg where they cross.
(A free split between two unconstrained lines is not used: on noisy
curves its lines can cross far outside the data.)

usage: tg_two_lines.py TABLE.csv BIN RANGES     prints Tg in K
"""
import csv
import math
import sys


def line(pts):
    n = len(pts)
    mx = sum(t for t, _ in pts) / n
    my = sum(v for _, v in pts) / n
    sxx = sum((t - mx) ** 2 for t, _ in pts)
    sxy = sum((t - mx) * (v - my) for t, v in pts)
    b = sxy / sxx
    a = my - b * mx
    return a, b, sum((v - a - b * t) ** 2 for t, v in pts)


rows = list(csv.DictReader(open(sys.argv[1])))
binw = float(sys.argv[2])
data = sorted((float(r['temp_K']), float(r['volume_A3'])) for r in rows)
t0 = data[0][0]
bins = {}
for t, v in data:
    bins.setdefault(math.floor((t - t0) / binw), []).append((t, v))
pts = [(sum(t for t, _ in b) / len(b), sum(v for _, v in b) / len(b)) for _, b in sorted(bins.items())]
(g0, g1), (l0, l1) = [tuple(map(float, r.split(':'))) for r in sys.argv[3].split(',')]
ga, gb, _ = line([p for p in pts if g0 <= p[0] <= g1])
la, lb, _ = line([p for p in pts if l0 <= p[0] <= l1])
print("%.6f" % ((ga - la) / (lb - gb)))
