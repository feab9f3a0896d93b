#!/usr/bin/env bash
# bench_artn.sh — bpel's ARTn against LAMMPS-ARTn on the same glass and atoms.
#
# Makes a Cu50Zr50 glass of 2,048 atoms with LAMMPS (scripts/lammps_glass.sh:
# fcc lattice of random Cu/Zr, melt at 2500 K, quench to 300 K in 2 ps, CG
# minimisation) and a 16,384-atom one by replicating it 2x2x2 (a periodic
# minimum replicated is still a minimum; ids 1..2048 keep their surroundings).
#
# 1. bpel artn with its defaults (every atom free, the paper's parameters) on
#    ATOMS x SEARCHES of the 2k glass.
# 2. The peer, when LMP_ARTN names a LAMMPS binary with `min_style artn`
#    (package USER-ARTn by B. Xu and L. Kong): the same atoms, PEER_SEEDS
#    one-attempt searches each, every atom free, the paper's parameters
#    (kick 0.1 A on the atom and its neighbours within 2 A, exit at
#    lambda < -0.30 eV/A^2, saddle at |F| < 0.05 eV/A), the package's other
#    settings as in its Cu-Zr example. The peer is not built here: build it
#    from the LAMMPS sources and the package, then point LMP_ARTN at it.
# 3. Side by side: searches ending at a saddle, the dQ median and quartiles,
#    the two-sample Kolmogorov-Smirnov statistic and p, force calls per
#    accepted saddle with failed searches counted, wall time per accepted
#    saddle on one thread, and the ratio of the times.
# 4. SIZE=1: SIZE_ATOMS x 2 searches on the 2k and the 16k glass (time per
#    accepted saddle 16k/2k), and LOCAL=1 the same with the opt-in 6 A moving
#    region for comparison.
# 5. PAPER=1: a sample of searches on a 19,652-atom glass (the paper's size,
#    lammps_glass.sh 17) with 1 thread, 2 OpenMP threads and `mpirun -np 2`,
#    and the cost of the paper's campaign (19,652 atoms x 20 searches)
#    extrapolated from it, in core-hours.
#
# usage: bench/bench_artn.sh [BPEL] [WORKDIR]
#   env: ATOMS (ids, default 1,81,...,1945: 25 atoms), SEARCHES (bpel per atom, 5),
#        PEER_SEEDS (peer searches per atom, 10), PEER_FIRST (the first peer seed, 1),
#        PEER_REUSE (1: take peer/results.txt of an earlier run in WORKDIR instead of
#        running the peer again; the same glass and atoms), PEER_EXTRA (results of
#        more peer searches, same format, e.g. other seeds run beside other work: their
#        saddles join the counts and the KS test, their wall times are not used),
#        LMP_ARTN, THREADS (1), SIZE (1), LOCAL (0),
#        SIZE_ATOMS (default the first 10 of ATOMS), PAPER (1), PAPER_ATOMS (ids on the
#        19,652-atom glass, default 8 atoms x 1 search)
set -euo pipefail
BPEL=$(readlink -f "${1:-build/bpel}")
W=${2:-bench_artn_work}
ATOMS=${ATOMS:-$(seq -s, 1 81 2000)}
SEARCHES=${SEARCHES:-5}
PEER_SEEDS=${PEER_SEEDS:-10}
PEER_FIRST=${PEER_FIRST:-1}
PEER_REUSE=${PEER_REUSE:-0}
THREADS=${THREADS:-1}
SIZE=${SIZE:-1}
LOCAL=${LOCAL:-0}
PAPER=${PAPER:-1}
SIZE_ATOMS=${SIZE_ATOMS:-$(echo "$ATOMS" | cut -d, -f1-10)}
PAPER_ATOMS=${PAPER_ATOMS:-$(seq -s, 1 2456 19652)}
LMP_ARTN=${LMP_ARTN:-}
POT=${LAMMPS_POTENTIALS:-/usr/share/lammps/potentials}/CuZr_mm.eam.fs
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$W"; cd "$W"
if [ ! -s glass2k.data ] || [ ! -s glass16k.data ]; then
  "$HERE/../scripts/lammps_glass.sh" 8 glass2k.data glass16k.data
fi

run_bpel() { # name glass atoms searches extra-args...
  local name=$1 glass=$2 atoms=$3 searches=$4; shift 4
  rm -rf "$name"
  /usr/bin/time -f "%e" -o "$name.wall" "$BPEL" artn "$glass" --atoms "$atoms" --searches "$searches" \
     --threads "$THREADS" --out "$name" "$@" > "$name.txt" 2> "$name.err"
  grep "^searches" "$name.txt" || tail -2 "$name.err"
}
echo "bpel artn, defaults (every atom free), 2k glass: $ATOMS x $SEARCHES"
run_bpel bpel2k glass2k.data "$ATOMS" "$SEARCHES"
if [ "$SIZE" = 1 ]; then
  echo "bpel artn, defaults, 2k and 16k glass: $SIZE_ATOMS x 2"
  run_bpel size2k glass2k.data "$SIZE_ATOMS" 2
  run_bpel size16k glass16k.data "$SIZE_ATOMS" 2
fi
if [ "$LOCAL" = 1 ]; then
  echo "bpel artn --region 6 (frozen surroundings, opt-in), 2k and 16k: $SIZE_ATOMS x 2"
  run_bpel local2k glass2k.data "$SIZE_ATOMS" 2 --region 6
  run_bpel local16k glass16k.data "$SIZE_ATOMS" 2 --region 6
fi

if [ "$PAPER" = 1 ]; then
  [ -s glass19k.data ] || "$HERE/../scripts/lammps_glass.sh" 17 glass19k.data
  echo "bpel artn, defaults, 19,652-atom glass: $PAPER_ATOMS x 1, 1 thread / 2 threads / mpirun -np 2"
  for mode in t1 t2 mpi2; do
    rm -rf paper_$mode
    case $mode in
      t1) cmd=("$BPEL" artn glass19k.data --threads 1) ;;
      t2) cmd=("$BPEL" artn glass19k.data --threads 2) ;;
      mpi2) cmd=(mpirun --allow-run-as-root --oversubscribe -np 2 "$BPEL" artn glass19k.data --threads 1) ;;
    esac
    /usr/bin/time -f "%e" -o paper_$mode.wall "${cmd[@]}" --atoms "$PAPER_ATOMS" --searches 1 \
       --out paper_$mode > paper_$mode.txt 2> paper_$mode.err || echo "paper_$mode failed (see paper_$mode.err)"
  done
fi

if [ "$PEER_REUSE" = 1 ] && [ -s peer/results.txt ]; then
  echo "LAMMPS-ARTn: $(wc -l < peer/results.txt) searches of an earlier run (peer/results.txt, PEER_REUSE=1)"
elif [ -n "$LMP_ARTN" ]; then
  [ -x "$LMP_ARTN" ] || { echo "LMP_ARTN=$LMP_ARTN is not executable" >&2; exit 1; }
  echo "LAMMPS-ARTn ($LMP_ARTN): same atoms x seeds $PEER_FIRST..$((PEER_FIRST + PEER_SEEDS - 1))"
  mkdir -p peer; rm -f peer/results.txt
  cat > peer/in.artn <<EOF2
units metal
atom_style atomic
atom_modify map array
read_data \${data}
pair_style eam/fs
pair_coeff * * $POT Cu Zr
neighbor 1.0 bin
neigh_modify delay 0 every 1 check yes
group artn id \${center}
thermo 1000
min_style cg
minimize 0 1e-8 10000 100000
reset_timestep 0
min_style artn
minimize 0 1e-6 10000 100000
EOF2
  # the paper's parameters (*); the rest as the package's Cu-Zr example
  cat > peer/artn.control <<'EOF2'
random_seed 1
temperature -1.0
events_per_atom 1
max_trials 1
max_num_events 1
group_4_activat artn
cluster_radius 2.0
init_step_size 0.1
increment_size 0.08
basin_factor 2.4
max_perp_move_h 5
min_num_ksteps 3
eigen_th_well -0.30
max_iter_basin 2000
force_th_perp_h 0.2
num_lancz_vec_h 25
num_lancz_vec_c 15
del_disp_lancz 0.001
eigen_th_lancz 0.01
max_activat_iter 5000
force_th_saddle 0.05
conv_perp_inc 3
push_over_saddle 0.2
eigen_th_fail 0.0001
max_perp_moves_c 70
force_th_perp_sad 0.005
SD_steps 7
use_fire 0
flag_push_over 1
min_fire 0
flag_push_back 0
flag_relax_sad 0
log_file log.artn
log_level 1
print_freq 1
event_list_file log.event
dump_min_config min.lammpstrj
dump_sad_config sad.lammpstrj
dump_min_every 1
dump_sad_every 1
EOF2
  IFS=, read -ra A <<< "$ATOMS"
  for ((s = PEER_FIRST; s < PEER_FIRST + PEER_SEEDS; s++)); do
    for c in "${A[@]}"; do
      d=peer/w; rm -rf "$d"; mkdir -p "$d"
      cp peer/in.artn "$d/"
      sed "s/^random_seed .*/random_seed $((s * 7919 + c))/" peer/artn.control > "$d/artn.control"
      t0=$(date +%s.%N)
      (cd "$d" && OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$LMP_ARTN" -in in.artn -var center "$c" \
         -var data ../../glass2k.data -log none -screen none) || true
      t1=$(date +%s.%N)
      python3 - "$d" "$c" "$s" "$t0" "$t1" >> peer/results.txt <<'EOF2'
# one line per search: atom seed saddle(0/1) dQ(eV) force_calls_in_search wall_s
import re, sys
d, c, s, t0, t1 = sys.argv[1:]
try:
    lines = open(d + "/log.artn").read().splitlines()
except OSError:
    print(c, s, 0, "nan", 0, f"{float(t1) - float(t0):.3f}"); sys.exit()
it = []                # evalf (last column) of every iteration line
conv = None
for l in lines:
    t = l.split()
    if len(t) >= 11 and t[0].isdigit():
        it.append(int(t[-1]))
    if "converged at a new saddle" in l and conv is None and it:
        conv = it[-1]
first = it[0] if it else 0
ev = [l for l in open(d + "/log.event") if not l.startswith("#")] if conv is not None else []
wall = float(t1) - float(t0)
if conv is not None and ev:
    print(c, s, 1, ev[0].split()[1], conv - first, f"{wall:.3f}")
else:
    print(c, s, 0, "nan", (it[-1] - first) if it else 0, f"{wall:.3f}")
EOF2
    done
  done
fi

PEER_EXTRA=${PEER_EXTRA:+$(readlink -f "$PEER_EXTRA")}
python3 - "$SEARCHES" "${PEER_EXTRA:-}" <<'EOF2'
import csv, json, math, os, sys

def ks_2samp(a, b):
    """Two-sample Kolmogorov-Smirnov statistic D and its asymptotic p value
    (Kolmogorov distribution with the Stephens small-sample correction)."""
    a, b = sorted(a), sorted(b)
    i = j = 0; d = 0.0
    while i < len(a) and j < len(b):
        x = min(a[i], b[j])
        while i < len(a) and a[i] <= x: i += 1
        while j < len(b) and b[j] <= x: j += 1
        d = max(d, abs(i / len(a) - j / len(b)))
    ne = len(a) * len(b) / (len(a) + len(b))
    lam = (math.sqrt(ne) + 0.12 + 0.11 / math.sqrt(ne)) * d
    p = 0.0
    for k in range(1, 101):
        p += 2 * (-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam)
    return d, min(max(p, 0.0), 1.0)

def quart(v):
    v = sorted(v)
    q = lambda f: v[min(len(v) - 1, int(f * (len(v) - 1) + 0.5))]
    return q(.5), q(.25), q(.75)

def bpel_run(d):
    rows = list(csv.DictReader(open(f"{d}/events.csv")))
    acc = [r for r in rows if r["status"] == "accepted"]
    wall = float(open(f"{d}.wall").read().split()[-1])
    calls = sum(int(r["force_calls"]) for r in rows)
    conn = sum(r["connected"] == "1" for r in acc)
    kicks = sum(int(r.get("kicks", 1)) for r in rows)
    return dict(n=len(rows), acc=len(acc), dq=[float(r["dq_eV"]) for r in acc], calls=calls, kicks=kicks,
                calls_total=sum(int(r["force_calls_total"]) for r in rows), wall=wall, conn=conn,
                # the saddles reached without a climb step at positive curvature, where LAMMPS-ARTn gives up
                dq_peerlike=[float(r["dq_eV"]) for r in acc if r.get("convex_climb_steps", "x") == "0"],
                dq_conn=[float(r["dq_eV"]) for r in acc if r["connected"] == "1"])

res = {}
for d in ("bpel2k", "size2k", "size16k", "local2k", "local16k"):
    if os.path.exists(f"{d}/events.csv"):
        res[d] = bpel_run(d)
if os.path.exists("peer/results.txt"):
    L = [l.split() for l in open("peer/results.txt") if l.strip()]
    acc = [l for l in L if l[2] == "1"]
    # wall time per saddle from the timed run only
    timed = sum(float(l[5]) for l in L) / max(1, len(acc))
    extra = sys.argv[2] if len(sys.argv) > 2 else ""
    if extra:
        X = [l.split() for l in open(extra) if l.strip()]
        print(f"LAMMPS-ARTn: {len(X)} more searches from {extra} (counts and KS; wall time from peer/results.txt only)")
        L += X
        acc = [l for l in L if l[2] == "1"]
    res["peer"] = dict(n=len(L), acc=len(acc), dq=[float(l[3]) for l in acc],
                       calls=sum(int(l[4]) for l in L), calls_total=None,
                       wall=timed * len(acc), conn=None)
names = {"peer": "LAMMPS-ARTn, every atom free", "bpel2k": "bpel, every atom free (default)",
         "size2k": "bpel default, 2k, size sample", "size16k": "bpel default, 16k, size sample",
         "local2k": "bpel --region 6, 2k", "local16k": "bpel --region 6, 16k"}
print()
print(f"{'':34s} {'saddles':>13s} {'dQ median (Q1-Q3), eV':>24s} {'calls/saddle':>13s} {'wall s/saddle':>14s}")
for k in ("peer", "bpel2k", "size2k", "size16k", "local2k", "local16k"):
    if k not in res: continue
    r = res[k]
    if not r["acc"]:
        print(f"{names[k]:34s} {0:>5d}/{r['n']:<4d}      no saddle"); continue
    m, q1, q3 = quart(r["dq"])
    print(f"{names[k]:34s} {r['acc']:>5d}/{r['n']:<4d} {100*r['acc']/r['n']:3.0f}% "
          f"{m:8.3f} ({q1:.3f}-{q3:.3f})   {r['calls']/r['acc']:10.0f}   {r['wall']/r['acc']:12.2f}")
    if r.get("kicks") and r["kicks"] != r["n"]:
        print(f"{'':34s} kicks: {r['kicks']} for {r['n']} searches (a failed search starts again from a fresh kick); "
              f"{100*r['acc']/r['kicks']:.0f}% of kicks end at a saddle")
    if r["conn"] is not None:
        print(f"{'':34s} connected to the initial minimum: {r['conn']}/{r['acc']}; "
              f"calls with the connection relaxations: {r['calls_total']/r['acc']:.0f} per saddle")
if "peer" in res and "bpel2k" in res and res["peer"]["acc"] and res["bpel2k"]["acc"]:
    d, p = ks_2samp(res["peer"]["dq"], res["bpel2k"]["dq"])
    print(f"KS, bpel vs LAMMPS-ARTn dQ: D = {d:.3f}, p = {p:.3g} ({res['bpel2k']['acc']} and {res['peer']['acc']} saddles;"
          f" goal p > 0.05 on >= 100 each)")
    for key, what in (("dq_peerlike", "saddles reached without positive curvature in the climb"),
                      ("dq_conn", "saddles connected to the initial minimum")):
        sub = res["bpel2k"][key]
        if len(sub) >= 5:
            d, p = ks_2samp(res["peer"]["dq"], sub)
            m, q1, q3 = quart(sub)
            print(f"KS, bpel {what} ({len(sub)}; dQ median {m:.3f}, {q1:.3f}-{q3:.3f}) vs LAMMPS-ARTn: D = {d:.3f}, p = {p:.3g}")
    rp, rb = res["peer"], res["bpel2k"]
    print(f"force calls per saddle: LAMMPS-ARTn / bpel = {rp['calls']/rp['acc']/(rb['calls']/rb['acc']):.2f}")
    print(f"wall time per saddle (1 thread): LAMMPS-ARTn / bpel = {rp['wall']/rp['acc']/(rb['wall']/rb['acc']):.2f} (goal >= 5)")
for mode, cores in (("t1", 1), ("t2", 2), ("mpi2", 2)):
    d = f"paper_{mode}"
    if not os.path.exists(f"{d}/events.csv"): continue
    rows = list(csv.DictReader(open(f"{d}/events.csv")))
    acc = sum(r["status"] == "accepted" for r in rows)
    wall = float(open(f"{d}.wall").read().split()[-1])
    ch = wall * cores / len(rows) * 19652 * 20 / 3600
    print(f"19,652-atom glass, {mode:>4}: {acc}/{len(rows)} saddles, {wall/len(rows):.1f} s wall per search on {cores} core(s); "
          f"paper campaign (393,040 searches): {ch:,.0f} core-hours, {ch/cores/24:,.1f} days on this machine (goal <= 100 core-hours)")
for a, b, what in (("size16k", "size2k", "every atom free"), ("local16k", "local2k", "--region 6")):
    if a in res and b in res and res[a]["acc"] and res[b]["acc"]:
        print(f"wall time per saddle 16k/2k, {what}: "
              f"{res[a]['wall']/res[a]['acc']/(res[b]['wall']/res[b]['acc']):.2f} (goal <= 1.5)")
EOF2
