#!/usr/bin/env bash
# bench_artn.sh — ARTn campaign cost at two glass sizes.
#
# Makes a Cu50Zr50 glass of 2,048 atoms with LAMMPS (fcc lattice of random
# Cu/Zr, melt at 2500 K, quench to 300 K in 2 ps, CG minimisation), a
# 16,384-atom one by replicating it 2x2x2 (a periodic minimum replicated is
# still a minimum), and runs the same central atoms (ids 1..N exist in both,
# with identical surroundings) in both. Reports the median force calls per
# converged saddle, the success rate and the time per search, and the ratio
# of the times (the local-region forces should make it ~1). Default: atoms
# 1, 48, ..., 1176 (26) x 2 searches, 1 thread.
#
# The same searches are then run on the whole 2k glass (--region all: every
# atom moves from the start, as a full-system ARTn does) and the saddles of
# the two are compared: their ΔQ distribution, how often the central atom
# takes part, how far it moves. The local region is meant to be an
# approximation of the full-system search; this is the check that shows how
# far it is one (FULL=0 skips it).
#
# usage: bench/bench_artn.sh [BPEL] [WORKDIR]   (env ATOMS, SEARCHES, THREADS, FULL)
set -euo pipefail
BPEL=${1:-build/bpel}
W=${2:-bench_artn_work}
ATOMS=${ATOMS:-$(seq -s, 1 47 1200)}
SEARCHES=${SEARCHES:-2}
THREADS=${THREADS:-1}
FULL=${FULL:-1}
BPEL=$(readlink -f "$BPEL")
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$W"; cd "$W"
if [ ! -s glass2k.data ]; then
  "$HERE/../scripts/lammps_glass.sh" 8 glass2k.data glass16k.data
fi
for size in 2k 16k; do
  /usr/bin/time -f "%e s wall, %M kB" "$BPEL" artn glass$size.data --atoms "$ATOMS" --searches "$SEARCHES" \
     --threads "$THREADS" --out run$size > run$size.txt 2> run$size.err
  tail -1 run$size.err
done
if [ "$FULL" = 1 ]; then
  /usr/bin/time -f "%e s wall, %M kB" "$BPEL" artn glass2k.data --atoms "$ATOMS" --searches "$SEARCHES" \
     --threads "$THREADS" --region all --out runall > runall.txt 2> runall.err
  tail -1 runall.err
fi
python3 - <<'EOF2'
import csv, json, statistics as S
res = {}
for size in ("2k", "16k"):
    rows = list(csv.DictReader(open(f"run{size}/events.csv")))
    summ = json.load(open(f"run{size}/summary.json"))
    acc = [r for r in rows if r["status"] == "accepted"]
    res[size] = summ
    print(f"{size:>4}: {len(rows)} searches, {len(acc)} accepted ({100*len(acc)/len(rows):.0f} %), "
          f"median force calls per saddle {summ['median_force_calls_per_saddle']:.0f}, "
          f"{summ['mean_time_per_search_s']:.3f} s per search, "
          f"per-atom dQ mean {summ['dq_atom_mean_eV']:.3f} median {summ['dq_atom_median_eV']:.3f} "
          f"range {summ['dq_atom_min_eV']:.3f}..{summ['dq_atom_max_eV']:.3f} eV")
r = res["16k"]["mean_time_per_search_s"] / res["2k"]["mean_time_per_search_s"]
print(f"time per search 16k/2k = {r:.2f} (goal <= 1.3)")
import os
if os.path.exists("runall/events.csv"):
    print("saddles of the local region (2k) and of the whole glass (--region all), same searches:")
    for d in ("run2k", "runall"):
        rows = list(csv.DictReader(open(f"{d}/events.csv")))
        acc = [r for r in rows if r["status"] == "accepted"]
        if not acc:
            print(f"{d:>7}: no accepted saddle"); continue
        dq = sorted(float(r["dq"]) for r in acc)
        q = lambda p: dq[min(len(dq) - 1, int(p * len(dq)))]
        tp = sum(r["central_took_part"] == "1" for r in acc)
        print(f"{d:>7}: {len(acc)}/{len(rows)} accepted, dQ median {S.median(dq):.3f} eV "
              f"(quartiles {q(.25):.3f}..{q(.75):.3f}), mean {S.mean(dq):.3f}, central atom took part in {tp}, "
              f"its displacement median {S.median(float(r['central_disp_A']) for r in acc):.2f} A, "
              f"moving atoms median {S.median(int(r['region_atoms']) for r in acc):.0f}, "
              f"force calls median {S.median(int(r['force_calls']) for r in acc):.0f}")
EOF2
