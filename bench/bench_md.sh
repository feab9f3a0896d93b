#!/bin/bash
# bench_md.sh — MD throughput of bpel against LAMMPS' OPT package.
#
# A ~2000-atom Cu50Zr50 glass (bpel quench, 2000 atoms, 5 ps melt, 1e14 K/s,
# then 1 ps NVT at 300 K for velocities) is run for the same number of steps by
#   lmp -sf opt   (pair_style eam/fs -> eam/fs/opt, 1 MPI rank, 1 thread)
#   bpel md       on 1 thread, then on 2 threads,
# in NVE (fix nve) and NPT (fix npt temp 300 300 0.1 iso 0 0 1 / --ensemble npt).
# Both codes: CuZr_mm.eam.fs, dt = 2 fs, neighbour skin 1.0 Å, lists checked every
# step (LAMMPS: neighbor 1.0 bin, neigh_modify every 1 delay 0 check yes; bpel:
# skin 1.0 Å, rebuild when an atom moved more than skin/2), thermo every 100 steps.
# Reported: atom-steps per second of the timed loop (LAMMPS "Loop time", bpel
# "steps in ... s"), the median of REPEAT runs, and the ratios.
# OMP_WAIT_POLICY is left to the caller (libgomp's default spins briefly at
# barriers; `passive` puts waiting threads to sleep, which is kinder to a
# shared machine and slower).
#
# usage: bench/bench_md.sh [BPEL] [STEPS] [REPEAT]    (defaults: build/bpel 2000 3)
set -eu
BPEL=${1:-$(dirname "$0")/../build/bpel}
BPEL=$(readlink -f "$BPEL")
STEPS=${2:-2000}
REPEAT=${3:-3}
W=${BENCH_DIR:-/tmp/bpel_bench_md}
mkdir -p "$W"
cd "$W"
POT=$(ls ${LAMMPS_POTENTIALS:-/usr/share/lammps/potentials}/CuZr_mm.eam.fs)
export BPEL_NO_PROGRESS=1

if [ ! -f start.data ]; then
    echo "preparing the glass (once) ..."
    OMP_NUM_THREADS=2 "$BPEL" quench --composition Cu50Zr50 --natoms 2000 --rate 1e14 --melt-time 5 --seed 1 --threads 2 \
        --thermo 0 --out glass.data >/dev/null
    OMP_NUM_THREADS=2 "$BPEL" md glass.data --steps 500 --ensemble nvt --temperature 300 --thermo 0 \
        --out start.data >/dev/null
fi
N=$(awk '/atoms$/{print $1; exit}' start.data)

median() { sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : 0.5*(a[NR/2]+a[NR/2+1]))}'; }

lammps_rate() { # ensemble
    local fix="fix 1 all nve"
    [ "$1" = npt ] && fix="fix 1 all npt temp 300 300 0.1 iso 0 0 1"
    cat > bench.in <<EOR
units metal
atom_style atomic
read_data start.data
pair_style eam/fs
pair_coeff * * $POT Cu Zr
neighbor 1.0 bin
neigh_modify every 1 delay 0 check yes
timestep 0.002
$fix
thermo 100
run $STEPS
EOR
    OMP_NUM_THREADS=1 lmp -sf opt -nocite -log none -in bench.in 2>&1 |
        awk -v n="$N" '/^Loop time of/{print $9 * n / $4}'
}

bpel_rate() { # ensemble threads
    local extra=""
    [ "$1" = npt ] && extra="--ensemble npt --target-temperature 300"
    OMP_NUM_THREADS=$2 "$BPEL" md start.data --steps "$STEPS" --thermo 100 --threads "$2" $extra |
        awk '/steps in/{print $7}'
}

printf "bpel md benchmark: %s atoms, %s steps, median of %s runs; %s\n" "$N" "$STEPS" "$REPEAT" "$("$BPEL" --version)"
printf "LAMMPS: %s (lmp -sf opt, eam/fs/opt)\n" "$(lmp -h 2>/dev/null | grep -m1 'Large-scale' | sed 's/.*Simulator - //')"
# The three runs of each repeat are taken back to back, and each ratio is the
# median of the per-repeat ratios: on a machine whose speed drifts, a ratio of
# runs taken seconds apart is steadier than a ratio of separate medians.
for ens in nve npt; do
    : > rates.txt
    for _ in $(seq "$REPEAT"); do
        echo "$(lammps_rate $ens) $(bpel_rate $ens 1) $(bpel_rate $ens 2)" >> rates.txt
    done
    l=$(awk '{print $1}' rates.txt | median)
    b1=$(awk '{print $2}' rates.txt | median)
    b2=$(awk '{print $3}' rates.txt | median)
    r1=$(awk '{print $2 / $1}' rates.txt | median)
    r2=$(awk '{print $3 / $2}' rates.txt | median)
    printf "%s  LAMMPS-opt 1 thread: %.4g atom-steps/s | bpel 1 thread: %.4g | bpel 2 threads: %.4g\n" \
        "${ens^^}" "$l" "$b1" "$b2"
    printf "%s  ratio bpel/LAMMPS-opt (1 thread) = %.3f;  bpel 2 threads / 1 thread = %.3f  (medians of %s paired runs; ratios per run: %s)\n" \
        "${ens^^}" "$r1" "$r2" "$REPEAT" "$(awk '{printf "%s%.2f/%.2f", (NR > 1 ? " " : ""), $2 / $1, $3 / $2}' rates.txt)"
done
