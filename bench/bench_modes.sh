#!/bin/bash
# bench_modes.sh — cost of `bpel modes` against a bare LAPACK dsyevd of the same order.
#
# For each size N (atoms) it builds a Cu50Zr50 glass (a small LAMMPS glass replicated and
# shaken, then minimised by LAMMPS), and times, median of RUNS runs, on the same threads:
#   bare      a dsyevd (jobz=V) of a random symmetric 3N x 3N matrix (tiny C program below)
#   modes     bpel modes --solver dsyevd (everything: Hessian, D, dsyevd, VDOS, elastic, files)
#   modes-r   bpel modes with the default solver (dsyevr: n^2 less memory)
#   window    bpel modes --max-omega 15 (the modes up to 15 rad/ps only; elastic constants then
#             come from conjugate gradients on the sparse Hessian)
#   slepc     bpel modes --max-omega 15 --solver slepc (the same modes by spectrum slicing of the
#             sparse D: SLEPc Krylov-Schur, shift-and-invert, MUMPS LDL^T), side by side with `window`
#   block     bpel modes --max-omega 15 --solver block (the same modes by block shift-and-invert
#             Lanczos with MUMPS, many vectors per solve), side by side with `window`
# and reports time ratios against `bare`, window/slepc, and peak memory (/usr/bin/time -v) in units
# of 8n^2 (and in GB for slepc, with MUMPS's estimate of one factorisation).
# Goal: modes <= 1.15 x bare; peak memory <= 2.5 x 8n^2.
# With BIG=glass.data (e.g. a 19,652-atom glass) it then prints MUMPS's estimate for that glass
# (analysis only: factor entries, memory and flops of one factorisation) and, from the rates measured
# on the last size above, the projected cost of the slepc route up to 15 rad/ps.
#
# With PAPER=glass.data (a 19,652-atom glass made by `bpel quench`) it then runs `bpel modes` on it as a
# user would (solver auto: block, all modes up to the default I_BP window's top) under
# BPEL_MEMORY_LIMIT=${PAPER_MEMORY:-14.7G}, and prints its wall time and peak memory against the goals
# (2 h, 16 GB on 2 cores) and the run's own lines on each shift. No dense peer fits at that size.
#
# usage: bench/bench_modes.sh [BPEL] ; env SIZES="2000 4000", RUNS=3, OMP_NUM_THREADS (default 2),
#        NO_DSYEVD=1 skips the `modes` (dsyevd) variant on large sizes,
#        WINDOW_BLOCK_ONLY=1 runs only `window` and `block`, side by side; SIZES="" with PAPER= runs
#        the paper-size glass alone
set -eu
BPEL=${1:-$(dirname "$0")/../build/bpel}
BPEL=$(readlink -f "$BPEL")
[ -n "${PAPER:-}" ] && PAPER=$(readlink -f "$PAPER")
SIZES=${SIZES-"2000 4000"}
RUNS=${RUNS:-3}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
export OPENBLAS_NUM_THREADS=$OMP_NUM_THREADS
export BPEL_NO_PROGRESS=1
POT=$(ls /usr/share/lammps/potentials/CuZr_mm.eam.fs)
W=$(mktemp -d /tmp/bench_modes.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"

cat > bare.c <<'C'
#include <lapacke.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv)
{
    size_t n = (size_t)atol(argv[1]);
    double *a = malloc(n * n * sizeof *a), *w = malloc(n * sizeof *w);
    unsigned s = 12345;
    for (size_t j = 0; j < n; j++)
        for (size_t i = j; i < n; i++) {
            s = s * 1103515245u + 12345u;
            a[i + j * n] = a[j + i * n] = ((s >> 8) & 0xffff) / 65536.0 - 0.5;
        }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'L', (lapack_int)n, a, (lapack_int)n, w);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%.3f %d %.6g\n", (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec), info, w[0]);
    return info != 0;
}
C
cc -O2 -o bare bare.c $(pkg-config --cflags --libs lapacke openblas)

# a 250-atom glass: random, NVT 2000 K -> 300 K in 8 ps, minimised
cat > seed.in <<L
units metal
atom_style atomic
boundary p p p
region box block 0 16.3 0 16.3 0 16.3
create_box 2 box
create_atoms 1 random 125 12345 box
create_atoms 2 random 125 54321 box
mass 1 63.546
mass 2 91.224
pair_style eam/fs
pair_coeff * * $POT Cu Zr
minimize 0 1e-6 1000 10000
velocity all create 2000 1
fix 1 all nvt temp 2000 300 0.1
timestep 0.002
run 4000
unfix 1
minimize 0 1e-10 100000 1000000
write_data seed.data
L
lmp -nocite -log none -screen none -in seed.in

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : 0.5*(a[NR/2]+a[NR/2+1])}'; }
# wall seconds and max RSS (kB) of a command
timed() { /usr/bin/time -v "$@" > out.txt 2> time.txt; awk -F': ' '/Elapsed/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; w=s} /Maximum resident/ {m=$2} END {print w, m}' time.txt; }

printf "# threads %s; medians of %s runs; n = 3N; memory in units of 8 n^2 bytes\n" "$OMP_NUM_THREADS" "$RUNS"
printf "%6s %6s | %8s %8s | %8s %8s %6s | %8s %8s %6s | %8s %8s %6s | %6s %6s %6s | %8s %8s %6s %7s %7s\n" N n bare_s bare_mem modes_s diag_s ratio \
    modes-r_s diag_s ratio window_s diag_s gain mem_d mem_r mem_w slepc_s diag_s w/s mem_GB fact_GB
for N in $SIZES; do
    case $N in
        2000) rep="2 2 2" ;;
        4000) rep="2 2 4" ;;
        8000) rep="2 4 4" ;; # compact, as a quenched glass would be (a long 32 x 1 x 1 box factorises more cheaply)
        *) k=$(( (N + 249) / 250 )); rep="$k 1 1" ;;
    esac
    cat > rep.in <<L
units metal
atom_style atomic
boundary p p p
read_data seed.data
replicate $rep
displace_atoms all random 0.05 0.05 0.05 777
pair_style eam/fs
pair_coeff * * $POT Cu Zr
min_modify line quadratic
minimize 0 1e-10 100000 1000000
write_data glass$N.data
L
    lmp -nocite -log none -screen none -in rep.in
    natoms=$(awk '/ atoms$/ {print $1; exit}' glass$N.data)
    n=$((3 * natoms))
    if [ -n "${WINDOW_BLOCK_ONLY:-}" ]; then
        # the dense window (LAPACK dsyevr) and the block solver only, alternating, RUNS times each
        ww=(); wwd=(); wwm=(); bb=(); bbd=(); bbm=()
        for r in $(seq "$RUNS"); do
            read -r t m < <(timed "$BPEL" modes glass$N.data --elements Cu,Zr --max-omega 15 --no-figures --out o_w); ww+=("$t"); wwm+=("$m")
            wwd+=("$(python3 -c "import json; print(json.load(open('o_w/summary.json'))['modes']['time_s']['diagonalise'])")")
            read -r t m < <(timed "$BPEL" modes glass$N.data --elements Cu,Zr --max-omega 15 --solver block --no-figures --out o_b); bb+=("$t"); bbm+=("$m")
            bbd+=("$(python3 -c "import json; print(json.load(open('o_b/summary.json'))['modes']['time_s']['diagonalise'])")")
        done
        med() { printf "%s\n" "$@" | median; }
        python3 - o_w o_b <<'PY' || echo "#   WARNING: block and the dense window disagree"
import csv, sys
a, b = ([float(r['eigenvalue_eV_per_A2_amu']) for r in csv.DictReader(open(d + '/modes.csv'))] for d in sys.argv[1:3])
assert len(a) == len(b) and all(abs(x - y) <= 1e-8 * max(abs(x), 2e-5) for x, y in zip(a, b))
PY
        nw=$(python3 -c "import json; print(json.load(open('o_w/summary.json'))['modes']['computed'])")
        awk -v N=$natoms -v nw=$nw -v wt=$(med "${ww[@]}") -v wd=$(med "${wwd[@]}") -v wm=$(med "${wwm[@]}") \
            -v bt=$(med "${bb[@]}") -v bd=$(med "${bbd[@]}") -v bm=$(med "${bbm[@]}") 'BEGIN {
            printf "# %d atoms, %d modes below 15 rad/ps: dense window %.2f s (eigensolver %.2f s, peak %.2f GB), block %.2f s (%.2f s, %.2f GB): window/block %.2f (eigensolver %.2f)\n",
                N, nw, wt, wd, wm/1048576, bt, bd, bm/1048576, wt/bt, wd/bd }'
        continue
    fi
    mem8=$(awk -v n=$n 'BEGIN {print 8*n*n/1024}')   # kB
    bare_t=(); bare_m=(); md_t=(0); md_d=(0); md_m=(0); mr_t=(); mr_d=(); mr_m=(); mw_t=(); mw_d=(); mw_m=(); ms_t=(); ms_d=(); ms_m=(); mb_t=(); mb_d=(); mb_m=()
    for r in $(seq "$RUNS"); do
        read -r t m < <(timed ./bare $n); bare_t+=("$t"); bare_m+=("$m")
        if [ -z "${NO_DSYEVD:-}" ]; then
            [ "$r" = 1 ] && { md_t=(); md_d=(); md_m=(); }
            read -r t m < <(timed "$BPEL" modes glass$N.data --elements Cu,Zr --solver dsyevd --no-figures --out o_d); md_t+=("$t"); md_m+=("$m")
            md_d+=("$(python3 -c "import json; print(json.load(open('o_d/summary.json'))['modes']['time_s']['diagonalise'])")")
        fi
        read -r t m < <(timed "$BPEL" modes glass$N.data --elements Cu,Zr --no-figures --out o_r); mr_t+=("$t"); mr_m+=("$m")
        mr_d+=("$(python3 -c "import json; print(json.load(open('o_r/summary.json'))['modes']['time_s']['diagonalise'])")")
        read -r t m < <(timed "$BPEL" modes glass$N.data --elements Cu,Zr --max-omega 15 --no-figures --out o_w); mw_t+=("$t"); mw_m+=("$m")
        mw_d+=("$(python3 -c "import json; print(json.load(open('o_w/summary.json'))['modes']['time_s']['diagonalise'])")")
        read -r t m < <(timed "$BPEL" modes glass$N.data --elements Cu,Zr --max-omega 15 --solver slepc --no-figures --out o_s); ms_t+=("$t"); ms_m+=("$m")
        ms_d+=("$(python3 -c "import json; print(json.load(open('o_s/summary.json'))['modes']['time_s']['diagonalise'])")")
        read -r t m < <(timed "$BPEL" modes glass$N.data --elements Cu,Zr --max-omega 15 --solver block --no-figures --out o_b); mb_t+=("$t"); mb_m+=("$m")
        mb_d+=("$(python3 -c "import json; print(json.load(open('o_b/summary.json'))['modes']['time_s']['diagonalise'])")")
    done
    med() { printf "%s\n" "$@" | median; }
    bt=$(med "${bare_t[@]}"); bm=$(med "${bare_m[@]}")
    dt=$(med "${md_t[@]}"); dd=$(med "${md_d[@]}"); dm=$(med "${md_m[@]}")
    rt=$(med "${mr_t[@]}"); rd=$(med "${mr_d[@]}"); rm=$(med "${mr_m[@]}")
    wt=$(med "${mw_t[@]}"); wd=$(med "${mw_d[@]}"); wm=$(med "${mw_m[@]}")
    st=$(med "${ms_t[@]}"); sd=$(med "${ms_d[@]}"); sm=$(med "${ms_m[@]}")
    bkt=$(med "${mb_t[@]}"); bkd=$(med "${mb_d[@]}"); bkm=$(med "${mb_m[@]}")
    fgb=$(python3 -c "import json; print(json.load(open('o_s/summary.json'))['modes']['spectrum_slicing']['factor_memory_estimate_GB'])")
    python3 - o_w o_s <<'PY' || echo "#   WARNING: slepc and the dense window disagree"
import csv, sys
a, b = ([float(r['eigenvalue_eV_per_A2_amu']) for r in csv.DictReader(open(d + '/modes.csv'))] for d in sys.argv[1:3])
assert len(a) == len(b) and all(abs(x - y) <= 1e-8 * max(abs(x), 2e-5) for x, y in zip(a, b))
PY
    python3 - o_w o_b <<'PY' || echo "#   WARNING: block and the dense window disagree"
import csv, sys
a, b = ([float(r['eigenvalue_eV_per_A2_amu']) for r in csv.DictReader(open(d + '/modes.csv'))] for d in sys.argv[1:3])
assert len(a) == len(b) and all(abs(x - y) <= 1e-8 * max(abs(x), 2e-5) for x, y in zip(a, b))
PY
    # rates of the slepc route at this size, for the projection below
    last_sd=$sd; last_fgb=$fgb; last_n=$n
    last_nw=$(python3 -c "import json; print(json.load(open('o_s/summary.json'))['modes']['computed'])")
    nw=$(python3 -c "import json; print(json.load(open('o_w/summary.json'))['modes']['computed'])")
    awk -v N=$natoms -v n=$n -v bt=$bt -v bm=$bm -v dt=$dt -v dd=$dd -v dm=$dm -v rt=$rt -v rd=$rd -v rm=$rm \
        -v wt=$wt -v wd=$wd -v wm=$wm -v m8=$mem8 -v st=$st -v sd=$sd -v sm=$sm -v fgb=$fgb 'BEGIN {
        printf "%6d %6d | %8.2f %8.2f | %8.2f %8.2f %6.3f | %8.2f %8.2f %6.3f | %8.2f %8.2f %6.2f | %6.2f %6.2f %6.2f | %8.2f %8.2f %6.2f %7.2f %7.2f\n",
            N, n, bt, bm/m8, dt, dd, dt/bt, rt, rd, rt/bt, wt, wd, rd/wd, dm/m8, rm/m8, wm/m8, st, sd, wt/st, sm/1048576, fgb }'
    echo "#   window: $nw of $n modes below 15 rad/ps"
    awk -v bkt=$bkt -v bkd=$bkd -v bkm=$bkm -v wt=$wt -v wd=$wd -v wm=$wm 'BEGIN {
        printf "#   block: wall %.2f s (eigensolver %.2f s), peak %.2f GB; window/block wall %.2f, eigensolver %.2f, peak window %.2f GB\n",
            bkt, bkd, bkm/1048576, wt/bkt, wd/bkd, wm/1048576 }'
done
echo "# ratio = bpel modes wall / bare dsyevd wall; gain = eigensolver time all modes / window; mem_* = peak RSS / 8n^2"
echo "# slepc: the window's modes by spectrum slicing; w/s = window wall / slepc wall (> 1: slepc faster);"
echo "#        mem_GB = its peak RSS; fact_GB = MUMPS's estimate for one factorisation"
echo "# (a column of zeros: variant skipped)"

if [ -n "${BIG:-}" ]; then
    # MUMPS's analysis of the big glass only: BPEL_MEMORY_LIMIT=1M makes the run stop, with the estimate,
    # right after the analysis
    msg=$(BPEL_MEMORY_LIMIT=1M "$BPEL" modes "$BIG" --elements Cu,Zr --max-omega 15 --solver slepc --max-initial-force inf \
          --no-figures --out o_big 2>&1 | tail -1)
    echo "# $BIG: $msg"
    python3 - "$msg" "$last_n" "$last_sd" "$last_nw" "$BIG" "$last_fgb" <<'PY'
import re, sys
msg, n0, t0, m0, big, f0 = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], float(sys.argv[6])
gb = float(re.search(r'needs ([0-9.e+-]+) GB', msg).group(1))
natoms = int(re.search(r'of ([0-9]+) atoms', msg).group(1))
n = 3 * natoms
# modes below 15 rad/ps scale with n; the cost per mode with the factor's size (solves) -- a lower bound,
# since factorisations grow faster (their flops are in the message)
m = m0 * n / n0
print("# projection for %s (n = %d): ~%d modes below 15 rad/ps; one factorisation %.1f GB" % (big, n, m, gb))
print("#   at %d: %.1f s for %d modes with a %.2f GB factorisation" % (n0, t0, m0, f0))
# each solve reads the whole factor, and a mode costs a few solves: time ~ modes x factor size
t = t0 * (m / m0) * (gb / f0)
print("#   projected slepc time up to 15 rad/ps: ~%.0f s (%.1f h; a lower bound: factorisation flops grow faster)"
      % (t, t / 3600))
print("#   projected peak memory: %.1f GB (one factorisation + the eigenvectors twice)" % (gb + 2 * 8 * n * m / 1e9))
PY
fi

if [ -n "${PAPER:-}" ]; then
    case $PAPER in *.xz) xz -dc "$PAPER" > paper.data; PAPER=$W/paper.data ;; esac
    read -r t m < <(BPEL_MEMORY_LIMIT=${PAPER_MEMORY:-14.7G} timed "$BPEL" modes "$PAPER" --elements Cu,Zr --no-figures \
                    --out o_paper) || true
    grep '^modes: ' time.txt | sed 's/^/#   /'
    [ -f o_paper/summary.json ] || { echo "# $PAPER: bpel modes failed:"; grep -E 'error|warning' time.txt | head -3; exit 1; }
    python3 - o_paper/summary.json "$t" "$m" "$PAPER" <<'PY'
import json, sys
j, t, kb, glass = json.load(open(sys.argv[1])), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
mo = j['modes']
bl = mo.get('block_lanczos', {})
gb = kb * 1024 / 1e9
print("# %s: %d atoms, %d modes up to %.2f rad/ps by %s, %s factorisations; wall %.0f s (%.2f h), peak %.2f GB"
      % (glass, j['natoms'], mo['computed'], bl.get('max_omega_radps', float('nan')), mo['solver'],
         bl.get('factorisations', '?'), t, t / 3600, gb))
print("#   goals: <= 7200 s: %s; <= 16 GB: %s" % ("met" if t <= 7200 else "NOT met", "met" if gb <= 16 else "NOT met"))
PY
fi
