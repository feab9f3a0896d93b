#!/bin/bash
# bench_quench.sh — a whole glass preparation, bpel quench against LAMMPS
# (lmp -sf opt: eam/fs/opt) running the same protocol on 2000 Cu50Zr50 atoms:
# NPT melt at 2000 K (P = 0, Tdamp 0.1 ps, Pdamp 1 ps) for MELT ps, NPT ramp to 1 K
# at RATE K/s, CG minimisation (LAMMPS: minimize 0 1e-10, whose force criterion is
# on the force-vector 2-norm, a looser stop than bpel's max|F| <= 1e-8 eV/Å, so the
# minimisation is timed separately and only the MD part is compared).
# Same skin (1.0 Å, checked every step) and dt (2 fs) in both. Wall time of the MD
# stages (LAMMPS: "Loop time" of the two runs; bpel: its "# MD: ... in X s" line),
# median of REPEAT runs.
#
# usage: bench/bench_quench.sh [BPEL] [MELT_PS] [RATE] [REPEAT]  (defaults: build/bpel 2 1e15 3)
set -eu
BPEL=${1:-$(dirname "$0")/../build/bpel}
BPEL=$(readlink -f "$BPEL")
MELT=${2:-2}
RATE=${3:-1e15}
REPEAT=${4:-3}
W=${BENCH_DIR:-/tmp/bpel_bench_quench}
mkdir -p "$W"
cd "$W"
POT=$(ls ${LAMMPS_POTENTIALS:-/usr/share/lammps/potentials}/CuZr_mm.eam.fs)
export BPEL_NO_PROGRESS=1
# threads that spin while waiting starve everything else on a shared machine
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
NMELT=$(awk -v m="$MELT" 'BEGIN{printf "%d", m/0.002 + 0.5}')
NQ=$(awk -v r="$RATE" 'BEGIN{printf "%d", (2000-1)/r*1e12/0.002 + 0.5}')
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : 0.5*(a[NR/2]+a[NR/2+1]))}'; }

lammps_md_time() {
    cat > q.in <<EOR
units metal
atom_style atomic
lattice fcc 4.09
region b block 0 8 0 8 0 8
create_box 2 b
create_atoms 1 box
# 2048 fcc sites minus 48: the 2000 atoms of the bpel run
group extra id 2001:2048
delete_atoms group extra compress yes
set type 1 type/ratio 2 0.5 1
mass 1 63.546
mass 2 91.224
pair_style eam/fs
pair_coeff * * $POT Cu Zr
neighbor 1.0 bin
neigh_modify every 1 delay 0 check yes
timestep 0.002
velocity all create 2000 1 dist gaussian
fix 1 all npt temp 2000 2000 0.1 iso 0 0 1
thermo 1000
run $NMELT
unfix 1
fix 1 all npt temp 2000 1 0.1 iso 0 0 1
run $NQ
EOR
    OMP_NUM_THREADS=1 lmp -sf opt -nocite -log none -in q.in 2>&1 | awk '/^Loop time of/{s+=$4} END{print s}'
}

bpel_md_time() { # threads: the MD wall time bpel reports
    OMP_NUM_THREADS=$1 "$BPEL" quench --composition Cu50Zr50 --natoms 2000 --rate "$RATE" --melt-time "$MELT" \
        --thermo 0 --threads "$1" --out q.data | awk '/^# MD:/{print $6}'
}

echo "quench benchmark: 2000 atoms, melt $NMELT steps + quench $NQ steps, median of $REPEAT runs"
l=$(for _ in $(seq "$REPEAT"); do lammps_md_time; done | median)
b1=$(for _ in $(seq "$REPEAT"); do bpel_md_time 1; done | median)
b2=$(for _ in $(seq "$REPEAT"); do bpel_md_time 2; done | median)
steps=$((NMELT + NQ))
awk -v l="$l" -v a="$b1" -v b="$b2" -v s="$steps" 'BEGIN{
    printf "MD wall time: LAMMPS-opt 1 thread %.2f s (%.4g atom-steps/s) | bpel 1 thread %.2f s (%.4g) | bpel 2 threads %.2f s (%.4g)\n",
           l, 2000*s/l, a, 2000*s/a, b, 2000*s/b
    printf "ratio of throughput bpel/LAMMPS-opt (1 thread) = %.3f;  bpel 2 threads / 1 thread = %.3f\n", l/a, a/b }'
