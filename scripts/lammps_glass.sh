#!/usr/bin/env bash
# lammps_glass.sh — a Cu50Zr50 glass made by LAMMPS itself, for checks and
# benchmarks that need a minimum bpel did not make: an fcc lattice of
# CELLS³ cells (4·CELLS³ atoms) with random Cu/Zr, 2 ps at 2500 K, quenched
# to 300 K in 2 ps (NVT), then CG-minimised (etol 0, ftol 1e-10).
# With REPLICA_OUT the glass is also replicated 2×2×2 and minimised again.
#
# usage: scripts/lammps_glass.sh CELLS OUT.data [REPLICA_OUT.data]
#        (CuZr_mm.eam.fs from $LAMMPS_POTENTIALS or /usr/share/lammps/potentials)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 CELLS OUT.data [REPLICA_OUT.data]" >&2; exit 2; }
CELLS=$1 OUT=$2 REP=${3:-}
POT=${LAMMPS_POTENTIALS:-/usr/share/lammps/potentials}/CuZr_mm.eam.fs
[ -r "$POT" ] || { echo "lammps_glass.sh: $POT not found (Debian package lammps-data)" >&2; exit 1; }
IN=$(mktemp)
trap 'rm -f "$IN"' EXIT
cat > "$IN" <<EOF2
units metal
atom_style atomic
lattice fcc 4.25
region b block 0 $CELLS 0 $CELLS 0 $CELLS
create_box 2 b
create_atoms 1 box
set type 1 type/fraction 2 0.5 4321
mass 1 63.546
mass 2 91.224
pair_style eam/fs
pair_coeff * * $POT Cu Zr
velocity all create 2500 1
fix 1 all nvt temp 2500 2500 0.1
timestep 0.002
run 1000
fix 1 all nvt temp 2500 300 0.1
run 1000
unfix 1
min_modify line quadratic
minimize 0 1e-10 20000 100000
write_data $OUT
EOF2
if [ -n "$REP" ]; then
  printf 'replicate 2 2 2\nminimize 0 1e-10 1000 10000\nwrite_data %s\n' "$REP" >> "$IN"
fi
lmp -sf opt -in "$IN" -log none -screen none
