#!/bin/bash
# bench_artn_repro.sh — how reproducible is an all-atoms ARTn saddle? Runs
# `bpel artn` (defaults: every atom free) on a glass and on copies whose
# coordinates are moved by a uniform random ±δ, the same atoms, searches and
# seed, and counts the searches that end at the same saddle (ΔQ within
# 0.01 eV, saddle configurations within 0.05 Å RMS over the atoms that moved
# by more than 0.1 Å in either).
# usage: bench/bench_artn_repro.sh BPEL GLASS.data WORKDIR   (env: DELTAS, ATOMS, SEARCHES, THREADS)
set -euo pipefail
BPEL=$(readlink -f "${1:?bpel}"); GLASS=$(readlink -f "${2:?glass}"); W=${3:-artn_repro}
DELTAS=${DELTAS:-"1e-9 1e-7 1e-6 1e-5 1e-4 1e-3"}
ATOMS=${ATOMS:-$(seq -s, 1 157 2000)}; SEARCHES=${SEARCHES:-2}; THREADS=${THREADS:-2}
mkdir -p "$W"; cd "$W"
run() { "$BPEL" artn "$1" --atoms "$ATOMS" --searches "$SEARCHES" --threads "$THREADS" --max-initial-force 10 \
          --overwrite --out "$2" > "$2.txt" 2>&1; }
run "$GLASS" ref
for d in $DELTAS; do
  python3 - "$GLASS" "$d" "p$d.data" <<'EOP'
import random, sys
src, d, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
random.seed(7)
L = open(src).read().splitlines()
i = [k for k, l in enumerate(L) if l.strip().startswith('Atoms')][0] + 2
res = L[:i]
while i < len(L) and L[i].strip():
    t = L[i].split()
    for k in (2, 3, 4): t[k] = repr(float(t[k]) + random.uniform(-d, d))
    res.append(' '.join(t)); i += 1
open(out, 'w').write('\n'.join(res + L[i:]) + '\n')
EOP
  run "p$d.data" "p$d"
  python3 - ref "p$d" "$GLASS" "$d" <<'EOP'
import csv, math, sys
def load(d):
    ev = {(r['atom'], r['search']): r for r in csv.DictReader(open(d + '/events.csv'))}
    frames, f = {}, open(d + '/saddles.dump')
    for line in f:
        if line.startswith('ITEM: TIMESTEP'):
            step = int(next(f)); next(f); n = int(next(f))
            for _ in range(5): next(f)
            frames[step] = {int(t[0]): tuple(map(float, t[2:5])) for t in (next(f).split() for _ in range(n))}
    return ev, frames
a, b, data, d = sys.argv[1:5]
(ea, fa), (eb, fb) = load(a), load(b)
L = open(data).read().splitlines()
box = [float(l.split()[1]) - float(l.split()[0]) for l in L if l.split()[-1:] in (['xhi'], ['yhi'], ['zhi'])]
i = [k for k, l in enumerate(L) if l.strip().startswith('Atoms')][0] + 2
x0 = {}
while i < len(L) and L[i].strip():
    t = L[i].split(); x0[int(t[0])] = tuple(map(float, t[2:5])); i += 1
mi = lambda v, l: v - l * round(v / l)
disp = lambda fr: {k: tuple(mi(p[c] - x0[k][c], box[c]) for c in range(3)) for k, p in fr.items()}
both = same = 0
for key, ra in ea.items():
    rb = eb.get(key)
    if not rb or ra['status'] != 'accepted' or rb['status'] != 'accepted': continue
    both += 1
    da, db = disp(fa[int(ra['row'])]), disp(fb[int(rb['row'])])
    ids = [k for k in da if max(math.dist(da[k], (0, 0, 0)), math.dist(db[k], (0, 0, 0))) > 0.1]
    rms = math.sqrt(sum(math.dist(da[k], db[k]) ** 2 for k in ids) / max(len(ids), 1))
    same += abs(float(ra['dq_eV']) - float(rb['dq_eV'])) < 0.01 and rms < 0.05
print(f"delta {d} A: both accepted {both}, same saddle {same} ({100 * same / max(both, 1):.0f} %)")
EOP
done
